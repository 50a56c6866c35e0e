package demo

import "linli/internal/auth"

// site describes one community the demo draws: where it lies, how its grids cut it, how big its
// grids are, the names of its streets and estates, and who its accounts are. 南关社区 is the demo's
// main community; the street's two smaller neighbours are drawn the same way from their own sites
// (neighbours.go), each from its own random source, so adding them changes nothing of Nanguan.
type site struct {
	name   string // 南关社区
	code   string // region code
	prefix string // case-number prefix: NG-2024-000153
	// corners of the community, south-west, south-east, north-east, north-west.
	sw, se, ne, nw point
	cols, rows     int    // grid cells west → east and south → north
	doors          [2]int // households per grid, lo–hi
	streets        []string
	estates        []string
	courtyards     []string
	lanes          []string
	liaisons       int // liaison households 党员联系户
	// accounts: the community's fixed accounts (the admin first) and the usernames of its grids'
	// leaders and full-time workers ("grid%02d", "worker%02d").
	fixed                  []accountPlan
	leaderName, workerName string
	sectors                []sectorPlan
	committeeFounded       string
	// cases: the rolling year's daily rate (Nanguan 1.1), how many open cases stand at the queues'
	// deadlines today (of pending()'s list) and how many duplicates are merged; record says
	// whether the site holds the fixed record of 2024 (Nanguan only).
	caseScale      float64
	pending, merge int
	record         bool
}

// sectorPlan is a person of another sector serving a run of grids (indexes, inclusive).
type sectorPlan struct {
	duty     string
	from, to int
	note     string
}

// nanguan is the demo's main community, the one the news report of 2024 sums up.
var nanguan = &site{
	name: "南关社区", code: "620702001001", prefix: "NG",
	sw: point{100.44380, 38.92460}, se: point{100.45650, 38.92520}, ne: point{100.45720, 38.93390}, nw: point{100.44310, 38.93330},
	cols: 5, rows: 2, doors: [2]int{265, 345},
	streets: []string{"县府南街", "南大街", "马神庙街", "青年东街", "民主西街", "南环路", "南关巷", "饮马桥路",
		"仓门街", "西来寺路"},
	estates: []string{"南关小区", "丹霞小区", "甘泉小区", "康宁小区", "南华小区", "金苑小区", "润泉小区",
		"祁连小区", "玉水苑", "南湖花园", "和平小区", "怡景园", "福润苑", "兴隆小区", "湿地花园", "大佛寺小区"},
	courtyards: []string{"粮食局家属院", "供电公司家属院", "二中家属院", "地区医院家属院", "交通局家属院",
		"邮政局家属院", "建设银行家属院", "农机公司家属院", "水务局家属院", "林业局家属院", "税务局家属院",
		"自来水公司家属院", "运输公司家属院", "百货公司家属院"},
	lanes:    []string{"南关西巷", "南关东巷", "马神庙巷", "仓门巷", "箭道巷", "饮马桥巷", "西来寺巷", "贡院巷"},
	liaisons: 96,
	fixed: []accountPlan{
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
	},
	leaderName: "grid%02d", workerName: "worker%02d",
	sectors: []sectorPlan{
		{"police", 0, 2, "南街派出所社区民警"},
		{"police", 3, 6, "南街派出所社区民警"},
		{"police", 7, 9, "南街派出所社区民警"},
		{"urban", 0, 4, "甘州区城市管理综合执法局南街中队"},
		{"urban", 5, 9, "甘州区城市管理综合执法局南街中队"},
		{"zongzhi", 0, 4, "南关社区综治专干"},
		{"zongzhi", 5, 9, "南关社区综治专干"},
		{"minzheng", 0, 4, "南关社区民政专干"},
		{"minzheng", 5, 9, "南关社区民政专干"},
	},
	committeeFounded: "2009-07-01",
	caseScale:        1.1, pending: 13, merge: 10, record: true,
}

// gridName names a grid of the site: 南关社区第三网格.
func (s *site) gridName(number int) string { return s.name + "第" + gridNumerals[number-1] + "网格" }

// admin is the username of the site's community admin.
func (s *site) admin() string { return s.fixed[0].username }
