package geo

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"linli/internal/errs"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestConversions(t *testing.T) {
	cases := []struct {
		name             string
		fn               func(lon, lat float64) (float64, float64)
		lon, lat         float64
		wantLon, wantLat float64
		tolerance        float64
	}{
		// Published reference values of the GCJ-02 and BD-09 algorithms for Tiananmen.
		{"WGS-84 to GCJ-02 matches the published Beijing value", WGS84ToGCJ02, 116.404, 39.915, 116.41024449916938, 39.91640428150164, 1e-9},
		{"BD-09 to GCJ-02 matches the published Beijing value", BD09ToGCJ02, 116.404, 39.915, 116.39762729119315, 39.90865673957631, 1e-9},
		{"GCJ-02 to BD-09 matches the published Beijing value", GCJ02ToBD09, 116.404, 39.915, 116.41036949371029, 39.92133699351021, 1e-9},
		// Nanguan community, Zhangye: the offset is about 160 m to the north-east.
		{"WGS-84 to GCJ-02 in Zhangye", WGS84ToGCJ02, 100.45, 38.93, 100.4517017328, 38.9306402970, 1e-8},
		{"GCJ-02 to WGS-84 in Zhangye inverts the offset", GCJ02ToWGS84, 100.4517017328, 38.9306402970, 100.45, 38.93, 1e-8},
		{"BD-09 to WGS-84 in Zhangye", BD09ToWGS84, 100.4581149630, 38.9368902366, 100.45, 38.93, 1e-8},
		{"points outside China are not offset", WGS84ToGCJ02, 2.35, 48.85, 2.35, 48.85, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lon, lat := c.fn(c.lon, c.lat)
			if !near(lon, c.wantLon, c.tolerance) || !near(lat, c.wantLat, c.tolerance) {
				t.Errorf("got %.10f, %.10f; want %.10f, %.10f", lon, lat, c.wantLon, c.wantLat)
			}
		})
	}
	t.Run("the GCJ-02 inverse is exact to a millimetre across the community", func(t *testing.T) {
		for dx := -0.02; dx <= 0.02; dx += 0.005 {
			for dy := -0.02; dy <= 0.02; dy += 0.005 {
				lon, lat := 100.45+dx, 38.93+dy
				g1, g2 := WGS84ToGCJ02(lon, lat)
				w1, w2 := GCJ02ToWGS84(g1, g2)
				if d := DistanceMeters(lon, lat, w1, w2); d > 0.001 {
					t.Fatalf("round trip at %f,%f off by %.4f m", lon, lat, d)
				}
			}
		}
	})
	t.Run("ToWGS84 dispatches by system", func(t *testing.T) {
		if lon, lat := ToWGS84(WGS84, 100.45, 38.93); lon != 100.45 || lat != 38.93 {
			t.Error("WGS-84 must pass through")
		}
		lon, lat := ToWGS84(BD09, 100.4581149630, 38.9368902366)
		if DistanceMeters(lon, lat, 100.45, 38.93) > 0.01 {
			t.Errorf("BD-09 converted to %f,%f", lon, lat)
		}
	})
}

func square(lon, lat, size float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		lon, lat, lon+size, lat, lon+size, lat+size, lon, lat+size, lon, lat)
}

func TestParseBoundary(t *testing.T) {
	poly := square(100.44, 38.92, 0.01)
	accepted := map[string]string{
		"a Polygon":                            poly,
		"a MultiPolygon":                       `{"type":"MultiPolygon","coordinates":[[[[100.44,38.92],[100.45,38.92],[100.45,38.93],[100.44,38.92]]],[[[100.46,38.92],[100.47,38.92],[100.47,38.93],[100.46,38.92]]]]}`,
		"a Feature":                            `{"type":"Feature","properties":{"name":"第一网格"},"geometry":` + poly + `}`,
		"a FeatureCollection with one Feature": `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + poly + `}]}`,
		"a Polygon with altitude in positions": `{"type":"Polygon","coordinates":[[[100.44,38.92,1500],[100.45,38.92,1500],[100.45,38.93,1500],[100.44,38.92,1500]]]}`,
	}
	for name, text := range accepted {
		t.Run("accepts "+name, func(t *testing.T) {
			mp, err := ParseBoundary([]byte(text))
			if err != nil || len(mp) == 0 {
				t.Fatalf("ParseBoundary = %v, %v", mp, err)
			}
		})
	}
	rejected := []struct{ name, text, want string }{
		{"text that is not JSON", `not json`, "不是有效的 GeoJSON"},
		{"a Point", `{"type":"Point","coordinates":[100.4,38.9]}`, "不支持"},
		{"an open ring", `{"type":"Polygon","coordinates":[[[100.44,38.92],[100.45,38.92],[100.45,38.93],[100.44,38.93]]]}`, "没有闭合"},
		{"a ring of three positions", `{"type":"Polygon","coordinates":[[[100.44,38.92],[100.45,38.92],[100.44,38.92]]]}`, "至少需要 4 个"},
		{"swapped latitude and longitude", `{"type":"Polygon","coordinates":[[[38.92,100.44],[38.93,100.44],[38.93,100.45],[38.92,100.44]]]}`, "超出 WGS-84 范围"},
		{"a collection of two features", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + poly + `},{"type":"Feature","geometry":` + poly + `}]}`, "只包含一个要素"},
		{"a Feature without geometry", `{"type":"Feature","geometry":null}`, "没有几何图形"},
		{"a ring with no area", `{"type":"Polygon","coordinates":[[[100.44,38.92],[100.45,38.92],[100.46,38.92],[100.44,38.92]]]}`, "面积为零"},
	}
	for _, c := range rejected {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := ParseBoundary([]byte(c.text))
			msg := errs.FieldsOf(err)["boundary"]
			if !strings.Contains(msg, c.want) {
				t.Fatalf("error %q, want it to mention %q", msg, c.want)
			}
		})
	}
}

func TestMarshalRoundTripAndMeasures(t *testing.T) {
	mp, err := ParseBoundary([]byte(square(100.44, 38.92, 0.01)))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(Marshal(mp))
	if err != nil || !orb.Equal(back, mp) {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if n := VertexCount(mp); n != 4 {
		t.Errorf("vertex count %d, want 4", n)
	}
	c := Centroid(mp)
	if !near(c[0], 100.445, 1e-9) || !near(c[1], 38.925, 1e-9) {
		t.Errorf("centroid %v", c)
	}
	if empty, err := Unmarshal(""); err != nil || empty != nil {
		t.Error("an empty stored boundary is an empty shape")
	}
}

func TestIndexLocate(t *testing.T) {
	shape := func(lon, lat, size float64) orb.MultiPolygon {
		mp, err := ParseBoundary([]byte(square(lon, lat, size)))
		if err != nil {
			t.Fatal(err)
		}
		return mp
	}
	// Two grids side by side in community 1, one in community 2 overlapping grid 11's east half.
	ix := NewIndex([]Area{
		{ID: 11, ParentID: 1, Shape: shape(100.44, 38.92, 0.01)},
		{ID: 12, ParentID: 1, Shape: shape(100.45, 38.92, 0.01)},
		{ID: 21, ParentID: 2, Shape: shape(100.445, 38.92, 0.01)},
		{ID: 30, ParentID: 1}, // no boundary yet
	})
	if ix.Len() != 3 {
		t.Fatalf("indexed %d areas, want 3", ix.Len())
	}
	cases := []struct {
		name     string
		lon, lat float64
		parent   int64
		want     int64
		ok       bool
	}{
		{"a point in the west grid", 100.442, 38.925, 1, 11, true},
		{"a point in the east grid", 100.455, 38.925, 1, 12, true},
		{"a point outside every grid", 100.50, 38.95, 0, 0, false},
		{"a point inside the bounding box but outside the shape is not matched", 100.465, 38.925, 1, 0, false},
		{"the community restricts the candidates", 100.447, 38.925, 2, 21, true},
		{"overlaps resolve to the smallest id", 100.447, 38.925, 0, 11, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, ok := ix.Locate(c.lon, c.lat, c.parent)
			if id != c.want || ok != c.ok {
				t.Errorf("Locate = %d, %v; want %d, %v", id, ok, c.want, c.ok)
			}
		})
	}
	t.Run("a live index can be swapped while lookups run", func(t *testing.T) {
		var live Live
		live.Store(ix)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 1000; j++ {
					if _, ok := live.Load().Locate(100.442, 38.925, 1); !ok {
						t.Error("lookup lost during swap")
						return
					}
				}
			}()
		}
		for j := 0; j < 100; j++ {
			live.Store(NewIndex([]Area{{ID: 11, ParentID: 1, Shape: shape(100.44, 38.92, 0.01)}}))
		}
		wg.Wait()
	})
}
