package demo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
)

// point is a WGS-84 position, longitude first as in GeoJSON.
type point struct{ Lon, Lat float64 }

// Nanguan is a slightly irregular quadrilateral south of Zhangye's Drum Tower, about 1.1 km by
// 1 km around 38.93° N, 100.45° E (its corners are in site.go); its neighbours share its west and
// east edges.

// bilinear maps (u, v) in the unit square onto the quadrilateral a (u=0,v=0), b (1,0), c (1,1),
// d (0,1). For a convex quadrilateral every (u, v) in [0,1]² lands inside it.
func bilinear(a, b, c, d point, u, v float64) point {
	return point{
		Lon: (1-u)*(1-v)*a.Lon + u*(1-v)*b.Lon + u*v*c.Lon + (1-u)*v*d.Lon,
		Lat: (1-u)*(1-v)*a.Lat + u*(1-v)*b.Lat + u*v*c.Lat + (1-u)*v*d.Lat,
	}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// lattice returns the (cols+1)×(rows+1) vertices shared by the site's grid cells, indexed
// [row][col]. Inner vertices are nudged so the cells look drawn by hand, but neighbours share
// exactly the same vertex, so the cells tile the community with no gap or overlap.
func lattice(rng *rand.Rand, s *site) [][]point {
	out := make([][]point, s.rows+1)
	for j := 0; j <= s.rows; j++ {
		out[j] = make([]point, s.cols+1)
		for i := 0; i <= s.cols; i++ {
			u := float64(i) / float64(s.cols)
			v := float64(j) / float64(s.rows)
			if i > 0 && i < s.cols {
				u += (rng.Float64() - 0.5) * 0.05 // along the row: stays on an outer edge
			}
			if j > 0 && j < s.rows {
				v += (rng.Float64() - 0.5) * 0.12
			}
			p := bilinear(s.sw, s.se, s.ne, s.nw, u, v)
			out[j][i] = point{round6(p.Lon), round6(p.Lat)}
		}
	}
	return out
}

// cell is one grid's quadrilateral, corners counter-clockwise from the south-west.
type cell [4]point

// cells returns the site's grid cells, numbered along the northern row west → east first and
// then row by row southwards (Nanguan: 1–5 north, 6–10 south).
func cells(rng *rand.Rand, s *site) []cell {
	l := lattice(rng, s)
	var out []cell
	for j := s.rows - 1; j >= 0; j-- {
		for i := 0; i < s.cols; i++ {
			out = append(out, cell{l[j][i], l[j][i+1], l[j+1][i+1], l[j+1][i]})
		}
	}
	return out
}

// at returns the point at (u, v) inside the cell.
func (c cell) at(u, v float64) point {
	p := bilinear(c[0], c[1], c[2], c[3], u, v)
	return point{round6(p.Lon), round6(p.Lat)}
}

// geoJSON returns the cell as a GeoJSON Polygon, closed ring, counter-clockwise.
func (c cell) geoJSON() string {
	ring := make([][2]float64, 0, 5)
	for _, p := range c {
		ring = append(ring, [2]float64{p.Lon, p.Lat})
	}
	ring = append(ring, ring[0])
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return string(b)
}
