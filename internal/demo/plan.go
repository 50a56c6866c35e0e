package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// The demo's clock is fixed, so the same seed gives the same data whatever the day it runs.
var (
	// ageRef is the day ages are counted at when people are drawn.
	ageRef = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// recorded is when the register was first filled in: before the 2024 period the news report covers.
	recorded = time.Date(2023, 12, 28, 2, 0, 0, 0, time.UTC)
)

// plan is the whole demo as plain data, drawn before anything is written so that a retried
// transaction writes exactly the same rows.
type plan struct {
	grids      []gridPlan
	buildings  []buildingPlan
	households []householdPlan
	residents  []residentPlan
	roster     []rosterPlan
	members    []memberPlan
	liaisons   []liaisonPlan
}

type gridPlan struct {
	number int
	cell   cell
	street string
}

type buildingPlan struct {
	grid          int // index into plan.grids
	name, address string
	kind          string
	at            point
	units, floors int
}

type householdPlan struct {
	building         int
	unit, room, kind string
	members          []int // indexes into plan.residents, head first
}

type residentPlan struct {
	household    int
	name, gender string
	birth        time.Time
	id, phone    string
	relation     string
	residence    string
	ethnicity    string
	tags         []tagPlan
}

type tagPlan struct{ tag, since string }

func (r *residentPlan) age() int { return ageAt(r.birth, ageRef) }

func (r *residentPlan) tag(t string, since time.Time) {
	if since.Before(r.birth) {
		since = r.birth
	}
	r.tags = append(r.tags, tagPlan{t, since.Format("2006-01-02")})
}

// planner draws the plan from one random source.
type planner struct {
	site *site
	rng  *rand.Rand
	ids  idNumbers
	plan *plan
}

func newPlanner(seed uint64) *planner {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &planner{site: nanguan, rng: rng, ids: idNumbers{rng: rng, used: map[string]bool{}}, plan: &plan{}}
}

// chance reports true with probability p.
func (g *planner) chance(p float64) bool { return g.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (g *planner) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// elderAge draws an age of 60 or more, thinning out towards 100 as a real population does.
func (g *planner) elderAge() int {
	return min(60+int(math.Abs(g.rng.NormFloat64())*12), 99)
}

// dayBetween returns a random day in [from, to).
func (g *planner) dayBetween(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.rng.IntN(days))
}

var estateFloors = weighted[int]{{5, 3}, {6, 5}, {7, 1}, {11, 2}, {18, 1}}

// buildGrids draws the grid cells and, for each, its buildings and households.
func (g *planner) buildGrids() {
	estate, courtyard := 0, 0
	laneNo := map[string]int{}
	s := g.site
	for i, c := range cells(g.rng, s) {
		g.plan.grids = append(g.plan.grids, gridPlan{number: i + 1, cell: c, street: s.streets[i]})
		target := g.between(s.doors[0], s.doors[1])
		south := i >= s.cols
		bungalowShare := 0.06
		if south {
			bungalowShare = 0.22
		}
		first := len(g.plan.buildings)
		houseNo := g.between(8, 40)
		count := 0
		add := func(b buildingPlan, doors []householdPlan) {
			b.grid = i
			g.plan.buildings = append(g.plan.buildings, b)
			for _, h := range doors {
				h.building = len(g.plan.buildings) - 1
				g.plan.households = append(g.plan.households, h)
			}
			count += len(doors)
		}
		// One or two estates of numbered blocks make most of a grid.
		for e := 0; count < int(float64(target)*(0.72-bungalowShare)) && e < 2; e++ {
			name := s.estates[estate%len(s.estates)]
			estate++
			houseNo += g.between(2, 12)
			for n := 1; count < int(float64(target)*(0.72-bungalowShare)) && n <= 14; n++ {
				floors := estateFloors.pick(g.rng)
				units := 2
				if floors <= 7 {
					units = g.between(2, 4)
				}
				bname := fmt.Sprintf("%s%d号楼", name, n)
				add(buildingPlan{name: bname, address: fmt.Sprintf("%s%d号%s", g.plan.grids[i].street, houseNo, bname),
					kind: "building", units: units, floors: floors}, g.flats(units, floors))
			}
		}
		// A work-unit courtyard (家属院) of a few blocks.
		if count < int(float64(target)*(1-bungalowShare)) {
			name := s.courtyards[courtyard%len(s.courtyards)]
			courtyard++
			houseNo += g.between(2, 10)
			for n := 1; count < int(float64(target)*(1-bungalowShare)); n++ {
				floors, units := g.between(3, 5), g.between(1, 3)
				bname := fmt.Sprintf("%s%d号楼", name, n)
				add(buildingPlan{name: bname, address: fmt.Sprintf("%s%d号%s", g.plan.grids[i].street, houseNo, bname),
					kind: "courtyard", units: units, floors: floors}, g.flats(units, floors))
			}
		}
		// Bungalow rows fill the rest.
		for count < target {
			lane := s.lanes[(i+g.rng.IntN(3))%len(s.lanes)]
			laneNo[lane] += g.between(1, 4)
			name := fmt.Sprintf("%s%d号平房院", lane, laneNo[lane])
			var doors []householdPlan
			for d, n := 1, g.between(4, 10); d <= n; d++ {
				doors = append(doors, householdPlan{room: fmt.Sprintf("%d号", d)})
			}
			add(buildingPlan{name: name, address: fmt.Sprintf("%s%d号", lane, laneNo[lane]), kind: "bungalow",
				units: 1, floors: 1}, doors)
		}
		g.place(c, g.plan.buildings[first:])
	}
	for i := range g.plan.households {
		g.plan.households[i].kind = g.householdKind(g.plan.buildings[g.plan.households[i].building].kind)
	}
}

// flats returns the doors of a block: two per floor in each unit, numbered floor + door (301, 302).
func (g *planner) flats(units, floors int) []householdPlan {
	var out []householdPlan
	for u := 1; u <= units; u++ {
		for f := 1; f <= floors; f++ {
			for d := 1; d <= 2; d++ {
				out = append(out, householdPlan{unit: fmt.Sprintf("%d单元", u), room: fmt.Sprintf("%d%02d", f, d)})
			}
		}
	}
	return out
}

func (g *planner) householdKind(buildingKind string) string {
	r := g.rng.Float64()
	switch {
	case buildingKind != "bungalow" && r < 0.012:
		return "collective"
	case r < 0.11:
		return "vacant"
	case r < 0.28:
		return "rented"
	}
	return "owner"
}

// place lays the grid's buildings out in rows inside its cell, away from the edges.
func (g *planner) place(c cell, bs []buildingPlan) {
	n := len(bs)
	cols := int(math.Ceil(math.Sqrt(float64(n) * 1.4)))
	rows := (n + cols - 1) / cols
	for k := range bs {
		col, row := k%cols, k/cols
		u := 0.1 + 0.8*(float64(col)+0.5+(g.rng.Float64()-0.5)*0.5)/float64(cols)
		v := 0.1 + 0.8*(float64(row)+0.5+(g.rng.Float64()-0.5)*0.5)/float64(rows)
		bs[k].at = c.at(u, v)
	}
}
