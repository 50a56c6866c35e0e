package geo

import (
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Area is one grid's boundary as the index holds it.
type Area struct {
	ID       int64 // the grid's id
	ParentID int64 // the grid's community, so a lookup can stay inside one community
	Shape    orb.MultiPolygon
}

// Index finds the grid containing a point: bounding boxes in an R-tree narrow the candidates, an
// exact planar test decides. An Index is immutable once built; share it freely.
type Index struct {
	tree  rtree.RTreeG[*Area]
	count int
}

// NewIndex builds an index over areas; areas without a shape are skipped.
func NewIndex(areas []Area) *Index {
	ix := &Index{}
	for i := range areas {
		a := &areas[i]
		if len(a.Shape) == 0 {
			continue
		}
		b := a.Shape.Bound()
		ix.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, a)
		ix.count++
	}
	return ix
}

// Len is the number of areas indexed.
func (ix *Index) Len() int { return ix.count }

// Locate returns the id of the area containing the WGS-84 point, restricted to areas whose
// ParentID is parent unless parent is 0. When areas overlap, the smallest id wins, so the answer
// is stable. ok is false when no area contains the point.
func (ix *Index) Locate(lon, lat float64, parent int64) (id int64, ok bool) {
	pt := orb.Point{lon, lat}
	ix.tree.Search([2]float64{lon, lat}, [2]float64{lon, lat}, func(_, _ [2]float64, a *Area) bool {
		if parent != 0 && a.ParentID != parent {
			return true
		}
		if planar.MultiPolygonContains(a.Shape, pt) && (!ok || a.ID < id) {
			id, ok = a.ID, true
		}
		return true
	})
	return id, ok
}

// Live holds the current index and lets it be replaced while lookups run.
type Live struct {
	p atomic.Pointer[Index]
}

// Load returns the current index, or nil before the first Store.
func (l *Live) Load() *Index { return l.p.Load() }

// Store replaces the current index.
func (l *Live) Store(ix *Index) { l.p.Store(ix) }
