package visits

import (
	"strconv"
	"time"

	"linli/internal/errs"
	"linli/internal/register"
)

// CareTags lists the focus tags a care plan may give a cadence, in the order pages show them.
var CareTags = []register.Tag{register.TagElderlyAlone, register.TagAged80, register.TagDisabledCare,
	register.TagLeftBehindChild, register.TagChildInDistress, register.TagDisability, register.TagDibao,
	register.TagEmptyNest, register.TagVeteran, register.TagFocus}

// DefaultCadences are DOMAIN.md's cadences in days: 独居老人 weekly, 高龄 and 失能 every two weeks,
// 留守儿童, 困境儿童, 残疾人 and 低保 monthly. Other tags have no care plan until an admin sets one.
var DefaultCadences = Cadences{register.TagElderlyAlone: 7, register.TagAged80: 14, register.TagDisabledCare: 14,
	register.TagLeftBehindChild: 30, register.TagChildInDistress: 30, register.TagDisability: 30, register.TagDibao: 30}

// Cadences maps a tag to its visit cadence in days; a missing tag or 0 means no care plan.
type Cadences map[register.Tag]int

// MaxCadenceDays is the longest cadence an admin may set.
const MaxCadenceDays = 366

// Validate checks every cadence: a care tag and 0 (no plan) to MaxCadenceDays days.
func (c Cadences) Validate() error {
	f := errs.Fields{}
	for t, d := range c {
		if !isCareTag(t) {
			f.Add(string(t), "该标签不能设置走访周期")
		} else if d < 0 || d > MaxCadenceDays {
			f.Add(string(t), t.Label()+"的走访周期应为0至366天（0表示不纳入关爱计划）")
		}
	}
	return f.Err()
}

// Tags returns the tags with a care plan, in CareTags order.
func (c Cadences) Tags() []register.Tag {
	var out []register.Tag
	for _, t := range CareTags {
		if c[t] > 0 {
			out = append(out, t)
		}
	}
	return out
}

func isCareTag(t register.Tag) bool {
	for _, c := range CareTags {
		if c == t {
			return true
		}
	}
	return false
}

// CadenceLabel says a cadence in words: 每周, 每两周, 每月 or 每N天.
func CadenceLabel(days int) string {
	switch days {
	case 0:
		return "不纳入"
	case 7:
		return "每周"
	case 14:
		return "每两周"
	case 30:
		return "每月"
	}
	return "每" + strconv.Itoa(days) + "天"
}

// TagSince is one of a resident's care tags and the date it was set (YYYY-MM-DD; empty when the
// register does not know it).
type TagSince struct {
	Tag   register.Tag
	Since string
}

// CareState is where a resident stands in their care plan on a day.
type CareState string

// The states. Coverage counts OK over OK + Overdue; New residents are not yet due.
const (
	StateNew     CareState = "new"     // never visited and the first visit is not yet due
	StateOK      CareState = "ok"      // visited, next visit due today or later
	StateOverdue CareState = "overdue" // next visit due before today
)

// Care is a resident's care plan on a day.
type Care struct {
	Tag     register.Tag // the tag whose cadence makes the earliest due date
	Cadence int
	LastOn  string // last care-plan visit, empty when never visited
	NextDue string // empty when the tag's date is unknown and nobody has visited: due at once
	State   CareState
	// DaysOverdue and MissedCycles say how late an overdue resident is: MissedCycles counts the
	// due dates that passed without a visit (today's does not count yet).
	DaysOverdue  int
	MissedCycles int
}

// Due reports whether the resident belongs on a worker's list on this day: due today or overdue.
func (c Care) Due(today string) bool { return c.State == StateOverdue || c.NextDue == today }

// NextDue computes a resident's care plan on today from their care tags and last visit. For each
// tag with a cadence the visit is due one cadence after the later of the last visit and the date
// the tag was set (a tag set after the last visit starts its own clock); the resident is due at
// the earliest of these. ok is false when no tag has a cadence: the resident has no care plan.
func NextDue(cad Cadences, tags []TagSince, lastOn, today string) (c Care, ok bool) {
	for _, ts := range tags {
		days := cad[ts.Tag]
		if days <= 0 {
			continue
		}
		base := ts.Since
		if lastOn > base {
			base = lastOn
		}
		due := ""
		if base != "" {
			due = addDays(base, days)
		}
		if !ok || due < c.NextDue || (due == c.NextDue && days < c.Cadence) {
			c = Care{Tag: ts.Tag, Cadence: days, NextDue: due}
			ok = true
		}
	}
	if !ok {
		return Care{}, false
	}
	c.LastOn = lastOn
	switch {
	case c.NextDue < today:
		c.State = StateOverdue
		if c.NextDue != "" {
			c.DaysOverdue = daysBetween(c.NextDue, today)
			c.MissedCycles = (c.DaysOverdue-1)/c.Cadence + 1
		}
	case lastOn == "":
		c.State = StateNew
	default:
		c.State = StateOK
	}
	return c, true
}

// addDays returns the date days after date (both YYYY-MM-DD). A date the calendar lacks (the
// 80th birthday of someone born on 29 February) is normalised by time.Date.
func addDays(date string, days int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		y, m, d := atoi(date[0:4]), atoi(date[5:7]), atoi(date[8:10])
		t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}

// subDays returns the date days before date.
func subDays(date string, days int) string { return addDays(date, -days) }

func daysBetween(from, to string) int {
	a, _ := time.Parse(time.DateOnly, from)
	b, _ := time.Parse(time.DateOnly, to)
	return int(b.Sub(a).Hours() / 24)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	return n
}

// aged80Since is the date a resident born on birth turns 80: the day the derived 高龄 tag is set.
func aged80Since(birth string) string {
	if len(birth) != 10 {
		return ""
	}
	return strconv.Itoa(atoi(birth[0:4])+80) + birth[4:]
}
