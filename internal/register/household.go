package register

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// HouseholdKind is how a household's dwelling is used.
type HouseholdKind string

// The household kinds.
const (
	HouseholdOwner      HouseholdKind = "owner"      // 自住
	HouseholdRented     HouseholdKind = "rented"     // 出租
	HouseholdVacant     HouseholdKind = "vacant"     // 空置
	HouseholdCollective HouseholdKind = "collective" // 集体户
)

// HouseholdKinds lists the household kinds in display order.
var HouseholdKinds = []HouseholdKind{HouseholdOwner, HouseholdRented, HouseholdVacant, HouseholdCollective}

var householdKindLabels = map[HouseholdKind]string{
	HouseholdOwner: "自住", HouseholdRented: "出租", HouseholdVacant: "空置", HouseholdCollective: "集体户",
}

// Label is the household kind's Chinese name.
func (k HouseholdKind) Label() string { return householdKindLabels[k] }

// ParseHouseholdKind accepts a code or a Chinese label; empty means owner-occupied.
func ParseHouseholdKind(s string) (HouseholdKind, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return HouseholdOwner, true
	}
	if k := HouseholdKind(strings.ToLower(s)); k.Label() != "" {
		return k, true
	}
	for k, l := range householdKindLabels {
		if s == l {
			return k, true
		}
	}
	switch s {
	case "自有", "自购", "业主自住":
		return HouseholdOwner, true
	case "租住", "租户", "出租房":
		return HouseholdRented, true
	case "集体":
		return HouseholdCollective, true
	}
	return "", false
}

// Household is a dwelling and the people registered in it.
type Household struct {
	ID           int64         `json:"id"`
	RegionID     int64         `json:"region_id"`
	BuildingID   int64         `json:"building_id"`
	BuildingName string        `json:"building_name"`
	GridName     string        `json:"grid_name"`
	Unit         string        `json:"unit"`
	Room         string        `json:"room"`
	Kind         HouseholdKind `json:"kind"`
	Note         string        `json:"note"`
	Address      string        `json:"address"`
	Members      int           `json:"members"`
}

// KindLabel is the household kind's Chinese name.
func (h *Household) KindLabel() string { return h.Kind.Label() }

// HouseholdInput is what creating or editing a household takes.
type HouseholdInput struct {
	BuildingID int64  `json:"building_id"`
	Unit       string `json:"unit"`
	Room       string `json:"room"`
	Kind       string `json:"kind"`
	Note       string `json:"note"`
}

// HouseholdAddress is how a household's address reads everywhere: 3号楼 2单元 301室 (a bare number
// of unit or room gets 单元 or 室).
func HouseholdAddress(building, unit, room string) string {
	return householdAddress(building, unit, room)
}

func householdAddress(building, unit, room string) string {
	parts := []string{building}
	if unit != "" {
		if strings.Trim(unit, "0123456789") == "" {
			unit += "单元"
		}
		parts = append(parts, unit)
	}
	if room != "" {
		if strings.Trim(room, "0123456789") == "" {
			room += "室"
		}
		parts = append(parts, room)
	}
	return strings.Join(parts, " ")
}

// householdColumns are a household's columns with the count of its members the principal may see.
func householdColumns(p *auth.Principal, a *db.Args) string {
	return `h.id, h.region_id, h.building_id, b.name, COALESCE(gr.name, ''), h.unit, h.room, h.kind, h.note,
	(SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND r.status = 'active'` + adultsOnly(p, "r", a) + `)`
}

const householdFrom = ` FROM households h JOIN buildings b ON b.id = h.building_id LEFT JOIN regions gr ON gr.id = b.grid_id`

func scanHousehold(row interface{ Scan(...any) error }) (*Household, error) {
	h := &Household{}
	if err := row.Scan(&h.ID, &h.RegionID, &h.BuildingID, &h.BuildingName, &h.GridName, &h.Unit, &h.Room, &h.Kind,
		&h.Note, &h.Members); err != nil {
		return nil, err
	}
	h.Address = householdAddress(h.BuildingName, h.Unit, h.Room)
	return h, nil
}

// HouseholdFilter selects households.
type HouseholdFilter struct {
	BuildingID int64
	GridID     int64
	Kind       string // owner, rented, vacant or collective; empty for all
	Limit      int
	Offset     int
}

// householdOrder lists households building by building, in the buildings' natural order
// (NaturalKey), then by unit and room: a walk of buildings_sort and of each building's households
// by the (building_id, unit, room) key reads it.
const householdOrder = ` ORDER BY b.sort_name, h.building_id, h.unit, h.room, h.id`

// Households lists households in scope building by building (in the buildings list's natural
// order), then by unit and room, with the total counted up to db.CountCap+1 (above db.CountCap:
// more than that). The page's ids are read first (db.IDPage), then its rows.
func (s *Service) Households(ctx context.Context, f HouseholdFilter) ([]Household, int, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, 0, err
	}
	var a db.Args
	where := ` WHERE ` + db.InScope("h.region_id", a.Add(p.Scope()))
	if f.BuildingID != 0 {
		where += ` AND h.building_id = ` + a.Add(f.BuildingID)
	}
	if f.GridID != 0 {
		where += ` AND h.region_id = ` + a.Add(f.GridID)
	}
	if f.Kind != "" {
		k, ok := ParseHouseholdKind(f.Kind)
		if !ok {
			return nil, 0, errs.Field("kind", "户类型应为自住、出租、空置或集体户")
		}
		where += ` AND h.kind = ` + a.Add(string(k))
	}
	limit, offset := pageArgs(f.Limit, f.Offset)
	ids, total, err := db.IDPage{From: "households h JOIN buildings b ON b.id = h.building_id", Select: "households h",
		Walk: "buildings b INDEXED BY buildings_sort CROSS JOIN households h ON h.building_id = b.id",
		ID:   "h.id", Where: where, Args: a, Order: householdOrder, Limit: limit, Offset: offset}.Read(ctx, s.db.R, s.db.Dialect)
	out := []Household{}
	if err != nil || len(ids) == 0 {
		return out, total, err
	}
	var pa db.Args
	cols := householdColumns(p, &pa)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+cols+householdFrom+` WHERE `+s.db.Dialect.InIDs("h.id", ids, &pa)+householdOrder,
		pa...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanHousehold(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *h)
	}
	return out, total, rows.Err()
}

// Household returns one household in scope.
func (s *Service) Household(ctx context.Context, id int64) (*Household, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	return householdInScope(ctx, s.db.R, p, id)
}

func householdInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Household, error) {
	var a db.Args
	query := `SELECT ` + householdColumns(p, &a) + householdFrom + ` WHERE h.id = ` + a.Add(id) + ` AND ` +
		db.InScope("h.region_id", a.Add(p.Scope()))
	h, err := scanHousehold(q.QueryRowContext(ctx, query, a...))
	return h, db.NotFound(err, "户不存在")
}

func normalizeHousehold(in *HouseholdInput) error {
	f := errs.Fields{}
	in.Unit, in.Room = CanonUnit(in.Unit), CanonRoom(in.Room)
	in.Note = strings.TrimSpace(in.Note)
	if in.Room == "" {
		f.Add("room", "请填写门牌号（室号），如 301")
	} else if utf8.RuneCountInString(in.Room) > 20 {
		f.Add("room", "室号不能超过20个字")
	}
	if utf8.RuneCountInString(in.Unit) > 20 {
		f.Add("unit", "单元不能超过20个字")
	}
	if k, ok := ParseHouseholdKind(in.Kind); ok {
		in.Kind = string(k)
	} else {
		f.Add("kind", "户类型应为自住、出租、空置或集体户")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500字")
	}
	return f.Err()
}

// CreateHousehold adds a household to a building in scope.
func (s *Service) CreateHousehold(ctx context.Context, in HouseholdInput) (*Household, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	if err := normalizeHousehold(&in); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.buildingInScope(ctx, tx, p, in.BuildingID)
		if err != nil {
			return errs.Field("building_id", "所选楼院不存在或不在您的管辖范围内")
		}
		in.Room = CanonDoor(in.Room, b.Kind)
		now := time.Now().UTC()
		err = tx.QueryRowContext(ctx, `INSERT INTO households (region_id, community_id, building_id, unit, room, kind, note,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			b.RegionID, b.CommunityID, b.ID, in.Unit, in.Room, in.Kind, in.Note, now).Scan(&id)
		if db.IsUnique(err) {
			return errs.Field("room", "该楼院已登记 "+householdAddress(b.Name, in.Unit, in.Room))
		}
		if err != nil {
			return err
		}
		if err := CountBuildings(ctx, tx, b.ID); err != nil {
			return err
		}
		h, err := householdInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "household.create", ObjectType: "household", ObjectID: id,
			RegionID: h.RegionID, After: h})
	})
	if err != nil {
		return nil, err
	}
	return s.Household(ctx, id)
}

// UpdateHousehold edits a household: its place (building, unit, room), kind and note. Moving it to
// another building moves its members to that building's grid.
func (s *Service) UpdateHousehold(ctx context.Context, id int64, in HouseholdInput) (*Household, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	if err := normalizeHousehold(&in); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := householdInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if in.BuildingID == 0 {
			in.BuildingID = before.BuildingID
		}
		b, err := s.buildingInScope(ctx, tx, p, in.BuildingID)
		if err != nil {
			return errs.Field("building_id", "所选楼院不存在或不在您的管辖范围内")
		}
		in.Room = CanonDoor(in.Room, b.Kind)
		_, err = tx.ExecContext(ctx, `UPDATE households SET building_id = $1, region_id = $2, community_id = $3, unit = $4,
			room = $5, kind = $6, note = $7, updated_at = $8 WHERE id = $9`,
			b.ID, b.RegionID, b.CommunityID, in.Unit, in.Room, in.Kind, in.Note, time.Now().UTC(), id)
		if db.IsUnique(err) {
			return errs.Field("room", "该楼院已登记 "+householdAddress(b.Name, in.Unit, in.Room))
		}
		if err != nil {
			return err
		}
		if b.RegionID != before.RegionID {
			if _, err := tx.ExecContext(ctx, `UPDATE residents SET region_id = $1 WHERE household_id = $2`, b.RegionID, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE resident_tags SET region_id = $1
				WHERE resident_id IN (SELECT id FROM residents WHERE household_id = $2)`, b.RegionID, id); err != nil {
				return err
			}
		}
		if b.ID != before.BuildingID {
			if err := CountBuildings(ctx, tx, b.ID, before.BuildingID); err != nil {
				return err
			}
		}
		if err := refreshHouseholdFTS(ctx, tx, id); err != nil {
			return err
		}
		after, err := householdInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "household.update", ObjectType: "household", ObjectID: id,
			RegionID: after.RegionID, Before: before, After: after})
	})
	if err != nil {
		return nil, err
	}
	return s.Household(ctx, id)
}
