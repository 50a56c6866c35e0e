package gen

import (
	"encoding/json"
	"math"
	"math/rand/v2"
)

// pt is a WGS-84 position, longitude first as in GeoJSON.
type pt struct{ Lon, Lat float64 }

// quad is a convex quadrilateral, corners counter-clockwise from the south-west.
type quad [4]pt

// The city spreads east and north of this corner; a community is a cell of about 1.1 km by 1 km.
const (
	originLon = 100.30
	originLat = 38.85
	cellLon   = 0.0128
	cellLat   = 0.0092
)

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// at maps (u, v) in the unit square onto the quadrilateral; inside for u, v in [0,1].
func (q quad) at(u, v float64) pt {
	a, b, c, d := q[0], q[1], q[2], q[3]
	return pt{
		Lon: round6((1-u)*(1-v)*a.Lon + u*(1-v)*b.Lon + u*v*c.Lon + (1-u)*v*d.Lon),
		Lat: round6((1-u)*(1-v)*a.Lat + u*(1-v)*b.Lat + u*v*c.Lat + (1-u)*v*d.Lat),
	}
}

// geoJSON returns the quadrilateral as a closed GeoJSON Polygon.
func (q quad) geoJSON() string {
	ring := make([][2]float64, 0, 5)
	for _, p := range q {
		ring = append(ring, [2]float64{p.Lon, p.Lat})
	}
	ring = append(ring, ring[0])
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return string(b)
}

// tiles cuts q into cols × rows cells sharing their vertices exactly, numbered row by row from the
// north-west; inner vertices are nudged so that the cells look drawn by hand, boundary vertices
// slide only along the boundary, so the cells tile q with no gap or overlap.
func tiles(q quad, cols, rows int, rng *rand.Rand) []quad {
	v := make([][]pt, rows+1)
	for j := 0; j <= rows; j++ {
		v[j] = make([]pt, cols+1)
		for i := 0; i <= cols; i++ {
			u, w := float64(i)/float64(cols), float64(j)/float64(rows)
			if i > 0 && i < cols {
				u += (rng.Float64() - 0.5) * 0.3 / float64(cols)
			}
			if j > 0 && j < rows {
				w += (rng.Float64() - 0.5) * 0.3 / float64(rows)
			}
			v[j][i] = q.at(u, w)
		}
	}
	var out []quad
	for j := rows - 1; j >= 0; j-- {
		for i := 0; i < cols; i++ {
			out = append(out, quad{v[j][i], v[j][i+1], v[j+1][i+1], v[j+1][i]})
		}
	}
	return out
}

// cityCells returns n community cells tiling a near-square block of the city, with the shared
// vertices nudged like tiles does.
func cityCells(n int, rng *rand.Rand) []quad {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	outer := quad{{originLon, originLat}, {originLon + cellLon*float64(cols), originLat},
		{originLon + cellLon*float64(cols), originLat + cellLat*float64(rows)}, {originLon, originLat + cellLat*float64(rows)}}
	return tiles(outer, cols, rows, rng)[:n]
}
