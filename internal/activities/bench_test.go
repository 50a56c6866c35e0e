package activities_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/pii"
	"linli/internal/register"
)

// A district of the 1,000,000-resident city: 10 streets, 300 communities of 10 grids and about
// 3,330 residents each (one in eight with a care tag, one in six a minor, one in 25 aged 80 or more),
// and in each community 8 rooms, 6 series (3 featured) and a year of 120 activities with 25 sign-ups
// (six in seven checked in), 3 volunteers of 2 hours each and the activity's booking, plus 150 other
// bookings: 36,000 activities, 900,000 sign-ups, 108,000 volunteer records, 81,000 bookings.
//
// LINLI_BENCH_COMMUNITIES scales it down (30: a tenth, for a quick look; streets of 30 communities).
var benchCommunities = 300

const (
	benchVenues     = 8
	benchSeries     = 6
	benchActivities = 120
	benchSignUps    = 25
	benchVolunteers = 3
	benchBookings   = 150
)

// seq is a recursive CTE counting 1..$1 in both dialects, for generating rows inside the database.
const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) `

// BenchmarkFiguresDistrictYear measures Figures (held by series and kind, participants distinct and
// total, volunteer hours, venue use, the reach of each focus group, and the same per street) for the
// district and the year 2025 as its admin, and for one community (per grid) as that community's
// admin, on SQLite and — with LINLI_TEST_POSTGRES — PostgreSQL (results in docs/performance.md).
//
//	LINLI_TEST_POSTGRES=… go test -run '^$' -bench FiguresDistrictYear -benchtime 5x -timeout 30m ./internal/activities/
func BenchmarkFiguresDistrictYear(b *testing.B) {
	if v, err := strconv.Atoi(os.Getenv("LINLI_BENCH_COMMUNITIES")); err == nil && v > 0 {
		benchCommunities = v
	}
	streets := (benchCommunities + 29) / 30
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		district, community := seedDistrict(b, d)
		sealer, err := pii.NewSealer("benchmark-secret-benchmark-secret-0123")
		if err != nil {
			b.Fatal(err)
		}
		svc := activities.NewService(d, sealer, activities.Options{})
		for _, sc := range []struct {
			name     string
			p        *auth.Principal
			held     int
			children int
		}{
			{"district", district, benchCommunities * benchActivities, streets},
			{"community", community, benchActivities, 10},
		} {
			b.Run(sc.name, func(b *testing.B) {
				ctx := auth.WithPrincipal(context.Background(), sc.p)
				var times []time.Duration
				var got *activities.Figures
				cpu0 := benchtest.ProcessCPU()
				for b.Loop() {
					start := time.Now()
					if got, err = svc.Figures(ctx, activities.FigureFilter{From: "2025-01-01", To: "2025-12-31"}); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(start))
				}
				// This process's CPU time: all of SQLite's work, only the client's share on PostgreSQL.
				b.ReportMetric(float64((benchtest.ProcessCPU()-cpu0).Microseconds())/1000/float64(len(times)), "cpu-ms/op")
				benchtest.ReportMedian(b, times)
				if got.Held != sc.held || len(got.Children) != sc.children || got.FeaturedSeries == 0 ||
					got.ParticipantsDistinct == 0 || got.VolunteerHours == 0 || len(got.Venues) == 0 || got.Reach[0].Reached == 0 {
					b.Fatalf("figures: held %d, featured %d, %d streets/grids, participants %d, hours %v, %d venues, reach %+v",
						got.Held, got.FeaturedSeries, len(got.Children), got.ParticipantsDistinct, got.VolunteerHours, len(got.Venues), got.Reach[0])
				}
			})
		}
	})
}

// seedDistrict writes the district (regions and residents generated inside the database, the
// activities records with multi-row INSERTs and INSERT … SELECT) and returns its admin and the
// admin of its first community.
func seedDistrict(b *testing.B, d *db.DB) (district, community *auth.Principal) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	now := time.Now().UTC()
	var dist, comm1 *register.Region
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if _, err = tx.ExecContext(ctx, `CREATE TEMP TABLE bench_grids (n INTEGER PRIMARY KEY, grid_id BIGINT, community_id BIGINT)`); err != nil {
			return err
		}
		if dist, err = register.CreateRegion(ctx, tx, register.NewRegion{Level: register.LevelDistrict, Code: "620702", Name: "甘州区"}); err != nil {
			return err
		}
		var comms []int64
		g := 0
		for s := 0; len(comms) < benchCommunities; s++ {
			street, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: dist.ID, Level: register.LevelStreet,
				Code: fmt.Sprintf("620702%03d", s+1), Name: fmt.Sprintf("第%d街道", s+1)})
			if err != nil {
				return err
			}
			for c := 0; c < 30 && len(comms) < benchCommunities; c++ {
				comm, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: street.ID, Level: register.LevelCommunity,
					Code: fmt.Sprintf("%s%03d", street.Code, c+1), Name: fmt.Sprintf("第%d社区", len(comms)+1)})
				if err != nil {
					return err
				}
				if comm1 == nil {
					comm1 = comm
				}
				comms = append(comms, comm.ID)
				for k := 0; k < 10; k++ {
					grid, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: comm.ID, Level: register.LevelGrid,
						Code: fmt.Sprintf("%s%02d", comm.Code, k+1), Name: fmt.Sprintf("第%d网格", k+1)})
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO bench_grids (n, grid_id, community_id) VALUES ($1, $2, $3)`, g, grid.ID, comm.ID); err != nil {
						return err
					}
					g++
				}
			}
		}
		grids, residents := benchCommunities*10, benchCommunities*3_333
		if _, err := tx.ExecContext(ctx, seq+`INSERT INTO residents (region_id, community_id, name, birth_date, status, created_at, updated_at)
			SELECT g.grid_id, g.community_id, '居民', CASE WHEN s.n % 25 = 0 THEN '1938-05-01' WHEN s.n % 6 = 1 THEN '2014-05-01' ELSE '1975-05-01' END,
				CASE WHEN s.n % 31 = 8 THEN 'moved_out' ELSE 'active' END, $2, $2
			FROM seq s JOIN bench_grids g ON g.n = ((s.n - 1) / $3) % $4`, residents, now, residents/grids, grids); err != nil {
			return fmt.Errorf("residents: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resident_tags (resident_id, tag, region_id, since)
			SELECT id, CASE id % 7 WHEN 0 THEN 'elderly_alone' WHEN 1 THEN 'dibao' WHEN 2 THEN 'disability' WHEN 3 THEN 'disabled_care'
				WHEN 4 THEN 'left_behind_child' WHEN 5 THEN 'empty_nest' ELSE 'child_in_distress' END, region_id, '2020-01-01'
			FROM residents WHERE id % 8 = 0`); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		// Each community's residents by id: the first and how many, for drawing its participants.
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE bench_people AS SELECT community_id, MIN(id) AS first_id, COUNT(*) AS people
			FROM residents GROUP BY community_id`); err != nil {
			return err
		}

		loc := clock.Shanghai()
		var venues, series, acts, bookings, roles [][]any
		venueID, seriesID, activityID, bookingID := int64(0), int64(0), int64(0), int64(0)
		kinds := activities.ActivityKinds
		rooms := []string{"党群活动室", "未成年人活动室", "新时代文明实践站", "人民调解室", "居民议事厅", "老年日间照料中心", "图书室", "多功能厅"}
		roomKinds := []string{"party_room", "minors", "practice", "mediation", "deliberation", "elder_care", "library", "other"}
		for ci, c := range comms {
			firstVenue, firstSeries := venueID+1, seriesID+1
			for v := 0; v < benchVenues; v++ {
				venueID++
				venues = append(venues, []any{venueID, c, rooms[v], roomKinds[v], 40, now})
			}
			for s := 0; s < benchSeries; s++ {
				seriesID++
				series = append(series, []any{seriesID, c, fmt.Sprintf("品牌%d", s+1), s < 3, now})
			}
			for a := 0; a < benchActivities; a++ {
				activityID++
				bookingID++
				day := time.Date(2025, 1, 2, 9, 0, 0, 0, loc).AddDate(0, 0, (a*3+ci)%363)
				st, en := day.UTC(), day.Add(2*time.Hour).UTC()
				venue := firstVenue + int64(a%benchVenues)
				var se any
				if a%3 != 0 {
					se = firstSeries + int64(a%benchSeries)
				}
				audience, tag := "all", ""
				if a%4 == 0 {
					audience, tag = "focus", string(register.TagElderlyAlone)
				}
				bookings = append(bookings, []any{bookingID, venue, c, st, en, "staff", "user:1", "社区", "活动", 25, "approved", now})
				acts = append(acts, []any{activityID, c, se, fmt.Sprintf("活动%d", activityID), string(kinds[a%len(kinds)]), "community", "社区居委会",
					venue, bookingID, st, en, audience, tag, 30, benchSignUps, "published", fmt.Sprintf("t%d", activityID), now})
				roles = append(roles, []any{activityID, activityID, "志愿者", benchVolunteers + 2, benchVolunteers})
			}
			for k := 0; k < benchBookings; k++ {
				bookingID++
				day := time.Date(2025, 1, 2, 14, 0, 0, 0, loc).AddDate(0, 0, (k*2+ci)%363)
				bookings = append(bookings, []any{bookingID, firstVenue + int64(k%benchVenues), c, day.UTC(), day.Add(3 * time.Hour).UTC(),
					"unit", fmt.Sprintf("user:%d", 100+k%7), "共建单位", "会议", 15, "approved", now})
			}
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"venues", []string{"id", "region_id", "name", "kind", "capacity", "created_at"}, venues},
			{"activity_series", []string{"id", "region_id", "name", "featured", "created_at"}, series},
			{"venue_bookings", []string{"id", "venue_id", "region_id", "starts_at", "ends_at", "booker_kind", "booker_key", "booker_name",
				"purpose", "headcount", "status", "created_at"}, bookings},
			{"activities", []string{"id", "region_id", "series_id", "title", "kind", "organiser_kind", "organiser", "venue_id", "booking_id",
				"starts_at", "ends_at", "audience", "focus_tag", "capacity", "registered", "status", "checkin_token", "created_at"}, acts},
			{"volunteer_roles", []string{"id", "activity_id", "title", "slots", "taken"}, roles},
		} {
			if err := db.InsertRows(ctx, tx, t.table, t.cols, nil, t.rows); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
		}
		// Sign-ups drawn from the community's residents, six in seven checked in; volunteers of two hours, approved.
		if _, err := tx.ExecContext(ctx, seq+`INSERT INTO activity_registrations (activity_id, resident_id, name, phone_index, status, checked_in_at, created_at)
			SELECT a.id, p.first_id + (a.id * 37 + s.n * 101) % p.people, '居民', CAST(s.n AS TEXT), 'registered',
				CASE WHEN s.n % 7 = 0 THEN NULL ELSE a.starts_at END, a.created_at
			FROM activities a JOIN bench_people p ON p.community_id = a.region_id JOIN seq s ON s.n <= $1`, benchSignUps); err != nil {
			return fmt.Errorf("registrations: %w", err)
		}
		if err := activities.RecordParticipants(ctx, tx, "1=1"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, seq+`INSERT INTO activity_volunteers (role_id, activity_id, region_id, name, phone_index, phone_masked,
				checked_in_at, checked_out_at, minutes, content, status, created_at)
			SELECT a.id, a.id, a.region_id, '志愿者', CAST(s.n AS TEXT), '138****0000', a.starts_at, a.ends_at, 120, '服务', 'approved', a.created_at
			FROM activities a JOIN seq s ON s.n <= $1`, benchVolunteers); err != nil {
			return fmt.Errorf("volunteers: %w", err)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: district written in %s", d.Dialect, time.Since(start).Round(time.Millisecond))
	return &auth.Principal{UserID: 1, Role: auth.DistrictAdmin, RegionID: dist.ID, RegionPath: dist.Path, RegionLevel: "district"},
		&auth.Principal{UserID: 2, Role: auth.CommunityAdmin, RegionID: comm1.ID, RegionPath: comm1.Path, RegionLevel: "community"}
}
