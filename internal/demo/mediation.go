package demo

import (
	mrand "math/rand/v2"
	"sort"
	"time"

	"linli/internal/clock"
	"linli/internal/mediation"
)

// The demo's people's mediation (人民调解): the Nanguan committee with mediator01 and mediator02,
// a red think tank of 15 experts (何振国, the mediator03 account, among them), the record of
// 2024-01-01..10-15 in which exactly 78 cases closed with an agreement — each with a full,
// archived file and most with an invited expert — beside failures and refusals, and a year of
// ordinary work up to today with cases near their 30-day target and agreements awaiting
// follow-up. Screening rounds every 10 days in every grid, one grid behind.

// mediationRecordAgreements is the news report's "hard problems solved with the red think tank".
const mediationRecordAgreements = 78

var (
	mediationRecordFrom = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	mediationRecordEnd  = "2024-10-15"
)

// demoExpert is a think-tank member; account names the demo user linked to them.
type demoExpert struct {
	name, kind, title, availability string
	types                           []string
	account                         string
}

var demoExperts = []demoExpert{
	{"何振国", "退休干部", "原区司法局副局长", "工作日全天", []string{"neighbour", "property", "housing"}, "mediator03"},
	{"马玉兰", "五老", "退休教师", "周一至周五上午", []string{"marriage", "neighbour"}, ""},
	{"杨树森", "律师", "甘肃某律师事务所执业律师", "预约", []string{"contract", "damages", "labour"}, ""},
	{"孙立平", "两代表一委员", "区人大代表", "每周三", []string{"property", "land", "housing"}, ""},
	{"赵桂英", "五老", "退休妇联干部", "工作日", []string{"marriage"}, ""},
	{"刘国强", "退休干部", "原派出所所长", "随时", []string{"neighbour", "damages", "traffic"}, ""},
	{"王淑珍", "心理咨询师", "国家二级心理咨询师", "周末", []string{"marriage", "neighbour"}, ""},
	{"陈建华", "律师", "法律援助律师", "预约", []string{"contract", "labour", "business"}, ""},
	{"张德福", "五老", "老党员、退伍军人", "工作日上午", []string{"neighbour", "housing"}, ""},
	{"李秀兰", "两代表一委员", "区政协委员", "每周五", []string{"property", "environment"}, ""},
	{"郭宏伟", "退休干部", "原住建局干部", "工作日", []string{"housing", "property", "land"}, ""},
	{"周文斌", "教师", "中学教师", "周末", []string{"marriage", "other"}, ""},
	{"黄志明", "其他", "物业行业协会调解员", "工作日", []string{"property"}, ""},
	{"吴春梅", "五老", "退休社区书记", "随时", []string{"neighbour", "marriage", "other"}, ""},
	{"田宝山", "其他", "退休医生", "预约", []string{"medical", "damages"}, ""},
}

// disputeTemplate is the text of a kind of dispute the demo draws.
type disputeTemplate struct {
	typ, title, facts, responsibility string
	terms                             [][2]string // content, method
	amount                            int         // upper bound of the amount agreed, yuan
}

var disputeTemplates = []disputeTemplate{
	{"neighbour", "楼上漏水致楼下受损纠纷", "楼上卫生间防水层老化渗漏，致楼下住户顶棚及墙面受损，双方就维修和赔偿发生争执。",
		"楼上住户对渗漏负主要责任。", [][2]string{{"楼上住户负责重做卫生间防水", "自行委托施工，完工后双方共同验收"}, {"楼上住户赔偿楼下住户墙面修复费用", "现金当面交付"}}, 3000},
	{"neighbour", "夜间噪音扰民纠纷", "被申请人夜间在家中活动产生噪音，影响申请人一家休息，多次沟通未果。",
		"被申请人对噪音影响负责。", [][2]string{{"被申请人每晚22时后不再进行产生噪音的活动", "自行履行"}, {"被申请人在客厅铺设隔音地垫", "自行购置铺设"}}, 0},
	{"neighbour", "楼道堆物占用公共通道纠纷", "被申请人在楼道长期堆放杂物，影响通行和消防安全，邻里发生口角。",
		"被申请人占用公共部位，应予清理。", [][2]string{{"被申请人清理楼道堆放物品", "自行清理，网格员现场查看"}}, 0},
	{"marriage", "赡养老人费用分担纠纷", "申请人年迈多病，子女之间就赡养费用和轮流照料安排发生分歧。",
		"子女均有赡养义务，应按约分担。", [][2]string{{"被申请人每月支付赡养费", "每月5日前转账"}, {"子女轮流照料老人，每人每月一周", "按排定日程履行"}}, 6000},
	{"marriage", "家庭矛盾纠纷", "夫妻因家庭琐事长期争吵，一方离家居住，家庭关系紧张。",
		"双方均有沟通不当之处。", [][2]string{{"双方共同承担家庭开支并互相尊重", "自行履行"}}, 0},
	{"property", "物业费缴纳及服务纠纷", "业主认为物业服务不到位拒缴物业费，物业公司多次催缴引发矛盾。",
		"物业公司服务存在不足，业主亦应按约缴费。", [][2]string{{"业主补缴物业费", "向物业服务中心缴纳"}, {"物业公司修复单元门禁并加强保洁", "限期整改，网格员回访"}}, 2400},
	{"housing", "房屋租赁押金退还纠纷", "租期届满后房东以房屋损坏为由拒退押金，租户认为属正常损耗。",
		"双方对损耗认定各有理由，协商分担。", [][2]string{{"房东退还租户押金的大部分", "银行转账"}}, 2000},
	{"damages", "宠物犬伤人赔偿纠纷", "被申请人饲养的犬只在小区内咬伤申请人，双方就医疗费用赔偿发生争议。",
		"犬只饲养人应承担赔偿责任。", [][2]string{{"被申请人赔偿医疗费、误工费", "现金当面交付"}, {"被申请人外出遛犬拴绳并办理犬证", "自行履行"}}, 5000},
	{"contract", "装修工程款纠纷", "业主与装修工人就工程质量和尾款支付发生争议。",
		"施工方存在质量瑕疵，业主应支付剩余工程款。", [][2]string{{"施工方返修卫生间墙砖", "限期返修"}, {"业主支付剩余工程款", "返修验收后一次付清"}}, 8000},
	{"labour", "务工人员工资拖欠纠纷", "小区商户拖欠务工人员工资，务工人员多次讨要未果。",
		"商户应按约支付劳动报酬。", [][2]string{{"商户支付拖欠工资", "分两次转账支付"}}, 12000},
	{"other", "停车位使用纠纷", "两户居民就楼前停车位使用发生争执，多次发生口角。",
		"双方均应遵守小区停车管理规定。", [][2]string{{"双方按网格协调的车位使用办法停放车辆", "自行履行"}}, 0},
}

// demoMed is one planned mediation case.
type demoMed struct {
	year, serial             int
	tpl                      disputeTemplate
	source                   mediation.Source
	household, respondentHH  int // plan indexes
	lead                     string
	registered, accepted     string
	due                      string
	extended                 bool
	records                  []mediation.Record
	expert                   int // index into demoExperts, -1 none
	outcome                  mediation.Outcome
	closed                   string
	terms                    []mediation.Term
	amount                   int
	followup                 string // planned follow-up date
	archived                 string
	state                    mediation.State
	referral, reason         string
	preventCrim, preventPeti bool
	preventPeople            int
}

// planMediation draws every mediation case of the demo; today is the demo's date.
func (w *writer) planMediation(today string) []*demoMed {
	rng := mrand.New(mrand.NewPCG(planSeed(w.p), 0x6d6564))
	var all []*demoMed
	// The record: 78 agreements, 8 failures and 5 refusals, all settled by 2024-10-15.
	outcomes := make([]mediation.Outcome, 0, 91)
	for i := 0; i < mediationRecordAgreements; i++ {
		o := mediation.OutcomeAgreement
		if i%9 == 4 {
			o = mediation.OutcomeOral
		}
		outcomes = append(outcomes, o)
	}
	for i := 0; i < 8; i++ {
		outcomes = append(outcomes, mediation.OutcomeFailed)
	}
	for i := 0; i < 5; i++ {
		outcomes = append(outcomes, mediation.OutcomeRefused)
	}
	rng.Shuffle(len(outcomes), func(i, j int) { outcomes[i], outcomes[j] = outcomes[j], outcomes[i] })
	span := 246 // 2024-01-02 .. 2024-09-04: every case settles within 40 days, before 10-15
	for i, o := range outcomes {
		reg := mediationRecordFrom.AddDate(0, 0, i*span/len(outcomes)+rng.IntN(3)).Format(time.DateOnly)
		all = append(all, w.drawMed(rng, reg, o, true))
	}
	// A year of ordinary work up to today.
	t, _ := time.Parse(time.DateOnly, today)
	for i := 0; i < 70; i++ {
		age := 365 - i*5 - rng.IntN(4)
		reg := t.AddDate(0, 0, -age).Format(time.DateOnly)
		o := mediation.OutcomeAgreement
		switch r := rng.IntN(20); {
		case r < 2:
			o = mediation.OutcomeFailed
		case r < 3:
			o = mediation.OutcomeRefused
		case r < 6:
			o = mediation.OutcomeOral
		case age < 40 && r < 12:
			o = "" // still being mediated
		}
		all = append(all, w.drawMed(rng, reg, o, false))
	}
	// Cases that show the clocks: near the 30-day target, past it, extended, and agreements
	// awaiting their follow-up.
	for _, k := range []struct {
		age int
		o   mediation.Outcome
	}{{28, ""}, {26, ""}, {34, ""}, {45, ""}, {12, mediation.OutcomeAgreement}, {15, mediation.OutcomeAgreement}, {9, mediation.OutcomeOral}} {
		m := w.drawMed(rng, t.AddDate(0, 0, -k.age).Format(time.DateOnly), k.o, false)
		m.accepted = addDate(m.registered, 1)
		m.due = addDate(m.accepted, mediation.TargetDays)
		if k.age == 45 {
			m.extended, m.due = true, addDate(m.due, 20)
		}
		if k.o != "" {
			m.closed = addDate(today, -3-k.age%5)
			m.followup = addDate(today, 2+k.age%4)
			m.records = m.records[:1]
			m.records[0].HeldOn = addDate(m.accepted, 1)
			for i := range m.terms {
				m.terms[i].DueOn = addDate(m.closed, 1)
			}
		}
		all = append(all, m)
	}
	for _, m := range all {
		settle(m, today)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].registered < all[j].registered })
	serial := map[int]int{}
	for _, m := range all {
		m.year = atoiYear(m.registered)
		serial[m.year]++
		m.serial = serial[m.year]
	}
	return all
}

// drawMed plans one case registered on reg that ends with outcome o ("" never ends).
func (w *writer) drawMed(rng *mrand.Rand, reg string, o mediation.Outcome, record bool) *demoMed {
	tpl := disputeTemplates[rng.IntN(len(disputeTemplates))]
	hh := w.partyHousehold(rng.IntN(len(w.p.households)), 1)
	resp := w.partyHousehold(hh+1+rng.IntN(3), 1)
	if w.p.households[resp].building != w.p.households[hh].building {
		resp = w.partyHousehold(hh-1, -1)
	}
	m := &demoMed{tpl: tpl, household: hh, respondentHH: resp, registered: reg, outcome: o, expert: -1,
		lead: []string{"mediator01", "mediator02"}[rng.IntN(2)],
		source: []mediation.Source{mediation.SourceApplyOral, mediation.SourceApplyOral, mediation.SourceApplyWritten,
			mediation.SourceInitiative, mediation.SourceVisit, mediation.SourceCase, mediation.SourcePolice}[rng.IntN(7)]}
	m.accepted = addDate(reg, rng.IntN(2))
	m.due = addDate(m.accepted, mediation.TargetDays)
	held := addDate(m.accepted, 1+rng.IntN(3))
	m.records = append(m.records, mediation.Record{Kind: "investigation", HeldOn: held, Place: "当事人家中",
		Attendees: "调解员、网格员", Content: "走访双方当事人及周边邻居，了解纠纷起因和现场情况。"})
	sessions := 1 + rng.IntN(2)
	for i := 0; i < sessions; i++ {
		held = addDate(held, 2+rng.IntN(6))
		m.records = append(m.records, mediation.Record{Kind: "session", HeldOn: held, Place: "南关社区人民调解室",
			Attendees: "双方当事人、调解员", Content: "双方陈述意见，调解员释法说理，引导双方互谅互让。"})
	}
	if rng.IntN(10) < 8 {
		m.expert = w.expertFor(rng, tpl.typ)
	}
	if record && rng.IntN(12) == 0 {
		m.preventCrim, m.preventPeople = true, 2+rng.IntN(3)
	}
	if record && rng.IntN(30) == 0 {
		m.preventPeti, m.preventPeople = true, 8+rng.IntN(20)
	}
	switch o {
	case mediation.OutcomeAgreement, mediation.OutcomeOral:
		m.closed = addDate(held, rng.IntN(2))
		last := m.closed
		if o == mediation.OutcomeAgreement {
			for _, tc := range tpl.terms {
				due := addDate(m.closed, rng.IntN(10))
				m.terms = append(m.terms, mediation.Term{Content: tc[0], Method: tc[1], DueOn: due})
				if due > last {
					last = due
				}
			}
		}
		if tpl.amount > 0 {
			m.amount = (tpl.amount/2 + rng.IntN(tpl.amount/2+1)) / 100 * 100
		}
		m.followup = addDate(last, 3+rng.IntN(5))
		m.archived = addDate(m.followup, 3+rng.IntN(10))
	case mediation.OutcomeFailed:
		m.closed = addDate(held, 1+rng.IntN(3))
		m.reason, m.referral = "双方对责任认定和赔偿金额分歧较大，经多次调解未能达成一致。", "告知当事人可依法向甘州区人民法院提起诉讼"
		m.archived = addDate(m.closed, 5)
	case mediation.OutcomeRefused:
		m.accepted, m.records, m.expert = "", nil, -1
		m.closed = addDate(reg, 1)
		m.reason, m.referral = "被申请人明确表示不同意调解。", "告知申请人可通过诉讼、仲裁或向有关行政部门申请处理"
		m.archived = addDate(m.closed, 5)
	default:
		m.archived = ""
	}
	return m
}

// partyHousehold is the first household from i (stepping by step, wrapping) whose head is an
// adult, so that a party can be drawn from it.
func (w *writer) partyHousehold(i, step int) int {
	n := len(w.p.households)
	for k := 0; k < n; k++ {
		h := ((i+k*step)%n + n) % n
		if m := w.p.households[h].members; len(m) > 0 && w.p.residents[m[0]].age() >= 18 {
			return h
		}
	}
	return 0
}

// expertFor picks an expert suited to the dispute type, or any expert.
func (w *writer) expertFor(rng *mrand.Rand, typ string) int {
	var fit []int
	for i, e := range demoExperts {
		for _, t := range e.types {
			if t == typ {
				fit = append(fit, i)
			}
		}
	}
	if len(fit) == 0 {
		return rng.IntN(len(demoExperts))
	}
	return fit[rng.IntN(len(fit))]
}

// settle cuts a planned case at today: what has not happened yet is not recorded, and the state
// is the one its last recorded step left.
func settle(m *demoMed, today string) {
	m.state = mediation.Registered
	if m.accepted != "" && m.accepted <= today {
		m.state = mediation.Accepted
	} else if m.outcome != mediation.OutcomeRefused {
		m.accepted, m.due = "", ""
	}
	var kept []mediation.Record
	for _, r := range m.records {
		if r.HeldOn <= today {
			kept = append(kept, r)
		}
	}
	m.records = kept
	if len(kept) > 0 {
		m.state = mediation.Mediating
	} else if m.state != mediation.Accepted {
		m.expert = -1
	}
	if m.closed == "" || m.closed > today {
		m.outcome, m.closed, m.terms, m.amount, m.followup, m.archived = "", "", nil, 0, "", ""
		return
	}
	switch m.outcome {
	case mediation.OutcomeRefused:
		m.state = mediation.Refused
	case mediation.OutcomeFailed:
		m.state = mediation.Failed
	default:
		m.state = mediation.Agreed
		if m.followup > today {
			m.archived = ""
			return
		}
		m.state = mediation.Performed
	}
	if m.archived != "" && m.archived <= today {
		m.state = mediation.Archived
	} else {
		m.archived = ""
	}
}

func atoiYear(date string) int {
	t, _ := time.Parse(time.DateOnly, date)
	return t.Year()
}

// demoToday is the demo's date in Asia/Shanghai.
func demoToday(now time.Time) string { return clock.Date(now) }
