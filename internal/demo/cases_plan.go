package demo

import (
	"fmt"
	"math"
	"strings"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/workday"
)

// The news report's period and what it counted (DOMAIN.md, "The demo").
var (
	reportFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, clock.Shanghai())
	reportTo   = time.Date(2024, 10, 16, 0, 0, 0, 0, clock.Shanghai()) // exclusive: through 10-15
	// recordEnd closes the fixed record; the cases of the rolling year start no earlier.
	recordEnd = time.Date(2025, 1, 1, 0, 0, 0, 0, clock.Shanghai())
)

const (
	// reportedHotline is how many 12345 cases were closed in the report's period.
	reportedHotline = 153
	// reportedPractical is how many cases of other channels were closed resolved in it (实事).
	reportedPractical = 68
)

// categoryWeights are how often each leaf category comes up, hotline and other channels apart.
var categoryWeights = []struct {
	code           string
	hotline, other int
}{
	{"env.garbage", 10, 12}, {"env.corner", 4, 7}, {"infra.streetlight", 7, 9}, {"infra.road", 5, 5},
	{"infra.water", 6, 4}, {"infra.heating", 14, 5}, {"dispute.noise", 9, 6}, {"dispute.leak", 6, 7},
	{"policy.dibao", 3, 6}, {"policy.insurance", 4, 7}, {"property.service", 10, 7}, {"property.elevator", 3, 2},
	{"property.parking", 6, 6}, {"safety.fire", 3, 5}, {"safety.public", 2, 3}, {"care.meal", 1, 4},
	{"care.bath", 0, 1}, {"care.watch", 0, 3}, {"other.consult", 4, 5}, {"other.complaint", 4, 3}, {"other.misc", 1, 4},
}

// channelWeights are the channels other than 12345 per top-level category.
var channelWeights = map[string]weighted[string]{
	"street": {{"wechat_group", 25}, {"patrol", 18}, {"phone", 12}, {"walk_in", 8}, {"web", 10}, {"ask_secretary", 6},
		{"app_jzy", 3}, {"app_gkb", 2}, {"app_zzet", 3}, {"visit", 4}},
	"dispute": {{"wechat_group", 15}, {"walk_in", 20}, {"phone", 15}, {"ask_secretary", 15}, {"visit", 10}, {"web", 6}},
	"people": {{"walk_in", 30}, {"phone", 20}, {"visit", 20}, {"ask_secretary", 12}, {"wechat_group", 10}, {"web", 4},
		{"app_gkb", 4}},
	"safety": {{"patrol", 20}, {"app_zzet", 15}, {"wechat_group", 15}, {"phone", 10}, {"walk_in", 6}, {"ask_secretary", 5},
		{"web", 5}},
}

func channelGroup(code string) string {
	switch top := code[:indexByte(code, '.')]; top {
	case "dispute", "safety":
		return top
	case "policy", "care", "other":
		return "people"
	}
	return "street"
}

// casePlanner draws the demo's cases: where, who, what, and how each one went.
type casePlanner struct {
	*caseSim
	w      *writer
	cats   map[string]*cases.Category
	byGrid [][]int       // buildings of each grid
	doors  map[int][]int // occupied households of each building
	tall   []int         // buildings with lifts
	extNos map[string]bool
	seq    int
}

func newCasePlanner(sim *caseSim, w *writer, cats []cases.Category) *casePlanner {
	p := &casePlanner{caseSim: sim, w: w, cats: map[string]*cases.Category{}, byGrid: make([][]int, len(w.p.grids)),
		doors: map[int][]int{}, extNos: map[string]bool{}}
	for i := range cats {
		p.cats[cats[i].Code] = &cats[i]
	}
	for b, bp := range w.p.buildings {
		p.byGrid[bp.grid] = append(p.byGrid[bp.grid], b)
		if bp.floors >= 11 {
			p.tall = append(p.tall, b)
		}
	}
	for h, hh := range w.p.households {
		if len(hh.members) > 0 {
			p.doors[hh.building] = append(p.doors[hh.building], h)
		}
	}
	return p
}

// heating reports whether Zhangye's heating season (15 October – 15 April) is on at t.
func heating(t time.Time) bool {
	m, d := t.Month(), t.Day()
	return m >= time.November || m <= time.March || (m == time.October && d >= 15) || (m == time.April && d <= 15)
}

// pickCategory draws a leaf category for a case received on day, with the seasons: heating in
// winter, square dancing and barbecues in summer.
func (p *casePlanner) pickCategory(day time.Time, hotline bool) string {
	var w weighted[string]
	for _, c := range categoryWeights {
		n := c.other
		if hotline {
			n = c.hotline
		}
		switch {
		case c.code == "infra.heating" && !heating(day):
			n = 0
		case c.code == "infra.heating":
			n *= 2
		case c.code == "dispute.noise" && day.Month() >= time.May && day.Month() <= time.September:
			n *= 2
		case c.code == "env.garbage" && day.Month() >= time.June && day.Month() <= time.August:
			n = n * 3 / 2
		}
		if n > 0 {
			w = append(w, struct {
				V string
				W int
			}{c.code, n})
		}
	}
	return w.pick(p.rng)
}

// receivedOn draws the moment on day (local midnight) a request comes in through channel.
func (p *casePlanner) receivedOn(day time.Time, channel string) time.Time {
	var from, to int // minutes after midnight
	switch channel {
	case "hotline_12345":
		from, to = 7*60+30, 22*60
	case "walk_in", "ask_secretary", "visit", "patrol":
		from, to = 8*60+40, 17*60+50
		if m := from + p.rng.IntN(to-from); m >= 12*60 && m < 14*60+40 {
			from = 14*60 + 40
		}
	case "phone":
		from, to = 8*60, 19*60+30
	default:
		from, to = 7*60, 23*60
	}
	m := from + p.rng.IntN(to-from)
	if channel == "hotline_12345" && p.rng.IntN(3) > 0 { // most calls in the day
		m = 8*60 + p.rng.IntN(10*60)
	}
	return day.Add(time.Duration(m)*time.Minute + time.Duration(p.rng.IntN(60))*time.Second).UTC()
}

// estate is the estate, courtyard or lane a building belongs to: its name before the number.
func estate(name string) string {
	if i := strings.IndexAny(name, "0123456789"); i > 0 {
		return name[:i]
	}
	return name
}

// newCase draws a case of category code received through channel at t, placed in the register.
func (p *casePlanner) newCase(t time.Time, channel, code string) *demoCase {
	cat := p.cats[code]
	text := caseTexts[code][p.rng.IntN(len(caseTexts[code]))]
	var b int
	switch {
	case code == "property.elevator" && len(p.tall) > 0:
		b = p.tall[p.rng.IntN(len(p.tall))]
	default:
		g := p.rng.IntN(len(p.byGrid))
		b = p.byGrid[g][p.rng.IntN(len(p.byGrid[g]))]
		for tries := 0; tries < 8 && (len(p.doors[b]) == 0 || (code == "infra.heating" && p.w.p.buildings[b].kind == "bungalow")); tries++ {
			b = p.byGrid[g][p.rng.IntN(len(p.byGrid[g]))]
		}
	}
	bp := p.w.p.buildings[b]
	d := &demoCase{cat: cat, grid: bp.grid}
	c := &d.c
	gid := p.w.gridIDs[bp.grid]
	c.CommunityID, c.RegionID, c.GridID = p.w.community.ID, gid, &gid
	c.Channel, c.CategoryID, c.Priority = channel, cat.ID, cat.Priority
	unit, room := "", ""
	hh := -1
	if doors := p.doors[b]; len(doors) > 0 {
		hh = doors[p.rng.IntN(len(doors))]
		unit, room = p.w.p.households[hh].unit, p.w.p.households[hh].room
	}
	if unit == "" && room != "" {
		room = "院" + room
	}
	repl := strings.NewReplacer("{b}", bp.name, "{u}", unit, "{r}", room, "{est}", estate(bp.name),
		"{st}", p.w.p.grids[bp.grid].street)
	c.Title, c.Description = repl.Replace(text.title), repl.Replace(text.desc)
	street := strings.Contains(text.title, "{st}") && !strings.Contains(text.title, "{b}")
	var at point
	if street {
		cell := p.w.p.grids[bp.grid].cell
		at = cell.at(0.1+0.8*p.rng.Float64(), 0.1+0.8*p.rng.Float64())
		c.Address = p.w.p.grids[bp.grid].street + "（" + estate(bp.name) + "附近）"
	} else {
		bid := p.w.buildingIDs[b]
		c.BuildingID = &bid
		at = point{round6(bp.at.Lon + (p.rng.Float64()-0.5)*0.00012), round6(bp.at.Lat + (p.rng.Float64()-0.5)*0.00012)}
		c.Address = bp.address
		if strings.Contains(text.title, "{u}") || strings.Contains(text.desc, "{r}") {
			c.Address += unit
		}
		if strings.Contains(text.desc, "{r}") {
			c.Address += room
		}
	}
	lon, lat := at.Lon, at.Lat
	c.Lon, c.Lat = &lon, &lat
	if (code == "infra.water" || code == "safety.fire" || code == "property.elevator") && p.rng.IntN(40) == 0 {
		c.Priority = cases.Critical
	} else if c.Priority == cases.Normal && p.rng.IntN(25) == 0 {
		c.Priority = cases.Urgent
	}
	p.reporter(d, channel, hh, street)
	c.ReceivedAt = t
	c.CreatedAt = p.createdAt(t, channel)
	acc := p.deadline(t, cat.LimitsFor(c.Priority, p.byPriority).Accept) // 特急: 30 minutes round the clock
	c.AcceptDeadline = &acc
	if channel == "hotline_12345" {
		p.hotlineOrder(d)
	}
	p.seq++
	return d
}

// reporter fills in who asked: a resident of the household (linked for staff intake), masked
// and sealed when written; some stay anonymous; patrols have none.
func (p *casePlanner) reporter(d *demoCase, channel string, hh int, street bool) {
	c := &d.c
	switch channel {
	case "patrol":
		return
	case "hotline_12345", "web", "wechat_group":
		anon := map[string]int{"hotline_12345": 20, "web": 7, "wechat_group": 30}[channel]
		if p.rng.IntN(anon) == 0 {
			c.Anonymous = true
			return
		}
	}
	if hh < 0 {
		return
	}
	var adults []int
	for _, ri := range p.w.p.households[hh].members {
		if p.w.p.residents[ri].age() >= 20 {
			adults = append(adults, ri)
		}
	}
	if len(adults) == 0 {
		return
	}
	ri := adults[p.rng.IntN(len(adults))]
	r := p.w.p.residents[ri]
	c.ReporterName, d.phone = r.name, r.phone
	if d.phone == "" {
		d.phone = mobile(p.rng)
	}
	if street {
		return
	}
	switch channel {
	case "walk_in", "ask_secretary", "visit", "phone":
		hid, rid := p.w.householdIDs[hh], p.w.residentIDs[ri]
		c.HouseholdID, c.ResidentID = &hid, &rid
	}
}

// createdAt is when the request was written down, and by whom (set on the case).
func (p *casePlanner) createdAt(t time.Time, channel string) time.Time {
	switch channel {
	case "web":
		return t
	case "hotline_12345", "app_jzy", "app_gkb", "app_zzet":
		return p.work(t, 5, 150)
	case "wechat_group":
		return p.work(t, 5, 120)
	}
	return t.Add(time.Duration(1+p.rng.IntN(12)) * time.Minute).UTC()
}

// intaker sets created_by: the community for calls, visits and platform orders, the grid's
// people for WeChat groups, visits and patrols, nobody for the public form.
func (p *casePlanner) intaker(d *demoCase) {
	switch d.c.Channel {
	case "web":
	case "wechat_group", "visit", "patrol":
		who := p.workers[d.grid]
		if p.rng.IntN(3) == 0 {
			who = p.leaders[d.grid]
		}
		d.c.CreatedBy = who.ptr()
	default:
		d.c.CreatedBy = p.admin.ptr()
	}
}

// hotlineOrder gives a 12345 case its work-order number and the hotline's own deadline.
func (p *casePlanner) hotlineOrder(d *demoCase) {
	c := &d.c
	local := c.ReceivedAt.In(clock.Shanghai())
	no := ""
	for n := 1 + p.rng.IntN(900); no == "" || p.extNos[no]; n++ {
		no = fmt.Sprintf("ZY12345%s%04d", local.Format("20060102"), n)
	}
	p.extNos[no] = true
	c.ExternalNo = no
	days := 5.0
	switch {
	case c.Priority != cases.Normal:
		days = 2
	case d.cat.Kind == "consultation":
		days = 3
	}
	due := p.deadline(c.ReceivedAt, workday.Limit{Unit: workday.UnitWorkingDays, Value: days})
	c.ExternalDue = &due
}

// drawFate draws how a case goes, in realistic shares.
func (p *casePlanner) drawFate(d *demoCase) fate {
	r := p.rng.Float64
	hotline := d.c.Channel == "hotline_12345"
	f := fate{notes: p.rng.IntN(3), lateAccept: r() < 0.06, lateSign: r() < 0.09, late: r() < 0.07,
		rework: r() < 0.05, lateCall: r() < 0.04, reopen: r() < 0.01}
	f.assist = r() < 0.7
	if !hotline {
		f.reject = r() < 0.03
		f.returned = r() < 0.04
		f.suspend = r() < 0.03
	}
	if r() < 0.05 {
		f.extend = 1
		if r() < 0.2 {
			f.extend = 2
		}
	}
	f.supervise = (f.late && r() < 0.6) || r() < 0.02
	switch x := r(); {
	case d.cat.Kind == "consultation":
		f.outcome = cases.Explained
		if x < 0.38 {
			f.outcome = cases.Resolved
		}
	case x < 0.76:
		f.outcome = cases.Resolved
	case x < 0.86:
		f.outcome = cases.Partly
	case x < 0.96:
		f.outcome = cases.Explained
	default:
		f.outcome = cases.NotOurs
	}
	switch x := r(); {
	case x < 0.74:
		f.sat = cases.Satisfied
	case x < 0.86:
		f.sat = cases.Basic
	default:
		f.sat = cases.Dissatisfied
		f.cause = "objective"
		if r() < 0.35 {
			f.cause = "subjective"
		}
	}
	switch f.outcome {
	case cases.Resolved:
		f.resolved = f.sat != cases.Dissatisfied || r() < 0.2
	case cases.Explained:
		f.resolved = f.sat == cases.Satisfied && r() < 0.7
	default:
		f.resolved = f.sat != cases.Dissatisfied && r() < 0.35
	}
	return f
}

// poisson draws a count with mean lambda.
func (p *casePlanner) poisson(lambda float64) int {
	l, k, prod := math.Exp(-lambda), 0, p.rng.Float64()
	for prod > l {
		k++
		prod *= p.rng.Float64()
	}
	return k
}

// day draws and plays out the cases received on one local day, at most until s.now.
func (p *casePlanner) day(day time.Time, scale float64) []*demoCase {
	workday := p.cal.IsWorkday(day.Add(12 * time.Hour))
	hot := 0.46 * scale
	if heating(day) {
		hot *= 1.45
	}
	other := 0.52 * scale
	if !workday {
		hot *= 0.7
		other *= 0.35
	}
	var out []*demoCase
	for range p.poisson(hot) {
		if d := p.draw(day, "hotline_12345", p.pickCategory(day, true), nil); d != nil {
			out = append(out, d)
		}
	}
	for range p.poisson(other) {
		code := p.pickCategory(day, false)
		ch := channelWeights[channelGroup(code)].pick(p.rng)
		if !workday && (ch == "walk_in" || ch == "visit" || ch == "patrol" || ch == "ask_secretary") {
			ch = "wechat_group"
		}
		if d := p.draw(day, ch, code, nil); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// draw makes one case received on day and plays it out with a drawn fate (changed by adjust
// when not nil); it returns nil when the case would be received after s.now.
func (p *casePlanner) draw(day time.Time, channel, code string, adjust func(*fate)) *demoCase {
	t := p.receivedOn(day, channel)
	if t.After(p.now.Add(-10 * time.Minute)) {
		return nil
	}
	d := p.newCase(t, channel, code)
	if d.c.CreatedAt.After(p.now) {
		d.c.CreatedAt = p.now
	}
	p.intaker(d)
	f := p.drawFate(d)
	if adjust != nil {
		adjust(&f)
	}
	p.play(d, f)
	return d
}
