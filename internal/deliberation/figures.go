package deliberation

import (
	"context"
	"fmt"
	"math"
	"net/url"
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

// Figures returns the figures of a region the principal sees, with one row per grid below it.
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
	pf, err := s.periodFigures(ctx, path, from, to)
	if err != nil {
		return nil, err
	}
	out.PeriodFigures = *pf
	out.Attendance, out.OnTimeRate, out.Satisfaction = ratio(pf.Attended, pf.Invited), ratio(pf.OnTime, pf.DecisionsDone), ratio(pf.Content, pf.Ratings)
	out.AnswerRate = ratio(pf.AnsweredOnTime, pf.Questions)
	link := func(by string, region int64) string {
		v := url.Values{"from": {f.From}, "to": {f.To}, "region": {fmt.Sprint(region)}}
		if by != "" {
			v.Set("by", by)
		}
		return "/deliberation/topics?" + v.Encode()
	}
	out.Links = map[string]string{"topics": link("", f.RegionID), "accepted": link("accepted", f.RegionID),
		"decisions": link("decided", f.RegionID), "decisions_done": link("done", f.RegionID),
		"meetings": "/deliberation/meetings?" + url.Values{"from": {f.From}, "to": {f.To}}.Encode()}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, path FROM regions WHERE parent_id = $1 ORDER BY code, id`, f.RegionID)
	if err != nil {
		return nil, err
	}
	type child struct {
		id         int64
		name, path string
	}
	var kids []child
	for rows.Next() {
		var c child
		if err := rows.Scan(&c.id, &c.name, &c.path); err != nil {
			rows.Close()
			return nil, err
		}
		kids = append(kids, c)
	}
	rows.Close()
	for _, c := range kids {
		pf, err := s.periodFigures(ctx, c.path, from, to)
		if err != nil {
			return nil, err
		}
		out.Children = append(out.Children, RegionFigures{RegionID: c.id, RegionName: c.name, PeriodFigures: *pf, Link: link("", c.id)})
	}
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

// periodFigures counts the records of the regions under path in [from, to).
func (s *Service) periodFigures(ctx context.Context, path string, from, to time.Time) (*PeriodFigures, error) {
	var a db.Args
	scope := db.InScope("t.region_id", a.Add(path+"%"))
	f, t := a.Add(from), a.Add(to)
	in := func(col string) string {
		return `CASE WHEN ` + col + ` >= ` + f + ` AND ` + col + ` < ` + t + ` THEN 1 END`
	}
	var pf PeriodFigures
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(`+in("t.created_at")+`), COUNT(`+in("t.accepted_at")+`),
		COUNT(`+in("d.created_at")+`)
		FROM delib_topics t LEFT JOIN delib_decisions d ON d.topic_id = t.id WHERE `+scope, a...).
		Scan(&pf.Topics, &pf.Accepted, &pf.Decisions)
	if err != nil {
		return nil, fmt.Errorf("topic figures: %w", err)
	}
	// On time is the done day (Asia/Shanghai) against the due day, compared in Go.
	rows, err := s.db.R.QueryContext(ctx, `SELECT d.done_at, d.due_on FROM delib_decisions d JOIN delib_topics t ON t.id = d.topic_id
		WHERE `+scope+` AND d.done_at >= `+f+` AND d.done_at < `+t, a...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var done time.Time
		var due string
		if err := rows.Scan(&done, &due); err != nil {
			rows.Close()
			return nil, err
		}
		pf.DecisionsDone++
		if done.In(shanghai).Format(time.DateOnly) <= due {
			pf.OnTime++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM delib_supports s JOIN delib_topics t ON t.id = s.topic_id
		WHERE `+scope+` AND s.created_at >= `+f+` AND s.created_at < `+t, a...).Scan(&pf.Supports); err != nil {
		return nil, err
	}
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN r.score >= 4 THEN 1 END) FROM delib_ratings r
		JOIN delib_topics t ON t.id = r.topic_id WHERE `+scope+` AND r.created_at >= `+f+` AND r.created_at < `+t, a...).
		Scan(&pf.Ratings, &pf.Content); err != nil {
		return nil, err
	}
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN q.answered_at <= q.due_at THEN 1 END)
		FROM delib_questions q JOIN delib_decisions d ON d.id = q.decision_id JOIN delib_topics t ON t.id = d.topic_id
		WHERE `+scope+` AND q.asked_at >= `+f+` AND q.asked_at < `+t, a...).Scan(&pf.Questions, &pf.AnsweredOnTime); err != nil {
		return nil, err
	}
	var b db.Args
	mscope := db.InScope("m.region_id", b.Add(path+"%"))
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT m.id), COUNT(x.id), COUNT(x.attended_at) FROM delib_meetings m
		LEFT JOIN delib_participants x ON x.meeting_id = m.id WHERE `+mscope+` AND m.state <> 'cancelled'
		AND m.starts_at >= `+b.Add(from)+` AND m.starts_at < `+b.Add(to), b...).Scan(&pf.Meetings, &pf.Invited, &pf.Attended); err != nil {
		return nil, err
	}
	return &pf, nil
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(d)*1000) / 1000
}
