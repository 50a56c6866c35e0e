package visits

import (
	"context"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// LiaisonCoverage is a liaison household's contacts in a month: covered households contacted at
// least once ÷ covered households.
type LiaisonCoverage struct {
	LiaisonID  int64  `json:"liaison_id"`
	OrgID      int64  `json:"org_id"`
	OrgName    string `json:"org_name"`
	MemberName string `json:"member_name"`
	Address    string `json:"address"` // the liaison household
	Covered    int    `json:"covered"`
	Contacted  int    `json:"contacted"`
	Contacts   int    `json:"contacts"` // contact records in the month
}

// Month returns the first and last day of the month of date (YYYY-MM-DD or YYYY-MM).
func Month(date string) (first, last string, err error) {
	if len(date) >= 7 {
		if t, perr := time.Parse("2006-01", date[:7]); perr == nil {
			return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly), nil
		}
	}
	return "", "", errs.Field("month", "月份格式应为 YYYY-MM")
}

// ContactCoverage returns the monthly contact coverage of every liaison household in the
// principal's scope, or of one branch (orgID not 0: the branch and its groups). month is
// YYYY-MM; the current month when empty.
func (s *Service) ContactCoverage(ctx context.Context, orgID int64, month string) ([]LiaisonCoverage, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Can(auth.VisitsRead) && !p.Can(auth.PartyRead) {
		return nil, p.Require(auth.VisitsRead)
	}
	if month == "" {
		month = s.today()
	}
	first, last, err := Month(month)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	where := db.InScope("l.region_id", a.Add(p.Scope()))
	if orgID != 0 {
		ph := a.Add(orgID)
		where += ` AND (l.org_id = ` + ph + ` OR l.org_id IN (SELECT id FROM party_orgs WHERE parent_id = ` + ph + `))`
	}
	fromPh, toPh := a.Add(first), a.Add(last)
	rows, err := s.db.R.QueryContext(ctx, `SELECT l.id, o.id, o.name, m.name, b.name, h.unit, h.room,
			(SELECT COUNT(*) FROM liaison_covers c WHERE c.liaison_id = l.id),
			(SELECT COUNT(DISTINCT v.household_id) FROM visits v JOIN liaison_covers c ON c.household_id = v.household_id
				AND c.liaison_id = l.id WHERE v.kind = 'contact' AND v.visited_on >= `+fromPh+` AND v.visited_on <= `+toPh+`),
			(SELECT COUNT(*) FROM visits v WHERE v.liaison_id = l.id AND v.kind = 'contact'
				AND v.visited_on >= `+fromPh+` AND v.visited_on <= `+toPh+`)
		FROM liaison_households l JOIN party_orgs o ON o.id = l.org_id JOIN party_members m ON m.id = l.member_id
		JOIN households h ON h.id = l.household_id JOIN buildings b ON b.id = h.building_id
		WHERE `+where+` ORDER BY o.id, l.id`, *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LiaisonCoverage{}
	for rows.Next() {
		var c LiaisonCoverage
		var bname, unit, room string
		if err := rows.Scan(&c.LiaisonID, &c.OrgID, &c.OrgName, &c.MemberName, &bname, &unit, &room, &c.Covered,
			&c.Contacted, &c.Contacts); err != nil {
			return nil, err
		}
		c.Address = address(bname, unit, room)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CoveredHousehold is a household a party member's liaison household covers, with this month's
// contacts.
type CoveredHousehold struct {
	HouseholdID int64  `json:"household_id"`
	Address     string `json:"address"`
	GridName    string `json:"grid_name"`
	LastOn      string `json:"last_on"` // last contact, empty when never
	ThisMonth   int    `json:"this_month"`
}

// MyCovered lists the households the signed-in party member's liaison households cover, those
// not yet contacted this month first.
func (s *Service) MyCovered(ctx context.Context) ([]CoveredHousehold, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	first, _, _ := Month(s.today())
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.id, b.name, h.unit, h.room, g.name,
			COALESCE((SELECT MAX(v.visited_on) FROM visits v WHERE v.household_id = h.id AND v.kind = 'contact'), ''),
			(SELECT COUNT(*) FROM visits v WHERE v.household_id = h.id AND v.kind = 'contact' AND v.visited_on >= $2)
		FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id JOIN party_members m ON m.id = l.member_id
		JOIN households h ON h.id = c.household_id JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id
		WHERE m.user_id = $1 AND m.active ORDER BY b.name, h.unit, h.room`, p.UserID, first)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var todo, done []CoveredHousehold
	for rows.Next() {
		var c CoveredHousehold
		var bname, unit, room string
		if err := rows.Scan(&c.HouseholdID, &bname, &unit, &room, &c.GridName, &c.LastOn, &c.ThisMonth); err != nil {
			return nil, err
		}
		c.Address = address(bname, unit, room)
		if c.ThisMonth == 0 {
			todo = append(todo, c)
		} else {
			done = append(done, c)
		}
	}
	return append(todo, done...), rows.Err()
}
