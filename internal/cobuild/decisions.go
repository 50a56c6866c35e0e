package cobuild

import (
	"context"
	"database/sql"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// DecisionFilter narrows the decisions list; From/To select by the day of the meeting that made
// them. OnTime keeps decisions closed by their due date, Late those closed after it or still open
// past it.
type DecisionFilter struct {
	RegionID int64
	State    string
	UnitID   int64
	From, To string
	OnTime   bool
	Late     bool
	Limit    int
	Offset   int
}

const decisionFrom = `cobuild_decisions d JOIN cobuild_meetings m ON m.id = d.meeting_id JOIN cobuild_units u ON u.id = d.unit_id`

func decisionScope(w *where, v viewer) {
	w.add(db.InScope("d.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("d.unit_id = ?", v.unitID)
	}
}

func listDecisions(ctx context.Context, q db.Querier, w *where, limit, offset int) ([]Decision, int, error) {
	total, err := count(ctx, q, decisionFrom, w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.region_id, d.meeting_id, m.title, d.text, d.unit_id, u.name, d.due_on,
		d.state, d.closed_on, d.closed_note, d.created_at FROM `+decisionFrom+w.sql()+` ORDER BY d.due_on, d.id`+
		page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.RegionID, &d.MeetingID, &d.Meeting, &d.Text, &d.UnitID, &d.UnitName, &d.DueOn, &d.State,
			&d.ClosedOn, &d.ClosedNote, &d.CreatedAt); err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// Decisions lists the decisions the viewer may see (a unit contact: those their unit owns) that
// match f, by due date, and the total.
func (s *Service) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.decisionWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listDecisions(ctx, s.db.R, w, f.Limit, f.Offset)
}

// decisionWhere builds the conditions of the decision list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) decisionWhere(ctx context.Context, v viewer, f DecisionFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	decisionScope(w, v)
	w.add(db.InScope("d.region_id", "?"), within)
	if f.State != "" {
		w.add("d.state = ?", f.State)
	}
	if f.UnitID > 0 {
		w.add("d.unit_id = ?", f.UnitID)
	}
	if f.From != "" {
		w.add("m.held_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("m.held_on <= ?", f.To)
	}
	if f.OnTime {
		w.conds = append(w.conds, "d.state = 'closed' AND d.closed_on <= d.due_on")
	}
	if f.Late {
		w.add("((d.state = 'closed' AND d.closed_on > d.due_on) OR (d.state = 'open' AND d.due_on < ?))", s.today())
	}
	return w, nil
}

// Decision returns one decision the viewer may see.
func (s *Service) Decision(ctx context.Context, id int64) (*Decision, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return decisionFor(ctx, s.db.R, v, id)
}

func decisionFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Decision, error) {
	w := &where{}
	decisionScope(w, v)
	w.add("d.id = ?", id)
	out, _, err := listDecisions(ctx, q, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "决议事项不存在")
	}
	return &out[0], nil
}

// CloseDecision closes a decision 销号 with a note of what was done. The community closes it; the
// owner unit's contact may close their own.
func (s *Service) CloseDecision(ctx context.Context, id int64, note string) (*Decision, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Decision, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		d, err := decisionFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		note = clean(note)
		if note == "" || tooLong(note, 500) {
			return nil, errs.Field("note", "请填写落实情况（500字以内）")
		}
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_decisions SET state = 'closed', closed_on = $1, closed_note = $2,
			updated_at = $3 WHERE id = $4 AND state = 'open'`, s.today(), note, s.now().UTC(), id)
		if err != nil {
			return nil, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return nil, errs.E(errs.Conflict, "该决议事项已销号")
		}
		if d, err = decisionFor(ctx, tx, v, id); err != nil {
			return nil, err
		}
		return d, record(ctx, tx, "cobuild.decision.close", "cobuild_decision", id, d.RegionID, "决议销号："+d.Text, d)
	})
}

// ActivityFilter narrows the co-building activities list; From/To select by the activity day.
type ActivityFilter struct {
	RegionID  int64
	UnitID    int64
	NeedID    int64
	ProjectID int64
	From, To  string
	Limit     int
	Offset    int
}

func activityScope(w *where, v viewer) {
	w.add(db.InScope("a.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("a.id IN (SELECT activity_id FROM cobuild_activity_units WHERE unit_id = ?)", v.unitID)
	}
}

// Activities lists the co-building activities the viewer may see (a unit contact: their unit's),
// latest first, and the total.
func (s *Service) Activities(ctx context.Context, f ActivityFilter) ([]Activity, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.activityWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listActivities(ctx, s.db.R, s.db.Dialect, w, f.Limit, f.Offset)
}

// activityWhere builds the conditions of the activity list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) activityWhere(ctx context.Context, v viewer, f ActivityFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	activityScope(w, v)
	w.add(db.InScope("a.region_id", "?"), within)
	if f.UnitID > 0 {
		w.add("a.id IN (SELECT activity_id FROM cobuild_activity_units WHERE unit_id = ?)", f.UnitID)
	}
	if f.NeedID > 0 {
		w.add("a.need_id = ?", f.NeedID)
	}
	if f.ProjectID > 0 {
		w.add("a.project_id = ?", f.ProjectID)
	}
	if f.From != "" {
		w.add("a.held_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("a.held_on <= ?", f.To)
	}
	return w, nil
}

func listActivities(ctx context.Context, q db.Querier, d db.Dialect, w *where, limit, offset int) ([]Activity, int, error) {
	total, err := count(ctx, q, "cobuild_activities a", w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.region_id, a.title, a.held_on, a.place, a.participants, a.service_minutes,
		a.need_id, a.project_id, a.summary, a.photos, a.created_at FROM cobuild_activities a`+w.sql()+
		` ORDER BY a.held_on DESC, a.id DESC`+page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Activity{}
	byID := map[int64]int{}
	for rows.Next() {
		var a Activity
		var need, project sql.NullInt64
		if err := rows.Scan(&a.ID, &a.RegionID, &a.Title, &a.HeldOn, &a.Place, &a.Participants, &a.ServiceMinutes, &need,
			&project, &a.Summary, &a.Photos, &a.CreatedAt); err != nil {
			return nil, 0, err
		}
		a.NeedID, a.ProjectID, a.Units = idPtr(need), idPtr(project), []Ref{}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, total, err
	}
	ids := make([]int64, len(out))
	for i, a := range out {
		ids[i] = a.ID
	}
	uw := &where{}
	urows, err := q.QueryContext(ctx, `SELECT au.activity_id, u.id, u.name FROM cobuild_activity_units au
		JOIN cobuild_units u ON u.id = au.unit_id WHERE `+d.InIDs("au.activity_id", ids, &uw.args)+` ORDER BY u.id`, uw.args...)
	if err != nil {
		return nil, 0, err
	}
	defer urows.Close()
	for urows.Next() {
		var aid int64
		var r Ref
		if err := urows.Scan(&aid, &r.ID, &r.Name); err != nil {
			return nil, 0, err
		}
		out[byID[aid]].Units = append(out[byID[aid]].Units, r)
	}
	return out, total, urows.Err()
}

// Activity returns one co-building activity the viewer may see.
func (s *Service) Activity(ctx context.Context, id int64) (*Activity, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return s.activityFor(ctx, s.db.R, v, id)
}

func (s *Service) activityFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Activity, error) {
	w := &where{}
	activityScope(w, v)
	w.add("a.id = ?", id)
	out, _, err := listActivities(ctx, q, s.db.Dialect, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "共建活动不存在")
	}
	return &out[0], nil
}

// RecordActivity records a co-building activity with its units, linked to the need or project it
// served. A unit contact records activities their own unit took part in.
func (s *Service) RecordActivity(ctx context.Context, in ActivityInput) (*Activity, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Activity, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		if !v.staff() && len(in.UnitIDs) == 0 {
			in.UnitIDs = []int64{v.unitID}
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		var regionID int64
		mine := v.staff()
		for _, id := range in.UnitIDs {
			u, err := s.unitFor(ctx, tx, viewer{p: v.p, scope: v.scope}, id)
			if err != nil || (regionID != 0 && u.RegionID != regionID) {
				return nil, errs.Field("unit_ids", "参与单位须为同一社区大党委的成员单位")
			}
			regionID, mine = u.RegionID, mine || id == v.unitID
		}
		if !mine {
			return nil, errs.Field("unit_ids", "只能登记本单位参与的活动")
		}
		if in.NeedID > 0 {
			if n, err := needFor(ctx, tx, v, in.NeedID); err != nil || !sameCommunity(ctx, tx, n.RegionID, regionID) {
				return nil, errs.Field("need_id", "关联的需求不存在")
			}
		}
		if in.ProjectID > 0 {
			if p, err := projectFor(ctx, tx, v, in.ProjectID); err != nil || p.RegionID != regionID && !sameCommunity(ctx, tx, p.RegionID, regionID) {
				return nil, errs.Field("project_id", "关联的项目不存在")
			}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO cobuild_activities (region_id, title, held_on, place, participants,
			service_minutes, need_id, project_id, summary, photos, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, regionID, in.Title, in.HeldOn, in.Place,
			in.Participants, in.ServiceMinutes, nullID(in.NeedID), nullID(in.ProjectID), in.Summary, in.Photos, v.p.UserID,
			s.now().UTC()).Scan(&id); err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, u := range in.UnitIDs {
			if seen[u] {
				continue
			}
			seen[u] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_activity_units (activity_id, unit_id) VALUES ($1, $2)`, id, u); err != nil {
				return nil, err
			}
		}
		a, err := s.activityFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return a, record(ctx, tx, "cobuild.activity.record", "cobuild_activity", id, regionID, "登记共建活动："+a.Title, a)
	})
}
