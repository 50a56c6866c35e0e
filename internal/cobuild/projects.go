package cobuild

import (
	"context"
	"fmt"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// ResourceFilter narrows the resources list; From/To select by the day a resource was offered.
type ResourceFilter struct {
	RegionID int64
	Kind     string
	UnitID   int64
	From, To string
	// Used keeps only resources some project used (with From/To: used in the period).
	Used   bool
	Limit  int
	Offset int
}

// resourceScope adds the viewer's conditions: their region, and for a unit contact their unit's.
func resourceScope(w *where, v viewer) {
	w.add(db.InScope("s.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("s.unit_id = ?", v.unitID)
	}
}

// Resources lists the resources the viewer may see that match f, and the total.
func (s *Service) Resources(ctx context.Context, f ResourceFilter) ([]Resource, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.resourceWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listResources(ctx, s.db.R, w, f.Limit, f.Offset)
}

// resourceWhere builds the conditions of the resource list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) resourceWhere(ctx context.Context, v viewer, f ResourceFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	resourceScope(w, v)
	w.add(db.InScope("s.region_id", "?"), within)
	if f.Kind != "" {
		w.add("s.kind = ?", f.Kind)
	}
	if f.UnitID > 0 {
		w.add("s.unit_id = ?", f.UnitID)
	}
	if f.Used {
		w.conds = append(w.conds, "s.id IN (SELECT x.resource_id FROM cobuild_resource_uses x WHERE x.used_on >= "+
			w.arg(orMin(f.From))+" AND x.used_on <= "+w.arg(orMax(f.To))+")")
	} else {
		if f.From != "" {
			w.add("s.available_from >= ?", f.From)
		}
		if f.To != "" {
			w.add("s.available_from <= ?", f.To)
		}
	}
	return w, nil
}

func orMin(d string) string {
	if d == "" {
		return "0000-00-00"
	}
	return d
}

func orMax(d string) string {
	if d == "" {
		return "9999-99-99"
	}
	return d
}

// Resource returns one resource the viewer may see, with what is left of it.
func (s *Service) Resource(ctx context.Context, id int64) (*Resource, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return resourceFor(ctx, s.db.R, v, id)
}

func resourceFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Resource, error) {
	w := &where{}
	resourceScope(w, v)
	w.add("s.id = ?", id)
	out, _, err := listResources(ctx, q, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "资源不存在")
	}
	return &out[0], nil
}

// OfferResource adds a resource to the list. A unit contact offers for their own unit.
func (s *Service) OfferResource(ctx context.Context, in ResourceInput) (*Resource, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Resource, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		if !v.staff() {
			in.UnitID, in.Person = v.unitID, ""
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		regionID := in.RegionID
		if in.UnitID > 0 {
			u, err := s.unitFor(ctx, tx, v, in.UnitID)
			if err != nil {
				return nil, errs.Field("unit_id", "共建单位不存在")
			}
			regionID = u.RegionID
		} else if regionID, _, err = community(ctx, tx, v.p, regionID, "region_id"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO cobuild_resources (region_id, unit_id, person, kind, category, title, detail,
			quantity, measure, availability, available_from, available_to, conditions, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			regionID, nullID(in.UnitID), in.Person, in.Kind, in.Category, in.Title, in.Detail, in.Quantity, in.Measure,
			in.Availability, in.AvailableFrom, in.AvailableTo, in.Conditions, now).Scan(&id)
		if err != nil {
			return nil, err
		}
		r, err := resourceFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return r, record(ctx, tx, "cobuild.resource.offer", "cobuild_resource", id, regionID, "提供资源："+r.Title, r)
	})
}

// actPerm is the permission the signed-in user acts with on a unit's records: the community's
// cobuild.write, else a unit contact's cobuild.claim.
func (s *Service) actPerm(ctx context.Context) auth.Permission {
	if auth.FromContext(ctx).Can(auth.CobuildWrite) {
		return auth.CobuildWrite
	}
	return auth.CobuildClaim
}

// ProjectFilter narrows the projects list; From/To select by the day of 立项.
type ProjectFilter struct {
	RegionID int64
	State    ProjectState
	UnitID   int64
	From, To string
	Limit    int
	Offset   int
}

func projectScope(w *where, v viewer) {
	w.add(db.InScope("p.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("p.unit_id = ?", v.unitID)
	}
}

// Projects lists the projects the viewer may see that match f, and the total.
func (s *Service) Projects(ctx context.Context, f ProjectFilter) ([]Project, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.projectWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listProjects(ctx, s.db.R, w, f.Limit, f.Offset)
}

// projectWhere builds the conditions of the project list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) projectWhere(ctx context.Context, v viewer, f ProjectFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	projectScope(w, v)
	w.add(db.InScope("p.region_id", "?"), within)
	if f.State != "" {
		w.add("p.state = ?", string(f.State))
	}
	if f.UnitID > 0 {
		w.add("p.unit_id = ?", f.UnitID)
	}
	if f.From != "" {
		w.add("p.started_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("p.started_on <= ?", f.To)
	}
	return w, nil
}

// Project returns one project the viewer may see with its milestones and the resources it used.
func (s *Service) Project(ctx context.Context, id int64) (*Project, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return projectFor(ctx, s.db.R, v, id)
}

func projectFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Project, error) {
	w := &where{}
	projectScope(w, v)
	w.add("p.id = ?", id)
	out, _, err := listProjects(ctx, q, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "项目不存在")
	}
	p := &out[0]
	mw := &where{}
	mw.add("m.project_id = ?", id)
	if p.Milestones, err = milestones(ctx, q, mw); err != nil {
		return nil, err
	}
	p.Uses, err = projectUses(ctx, q, id)
	return p, err
}

// CreateProject makes a claimed need a project 立项, owned by the unit that claimed it.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (*Project, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Project, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		n, err := needFor(ctx, tx, v, in.NeedID)
		if err != nil {
			return nil, errs.Field("need_id", "需求不存在")
		}
		if n.State != Claimed && n.State != InProgress || n.UnitID == nil {
			return nil, errs.E(errs.Conflict, "只有已认领、尚未办结的需求可以立项（当前为“%s”）", n.State.Label())
		}
		if !v.staff() && *n.UnitID != v.unitID {
			return nil, errs.E(errs.NotFound, "需求不存在")
		}
		if n.ProjectID != nil {
			return nil, errs.E(errs.Conflict, "该需求已立项")
		}
		if in.Title == "" {
			in.Title = n.Title
		}
		if in.StartedOn == "" {
			in.StartedOn = s.today()
		}
		if in.StartedOn < n.ClaimedOn {
			return nil, errs.Field("started_on", "立项日期不能早于认领日期（"+n.ClaimedOn+"）")
		}
		state := Approved
		if n.State == InProgress {
			state = ProjInProgress
		}
		now := s.now().UTC()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO cobuild_projects (region_id, need_id, unit_id, title, plan, state, started_on,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			n.RegionID, n.ID, *n.UnitID, in.Title, in.Plan, string(state), in.StartedOn, now).Scan(&id)
		if db.IsUnique(err) {
			return nil, errs.E(errs.Conflict, "该需求已立项")
		}
		if err != nil {
			return nil, err
		}
		p, err := projectFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return p, record(ctx, tx, "cobuild.project.create", "cobuild_project", id, p.RegionID, "立项："+p.Title, p)
	})
}

// projectSteps are the project actions: from which state to which, and the need's state after.
var projectSteps = map[string]struct {
	from      []ProjectState
	to        ProjectState
	need      NeedState
	staffOnly bool
}{
	"start":    {[]ProjectState{Approved}, ProjInProgress, InProgress, false},
	"finish":   {[]ProjectState{Approved, ProjInProgress}, ProjDone, Done, false},
	"evaluate": {[]ProjectState{ProjDone}, ProjRated, Rated, true},
}

// ProjectAction moves a project on — "start" 实施, "finish" 办结, "evaluate" 评价 (the community,
// with ev) — and its need with it.
func (s *Service) ProjectAction(ctx context.Context, id int64, action string, ev Evaluation) (*Project, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Project, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		p, err := projectFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		step, ok := projectSteps[action]
		if !ok {
			return nil, errs.E(errs.NotFound, "没有这个操作")
		}
		if step.staffOnly && !v.staff() {
			return nil, errs.E(errs.Forbidden, "满意度评价由社区或服务对象作出")
		}
		allowed := false
		for _, f := range step.from {
			allowed = allowed || p.State == f
		}
		if !allowed {
			return nil, errs.E(errs.Conflict, "项目当前为“%s”，不能进行此操作", p.State.Label())
		}
		today, now := s.today(), s.now().UTC()
		switch action {
		case "finish":
			_, err = tx.ExecContext(ctx, `UPDATE cobuild_projects SET state = $1, finished_on = $2, updated_at = $3 WHERE id = $4`,
				string(step.to), today, now, id)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE cobuild_needs SET state = $1, done_on = $2, updated_at = $3 WHERE id = $4`,
					string(step.need), today, now, p.NeedID)
			}
		case "evaluate":
			if err := ev.Validate(); err != nil {
				return nil, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE cobuild_projects SET state = $1, satisfaction = $2, evaluation = $3, updated_at = $4
				WHERE id = $5`, string(step.to), ev.Satisfaction, ev.Note, now, id)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE cobuild_needs SET state = $1, satisfaction = $2, evaluation = $3, updated_at = $4
					WHERE id = $5`, string(step.need), ev.Satisfaction, ev.Note, now, p.NeedID)
			}
		default:
			_, err = tx.ExecContext(ctx, `UPDATE cobuild_projects SET state = $1, updated_at = $2 WHERE id = $3`, string(step.to), now, id)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE cobuild_needs SET state = $1, updated_at = $2 WHERE id = $3`,
					string(step.need), now, p.NeedID)
			}
		}
		if err != nil {
			return nil, err
		}
		if p, err = projectFor(ctx, tx, v, id); err != nil {
			return nil, err
		}
		return p, record(ctx, tx, "cobuild.project."+action, "cobuild_project", id, p.RegionID, "项目"+p.State.Label()+"："+p.Title, p)
	})
}

// AddMilestone adds a milestone to an open project; it cannot fall before the project started.
func (s *Service) AddMilestone(ctx context.Context, projectID int64, in MilestoneInput) (*Project, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Project, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		p, err := projectFor(ctx, tx, v, projectID)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(p.StartedOn); err != nil {
			return nil, err
		}
		if p.State == ProjDone || p.State == ProjRated {
			return nil, errs.E(errs.Conflict, "项目已办结，不能再添加节点")
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO cobuild_milestones (project_id, title, due_on, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, projectID, in.Title, in.DueOn, s.now().UTC()).Scan(&id); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, "cobuild.milestone.add", "cobuild_project", projectID, p.RegionID,
			"添加节点："+in.Title+"（"+in.DueOn+"）", in); err != nil {
			return nil, err
		}
		return projectFor(ctx, tx, v, projectID)
	})
}

// CompleteMilestone marks a milestone of a project done today.
func (s *Service) CompleteMilestone(ctx context.Context, projectID, milestoneID int64) (*Project, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Project, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		p, err := projectFor(ctx, tx, v, projectID)
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_milestones SET done_on = $1 WHERE id = $2 AND project_id = $3 AND done_on = ''`,
			s.today(), milestoneID, projectID)
		if err != nil {
			return nil, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return nil, errs.E(errs.NotFound, "节点不存在或已完成")
		}
		if err := record(ctx, tx, "cobuild.milestone.done", "cobuild_project", projectID, p.RegionID, "完成节点",
			map[string]int64{"milestone_id": milestoneID}); err != nil {
			return nil, err
		}
		return projectFor(ctx, tx, v, projectID)
	})
}

// UseResource records an amount of a resource used by a project. The resource's uses never exceed
// its quantity: an amount beyond what is left is refused and nothing is written.
func (s *Service) UseResource(ctx context.Context, projectID int64, in UseInput) (*Project, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Project, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		p, err := projectFor(ctx, tx, v, projectID)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if in.UsedOn == "" {
			in.UsedOn = s.today()
		}
		now := s.now().UTC()
		// Take the resource's row lock first, so two projects drawing on it at once are counted in turn.
		if _, err := tx.ExecContext(ctx, `UPDATE cobuild_resources SET updated_at = $1 WHERE id = $2`, now, in.ResourceID); err != nil {
			return nil, err
		}
		r, err := resourceFor(ctx, tx, v, in.ResourceID)
		if err != nil || !sameCommunity(ctx, tx, p.RegionID, r.RegionID) {
			return nil, errs.Field("resource_id", "资源不存在")
		}
		if in.Amount > r.Remaining() {
			return nil, errs.Field("amount", fmt.Sprintf("超出资源剩余数量：%s剩余%d%s，本次填报%d%s",
				r.Title, r.Remaining(), r.Measure, in.Amount, r.Measure))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_resource_uses (project_id, resource_id, amount, used_on, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, projectID, in.ResourceID, in.Amount, in.UsedOn, in.Note, now); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, "cobuild.resource.use", "cobuild_project", projectID, p.RegionID,
			fmt.Sprintf("使用资源：%s %d%s", r.Title, in.Amount, r.Measure), in); err != nil {
			return nil, err
		}
		return projectFor(ctx, tx, v, projectID)
	})
}
