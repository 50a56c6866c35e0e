package register

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Level is a region's place in the tree: city → district → street → community → grid.
type Level string

// The region levels.
const (
	LevelCity      Level = "city"
	LevelDistrict  Level = "district"
	LevelStreet    Level = "street"
	LevelCommunity Level = "community"
	LevelGrid      Level = "grid"
)

var levelLabels = map[Level]string{LevelCity: "市", LevelDistrict: "区", LevelStreet: "街道", LevelCommunity: "社区", LevelGrid: "网格"}

// Label is the level's Chinese name.
func (l Level) Label() string { return levelLabels[l] }

var childLevel = map[Level]Level{LevelCity: LevelDistrict, LevelDistrict: LevelStreet, LevelStreet: LevelCommunity, LevelCommunity: LevelGrid}

// Region is an administrative division or a grid. Path lists the IDs from the root, "/1/4/9/".
type Region struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id"`
	Level    Level  `json:"level"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Path     string `json:"-"`
}

// NewRegion is what creating a region needs.
type NewRegion struct {
	ParentID int64 // 0 for a top-level region
	Level    Level
	Code     string // GB/T 2260-style code; a grid's is its community's code plus two digits
	Name     string
}

// Validate checks the fields that need no database.
func (n NewRegion) Validate() error {
	f := errs.Fields{}
	if _, ok := levelLabels[n.Level]; !ok {
		f.Add("level", "区划级别无效")
	}
	if strings.TrimSpace(n.Name) == "" {
		f.Add("name", "请填写名称")
	}
	if n.Code == "" || len(n.Code) > 24 || strings.Trim(n.Code, "0123456789") != "" {
		f.Add("code", "区划代码应为数字，不超过24位")
	}
	return f.Err()
}

// CreateRegion inserts a region under its parent inside tx and sets its path. The parent's level
// must be the one above; the caller has checked the user's scope over the parent.
func CreateRegion(ctx context.Context, tx *db.Tx, n NewRegion) (*Region, error) {
	n.Name = strings.TrimSpace(n.Name)
	if err := n.Validate(); err != nil {
		return nil, err
	}
	parentPath := "/"
	var parentID any
	if n.ParentID != 0 {
		parent, err := regionByID(ctx, tx, n.ParentID)
		if err != nil {
			return nil, err
		}
		if childLevel[parent.Level] != n.Level {
			return nil, errs.Field("level", fmt.Sprintf("%s下只能建立%s", parent.Level.Label(), childLevel[parent.Level].Label()))
		}
		parentPath, parentID = parent.Path, parent.ID
	}
	r := &Region{Level: n.Level, Code: n.Code, Name: n.Name}
	err := tx.QueryRowContext(ctx, `INSERT INTO regions (parent_id, level, code, name, path, created_at)
		VALUES ($1, $2, $3, $4, '', $5) RETURNING id`, parentID, n.Level, n.Code, n.Name, time.Now().UTC()).Scan(&r.ID)
	if db.IsUnique(err) {
		return nil, errs.Field("code", "区划代码 "+n.Code+" 已存在")
	}
	if err != nil {
		return nil, fmt.Errorf("create region %s: %w", n.Code, err)
	}
	r.Path = parentPath + strconv.FormatInt(r.ID, 10) + "/"
	if n.ParentID != 0 {
		pid := n.ParentID
		r.ParentID = &pid
	}
	if _, err := tx.ExecContext(ctx, `UPDATE regions SET path = $1 WHERE id = $2`, r.Path, r.ID); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, audit.Entry{Action: "region.create", ObjectType: "region", ObjectID: r.ID,
		RegionID: r.ID, After: r}); err != nil {
		return nil, err
	}
	return r, nil
}

const regionColumns = `id, parent_id, level, code, name, path`

func scanRegion(row interface{ Scan(...any) error }) (*Region, error) {
	r := &Region{}
	if err := row.Scan(&r.ID, &r.ParentID, &r.Level, &r.Code, &r.Name, &r.Path); err != nil {
		return nil, err
	}
	return r, nil
}

func regionByID(ctx context.Context, q db.Querier, id int64) (*Region, error) {
	r, err := scanRegion(q.QueryRowContext(ctx, `SELECT `+regionColumns+` FROM regions WHERE id = $1`, id))
	return r, db.NotFound(err, "区划不存在")
}

// RegionByCode returns the region with the given code, unscoped: for the command line.
func (s *Service) RegionByCode(ctx context.Context, code string) (*Region, error) {
	r, err := scanRegion(s.db.R.QueryRowContext(ctx, `SELECT `+regionColumns+` FROM regions WHERE code = $1`, code))
	return r, db.NotFound(err, "区划代码 "+code+" 不存在")
}

// Region returns a region in the principal's scope; outside it, not found.
func (s *Service) Region(ctx context.Context, p *auth.Principal, id int64) (*Region, error) {
	r, err := regionByID(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if !p.Covers(r.Path) {
		return nil, errs.E(errs.NotFound, "区划不存在")
	}
	return r, nil
}

// Ancestors returns the regions above r from the top, for breadcrumbs; only those the principal
// covers (so a grid worker's breadcrumb starts at their grid).
func (s *Service) Ancestors(ctx context.Context, p *auth.Principal, r *Region) ([]Region, error) {
	var out []Region
	for _, part := range strings.Split(strings.Trim(r.Path, "/"), "/") {
		id, _ := strconv.ParseInt(part, 10, 64)
		if id == r.ID {
			break
		}
		a, err := regionByID(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		if p.Covers(a.Path) {
			out = append(out, *a)
		}
	}
	return out, nil
}

// Children returns the regions directly under parent, by code.
func (s *Service) Children(ctx context.Context, parentID int64) ([]Region, error) {
	return queryRegions(ctx, s.db.R, `parent_id = $1`, parentID)
}

// queryRegions returns the regions that match where, by code.
func queryRegions(ctx context.Context, q db.Querier, where string, args ...any) ([]Region, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+regionColumns+` FROM regions WHERE `+where+` ORDER BY code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Region{}
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// InTx exposes the service's transaction runner to packages that build on the register (the demo
// builder, imports from other capabilities).
func (s *Service) InTx(ctx context.Context, fn func(tx *db.Tx) error) error {
	return s.db.InTx(ctx, fn)
}

// Communities lists the communities in the principal's scope, by code.
func (s *Service) Communities(ctx context.Context, p *auth.Principal) ([]Region, error) {
	return queryRegions(ctx, s.db.R, `level = 'community' AND path LIKE $1`, p.Scope())
}

// RegionNode is a region with its children, for the tree page and the regions API.
type RegionNode struct {
	Region
	LevelLabel string       `json:"level_label"`
	Children   []RegionNode `json:"children,omitempty"`
}

// RegionTree returns the principal's region and everything under it down to grids.
func (s *Service) RegionTree(ctx context.Context) (*RegionNode, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	all, err := queryRegions(ctx, s.db.R, `path LIKE $1`, p.Scope())
	if err != nil {
		return nil, err
	}
	children := map[int64][]Region{}
	var root *Region
	for i := range all {
		if all[i].ID == p.RegionID {
			root = &all[i]
		} else if all[i].ParentID != nil {
			children[*all[i].ParentID] = append(children[*all[i].ParentID], all[i])
		}
	}
	if root == nil {
		return nil, errs.E(errs.NotFound, "区划不存在")
	}
	var build func(r Region) RegionNode
	build = func(r Region) RegionNode {
		n := RegionNode{Region: r, LevelLabel: r.Level.Label()}
		for _, c := range children[r.ID] {
			n.Children = append(n.Children, build(c))
		}
		return n
	}
	tree := build(*root)
	return &tree, nil
}

// Regions lists the regions in scope, optionally only the children of parent, by code.
func (s *Service) Regions(ctx context.Context, parent int64) ([]Region, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	if parent != 0 {
		return queryRegions(ctx, s.db.R, `path LIKE $1 AND parent_id = $2`, p.Scope(), parent)
	}
	return queryRegions(ctx, s.db.R, `path LIKE $1`, p.Scope())
}

// CreateSubRegion adds a street under a district or a community under a street, inside the
// principal's scope. Grids are made with CreateGrid.
func (s *Service) CreateSubRegion(ctx context.Context, n NewRegion) (*Region, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	if n.Level != LevelStreet && n.Level != LevelCommunity {
		return nil, errs.Field("level", "这里只能新建街道或社区；网格请在网格页面新建")
	}
	var r *Region
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		parent, err := regionByID(ctx, tx, n.ParentID)
		if err != nil || !p.Covers(parent.Path) {
			return errs.Field("parent_id", "上级区划不存在或不在您的管辖范围内")
		}
		r, err = CreateRegion(ctx, tx, n)
		return err
	})
	return r, err
}
