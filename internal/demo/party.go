package demo

import (
	"time"
)

// The demo's party chain: the community committee, one branch per grid, resident members of the
// branches, in-service members registered 报到 with the community, and exactly the site's number
// of liaison households (Nanguan: 96), each covering neighbouring households of its grid.

type memberPlan struct {
	resident   int // index into plan.residents
	grid       int
	kind       string // resident, in_service
	status     string // full, probationary
	joined     string
	employment string
	workplace  string
	homeOrg    string
	skills     string
	registered string
}

type liaisonPlan struct {
	grid      int
	member    int // index into plan.members
	household int
	covers    []int
	since     string
}

var (
	skills     = []string{"法律咨询", "家电维修", "理发", "书法绘画", "医疗保健", "心理疏导", "文艺演出", "电脑维修", "政策宣讲", "矛盾调解", "驾驶", "摄影"}
	workplaces = []string{"甘州区人民医院", "张掖市第二中学", "甘州区南街小学", "国网张掖供电公司", "国家税务总局张掖市甘州区税务局",
		"张掖市中级人民法院", "中国建设银行张掖分行", "张掖市自来水公司", "甘州区教育局", "张掖市人民医院",
		"甘州区市场监督管理局", "张掖市公安局甘州分局"}
	joinedCap   = time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)
	probStart   = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	probEnd     = time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)
	reportStart = time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)
)

// gridOf returns the grid index of a resident.
func (p *plan) gridOf(resident int) int {
	return p.buildings[p.households[p.residents[resident].household].building].grid
}

// party draws the members and the liaison households.
func (g *planner) party() {
	isMember := map[int]bool{}
	addMember := func(ri int, inService bool) int {
		r := &g.plan.residents[ri]
		m := memberPlan{resident: ri, grid: g.plan.gridOf(ri), kind: "resident", status: "full"}
		joined := r.birth.AddDate(g.between(19, 45), 0, g.rng.IntN(365))
		if joined.After(joinedCap) {
			joined = g.dayBetween(r.birth.AddDate(19, 0, 0), joinedCap)
		}
		if !inService && r.age() < 45 && g.chance(0.06) {
			m.status, joined = "probationary", g.dayBetween(probStart, probEnd)
		}
		m.joined = joined.Format("2006-01-02")
		switch a := r.age(); {
		case a >= 60 || (r.gender == "F" && a >= 55):
			m.employment = "retired"
		case g.chance(0.85):
			m.employment = "employed"
		default:
			m.employment = "other"
		}
		if inService {
			m.kind, m.employment = "in_service", "employed"
			m.workplace = pickOne(g.rng, workplaces)
			m.homeOrg = m.workplace + "党支部"
			m.registered = g.dayBetween(reportStart, tagTo).Format("2006-01-02")
		}
		if g.chance(0.25) {
			m.skills = pickOne(g.rng, skills)
		}
		isMember[ri] = true
		g.plan.members = append(g.plan.members, m)
		return len(g.plan.members) - 1
	}
	g.liaisons(addMember)
	// Then members at the rates of an older town quarter: retirees most of all.
	for _, ri := range g.rng.Perm(len(g.plan.residents)) {
		r := &g.plan.residents[ri]
		if isMember[ri] || r.residence == "jingwai" {
			continue
		}
		a := r.age()
		switch {
		case a >= 60 && g.chance(0.075):
			addMember(ri, false)
		case a >= 40 && a < 60 && g.chance(0.045):
			addMember(ri, g.chance(0.3))
		case a >= 23 && a < 40 && g.chance(0.03):
			addMember(ri, g.chance(0.35))
		}
	}
}

// liaisons picks the site's liaison households, spread over the grids by their occupied households; each
// grid's households (in building order, so neighbours are near each other in the list) are cut
// into runs, and each run's liaison household covers 5–20 of the run's other households.
func (g *planner) liaisons(addMember func(ri int, inService bool) int) {
	occupied := make([][]int, len(g.plan.grids))
	total := 0
	for h, hh := range g.plan.households {
		if hh.kind == "vacant" || hh.kind == "collective" || len(hh.members) == 0 {
			continue
		}
		gi := g.plan.buildings[hh.building].grid
		occupied[gi] = append(occupied[gi], h)
		total++
	}
	quota := shares(g.site.liaisons, occupied, total)
	for gi, hs := range occupied {
		n := quota[gi]
		for s := range n {
			run := hs[s*len(hs)/n : (s+1)*len(hs)/n]
			li := g.liaisonIn(run)
			covers := make([]int, 0, len(run)-1)
			for _, h := range run {
				if h != run[li] {
					covers = append(covers, h)
				}
			}
			// The nearest neighbours in the run: those closest to the liaison household in the list.
			k := g.between(min(5, len(covers)), min(20, len(covers)))
			start := min(max(li-k/2, 0), len(covers)-k)
			covers = covers[start : start+k]
			hh := g.plan.households[run[li]]
			mi := addMember(g.liaisonPerson(hh), false)
			g.plan.liaisons = append(g.plan.liaisons, liaisonPlan{grid: gi, member: mi, household: run[li],
				covers: covers, since: g.dayBetween(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)).Format("2006-01-02")})
		}
	}
}

// shares splits total liaison households over the grids in proportion to their occupied
// households (largest remainder), so they add up exactly.
func shares(n int, occupied [][]int, total int) []int {
	out := make([]int, len(occupied))
	rem := make([]float64, len(occupied))
	given := 0
	for i, hs := range occupied {
		exact := float64(n) * float64(len(hs)) / float64(total)
		out[i] = int(exact)
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	for ; given < n; given++ {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// liaisonIn picks the household nearest the middle of a run that has an adult able to serve.
func (g *planner) liaisonIn(run []int) int {
	mid := len(run) / 2
	for d := 0; d < len(run); d++ {
		for _, i := range []int{mid - d, mid + d} {
			if i >= 0 && i < len(run) && g.canServe(g.plan.households[run[i]]) {
				return i
			}
		}
	}
	return mid
}

// liaisonPerson returns the household's member who serves as its party member: the first adult
// aged 28–80, else the head.
func (g *planner) liaisonPerson(hh householdPlan) int {
	for _, ri := range hh.members {
		r := g.plan.residents[ri]
		if a := r.age(); a >= 28 && a <= 80 && r.residence != "jingwai" {
			return ri
		}
	}
	return hh.members[0]
}

// canServe reports whether a household has an adult aged 28–80 who can be its party member.
func (g *planner) canServe(hh householdPlan) bool {
	for _, ri := range hh.members {
		r := g.plan.residents[ri]
		if a := r.age(); a >= 28 && a <= 80 && r.residence != "jingwai" {
			return true
		}
	}
	return false
}
