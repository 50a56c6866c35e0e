package register

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/geo"
)

// BuildingKinds lists the building kinds.
var BuildingKinds = []string{"building", "courtyard", "bungalow"}

// BuildingKindLabel is the Chinese for a building kind.
func BuildingKindLabel(k string) string {
	switch k {
	case "courtyard":
		return "院落"
	case "bungalow":
		return "平房"
	}
	return "楼栋"
}

// Building is a building, courtyard or bungalow row with its point (WGS-84) and grid.
type Building struct {
	ID          int64    `json:"id"`
	RegionID    int64    `json:"region_id"`
	CommunityID int64    `json:"community_id"`
	GridID      *int64   `json:"grid_id"`
	GridName    string   `json:"grid_name"`
	Name        string   `json:"name"`
	Address     string   `json:"address"`
	Kind        string   `json:"kind"`
	Lon         *float64 `json:"lon"`
	Lat         *float64 `json:"lat"`
	Units       int      `json:"units"`
	Floors      int      `json:"floors"`
	GridManual  bool     `json:"grid_manual"`
	Note        string   `json:"note"`
	Households  int      `json:"households"`
	Residents   int      `json:"residents"`
}

// KindLabel is the building kind's Chinese name.
func (b *Building) KindLabel() string { return BuildingKindLabel(b.Kind) }

// BuildingInput is what creating or editing a building takes. Lon and Lat are text as typed, in
// the system CRS names (wgs84, gcj02, bd09); GridID 0 derives the grid from the point.
type BuildingInput struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Lon     string `json:"lon"`
	Lat     string `json:"lat"`
	CRS     string `json:"crs"`
	GridID  int64  `json:"grid_id"`
	Units   int    `json:"units"`
	Floors  int    `json:"floors"`
	Note    string `json:"note"`
}

const buildingColumns = `b.id, b.region_id, b.community_id, b.grid_id, COALESCE(gr.name, ''), b.name, b.address, b.kind,
	b.lon, b.lat, b.units, b.floors, b.grid_manual, b.note`

const buildingFrom = ` FROM buildings b LEFT JOIN regions gr ON gr.id = b.grid_id`

// buildingCounts are a building's household count and the count of its residents the principal may
// see, to follow buildingColumns: the counts the building keeps (CountBuildings), but the residents
// counted again, adults only, for a principal who may not see minors.
func buildingCounts(p *auth.Principal, a *db.Args) string {
	if p.Can(auth.MinorsRead) {
		return `, b.household_count, b.resident_count`
	}
	return `, b.household_count,
		(SELECT COUNT(*) FROM residents r WHERE r.status = 'active'
			AND r.household_id IN (SELECT h.id FROM households h WHERE h.building_id = b.id)` + adultsOnly(p, "r", a) + `)`
}

func scanBuilding(row interface{ Scan(...any) error }, extra ...any) (*Building, error) {
	b := &Building{}
	dest := append([]any{&b.ID, &b.RegionID, &b.CommunityID, &b.GridID, &b.GridName, &b.Name, &b.Address, &b.Kind,
		&b.Lon, &b.Lat, &b.Units, &b.Floors, &b.GridManual, &b.Note}, extra...)
	return b, row.Scan(dest...)
}

// BuildingFilter selects buildings.
type BuildingFilter struct {
	GridID int64
	Q      string // part of the name or address
	Limit  int
	Offset int
}

// buildingOrder is the natural order of building names (NaturalKey), which the index
// buildings_sort (migration 0029) reads.
const buildingOrder = ` ORDER BY b.sort_name, b.id`

// Buildings lists buildings in scope in the natural order of their names (仓门巷4号 before
// 仓门巷10号), with household and resident counts, and the total counted up to db.CountCap+1
// (above db.CountCap: more than that). The page's ids are read first (db.IDPage), then the rows
// and counts of that page only.
func (s *Service) Buildings(ctx context.Context, f BuildingFilter) ([]Building, int, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, 0, err
	}
	var a db.Args
	where := ` WHERE ` + db.InScope("b.region_id", a.Add(p.Scope()))
	if f.GridID != 0 {
		where += ` AND b.grid_id = ` + a.Add(f.GridID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		ph := a.Add("%" + db.EscapeLike(q) + "%")
		where += ` AND (b.name LIKE ` + ph + ` ESCAPE '\' OR b.address LIKE ` + ph + ` ESCAPE '\')`
	}
	limit, offset := pageArgs(f.Limit, f.Offset)
	ids, total, err := db.IDPage{From: "buildings b", Walk: "buildings b INDEXED BY buildings_sort", ID: "b.id", Where: where,
		Args: a, Order: buildingOrder, Limit: limit, Offset: offset}.Read(ctx, s.db.R, s.db.Dialect)
	out := []Building{}
	if err != nil || len(ids) == 0 {
		return out, total, err
	}
	var pa db.Args
	counts := buildingCounts(p, &pa)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+buildingColumns+counts+buildingFrom+` WHERE `+s.db.Dialect.InIDs("b.id", ids, &pa)+
		buildingOrder, pa...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var hh, rr int
		b, err := scanBuilding(rows, &hh, &rr)
		if err != nil {
			return nil, 0, err
		}
		b.Households, b.Residents = hh, rr
		out = append(out, *b)
	}
	return out, total, rows.Err()
}

// NaturalCompare orders names as people read house numbers: runs of digits by their value
// (仓门巷4号 before 仓门巷10号, 2单元 before 12单元), everything else by character. It returns
// -1, 0 or 1.
func NaturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			x, y := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if len(x) != len(y) {
				return cmp.Compare(len(x), len(y))
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			if c := cmp.Compare(i-si, j-sj); c != 0 { // 04 after 4
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(int(a[i]), int(b[j])) // UTF-8 bytes order as their characters do
		}
		i++
		j++
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// NaturalKey is a building name's sort key (the column buildings.sort_name): every run of digits
// without its leading zeros, written as ten digits (a longer one as it is), so that comparing keys
// byte by byte orders names as NaturalCompare does for numbers of up to ten digits. Migration 0029
// computes the same key in SQL for the buildings it found.
func NaturalKey(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		if !isDigit(name[i]) {
			b.WriteByte(name[i])
			i++
			continue
		}
		j := i
		for j < len(name) && isDigit(name[j]) {
			j++
		}
		run := strings.TrimLeft(name[i:j], "0")
		if len(run) < 10 {
			b.WriteString(strings.Repeat("0", 10-len(run)))
		}
		b.WriteString(run)
		i = j
	}
	return b.String()
}

func pageArgs(limit, offset int) (int, int) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// Building returns one building in scope with its counts.
func (s *Service) Building(ctx context.Context, id int64) (*Building, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	return s.buildingInScope(ctx, s.db.R, p, id)
}

func (s *Service) buildingInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Building, error) {
	var hh, rr int
	var a db.Args
	query := `SELECT ` + buildingColumns + buildingCounts(p, &a) + buildingFrom + ` WHERE b.id = ` + a.Add(id) + ` AND ` +
		db.InScope("b.region_id", a.Add(p.Scope()))
	b, err := scanBuilding(q.QueryRowContext(ctx, query, a...), &hh, &rr)
	if err != nil {
		return nil, db.NotFound(err, "楼院不存在")
	}
	b.Households, b.Residents = hh, rr
	return b, nil
}

// placedBuilding is a validated building input with its point in WGS-84 and its grid decided.
type placedBuilding struct {
	in          BuildingInput
	lon, lat    sql.NullFloat64
	grid        *Grid
	gridManual  bool
	communityID int64
}

func parseCoord(s string) (float64, bool, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, true, err
}

// placeBuilding validates a building input, converts its point to WGS-84 and decides its grid:
// the one chosen, or the one whose boundary contains the point.
func (s *Service) placeBuilding(ctx context.Context, q db.Querier, p *auth.Principal, in BuildingInput) (*placedBuilding, error) {
	f := errs.Fields{}
	in.Name = strings.TrimSpace(width.Fold.String(in.Name))
	in.Address = strings.TrimSpace(in.Address)
	in.Note = strings.TrimSpace(in.Note)
	if in.Name == "" {
		f.Add("name", "请填写楼院名称，如 3号楼")
	} else if utf8.RuneCountInString(in.Name) > 60 {
		f.Add("name", "楼院名称不能超过60个字")
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		f.Add("address", "地址不能超过200个字")
	}
	if in.Kind == "" {
		in.Kind = "building"
	}
	if in.Kind != "building" && in.Kind != "courtyard" && in.Kind != "bungalow" {
		f.Add("kind", "楼院类型应为楼栋、院落或平房")
	}
	if in.Units < 0 || in.Units > 99 {
		f.Add("units", "单元数应为0至99")
	}
	if in.Floors < 0 || in.Floors > 200 {
		f.Add("floors", "层数应为0至200")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500字")
	}
	pb := &placedBuilding{in: in}
	lon, hasLon, errLon := parseCoord(in.Lon)
	lat, hasLat, errLat := parseCoord(in.Lat)
	switch {
	case errLon != nil || (hasLon && (lon < -180 || lon > 180)):
		f.Add("lon", "经度应为 -180 至 180 之间的数字，如 100.4512")
	case errLat != nil || (hasLat && (lat < -90 || lat > 90)):
		f.Add("lat", "纬度应为 -90 至 90 之间的数字，如 38.9321")
	case hasLon != hasLat:
		f.Add("lon", "经度和纬度需同时填写")
	case hasLon:
		crs := geo.CRS(in.CRS)
		if crs != "" && crs != geo.WGS84 && crs != geo.GCJ02 && crs != geo.BD09 {
			f.Add("crs", "坐标系应为 WGS-84、GCJ-02 或 BD-09")
			break
		}
		wLon, wLat := geo.ToWGS84(crs, lon, lat)
		pb.lon = sql.NullFloat64{Float64: wLon, Valid: true}
		pb.lat = sql.NullFloat64{Float64: wLat, Valid: true}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var located int64
	var found bool
	if pb.lon.Valid {
		ix, err := s.gridIndex(ctx)
		if err != nil {
			return nil, err
		}
		located, found = ix.Locate(pb.lon.Float64, pb.lat.Float64, 0)
	}
	gridID := in.GridID
	if gridID == 0 {
		if !found {
			return nil, errs.Field("grid_id", "未能根据坐标判定所属网格（坐标为空或不在任何已划定边界的网格内），请选择所属网格")
		}
		gridID = located
	}
	g, err := s.gridInScope(ctx, q, p, gridID, false)
	if err != nil {
		if in.GridID == 0 {
			return nil, errs.Field("grid_id", "该坐标位于您管辖范围以外的网格，请核对坐标或选择所属网格")
		}
		return nil, errs.Field("grid_id", "所选网格不存在或不在您的管辖范围内")
	}
	pb.grid, pb.communityID = g, g.CommunityID
	// A hand-picked grid that agrees with the point is not manual: boundary changes may move it.
	pb.gridManual = in.GridID != 0 && (!found || located != in.GridID)
	return pb, nil
}

// CreateBuilding adds a building. Its grid is the one chosen or, when none is, the one whose
// boundary contains its point (converted to WGS-84 from the system given).
func (s *Service) CreateBuilding(ctx context.Context, in BuildingInput) (*Building, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		pb, err := s.placeBuilding(ctx, tx, p, in)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		err = tx.QueryRowContext(ctx, `INSERT INTO buildings (region_id, community_id, grid_id, name, address, kind, lon, lat,
			units, floors, grid_manual, note, created_at, updated_at, sort_name)
			VALUES ($1, $2, $1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id`,
			pb.grid.ID, pb.communityID, pb.in.Name, pb.in.Address, pb.in.Kind, pb.lon, pb.lat, pb.in.Units, pb.in.Floors,
			pb.gridManual, pb.in.Note, now, NaturalKey(pb.in.Name)).Scan(&id)
		if db.IsUnique(err) {
			return errs.Field("name", "本社区已有名为“"+pb.in.Name+"”的楼院")
		}
		if err != nil {
			return err
		}
		b, err := s.buildingInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "building.create", ObjectType: "building", ObjectID: id,
			RegionID: b.RegionID, After: b})
	})
	if err != nil {
		return nil, err
	}
	return s.Building(ctx, id)
}

// UpdateBuilding edits a building. A change of grid moves its households and residents with it; a
// change of name or address refreshes its residents' search entries.
func (s *Service) UpdateBuilding(ctx context.Context, id int64, in BuildingInput) (*Building, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.buildingInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		pb, err := s.placeBuilding(ctx, tx, p, in)
		if err != nil {
			return err
		}
		if pb.communityID != before.CommunityID {
			return errs.Field("grid_id", "楼院不能移到其他社区的网格")
		}
		_, err = tx.ExecContext(ctx, `UPDATE buildings SET name = $1, address = $2, kind = $3, lon = $4, lat = $5, units = $6,
			floors = $7, grid_manual = $8, note = $9, updated_at = $10, sort_name = $12 WHERE id = $11`,
			pb.in.Name, pb.in.Address, pb.in.Kind, pb.lon, pb.lat, pb.in.Units, pb.in.Floors, pb.gridManual, pb.in.Note,
			time.Now().UTC(), id, NaturalKey(pb.in.Name))
		if db.IsUnique(err) {
			return errs.Field("name", "本社区已有名为“"+pb.in.Name+"”的楼院")
		}
		if err != nil {
			return err
		}
		if before.GridID == nil || *before.GridID != pb.grid.ID {
			if err := moveBuilding(ctx, tx, id, pb.grid.ID); err != nil {
				return err
			}
		}
		if before.Name != pb.in.Name || before.Address != pb.in.Address {
			if err := refreshBuildingFTS(ctx, tx, id); err != nil {
				return err
			}
		}
		after, err := s.buildingInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "building.update", ObjectType: "building", ObjectID: id,
			RegionID: after.RegionID, Before: before, After: after})
	})
	if err != nil {
		return nil, err
	}
	return s.Building(ctx, id)
}

// countsSet recounts a building's households and its residents on the register from their rows.
// The residents are found through their households (an IN list, not a join SQLite may turn around
// into a walk of every resident on the register when its tables have no statistics).
const countsSet = `household_count = (SELECT COUNT(*) FROM households h WHERE h.building_id = buildings.id),
	resident_count = (SELECT COUNT(*) FROM residents r WHERE r.status = 'active'
		AND r.household_id IN (SELECT h.id FROM households h WHERE h.building_id = buildings.id))`

// CountBuildings sets the stored household and resident counts (household_count, resident_count:
// residents on the register) of the buildings ids from their rows. Every write that adds a household
// or a resident, moves one to another building or changes a resident's status calls it in its
// transaction, after its writes, with the buildings it touched (old and new). On PostgreSQL it first
// locks those buildings' rows in id order, so that of two transactions writing to one building the
// later counts once the earlier has committed, seeing both.
func CountBuildings(ctx context.Context, tx *db.Tx, ids ...int64) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == 0 })
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	var a db.Args
	return countBuildings(ctx, tx, tx.Dialect.InIDs("id", slices.Compact(ids), &a), a...)
}

// CountCommunityBuildings is CountBuildings for every building of a community, after a ledger
// import's writes across it.
func CountCommunityBuildings(ctx context.Context, tx *db.Tx, communityID int64) error {
	return countBuildings(ctx, tx, "community_id = $1", communityID)
}

func countBuildings(ctx context.Context, tx *db.Tx, where string, args ...any) error {
	if tx.Dialect == db.Postgres {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM buildings WHERE `+where+` ORDER BY id FOR UPDATE`, args...)
		if err != nil {
			return fmt.Errorf("lock buildings: %w", err)
		}
		for rows.Next() { // every row read, every row locked
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock buildings: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE buildings SET `+countsSet+` WHERE `+where, args...); err != nil {
		return fmt.Errorf("count buildings: %w", err)
	}
	return nil
}

// deref is the id p points to, or 0 (none).
func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
