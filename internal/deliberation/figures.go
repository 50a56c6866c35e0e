package deliberation

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// PeriodFigures are the deliberation hall's counts for a region and a period: what the work
// briefing reads.
type PeriodFigures struct {
	Topics         int `json:"topics"`           // topics raised in the period
	Accepted       int `json:"accepted"`         // topics accepted for deliberation in the period
	Supports       int `json:"supports"`         // supporting households recorded in the period
	Meetings       int `json:"meetings"`         // meetings held (not cancelled) in the period
	Invited        int `json:"invited"`          // participants invited to those meetings
	Attended       int `json:"attended"`         // of them, who signed in
	Decisions      int `json:"decisions"`        // decisions made in the period
	DecisionsDone  int `json:"decisions_done"`   // decisions carried out in the period
	OnTime         int `json:"on_time"`          // of those, carried out by their due day
	Ratings        int `json:"ratings"`          // residents' ratings given in the period
	Content        int `json:"content"`          // of them, 4 or 5 out of 5
	Questions      int `json:"questions"`        // questions raised during publications in the period
	AnsweredOnTime int `json:"answered_on_time"` // of them, answered within AnswerDays
}

// Figures are PeriodFigures with their rates, the region's grids, and the links to the records.
type Figures struct {
	RegionID   int64  `json:"region_id"`
	RegionName string `json:"region_name"`
	From       string `json:"from"`
	To         string `json:"to"`
	PeriodFigures
	Attendance   float64           `json:"attendance"`   // attended / invited
	OnTimeRate   float64           `json:"on_time_rate"` // on time / done
	Satisfaction float64           `json:"satisfaction"` // content / ratings
	AnswerRate   float64           `json:"answer_rate"`  // answered on time / questions
	Links        map[string]string `json:"links"`
	Children     []RegionFigures   `json:"children"`
}

// RegionFigures are one grid's figures.
type RegionFigures struct {
	RegionID   int64  `json:"region_id"`
	RegionName string `json:"region_name"`
	PeriodFigures
	Link string `json:"link"`
}

// Period is a figures request: a region (the principal's own when 0) and two days, YYYY-MM-DD.
type Period struct {
	RegionID int64
	From, To string
}

// span reads the period's days as instants [from, to) in Asia/Shanghai; the last 365 days by default.
func (f *Period) span(now time.Time) (time.Time, time.Time, error) {
	if f.To == "" {
		f.To = now.In(shanghai).Format(time.DateOnly)
	}
	if f.From == "" {
		f.From = now.In(shanghai).AddDate(-1, 0, 1).Format(time.DateOnly)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, f.From, shanghai)
	to, err2 := time.ParseInLocation(time.DateOnly, f.To, shanghai)
	if err1 != nil || err2 != nil || to.Before(from) {
		return time.Time{}, time.Time{}, errs.Field("from", "统计期间不正确")
	}
	return from.UTC(), to.AddDate(0, 0, 1).UTC(), nil
}

// Figures returns the figures of a region the principal sees, with one row per region below it
// (streets of a district, communities of a street, grids of a community). Each count is one
// grouped statement over the whole region, read per region of its records and summed here into the
// total and the rows below; a row's count is the same condition as its drill-down list.
func (s *Service) Figures(ctx context.Context, f Period) (*Figures, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	if f.RegionID == 0 {
		f.RegionID = p.RegionID
	}
	from, to, err := f.span(s.now())
	if err != nil {
		return nil, err
	}
	out := &Figures{RegionID: f.RegionID, From: f.From, To: f.To}
	var path string
	if err := s.db.R.QueryRowContext(ctx, `SELECT name, path FROM regions WHERE id = $1`, f.RegionID).Scan(&out.RegionName, &path); err != nil || !p.Covers(path) {
		return nil, errs.E(errs.NotFound, "区域不存在")
	}
	link := func(by string, region int64) string {
		v := url.Values{"from": {f.From}, "to": {f.To}, "region": {fmt.Sprint(region)}}
		if by != "" {
			v.Set("by", by)
		}
		return "/deliberation/topics?" + v.Encode()
	}
	out.Links = map[string]string{"topics": link("", f.RegionID), "accepted": link("accepted", f.RegionID),
		"decisions": link("decided", f.RegionID), "decisions_done": link("done", f.RegionID),
		"meetings": "/deliberation/meetings?" + url.Values{"from": {f.From}, "to": {f.To}, "region": {fmt.Sprint(f.RegionID)}}.Encode()}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM regions WHERE parent_id = $1 ORDER BY code, id`, f.RegionID)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{} // a child region's row
	for rows.Next() {
		var c RegionFigures
		if err := rows.Scan(&c.RegionID, &c.RegionName); err != nil {
			rows.Close()
			return nil, err
		}
		c.Link = link("", c.RegionID)
		index[c.RegionID] = len(out.Children)
		out.Children = append(out.Children, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every region under path, with the row below it falls in (none for the region itself).
	bucket := map[int64]*PeriodFigures{}
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, path FROM regions WHERE path LIKE $1`, path+"%")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var rp string
		if err := rows.Scan(&id, &rp); err != nil {
			rows.Close()
			return nil, err
		}
		head, _, _ := strings.Cut(strings.TrimPrefix(rp, path), "/")
		if child, err := strconv.ParseInt(head, 10, 64); err == nil {
			if i, ok := index[child]; ok {
				bucket[id] = &out.Children[i].PeriodFigures
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	add := func(region int64, fn func(*PeriodFigures)) {
		fn(&out.PeriodFigures)
		if b := bucket[region]; b != nil {
			fn(b)
		}
	}
	if err := s.periodFigures(ctx, path, from, to, add); err != nil {
		return nil, err
	}
	out.Attendance, out.OnTimeRate, out.Satisfaction = ratio(out.Attended, out.Invited), ratio(out.OnTime, out.DecisionsDone), ratio(out.Content, out.Ratings)
	out.AnswerRate = ratio(out.AnsweredOnTime, out.Questions)
	return out, nil
}

// RegionPeriodFigures returns a region's counts for [from, to] (YYYY-MM-DD): the plain figures the
// work briefing reads. The principal must see the region.
func (s *Service) RegionPeriodFigures(ctx context.Context, regionID int64, from, to string) (*PeriodFigures, error) {
	f, err := s.Figures(ctx, Period{RegionID: regionID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	return &f.PeriodFigures, nil
}

// periodFigures counts the records of the regions under path in [from, to), grouped by the region
// of the record, handing each region's counts to add.
func (s *Service) periodFigures(ctx context.Context, path string, from, to time.Time, add func(int64, func(*PeriodFigures))) error {
	var a db.Args
	scope := db.InScope("t.region_id", a.Add(path+"%"))
	f, t := a.Add(from), a.Add(to)
	within := func(col string) string { return col + ` >= ` + f + ` AND ` + col + ` < ` + t }
	in := func(col string) string { return `CASE WHEN ` + within(col) + ` THEN 1 END` }
	grouped := func(what, q string, args db.Args, fn func(*PeriodFigures, []int)) error {
		rows, err := s.db.R.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("%s figures: %w", what, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			var region int64
			n := make([]int, len(cols)-1)
			dest := []any{&region}
			for i := range n {
				dest = append(dest, &n[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			add(region, func(pf *PeriodFigures) { fn(pf, n) })
		}
		return rows.Err()
	}
	// Topics raised, accepted and decided (a decision's day is its topic's decided_at), each the
	// condition of the topic list's "by" filter.
	if err := grouped("topic", `SELECT t.region_id, COUNT(`+in("t.created_at")+`), COUNT(`+in("t.accepted_at")+`),
		COUNT(`+in("t.decided_at")+`) FROM delib_topics t WHERE `+scope+` AND (`+within("t.created_at")+` OR `+
		within("t.accepted_at")+` OR `+within("t.decided_at")+`) GROUP BY t.region_id`, a,
		func(pf *PeriodFigures, n []int) { pf.Topics += n[0]; pf.Accepted += n[1]; pf.Decisions += n[2] }); err != nil {
		return err
	}
	// On time is the done day (Asia/Shanghai) against the due day, compared in Go.
	rows, err := s.db.R.QueryContext(ctx, `SELECT t.region_id, d.done_at, d.due_on FROM delib_decisions d
		JOIN delib_topics t ON t.id = d.topic_id WHERE `+scope+` AND `+within("t.done_at"), a...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var region int64
		var done time.Time
		var due string
		if err := rows.Scan(&region, &done, &due); err != nil {
			rows.Close()
			return err
		}
		onTime := done.In(shanghai).Format(time.DateOnly) <= due
		add(region, func(pf *PeriodFigures) {
			pf.DecisionsDone++
			if onTime {
				pf.OnTime++
			}
		})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := grouped("support", `SELECT t.region_id, COUNT(*) FROM delib_supports s JOIN delib_topics t ON t.id = s.topic_id
		WHERE `+scope+` AND `+within("s.created_at")+` GROUP BY t.region_id`, a,
		func(pf *PeriodFigures, n []int) { pf.Supports += n[0] }); err != nil {
		return err
	}
	if err := grouped("rating", `SELECT t.region_id, COUNT(*), COUNT(CASE WHEN r.score >= 4 THEN 1 END) FROM delib_ratings r
		JOIN delib_topics t ON t.id = r.topic_id WHERE `+scope+` AND `+within("r.created_at")+` GROUP BY t.region_id`, a, func(pf *PeriodFigures, n []int) { pf.Ratings += n[0]; pf.Content += n[1] }); err != nil {
		return err
	}
	if err := grouped("question", `SELECT t.region_id, COUNT(*), COUNT(CASE WHEN q.answered_at <= q.due_at THEN 1 END)
		FROM delib_questions q JOIN delib_decisions d ON d.id = q.decision_id JOIN delib_topics t ON t.id = d.topic_id
		WHERE `+scope+` AND `+within("q.asked_at")+` GROUP BY t.region_id`, a,
		func(pf *PeriodFigures, n []int) { pf.Questions += n[0]; pf.AnsweredOnTime += n[1] }); err != nil {
		return err
	}
	var b db.Args
	mscope := db.InScope("m.region_id", b.Add(path+"%"))
	// Invited and attended per meeting from the covering index (meeting_id, attended_at), summed per
	// region: no join of every participant row to sort for a distinct count of meetings.
	return grouped("meeting", `SELECT region_id, COUNT(*), SUM(invited), SUM(attended) FROM (SELECT m.region_id,
		(SELECT COUNT(*) FROM delib_participants x WHERE x.meeting_id = m.id) AS invited,
		(SELECT COUNT(x.attended_at) FROM delib_participants x WHERE x.meeting_id = m.id) AS attended
		FROM delib_meetings m WHERE `+mscope+` AND m.state <> 'cancelled' AND m.starts_at >= `+b.Add(from)+`
		AND m.starts_at < `+b.Add(to)+`) held GROUP BY region_id`, b,
		func(pf *PeriodFigures, n []int) { pf.Meetings += n[0]; pf.Invited += n[1]; pf.Attended += n[2] })
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(d)*1000) / 1000
}
