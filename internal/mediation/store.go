package mediation

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

const caseColumns = `m.id, m.number, m.community_id, c.name, c.path, m.grid_id, m.household_id, m.case_id, m.source,
	m.type_code, t.name, m.title, m.facts, m.state, m.outcome, m.lead_mediator_id, COALESCE(u.name, ''), m.registered_on,
	m.accepted_on, m.due_on, m.extended, m.closed_on, m.referral, m.close_reason, m.agreement_facts, m.agreement_text,
	m.amount, m.signed_on, m.confirmation, m.followup_due, m.performance, m.prevented_criminal, m.prevented_petition,
	m.prevented_people, m.prevented_reason, m.reopen_count, m.archived_on, m.version`

const caseFrom = ` FROM mediation_cases m JOIN regions c ON c.id = m.community_id
	JOIN mediation_types t ON t.code = m.type_code LEFT JOIN users u ON u.id = m.lead_mediator_id`

func scanCase(sc interface{ Scan(...any) error }) (*Case, error) {
	var c Case
	err := sc.Scan(&c.ID, &c.Number, &c.CommunityID, &c.CommunityName, &c.regionPath, &c.GridID, &c.HouseholdID, &c.CaseID,
		&c.Source, &c.TypeCode, &c.TypeName, &c.Title, &c.Facts, &c.State, &c.Outcome, &c.LeadMediatorID, &c.LeadMediator,
		&c.RegisteredOn, &c.AcceptedOn, &c.DueOn, &c.Extended, &c.ClosedOn, &c.Referral, &c.CloseReason, &c.AgreementFacts,
		&c.AgreementText, &c.Amount, &c.SignedOn, &c.Confirmation, &c.FollowupDue, &c.Performance, &c.PreventedCriminal,
		&c.PreventedPetition, &c.PreventedPeople, &c.PreventedReason, &c.ReopenCount, &c.ArchivedOn, &c.Version)
	if err != nil {
		return nil, err
	}
	c.SourceLabel, c.StateLabel = c.Source.Label(), c.State.Label()
	return &c, nil
}

// visible loads case id when the viewer may see it; anything else is not found.
func (s *Service) visible(ctx context.Context, q db.Querier, v *viewer, id int64) (*Case, error) {
	a := &db.Args{}
	cond := v.scope(a)
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE m.id = `+a.Add(id)+` AND `+cond, *a...))
	if err != nil {
		return nil, db.NotFound(err, "调解案件不存在")
	}
	c.computeClocks(s.Today())
	if v.redacted {
		redact(c)
	}
	return c, nil
}

// redact leaves only that a case exists: number, place, dates and state.
func redact(c *Case) {
	*c = Case{ID: c.ID, Number: c.Number, CommunityID: c.CommunityID, CommunityName: c.CommunityName, GridID: c.GridID,
		HouseholdID: c.HouseholdID, State: c.State, StateLabel: c.StateLabel, RegisteredOn: c.RegisteredOn,
		Source: c.Source, SourceLabel: c.SourceLabel, Title: "（调解案件，内容不公开）"}
}

// Filter selects cases for a list; the figure filters (Figure, From, To) select exactly what a
// figure counts, so that every figure drills down to its cases.
type Filter struct {
	State       State
	Source      Source
	TypeCode    string
	MediatorID  int64
	ExpertID    int64
	GridID      int64
	HouseholdID int64
	CaseID      int64
	RegionID    int64  // a community, street or district in scope
	Figure      string // received, accepted, agreements, failed, concluded, prevented_criminal, prevented_petition, open, near_limit, followup_due
	From, To    string // YYYY-MM-DD, the period the figure counts in
	Query       string
	Limit       int
	Offset      int
}

// FilterFrom reads a filter from query parameters (the list page, the API and figure links).
func FilterFrom(q url.Values) Filter {
	n := func(k string) int64 { v, _ := strconv.ParseInt(q.Get(k), 10, 64); return v }
	return Filter{State: State(q.Get("state")), Source: Source(q.Get("source")), TypeCode: q.Get("type"),
		MediatorID: n("mediator"), ExpertID: n("expert"), GridID: n("grid"), HouseholdID: n("household"), CaseID: n("case"),
		RegionID: n("region"), Figure: q.Get("figure"), From: q.Get("from"), To: q.Get("to"), Query: strings.TrimSpace(q.Get("q"))}
}

// Values writes the filter back as query parameters (without paging).
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" && v != "0" {
			q.Set(k, v)
		}
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	set("state", string(f.State))
	set("source", string(f.Source))
	set("type", f.TypeCode)
	set("mediator", i(f.MediatorID))
	set("expert", i(f.ExpertID))
	set("grid", i(f.GridID))
	set("household", i(f.HouseholdID))
	set("region", i(f.RegionID))
	set("figure", f.Figure)
	set("from", f.From)
	set("to", f.To)
	set("q", f.Query)
	return q
}

// where builds the list condition for the viewer and filter.
func (f Filter) where(v *viewer, a *db.Args, today string) (string, error) {
	conds := []string{v.scope(a)}
	add := func(c string) { conds = append(conds, c) }
	if f.State != "" {
		add(`m.state = ` + a.Add(string(f.State)))
	}
	if f.Source != "" {
		add(`m.source = ` + a.Add(string(f.Source)))
	}
	if f.TypeCode != "" {
		add(`m.type_code = ` + a.Add(f.TypeCode))
	}
	if f.MediatorID != 0 {
		add(`m.id IN (SELECT mediation_id FROM mediation_mediators WHERE user_id = ` + a.Add(f.MediatorID) + `)`)
	}
	if f.ExpertID != 0 {
		add(`m.id IN (SELECT mediation_id FROM mediation_participants WHERE expert_id = ` + a.Add(f.ExpertID) + `)`)
	}
	if f.GridID != 0 {
		add(`m.grid_id = ` + a.Add(f.GridID))
	}
	if f.HouseholdID != 0 {
		add(`m.household_id = ` + a.Add(f.HouseholdID))
	}
	if f.CaseID != 0 {
		add(`m.case_id = ` + a.Add(f.CaseID))
	}
	if f.RegionID != 0 {
		add(`m.community_id IN (SELECT r.id FROM regions r JOIN regions top ON r.path LIKE top.path || '%' WHERE top.id = ` +
			a.Add(f.RegionID) + `)`)
	}
	if f.Query != "" && !v.redacted {
		like := a.Add("%" + f.Query + "%")
		add(`(m.number LIKE ` + like + ` OR m.title LIKE ` + like + ` OR m.id IN (SELECT mediation_id FROM mediation_parties WHERE name LIKE ` + like + `))`)
	}
	if f.Figure != "" {
		c, err := figureCond(a, f.Figure, f.From, f.To, today)
		if err != nil {
			return "", err
		}
		add(c)
	}
	return strings.Join(conds, " AND "), nil
}

// List returns a page of the cases the principal may see, newest first, with the total.
func (s *Service) List(ctx context.Context, f Filter) ([]Case, int, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	a := &db.Args{}
	today := s.Today()
	where, err := f.where(v, a, today)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_cases m WHERE `+where, *a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count mediation: %w", err)
	}
	order := ` ORDER BY m.registered_on DESC, m.id DESC`
	if f.Figure == "near_limit" || f.Figure == "open" {
		order = ` ORDER BY m.due_on, m.id`
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE `+where+order+
		` LIMIT `+a.Add(f.Limit)+` OFFSET `+a.Add(f.Offset), *a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list mediation: %w", err)
	}
	defer rows.Close()
	items := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		c.computeClocks(today)
		if v.redacted {
			redact(c)
		}
		items = append(items, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if !v.redacted {
		if err := s.partyNames(ctx, v, items, today); err != nil {
			return nil, 0, err
		}
	}
	return items, total, nil
}

// partyNames fills "甲 与 乙" for list rows, minors shortened for those without the permission.
func (s *Service) partyNames(ctx context.Context, v *viewer, items []Case, today string) error {
	for i := range items {
		ps, err := loadParties(ctx, s.db.R, v.p, items[i].ID, today)
		if err != nil {
			return err
		}
		var app, resp []string
		for _, p := range ps {
			if p.Side == "respondent" {
				resp = append(resp, p.Name)
			} else {
				app = append(app, p.Name)
			}
		}
		items[i].PartyNames = strings.Join(app, "、") + " 与 " + strings.Join(resp, "、")
	}
	return nil
}

// Get returns the whole case file for a principal who sees it, and audits the view.
func (s *Service) Get(ctx context.Context, id int64) (*Detail, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	d, err := s.detail(ctx, s.db.R, v, id)
	if err != nil {
		return nil, err
	}
	if !v.redacted {
		err = audit.Record(ctx, s.db.W, audit.Entry{Action: "mediation.view", ObjectType: "mediation", ObjectID: id,
			RegionID: d.CommunityID, Detail: d.Number})
	}
	return d, err
}

// detail loads a visible case with everything its file holds.
func (s *Service) detail(ctx context.Context, q db.Querier, v *viewer, id int64) (*Detail, error) {
	c, err := s.visible(ctx, q, v, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Case: *c, Parties: []Party{}, Mediators: []Mediator{}, Participants: []Participant{}, Records: []Record{},
		Terms: []Term{}, Followups: []Followup{}, Events: []Event{}, Actions: []Action{}, Documents: []Document{},
		Missing: []string{}}
	if v.redacted {
		return d, nil
	}
	today := s.Today()
	if d.Parties, err = loadParties(ctx, q, v.p, id, today); err != nil {
		return nil, err
	}
	if err := loadChildren(ctx, q, d); err != nil {
		return nil, err
	}
	manual, err := loadDocuments(ctx, q, id)
	if err != nil {
		return nil, err
	}
	d.Documents, d.Missing = contents(d, manual)
	if d.Missing == nil {
		d.Missing = []string{}
	}
	var names []string
	for _, p := range d.Parties {
		names = append(names, p.Name)
	}
	d.PartyNames = strings.Join(names, "、")
	if v.p.Can(auth.MediationWrite) && v.expertID == 0 {
		for _, a := range Actions {
			if Allowed(a, d.State) == nil {
				d.Actions = append(d.Actions, a)
			}
		}
	}
	return d, nil
}

// loadChildren reads a case's mediators, participants, records, terms, follow-ups and timeline.
func loadChildren(ctx context.Context, q db.Querier, d *Detail) error {
	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, d.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	steps := []struct {
		q    string
		scan func(*sql.Rows) error
	}{
		{`SELECT mm.user_id, u.name, mm.lead FROM mediation_mediators mm JOIN users u ON u.id = mm.user_id
			WHERE mm.mediation_id = $1 ORDER BY mm.lead DESC, u.name`, func(r *sql.Rows) error {
			var m Mediator
			err := r.Scan(&m.UserID, &m.Name, &m.Lead)
			d.Mediators = append(d.Mediators, m)
			return err
		}},
		{`SELECT id, kind, expert_id, name, relation, consent_note, invited_on FROM mediation_participants
			WHERE mediation_id = $1 ORDER BY invited_on, id`, func(r *sql.Rows) error {
			var p Participant
			err := r.Scan(&p.ID, &p.Kind, &p.ExpertID, &p.Name, &p.Relation, &p.ConsentNote, &p.InvitedOn)
			d.Participants = append(d.Participants, p)
			return err
		}},
		{`SELECT id, kind, held_on, place, attendees, content, result FROM mediation_records
			WHERE mediation_id = $1 ORDER BY held_on, id`, func(r *sql.Rows) error {
			var x Record
			err := r.Scan(&x.ID, &x.Kind, &x.HeldOn, &x.Place, &x.Attendees, &x.Content, &x.Result)
			d.Records = append(d.Records, x)
			return err
		}},
		{`SELECT content, method, due_on FROM mediation_terms WHERE mediation_id = $1 ORDER BY sort, id`, func(r *sql.Rows) error {
			var t Term
			err := r.Scan(&t.Content, &t.Method, &t.DueOn)
			d.Terms = append(d.Terms, t)
			return err
		}},
		{`SELECT id, done_on, performance, satisfaction, note FROM mediation_followups WHERE mediation_id = $1
			ORDER BY done_on, id`, func(r *sql.Rows) error {
			var f Followup
			err := r.Scan(&f.ID, &f.DoneOn, &f.Performance, &f.Satisfaction, &f.Note)
			d.Followups = append(d.Followups, f)
			return err
		}},
		{`SELECT at, actor_name, action, from_state, to_state, note FROM mediation_events WHERE mediation_id = $1
			ORDER BY at, id`, func(r *sql.Rows) error {
			var e Event
			err := r.Scan(&e.At, &e.ActorName, &e.Action, &e.FromState, &e.ToState, &e.Note)
			d.Events = append(d.Events, e)
			return err
		}},
	}
	for _, st := range steps {
		if err := each(st.q, st.scan); err != nil {
			return fmt.Errorf("load mediation %d: %w", d.ID, err)
		}
	}
	return nil
}

func loadDocuments(ctx context.Context, q db.Querier, id int64) (map[string]Document, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, note, added_on FROM mediation_documents WHERE mediation_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Document{}
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.Kind, &d.Note, &d.AddedOn); err != nil {
			return nil, err
		}
		out[d.Kind] = d
	}
	return out, rows.Err()
}

// errConflict is the answer to a change made on a stale version of a case.
func errConflict() error {
	return errs.E(errs.Conflict, "案件已被他人修改，请刷新后重试")
}
