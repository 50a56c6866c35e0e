package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestArgsNumbersPlaceholdersInOrder(t *testing.T) {
	var a db.Args
	got := []string{a.Add("x"), a.Add(2), a.Add(nil)}
	if want := []string{"$1", "$2", "$3"}; !slices.Equal(got, want) {
		t.Fatalf("placeholders = %v, want %v", got, want)
	}
	if len(a) != 3 || a[0] != "x" || a[1] != 2 || a[2] != nil {
		t.Fatalf("arguments = %v, want [x 2 <nil>]", a)
	}
}

func TestEscapeLike(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"望江", "望江"},
		{"10%", `10\%`},
		{"a_b", `a\_b`},
		{`c:\d`, `c:\\d`},
		{`%_\`, `\%\_\\`},
	} {
		if got := db.EscapeLike(c.in); got != c.want {
			t.Errorf("EscapeLike(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChildUnderIsTheRegionDirectlyBelowOnThePath(t *testing.T) {
	for _, c := range []struct {
		parent, path string
		want         int64
	}{
		{"/1/2/", "/1/2/9/31/", 9}, // a grid of street 9's community
		{"/1/2/", "/1/2/9/", 9},
		{"/1/2/", "/1/2/", 0},   // the parent itself lies in no child
		{"/1/2/", "/1/3/9/", 0}, // outside
		{"/1/2/", "/1/22/5/", 0},
	} {
		if got := db.ChildUnder(c.parent, c.path); got != c.want {
			t.Errorf("ChildUnder(%q, %q) = %d, want %d", c.parent, c.path, got, c.want)
		}
	}
}

// regionsFixture writes a small region tree: 1 city /1/, 2 /1/2/, 3 /1/3/, and 4 named "a%_\".
func regionsFixture(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		rows := [][]any{
			{1, nil, "city", "c1", "市", "/1/"},
			{2, 1, "district", "d2", "望江区", "/1/2/"},
			{3, 1, "district", "d3", "10%_区", "/1/3/"},
			{4, 3, "street", "s4", `a%_\`, "/1/3/4/"},
		}
		return db.InsertRows(ctx, tx, "regions", []string{"id", "parent_id", "level", "code", "name", "path", "created_at"},
			nil, withTime(rows))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func withTime(rows [][]any) [][]any {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = append(rows[i], now)
	}
	return rows
}

// ids runs a query of region ids and returns them in order.
func ids(t *testing.T, d *db.DB, query string, args []any) []int64 {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), query+" ORDER BY id", args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func TestScopedSQLRunsOnBothDatabases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		regionsFixture(t, d)
		t.Run("InScope keeps the subtree", func(t *testing.T) {
			for _, c := range []struct {
				scope string
				want  []int64
			}{{"/1/%", []int64{1, 2, 3, 4}}, {"/1/3/%", []int64{3, 4}}, {"/1/2/%", []int64{2}}, {"/9/%", []int64{}}} {
				var a db.Args
				got := ids(t, d, "SELECT id FROM regions WHERE "+db.InScope("id", a.Add(c.scope)), a)
				if !slices.Equal(got, c.want) {
					t.Errorf("scope %s: ids %v, want %v", c.scope, got, c.want)
				}
			}
		})
		t.Run("InIDs takes any number of ids as one argument", func(t *testing.T) {
			for _, want := range [][]int64{{}, {3}, {1, 2, 4}} {
				var a db.Args
				a.Add("/1/%")
				q := "SELECT id FROM regions WHERE path LIKE $1 AND " + d.Dialect.InIDs("id", want, &a)
				if len(a) != 2 {
					t.Fatalf("InIDs added %d arguments, want 1", len(a)-1)
				}
				if got := ids(t, d, q, a); !slices.Equal(got, want) {
					t.Errorf("ids %v: got %v", want, got)
				}
			}
		})
		t.Run("EscapeLike matches the text literally", func(t *testing.T) {
			for _, c := range []struct {
				text string
				want []int64
			}{{"%", []int64{3, 4}}, {"_", []int64{3, 4}}, {`\`, []int64{4}}, {`a%_\`, []int64{4}}, {"望江", []int64{2}}, {"x", []int64{}}} {
				var a db.Args
				q := "SELECT id FROM regions WHERE name LIKE " + a.Add("%"+db.EscapeLike(c.text)+"%") + ` ESCAPE '\'`
				if got := ids(t, d, q, a); !slices.Equal(got, c.want) {
					t.Errorf("name containing %q: ids %v, want %v", c.text, got, c.want)
				}
			}
		})
		t.Run("InsertRows wraps placeholders and refuses a short row", func(t *testing.T) {
			ctx := context.Background()
			cols := []string{"id", "parent_id", "level", "code", "name", "path", "created_at"}
			many := make([][]any, 0, 120) // more rows than one SQLite statement takes (300/7 = 42)
			for i := 10; i < 130; i++ {
				many = append(many, []any{i, 1, "district", "m" + strings.Repeat("x", i%3) + string(rune('A'+i%26)) + string(rune('a'+i/26)), "n", "/1/"})
			}
			upper := func(col int, ph string) string {
				if cols[col] == "name" {
					return "UPPER(" + ph + ")"
				}
				return ph
			}
			if err := d.InTx(ctx, func(tx *db.Tx) error { return db.InsertRows(ctx, tx, "regions", cols, upper, withTime(many)) }); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM regions WHERE id >= 10 AND name = 'N'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 120 {
				t.Fatalf("%d wrapped rows written, want 120", n)
			}
			err := d.InTx(ctx, func(tx *db.Tx) error {
				return db.InsertRows(ctx, tx, "regions", cols, nil, [][]any{{200, 1, "district", "short", "n", "/1/"}})
			})
			if err == nil || !strings.Contains(err.Error(), "6 values for 7 columns") {
				t.Fatalf("short row: err = %v, want the count named", err)
			}
		})
	})
}

func TestValuesNumbersPlaceholdersPerDialect(t *testing.T) {
	row := func(ph func() string) string { return "(" + ph() + ", lower(" + ph() + "))" }
	if got, want := db.Values(db.Postgres, 2, row), "($1, lower($2)), ($3, lower($4))"; got != want {
		t.Errorf("postgres: %q, want %q", got, want)
	}
	if got, want := db.Values(db.SQLite, 2, row), "(?, lower(?)), (?, lower(?))"; got != want {
		t.Errorf("sqlite: %q, want %q", got, want)
	}
	if got := db.Values(db.SQLite, 0, row); got != "" {
		t.Errorf("no rows: %q, want empty", got)
	}
}
