package cobuild

import (
	"context"
	"fmt"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Home is a unit contact's today page: their unit and agreement, what the unit is doing, what is
// due, and the open needs they may claim.
type Home struct {
	Unit       *Unit
	Today      string
	Claimed    []Need      // the unit's needs not yet met
	OpenNeeds  []Need      // needs open to claim
	OpenTotal  int         // all open needs, of which OpenNeeds is the first page
	Milestones []Milestone // the unit's projects' milestones not yet done, overdue first
	Decisions  []Decision  // open decisions the unit owns
	Meeting    *Meeting    // the next joint meeting, if one is scheduled
	// MemberMinutes is this year's approved service time of the unit's in-service members.
	MemberMinutes int
}

// HomeFor returns the signed-in unit contact's home page.
func (s *Service) HomeFor(ctx context.Context) (*Home, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildClaim)
	if err != nil {
		return nil, err
	}
	if v.staff() {
		return nil, errs.E(errs.NotFound, "共建单位不存在")
	}
	h := &Home{Today: s.today()}
	if h.Unit, err = s.unitFor(ctx, s.db.R, v, v.unitID); err != nil {
		return nil, err
	}
	w := &where{}
	needScope(w, v)
	w.add("n.unit_id = ?", v.unitID)
	w.conds = append(w.conds, "n.state IN ('claimed', 'in_progress')")
	if h.Claimed, _, err = listNeeds(ctx, s.db.R, w, "", 50, 0); err != nil {
		return nil, err
	}
	if h.OpenNeeds, h.OpenTotal, err = s.Needs(ctx, NeedFilter{State: Raised, Limit: 10}); err != nil {
		return nil, err
	}
	mw := &where{}
	mw.add("p.unit_id = ?", v.unitID)
	mw.conds = append(mw.conds, "m.done_on = ''")
	if h.Milestones, err = milestones(ctx, s.db.R, mw); err != nil {
		return nil, err
	}
	if h.Decisions, _, err = s.Decisions(ctx, DecisionFilter{State: "open"}); err != nil {
		return nil, err
	}
	next, _, err := s.Meetings(ctx, MeetingFilter{State: "scheduled", From: h.Today})
	if err != nil {
		return nil, err
	}
	if len(next) > 0 {
		h.Meeting = &next[len(next)-1] // the list is latest first: the last is the next to come
	}
	year := h.Today[:4]
	h.MemberMinutes, err = memberMinutes(ctx, s.db.R, v.unitID, year+"-01-01", year+"-12-31")
	return h, err
}

// OverdueMilestones lists the milestones past their due date and not done of the projects the
// viewer may see (a unit contact: their unit's), most overdue first — the community's queue.
func (s *Service) OverdueMilestones(ctx context.Context) ([]Milestone, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	w := &where{}
	projectScope(w, v)
	w.conds = append(w.conds, "m.done_on = ''", "p.state IN ('approved', 'in_progress')")
	w.add("m.due_on < ?", s.today())
	return milestones(ctx, s.db.R, w)
}

// MyUnit returns the unit the signed-in unit contact acts for, 0 for anyone else.
func (s *Service) MyUnit(ctx context.Context) int64 {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildClaim)
	if err != nil {
		return 0
	}
	return v.unitID
}

func memberMinutes(ctx context.Context, q db.Querier, unitID int64, from, to string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(sh.minutes), 0) FROM service_hours sh
		JOIN cobuild_unit_members um ON um.member_id = sh.member_id
		WHERE um.unit_id = $1 AND sh.status = 'approved' AND sh.served_on >= $2 AND sh.served_on <= $3`, unitID, from, to).Scan(&n)
	return n, err
}

// ServiceCard is a unit's quarterly service card 服务反馈单: what it and its in-service members did
// for the community in a quarter, sent back to the unit's own party organisation.
type ServiceCard struct {
	Unit       *Unit
	Year       int
	Quarter    int
	From, To   string
	Needs      []Need     // needs the unit claimed in the quarter
	Met        int        // of which met
	Projects   []Project  // projects the unit carried in the quarter
	Activities []Activity // activities the unit took part in
	Decisions  []Decision // decisions the unit closed in the quarter
	Members    []MemberService
	Issued     string
}

// MemberService is one in-service member's approved service in the card's quarter.
type MemberService struct {
	Name    string
	Times   int
	Minutes int
}

// Hours is the member's service time in hours.
func (m MemberService) Hours() float64 { return float64(m.Minutes) / 60 }

// Quarter returns the quarter's first and last day.
func Quarter(year, q int) (string, string) {
	start := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
	return start.Format(time.DateOnly), start.AddDate(0, 3, -1).Format(time.DateOnly)
}

// ServiceCard builds a unit's card for a quarter (1–4). A unit contact gets their own unit's;
// the community any of its units'.
func (s *Service) ServiceCard(ctx context.Context, unitID int64, year, quarter int) (*ServiceCard, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	if !v.staff() {
		unitID = v.unitID
	}
	if quarter < 1 || quarter > 4 || year < 2000 || year > 2100 {
		return nil, errs.E(errs.Invalid, "请选择正确的年度和季度")
	}
	c := &ServiceCard{Year: year, Quarter: quarter, Issued: s.today()}
	c.From, c.To = Quarter(year, quarter)
	if c.Unit, err = s.unitFor(ctx, s.db.R, v, unitID); err != nil {
		return nil, err
	}
	if c.Needs, _, err = s.Needs(ctx, NeedFilter{UnitID: unitID, By: "claimed", From: c.From, To: c.To}); err != nil {
		return nil, err
	}
	for _, n := range c.Needs {
		if n.DoneOn != "" && n.DoneOn <= c.To {
			c.Met++
		}
	}
	pw := &where{}
	projectScope(pw, v)
	pw.add("p.unit_id = ?", unitID)
	pw.add("p.started_on <= ?", c.To)
	pw.add("(p.finished_on = '' OR p.finished_on >= ?)", c.From)
	if c.Projects, _, err = listProjects(ctx, s.db.R, pw, 0, 0); err != nil {
		return nil, err
	}
	if c.Activities, _, err = s.Activities(ctx, ActivityFilter{UnitID: unitID, From: c.From, To: c.To}); err != nil {
		return nil, err
	}
	dw := &where{}
	decisionScope(dw, v)
	dw.add("d.unit_id = ?", unitID)
	dw.add("d.closed_on >= ?", c.From)
	dw.add("d.closed_on <= ?", c.To)
	if c.Decisions, _, err = listDecisions(ctx, s.db.R, dw, 0, 0); err != nil {
		return nil, err
	}
	c.Members, err = memberServices(ctx, s.db.R, unitID, c.From, c.To)
	return c, err
}

func memberServices(ctx context.Context, q db.Querier, unitID int64, from, to string) ([]MemberService, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.name, COUNT(*), SUM(sh.minutes) FROM service_hours sh
		JOIN cobuild_unit_members um ON um.member_id = sh.member_id JOIN party_members m ON m.id = sh.member_id
		WHERE um.unit_id = $1 AND sh.status = 'approved' AND sh.served_on >= $2 AND sh.served_on <= $3
		GROUP BY m.id, m.name ORDER BY SUM(sh.minutes) DESC, m.name`, unitID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []MemberService{}
	for rows.Next() {
		var m MemberService
		if err := rows.Scan(&m.Name, &m.Times, &m.Minutes); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Title is the card's heading.
func (c *ServiceCard) Title() string {
	return fmt.Sprintf("%s%d年第%d季度共驻共建服务反馈单", c.Unit.Name, c.Year, c.Quarter)
}

// TotalMinutes is the members' service time on the card.
func (c *ServiceCard) TotalMinutes() int {
	n := 0
	for _, m := range c.Members {
		n += m.Minutes
	}
	return n
}
