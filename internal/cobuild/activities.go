package cobuild

import (
	"context"
	"strings"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Co-building activities are activities of internal/activities carrying the units that ran them
// and the need or project they served; this file decides who records and reads them and reads them
// from there (activities.UnitActivities, UnitActivityTotals), so a unit's activities, people and
// hours have one home.

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

// unitFilter turns the viewer and filter into the activities' selection: the viewer's scope (a unit
// contact: their unit's activities), the region asked for, the unit, need, project and days.
func (s *Service) unitFilter(ctx context.Context, v viewer, f ActivityFilter) (activities.UnitFilter, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return activities.UnitFilter{}, err
	}
	for _, d := range []string{f.From, f.To} {
		if d != "" && !validDate(d) {
			return activities.UnitFilter{}, errs.Field("from", "日期格式应为 YYYY-MM-DD")
		}
	}
	out := activities.UnitFilter{Within: []string{v.scope, within}, NeedID: f.NeedID, ProjectID: f.ProjectID,
		From: f.From, To: f.To, Limit: f.Limit, Offset: f.Offset}
	if !v.staff() {
		out.UnitIDs = append(out.UnitIDs, v.unitID)
	}
	if f.UnitID > 0 {
		out.UnitIDs = append(out.UnitIDs, f.UnitID)
	}
	return out, nil
}

func fromActivity(a activities.UnitActivity) Activity {
	out := Activity{ID: a.ID, RegionID: a.RegionID, Title: a.Title, Kind: string(a.Kind), KindLabel: a.Kind.Label(),
		HeldOn: a.StartsAt.In(shanghai).Format(time.DateOnly), StartsAt: a.StartsAt, EndsAt: a.EndsAt, Place: a.Place,
		Participants: a.Headcount, ServiceMinutes: a.ServiceMinutes, NeedID: a.NeedID, ProjectID: a.ProjectID, Summary: a.Summary,
		Photos: a.Photos, Units: make([]Ref, len(a.Units)), CreatedAt: a.CreatedAt}
	for i, u := range a.Units {
		out.Units[i] = Ref{ID: u.ID, Name: u.Name}
	}
	return out
}

func (s *Service) listActivities(ctx context.Context, q db.Querier, f activities.UnitFilter) ([]Activity, int, error) {
	items, total, err := activities.UnitActivities(ctx, q, s.db.Dialect, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Activity, len(items))
	for i, a := range items {
		out[i] = fromActivity(a)
	}
	return out, total, nil
}

// Activities lists the co-building activities the viewer may see (a unit contact: their unit's),
// latest first, and the total.
func (s *Service) Activities(ctx context.Context, f ActivityFilter) ([]Activity, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	uf, err := s.unitFilter(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return s.listActivities(ctx, s.db.R, uf)
}

// Activity returns one co-building activity the viewer may see.
func (s *Service) Activity(ctx context.Context, id int64) (*Activity, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return s.activityFor(ctx, s.db.R, v, id)
}

// visibleActivities keeps those of ids the viewer may see.
func (s *Service) visibleActivities(ctx context.Context, q db.Querier, v viewer, ids []int64) ([]int64, error) {
	f := activities.UnitFilter{IDs: ids, Within: []string{v.scope}}
	if !v.staff() {
		f.UnitIDs = []int64{v.unitID}
	}
	items, _, err := s.listActivities(ctx, q, f)
	out := make([]int64, len(items))
	for i, a := range items {
		out[i] = a.ID
	}
	return out, err
}

func (s *Service) activityFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Activity, error) {
	f := activities.UnitFilter{IDs: []int64{id}, Within: []string{v.scope}, Limit: 1}
	if !v.staff() {
		f.UnitIDs = []int64{v.unitID}
	}
	out, _, err := s.listActivities(ctx, q, f)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "共建活动不存在")
	}
	return &out[0], nil
}

// RecordActivity records a co-building activity held with its units, linked to the need or
// project it served, as an activity of internal/activities. A unit contact records activities
// their own unit took part in.
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
		var names []string
		mine := v.staff()
		for _, id := range in.UnitIDs {
			u, err := s.unitFor(ctx, tx, viewer{p: v.p, scope: v.scope}, id)
			if err != nil || (regionID != 0 && u.RegionID != regionID) {
				return nil, errs.Field("unit_ids", "参与单位须为同一社区大党委的成员单位")
			}
			regionID, mine = u.RegionID, mine || id == v.unitID
			names = append(names, u.Name)
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
		starts, ends := in.times()
		id, err := activities.RecordUnitActivity(ctx, tx, activities.UnitActivityInput{RegionID: regionID, Title: in.Title,
			Kind: activities.ActivityKind(in.Kind), Organiser: organiser(names), Place: in.Place, StartsAt: starts, EndsAt: ends,
			Headcount: in.Participants, ServiceMinutes: in.ServiceMinutes, Summary: in.Summary, UnitIDs: in.UnitIDs,
			NeedID: in.NeedID, ProjectID: in.ProjectID, CreatedBy: v.p.UserID}, s.now())
		if err != nil {
			return nil, err
		}
		a, err := s.activityFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return a, record(ctx, tx, "cobuild.activity.record", "activity", id, regionID, "登记共建活动："+a.Title, a)
	})
}

// organiser names the units of an activity as the activity lists show its organiser (60 runes at most).
func organiser(names []string) string {
	out := strings.Join(names, "、")
	if r := []rune(out); len(r) > 60 {
		out = string(r[:59]) + "等"
	}
	return out
}
