package visits

import (
	"context"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// VisitHousehold is a household as the visit form shows it: its place and who lives there, with
// the residents due a care-plan visit marked.
type VisitHousehold struct {
	ID        int64
	Address   string
	Residents []Person
	Due       map[int64]bool
}

// HouseholdChoice is a household offered by the form's picker.
type HouseholdChoice struct {
	ID      int64
	Address string
	Note    string // e.g. the residents due
}

// Household returns a household the principal may record a visit (or contact) for; any other is
// not found.
func (s *Service) Household(ctx context.Context, id int64) (*VisitHousehold, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	h, err := loadHousehold(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if p.Role == auth.PartyMember {
		var n int
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
			JOIN party_members m ON m.id = l.member_id WHERE c.household_id = $1 AND m.user_id = $2 AND m.active`,
			id, p.UserID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errs.E(errs.NotFound, "住户不存在或不在您联系的范围内")
		}
	} else if !p.Covers(h.Path) {
		return nil, errs.E(errs.NotFound, "住户不存在")
	}
	out := &VisitHousehold{ID: id, Address: h.Address, Due: map[int64]bool{}}
	if out.Residents, err = s.householdResidents(ctx, s.db.R, p, id); err != nil {
		return nil, err
	}
	if p.Can(auth.VisitsRead) {
		cad, err := s.Cadences(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := s.careRows(ctx, p, cad, s.today(), CareFilter{GridID: h.RegionID})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.HouseholdID == id && r.Due(s.today()) {
				out.Due[r.ResidentID] = true
			}
		}
	}
	return out, nil
}

// SearchHouseholds finds households in the principal's scope by building, room or a resident's
// name (at most 30).
func (s *Service) SearchHouseholds(ctx context.Context, q string) ([]HouseholdChoice, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
	a := &db.Args{}
	scope := a.Add(p.Scope())
	ph := a.Add(like)
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.id, b.name, h.unit, h.room FROM households h JOIN buildings b ON b.id = h.building_id
		WHERE `+db.InScope("h.region_id", scope)+` AND (b.name || h.unit || h.room LIKE `+ph+` OR b.name || h.unit || '单元' || h.room LIKE `+ph+`
			OR b.name || h.room LIKE `+ph+`
			OR h.id IN (SELECT household_id FROM residents WHERE name LIKE `+ph+` AND status = 'active' AND `+db.InScope("region_id", scope)+`))
		ORDER BY b.name, h.unit, h.room LIMIT 30`, *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HouseholdChoice
	for rows.Next() {
		var c HouseholdChoice
		var bname, unit, room string
		if err := rows.Scan(&c.ID, &bname, &unit, &room); err != nil {
			return nil, err
		}
		c.Address = address(bname, unit, room)
		out = append(out, c)
	}
	return out, rows.Err()
}
