package demo

import (
	"context"
	"fmt"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/pii"
)

// The street 南街街道 holds two smaller communities beside Nanguan, so that the street leader has
// communities to compare: 西关社区 on Nanguan's west edge and 仓门社区 on its east edge. Each is
// drawn by the same generators as Nanguan from its own random source (derived from the demo's
// seed) and written after Nanguan with the same steps — register, roster, party chain, a year of
// ordinary cases and care visits up to today — but none of the 2024 record, mediation,
// co-building or activities, so every Nanguan figure stays as it was. Their ID numbers are
// drawn unique across all three communities.
var neighbours = []*site{
	{
		name: "西关社区", code: "620702001002", prefix: "XG",
		// West of Nanguan: its east edge is Nanguan's west edge.
		sw: point{100.43560, 38.92420}, se: nanguan.sw, ne: nanguan.nw, nw: point{100.43490, 38.93290},
		cols: 2, rows: 2, doors: [2]int{150, 210},
		streets:    []string{"西关街", "西大街", "西环路", "劳动街"},
		estates:    []string{"西关小区", "西苑小区", "丝路花园", "银河小区", "西城佳苑", "绿洲小区"},
		courtyards: []string{"棉纺厂家属院", "农科所家属院", "一中家属院", "汽车站家属院"},
		lanes:      []string{"西关南巷", "西关北巷", "羊头巷", "石桥巷"},
		liaisons:   28,
		fixed: []accountPlan{
			{"xiguan-admin", "魏淑琴", auth.CommunityAdmin, "community", -1, "西关社区党委"},
		},
		leaderName: "xiguan-grid%02d", workerName: "xiguan-worker%02d",
		sectors: []sectorPlan{
			{"police", 0, 3, "南街派出所社区民警"},
			{"urban", 0, 3, "甘州区城市管理综合执法局南街中队"},
			{"zongzhi", 0, 3, "西关社区综治专干"},
			{"minzheng", 0, 3, "西关社区民政专干"},
		},
		committeeFounded: "2011-06-30",
		caseScale:        0.3, pending: 5, merge: 3,
	},
	{
		name: "仓门社区", code: "620702001003", prefix: "CM",
		// East of Nanguan: its west edge is Nanguan's east edge.
		sw: nanguan.se, se: point{100.46330, 38.92560}, ne: point{100.46410, 38.93420}, nw: nanguan.ne,
		cols: 1, rows: 3, doors: [2]int{180, 240},
		streets:    []string{"仓门街", "东大街", "东环南路"},
		estates:    []string{"仓门小区", "东苑小区", "富民小区", "祥和家园", "欣园小区"},
		courtyards: []string{"粮油公司家属院", "农业银行家属院", "电信公司家属院"},
		lanes:      []string{"仓门东巷", "仓门后巷", "东仓巷", "粮仓巷"},
		liaisons:   22,
		fixed: []accountPlan{
			{"cangmen-admin", "闫丽华", auth.CommunityAdmin, "community", -1, "仓门社区党委"},
		},
		leaderName: "cangmen-grid%02d", workerName: "cangmen-worker%02d",
		sectors: []sectorPlan{
			{"police", 0, 2, "南街派出所社区民警"},
			{"urban", 0, 2, "甘州区城市管理综合执法局南街中队"},
			{"zongzhi", 0, 2, "仓门社区综治专干"},
			{"minzheng", 0, 2, "仓门社区民政专干"},
		},
		committeeFounded: "2013-07-01",
		caseScale:        0.22, pending: 8, merge: 2,
	},
}

// Neighbour says what a build wrote for one of Nanguan's neighbouring communities.
type Neighbour struct {
	Name                                    string
	CommunityID                             int64
	Grids, Buildings, Households, Residents int
	PartyMembers, Liaisons, Covered         int
	Admin                                   string // the community admin's username
}

// planNeighbours draws the neighbouring communities after Nanguan (whose planner is main), each
// from its own random source; ID numbers stay unique across all of them.
func planNeighbours(main *planner, seed uint64, d *db.DB, sealer *pii.Sealer, hash string) []*writer {
	var out []*writer
	for k, s := range neighbours {
		g := newPlanner(seed ^ (0x6e65_6967_6862_0000 + uint64(k+1)))
		g.site = s
		g.ids.used = main.ids.used
		g.buildGrids()
		g.people()
		g.party()
		out = append(out, &writer{s: s, d: d, sealer: sealer, p: g.plan, accounts: g.staff(), hash: hash})
	}
	return out
}

// writeNeighbours writes each neighbour into the street the main writer made.
func (w *writer) writeNeighbours(ctx context.Context, tx *db.Tx) error {
	for _, n := range w.neighbours {
		n.city, n.district, n.street = w.city, w.district, w.street
		n.gridIDs, n.buildingIDs, n.householdIDs, n.residentIDs, n.branchIDs, n.memberIDs = nil, nil, nil, nil, nil, nil
		for _, step := range []func(context.Context, *db.Tx) error{n.regions, n.users, n.buildings, n.households,
			n.residents, n.tags, n.roster, n.orgs, n.members, n.liaisons, n.cases, n.visits} {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("%s: %w", n.s.name, err)
			}
		}
	}
	return nil
}

// neighbourResults says what was written for each neighbour.
func (w *writer) neighbourResults() []Neighbour {
	var out []Neighbour
	for _, n := range w.neighbours {
		r := n.result()
		out = append(out, Neighbour{Name: n.s.name, CommunityID: r.CommunityID, Grids: r.Grids, Buildings: r.Buildings,
			Households: r.Households, Residents: r.Residents, PartyMembers: r.PartyMembers, Liaisons: r.Liaisons,
			Covered: r.Covered, Admin: n.s.admin()})
	}
	return out
}

// neighboursNote sums the neighbours up for the demo.seed audit entry.
func (w *writer) neighboursNote() string {
	out := ""
	for _, n := range w.neighbourResults() {
		out += fmt.Sprintf("；%s：网格%d个、户%d户、居民%d人、党员%d名、党员联系户%d户", n.Name, n.Grids, n.Households,
			n.Residents, n.PartyMembers, n.Liaisons)
	}
	return out
}
