package cases

// service_pages.go holds the read models the HTML pages need beyond the core use cases: the
// choices of the dispatch and merge forms, the register records a case links to, and the printable
// QR targets. Every query is scoped to the principal like the rest of the service.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Option is one choice of a form's select.
type Option struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
}

// handlerOptions lists the active staff in the principal's scope whose role handles cases, named
// with their role and region.
func handlerOptions(ctx context.Context, q db.Querier, p *auth.Principal) ([]Option, error) {
	var roles []any
	ph := ""
	for _, role := range auth.Roles {
		if (&auth.Principal{Role: role}).Can(auth.CasesHandle) {
			roles = append(roles, string(role))
			if ph != "" {
				ph += ", "
			}
			ph += fmt.Sprintf("$%d", len(roles)+1)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name, u.role, r.name FROM users u JOIN regions r ON r.id = u.region_id
		WHERE u.active AND r.path LIKE $1 AND u.role IN (`+ph+`) ORDER BY r.path, u.name`, append([]any{p.Scope()}, roles...)...)
	if err != nil {
		return nil, fmt.Errorf("handler choices: %w", err)
	}
	defer rows.Close()
	out := []Option{}
	for rows.Next() {
		var o Option
		var role auth.Role
		var region string
		if err := rows.Scan(&o.ID, &o.Label, &role, &region); err != nil {
			return nil, err
		}
		o.Label += "（" + role.Label() + " · " + region + "）"
		out = append(out, o)
	}
	return out, rows.Err()
}

// FilterChoices are the choices of the filter forms of the case list and the dashboard, and of
// the intake form.
type FilterChoices struct {
	Categories []Category
	Channels   []Channel
	Grids      []Option
	Handlers   []Option
}

// FilterChoices loads the categories and channels, and the grids and handling staff in the
// principal's scope.
func (s *Service) FilterChoices(ctx context.Context) (FilterChoices, error) {
	var fc FilterChoices
	p, err := principal(ctx)
	if err != nil {
		return fc, err
	}
	if fc.Categories, err = s.Categories(ctx); err != nil {
		return fc, err
	}
	if fc.Channels, err = s.Channels(ctx); err != nil {
		return fc, err
	}
	if fc.Grids, err = s.ScopeGrids(ctx); err != nil {
		return fc, err
	}
	fc.Handlers, err = handlerOptions(ctx, s.db.R, p)
	return fc, err
}

func options(ctx context.Context, q db.Querier, query string, args ...any) ([]Option, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	defer rows.Close()
	out := []Option{}
	for rows.Next() {
		var o Option
		if err := rows.Scan(&o.ID, &o.Label); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// MergeChoices lists the open, accepted cases of the same community a case may be merged into,
// the same category first.
func (s *Service) MergeChoices(ctx context.Context, c *Case) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Can(auth.CasesDispatch) {
		return []Option{}, nil
	}
	return options(ctx, s.db.R, `SELECT c.id, c.number || ' ' || c.title FROM cases c
		WHERE c.community_id = $1 AND c.id <> $2 AND c.state IN ('accepted','dispatched','in_progress','suspended','reported')
		AND c.region_id IN (SELECT id FROM regions WHERE path LIKE $3)
		ORDER BY CASE WHEN c.category_id = $4 THEN 0 ELSE 1 END, c.received_at DESC LIMIT 50`,
		c.CommunityID, c.ID, p.Scope(), c.CategoryID)
}

// GridChoices lists the grids of a community, for correcting a case's grid at acceptance.
func (s *Service) GridChoices(ctx context.Context, communityID int64) ([]Option, error) {
	return options(ctx, s.db.R, `SELECT r.id, r.name FROM grids g JOIN regions r ON r.id = g.id
		WHERE g.community_id = $1 ORDER BY r.code`, communityID)
}

// Links are the register records a case refers to, by name, for links on the case page.
type Links struct {
	Building  string
	Household string
	Resident  string
}

// LinksOf names the building, household and resident a visible case refers to.
func (s *Service) LinksOf(ctx context.Context, c *Case) (Links, error) {
	var l Links
	q := s.db.R
	if c.BuildingID != nil {
		if err := q.QueryRowContext(ctx, `SELECT name FROM buildings WHERE id = $1`, *c.BuildingID).Scan(&l.Building); err != nil {
			return l, db.NotFound(err, "楼院不存在")
		}
	}
	if c.HouseholdID != nil {
		var unit, room string
		if err := q.QueryRowContext(ctx, `SELECT unit, room FROM households WHERE id = $1`, *c.HouseholdID).Scan(&unit, &room); err == nil {
			// Units are stored 2单元 (register.CanonUnit); a bare 2 from before migration 0020 reads the same.
			if unit != "" && !strings.HasSuffix(unit, "单元") {
				unit += "单元"
			}
			l.Household = unit + room
		}
	}
	if c.ResidentID != nil {
		_ = q.QueryRowContext(ctx, `SELECT name FROM residents WHERE id = $1`, *c.ResidentID).Scan(&l.Resident)
	}
	return l, nil
}

// QRTarget is a grid or building a printable QR code points residents to.
type QRTarget struct {
	Kind      string // grid, building
	ID        int64
	Name      string
	Community string
	Grid      string
}

// QRTarget returns the grid or building (kind) with id, when it lies in the principal's scope.
func (s *Service) QRTarget(ctx context.Context, kind string, id int64) (*QRTarget, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	t := &QRTarget{Kind: kind, ID: id}
	var path string
	switch kind {
	case "grid":
		err = s.db.R.QueryRowContext(ctx, `SELECT r.name, r.path, c.name FROM grids g JOIN regions r ON r.id = g.id
			JOIN regions c ON c.id = g.community_id WHERE g.id = $1`, id).Scan(&t.Name, &path, &t.Community)
		t.Grid = t.Name
	case "building":
		err = s.db.R.QueryRowContext(ctx, `SELECT b.name, r.path, c.name, COALESCE(g.name, '') FROM buildings b
			JOIN regions r ON r.id = b.region_id JOIN regions c ON c.id = b.community_id
			LEFT JOIN regions g ON g.id = b.grid_id WHERE b.id = $1`, id).Scan(&t.Name, &path, &t.Community, &t.Grid)
	default:
		return nil, errs.E(errs.NotFound, "页面不存在")
	}
	if err != nil || !p.Covers(path) {
		return nil, errs.E(errs.NotFound, "记录不存在或您无权查看")
	}
	return t, nil
}

// ScopeGrids lists the grids in the principal's scope, for filters and the intake form.
func (s *Service) ScopeGrids(ctx context.Context) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return options(ctx, s.db.R, `SELECT r.id, COALESCE(pr.name || ' · ', '') || r.name FROM grids g
		JOIN regions r ON r.id = g.id LEFT JOIN regions pr ON pr.id = r.parent_id
		WHERE r.path LIKE $1 ORDER BY r.code`, p.Scope())
}

// ScopeBuildings lists the buildings in the principal's scope (at most 3000), for the intake form.
func (s *Service) ScopeBuildings(ctx context.Context) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return options(ctx, s.db.R, `SELECT b.id, CASE WHEN g.name IS NULL THEN b.name ELSE b.name || '（' || g.name || '）' END
		FROM buildings b JOIN regions r ON r.id = b.region_id LEFT JOIN regions g ON g.id = b.grid_id
		WHERE r.path LIKE $1 ORDER BY b.community_id, b.name LIMIT 3000`, p.Scope())
}

// ScopeRegions lists the streets and communities in the principal's scope, for the dashboard.
func (s *Service) ScopeRegions(ctx context.Context) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return options(ctx, s.db.R, `SELECT id, name FROM regions WHERE path LIKE $1 AND level IN ('street','community')
		ORDER BY path`, p.Scope())
}

// ScopeCommunities lists the communities in the principal's scope.
func (s *Service) ScopeCommunities(ctx context.Context) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return options(ctx, s.db.R, `SELECT id, name FROM regions WHERE path LIKE $1 AND level = 'community' ORDER BY path`, p.Scope())
}

// CheckFilterScope answers NotFound when a list, dashboard or export filter names a region or grid
// outside the principal's scope, as any record outside it does — rather than quietly showing the
// part of the selection that happens to lie inside.
func (s *Service) CheckFilterScope(ctx context.Context, f Filter) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	for _, id := range []int64{f.RegionID, f.GridID} {
		if id == 0 {
			continue
		}
		var path string
		if err := s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, id).Scan(&path); err != nil || !p.Covers(path) {
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("filter region %d: %w", id, err)
			}
			return errs.E(errs.NotFound, "所选区域或网格不存在，或不在您的管辖范围内")
		}
	}
	return nil
}

// CaseList is one page of the case list with the choices of its filter form.
type CaseList struct {
	Cases   []Case
	Total   int
	More    bool // more cases than Total (ListPage counts up to ListCountCap, a queue QueueListCap)
	Choices FilterChoices
}

// CaseList lists the cases a filter selects in the principal's scope, with the filter choices; a
// region or grid outside the scope is NotFound.
func (s *Service) CaseList(ctx context.Context, f Filter) (*CaseList, error) {
	if err := s.CheckFilterScope(ctx, f); err != nil {
		return nil, err
	}
	lp := &CaseList{}
	var err error
	if lp.Cases, lp.Total, lp.More, err = s.ListPage(ctx, f); err != nil {
		return nil, err
	}
	if lp.Choices, err = s.FilterChoices(ctx); err != nil {
		return nil, err
	}
	return lp, nil
}
