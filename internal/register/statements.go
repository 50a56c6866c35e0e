package register

import (
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
)

// The statements the resident list runs, exported so that the benchmarks (internal/bench) run and
// explain exactly what the service runs, never a copy of it.

// ResidentListSQL returns the count (up to db.CountCap+1) and page statements Residents runs for f
// as p over a selection the database counts and pages itself, with their arguments.
func (s *Service) ResidentListSQL(p *auth.Principal, f ResidentFilter) (count string, countArgs []any, page string, args []any, err error) {
	var a db.Args
	where, err := s.residentWhere(p, s.db.Dialect, f, &a)
	if err != nil {
		return "", nil, "", nil, err
	}
	limit, offset := pageArgs(f.Limit, f.Offset)
	count, page, n := residentPage(s.db.Dialect, f, where, &a, limit, offset)
	return count, a[:n], page, a, nil
}

// residentPage returns the capped count (db.CountUpToSQL) and page statements of a resident list over the clause where,
// whose arguments are in a; the page's LIMIT and OFFSET are added to a after the first n, the
// count's.
func residentPage(d db.Dialect, f ResidentFilter, where string, a *db.Args, limit, offset int) (count, page string, n int) {
	count, n = db.CountUpToSQL(`FROM residents r`+where), len(*a)
	if d == db.SQLite && f.Q == "" && f.Tag == "" && f.HouseholdID == 0 && f.BuildingID == 0 {
		// A plain list: keep SQLite off the scope's index (the unary plus), so it walks the primary
		// key in order and stops after one page, or uses (region_id, status) for a grid filter,
		// instead of sorting every resident in scope.
		where = strings.Replace(where, ` r.region_id IN (SELECT`, ` +r.region_id IN (SELECT`, 1)
	}
	page = `SELECT ` + residentColumns + residentFrom + where + ` ORDER BY r.id LIMIT ` + a.Add(limit) + ` OFFSET ` + a.Add(offset)
	return count, page, n
}
