package deliberation

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// Topic is a matter residents deliberate on.
type Topic struct {
	ID           int64      `json:"id"`
	RegionID     int64      `json:"region_id"`
	RegionName   string     `json:"region_name"`
	CommunityID  int64      `json:"community_id"`
	BuildingID   int64      `json:"building_id,omitempty"`
	BuildingName string     `json:"building_name,omitempty"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Source       Source     `json:"source"`
	CaseID       int64      `json:"case_id,omitempty"`
	VisitID      int64      `json:"visit_id,omitempty"`
	RaiserLabel  string     `json:"raiser_label"`
	Threshold    int        `json:"threshold"`
	State        State      `json:"state"`
	OwnerLabel   string     `json:"owner_label"`
	Plan         string     `json:"plan"`
	Summary      string     `json:"summary"`
	Reason       string     `json:"reason"`
	MergedInto   int64      `json:"merged_into,omitempty"`
	Supports     int        `json:"supports"`
	CreatedAt    time.Time  `json:"created_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`

	regionPath string
}

// StateLabel is the topic's state in Chinese.
func (t *Topic) StateLabel() string { return t.State.Label() }

// SourceLabel is who raised it, in Chinese.
func (t *Topic) SourceLabel() string { return t.Source.Label() }

// ScopeLabel names the topic's scope: a building, a grid or the community.
func (t *Topic) ScopeLabel() string {
	if t.BuildingName != "" {
		return t.BuildingName
	}
	return t.RegionName
}

// SupportPct is the support gathered as a share of the threshold, capped at 100.
func (t *Topic) SupportPct() int {
	if t.Threshold <= 0 {
		return 100
	}
	return min(100, t.Supports*100/t.Threshold)
}

const topicCols = `t.id, t.region_id, g.name, g.path, t.community_id, COALESCE(t.building_id, 0), COALESCE(b.name, ''),
	t.title, t.description, t.source, COALESCE(t.case_id, 0), COALESCE(t.visit_id, 0), t.raiser_label, t.threshold, t.state,
	t.owner_label, t.plan, t.summary, t.reason, COALESCE(t.merged_into, 0), t.supports, t.created_at, t.accepted_at,
	t.decided_at, t.done_at, t.updated_at`

const topicFrom = ` FROM delib_topics t JOIN regions g ON g.id = t.region_id LEFT JOIN buildings b ON b.id = t.building_id`

type scanner interface{ Scan(...any) error }

func scanTopic(sc scanner) (*Topic, error) {
	var t Topic
	var acc, dec, done sql.NullTime
	err := sc.Scan(&t.ID, &t.RegionID, &t.RegionName, &t.regionPath, &t.CommunityID, &t.BuildingID, &t.BuildingName,
		&t.Title, &t.Description, &t.Source, &t.CaseID, &t.VisitID, &t.RaiserLabel, &t.Threshold, &t.State,
		&t.OwnerLabel, &t.Plan, &t.Summary, &t.Reason, &t.MergedInto, &t.Supports, &t.CreatedAt, &acc, &dec, &done, &t.UpdatedAt)
	if err != nil {
		return nil, err
	}
	t.AcceptedAt, t.DecidedAt, t.DoneAt = timePtr(acc), timePtr(dec), timePtr(done)
	return &t, nil
}

func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// loadTopic reads a topic the principal sees (nil p: the public, who see every topic).
func loadTopic(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Topic, error) {
	var a db.Args
	where := `t.id = ` + a.Add(id)
	if p != nil {
		where += ` AND ` + visible("t.region_id", p, &a)
	}
	t, err := scanTopic(q.QueryRowContext(ctx, `SELECT `+topicCols+topicFrom+` WHERE `+where, a...))
	if err != nil {
		return nil, db.NotFound(err, "议题不存在")
	}
	return t, nil
}

// manage loads a topic the principal runs: perm, and the topic's region inside their scope.
func manage(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Topic, error) {
	t, err := loadTopic(ctx, q, p, id)
	if err != nil {
		return nil, err
	}
	if !p.Covers(t.regionPath) {
		return nil, errs.E(errs.Forbidden, "只有议题所在社区的工作人员可以办理此项")
	}
	return t, nil
}

// inScope reports whether a household belongs to the topic's scope.
func (t *Topic) inScope(r *Resident) bool {
	if t.BuildingID != 0 {
		return r.BuildingID == t.BuildingID
	}
	return strings.HasPrefix(r.RegionPath, t.regionPath)
}

// CreateTopic records a topic raised by staff, a grid, a party branch, a unit, or on a resident's
// behalf; a resident's topic starts collecting support, others start there too unless accepted.
// Photos of the matter (at most MaxPhotos) are kept with it, or nothing is written.
func (s *Service) CreateTopic(ctx context.Context, in TopicInput, photos ...photo.Photo) (*Topic, error) {
	p, err := principal(ctx, auth.DeliberationRaise)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cleaned, err := cleanPhotos(photos)
	if err != nil {
		return nil, err
	}
	var out *Topic
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if in.RegionID == 0 {
			in.RegionID = p.RegionID
		}
		path, err := regionPath(ctx, tx, in.RegionID)
		if err != nil || !p.Covers(path) && !strings.HasPrefix(p.RegionPath, path) {
			return errs.Field("region_id", "所选范围不在您的管辖范围内")
		}
		label := roleLabel(p)
		var household int64
		if in.ResidentID != 0 {
			var r Resident
			var bname string
			if err := tx.QueryRowContext(ctx, `SELECT h.id, b.name FROM residents r JOIN households h ON h.id = r.household_id
				JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id
				WHERE r.id = $1 AND g.path LIKE $2`, in.ResidentID, path+"%").Scan(&r.HouseholdID, &bname); err != nil {
				return errs.Field("resident_id", "所选居民不在议题范围内")
			}
			household, label, in.Source = r.HouseholdID, bname+"居民", SrcResident
		}
		out, err = s.insertTopic(ctx, tx, in, path, p.UserID, household, label)
		if err != nil {
			return err
		}
		return s.insertAttachments(ctx, tx, out, cleaned, p.UserID, 0, roleLabel(p))
	})
	return out, err
}

// CreatePublicTopic records a topic a resident raises on the public page, scoped to their grid or,
// when they say so, their building, with the photos they took (at most MaxPhotos).
func (s *Service) CreatePublicTopic(ctx context.Context, who ResidentInput, in TopicInput, building bool, photos ...photo.Photo) (*Topic, error) {
	in.Source, in.CaseID, in.VisitID, in.ResidentID, in.Threshold = SrcResident, 0, 0, 0, 0
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cleaned, err := cleanPhotos(photos)
	if err != nil {
		return nil, err
	}
	var out *Topic
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT h.region_id FROM households h WHERE h.id = $1`, r.HouseholdID).Scan(&in.RegionID); err != nil {
			return err
		}
		if building {
			in.BuildingID = r.BuildingID
		}
		out, err = s.insertTopic(ctx, tx, in, r.RegionPath, 0, r.HouseholdID, r.Label)
		if err != nil {
			return err
		}
		if err := s.insertAttachments(ctx, tx, out, cleaned, 0, r.HouseholdID, r.Label); err != nil {
			return err
		}
		return s.support(ctx, tx, out, r, 0)
	})
	return out, err
}

func (s *Service) insertTopic(ctx context.Context, tx *db.Tx, in TopicInput, path string, by, household int64, label string) (*Topic, error) {
	var community int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM regions WHERE level = 'community' AND $1 LIKE path || '%'`, path).Scan(&community); err != nil {
		return nil, errs.Field("region_id", "议题范围须是社区或其网格")
	}
	if in.BuildingID != 0 {
		var bp string
		if err := tx.QueryRowContext(ctx, `SELECT g.path FROM buildings b JOIN regions g ON g.id = b.region_id WHERE b.id = $1`,
			in.BuildingID).Scan(&bp); err != nil || !strings.HasPrefix(bp, path) {
			return nil, errs.Field("building_id", "所选楼院不在议题范围内")
		}
	}
	if in.Threshold == 0 {
		var a db.Args
		where := db.InScope("h.region_id", a.Add(path+"%"))
		if in.BuildingID != 0 {
			where += ` AND h.building_id = ` + a.Add(in.BuildingID)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h WHERE h.kind <> 'vacant' AND `+where, a...).Scan(&n); err != nil {
			return nil, err
		}
		in.Threshold = Threshold(0, in.ThresholdPct, n)
	}
	now := s.now()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO delib_topics (region_id, community_id, building_id, title, description, source,
		case_id, visit_id, raised_by, raiser_household, raiser_label, threshold, state, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'proposed',$13,$13) RETURNING id`,
		in.RegionID, community, nullable(in.BuildingID), in.Title, in.Description, in.Source, nullable(in.CaseID),
		nullable(in.VisitID), nullable(by), nullable(household), label, in.Threshold, now).Scan(&id)
	if err != nil {
		if db.IsForeignKey(err) {
			return nil, errs.Field("case_id", "关联的诉求或走访不存在")
		}
		return nil, fmt.Errorf("insert topic: %w", err)
	}
	t, err := loadTopic(ctx, tx, nil, id)
	if err != nil {
		return nil, err
	}
	return t, audit.Record(ctx, tx, audit.Entry{Action: "deliberation.topic_create", ObjectType: "delib_topic", ObjectID: id,
		RegionID: in.RegionID, After: t})
}

// Support records a household's support, by staff on a resident's behalf.
func (s *Service) Support(ctx context.Context, topicID, householdID int64) (*Topic, error) {
	p, err := principal(ctx, auth.DeliberationRaise)
	if err != nil {
		return nil, err
	}
	var out *Topic
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		r, err := householdResident(ctx, tx, householdID)
		if err != nil {
			return err
		}
		if !p.Covers(r.RegionPath) {
			return errs.Field("household_id", "所选户不在您的管辖范围内")
		}
		if err := s.support(ctx, tx, t, r, p.UserID); err != nil {
			return err
		}
		out, err = loadTopic(ctx, tx, nil, topicID)
		return err
	})
	return out, err
}

// SupportPublic records a resident's support on the public page: one per household.
func (s *Service) SupportPublic(ctx context.Context, topicID int64, who ResidentInput) (*Topic, error) {
	var out *Topic
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, nil, topicID)
		if err != nil {
			return err
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		if err := s.support(ctx, tx, t, r, 0); err != nil {
			return err
		}
		out, err = loadTopic(ctx, tx, nil, topicID)
		return err
	})
	return out, err
}

// support adds one household's support and sends the topic to review at its threshold. A second
// support of the household — even a concurrent one — is refused by the table's key.
func (s *Service) support(ctx context.Context, tx *db.Tx, t *Topic, r *Resident, by int64) error {
	if t.State != Proposed {
		return errs.E(errs.Conflict, "议题已%s，不再征集支持", t.State.Label())
	}
	if !t.inScope(r) {
		return errs.Field("household_id", "只有议题范围（"+t.ScopeLabel()+"）内的居民户可以支持")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO delib_supports (topic_id, household_id, resident_id, recorded_by, created_at)
		VALUES ($1, $2, $3, $4, $5)`, t.ID, r.HouseholdID, nullable(r.ID), nullable(by), s.now())
	if db.IsUnique(err) {
		return errs.E(errs.Conflict, "本户已支持过该议题，每户限支持一次")
	}
	if err != nil {
		return fmt.Errorf("insert support: %w", err)
	}
	state := Proposed
	if t.Supports+1 >= t.Threshold {
		state = Queued
	}
	if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET supports = (SELECT COUNT(*) FROM delib_supports WHERE topic_id = $1),
		state = $2, updated_at = $3 WHERE id = $1`, t.ID, state, s.now()); err != nil {
		return fmt.Errorf("count supports: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.support", ObjectType: "delib_topic", ObjectID: t.ID,
		RegionID: t.RegionID, Detail: fmt.Sprintf("%s支持议题（第%d户）", r.Label, t.Supports+1)})
}

// Filter narrows a topic list.
type Filter struct {
	State    State
	Open     bool   // only topics still moving
	RegionID int64  // a grid or community, its subtree
	Q        string // words of the title
	From, To string // created in [From, To], YYYY-MM-DD
	By       string // which day From and To bound: created (default), accepted, decided, done
	Limit    int
	Offset   int
}

func (f *Filter) where(a *db.Args) string {
	var c []string
	if f.State != "" {
		c = append(c, `t.state = `+a.Add(string(f.State)))
	}
	if f.Open {
		c = append(c, `t.state NOT IN ('declined','merged','rejected','closed')`)
	}
	if f.RegionID != 0 {
		c = append(c, `t.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = `+a.Add(f.RegionID)+`) || '%')`)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		c = append(c, `t.title LIKE `+a.Add("%"+db.EscapeLike(q)+"%")+` ESCAPE '\'`)
	}
	col := map[string]string{"accepted": "t.accepted_at", "decided": "t.decided_at", "done": "t.done_at"}[f.By]
	if col == "" {
		col = "t.created_at"
	}
	if from, err := time.ParseInLocation(time.DateOnly, f.From, shanghai); err == nil {
		c = append(c, col+` >= `+a.Add(from.UTC()))
	}
	if to, err := time.ParseInLocation(time.DateOnly, f.To, shanghai); err == nil {
		c = append(c, col+` < `+a.Add(to.AddDate(0, 0, 1).UTC()))
	}
	if len(c) == 0 {
		return "TRUE"
	}
	return strings.Join(c, " AND ")
}

// Topics lists the topics the principal sees, newest first, with the total.
func (s *Service) Topics(ctx context.Context, f Filter) ([]Topic, int, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, 0, err
	}
	var a db.Args
	return s.topics(ctx, visible("t.region_id", p, &a)+` AND `+f.where(&a), f, a)
}

// PublicTopics lists a community's topics for the public page (no sign-in).
func (s *Service) PublicTopics(ctx context.Context, f Filter) ([]Topic, int, error) {
	var a db.Args
	return s.topics(ctx, `t.state <> 'merged' AND `+f.where(&a), f, a)
}

func (s *Service) topics(ctx context.Context, where string, f Filter, a db.Args) ([]Topic, int, error) {
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*)`+topicFrom+` WHERE `+where, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count topics: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+topicCols+topicFrom+` WHERE `+where+` ORDER BY t.created_at DESC, t.id DESC
		LIMIT `+a.Add(f.Limit)+` OFFSET `+a.Add(max(0, f.Offset)), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list topics: %w", err)
	}
	defer rows.Close()
	var out []Topic
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *t)
	}
	return out, total, rows.Err()
}

// Topic returns one topic the principal sees.
func (s *Service) Topic(ctx context.Context, id int64) (*Topic, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	return loadTopic(ctx, s.db.R, p, id)
}

// PublicTopic returns one topic for the public page.
func (s *Service) PublicTopic(ctx context.Context, id int64) (*Topic, error) {
	t, err := loadTopic(ctx, s.db.R, nil, id)
	if err != nil || t.State == Merged && t.MergedInto == 0 {
		return nil, errs.E(errs.NotFound, "议题不存在")
	}
	return t, nil
}

// ReviewInput is what a review step takes: the owner and plan of an accepted topic, the public
// reason of a declined one, the topic merged into, the staff's summary of positions.
type ReviewInput struct {
	Owner   string `json:"owner"`
	Plan    string `json:"plan"`
	Reason  string `json:"reason"`
	Into    int64  `json:"into"`
	Summary string `json:"summary"`
}

// Act takes one step of the procedure that needs no more than ReviewInput: accept, decline, merge,
// review, publish, implement, finish or close. Decisions and schedules have their own methods.
func (s *Service) Act(ctx context.Context, id int64, action Action, in ReviewInput) (*Topic, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	if !Allowed(p, action) {
		return nil, errs.E(errs.Forbidden, "您没有“%s”的权限", action.Label())
	}
	var out *Topic
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, id)
		if err != nil {
			return err
		}
		before := *t
		to, err := Next(t.State, action)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, t, action, in); err != nil {
			return err
		}
		now := s.now()
		t.State, t.UpdatedAt = to, now
		if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET state = $1, owner_label = $2, plan = $3, reason = $4,
			merged_into = $5, summary = $6, accepted_at = $7, done_at = $8, updated_at = $9 WHERE id = $10`,
			to, t.OwnerLabel, t.Plan, t.Reason, nullable(t.MergedInto), t.Summary, t.AcceptedAt, t.DoneAt, now, t.ID); err != nil {
			return fmt.Errorf("update topic: %w", err)
		}
		out = t
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation." + string(action), ObjectType: "delib_topic",
			ObjectID: t.ID, RegionID: t.RegionID, Before: before, After: t})
	})
	return out, err
}

// apply checks and fills what the action needs.
func (s *Service) apply(ctx context.Context, tx *db.Tx, t *Topic, action Action, in ReviewInput) error {
	now := s.now()
	switch action {
	case ActSchedule, ActDecide, ActReject:
		return errs.E(errs.Conflict, "“%s”须通过议事会办理（安排议事会、表决、形成决议）", action.Label())
	case ActAccept:
		f := errs.Fields{}
		if in.Owner = strings.TrimSpace(in.Owner); in.Owner == "" || utf8.RuneCountInString(in.Owner) > 60 {
			f.Add("owner", "请指定议题负责人")
		}
		if in.Plan = strings.TrimSpace(in.Plan); utf8.RuneCountInString(in.Plan) < 4 {
			f.Add("plan", "请填写议事计划")
		}
		if err := f.Err(); err != nil {
			return err
		}
		t.OwnerLabel, t.Plan, t.AcceptedAt = in.Owner, in.Plan, &now
	case ActDecline:
		if in.Reason = strings.TrimSpace(in.Reason); utf8.RuneCountInString(in.Reason) < 4 {
			return errs.Field("reason", "请填写不予受理的公开理由")
		}
		t.Reason = in.Reason
	case ActMerge:
		if in.Into == 0 || in.Into == t.ID {
			return errs.Field("into", "请选择要合并到的议题")
		}
		into, err := loadTopic(ctx, tx, nil, in.Into)
		if err != nil || into.CommunityID != t.CommunityID || !into.State.Open() {
			return errs.Field("into", "要合并到的议题不存在或已结束")
		}
		t.MergedInto, t.Reason = into.ID, "与议题“"+into.Title+"”合并办理"
	case ActReview:
		if in.Summary = strings.TrimSpace(in.Summary); utf8.RuneCountInString(in.Summary) < 4 {
			return errs.Field("summary", "提交审议前请归纳各方意见")
		}
		t.Summary = in.Summary
	case ActPublish:
		return s.publish(ctx, tx, t)
	case ActImplement:
		return s.startImplementing(ctx, tx, t)
	case ActFinish:
		if err := s.finish(ctx, tx, t); err != nil {
			return err
		}
		t.DoneAt = &now
	}
	return nil
}
