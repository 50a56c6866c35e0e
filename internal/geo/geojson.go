// Package geo holds Linli's geometry: grid boundaries as GeoJSON (WGS-84), the point-in-grid index,
// and conversions from the GCJ-02 and BD-09 systems Chinese map apps use.
package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"linli/internal/errs"
)

// MaxVertices bounds a boundary's size; a community grid needs dozens, not thousands.
const MaxVertices = 20000

type rawGeoJSON struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometry    json.RawMessage   `json:"geometry"`
	Features    []json.RawMessage `json:"features"`
}

func invalid(format string, args ...any) error {
	return errs.Field("boundary", fmt.Sprintf(format, args...))
}

// ParseBoundary reads a grid boundary from GeoJSON — a Polygon, a MultiPolygon, a Feature holding
// one, or a FeatureCollection with a single such Feature — and validates it: WGS-84 ranges, closed
// rings of at least four positions, no empty area. Errors are field errors on "boundary" in Chinese.
func ParseBoundary(data []byte) (orb.MultiPolygon, error) {
	return parse(data, 0)
}

func parse(data []byte, depth int) (orb.MultiPolygon, error) {
	var raw rawGeoJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, invalid("边界文件不是有效的 GeoJSON：%s", jsonProblem(err))
	}
	switch raw.Type {
	case "Polygon":
		var coords [][][]float64
		if err := json.Unmarshal(raw.Coordinates, &coords); err != nil {
			return nil, invalid("Polygon 的坐标格式不正确，应为 [[[经度, 纬度], …]]")
		}
		p, err := polygon(coords, 1)
		if err != nil {
			return nil, err
		}
		return orb.MultiPolygon{p}, checkSize(orb.MultiPolygon{p})
	case "MultiPolygon":
		var coords [][][][]float64
		if err := json.Unmarshal(raw.Coordinates, &coords); err != nil {
			return nil, invalid("MultiPolygon 的坐标格式不正确，应为 [[[[经度, 纬度], …]]]")
		}
		if len(coords) == 0 {
			return nil, invalid("MultiPolygon 中没有任何多边形")
		}
		mp := make(orb.MultiPolygon, 0, len(coords))
		for i, c := range coords {
			p, err := polygon(c, i+1)
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		return mp, checkSize(mp)
	case "Feature":
		if depth > 1 {
			break
		}
		if len(raw.Geometry) == 0 || string(raw.Geometry) == "null" {
			return nil, invalid("Feature 中没有几何图形（geometry 为空）")
		}
		return parse(raw.Geometry, depth+1)
	case "FeatureCollection":
		if depth > 0 {
			break
		}
		if len(raw.Features) != 1 {
			return nil, invalid("FeatureCollection 应只包含一个要素（本网格的边界），实有 %d 个", len(raw.Features))
		}
		return parse(raw.Features[0], depth+1)
	case "":
		return nil, invalid("边界文件缺少 type 字段，不是 GeoJSON")
	}
	return nil, invalid("不支持的 GeoJSON 类型 %q：网格边界应为 Polygon 或 MultiPolygon", raw.Type)
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if ok := asSyntax(err, &se); ok {
		return fmt.Sprintf("第 %d 个字符处语法错误", se.Offset)
	}
	return "结构不正确"
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok
}

func polygon(rings [][][]float64, n int) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, invalid("第 %d 个多边形没有任何环", n)
	}
	p := make(orb.Polygon, 0, len(rings))
	for ri, ring := range rings {
		where := fmt.Sprintf("第 %d 个多边形的外环", n)
		if ri > 0 {
			where = fmt.Sprintf("第 %d 个多边形的第 %d 个内环", n, ri)
		}
		if len(ring) < 4 {
			return nil, invalid("%s至少需要 4 个坐标点（首尾相同），实有 %d 个", where, len(ring))
		}
		r := make(orb.Ring, 0, len(ring))
		for pi, pos := range ring {
			if len(pos) < 2 || len(pos) > 3 {
				return nil, invalid("%s第 %d 个坐标应为 [经度, 纬度]", where, pi+1)
			}
			lon, lat := pos[0], pos[1]
			if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				return nil, invalid("%s第 %d 个坐标 [%g, %g] 超出 WGS-84 范围（经度 -180～180，纬度 -90～90），请检查经纬度是否写反", where, pi+1, lon, lat)
			}
			r = append(r, orb.Point{lon, lat})
		}
		if !r.Closed() {
			return nil, invalid("%s没有闭合：最后一个坐标应与第一个相同", where)
		}
		if planar.Area(r) == 0 {
			return nil, invalid("%s面积为零，请检查坐标是否重复或共线", where)
		}
		p = append(p, r)
	}
	return p, nil
}

func checkSize(mp orb.MultiPolygon) error {
	if n := VertexCount(mp); n > MaxVertices {
		return invalid("边界坐标点过多（%d 个），最多 %d 个，请先简化", n, MaxVertices)
	}
	return nil
}

// VertexCount returns the number of distinct vertices of a boundary (a closed ring's repeated
// last position is not counted).
func VertexCount(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r) - 1
		}
	}
	return n
}

// Centroid returns the area-weighted centroid of a boundary (planar, adequate at grid scale).
func Centroid(mp orb.MultiPolygon) orb.Point {
	c, _ := planar.CentroidArea(mp)
	return c
}

// Geometry is a GeoJSON geometry object as Linli stores and serves boundaries.
type Geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// ToGeometry returns the GeoJSON geometry of a boundary: a Polygon when it has one part, otherwise
// a MultiPolygon.
func ToGeometry(mp orb.MultiPolygon) Geometry {
	if len(mp) == 1 {
		return Geometry{Type: "Polygon", Coordinates: polyCoords(mp[0])}
	}
	out := make([][][][2]float64, len(mp))
	for i, p := range mp {
		out[i] = polyCoords(p)
	}
	return Geometry{Type: "MultiPolygon", Coordinates: out}
}

func polyCoords(p orb.Polygon) [][][2]float64 {
	out := make([][][2]float64, len(p))
	for i, r := range p {
		ring := make([][2]float64, len(r))
		for j, pt := range r {
			ring[j] = [2]float64{pt[0], pt[1]}
		}
		out[i] = ring
	}
	return out
}

// Marshal returns the boundary as GeoJSON geometry text, or "" for an empty boundary.
func Marshal(mp orb.MultiPolygon) string {
	if len(mp) == 0 {
		return ""
	}
	b, _ := json.Marshal(ToGeometry(mp))
	return string(b)
}

// Unmarshal reads a stored boundary; an empty string is an empty boundary.
func Unmarshal(s string) (orb.MultiPolygon, error) {
	if s == "" {
		return nil, nil
	}
	return ParseBoundary([]byte(s))
}
