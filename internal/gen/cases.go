package gen

import (
	"encoding/base32"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/pii"
	"linli/internal/search"
)

var channels = []struct {
	code string
	w    float64
}{{"hotline_12345", 24}, {"wechat_group", 18}, {"app_jzy", 9}, {"app_gkb", 4}, {"app_zzet", 4}, {"ask_secretary", 6},
	{"walk_in", 11}, {"phone", 10}, {"visit", 9}, {"patrol", 4}, {"web", 1}}

// caseWeights is how often each category occurs; heating only in the heating season.
var caseWeights = map[string]float64{"env.garbage": 9, "env.corner": 5, "infra.streetlight": 4, "infra.road": 4,
	"infra.water": 4, "infra.heating": 10, "dispute.noise": 7, "dispute.leak": 6, "policy.dibao": 5, "policy.insurance": 6,
	"property.service": 8, "property.elevator": 3, "property.parking": 6, "safety.fire": 3, "safety.public": 2,
	"care.meal": 3, "care.bath": 1, "care.watch": 1, "other.consult": 6, "other.complaint": 4, "other.misc": 3}

var titles = map[string][]string{
	"env.garbage":       {"门口垃圾堆放多日未清运", "垃圾桶满溢无人清理", "建筑垃圾堆在楼下", "垃圾清运不及时有异味"},
	"env.corner":        {"楼道堆放杂物", "绿化带内垃圾成堆", "化粪池外溢", "楼后空地卫生死角"},
	"infra.streetlight": {"路灯不亮", "小区路灯损坏夜间出行不便", "路灯白天常亮"},
	"infra.road":        {"小区道路破损积水", "井盖缺失存在安全隐患", "人行道地砖松动"},
	"infra.water":       {"停水未提前通知", "自来水发黄", "水压太低高层用不上水", "水管爆裂"},
	"infra.heating":     {"暖气不热", "室温不达标", "暖气管道漏水", "供暖开始后仍未通暖"},
	"dispute.noise":     {"楼上装修噪音扰民", "广场舞音响声音过大", "夜间商户噪音扰民", "楼上孩子跑跳噪音"},
	"dispute.leak":      {"楼上漏水至我家", "卫生间渗水影响楼下", "邻居拒绝维修漏水管道"},
	"policy.dibao":      {"咨询低保申请条件", "低保年审需要什么材料", "咨询特困供养政策"},
	"policy.insurance":  {"咨询城乡居民医保缴费", "咨询养老保险认证", "医保异地备案怎么办"},
	"property.service":  {"物业服务不到位", "物业不作为", "楼道灯坏了物业不修", "物业费收取不合理"},
	"property.elevator": {"电梯故障停运", "电梯困人", "电梯异响存在隐患"},
	"property.parking":  {"车辆乱停堵塞消防通道", "私装地锁占用车位", "僵尸车长期占道"},
	"safety.fire":       {"楼道电动车充电存在隐患", "楼道堆放易燃物", "消防栓损坏"},
	"safety.public":     {"夜间有人聚集喧哗", "小区门禁损坏外来人员随意进出", "疑似群租房"},
	"care.meal":         {"独居老人申请助餐服务", "老人饭堂送餐上门申请", "高龄老人吃饭困难"},
	"care.bath":         {"失能老人需要助浴", "申请上门助浴服务"},
	"care.watch":        {"老人需要临时看护", "独居老人多日未出门请上门看看", "留守儿童放学无人照看"},
	"other.consult":     {"咨询居住证办理", "咨询老年证办理", "咨询新生儿落户", "咨询社区开具证明"},
	"other.complaint":   {"商户占道经营", "小广告乱贴乱画", "流浪犬伤人隐患"},
	"other.misc":        {"开具居住证明", "申请社区活动室使用", "建议增设健身器材"},
}

var (
	reportNotes  = []string{"已联系相关单位现场处理完毕", "网格员现场核实并协调解决", "已协调物业整改到位", "已向居民解释政策并指导办理", "已督促责任方整改，居民认可"}
	situationsOK = []string{"老人身体状况良好，生活能自理", "家中整洁，饮食正常", "精神状态不错，子女每周探望", "已提醒注意用电用气安全", "了解近况，无特殊需求"}
	needs        = []string{"", "", "", "希望帮忙申请助餐", "需要协助办理医保报销", "希望有人定期上门打扫", "家中水龙头漏水需维修"}
	satisfaction = []struct {
		v string
		w float64
	}{{"satisfied", 86}, {"basic", 10}, {"dissatisfied", 4}}
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// clock.Shanghai() is UTC+8; the history is drawn in local working hours and stored in UTC.

type gcase struct {
	received time.Time
	cat      *category
	channel  string
	h        *household
	b        *building
	reporter *resident
	title    string
}

// cases draws about CasesPerResidentYear cases per resident per year, more in recent years and
// in the heating season, with their whole timeline cut at Until.
func (c *city) cases(cm *community, households []household, buildings []building, rng *rand.Rand) {
	nres := 0
	for _, h := range households {
		nres += len(h.residents)
	}
	n := int(float64(nres) * CasesPerResidentYear * float64(c.opt.Years))
	days := int(c.opt.Until.Sub(c.start).Hours() / 24)
	byID := map[int64]*building{}
	for i := range buildings {
		byID[buildings[i].id] = &buildings[i]
	}
	var chTotal float64
	for _, ch := range channels {
		chTotal += ch.w
	}
	list := make([]gcase, 0, n)
	for len(list) < n {
		day := rng.IntN(days)
		date := c.start.AddDate(0, 0, day)
		w := 0.8 + 0.4*float64(day)/float64(days) // volume grows over the years
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.55
		}
		if rng.Float64()*1.2 > w {
			continue
		}
		heating := date.Month() >= time.November || date.Month() <= time.March
		cat := c.pickCategory(rng, heating)
		hour := 8 + rng.NormFloat64()*2.5 + 3
		hour = math.Max(0, math.Min(23.9, hour))
		local := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, clock.Shanghai()).Add(time.Duration(hour * float64(time.Hour))).
			Add(time.Duration(rng.IntN(3600)) * time.Second)
		g := gcase{received: local.UTC(), cat: cat}
		r := rng.Float64() * chTotal
		for _, ch := range channels {
			if r < ch.w {
				g.channel = ch.code
				break
			}
			r -= ch.w
		}
		if g.channel == "" {
			g.channel = "phone"
		}
		g.h = &households[rng.IntN(len(households))]
		g.b = byID[g.h.building]
		if len(g.h.residents) > 0 && rng.Float64() < 0.7 {
			g.reporter = &g.h.residents[0]
		}
		ts := titles[cat.code]
		g.title = ts[rng.IntN(len(ts))]
		list = append(list, g)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].received.Before(list[j].received) })
	counters := map[int]int{}
	var prev int64
	for i := range list {
		id := c.id("cases")
		c.writeCase(cm, &list[i], id, prev, counters, rng)
		prev = id
	}
	years := make([]int, 0, len(counters))
	for y := range counters {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		c.out.row("case_counters", cm.id, y, counters[y])
	}
}

func (c *city) pickCategory(rng *rand.Rand, heating bool) *category {
	var total float64
	for i := range c.cats {
		total += c.weight(&c.cats[i], heating)
	}
	r := rng.Float64() * total
	for i := range c.cats {
		w := c.weight(&c.cats[i], heating)
		if r < w {
			return &c.cats[i]
		}
		r -= w
	}
	return &c.cats[len(c.cats)-1]
}

func (c *city) weight(cat *category, heating bool) float64 {
	w, ok := caseWeights[cat.code]
	if !ok {
		w = 1
	}
	if cat.code == "infra.heating" && !heating {
		return 0
	}
	if heating && cat.code != "infra.heating" {
		w *= 0.8
	}
	return w
}

// lognormal returns a duration around median, spread by sigma.
func lognormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
}

// workDays approximates n working days on the clock (weekends included).
func workDays(n float64) time.Duration { return time.Duration(n * 1.4 * 24 * float64(time.Hour)) }

type event struct {
	at                  time.Time
	user                int64
	actor, action, from string
	to, note            string
	public              bool
}

// writeCase draws the case's timeline, keeps what happened before Until and writes the case,
// its events, dispatch, callback and search tokens.
func (c *city) writeCase(cm *community, g *gcase, id, prev int64, counters map[int]int, rng *rand.Rand) {
	o := c.out
	var grid *grid
	for k := range cm.grids {
		if cm.grids[k].id == g.h.grid {
			grid = &cm.grids[k]
		}
	}
	rcv := g.received
	year := rcv.In(clock.Shanghai()).Year()
	counters[year]++
	number := fmt.Sprintf("SQ%s-%d-%06d", cm.code[len(cm.code)-3:], year, counters[year])
	prio := g.cat.priority
	if prio == "normal" && rng.Float64() < 0.03 {
		prio = "urgent"
	}
	handleDays := g.cat.handleDays
	if prio == "urgent" {
		handleDays = 3
	}
	acceptDL := rcv.Add(3 * time.Hour)
	var ev []event
	add := func(at time.Time, user int64, actor, action, from, to, note string, public bool) {
		ev = append(ev, event{at, user, actor, action, from, to, note, public})
	}
	add(rcv, cm.admin, "社区受理员", "intake", "", "received", "", true)
	outcome := "resolved"
	switch r := rng.Float64(); {
	case r < 0.02:
		outcome = "rejected"
	case r < 0.04 && prev != 0:
		outcome = "duplicate"
	case r < 0.10:
		outcome = "explained"
	case r < 0.15:
		outcome = "partly"
	case r < 0.165:
		outcome = "not_ours"
	}
	accepted := rcv.Add(lognormal(rng, 40*time.Minute, 0.8))
	var dispatched, signDL, signed, handleDL, reported, closed, cbDL, cbAt time.Time
	var merged any
	handleDL = accepted.Add(workDays(handleDays))
	switch outcome {
	case "rejected":
		closed = accepted
		add(closed, cm.admin, "社区受理员", "reject", "received", "closed", "不属于受理范围，已告知来电人", true)
		accepted = time.Time{}
	case "duplicate":
		closed = accepted
		merged = prev
		add(closed, cm.admin, "社区受理员", "merge", "received", "closed", "与前一诉求为同一事项，已并单", true)
		accepted = time.Time{}
	default:
		add(accepted, cm.admin, "社区受理员", "accept", "received", "accepted", "", true)
		dispatched = accepted.Add(lognormal(rng, 20*time.Minute, 0.7))
		signDL = dispatched.Add(workDays(1))
		add(dispatched, cm.admin, "社区受理员", "dispatch", "accepted", "dispatched", "派至"+grid.name, false)
		signed = dispatched.Add(lognormal(rng, 2*time.Hour, 0.9))
		add(signed, grid.worker, "网格员", "sign", "dispatched", "in_progress", "", false)
		reported = signed.Add(lognormal(rng, time.Duration(handleDays*0.3*24*float64(time.Hour)), 0.8))
		add(reported, grid.worker, "网格员", "report", "in_progress", "reported", reportNotes[rng.IntN(len(reportNotes))], false)
		closed = reported.Add(lognormal(rng, 4*time.Hour, 0.8))
		add(closed, cm.admin, "社区受理员", "verify", "reported", "closed", "核实办结", true)
	}
	cbDL = closed.Add(workDays(2))
	var resolved, sat any
	if outcome != "rejected" && outcome != "duplicate" && rng.Float64() < 0.85 {
		cbAt = closed.Add(lognormal(rng, 20*time.Hour, 0.6))
		add(cbAt, cm.admin, "社区受理员", "callback", "closed", "closed", "", false)
	}
	// Cut the history at Until: what had not happened yet is the case's open state.
	cut := c.opt.Until
	kept := ev[:0]
	for _, e := range ev {
		if !e.at.After(cut) {
			kept = append(kept, e)
		}
	}
	ev = kept
	state := ev[len(ev)-1].to
	on := func(t time.Time) any {
		if t.IsZero() || t.After(cut) {
			return nil
		}
		return t
	}
	region := cm.id
	if !dispatched.IsZero() && !dispatched.After(cut) {
		region = grid.id
	}
	var handler, reportedBy, closedBy, minutes any
	if on(signed) != nil {
		handler = grid.worker
	}
	if on(reported) != nil {
		reportedBy = grid.worker
	}
	if state == "closed" {
		closedBy = cm.admin
		if !accepted.IsZero() {
			minutes = int(closed.Sub(accepted).Minutes() * 8 / 24 * 5 / 7)
		}
	} else {
		closed, cbDL = time.Time{}, time.Time{}
	}
	// The overdue flag as the sweep would have left it: a running deadline passed, a case closed
	// after its handle deadline, or no callback by the callback deadline.
	overdue := false
	switch state {
	case "received":
		overdue = acceptDL.Before(cut)
	case "dispatched":
		overdue = signDL.Before(cut) || handleDL.Before(cut)
	case "accepted", "in_progress", "reported":
		overdue = handleDL.Before(cut)
	case "closed":
		overdue = !accepted.IsZero() && closed.After(handleDL)
	}
	if on(cbAt) != nil {
		r := rng.Float64() < 0.93
		resolved = r
		s := pickSat(rng)
		if !r && s == "satisfied" {
			s = "basic"
		}
		sat = s
		o.row("case_callbacks", c.id("case_callbacks"), id, region, cbAt, cm.admin, "phone", r, s, "")
	} else {
		cbAt = time.Time{}
		if state == "closed" && !accepted.IsZero() && cbDL.Before(cut) {
			overdue = true // never called back
		}
	}
	if accepted.IsZero() {
		cbDL = time.Time{} // rejected and merged cases are not called back
	}
	var extNo, extDL any
	if g.channel == "hotline_12345" {
		extNo = fmt.Sprintf("ZY%s%07d", rcv.In(clock.Shanghai()).Format("20060102"), id)
		extDL = rcv.Add(workDays(handleDays))
	}
	reporterName, phone, phoneIdx, phoneMasked := "", any(nil), any(nil), ""
	var residentID any
	if g.reporter != nil {
		reporterName, residentID = g.reporter.p.Name, g.reporter.id
		if g.reporter.p.Phone != "" {
			phone, phoneIdx, phoneMasked = g.reporter.phone, c.sealer.Index(g.reporter.p.Phone), pii.MaskPhone(g.reporter.p.Phone)
		}
	}
	address := g.h.address
	desc := fmt.Sprintf("居民反映：%s%s，希望尽快处理。", address, g.title)
	lon, lat := float32(g.b.at.Lon+(rng.Float64()-0.5)*0.0004), float32(g.b.at.Lat+(rng.Float64()-0.5)*0.0003)
	tk := make([]byte, 16)
	for i := range tk {
		tk[i] = byte(rng.IntN(256))
	}
	var satisfaction any = ""
	if sat != nil {
		satisfaction = sat
	}
	outc := ""
	if state == "closed" {
		outc = outcome
	}
	updated := ev[len(ev)-1].at
	o.row("cases", id, number, cm.id, region, grid.id, g.channel, g.cat.id, prio, g.title, desc, address, g.b.id, g.h.id,
		residentID, lon, lat, reporterName, phone, phoneIdx, phoneMasked, extNo, extDL, state, outc, rcv, acceptDL,
		on(accepted), on(dispatched), on(signDL), handleDLOrNil(accepted, handleDL, cut), on(reported), reportedBy, on(closed), closedBy,
		minutes, on(cbDL), on(cbAt), resolved, satisfaction, handler, overdue, strings.ToLower(b32.EncodeToString(tk)), merged,
		cm.admin, rcv, updated)
	notes := []string{g.title, desc, address, number}
	if extNo != nil {
		notes = append(notes, extNo.(string))
	}
	for _, e := range ev {
		o.row("case_events", c.id("case_events"), id, region, e.at, e.user, e.actor, e.action, e.from, e.to, e.note, e.public)
		if e.note != "" {
			notes = append(notes, e.note)
		}
	}
	if on(dispatched) != nil {
		status := "pending"
		switch {
		case state == "closed" || state == "reported":
			status = "done"
		case on(signed) != nil:
			status = "signed"
		}
		var signedBy any
		if on(signed) != nil {
			signedBy = grid.worker
		}
		o.row("case_assignments", c.id("case_assignments"), id, grid.id, "lead", "grid", grid.id, grid.name, status, cm.admin,
			dispatched, signDL, on(signed), signedBy)
	}
	o.row("case_fts", id, search.Tokens(strings.Join(notes, " ")))
}

func handleDLOrNil(accepted, dl, cut time.Time) any {
	if accepted.IsZero() || accepted.After(cut) {
		return nil
	}
	return dl
}

func pickSat(rng *rand.Rand) string {
	r := rng.Float64() * 100
	for _, s := range satisfaction {
		if r < s.w {
			return s.v
		}
		r -= s.w
	}
	return "satisfied"
}
