package cases

import (
	"linli/internal/auth"
	"linli/internal/db"
)

// ListSQL returns the count and page statements ListPage runs for f as p (the page read in list
// order from the index when ordered), with their arguments, so the scale benchmarks can show
// their query plans.
func ListSQL(f Filter, p *auth.Principal, d db.Dialect, ordered bool) (count string, countArgs []any, page string, pageArgs []any, err error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	count, page, a, n, err := listQueries(&f, p, d, ListCountCap, ordered)
	if err != nil {
		return "", nil, "", nil, err
	}
	return count, (*a)[:n], page, *a, nil
}

// FiguresSQL returns the statement Figures runs for f as p, with its arguments.
func FiguresSQL(f FigureFilter, p *auth.Principal, d db.Dialect) (string, []any, error) {
	q, a, err := figuresQuery(&f, p, d)
	if err != nil {
		return "", nil, err
	}
	return q, *a, nil
}
