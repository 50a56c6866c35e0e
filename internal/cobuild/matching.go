package cobuild

import (
	"context"
	"sort"

	"linli/internal/auth"
	"linli/internal/db"
)

// Match is a resource suggested for a need, or a need for a resource, with why it fits.
type Match struct {
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
	// Meters is how far the resource's unit is from the need's building, when both are known.
	Meters   *float64  `json:"meters,omitempty"`
	Resource *Resource `json:"resource,omitempty"`
	Need     *Need     `json:"need,omitempty"`
}

// fit scores how well a resource meets a need: its category (+3 the same, +1 a resource for any
// category) and its kind against the help wanted (+2 for each kind of help it gives). Anything
// below 2 is no match.
func fit(n Need, r Resource) (int, []string) {
	score, why := 0, []string{}
	switch r.Category {
	case n.Category:
		score, why = score+3, append(why, "类别相符："+n.Category)
	case "":
		score, why = score+1, append(why, "不限类别")
	}
	kind := func(ok bool, reason string) {
		if ok {
			score, why = score+2, append(why, reason)
		}
	}
	kind(n.WantMoney > 0 && r.Kind == "funds", "提供资金")
	kind((n.WantPeople > 0 || n.WantHours > 0) && (r.Kind == "volunteers" || r.Kind == "service"), "提供人员服务")
	kind(n.WantRoom && r.Kind == "venue", "提供场地")
	kind(n.WantSkill != "" && r.Kind == "expertise", "提供专业技能")
	kind(r.Kind == "goods" && n.WantMoney > 0, "提供物资")
	return score, why
}

// near adds to a match how far the offer is from the need, when both places are known.
func (m *Match) near(need, offer *point) {
	score, why, meters, ok := byDistance(need, offer)
	if !ok {
		return
	}
	m.Score += score
	m.Reasons = append(m.Reasons, why)
	m.Meters = &meters
}

// communityOf returns the community of a region (itself, or a grid's parent).
func communityOf(ctx context.Context, q db.Querier, regionID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT CASE WHEN level = 'grid' THEN parent_id ELSE id END FROM regions WHERE id = $1`,
		regionID).Scan(&id)
	return id, err
}

// NeedMatches suggests, for an open need, the resources of its community that are available today
// with some quantity left and fit its category and the help it wants, best first.
func (s *Service) NeedMatches(ctx context.Context, needID int64) ([]Match, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	n, err := needFor(ctx, s.db.R, v, needID)
	if err != nil {
		return nil, err
	}
	out := []Match{}
	if n.State != Raised && n.State != Claimed {
		return out, nil
	}
	c, err := communityOf(ctx, s.db.R, n.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	resourceScope(w, v)
	w.add("s.region_id = ?", c)
	all, _, err := listResources(ctx, s.db.R, w, 0, 0)
	if err != nil {
		return nil, err
	}
	here, err := buildingPoint(ctx, s.db.R, n.BuildingID)
	if err != nil {
		return nil, err
	}
	units, err := unitPoints(ctx, s.db.R, c)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for i := range all {
		r := all[i]
		if !r.AvailableOn(today) {
			continue
		}
		if score, why := fit(*n, r); score >= 2 {
			m := Match{Score: score, Reasons: why, Resource: &r}
			if r.UnitID != nil {
				m.near(here, units[*r.UnitID])
			}
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Resource.Remaining() > out[j].Resource.Remaining()
	})
	return out, nil
}

// ResourceMatches suggests, for a resource, the open needs of its community it could meet, best
// first (and, among equals, the most urgent and oldest first).
func (s *Service) ResourceMatches(ctx context.Context, resourceID int64) ([]Match, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	r, err := resourceFor(ctx, s.db.R, v, resourceID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	needScope(w, v)
	w.conds = append(w.conds, "n.state = 'raised'")
	w.add("(n.region_id = ? OR n.region_id IN (SELECT id FROM regions WHERE parent_id = ?))", r.RegionID)
	needs, _, err := listNeeds(ctx, s.db.R, w, "CASE n.urgency WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, n.raised_on, n.id", 0, 0)
	if err != nil {
		return nil, err
	}
	var there *point
	if r.UnitID != nil {
		c, err := communityOf(ctx, s.db.R, r.RegionID)
		if err != nil {
			return nil, err
		}
		units, err := unitPoints(ctx, s.db.R, c)
		if err != nil {
			return nil, err
		}
		there = units[*r.UnitID]
	}
	out := []Match{}
	for i := range needs {
		n := needs[i]
		if score, why := fit(n, *r); score >= 2 {
			m := Match{Score: score, Reasons: why, Need: &n}
			if there != nil {
				here, err := buildingPoint(ctx, s.db.R, n.BuildingID)
				if err != nil {
					return nil, err
				}
				m.near(here, there)
			}
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}
