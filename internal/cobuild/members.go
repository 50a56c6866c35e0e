package cobuild

import (
	"context"
	"fmt"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// UnitMember is an in-service party member (单位双报到) and the unit they serve through, if any.
type UnitMember struct {
	MemberID  int64  `json:"member_id"`
	Name      string `json:"name"`
	Workplace string `json:"workplace"`
	UnitID    int64  `json:"unit_id,omitempty"`
	UnitName  string `json:"unit_name,omitempty"`
}

// UnitMembers lists the active in-service party members of the viewer's region with the unit
// each is linked to: those of unitID first, then the unlinked, then the others' — the page that
// links members to their unit. A unit contact sees their own unit's members only.
func (s *Service) UnitMembers(ctx context.Context, unitID int64) ([]UnitMember, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, s.db.R, v, unitID); err != nil {
		return nil, err
	}
	a := &db.Args{}
	cond := db.InScope("m.region_id", a.Add(v.scope))
	if !v.staff() {
		cond += ` AND um.unit_id = ` + a.Add(v.unitID)
	}
	own := a.Add(unitID)
	rows, err := s.db.R.QueryContext(ctx, `SELECT m.id, m.name, m.workplace, COALESCE(um.unit_id, 0), COALESCE(u.name, '')
		FROM party_members m LEFT JOIN cobuild_unit_members um ON um.member_id = m.id LEFT JOIN cobuild_units u ON u.id = um.unit_id
		WHERE m.kind = 'in_service' AND m.active AND `+cond+`
		ORDER BY CASE WHEN um.unit_id = `+own+` THEN 0 WHEN um.unit_id IS NULL THEN 1 ELSE 2 END, m.name, m.id LIMIT 1000`, *a...)
	if err != nil {
		return nil, fmt.Errorf("unit members: %w", err)
	}
	defer rows.Close()
	out := []UnitMember{}
	for rows.Next() {
		var m UnitMember
		if err := rows.Scan(&m.MemberID, &m.Name, &m.Workplace, &m.UnitID, &m.UnitName); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// UnlinkMember removes an in-service member's link to a unit; their hours no longer count for it.
func (s *Service) UnlinkMember(ctx context.Context, unitID, memberID int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return err
		}
		u, err := s.unitFor(ctx, tx, v, unitID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cobuild_unit_members WHERE member_id = $1 AND unit_id = $2`, memberID, unitID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "该党员未关联本单位")
		}
		return record(ctx, tx, "cobuild.unit.member_unlink", "cobuild_unit", unitID, u.RegionID, "取消关联在职党员",
			map[string]int64{"member_id": memberID})
	})
}
