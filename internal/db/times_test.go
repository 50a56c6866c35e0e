package db_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestParseTimeReadsWhatSQLiteStores(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	for in, want := range map[string]time.Time{
		"2026-11-04 10:24:05.05927+00:00":        utc("2026-11-04T10:24:05.05927Z"),
		"2026-11-04 10:24:05.123456789+00:00":    utc("2026-11-04T10:24:05.123456789Z"),
		"2026-11-04 18:24:05+08:00":              utc("2026-11-04T10:24:05Z"),
		"2026-11-04 02:24:05-08:00":              utc("2026-11-04T10:24:05Z"),
		"2026-11-04T10:24:05Z":                   utc("2026-11-04T10:24:05Z"),
		"2026-11-04 10:24:05":                    utc("2026-11-04T10:24:05Z"),
		"2026-11-04 10:24":                       utc("2026-11-04T10:24:00Z"),
		"2026-11-04":                             utc("2026-11-04T00:00:00Z"),
		"2026-11-04 18:24:05.5 +0800 CST":        utc("2026-11-04T10:24:05.5Z"),
		"2024-02-29 23:59:59.999999999999+00:00": utc("2024-02-29T23:59:59.999999999Z"),
	} {
		got, err := db.ParseTime(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in UTC", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-11-04 10:24:05+08", "2026-02-30 10:24:05", "2026-11-04 25:24:05", "yesterday"} {
		if got, err := db.ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, got)
		}
	}
}

// TimeText's column scans to the same instant as the column itself, NULL to nil, on both databases.
func TestTimeTextScansAsTheColumn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 4, 10, 24, 5, 59270000, time.FixedZone("CST", 8*3600))
		typ := "TIMESTAMP" // the migrations' {TIMESTAMP}
		if d.Dialect == db.Postgres {
			typ = "TIMESTAMPTZ"
		}
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE times_t (id INTEGER PRIMARY KEY, at `+typ+` NOT NULL, maybe `+typ+`)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO times_t (id, at, maybe) VALUES (1, $1, NULL), (2, $1, $1)`, at); err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.QueryContext(ctx, `SELECT `+d.Dialect.TimeText("at")+`, `+d.Dialect.TimeText("maybe")+` FROM times_t ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []*time.Time
		for rows.Next() {
			var a time.Time
			var m *time.Time
			if err := rows.Scan(db.Time{T: &a}, db.NullTime{T: &m}); err != nil {
				t.Fatal(err)
			}
			if !a.Equal(at) || a.Location() != time.UTC {
				t.Errorf("at = %v, want %v in UTC", a, at)
			}
			got = append(got, m)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != nil || got[1] == nil || !got[1].Equal(at) {
			t.Errorf("maybe = %v, want nil then %v", got, at)
		}
	})
}
