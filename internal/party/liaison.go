package party

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

// Liaisons lists the liaison households in scope that match f, and the total before paging.
func (s *Service) Liaisons(ctx context.Context, f LiaisonFilter) ([]LiaisonHousehold, int, error) {
	p, within, err := s.readScope(ctx, f.RegionID)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return listLiaisons(ctx, s.db.R, p.Scope(), within, f)
}

// Liaison returns one liaison household in scope.
func (s *Service) Liaison(ctx context.Context, id int64) (*LiaisonHousehold, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	return liaisonByID(ctx, s.db.R, p.Scope(), id)
}

// Covered lists covered households in scope that match f, and the total before paging.
func (s *Service) Covered(ctx context.Context, f CoveredFilter) ([]CoveredHousehold, int, error) {
	p, within, err := s.readScope(ctx, f.RegionID)
	if err != nil {
		return nil, 0, err
	}
	return listCovered(ctx, s.db.R, p.Scope(), within, p.Can(auth.MinorsRead), f)
}

// CreateLiaison names a member's household a liaison household 党员联系户 of the branch of its grid.
// The household is the member's own in the register unless in.HouseholdID names another; the
// households in in.CoveredHouseholdIDs are covered in the same transaction.
func (s *Service) CreateLiaison(ctx context.Context, in LiaisonInput) (*LiaisonHousehold, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*LiaisonHousehold, error) { return s.CreateLiaisonTx(ctx, tx, in) })
}

// CreateLiaisonTx is CreateLiaison inside the caller's transaction, for the demo builder.
func (s *Service) CreateLiaisonTx(ctx context.Context, tx *db.Tx, in LiaisonInput) (*LiaisonHousehold, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	m, err := memberByID(ctx, tx, p.Scope(), in.MemberID)
	if err != nil {
		return nil, errs.Field("member_id", "所选党员不存在")
	}
	if !m.Active {
		return nil, errs.Field("member_id", "该党员已不在册")
	}
	if in.HouseholdID == 0 {
		if m.HouseholdID == nil {
			return nil, errs.Field("household_id", "该党员未关联居民户，请选择作为联系户的住户")
		}
		in.HouseholdID = *m.HouseholdID
	}
	h, err := householdByID(ctx, tx, in.HouseholdID)
	if err != nil || !p.Covers(h.RegionPath) {
		return nil, errs.Field("household_id", "所选住户不存在")
	}
	if h.GridID == nil {
		return nil, errs.Field("household_id", "该户所在楼院尚未划入网格")
	}
	var orgID, regionID int64
	err = tx.QueryRowContext(ctx, `SELECT id, region_id FROM party_orgs WHERE kind = 'branch' AND grid_id = $1`, *h.GridID).
		Scan(&orgID, &regionID)
	if err != nil {
		return nil, db.NotFound(err, "该户所在网格尚未建立网格党支部，请先建立党支部")
	}
	if owner, err := coveringLiaison(ctx, tx, h.ID); err != nil {
		return nil, err
	} else if owner != "" {
		return nil, errs.E(errs.Conflict, "%s已由党员联系户「%s」联系，不能再设为联系户", h.Address, owner)
	}
	t := now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO liaison_households (region_id, org_id, member_id, household_id, since,
		note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		regionID, orgID, m.ID, h.ID, in.Since, in.Note, t).Scan(&id)
	if db.IsUnique(err) {
		return nil, errs.E(errs.Conflict, "%s已是党员联系户", h.Address)
	}
	if err != nil {
		return nil, fmt.Errorf("create liaison household: %w", err)
	}
	l, err := liaisonByID(ctx, tx, p.Scope(), id)
	if err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, audit.Entry{Action: "liaison.create", ObjectType: "liaison_household",
		ObjectID: id, RegionID: l.RegionID, After: l}); err != nil {
		return nil, err
	}
	if len(in.CoveredHouseholdIDs) > 0 {
		return s.CoverHouseholdsTx(ctx, tx, id, in.CoveredHouseholdIDs)
	}
	return l, nil
}

// coveringLiaison names the liaison household covering a household ("张三（3号楼 1单元 101室）"),
// or "" when none does.
func coveringLiaison(ctx context.Context, q db.Querier, householdID int64) (string, error) {
	var member, bname, unit, room string
	err := q.QueryRowContext(ctx, `SELECT m.name, b.name, h.unit, h.room FROM liaison_covers c
		JOIN liaison_households l ON l.id = c.liaison_id JOIN party_members m ON m.id = l.member_id
		JOIN households h ON h.id = l.household_id JOIN buildings b ON b.id = h.building_id
		WHERE c.household_id = $1`, householdID).Scan(&member, &bname, &unit, &room)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("covering liaison of household %d: %w", householdID, err)
	}
	return member + "（" + register.HouseholdAddress(bname, unit, room) + "）", nil
}

// DeleteLiaison withdraws a liaison household; the households it covered become uncovered.
func (s *Service) DeleteLiaison(ctx context.Context, id int64) error {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := liaisonByID(ctx, tx, p.Scope(), id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM liaison_covers WHERE liaison_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM liaison_households WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete liaison household %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "liaison.delete", ObjectType: "liaison_household",
			ObjectID: id, RegionID: l.RegionID, Before: l})
	})
}

// CoverHouseholds adds households of the liaison household's grid to those it covers. A household
// is covered by at most one liaison household and a liaison household does not cover itself or
// another liaison household; any such household rejects the whole request.
func (s *Service) CoverHouseholds(ctx context.Context, liaisonID int64, householdIDs []int64) (*LiaisonHousehold, error) {
	var l *LiaisonHousehold
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		l, err = s.CoverHouseholdsTx(ctx, tx, liaisonID, householdIDs)
		return err
	})
	return l, err
}

// CoverHouseholdsTx is CoverHouseholds inside the caller's transaction, for the demo builder.
func (s *Service) CoverHouseholdsTx(ctx context.Context, tx *db.Tx, liaisonID int64, householdIDs []int64) (*LiaisonHousehold, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if len(householdIDs) == 0 {
		return nil, errs.Field("household_ids", "请选择要联系的住户")
	}
	if len(householdIDs) > 100 {
		return nil, errs.Field("household_ids", "一次最多添加100户")
	}
	l, err := liaisonByID(ctx, tx, p.Scope(), liaisonID)
	if err != nil {
		return nil, err
	}
	var gridID int64
	if err := tx.QueryRowContext(ctx, `SELECT grid_id FROM party_orgs WHERE id = $1`, l.OrgID).Scan(&gridID); err != nil {
		return nil, err
	}
	var added []string
	seen := map[int64]bool{}
	for _, hid := range householdIDs {
		if seen[hid] {
			continue
		}
		seen[hid] = true
		h, err := householdByID(ctx, tx, hid)
		if err != nil || !p.Covers(h.RegionPath) {
			return nil, errs.Field("household_ids", "所选住户不存在")
		}
		if hid == l.HouseholdID {
			return nil, errs.E(errs.Invalid, "联系户不需要联系本户")
		}
		if h.GridID == nil || *h.GridID != gridID {
			return nil, errs.E(errs.Invalid, "%s不在本网格，党员联系户只能联系本网格的住户", h.Address)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_households WHERE household_id = $1`, hid).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, errs.E(errs.Conflict, "%s本身是党员联系户，不能被其他联系户联系", h.Address)
		}
		owner, err := coveringLiaison(ctx, tx, hid)
		if err != nil {
			return nil, err
		}
		if owner != "" {
			return nil, errs.E(errs.Conflict, "%s已由党员联系户「%s」联系，一户只能由一个党员联系户联系", h.Address, owner)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO liaison_covers (liaison_id, household_id, region_id, created_at)
			VALUES ($1, $2, $3, $4)`, l.ID, hid, l.RegionID, now())
		if db.IsUnique(err) {
			return nil, errs.E(errs.Conflict, "%s已由其他党员联系户联系，一户只能由一个党员联系户联系", h.Address)
		}
		if err != nil {
			return nil, fmt.Errorf("cover household %d: %w", hid, err)
		}
		added = append(added, h.Address)
	}
	after, err := liaisonByID(ctx, tx, p.Scope(), liaisonID)
	if err != nil {
		return nil, err
	}
	return after, audit.Record(ctx, tx, audit.Entry{Action: "liaison.cover", ObjectType: "liaison_household",
		ObjectID: l.ID, RegionID: l.RegionID, Detail: "新增联系户：" + strings.Join(added, "、"),
		Before: map[string]int{"covered_count": l.Covered}, After: map[string]int{"covered_count": after.Covered}})
}

// UncoverHousehold removes a household from those a liaison household covers.
func (s *Service) UncoverHousehold(ctx context.Context, liaisonID, householdID int64) error {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := liaisonByID(ctx, tx, p.Scope(), liaisonID)
		if err != nil {
			return err
		}
		h, err := householdByID(ctx, tx, householdID)
		if err != nil {
			return errs.E(errs.NotFound, "该户不在本联系户的联系范围内")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM liaison_covers WHERE liaison_id = $1 AND household_id = $2`, liaisonID, householdID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "该户不在本联系户的联系范围内")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "liaison.uncover", ObjectType: "liaison_household",
			ObjectID: l.ID, RegionID: l.RegionID, Detail: "移除联系户：" + h.Address})
	})
}

// Candidate is a household a liaison household could cover: in its grid, not yet covered and not
// itself a liaison household.
type Candidate struct {
	HouseholdID  int64  `json:"household_id"`
	Address      string `json:"address"`
	Head         string `json:"head"`
	SameBuilding bool   `json:"same_building"`
	distance     float64
}

// SuggestCovered proposes up to limit households for a liaison household to cover: uncovered
// households of its own building first, then of the nearest buildings of its grid.
func (s *Service) SuggestCovered(ctx context.Context, liaisonID int64, limit int) ([]Candidate, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	l, err := liaisonByID(ctx, s.db.R, p.Scope(), liaisonID)
	if err != nil {
		return nil, err
	}
	home, err := householdByID(ctx, s.db.R, l.HouseholdID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.id, b.id, b.name, h.unit, h.room, b.lon, b.lat,
		COALESCE((SELECT MIN(r.name) FROM residents r WHERE r.household_id = h.id AND r.relation = '户主'), '')
		FROM households h JOIN buildings b ON b.id = h.building_id
		WHERE b.grid_id = (SELECT grid_id FROM party_orgs WHERE id = $1) AND `+db.InScope("h.region_id", "$2")+`
		AND h.kind <> 'vacant'
		AND NOT EXISTS (SELECT 1 FROM liaison_covers c WHERE c.household_id = h.id)
		AND NOT EXISTS (SELECT 1 FROM liaison_households x WHERE x.household_id = h.id)`, l.OrgID, p.Scope())
	if err != nil {
		return nil, fmt.Errorf("suggest covered households: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var bid int64
		var bname, unit, room string
		var lon, lat *float64
		if err := rows.Scan(&c.HouseholdID, &bid, &bname, &unit, &room, &lon, &lat, &c.Head); err != nil {
			return nil, err
		}
		c.Address = register.HouseholdAddress(bname, unit, room)
		c.SameBuilding = bid == home.BuildingID
		c.distance = math.Inf(1)
		if c.SameBuilding {
			c.distance = -1
		} else if lon != nil && lat != nil && home.Lon != nil && home.Lat != nil {
			c.distance = math.Hypot(*lon-*home.Lon, *lat-*home.Lat)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].distance != out[j].distance {
			return out[i].distance < out[j].distance
		}
		return out[i].Address < out[j].Address
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []Candidate{}
	}
	return out, nil
}

// HouseholdChoices lists the households of a branch's grid that may become a liaison household
// (not covered, not already one), for members not linked to a household of the register.
func (s *Service) HouseholdChoices(ctx context.Context, orgID int64) ([]Candidate, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	o, err := s.orgInScope(ctx, s.db.R, p, orgID)
	if err != nil || o.GridID == nil {
		return []Candidate{}, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.id, b.name, h.unit, h.room FROM households h
		JOIN buildings b ON b.id = h.building_id WHERE b.grid_id = $1 AND `+db.InScope("h.region_id", "$2")+`
		AND NOT EXISTS (SELECT 1 FROM liaison_covers c WHERE c.household_id = h.id)
		AND NOT EXISTS (SELECT 1 FROM liaison_households x WHERE x.household_id = h.id)
		ORDER BY b.name, h.unit, h.room LIMIT 1000`, *o.GridID, p.Scope())
	if err != nil {
		return nil, fmt.Errorf("household choices: %w", err)
	}
	defer rows.Close()
	out := []Candidate{}
	for rows.Next() {
		var c Candidate
		var bname, unit, room string
		if err := rows.Scan(&c.HouseholdID, &bname, &unit, &room); err != nil {
			return nil, err
		}
		c.Address = register.HouseholdAddress(bname, unit, room)
		out = append(out, c)
	}
	return out, rows.Err()
}
