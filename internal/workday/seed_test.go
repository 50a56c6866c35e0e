package workday_test

import (
	"context"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/workday"
)

func TestMigrationSeedsTheShippedCalendar(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rows, err := d.R.QueryContext(context.Background(), "SELECT day, kind, name FROM workday_calendar ORDER BY day")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []workday.Day
		for rows.Next() {
			var day workday.Day
			if err := rows.Scan(&day.Date, &day.Kind, &day.Name); err != nil {
				t.Fatal(err)
			}
			got = append(got, day)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := workday.Seed()
		if len(got) != len(want) {
			t.Fatalf("a migrated database holds %d calendar days, the shipped calendar %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("day %d: migration has %+v, cn-workday-calendar.csv %+v", i, got[i], want[i])
			}
		}
	})
}

func TestLoadingTheCalendarOnlyReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		readOnly := &db.DB{R: d.R, Dialect: d.Dialect} // no write pool: any write would fail
		cal, err := workday.Load(context.Background(), readOnly)
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Days()) != len(workday.Seed()) {
			t.Errorf("a fresh database's calendar has %d days, want the %d shipped", len(cal.Days()), len(workday.Seed()))
		}
	})
}
