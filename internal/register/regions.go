package register

import (
	"context"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

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
