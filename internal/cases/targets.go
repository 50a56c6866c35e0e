package cases

// targets.go holds the dispatch targets a dispatcher may pick (the page's select and
// GET /api/v1/cases/targets) and the check that a posted target is one of them.

import (
	"context"
	"fmt"
	"slices"

	"linli/internal/auth"
	"linli/internal/db"
)

// DispatchChoices are the targets a dispatcher may pick, all within their scope: the grids and
// the people of their region who can handle cases, the co-building units and the departments that
// serve it (registered in the region or above it, with a contact account to sign).
type DispatchChoices struct {
	Grids       []Option `json:"grids"`
	Users       []Option `json:"users"`
	Units       []string `json:"units"`
	Departments []string `json:"departments"`
}

// DispatchChoices lists the dispatch targets of the principal's scope; empty for anyone who does
// not dispatch.
func (s *Service) DispatchChoices(ctx context.Context) (*DispatchChoices, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	out := &DispatchChoices{Grids: []Option{}, Users: []Option{}, Units: []string{}, Departments: []string{}}
	if !p.Can(auth.CasesDispatch) {
		return out, nil
	}
	if out.Grids, err = s.ScopeGrids(ctx); err != nil {
		return nil, err
	}
	if out.Users, err = handlerOptions(ctx, s.db.R, p); err != nil {
		return nil, err
	}
	if out.Units, err = orgTargets(ctx, s.db.R, p, "unit"); err != nil {
		return nil, err
	}
	out.Departments, err = orgTargets(ctx, s.db.R, p, "department")
	return out, err
}

// orgTargets lists the units (kind "unit") or departments that serve the principal's region: a
// co-building unit of the register (cobuild_units) or an organisation with a contact account
// (role unit_contact or department, named by its org_name), registered within the principal's
// region or at a level above it (a district department serves every community of the district).
func orgTargets(ctx context.Context, q db.Querier, p *auth.Principal, kind string) ([]string, error) {
	near := `(r.path LIKE $1 OR $2 LIKE r.path || '%')`
	query := `SELECT u.org_name FROM users u JOIN regions r ON r.id = u.region_id
		WHERE u.active AND u.role = $3 AND u.org_name <> '' AND ` + near
	role := auth.Department
	if kind == "unit" {
		role = auth.UnitContact
		query += ` UNION SELECT cu.name FROM cobuild_units cu JOIN regions r ON r.id = cu.region_id WHERE cu.active AND ` + near
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT x.org_name FROM (`+query+`) x ORDER BY x.org_name`, p.Scope(), p.RegionPath, string(role))
	if err != nil {
		return nil, fmt.Errorf("%s targets: %w", kind, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// servesScope reports whether the unit or department named name is a dispatch target of p.
func servesScope(ctx context.Context, q db.Querier, p *auth.Principal, kind, name string) (bool, error) {
	names, err := orgTargets(ctx, q, p, kind)
	return slices.Contains(names, name), err
}
