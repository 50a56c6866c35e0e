package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/workday"
)

// Options are the collaborators of the service; every field is optional.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Calendar returns the working-day calendar follow-ups are due on; the database's when nil.
	Calendar func(ctx context.Context) (*workday.Calendar, error)
	// Cases notes a referred residents' case in the registration's transaction; without it a
	// registration naming a case is refused.
	Cases *cases.Service
}

// Service is people's mediation: every use case of DOMAIN.md's "Mediation".
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
	opts   Options
}

// NewService returns the mediation service.
func NewService(d *db.DB, sealer *pii.Sealer, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Calendar == nil {
		opts.Calendar = func(ctx context.Context) (*workday.Calendar, error) { return workday.Load(ctx, d) }
	}
	return &Service{db: d, sealer: sealer, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// Today is the service's date in Asia/Shanghai (YYYY-MM-DD).
func (s *Service) Today() string { return clock.Date(s.opts.Now()) }

// viewer is the principal with what mediation lets them see: an expert (a user linked to the
// pool) sees only the cases they were invited to; a screening-only user (grid worker) sees only
// that a case exists for a household of their grid.
type viewer struct {
	p        *auth.Principal
	expertID int64
	redacted bool
}

func (s *Service) viewer(ctx context.Context, q db.Querier) (*viewer, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	v := &viewer{p: p}
	if !p.Can(auth.MediationRead) {
		if !p.Can(auth.MediationScreen) {
			return nil, errs.E(errs.Forbidden, "您的角色（%s）无权查看人民调解", p.Role.Label())
		}
		v.redacted = true
		return v, nil
	}
	err := q.QueryRowContext(ctx, `SELECT id FROM mediation_experts WHERE user_id = $1 AND active`, p.UserID).Scan(&v.expertID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return v, nil
}

// scope is the SQL condition on cases aliased m that the viewer may see.
func (v *viewer) scope(a *db.Args) string {
	switch {
	case v.redacted:
		return db.InScope("m.grid_id", a.Add(v.p.Scope()))
	case v.expertID != 0:
		return `m.id IN (SELECT mediation_id FROM mediation_participants WHERE expert_id = ` + a.Add(v.expertID) + `)`
	}
	return db.InScope("m.community_id", a.Add(v.p.Scope()))
}

// writer returns the viewer when they may change cases: mediators and admins, never an expert
// (who joins a case but does not run it) or a screening-only user.
func (s *Service) writer(ctx context.Context, q db.Querier) (*viewer, error) {
	v, err := s.viewer(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := v.p.Require(auth.MediationWrite); err != nil {
		return nil, err
	}
	if v.expertID != 0 {
		return nil, errs.E(errs.Forbidden, "智囊团专家只能查阅受邀参加的案件")
	}
	return v, nil
}

// community resolves the committee a registration belongs to: the one named, or the principal's
// own (a grid user's parent community). Outside the scope it is not found.
func community(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (int64, string, error) {
	if id == 0 {
		switch p.RegionLevel {
		case "community":
			id = p.RegionID
		case "grid":
			if err := q.QueryRowContext(ctx, `SELECT parent_id FROM regions WHERE id = $1`, p.RegionID).Scan(&id); err != nil {
				return 0, "", err
			}
		default:
			return 0, "", errs.Field("community_id", "请选择调解委员会所在社区")
		}
	}
	var level, path, name string
	err := q.QueryRowContext(ctx, `SELECT level, path, name FROM regions WHERE id = $1`, id).Scan(&level, &path, &name)
	if err != nil || level != "community" || !p.Covers(path) {
		return 0, "", errs.Field("community_id", "社区不存在或不在您的管辖范围内")
	}
	return id, name, nil
}

// nextNumber hands out the next file number of a community's year: (2026)南人调字第N号.
func nextNumber(ctx context.Context, tx *db.Tx, communityID int64, communityName string, year int) (string, int, error) {
	short := ""
	err := tx.QueryRowContext(ctx, `SELECT short_name FROM mediation_committees WHERE community_id = $1`, communityID).Scan(&short)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", 0, err
	}
	if short == "" {
		r, _ := utf8.DecodeRuneInString(communityName)
		short = string(r)
	}
	var n int
	err = tx.QueryRowContext(ctx, `INSERT INTO mediation_counters (community_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (community_id, year) DO UPDATE SET last = mediation_counters.last + 1 RETURNING last`,
		communityID, year).Scan(&n)
	if err != nil {
		return "", 0, fmt.Errorf("mediation counter: %w", err)
	}
	return FormatNumber(year, short, n), n, nil
}

// SetShortName sets the committee short name used in file numbers, for a community in scope.
func (s *Service) SetShortName(ctx context.Context, communityID int64, short string) error {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return err
	}
	short = strings.TrimSpace(short)
	if n := utf8.RuneCountInString(short); n == 0 || n > 6 {
		return errs.Field("short_name", "调解委员会简称应为1至6个字")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		cid, _, err := community(ctx, tx, v.p, communityID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_committees (community_id, short_name) VALUES ($1, $2)
			ON CONFLICT (community_id) DO UPDATE SET short_name = excluded.short_name`, cid, short); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "mediation.committee.update", ObjectType: "region",
			ObjectID: cid, RegionID: cid, After: map[string]any{"short_name": short}})
	})
}

// Register records a new case (受理登记) with its parties, mediators and consent so far; a
// registration naming a residents' case notes that case in the same transaction ("已转人民调解"),
// so the two are linked both ways. Anything invalid writes nothing.
func (s *Service) Register(ctx context.Context, in Registration) (*Detail, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(s.Today()); err != nil {
		return nil, err
	}
	var cal *workday.Calendar
	if in.CaseID != 0 {
		if s.opts.Cases == nil {
			return nil, errs.Field("case_id", "未启用诉求转调解")
		}
		if cal, err = s.opts.Cases.Calendar(ctx); err != nil {
			return nil, err
		}
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.register(ctx, tx, v, &in, cal)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, s.db.W, v, id)
}

func (s *Service) register(ctx context.Context, tx *db.Tx, v *viewer, in *Registration, cal *workday.Calendar) (int64, error) {
	cid, cname, err := community(ctx, tx, v.p, in.CommunityID)
	if err != nil {
		return 0, err
	}
	var tname string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM mediation_types WHERE code = $1`, in.TypeCode).Scan(&tname); err != nil {
		return 0, db.NotFound(err, "纠纷类型不存在")
	}
	grid, household, err := s.place(ctx, tx, cid, in)
	if err != nil {
		return 0, err
	}
	year, _ := strconv.Atoi(in.RegisteredOn[:4])
	number, serial := strings.TrimSpace(in.Number), 0
	if number == "" {
		if number, serial, err = nextNumber(ctx, tx, cid, cname, year); err != nil {
			return 0, err
		}
	}
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_cases WHERE community_id = $1 AND number = $2`, cid, number).Scan(&dup); err != nil {
		return 0, err
	}
	if dup > 0 {
		return 0, errs.Field("number", "案卷编号"+number+"已存在")
	}
	lead, mediators, err := checkMediators(ctx, tx, v.p, cid, in.LeadMediator, in.Mediators)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO mediation_cases (number, year, serial, community_id, grid_id, household_id,
		case_id, source, type_code, title, facts, state, lead_mediator_id, registered_on, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'registered', $12, $13, $14, $15, $15) RETURNING id`,
		number, year, serial, cid, grid, household, nullID(in.CaseID), in.Source, in.TypeCode, in.Title, in.Facts,
		nullID(lead), in.RegisteredOn, v.p.UserID, now).Scan(&id)
	if db.IsUnique(err) {
		return 0, errs.Field("number", "案卷编号"+number+"已存在")
	}
	if err != nil {
		return 0, fmt.Errorf("insert mediation: %w", err)
	}
	for _, uid := range mediators {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_mediators (mediation_id, user_id, lead) VALUES ($1, $2, $3)`,
			id, uid, uid == lead); err != nil {
			return 0, err
		}
	}
	masked, err := s.insertParties(ctx, tx, id, cid, in.Parties)
	if err != nil {
		return 0, err
	}
	if in.CaseID != 0 {
		if err := s.noteCase(ctx, tx, cal, in.CaseID, id, number); err != nil {
			return 0, err
		}
	}
	if in.ScreeningItemID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE mediation_screening_items SET mediation_id = $1 WHERE id = $2 AND mediation_id IS NULL
			AND screening_id IN (SELECT s.id FROM mediation_screenings s JOIN grids g ON g.id = s.grid_id WHERE g.community_id = $3)`,
			id, in.ScreeningItemID, cid)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return 0, errs.Field("screening_item_id", "排查发现的纠纷不存在或已转调解")
		}
	}
	if err := event(ctx, tx, id, v.p, now, "register", "", Registered, number+" "+tname); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, audit.Entry{Action: "mediation.register", ObjectType: "mediation", ObjectID: id,
		RegionID: cid, Detail: number, After: map[string]any{"number": number, "source": in.Source, "type": in.TypeCode,
			"title": in.Title, "registered_on": in.RegisteredOn, "case_id": in.CaseID, "parties": masked,
			"lead_mediator_id": lead}})
}

// noteCase links the residents' case both ways: the mediation holds case_id, the case's timeline
// says it was referred, in this transaction. A case referred before is a conflict.
func (s *Service) noteCase(ctx context.Context, tx *db.Tx, cal *workday.Calendar, caseID, id int64, number string) error {
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT number FROM mediation_cases WHERE case_id = $1 AND id <> $2`, caseID, id).Scan(&prev)
	if err == nil {
		return errs.E(errs.Conflict, "该诉求已转入人民调解（%s）", prev)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = s.opts.Cases.ActInTx(ctx, tx, cal, caseID, cases.ActNote,
		cases.ActionInput{Note: "已转人民调解，调解案卷编号" + number + "（/mediation/cases/" + strconv.FormatInt(id, 10) + "）"})
	return err
}

// place checks the grid and household a registration names lie in the community; a household
// gives its grid.
func (s *Service) place(ctx context.Context, tx *db.Tx, cid int64, in *Registration) (grid, household any, err error) {
	if in.HouseholdID != 0 {
		var gid, hc int64
		err := tx.QueryRowContext(ctx, `SELECT h.region_id, g.community_id FROM households h JOIN grids g ON g.id = h.region_id
			WHERE h.id = $1`, in.HouseholdID).Scan(&gid, &hc)
		if err != nil || hc != cid {
			return nil, nil, errs.Field("household_id", "住户不存在或不在本社区")
		}
		return gid, in.HouseholdID, nil
	}
	if in.GridID != 0 {
		var gc int64
		if err := tx.QueryRowContext(ctx, `SELECT community_id FROM grids WHERE id = $1`, in.GridID).Scan(&gc); err != nil || gc != cid {
			return nil, nil, errs.Field("grid_id", "网格不存在或不在本社区")
		}
		return in.GridID, nil, nil
	}
	return nil, nil, nil
}

// checkMediators keeps the mediators named who are accounts of the committee's community (the
// registering mediator when none is named); the lead defaults to the first.
func checkMediators(ctx context.Context, tx *db.Tx, p *auth.Principal, cid, lead int64, ids []int64) (int64, []int64, error) {
	if lead != 0 && !containsID(ids, lead) {
		ids = append([]int64{lead}, ids...)
	}
	if len(ids) == 0 {
		if p.Role != auth.Mediator {
			return 0, nil, nil
		}
		ids = []int64{p.UserID}
	}
	var cpath string
	if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, cid).Scan(&cpath); err != nil {
		return 0, nil, err
	}
	for _, uid := range ids {
		var role, path string
		err := tx.QueryRowContext(ctx, `SELECT u.role, r.path FROM users u JOIN regions r ON r.id = u.region_id WHERE u.id = $1 AND u.active`,
			uid).Scan(&role, &path)
		if err != nil || role != string(auth.Mediator) || !strings.HasPrefix(path, cpath) {
			return 0, nil, errs.Field("mediator_ids", "所选调解员不存在或不属于本调解委员会")
		}
	}
	if lead == 0 {
		lead = ids[0]
	}
	return lead, ids, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// event writes one row of a case's timeline.
func event(ctx context.Context, q db.Querier, id int64, p *auth.Principal, at time.Time, action string, fromS, to State, note string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO mediation_events (mediation_id, at, user_id, actor_name, action, from_state, to_state, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, at, p.UserID, p.Name, action, string(fromS), string(to), note)
	return err
}

// FromCase fills a registration from a residents' case the principal sees (a 邻里纠纷 reported on
// patrol or by a resident): source, link, title, facts, place and the reporter as the applicant.
func (s *Service) FromCase(ctx context.Context, caseID int64, r *Registration) error {
	if _, err := s.writer(ctx, s.db.R); err != nil {
		return err
	}
	if s.opts.Cases == nil {
		return errs.E(errs.NotFound, "未启用诉求转调解")
	}
	c, err := s.opts.Cases.Get(ctx, caseID)
	if err != nil {
		return err
	}
	r.Source, r.CaseID, r.Title, r.Facts = SourceCase, c.ID, c.Title, c.Description
	if c.HouseholdID != nil {
		r.HouseholdID = *c.HouseholdID
	} else if c.GridID != nil {
		r.GridID = *c.GridID
	}
	if len(r.Parties) > 0 && c.ReporterName != "" && !c.Anonymous {
		r.Parties[0].Name = c.ReporterName
		if c.ResidentID != nil {
			r.Parties[0].ResidentID = *c.ResidentID
		}
	}
	return nil
}

// FromScreening fills a registration from a dispute found in a screening round of the principal's
// communities: source 走访排查, the description as the facts, its type and household.
func (s *Service) FromScreening(ctx context.Context, itemID int64, r *Registration) error {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return err
	}
	var desc, typ, path string
	var grid int64
	var household *int64
	err = s.db.R.QueryRowContext(ctx, `SELECT i.description, i.type_code, i.household_id, s.grid_id, r.path
		FROM mediation_screening_items i JOIN mediation_screenings s ON s.id = i.screening_id JOIN regions r ON r.id = s.grid_id
		WHERE i.id = $1 AND i.mediation_id IS NULL`, itemID).Scan(&desc, &typ, &household, &grid, &path)
	if err != nil || !v.p.Covers(path) {
		return errs.E(errs.NotFound, "排查发现的纠纷不存在或已转调解")
	}
	r.Source, r.ScreeningItemID, r.TypeCode, r.Facts, r.GridID = SourceVisit, itemID, typ, desc, grid
	r.Title = string([]rune(desc)[:min(utf8.RuneCountInString(desc), 30)])
	if household != nil {
		r.HouseholdID = *household
	}
	return nil
}
