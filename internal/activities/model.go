// Package activities runs the community's rooms and what happens in them: venues 阵地 with their
// booking rules on the working-day calendar, bookings that never overlap, activities 活动 grouped in
// featured series 品牌, sign-up with capacity, waitlist and guardian consent, check-in at the door,
// volunteer posts with service hours and their proof, and the figures of all of it.
//
// Other capabilities (co-building, the deliberation hall) book rooms and record attendance through
// the exported Service methods Book, CancelBooking, CreateActivity, SignUp and CheckIn.
package activities

import (
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/workday"
)

// SlotMinutes is the booking grid: bookings start and end on the half hour.
const SlotMinutes = 30

// VenueKind is what a room is for.
type VenueKind string

// The kinds of community rooms.
const (
	KindPartyRoom    VenueKind = "party_room"   // 党群服务中心 / 党群活动室
	KindMinors       VenueKind = "minors"       // 未成年人活动室
	KindPractice     VenueKind = "practice"     // 新时代文明实践站
	KindMediation    VenueKind = "mediation"    // 人民调解室
	KindDeliberation VenueKind = "deliberation" // 居民议事厅
	KindElderCare    VenueKind = "elder_care"   // 老年日间照料中心
	KindLibrary      VenueKind = "library"      // 图书室
	KindOtherVenue   VenueKind = "other"
)

// VenueKinds lists the kinds in the order forms show them.
var VenueKinds = []VenueKind{KindPartyRoom, KindMinors, KindPractice, KindMediation, KindDeliberation,
	KindElderCare, KindLibrary, KindOtherVenue}

var venueKindLabels = map[VenueKind]string{KindPartyRoom: "党群活动室", KindMinors: "未成年人活动室",
	KindPractice: "新时代文明实践站", KindMediation: "人民调解室", KindDeliberation: "居民议事厅",
	KindElderCare: "老年日间照料中心", KindLibrary: "图书室", KindOtherVenue: "其他场地"}

// Label is the kind's Chinese name.
func (k VenueKind) Label() string { return venueKindLabels[k] }

// Rules are a venue's booking rules (REFERENCES.md §4); DefaultRules gives common practice.
type Rules struct {
	MaxHours       int  `json:"max_hours"`       // longest booking
	MaxConsecutive int  `json:"max_consecutive"` // back-to-back bookings of one person
	MonthHours     int  `json:"month_hours"`     // hours per person per calendar month
	LeadDays       int  `json:"lead_days"`       // booked at least this many days ahead
	NeedsApproval  bool `json:"needs_approval"`  // a booking waits for the community's approval
	NoShowLimit    int  `json:"noshow_limit"`    // the no-show within a year that suspends; earlier ones warn
	SuspendDays    int  `json:"suspend_days"`    // how long a suspension lasts
}

// DefaultRules are the rules a new venue of kind gets: 4 hours, 2 consecutive bookings, 20 hours a
// month, one day ahead (two for the party rooms), the second no-show suspends for 30 days.
func DefaultRules(kind VenueKind) Rules {
	r := Rules{MaxHours: 4, MaxConsecutive: 2, MonthHours: 20, LeadDays: 1, NoShowLimit: 2, SuspendDays: 30}
	if kind == KindPartyRoom {
		r.LeadDays = 2
		r.NeedsApproval = true
	}
	return r
}

// Validate checks that every rule is in a sensible range.
func (r Rules) Validate(f errs.Fields) {
	if r.MaxHours < 1 || r.MaxHours > 24 {
		f.Add("max_hours", "单次预约时长上限应为1至24小时")
	}
	if r.MaxConsecutive < 1 || r.MaxConsecutive > 10 {
		f.Add("max_consecutive", "连续预约次数上限应为1至10次")
	}
	if r.MonthHours < 1 || r.MonthHours > 744 {
		f.Add("month_hours", "每月预约时长上限应为1至744小时")
	}
	if r.LeadDays < 0 || r.LeadDays > 60 {
		f.Add("lead_days", "提前预约天数应为0至60天")
	}
	if r.NoShowLimit < 1 || r.NoShowLimit > 10 || r.SuspendDays < 0 || r.SuspendDays > 365 {
		f.Add("noshow_limit", "爽约暂停规则不正确")
	}
}

// BookerKind is who books: community staff, a co-building unit's contact, or a resident.
type BookerKind string

// The bookers.
const (
	BookerStaff    BookerKind = "staff"
	BookerUnit     BookerKind = "unit"
	BookerResident BookerKind = "resident"
)

var bookerLabels = map[BookerKind]string{BookerStaff: "社区工作人员", BookerUnit: "共建单位", BookerResident: "居民"}

// Label is the booker kind's Chinese name.
func (k BookerKind) Label() string { return bookerLabels[k] }

// Venue is a community room 阵地 with its opening hours and booking rules.
type Venue struct {
	ID         int64        `json:"id"`
	RegionID   int64        `json:"region_id"`
	RegionName string       `json:"region_name"`
	Name       string       `json:"name"`
	Kind       VenueKind    `json:"kind"`
	KindLabel  string       `json:"kind_label"`
	Capacity   int          `json:"capacity"`
	Facilities string       `json:"facilities"`
	Place      string       `json:"place"`
	Opens      string       `json:"opens"`     // HH:MM, Asia/Shanghai
	Closes     string       `json:"closes"`    // HH:MM
	OpenDays   string       `json:"open_days"` // workdays: working days of the calendar; all: every day
	Bookers    []BookerKind `json:"bookers"`
	Rules      Rules        `json:"rules"`
	Active     bool         `json:"active"`
}

// VenueInput is a new or changed venue.
type VenueInput struct {
	RegionID   int64        `json:"region_id"`
	Name       string       `json:"name"`
	Kind       VenueKind    `json:"kind"`
	Capacity   int          `json:"capacity"`
	Facilities string       `json:"facilities"`
	Place      string       `json:"place"`
	Opens      string       `json:"opens"`
	Closes     string       `json:"closes"`
	OpenDays   string       `json:"open_days"`
	Bookers    []BookerKind `json:"bookers"`
	Rules      *Rules       `json:"rules,omitempty"` // nil: DefaultRules(Kind)
}

// Validate checks a venue and fills in the defaults.
func (in *VenueInput) Validate() error {
	f := errs.Fields{}
	in.Name, in.Facilities, in.Place = strings.TrimSpace(in.Name), strings.TrimSpace(in.Facilities), strings.TrimSpace(in.Place)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 40 {
		f.Add("name", "请填写场地名称（不超过40字）")
	}
	if venueKindLabels[in.Kind] == "" {
		f.Add("kind", "请选择场地类型")
	}
	if in.Capacity < 1 || in.Capacity > 2000 {
		f.Add("capacity", "容纳人数应为1至2000人")
	}
	if in.Opens == "" {
		in.Opens, in.Closes = "08:30", "17:30"
	}
	o, err1 := minutesOf(in.Opens)
	c, err2 := minutesOf(in.Closes)
	if err1 != nil || err2 != nil || c <= o {
		f.Add("opens", "开放时间不正确，应如 08:30 至 17:30")
	}
	if in.OpenDays == "" {
		in.OpenDays = "workdays"
	}
	if in.OpenDays != "workdays" && in.OpenDays != "all" {
		f.Add("open_days", "开放日应为工作日或每天")
	}
	if len(in.Bookers) == 0 {
		in.Bookers = []BookerKind{BookerStaff, BookerUnit, BookerResident}
	}
	for _, b := range in.Bookers {
		if bookerLabels[b] == "" {
			f.Add("bookers", "可预约对象不正确")
		}
	}
	if in.Rules == nil {
		r := DefaultRules(in.Kind)
		in.Rules = &r
	}
	in.Rules.Validate(f)
	return f.Err()
}

// minutesOf reads HH:MM as minutes after midnight.
func minutesOf(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, errs.Field("time", "时间格式应为 HH:MM")
	}
	return t.Hour()*60 + t.Minute(), nil
}

// mayBook reports whether the venue takes bookings from kind.
func (v *Venue) mayBook(kind BookerKind) bool {
	for _, b := range v.Bookers {
		if b == kind {
			return true
		}
	}
	return false
}

// OpenOn reports whether the venue is open on the date of t (Asia/Shanghai) by its calendar.
func (v *Venue) OpenOn(cal *workday.Calendar, t time.Time) bool {
	return v.OpenDays == "all" || cal.IsWorkday(t)
}

// OpenHours is how long the venue is open on a day it opens.
func (v *Venue) OpenHours() float64 {
	o, _ := minutesOf(v.Opens)
	c, _ := minutesOf(v.Closes)
	return float64(c-o) / 60
}

// Span is a stretch of time [Start, End).
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// RuleRequest is a booking about to be checked against a venue's rules: when, by whom, and what
// the same booker already holds.
type RuleRequest struct {
	Span
	Kind      BookerKind
	Now       time.Time
	Held      []Span        // the booker's live bookings of this venue (for the consecutive rule)
	MonthHeld time.Duration // the booker's live booked time in the start's month, all venues of the community
	NoShows   []time.Time   // when the booker's no-shows were recorded
}

// CheckRules says why a booking breaks the venue's rules, or nil. Staff bookings (the community's
// own work) are held only to the opening hours; units and residents to every rule.
func CheckRules(v *Venue, cal *workday.Calendar, r RuleRequest) error {
	loc := clock.Shanghai()
	start, end := r.Start.In(loc), r.End.In(loc)
	if !end.After(start) {
		return errs.Field("ends_at", "结束时间应晚于开始时间")
	}
	if start.Minute()%SlotMinutes != 0 || end.Minute()%SlotMinutes != 0 || start.Second() != 0 || end.Second() != 0 {
		return errs.Field("starts_at", "预约时间须按半小时起止，如 09:00、09:30")
	}
	if !r.Start.After(r.Now) {
		return errs.Field("starts_at", "不能预约已经过去的时间")
	}
	if !v.mayBook(r.Kind) {
		return errs.E(errs.Forbidden, "%s不接受%s预约", v.Name, r.Kind.Label())
	}
	if !sameDay(start, end.Add(-time.Minute)) {
		return errs.Field("ends_at", "预约不能跨日")
	}
	if !v.OpenOn(cal, start) {
		return errs.Field("starts_at", v.Name+"在"+start.Format("2006年1月2日")+"不开放（节假日及周末闭馆）")
	}
	o, _ := minutesOf(v.Opens)
	c, _ := minutesOf(v.Closes)
	if m := start.Hour()*60 + start.Minute(); m < o {
		return errs.Field("starts_at", v.Name+"开放时间为"+v.Opens+"至"+v.Closes)
	}
	if m := minutesOfDay(end); m > c {
		return errs.Field("ends_at", v.Name+"开放时间为"+v.Opens+"至"+v.Closes)
	}
	if r.Kind == BookerStaff {
		return nil
	}
	if until, ok := suspended(v.Rules, r.NoShows, r.Now); ok {
		return errs.E(errs.Forbidden, "因多次预约后未到场，您的预约资格已暂停至%s", until.In(loc).Format("2006年1月2日"))
	}
	if days := daysBetween(r.Now.In(loc), start); days < v.Rules.LeadDays {
		return errs.Field("starts_at", "该场地须至少提前"+itoa(v.Rules.LeadDays)+"天预约")
	}
	d := end.Sub(start)
	if d > time.Duration(v.Rules.MaxHours)*time.Hour {
		return errs.Field("ends_at", "单次预约不能超过"+itoa(v.Rules.MaxHours)+"小时")
	}
	if n := 1 + chain(r.Span, r.Held); n > v.Rules.MaxConsecutive {
		return errs.Field("starts_at", "同一人连续预约不能超过"+itoa(v.Rules.MaxConsecutive)+"次")
	}
	if r.MonthHeld+d > time.Duration(v.Rules.MonthHours)*time.Hour {
		return errs.Field("ends_at", "每人每月预约不能超过"+itoa(v.Rules.MonthHours)+"小时，本月已预约"+
			hoursText(r.MonthHeld))
	}
	return nil
}

// suspended reports whether the no-shows of the past year reach the limit and the suspension that
// the last of them started has not yet run out, and until when.
func suspended(r Rules, noShows []time.Time, now time.Time) (time.Time, bool) {
	var recent []time.Time
	for _, t := range noShows {
		if t.After(now.AddDate(-1, 0, 0)) && !t.After(now) {
			recent = append(recent, t)
		}
	}
	if len(recent) < r.NoShowLimit {
		return time.Time{}, false
	}
	last := recent[0]
	for _, t := range recent {
		if t.After(last) {
			last = t
		}
	}
	until := last.AddDate(0, 0, r.SuspendDays)
	return until, now.Before(until)
}

// chain counts the held spans linked back-to-back with s, on either side.
func chain(s Span, held []Span) int {
	n := 0
	for lo := s.Start; ; n++ {
		found := false
		for _, h := range held {
			if h.End.Equal(lo) {
				lo, found = h.Start, true
				break
			}
		}
		if !found {
			break
		}
	}
	for hi := s.End; ; n++ {
		found := false
		for _, h := range held {
			if h.Start.Equal(hi) {
				hi, found = h.End, true
				break
			}
		}
		if !found {
			break
		}
	}
	return n
}

func minutesOfDay(t time.Time) int {
	m := t.Hour()*60 + t.Minute()
	if m == 0 {
		return 24 * 60
	}
	return m
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// daysBetween counts calendar days from a's date to b's date (both already in one zone).
func daysBetween(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// slots lists the start of every half-hour slot of s.
func slots(s Span) []time.Time {
	var out []time.Time
	for t := s.Start; t.Before(s.End); t = t.Add(SlotMinutes * time.Minute) {
		out = append(out, t.UTC())
	}
	return out
}
