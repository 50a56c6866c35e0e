package register

import (
	"context"
	"strconv"

	"linli/internal/auth"
	"linli/internal/db"
)

// RosterList lists the roster entries in the principal's scope — every grid's 网格力量 in one
// list — by grid and duty, with the total. It is the list the home page's 网格长 and 网格员
// figures count. A grid filter outside the scope answers not found.
func (s *Service) RosterList(ctx context.Context, f RosterFilter) ([]RosterEntry, int, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, 0, err
	}
	var a db.Args
	where := ` WHERE ` + db.InScope("e.region_id", a.Add(p.Scope()))
	if f.GridID != 0 {
		if _, err := s.gridInScope(ctx, s.db.R, p, f.GridID, false); err != nil {
			return nil, 0, err
		}
		where += ` AND e.grid_id = ` + a.Add(f.GridID)
	}
	if len(f.Duties) > 0 {
		where += ` AND e.duty IN (`
		for i, d := range f.Duties {
			if i > 0 {
				where += `, `
			}
			where += a.Add(string(d))
		}
		where += `)`
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM grid_roster e`+where, a...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// Duties in the order a roster shows them; an unknown stored duty sorts last.
	rank := `CASE e.duty`
	for i, d := range Duties {
		rank += ` WHEN '` + string(d) + `' THEN ` + strconv.Itoa(i)
	}
	rank += ` ELSE ` + strconv.Itoa(len(Duties)) + ` END`
	limit, offset := pageArgs(f.Limit, f.Offset)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+rosterColumns+rosterFrom+where+
		` ORDER BY g.code, `+rank+`, e.id LIMIT `+a.Add(limit)+` OFFSET `+a.Add(offset), a...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []RosterEntry{}
	for rows.Next() {
		e, err := scanRoster(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *e)
	}
	return out, total, rows.Err()
}
