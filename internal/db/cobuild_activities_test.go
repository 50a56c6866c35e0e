package db_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// Migration 0025 moves the co-building activities into the activities capability: each becomes an
// activity held 09:00-11:00 Asia/Shanghai on its day, with its units, need, project, people, service
// time and photos; the old tables go, and the needs recorded so far count as accepted.
func TestCobuildActivitiesBecomeActivities(t *testing.T) {
	for _, c := range []struct {
		name  string
		empty func(t testing.TB) func(t testing.TB) *db.DB
	}{{"sqlite", dbtest.EmptySQLite}, {"postgres", dbtest.EmptyPostgres}} {
		t.Run(c.name, func(t *testing.T) {
			d := c.empty(t)(t)
			ctx := context.Background()
			if err := db.MigrateUpTo(ctx, d, 24); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.W.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO regions (id, level, code, name, path, created_at) VALUES (1, 'community', '620702001001', '南关社区', '/1/', $1)`, now)
			exec(`INSERT INTO users (id, username, name, password_hash, role, region_id, password_changed_at, created_at, updated_at)
				VALUES (1, 'admin', '管理员', 'x', 'community_admin', 1, $1, $1, $1)`, now)
			for _, u := range []struct {
				id   int64
				name string
			}{{1, "南关小学"}, {2, "南街卫生服务中心"}} {
				exec(`INSERT INTO cobuild_units (id, region_id, name, kind, credit_code, created_at, updated_at) VALUES ($1, 1, $2, 'school', $3, $4, $4)`,
					u.id, u.name, "code"+u.name, now)
			}
			exec(`INSERT INTO cobuild_needs (id, region_id, title, category, source, state, raised_on, created_at, updated_at)
				VALUES (7, 1, '课后托管', '助学/关爱未成年人', 'community', 'raised', '2024-04-01', $1, $1)`, now)
			exec(`INSERT INTO cobuild_activities (id, region_id, title, held_on, place, participants, service_minutes, need_id, summary,
				photos, created_by, created_at) VALUES (5, 1, '课后托管志愿服务', '2024-04-20', '南关小学', 30, 600, 7, '教师志愿者辅导作业', 3, 1, $1)`, now)
			exec(`INSERT INTO cobuild_activities (id, region_id, title, held_on, participants, service_minutes, created_at)
				VALUES (6, 1, '义诊', '2024-10-15', 12, 240, $1)`, now)
			exec(`INSERT INTO cobuild_activity_units (activity_id, unit_id) VALUES (5, 2), (5, 1), (6, 2)`)
			exec(`INSERT INTO cobuild_photos (kind, object_id, region_id, content_type, content, created_by, created_at)
				VALUES ('activity', 5, 1, 'image/jpeg', $1, 1, $2), ('agreement', 1, 1, 'image/jpeg', $1, 1, $2)`, []byte{0xff, 0xd8, 0xff}, now)
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			type row struct {
				title, organiser, kind, token string
				starts, ends                  time.Time
				headcount, minutes, units     int
				need                          *int64
				public                        bool
			}
			rows, err := d.R.QueryContext(ctx, `SELECT a.title, a.organiser, a.kind, a.checkin_token, a.starts_at, a.ends_at, a.headcount,
				a.service_minutes, (SELECT COUNT(*) FROM activity_units u WHERE u.activity_id = a.id), a.cobuild_need_id, a.public
				FROM activities a ORDER BY a.starts_at`)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.title, &r.organiser, &r.kind, &r.token, &r.starts, &r.ends, &r.headcount, &r.minutes, &r.units,
					&r.need, &r.public); err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			rows.Close()
			if len(got) != 2 {
				t.Fatalf("%d activities after the migration, want 2", len(got))
			}
			first := got[0]
			if first.title != "课后托管志愿服务" || first.organiser != "南关小学" || first.kind != "volunteer" || first.headcount != 30 ||
				first.minutes != 600 || first.units != 2 || first.need == nil || *first.need != 7 || first.public {
				t.Errorf("moved activity %+v", first)
			}
			if want := time.Date(2024, 4, 20, 1, 0, 0, 0, time.UTC); !first.starts.Equal(want) || !first.ends.Equal(want.Add(2*time.Hour)) {
				t.Errorf("held %v–%v, want 09:00–11:00 Asia/Shanghai on 2024-04-20", first.starts, first.ends)
			}
			if len(first.token) != 24 || first.token == got[1].token {
				t.Errorf("check-in tokens %q, %q", first.token, got[1].token)
			}
			// A day's activities are found by the day, as the figures select them.
			var inPeriod int
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities WHERE starts_at >= $1 AND starts_at < $2`,
				time.Date(2024, 10, 14, 16, 0, 0, 0, time.UTC), time.Date(2024, 10, 15, 16, 0, 0, 0, time.UTC)).Scan(&inPeriod); err != nil || inPeriod != 1 {
				t.Errorf("activities of 2024-10-15: %d (%v)", inPeriod, err)
			}
			var photos, kept int
			if err := d.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM activity_photos), (SELECT COUNT(*) FROM cobuild_photos)`).
				Scan(&photos, &kept); err != nil || photos != 1 || kept != 1 {
				t.Errorf("%d activity photos and %d co-building photos left (%v), want the activity's photo moved and the scan kept", photos, kept, err)
			}
			var review string
			if err := d.R.QueryRowContext(ctx, `SELECT review FROM cobuild_needs WHERE id = 7`).Scan(&review); err != nil || review != "accepted" {
				t.Errorf("an older need's review is %q (%v)", review, err)
			}
			if _, err := d.R.ExecContext(ctx, `SELECT 1 FROM cobuild_activities`); err == nil {
				t.Error("cobuild_activities is still there")
			}
		})
	}
}
