package db_test

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// A page read as "ids first" is the slice of the whole list in list order, whether the selection is
// within the count cap (its ids sorted) or beyond it (a walk of the list's index), and the count
// stops past the cap.
func TestIDPageIsTheSliceOfTheListInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE page_rows (id BIGINT PRIMARY KEY, k INTEGER NOT NULL, g INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `CREATE INDEX page_rows_k ON page_rows(k, id)`); err != nil {
			t.Fatal(err)
		}
		// Group 1 holds more rows than the cap, group 2 a few; k repeats so the id breaks ties.
		type row struct{ id, k, g int64 }
		var rows []row
		var values [][]any
		for i := int64(1); i <= db.CountCap+200; i++ {
			r := row{id: i, k: (i * 7919) % 101, g: 1}
			if i%100 == 0 {
				r.g = 2
			}
			rows = append(rows, r)
			values = append(values, []any{r.id, r.k, r.g})
		}
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return db.InsertRows(ctx, tx, "page_rows", []string{"id", "k", "g"}, nil, values)
		}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name          string
			g             int64
			limit, offset int
			more          bool
		}{
			{"a few, first page", 2, 7, 0, false},
			{"a few, a later page", 2, 7, 21, false},
			{"a few, past the end", 2, 7, 500, false},
			{"beyond the cap, first page", 1, 50, 0, true},
			{"beyond the cap, a later page", 1, 50, 4000, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				var want []int64
				for _, r := range rows {
					if r.g == c.g {
						want = append(want, r.id)
					}
				}
				byID := map[int64]row{}
				for _, r := range rows {
					byID[r.id] = r
				}
				slices.SortFunc(want, func(a, b int64) int {
					return cmp.Or(cmp.Compare(byID[b].k, byID[a].k), cmp.Compare(b, a))
				})
				total := len(want)
				want = want[min(c.offset, len(want)):min(c.offset+c.limit, len(want))]
				ids, n, err := db.IDPage{From: "page_rows p", Walk: "page_rows p INDEXED BY page_rows_k", ID: "p.id",
					Where: " WHERE p.g = $1", Args: []any{c.g}, Order: " ORDER BY p.k DESC, p.id DESC",
					Limit: c.limit, Offset: c.offset}.Read(ctx, d.R, d.Dialect)
				if err != nil {
					t.Fatal(err)
				}
				if got, more := db.Capped(n); more != c.more || (!more && got != total) {
					t.Errorf("count %d (more %v), want %d (more %v)", got, more, total, c.more)
				}
				if !slices.Equal(ids, want) && !(len(ids) == 0 && len(want) == 0) {
					t.Errorf("page %v\nwant %v", ids, want)
				}
			})
		}
	})
}
