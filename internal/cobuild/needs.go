package cobuild

import (
	"context"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// NeedFilter narrows the needs list. From/To select by the day named by By: "raised" (default),
// "claimed" or "done" — the three needs figures.
type NeedFilter struct {
	RegionID int64
	State    NeedState
	Category string
	UnitID   int64
	From, To string
	By       string
	Q        string
	Limit    int
	Offset   int
}

// needScope adds the viewer's conditions: accepted needs only (a resident's waits for staff
// review), their region subtree, and for a unit contact their unit's needs plus the open ones they
// may claim.
func needScope(w *where, v viewer) {
	w.conds = append(w.conds, "n.review = 'accepted'")
	w.add(db.InScope("n.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("(n.unit_id = ? OR n.state = 'raised')", v.unitID)
	}
}

// Needs lists the needs the viewer may see that match f, newest first, and the total.
func (s *Service) Needs(ctx context.Context, f NeedFilter) ([]Need, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.needWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listNeeds(ctx, s.db.R, w, "", f.Limit, f.Offset)
}

// needWhere builds the conditions of the need list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) needWhere(ctx context.Context, v viewer, f NeedFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	needScope(w, v)
	w.add(db.InScope("n.region_id", "?"), within)
	if f.State != "" {
		w.add("n.state = ?", string(f.State))
	}
	if f.Category != "" {
		w.add("n.category = ?", f.Category)
	}
	if f.UnitID > 0 {
		w.add("n.unit_id = ?", f.UnitID)
	}
	col := map[string]string{"": "n.raised_on", "raised": "n.raised_on", "claimed": "n.claimed_on", "done": "n.done_on"}[f.By]
	if col == "" {
		return nil, errs.E(errs.Invalid, "参数 by 应为 raised、claimed 或 done")
	}
	if f.From != "" || f.To != "" {
		w.conds = append(w.conds, col+" <> ''")
	}
	if f.From != "" {
		w.add(col+" >= ?", f.From)
	}
	if f.To != "" {
		w.add(col+" <= ?", f.To)
	}
	if f.Q != "" {
		w.add(`n.title LIKE ? ESCAPE '\'`, "%"+db.EscapeLike(f.Q)+"%")
	}
	return w, nil
}

// Need returns one need the viewer may see.
func (s *Service) Need(ctx context.Context, id int64) (*Need, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return needFor(ctx, s.db.R, v, id)
}

func needFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Need, error) {
	w := &where{}
	needScope(w, v)
	w.add("n.id = ?", id)
	out, _, err := listNeeds(ctx, q, w, "", 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "需求不存在")
	}
	return &out[0], nil
}

// RaiseNeed adds a need to the list 提出. Raised from a visit or a case (VisitID, CaseID) it is
// linked to it and concerns its grid; otherwise it concerns the region given (a grid or the
// community), by default the raiser's own.
func (s *Service) RaiseNeed(ctx context.Context, in NeedInput) (*Need, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Need, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildRaise)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		regionID, source, err := s.needRegion(ctx, tx, v, &in)
		if err != nil {
			return nil, err
		}
		if in.BuildingID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM buildings WHERE id = $1 AND `+db.InScope("region_id", "$2"),
				in.BuildingID, v.scope).Scan(&n); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, errs.Field("building_id", "所选楼院不存在")
			}
		}
		if in.RaisedOn == "" {
			in.RaisedOn = s.today()
		}
		now := s.now().UTC()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO cobuild_needs (region_id, title, category, detail, beneficiary, building_id,
			focus_group, households, urgency, want_people, want_hours, want_money, want_room, want_skill, source, visit_id,
			case_id, raised_on, raised_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id`,
			regionID, in.Title, in.Category, in.Detail, in.Beneficiary, nullID(in.BuildingID), in.FocusGroup, in.Households,
			in.Urgency, in.WantPeople, in.WantHours, in.WantMoney, in.WantRoom, in.WantSkill, source, nullID(in.VisitID),
			nullID(in.CaseID), in.RaisedOn, v.p.UserID, now).Scan(&id)
		if err != nil {
			return nil, err
		}
		n, err := needFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return n, record(ctx, tx, "cobuild.need.raise", "cobuild_need", id, regionID, "提出需求："+n.Title, n)
	})
}

// needRegion finds the region a new need concerns and where it came from.
func (s *Service) needRegion(ctx context.Context, tx *db.Tx, v viewer, in *NeedInput) (int64, string, error) {
	var regionID int64
	var path string
	switch {
	case in.VisitID > 0:
		err := tx.QueryRowContext(ctx, `SELECT v.region_id, r.path FROM visits v JOIN regions r ON r.id = v.region_id
			WHERE v.id = $1`, in.VisitID).Scan(&regionID, &path)
		if err != nil || !v.p.Covers(path) {
			return 0, "", errs.Field("visit_id", "走访记录不存在")
		}
		return regionID, "visit", nil
	case in.CaseID > 0:
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(c.grid_id, c.community_id), r.path FROM cases c
			JOIN regions r ON r.id = COALESCE(c.grid_id, c.community_id) WHERE c.id = $1`, in.CaseID).Scan(&regionID, &path)
		if err != nil || !v.p.Covers(path) {
			return 0, "", errs.Field("case_id", "诉求不存在")
		}
		return regionID, "case", nil
	}
	regionID = in.RegionID
	if regionID == 0 {
		regionID = v.p.RegionID
	}
	_, level, err := community(ctx, tx, v.p, regionID, "region_id")
	if err != nil {
		return 0, "", err
	}
	if level == "grid" {
		return regionID, "grid", nil
	}
	return regionID, "community", nil
}

// Claim gives an open need to a unit 认领. A unit contact claims for their own unit; the community
// (cobuild.write) may claim for any of its units when it matches a need. Of two claims on one
// need exactly one wins; the other is a conflict and writes nothing.
func (s *Service) Claim(ctx context.Context, needID, unitID int64) (*Need, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Need, error) {
		p := auth.FromContext(ctx)
		perm := auth.CobuildClaim
		if p.Can(auth.CobuildWrite) {
			perm = auth.CobuildWrite
		}
		v, err := s.viewer(ctx, tx, perm)
		if err != nil {
			return nil, err
		}
		if !v.staff() {
			unitID = v.unitID
		}
		// A need claimed a moment ago by another unit is no longer visible to this unit's contact;
		// look it up in the region so the loser of a race learns it was claimed (409), not 404.
		n, err := needFor(ctx, tx, viewer{p: v.p, scope: v.scope}, needID)
		if err != nil {
			return nil, err
		}
		u, err := s.unitFor(ctx, tx, v, unitID)
		if err != nil {
			return nil, errs.Field("unit_id", "请选择认领的共建单位")
		}
		if !sameCommunity(ctx, tx, n.RegionID, u.RegionID) {
			return nil, errs.Field("unit_id", "该单位不属于需求所在社区的大党委")
		}
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_needs SET state = 'claimed', unit_id = $1, claimed_on = $2, updated_at = $3
			WHERE id = $4 AND state = 'raised'`, unitID, s.today(), s.now().UTC(), needID)
		if err != nil {
			return nil, err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			if err != nil {
				return nil, err
			}
			return nil, errs.E(errs.Conflict, "该需求已被认领，不能重复认领")
		}
		if n, err = needFor(ctx, tx, v, needID); err != nil {
			return nil, err
		}
		return n, record(ctx, tx, "cobuild.need.claim", "cobuild_need", needID, n.RegionID, u.Name+"认领需求："+n.Title, n)
	})
}

// sameCommunity reports whether region (a community or one of its grids) belongs to community.
func sameCommunity(ctx context.Context, q db.Querier, region, community int64) bool {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE id = $1 AND (id = $2 OR parent_id = $2)`,
		region, community).Scan(&n)
	return err == nil && n == 1
}

// NeedAction moves a claimed need without a project on: "start" 实施, "finish" 办结, or
// "rate" 评价 (with ev). A need that became a project moves with its project.
func (s *Service) NeedAction(ctx context.Context, id int64, action string, ev Evaluation) (*Need, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Need, error) {
		perm := auth.CobuildClaim
		if auth.FromContext(ctx).Can(auth.CobuildWrite) {
			perm = auth.CobuildWrite
		}
		v, err := s.viewer(ctx, tx, perm)
		if err != nil {
			return nil, err
		}
		n, err := needFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		if n.ProjectID != nil {
			return nil, errs.E(errs.Conflict, "该需求已立项，请在项目中推进")
		}
		if !v.staff() && (n.UnitID == nil || *n.UnitID != v.unitID) {
			return nil, errs.E(errs.NotFound, "需求不存在")
		}
		from, to, set, args, err := s.needStep(n, action, ev, v)
		if err != nil {
			return nil, err
		}
		args = append(args, s.now().UTC(), id, string(from))
		k := len(args)
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_needs SET state = '`+string(to)+`'`+set+`, updated_at = $`+itoa(k-2)+
			` WHERE id = $`+itoa(k-1)+` AND state = $`+itoa(k), args...)
		if err != nil {
			return nil, err
		}
		if c, _ := res.RowsAffected(); c != 1 {
			return nil, errs.E(errs.Conflict, "需求状态已变化，请刷新后重试")
		}
		if n, err = needFor(ctx, tx, v, id); err != nil {
			return nil, err
		}
		return n, record(ctx, tx, "cobuild.need."+action, "cobuild_need", id, n.RegionID, "需求"+to.Label()+"："+n.Title, n)
	})
}

// needStep checks an action against the need's state and returns the move and extra columns set.
func (s *Service) needStep(n *Need, action string, ev Evaluation, v viewer) (NeedState, NeedState, string, []any, error) {
	switch action {
	case "start":
		if n.State == Claimed {
			return Claimed, InProgress, "", nil, nil
		}
	case "finish":
		if n.State == Claimed || n.State == InProgress {
			return n.State, Done, ", done_on = $1", []any{s.today()}, nil
		}
	case "rate":
		if !v.staff() {
			return "", "", "", nil, errs.E(errs.Forbidden, "满意度评价由社区或服务对象作出")
		}
		if err := ev.Validate(); err != nil {
			return "", "", "", nil, err
		}
		if n.State == Done {
			return Done, Rated, ", satisfaction = $1, evaluation = $2", []any{ev.Satisfaction, ev.Note}, nil
		}
	default:
		return "", "", "", nil, errs.E(errs.NotFound, "没有这个操作")
	}
	return "", "", "", nil, errs.E(errs.Conflict, "需求当前为“%s”，不能进行此操作", n.State.Label())
}

// OpenNeedsFor lists the open needs a unit contact may claim, for their home page.
func (s *Service) OpenNeedsFor(ctx context.Context, limit int) ([]Need, error) {
	out, _, err := s.Needs(ctx, NeedFilter{State: Raised, Limit: limit})
	return out, err
}
