package demo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
)

// point is a WGS-84 position, longitude first as in GeoJSON.
type point struct{ Lon, Lat float64 }

// The community is a slightly irregular quadrilateral south of Zhangye's Drum Tower, about
// 1.1 km by 1 km around 38.93° N, 100.45° E.
var (
	cornerSW = point{100.44380, 38.92460}
	cornerSE = point{100.45650, 38.92520}
	cornerNE = point{100.45720, 38.93390}
	cornerNW = point{100.44310, 38.93330}
)

const (
	gridCols = 5 // cells west → east
	gridRows = 2 // cells south → north
)

// bilinear maps (u, v) in the unit square onto the quadrilateral a (u=0,v=0), b (1,0), c (1,1),
// d (0,1). For a convex quadrilateral every (u, v) in [0,1]² lands inside it.
func bilinear(a, b, c, d point, u, v float64) point {
	return point{
		Lon: (1-u)*(1-v)*a.Lon + u*(1-v)*b.Lon + u*v*c.Lon + (1-u)*v*d.Lon,
		Lat: (1-u)*(1-v)*a.Lat + u*(1-v)*b.Lat + u*v*c.Lat + (1-u)*v*d.Lat,
	}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// lattice returns the (gridCols+1)×(gridRows+1) vertices shared by the grid cells, indexed
// [row][col]. Inner vertices are nudged so the cells look drawn by hand, but neighbours share
// exactly the same vertex, so the cells tile the community with no gap or overlap.
func lattice(rng *rand.Rand) [gridRows + 1][gridCols + 1]point {
	var out [gridRows + 1][gridCols + 1]point
	for j := 0; j <= gridRows; j++ {
		for i := 0; i <= gridCols; i++ {
			u := float64(i) / gridCols
			v := float64(j) / gridRows
			if i > 0 && i < gridCols {
				u += (rng.Float64() - 0.5) * 0.05 // along the row: stays on an outer edge
			}
			if j > 0 && j < gridRows {
				v += (rng.Float64() - 0.5) * 0.12
			}
			p := bilinear(cornerSW, cornerSE, cornerNE, cornerNW, u, v)
			out[j][i] = point{round6(p.Lon), round6(p.Lat)}
		}
	}
	return out
}

// cell is one grid's quadrilateral, corners counter-clockwise from the south-west.
type cell [4]point

// cells returns the ten grid cells, numbered 1–5 along the north row west → east and 6–10 along
// the south row west → east.
func cells(rng *rand.Rand) []cell {
	l := lattice(rng)
	var out []cell
	for _, j := range []int{1, 0} {
		for i := 0; i < gridCols; i++ {
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
