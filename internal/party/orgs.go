package party

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Tree returns every organisation in the principal's scope with its counts, committees first, for
// the organisation page's chain.
func (s *Service) Tree(ctx context.Context) ([]*Org, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	return orgsUnder(ctx, s.db.R, p.Scope(), p.Scope())
}

// OrgFilter narrows the organisations list.
type OrgFilter struct {
	Kind     OrgKind
	ParentID int64
	RegionID int64
	Limit    int
	Offset   int
}

// Orgs lists the organisations in scope that match f, with counts, and the total before paging.
func (s *Service) Orgs(ctx context.Context, f OrgFilter) ([]Org, int, error) {
	p, within, err := s.readScope(ctx, f.RegionID)
	if err != nil {
		return nil, 0, err
	}
	all, err := orgsUnder(ctx, s.db.R, p.Scope(), within)
	if err != nil {
		return nil, 0, err
	}
	out := []Org{}
	for _, o := range all {
		if (f.Kind == "" || o.Kind == f.Kind) && (f.ParentID == 0 || (o.ParentID != nil && *o.ParentID == f.ParentID)) {
			out = append(out, *o)
		}
	}
	total := len(out)
	if f.Offset >= total {
		return []Org{}, total, nil
	}
	out = out[f.Offset:]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

// Org returns one organisation in scope with its counts.
func (s *Service) Org(ctx context.Context, id int64) (*Org, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	o, err := s.orgInScope(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	all, err := orgsUnder(ctx, s.db.R, p.Scope(), o.regionPath+"%")
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		if x.ID == id {
			return x, nil
		}
	}
	return o, nil
}

// Children returns the organisations directly under an organisation, with counts.
func (s *Service) Children(ctx context.Context, id int64) ([]Org, error) {
	out, _, err := s.Orgs(ctx, OrgFilter{ParentID: id})
	return out, err
}

func (s *Service) orgInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Org, error) {
	o, err := orgByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.Covers(o.regionPath) {
		return nil, errs.E(errs.NotFound, "党组织不存在")
	}
	return o, nil
}

// CreateOrg creates a committee for a community, a branch for a grid under a committee, or a group
// under a branch.
func (s *Service) CreateOrg(ctx context.Context, in OrgInput) (*Org, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Org, error) { return s.CreateOrgTx(ctx, tx, in) })
}

// CreateOrgTx is CreateOrg inside the caller's transaction, for the demo builder.
func (s *Service) CreateOrgTx(ctx context.Context, tx *db.Tx, in OrgInput) (*Org, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var regionID, gridID, parentID any
	switch in.Kind {
	case Committee:
		r, err := regionByID(ctx, tx, in.RegionID)
		if err != nil || !p.Covers(r.Path) {
			return nil, errs.Field("region_id", "所选社区不存在")
		}
		if r.Level != "community" {
			return nil, errs.Field("region_id", "社区党委只能建立在社区一级")
		}
		regionID = r.ID
	case Branch, Group:
		parent, err := s.orgInScope(ctx, tx, p, in.ParentID)
		if err != nil {
			return nil, errs.Field("parent_id", "所属党组织不存在")
		}
		if childKind[parent.Kind] != in.Kind {
			return nil, errs.Field("parent_id", fmt.Sprintf("%s下不能建立%s", parent.Kind.Label(), in.Kind.Label()))
		}
		parentID, regionID = parent.ID, parent.RegionID
		if in.Kind == Branch {
			g, err := regionByID(ctx, tx, in.GridID)
			if err != nil || g.Level != "grid" || !g.ParentID.Valid || g.ParentID.Int64 != parent.RegionID {
				return nil, errs.Field("grid_id", "所选网格不属于该社区")
			}
			regionID, gridID = g.ID, g.ID
		}
	}
	t := now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, parent_id, kind, name, grid_id, secretary,
		founded_on, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		regionID, parentID, in.Kind, in.Name, gridID, in.Secretary, in.FoundedOn, in.Note, t).Scan(&id)
	if db.IsUnique(err) {
		if in.Kind == Committee {
			return nil, errs.E(errs.Conflict, "该社区已建立社区党委")
		}
		return nil, errs.E(errs.Conflict, "该网格已建立网格党支部")
	}
	if err != nil {
		return nil, fmt.Errorf("create party org: %w", err)
	}
	o, err := orgByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return o, audit.Record(ctx, tx, audit.Entry{Action: "party_org.create", ObjectType: "party_org", ObjectID: id,
		RegionID: o.RegionID, After: o})
}

// UpdateOrg changes an organisation's name, secretary, founding date and note.
func (s *Service) UpdateOrg(ctx context.Context, id int64, u OrgUpdate) (*Org, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var after *Org
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.orgInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE party_orgs SET name = $1, secretary = $2, founded_on = $3, note = $4,
			updated_at = $5 WHERE id = $6`, u.Name, u.Secretary, u.FoundedOn, u.Note, now(), id); err != nil {
			return fmt.Errorf("update party org %d: %w", id, err)
		}
		if after, err = orgByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "party_org.update", ObjectType: "party_org", ObjectID: id,
			RegionID: after.RegionID, Before: before, After: after})
	})
	return after, err
}

// CreateMissingBranches creates a grid party branch under a committee for every grid of its
// community that has none, named after the grid, with the grid roster's branch secretary if one
// is listed. It returns the branches created.
func (s *Service) CreateMissingBranches(ctx context.Context, committeeID int64) ([]Org, error) {
	var out []Org
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.CreateMissingBranchesTx(ctx, tx, committeeID)
		return err
	})
	return out, err
}

// CreateMissingBranchesTx is CreateMissingBranches inside the caller's transaction.
func (s *Service) CreateMissingBranchesTx(ctx context.Context, tx *db.Tx, committeeID int64) ([]Org, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	c, err := s.orgInScope(ctx, tx, p, committeeID)
	if err != nil {
		return nil, err
	}
	if c.Kind != Committee {
		return nil, errs.E(errs.Invalid, "只能在社区党委下按网格建立党支部")
	}
	rows, err := tx.QueryContext(ctx, `SELECT g.id, rg.name,
		COALESCE((SELECT MIN(gr.name) FROM grid_roster gr WHERE gr.grid_id = g.id AND gr.duty = 'branch_secretary'), '')
		FROM grids g JOIN regions rg ON rg.id = g.id
		WHERE g.community_id = $1 AND NOT EXISTS (SELECT 1 FROM party_orgs o WHERE o.kind = 'branch' AND o.grid_id = g.id)
		ORDER BY g.number, g.id`, c.RegionID)
	if err != nil {
		return nil, fmt.Errorf("grids without branch: %w", err)
	}
	type grid struct {
		id              int64
		name, secretary string
	}
	var grids []grid
	for rows.Next() {
		var g grid
		if err := rows.Scan(&g.id, &g.name, &g.secretary); err != nil {
			rows.Close()
			return nil, err
		}
		grids = append(grids, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	community, err := regionByID(ctx, tx, c.RegionID)
	if err != nil {
		return nil, err
	}
	out := []Org{}
	for _, g := range grids {
		name := strings.TrimPrefix(g.name, community.Name)
		if name == "" {
			name = g.name
		}
		o, err := s.CreateOrgTx(ctx, tx, OrgInput{Kind: Branch, ParentID: c.ID, GridID: g.id, Name: name + "党支部",
			Secretary: g.secretary})
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// CommunitiesWithoutCommittee lists the communities in scope that have no party committee yet.
func (s *Service) CommunitiesWithoutCommittee(ctx context.Context) ([]regionInfo, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	return s.regions(ctx, `SELECT id, parent_id, level, name, path FROM regions
		WHERE level = 'community' AND path LIKE $1
		AND NOT EXISTS (SELECT 1 FROM party_orgs o WHERE o.kind = 'committee' AND o.region_id = regions.id)
		ORDER BY code`, p.Scope())
}

// GridsWithoutBranch lists the grids of a committee's community that have no branch yet.
func (s *Service) GridsWithoutBranch(ctx context.Context, committeeID int64) ([]regionInfo, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	c, err := s.orgInScope(ctx, s.db.R, p, committeeID)
	if err != nil {
		return nil, err
	}
	return s.regions(ctx, `SELECT id, parent_id, level, name, path FROM regions
		WHERE level = 'grid' AND parent_id = $1
		AND NOT EXISTS (SELECT 1 FROM party_orgs o WHERE o.kind = 'branch' AND o.grid_id = regions.id)
		ORDER BY code`, c.RegionID)
}

func (s *Service) regions(ctx context.Context, query string, args ...any) ([]regionInfo, error) {
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	defer rows.Close()
	var out []regionInfo
	for rows.Next() {
		var r regionInfo
		if err := rows.Scan(&r.ID, &r.ParentID, &r.Level, &r.Name, &r.Path); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
