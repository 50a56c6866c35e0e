package cases

import (
	"linli/internal/auth"
	"linli/internal/db"
)

// The statements the list and the figures run, exported so that the benchmarks (internal/bench,
// the scale benchmarks) run and explain exactly what the service runs, never a copy of it.

// ListSQL returns the count and page statements ListPage runs for f as p, with their arguments:
// the count collects the ids of up to countCap+1 cases; the page is the one for a selection over
// the cap (read in list order from the index when ordered).
func ListSQL(f Filter, p *auth.Principal, d db.Dialect, countCap int, ordered bool) (count string, countArgs []any, page string, pageArgs []any, err error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	count, page, a, n, err := listQueries(&f, p, d, countCap, ordered)
	if err != nil {
		return "", nil, "", nil, err
	}
	return count, (*a)[:n], page, *a, nil
}

// IDsPageSQL returns the page statement ListPage runs for a selection within the count cap,
// already collected as ids.
func IDsPageSQL(f Filter, d db.Dialect, ids []int64) (string, []any) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return idsPage(&f, d, ids)
}

// WalkSQL returns the page statement a large PostgreSQL search tries first: the first ListWalk
// cases of the selection in list order, each tested against the match; its page stands when it is
// full. It is "" when f has no search terms.
func WalkSQL(f Filter, p *auth.Principal) (string, []any, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	page, a, err := walkPage(&f, p, listWalk)
	if err != nil {
		return "", nil, err
	}
	return page, *a, nil
}

// FiguresSQL returns the statement Figures runs for f as p, with its arguments.
func FiguresSQL(f FigureFilter, p *auth.Principal, d db.Dialect) (string, []any, error) {
	q, a, err := figuresQuery(&f, p, d)
	if err != nil {
		return "", nil, err
	}
	return q, *a, nil
}
