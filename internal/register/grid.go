package register

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/geo"
)

// GridKinds lists the grid kinds: a basic grid of homes, or a dedicated grid (a school, a market).
var GridKinds = []string{"basic", "dedicated"}

// GridKindLabel is the Chinese for a grid kind.
func GridKindLabel(k string) string {
	if k == "dedicated" {
		return "专属网格"
	}
	return "基础网格"
}

// Grid is a grid with its community and figures.
type Grid struct {
	ID            int64            `json:"id"`
	CommunityID   int64            `json:"community_id"`
	CommunityName string           `json:"community_name"`
	Number        int              `json:"number"`
	Code          string           `json:"code"`
	Name          string           `json:"name"`
	Kind          string           `json:"kind"`
	Note          string           `json:"note"`
	Boundary      orb.MultiPolygon `json:"-"`
	Buildings     int              `json:"buildings"`
	Households    int              `json:"households"`
	Residents     int              `json:"residents"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Path          string           `json:"-"`
}

// KindLabel is the grid kind's Chinese name.
func (g *Grid) KindLabel() string { return GridKindLabel(g.Kind) }

// HasBoundary reports whether the grid has a boundary polygon.
func (g *Grid) HasBoundary() bool { return len(g.Boundary) > 0 }

// VertexCount is the number of vertices of the boundary.
func (g *Grid) VertexCount() int { return geo.VertexCount(g.Boundary) }

// Centroid is the boundary's centroid as [lon, lat], or nil without a boundary.
func (g *Grid) Centroid() []float64 {
	if !g.HasBoundary() {
		return nil
	}
	c := geo.Centroid(g.Boundary)
	return []float64{round6(c[0]), round6(c[1])}
}

func round6(f float64) float64 {
	if f < 0 {
		return -float64(int64(-f*1e6+0.5)) / 1e6
	}
	return float64(int64(f*1e6+0.5)) / 1e6
}

const gridColumns = `g.id, g.community_id, c.name, g.number, rg.code, rg.name, g.kind, g.note, g.boundary, g.updated_at, rg.path`

const gridFrom = ` FROM grids g JOIN regions rg ON rg.id = g.id JOIN regions c ON c.id = g.community_id`

func scanGrid(row interface{ Scan(...any) error }, extra ...any) (*Grid, error) {
	g := &Grid{}
	var boundary string
	dest := append([]any{&g.ID, &g.CommunityID, &g.CommunityName, &g.Number, &g.Code, &g.Name, &g.Kind, &g.Note,
		&boundary, &g.UpdatedAt, &g.Path}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	mp, err := geo.Unmarshal(boundary)
	if err != nil {
		return nil, fmt.Errorf("grid %d: stored boundary: %w", g.ID, err)
	}
	g.Boundary = mp
	return g, nil
}

// Grids lists the grids in the principal's scope, by code, with their building, household and
// resident counts.
func (s *Service) Grids(ctx context.Context) ([]Grid, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	var a db.Args
	query := `SELECT ` + gridColumns + `,
		(SELECT COUNT(*) FROM buildings b WHERE b.grid_id = g.id),
		(SELECT COUNT(*) FROM households h WHERE h.region_id = g.id),
		(SELECT COUNT(*) FROM residents r WHERE r.region_id = g.id AND r.status = 'active'` + adultsOnly(p, "r", &a) + `)` +
		gridFrom + ` WHERE rg.path LIKE ` + a.Add(p.Scope()) + ` ORDER BY rg.code`
	rows, err := s.db.R.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grid
	for rows.Next() {
		var b, h, r int
		g, err := scanGrid(rows, &b, &h, &r)
		if err != nil {
			return nil, err
		}
		g.Buildings, g.Households, g.Residents = b, h, r
		out = append(out, *g)
	}
	return out, rows.Err()
}

// Grid returns one grid in scope with its counts; outside scope it is not found.
func (s *Service) Grid(ctx context.Context, id int64) (*Grid, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	return s.gridInScope(ctx, s.db.R, p, id, true)
}

func (s *Service) gridInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64, counts bool) (*Grid, error) {
	g, err := scanGrid(q.QueryRowContext(ctx, `SELECT `+gridColumns+gridFrom+` WHERE g.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "网格不存在")
	}
	if !p.Covers(g.Path) {
		return nil, errs.E(errs.NotFound, "网格不存在")
	}
	if counts {
		a := db.Args{id}
		err = q.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM buildings WHERE grid_id = $1),
			(SELECT COUNT(*) FROM households WHERE region_id = $1),
			(SELECT COUNT(*) FROM residents r WHERE r.region_id = $1 AND r.status = 'active'`+adultsOnly(p, "r", &a)+`)`, a...).
			Scan(&g.Buildings, &g.Households, &g.Residents)
	}
	return g, err
}

// GridInput is what creating a grid takes; editing uses Kind and Note only.
type GridInput struct {
	CommunityID int64  `json:"community_id"`
	Number      int    `json:"number"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Note        string `json:"note"`
}

func validGridKind(k string) bool { return k == "basic" || k == "dedicated" }

// CreateGrid adds a grid (a region of level grid plus its grids row) to a community in scope. Its
// code is the community's code plus the two-digit number (CJ/T 349).
func (s *Service) CreateGrid(ctx context.Context, in GridInput) (*Grid, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	f := errs.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Number < 1 || in.Number > 99 {
		f.Add("number", "网格编号应为1至99")
	}
	if in.Kind == "" {
		in.Kind = "basic"
	}
	if !validGridKind(in.Kind) {
		f.Add("kind", "网格类型应为基础网格或专属网格")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		community, err := regionByID(ctx, tx, in.CommunityID)
		if err != nil || !p.Covers(community.Path) {
			return errs.Field("community_id", "所属社区不存在或不在您的管辖范围内")
		}
		if community.Level != LevelCommunity {
			return errs.Field("community_id", "网格只能建在社区之下")
		}
		if in.Name == "" {
			in.Name = fmt.Sprintf("%s第%d网格", community.Name, in.Number)
		}
		r, err := CreateRegion(ctx, tx, NewRegion{ParentID: community.ID, Level: LevelGrid,
			Code: fmt.Sprintf("%s%02d", community.Code, in.Number), Name: in.Name})
		if err != nil {
			if errs.FieldsOf(err)["code"] != "" {
				return errs.Field("number", fmt.Sprintf("本社区已有编号为 %02d 的网格", in.Number))
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO grids (id, community_id, number, kind, note, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, community.ID, in.Number, in.Kind, strings.TrimSpace(in.Note), time.Now().UTC())
		if db.IsUnique(err) {
			return errs.Field("number", fmt.Sprintf("本社区已有编号为 %02d 的网格", in.Number))
		}
		id = r.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Grid(ctx, id)
}

// UpdateGrid changes a grid's kind and note.
func (s *Service) UpdateGrid(ctx context.Context, id int64, kind, note string) (*Grid, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	f := errs.Fields{}
	if !validGridKind(kind) {
		f.Add("kind", "网格类型应为基础网格或专属网格")
	}
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "备注不能超过500字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		g, err := s.gridInScope(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grids SET kind = $1, note = $2, updated_at = $3 WHERE id = $4`,
			kind, note, time.Now().UTC(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "grid.update", ObjectType: "grid", ObjectID: id, RegionID: id,
			Before: map[string]string{"kind": g.Kind, "note": g.Note}, After: map[string]string{"kind": kind, "note": note}})
	})
	if err != nil {
		return nil, err
	}
	return s.Grid(ctx, id)
}

// BoundaryResult says what a boundary change did.
type BoundaryResult struct {
	Grid *Grid `json:"grid"`
	// Reassigned is the number of buildings that moved to another grid because of the change.
	Reassigned int `json:"reassigned"`
}

// SetBoundary replaces a grid's boundary with GeoJSON (see geo.ParseBoundary; empty text clears
// it). In the same transaction every building of the community whose grid was not set by hand is
// re-assigned by its point, and its households and residents follow; the live point-in-grid index
// is replaced after commit.
func (s *Service) SetBoundary(ctx context.Context, id int64, geojson string) (*BoundaryResult, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	var shape orb.MultiPolygon
	if strings.TrimSpace(geojson) != "" {
		if shape, err = geo.ParseBoundary([]byte(geojson)); err != nil {
			return nil, err
		}
	}
	res := &BoundaryResult{}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		g, err := s.gridInScope(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grids SET boundary = $1, updated_at = $2 WHERE id = $3`,
			geo.Marshal(shape), time.Now().UTC(), id); err != nil {
			return err
		}
		ix, err := loadIndex(ctx, tx)
		if err != nil {
			return err
		}
		if res.Reassigned, err = s.reassignBuildings(ctx, tx, ix, g.CommunityID); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.geo.Store(ix) })
		return audit.Record(ctx, tx, audit.Entry{Action: "grid.boundary", ObjectType: "grid", ObjectID: id, RegionID: id,
			Detail: fmt.Sprintf("边界 %d 个顶点，%d 栋楼院重新划归网格", geo.VertexCount(shape), res.Reassigned),
			Before: map[string]int{"vertices": g.VertexCount()}, After: map[string]int{"vertices": geo.VertexCount(shape)}})
	})
	if err != nil {
		return nil, err
	}
	res.Grid, err = s.Grid(ctx, id)
	return res, err
}

// reassignBuildings moves each building of the community with a point and no hand-set grid to the
// grid whose boundary contains it (buildings outside every boundary keep their grid), and updates
// the region of its households, residents and tags.
func (s *Service) reassignBuildings(ctx context.Context, tx *db.Tx, ix *geo.Index, communityID int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, grid_id, lon, lat FROM buildings
		WHERE community_id = $1 AND lon IS NOT NULL AND lat IS NOT NULL AND grid_manual = $2`, communityID, false)
	if err != nil {
		return 0, err
	}
	type move struct{ building, grid int64 }
	var moves []move
	for rows.Next() {
		var id int64
		var grid sql.NullInt64
		var lon, lat float64
		if err := rows.Scan(&id, &grid, &lon, &lat); err != nil {
			rows.Close()
			return 0, err
		}
		if to, ok := ix.Locate(lon, lat, communityID); ok && (!grid.Valid || grid.Int64 != to) {
			moves = append(moves, move{id, to})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, m := range moves {
		if err := moveBuilding(ctx, tx, m.building, m.grid); err != nil {
			return 0, err
		}
	}
	return len(moves), nil
}

// moveBuilding puts a building, its households, their residents and the residents' tags into grid.
func moveBuilding(ctx context.Context, tx *db.Tx, building, grid int64) error {
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE buildings SET grid_id = $1, region_id = $1, updated_at = $2 WHERE id = $3`,
		grid, now, building); err != nil {
		return fmt.Errorf("move building %d to grid %d: %w", building, grid, err)
	}
	return moveBuildingContents(ctx, tx, building, grid)
}

// moveBuildingContents puts a building's households, their residents and tags into region.
func moveBuildingContents(ctx context.Context, tx *db.Tx, building, region int64) error {
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE households SET region_id = $1, updated_at = $2 WHERE building_id = $3`,
		region, now, building); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE residents SET region_id = $1, updated_at = $2
		WHERE household_id IN (SELECT id FROM households WHERE building_id = $3)`, region, now, building); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resident_tags SET region_id = $1 WHERE resident_id IN
		(SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id WHERE h.building_id = $2)`, region, building); err != nil {
		return err
	}
	return nil
}

// loadIndex builds the point-in-grid index from every grid with a boundary.
func loadIndex(ctx context.Context, q db.Querier) (*geo.Index, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, community_id, boundary FROM grids WHERE boundary <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var areas []geo.Area
	for rows.Next() {
		var a geo.Area
		var text string
		if err := rows.Scan(&a.ID, &a.ParentID, &text); err != nil {
			return nil, err
		}
		if a.Shape, err = geo.Unmarshal(text); err != nil {
			return nil, fmt.Errorf("grid %d: stored boundary: %w", a.ID, err)
		}
		areas = append(areas, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return geo.NewIndex(areas), nil
}

// LoadGridIndex (re)builds the point-in-grid index from the grids table; app calls it at start.
func (s *Service) LoadGridIndex(ctx context.Context) error {
	ix, err := loadIndex(ctx, s.db.R)
	if err != nil {
		return fmt.Errorf("网格索引: %w", err)
	}
	s.geo.Store(ix)
	return nil
}

// gridIndex returns the live index, building it on first use.
func (s *Service) gridIndex(ctx context.Context) (*geo.Index, error) {
	if ix := s.geo.Load(); ix != nil {
		return ix, nil
	}
	if err := s.LoadGridIndex(ctx); err != nil {
		return nil, err
	}
	return s.geo.Load(), nil
}

// LocateGrid returns the grid whose boundary contains a WGS-84 point, within a community when
// communityID is not 0; for cases and visits that locate by point.
func (s *Service) LocateGrid(ctx context.Context, lon, lat float64, communityID int64) (int64, bool, error) {
	ix, err := s.gridIndex(ctx)
	if err != nil {
		return 0, false, err
	}
	id, ok := ix.Locate(lon, lat, communityID)
	return id, ok, nil
}
