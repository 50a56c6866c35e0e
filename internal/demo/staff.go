package demo

import (
	"fmt"

	"linli/internal/auth"
)

// rosterPlan is one line of a grid's roster (网格力量).
type rosterPlan struct {
	grid     int
	duty     string
	name     string
	phone    string
	username string // the linked account, if any
	building int    // for building leaders; -1 otherwise
	note     string
}

// accountPlan is one demo account. grid is -1 unless the account belongs to a grid.
type accountPlan struct {
	username, name string
	role           auth.Role
	level          string // district, street, community or grid
	grid           int
	org            string
}

// staff draws the accounts and every grid's roster: 多网合一, all sectors' people on one grid.
func (g *planner) staff() []accountPlan {
	st := g.site
	accounts := append([]accountPlan(nil), st.fixed...)
	staffName := func(lo, hi int) (string, string) {
		gen := g.gender()
		return personName(g.rng, gen, birthDate(g.rng, ageRef, g.between(lo, hi))), mobile(g.rng)
	}
	for gi := range g.plan.grids {
		n := gi + 1
		name, phone := staffName(28, 50)
		accounts = append(accounts, accountPlan{fmt.Sprintf(st.leaderName, n), name, auth.GridLeader, "grid", gi, st.name})
		g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "grid_leader", name: name, phone: phone,
			username: fmt.Sprintf(st.leaderName, n), building: -1, note: "专职网格长"})
		name, phone = staffName(24, 45)
		accounts = append(accounts, accountPlan{fmt.Sprintf(st.workerName, n), name, auth.GridWorker, "grid", gi, st.name})
		g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "worker_full", name: name, phone: phone,
			username: fmt.Sprintf(st.workerName, n), building: -1, note: "专职网格员"})
		if g.chance(0.4) {
			name, phone = staffName(24, 45)
			g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "worker_full", name: name, phone: phone, building: -1, note: "专职网格员"})
		}
	}
	for _, s := range st.sectors {
		name, phone := staffName(28, 52)
		for gi := s.from; gi <= s.to; gi++ {
			g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: s.duty, name: name, phone: phone, building: -1, note: s.note})
		}
	}
	g.residentRoster()
	return accounts
}

// residentRoster puts residents on the roster: a building leader for each block and courtyard
// (and many bungalow rows), part-time grid workers, and each grid branch's secretary.
func (g *planner) residentRoster() {
	byBuilding := map[int][]int{}
	for h, hh := range g.plan.households {
		byBuilding[hh.building] = append(byBuilding[hh.building], h)
	}
	phoneOf := func(ri int) string {
		if p := g.plan.residents[ri].phone; p != "" {
			return p
		}
		return mobile(g.rng)
	}
	byGrid := make([][]int, len(g.plan.grids))
	for b, bp := range g.plan.buildings {
		if bp.kind == "bungalow" && g.chance(0.5) {
			continue
		}
		if ri := g.resident(byBuilding[b], 35, 72); ri >= 0 {
			g.plan.roster = append(g.plan.roster, rosterPlan{grid: bp.grid, duty: "building_leader",
				name: g.plan.residents[ri].name, phone: phoneOf(ri), building: b, note: "楼栋长（志愿者）"})
			byGrid[bp.grid] = append(byGrid[bp.grid], byBuilding[b]...)
		}
	}
	for gi := range g.plan.grids {
		for range g.between(1, 2) {
			hs := byGrid[gi]
			start := g.rng.IntN(max(len(hs), 1))
			if ri := g.resident(append(hs[start:len(hs):len(hs)], hs[:start]...), 50, 68); ri >= 0 {
				g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "worker_part",
					name: g.plan.residents[ri].name, phone: phoneOf(ri), building: -1, note: "兼职网格员（退休居民）"})
			}
		}
	}
	for gi := range g.plan.grids {
		if mi := g.secretary(gi); mi >= 0 {
			ri := g.plan.members[mi].resident
			g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "branch_secretary",
				name: g.plan.residents[ri].name, phone: phoneOf(ri), building: -1, note: "网格党支部书记"})
		}
	}
}

// resident returns the first resident aged lo–hi living in the households, or -1.
func (g *planner) resident(households []int, lo, hi int) int {
	for _, h := range households {
		for _, ri := range g.plan.households[h].members {
			if a := g.plan.residents[ri].age(); a >= lo && a <= hi && g.plan.residents[ri].residence != "jingwai" {
				return ri
			}
		}
	}
	return -1
}

// secretary returns the member chosen as grid gi's branch secretary: a full member of the branch
// aged 45–68, preferring a retiree.
func (g *planner) secretary(gi int) int {
	best := -1
	for mi, m := range g.plan.members {
		if m.grid != gi || m.kind != "resident" || m.status != "full" {
			continue
		}
		if a := g.plan.residents[m.resident].age(); a < 45 || a > 68 {
			continue
		}
		if best < 0 || (m.employment == "retired" && g.plan.members[best].employment != "retired") {
			best = mi
		}
	}
	return best
}
