package db

import (
	"context"
	"strconv"
)

// IDPage reads one page of a list as "the page's ids first": the selection's ids are collected up
// to CountCap+1 (its capped count), then the page's ids are sorted out of them when they are all
// known, or read by a walk of the list's index in list order that stops after the page when the
// selection is larger — so a page costs what it shows, not what its scope holds. The caller then
// reads the rows of those ids only.
type IDPage struct {
	// From is the list's table with its alias and any joins its order needs ("households h JOIN
	// buildings b ON b.id = h.building_id").
	From string
	// Select is From as the selection is collected, when Where needs fewer tables than Order
	// ("households h"); From when empty.
	Select string
	// Walk is From as the walk in list order should read it on SQLite, whose planner otherwise
	// prefers the scope's index and sorts the whole selection ("visits v INDEXED BY visits_list");
	// From when empty. PostgreSQL weighs the LIMIT itself.
	Walk string
	// ID is the id column ("v.id"), Where the selection (" WHERE …") with its Args, and Order the
	// list's order (" ORDER BY …"), ending with the id so that it is total.
	ID, Where, Order string
	Args             []any
	Limit, Offset    int
}

// Read returns the ids of the page in list order and the selection's count up to CountCap+1 (see
// Capped).
func (p IDPage) Read(ctx context.Context, q Querier, d Dialect) (ids []int64, n int, err error) {
	sel := p.Select
	if sel == "" {
		sel = p.From
	}
	all, err := QueryIDs(ctx, q, "SELECT "+p.ID+" FROM "+sel+p.Where+" LIMIT "+strconv.Itoa(CountCap+1), p.Args...)
	if err != nil {
		return nil, 0, err
	}
	n = len(all)
	if n <= CountCap {
		if p.Offset >= n {
			return []int64{}, n, nil
		}
		// The whole selection is known: sort its ids, CountCap rows at most, and take the page. Without
		// a LIMIT no planner is tempted to walk the list's index looking for them.
		var a Args
		sorted, err := QueryIDs(ctx, q, "SELECT "+p.ID+" FROM "+p.From+" WHERE "+d.InIDs(p.ID, all, &a)+p.Order, a...)
		if err != nil {
			return nil, 0, err
		}
		return sorted[min(p.Offset, len(sorted)):min(p.Offset+p.Limit, len(sorted))], n, nil
	}
	walk := p.From
	if p.Walk != "" && d == SQLite {
		walk = p.Walk
	}
	a := append(Args{}, p.Args...)
	ids, err = QueryIDs(ctx, q, "SELECT "+p.ID+" FROM "+walk+p.Where+p.Order+" LIMIT "+a.Add(p.Limit)+" OFFSET "+a.Add(p.Offset),
		a...)
	return ids, n, err
}
