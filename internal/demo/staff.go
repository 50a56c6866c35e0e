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

// fixedAccounts are the accounts above the grids, with their people's names.
var fixedAccounts = []accountPlan{
	{"admin", "王秀梅", auth.CommunityAdmin, "community", -1, "南关社区党委"},
	{"street", "刘志刚", auth.StreetAdmin, "street", -1, "南街街道办事处"},
	{"district", "张建华", auth.DistrictAdmin, "district", -1, "甘州区社会治理中心"},
	{"mediator01", "李德明", auth.Mediator, "community", -1, "南关社区人民调解委员会"},
	{"mediator02", "周桂芳", auth.Mediator, "community", -1, "南关社区人民调解委员会"},
	{"mediator03", "何振国", auth.Mediator, "community", -1, "红色智囊团"},
	{"security", "赵启明", auth.SecurityAdmin, "district", -1, "甘州区社会治理中心"},
	{"auditor", "陈慧敏", auth.Auditor, "district", -1, "甘州区社会治理中心"},
	// A department's contact: cases dispatched to 甘州区城市管理局 reach this account to sign.
	{"dept01", "马建军", auth.Department, "district", -1, "甘州区城市管理局"},
}

// sectorStaff are the community's people of the other sectors, each serving a run of grids.
var sectorStaff = []struct {
	duty     string
	from, to int // grid indexes, inclusive
	note     string
}{
	{"police", 0, 2, "南街派出所社区民警"},
	{"police", 3, 6, "南街派出所社区民警"},
	{"police", 7, 9, "南街派出所社区民警"},
	{"urban", 0, 4, "甘州区城市管理综合执法局南街中队"},
	{"urban", 5, 9, "甘州区城市管理综合执法局南街中队"},
	{"zongzhi", 0, 4, "南关社区综治专干"},
	{"zongzhi", 5, 9, "南关社区综治专干"},
	{"minzheng", 0, 4, "南关社区民政专干"},
	{"minzheng", 5, 9, "南关社区民政专干"},
}

// staff draws the accounts and every grid's roster: 多网合一, all sectors' people on one grid.
func (g *planner) staff() []accountPlan {
	accounts := append([]accountPlan(nil), fixedAccounts...)
	staffName := func(lo, hi int) (string, string) {
		gen := g.gender()
		return personName(g.rng, gen, birthDate(g.rng, ageRef, g.between(lo, hi))), mobile(g.rng)
	}
	for gi := range g.plan.grids {
		n := gi + 1
		name, phone := staffName(28, 50)
		accounts = append(accounts, accountPlan{fmt.Sprintf("grid%02d", n), name, auth.GridLeader, "grid", gi, "南关社区"})
		g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "grid_leader", name: name, phone: phone,
			username: fmt.Sprintf("grid%02d", n), building: -1, note: "专职网格长"})
		name, phone = staffName(24, 45)
		accounts = append(accounts, accountPlan{fmt.Sprintf("worker%02d", n), name, auth.GridWorker, "grid", gi, "南关社区"})
		g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "worker_full", name: name, phone: phone,
			username: fmt.Sprintf("worker%02d", n), building: -1, note: "专职网格员"})
		if g.chance(0.4) {
			name, phone = staffName(24, 45)
			g.plan.roster = append(g.plan.roster, rosterPlan{grid: gi, duty: "worker_full", name: name, phone: phone, building: -1, note: "专职网格员"})
		}
	}
	for _, s := range sectorStaff {
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
