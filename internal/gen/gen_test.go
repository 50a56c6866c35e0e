package gen_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/gen"
	"linli/internal/pii"
)

func sealer(t testing.TB) *pii.Sealer {
	s, err := pii.NewSealer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t testing.TB, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

var until = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestGenWritesASmallCityWithItsHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		res, err := gen.Run(ctx, d, sealer(t), gen.Options{Residents: 6000, Years: 2, Seed: 7, Until: until, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Communities != 2 {
			t.Errorf("communities = %d, want 2", res.Communities)
		}
		residents := count(t, d, `SELECT COUNT(*) FROM residents`)
		if residents < 5900 || residents > 6200 {
			t.Errorf("residents = %d, want about 6000", residents)
		}
		cases := count(t, d, `SELECT COUNT(*) FROM cases`)
		if want := residents; cases < want*95/100 || cases > want*105/100 { // 0.5 per resident per year × 2 years
			t.Errorf("cases = %d, want about %d", cases, want)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE state <> 'closed'`); n == 0 || n > cases/10 {
			t.Errorf("open cases = %d of %d: want a few recent ones", n, cases)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)`); n != 0 {
			t.Errorf("%d cases without a timeline", n)
		}
		// The overdue flags are those the overdue sweep would have set: its first run flags nothing.
		for _, cond := range []string{`state = 'received' AND accept_deadline < $1`, `state = 'dispatched' AND sign_deadline < $1`,
			`state IN ('accepted','dispatched','in_progress','reported') AND handle_deadline < $1`,
			`state = 'closed' AND callback_at IS NULL AND callback_deadline < $1`} {
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE NOT overdue AND `+cond, until); n != 0 {
				t.Errorf("%d cases the sweep would still flag (%s)", n, cond)
			}
		}
		if n := fixture.MiscountedBuildings(t, d); n != 0 {
			t.Errorf("%d buildings keep counts other than their rows'", n)
		}
		if n := count(t, d, `SELECT SUM(resident_count) FROM buildings`); n != residents {
			t.Errorf("the buildings count %d residents, want %d", n, residents)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag = 'elderly_alone'`); n == 0 {
			t.Error("no elderly living alone")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM visits`); n == 0 {
			t.Error("no visits")
		}
		// Every resident and case is found by the search index.
		if n := count(t, d, `SELECT COUNT(*) FROM resident_fts`); n != residents {
			t.Errorf("resident_fts rows = %d, want %d", n, residents)
		}
		q := d.Dialect.FTSQuery([]string{"暖气"}, false)
		if n := count(t, d, `SELECT COUNT(*) FROM case_fts WHERE `+d.Dialect.MatchFTS("case_fts", "$1"), q); n == 0 {
			t.Error("search for 暖气 finds no case")
		}
		// New rows get fresh ids after the generated ones.
		var id int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO regions (parent_id, level, code, name, path, created_at)
			VALUES (NULL, 'city', '999999', '测试', '', $1) RETURNING id`, until).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if max := count(t, d, `SELECT MAX(id) FROM regions WHERE id <> $1`, id); id <= int64(max) {
			t.Errorf("new region id %d not after the generated ones (%d)", id, max)
		}
		// Grid polygons and indexes are back.
		if n := count(t, d, `SELECT COUNT(*) FROM grids WHERE boundary LIKE '{"coordinates":%'`); n == 0 {
			t.Error("grids have no polygons")
		}
		if _, err := gen.Run(ctx, d, sealer(t), gen.Options{Residents: 3000, Years: 1, Until: until, PasswordHash: "x"}); err == nil {
			t.Error("a second run into a database with regions should be refused")
		}
	})
}

func TestGenIsDeterministicBySeed(t *testing.T) {
	digest := func(seed uint64) string {
		d := dbtest.SQLite(t)
		if _, err := gen.Run(context.Background(), d, sealer(t), gen.Options{Residents: 3000, Years: 1, Seed: seed, Until: until, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
		var names string
		if err := d.R.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM residents ORDER BY id LIMIT 50)`).Scan(&names); err != nil {
			t.Fatal(err)
		}
		return names + "|" + strconv.Itoa(count(t, d, `SELECT COUNT(*) FROM cases`)) + "|" +
			strconv.Itoa(count(t, d, `SELECT COUNT(*) FROM case_events WHERE action = 'callback'`))
	}
	a, b, c := digest(3), digest(3), digest(4)
	if a != b {
		t.Errorf("same seed, different cities:\n%s\n%s", a, b)
	}
	if a == c {
		t.Error("different seeds gave the same city")
	}
}

// BenchmarkGen writes LINLI_GEN_RESIDENTS (default 20,000) residents with five years of cases
// into a fresh SQLite database per iteration (PostgreSQL with LINLI_GEN_POSTGRES=1).
func BenchmarkGen(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("LINLI_GEN_RESIDENTS")); err == nil {
		n = v
	}
	rows := 0
	for b.Loop() {
		b.StopTimer()
		d := dbtest.SQLite(b)
		if os.Getenv("LINLI_GEN_POSTGRES") != "" {
			d = dbtest.Postgres(b)
		}
		b.StartTimer()
		res, err := gen.Run(context.Background(), d, sealer(b), gen.Options{Residents: n, Until: until, PasswordHash: "x"})
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, v := range res.Rows {
			rows += v
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
