package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/web"
	"linli/internal/workday"
)

// Enqueuer writes a durable job inside the caller's transaction (jobs.Enqueue with jobs.Unique(key)
// and jobs.Replace() fits): the job runs at runAt with payload marshalled to JSON, and a pending
// job of the same kind and key is moved rather than doubled.
type Enqueuer func(ctx context.Context, q db.Querier, kind, key string, payload any, runAt time.Time) error

// Notice is an in-app notification about a case.
type Notice struct {
	Kind     string
	Title    string
	Body     string
	Link     string
	RegionID int64
}

// Notifier writes an in-app notification to a user inside the caller's transaction
// (notify.Notify fits).
type Notifier func(ctx context.Context, q db.Querier, userID int64, n Notice) error

// Locator finds the grid whose boundary contains a WGS-84 point, within a community when
// communityID is not 0 (register.Service.LocateGrid fits).
type Locator func(ctx context.Context, lon, lat float64, communityID int64) (gridID int64, ok bool, err error)

// Options are the collaborators of the service; every field is optional.
type Options struct {
	// DataDir is where photos are stored (under cases/).
	DataDir string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Calendar returns the working-day calendar; when nil, the database calendar cached by a
	// workday.Service of the service's own.
	Calendar func(ctx context.Context) (*workday.Calendar, error)
	Enqueue  Enqueuer
	Notify   Notifier
	Locator  Locator
	// MaxExtensionDays is the most working days an extension may add to the handle deadline;
	// DefaultMaxExtensionDays when 0.
	MaxExtensionDays int
}

// DefaultMaxExtensionDays bounds an extension when Options.MaxExtensionDays is not set: 30
// working days, about six weeks.
const DefaultMaxExtensionDays = 30

// Service is the cases capability: every use case of DOMAIN.md's "Residents' requests".
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
	opts   Options

	mu    sync.Mutex
	stmts *stmtCache

	countCap   int         // ListCountCap; tests lower it
	queueCap   int         // QueueListCap; tests lower it
	walk       int         // listWalk; tests lower it
	noTally    bool        // figures from the cases alone (tests compare the case tally with them)
	tallyBuilt atomic.Bool // the case tally was seen built (it stays so)

	public *web.Limiter // publicLimiter
	lookup *web.Limiter // lookupLimiter
}

// NewService returns the cases service.
func NewService(d *db.DB, sealer *pii.Sealer, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Calendar == nil {
		opts.Calendar = workday.NewService(d).Calendar
	}
	s := &Service{db: d, sealer: sealer, opts: opts, countCap: ListCountCap, queueCap: QueueListCap, walk: listWalk}
	if d.Dialect == db.SQLite {
		s.stmts = &stmtCache{w: d.W, m: map[string]*sql.Stmt{}}
	}
	return s
}

// now is the service clock in UTC on whole seconds, so stored times compare exactly in SQLite.
func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// Calendar returns the working-day calendar in force.
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, error) {
	cal, err := s.opts.Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	return cal, nil
}

func principal(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	return p, nil
}

// assigneeOf tells what active tasks p holds on the case: whether any, whether the lead one, and
// whether one of them is pending and p may sign it.
func assigneeOf(ctx context.Context, q db.Querier, p *auth.Principal, caseID int64) (Actor, error) {
	actor := Actor{Principal: p}
	rows, err := q.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM case_assignments
		WHERE case_id = $1 AND status IN ('pending','signed')`, caseID)
	if err != nil {
		return actor, fmt.Errorf("assignments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return actor, err
		}
		if holds(p, a) {
			actor.Assignee = true
			actor.LeadAssignee = actor.LeadAssignee || a.Role == "lead"
			actor.Signable = actor.Signable || (a.Status == "pending" && signs(p, a))
		}
	}
	return actor, rows.Err()
}

// signs reports whether p signs for a task p holds: a grid's task is signed by its leader only.
func signs(p *auth.Principal, a *Assignment) bool {
	return a.TargetKind != "grid" || p.Role == auth.GridLeader
}

// holds reports whether the task targets p: the user, a worker or leader of the grid, or a contact
// of the unit or department.
func holds(p *auth.Principal, a *Assignment) bool {
	switch a.TargetKind {
	case "user":
		return a.TargetUserID != nil && *a.TargetUserID == p.UserID
	case "grid":
		return a.TargetGridID != nil && *a.TargetGridID == p.RegionID && (p.Role == auth.GridLeader || p.Role == auth.GridWorker)
	case "unit":
		return p.Role == auth.UnitContact && p.OrgName != "" && p.OrgName == a.TargetName
	case "department":
		return p.Role == auth.Department && p.OrgName != "" && p.OrgName == a.TargetName
	}
	return false
}

// visible loads a case the principal may see: one they hold a task on, one in their role's scope
// (roleSees), or one they acted on before (read only). Anything else is not found.
func visible(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Case, Actor, error) {
	c, err := loadCase(ctx, q, id)
	if err != nil {
		return nil, Actor{}, err
	}
	if err := loadMain(ctx, q, c); err != nil {
		return nil, Actor{}, err
	}
	actor, err := assigneeOf(ctx, q, p, id)
	if err != nil {
		return nil, Actor{}, err
	}
	if actor.Assignee {
		return c, actor, nil
	}
	sees, err := roleSees(ctx, q, p, c)
	if err != nil {
		return nil, Actor{}, err
	}
	if sees {
		return c, actor, nil
	}
	var acted int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM case_events WHERE user_id = $1 AND case_id = $2
		UNION ALL SELECT 1 FROM case_assignments WHERE target_user_id = $1 AND case_id = $2) x`, p.UserID, id).Scan(&acted); err != nil {
		return nil, Actor{}, fmt.Errorf("acted on case: %w", err)
	}
	if acted == 0 {
		return nil, Actor{}, errs.E(errs.NotFound, "案件不存在或您无权查看")
	}
	actor.ReadOnly = true
	return c, actor, nil
}

// loadMain notes, for a case merged into another, whether that main case closed handled.
func loadMain(ctx context.Context, q db.Querier, c *Case) error {
	if c.MergedInto == nil {
		return nil
	}
	var state State
	var outcome Outcome
	if err := q.QueryRowContext(ctx, `SELECT state, outcome FROM cases WHERE id = $1`, *c.MergedInto).Scan(&state, &outcome); err != nil {
		return fmt.Errorf("main case of %d: %w", c.ID, err)
	}
	c.mainHandled = state == Closed && outcome.Handled()
	return nil
}

// roleSees reports whether the case lies in the principal's scope as their role draws it: unit and
// department contacts see only what is dispatched to their organisation (their tasks); a mediator
// sees the disputes of their region and the cases referred to mediation; everyone else sees their
// region's subtree.
func roleSees(ctx context.Context, q db.Querier, p *auth.Principal, c *Case) (bool, error) {
	switch p.Role {
	case auth.UnitContact, auth.Department:
		return false, nil
	case auth.Mediator:
		if !p.Covers(c.regionPath) {
			return false, nil
		}
		var n int
		err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE c.id = $1 AND `+mediatorCond, c.ID).Scan(&n)
		return n > 0, err
	}
	return p.Covers(c.regionPath), nil
}

// mediatorCond selects, of the cases c in a mediator's region, those a mediator works with: the
// disputes (邻里纠纷) they may refer into mediation and the cases referred already.
const mediatorCond = `(c.category_id IN (SELECT id FROM case_categories WHERE code = 'dispute' OR code LIKE 'dispute.%')
	OR EXISTS (SELECT 1 FROM mediation_cases mc WHERE mc.case_id = c.id))`

// Get returns a case with its timeline, tasks, photos, callbacks, merged cases and the actions the
// principal may take now.
func (s *Service) Get(ctx context.Context, id int64) (*Detail, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	c, actor, err := visible(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	c.ComputeSLA(cal, s.now())
	hideMinor(p, c, s.now())
	d := &Detail{Case: *c}
	if d.Events, err = listEvents(ctx, s.db.R, id, false); err != nil {
		return nil, err
	}
	if d.Assignments, err = listAssignments(ctx, s.db.R, id); err != nil {
		return nil, err
	}
	if d.Attachments, err = listAttachments(ctx, s.db.R, id); err != nil {
		return nil, err
	}
	if d.Callbacks, err = listCallbacks(ctx, s.db.R, id); err != nil {
		return nil, err
	}
	if d.Merged, err = listMerged(ctx, s.db.R, id); err != nil {
		return nil, err
	}
	d.Actions = []Action{}
	for _, a := range Actions {
		if Check(a, c, actor) == nil {
			d.Actions = append(d.Actions, a)
		}
	}
	return d, nil
}

// auditView is the part of a case the audit log keeps before and after an action; the reporter's
// phone is already masked.
func auditView(c *Case) map[string]any {
	return map[string]any{"number": c.Number, "state": c.State, "outcome": c.Outcome, "region_id": c.RegionID,
		"grid_id": c.GridID, "category_id": c.CategoryID, "priority": c.Priority, "handler_id": c.HandlerID,
		"handle_deadline": c.HandleDeadline, "supervised": c.Supervised, "reopen_count": c.ReopenCount,
		"version": c.Version}
}

// record writes the timeline row and the audit row of an action on c.
func record(ctx context.Context, tx db.Querier, c *Case, e *Event, before map[string]any) (int64, error) {
	id, err := insertEvent(ctx, tx, c, e)
	if err != nil {
		return 0, err
	}
	detail := e.Note
	if e.Detail != "" {
		detail = e.Detail
	}
	err = audit.Record(ctx, tx, audit.Entry{Action: "case." + string(e.Action), ObjectType: "case", ObjectID: c.ID,
		RegionID: c.RegionID, Detail: detail, Before: before, After: auditView(c)})
	return id, err
}

func detailJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
