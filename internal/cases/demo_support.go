package cases

import (
	"context"
	"fmt"
	"time"

	"linli/internal/db"
	"linli/internal/workday"
)

// Catalog returns the category tree and the sign and handle limits by priority as q sees them,
// for a writer that builds cases outside the service in its own transaction (the demo).
func Catalog(ctx context.Context, q db.Querier) ([]Category, map[Priority]map[string]workday.Limit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+categoryColumns+`
		FROM case_categories c LEFT JOIN case_categories p ON p.id = c.parent_id ORDER BY c.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: %w", err)
	}
	var cats []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		cats = append(cats, *c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	byPriority, err := priorityLimits(ctx, q)
	return cats, byPriority, err
}

// WarnAt is when the reminder at 80 % of a limit running from start to due is sent.
func WarnAt(cal *workday.Calendar, start, due time.Time, working bool) time.Time {
	return warnAt(cal, start, due, working)
}
