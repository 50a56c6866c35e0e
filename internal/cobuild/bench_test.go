package cobuild_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/register"
)

// A district of a 1,000,000-resident city: 300 communities, each with a 大党委 of 12 units and a
// year of the three lists, meetings and activities — 3,600 units, 18,000 needs, 12,000 activities.
const (
	benchCommunities = 300
	benchUnits       = 12
)

// BenchmarkFiguresDistrictYear measures Figures for the whole district and one year as the
// district admin (results in docs/performance.md).
func BenchmarkFiguresDistrictYear(b *testing.B) {
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		f := fixture.New(b, d)
		seedDistrict(b, d, f)
		svc := cobuild.NewService(d, cobuild.Options{})
		ctx := f.Ctx("district")
		b.ResetTimer()
		var got *cobuild.Figures
		for range b.N {
			var err error
			if got, err = svc.Figures(ctx, f.Users["district"], cobuild.FigureFilter{From: "2025-01-01", To: "2025-12-31"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if got.Needs != benchCommunities*60 || got.Activities != benchCommunities*40 || len(got.Units) != benchCommunities*benchUnits {
			b.Fatalf("figures = needs %d, activities %d, units %d", got.Needs, got.Activities, len(got.Units))
		}
	})
}

// seedDistrict writes the district's communities and a year of co-building records with
// multi-row INSERTs.
func seedDistrict(b *testing.B, d *db.DB, f *fixture.Community) {
	ctx := context.Background()
	now := time.Now().UTC()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var communities []int64
		for s := 0; s < benchCommunities/20; s++ {
			street, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: f.District.ID, Level: register.LevelStreet,
				Code: fmt.Sprintf("620702%03d", 100+s), Name: fmt.Sprintf("第%d街道", s+1)})
			if err != nil {
				return err
			}
			for c := 0; c < 20; c++ {
				r, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: street.ID, Level: register.LevelCommunity,
					Code: fmt.Sprintf("%s%03d", street.Code, c+1), Name: fmt.Sprintf("%s第%d社区", street.Name, c+1)})
				if err != nil {
					return err
				}
				communities = append(communities, r.ID)
			}
		}
		var units, needs, activities, links, projects, meetings, decisions [][]any
		unitID, needID, activityID, meetingID := int64(1000), int64(1000), int64(1000), int64(1000)
		for ci, c := range communities {
			first := unitID
			for u := 0; u < benchUnits; u++ {
				unitID++
				units = append(units, []any{unitID, c, fmt.Sprintf("单位%d", unitID), "enterprise", code(fmt.Sprintf("%09d", unitID)), now, now})
			}
			for n := 0; n < 60; n++ {
				needID++
				day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n*6).Format(time.DateOnly)
				unit := first + 1 + int64(n%benchUnits)
				needs = append(needs, []any{needID, c, "需求", cobuild.Categories[n%10], "community", "grid", "done", day, unit, day, day, now, now})
				if n%10 == 0 {
					projects = append(projects, []any{needID, c, needID, unit, "项目", "done", day, day, now, now})
				}
			}
			for a := 0; a < 40; a++ {
				activityID++
				starts := time.Date(2025, 1, 3, 1, 0, 0, 0, time.UTC).AddDate(0, 0, a*9)
				activities = append(activities, []any{activityID, c, "活动", "volunteer", "unit", "单位", starts, starts.Add(2 * time.Hour),
					false, fmt.Sprintf("bench-%d", activityID), 20 + a, 120, now})
				links = append(links, []any{activityID, first + 1 + int64(a%benchUnits)}, []any{activityID, first + 1 + int64((a+5)%benchUnits)})
			}
			for m := 0; m < 4; m++ {
				meetingID++
				day := time.Date(2025, time.Month(3*m+2), 20, 1, 0, 0, 0, time.UTC)
				meetings = append(meetings, []any{meetingID, c, "联席会议", "quarterly", day, day.Format(time.DateOnly), "2025-01-01", "2025-01-01", "held", now, now})
				for k := 0; k < 2; k++ {
					decisions = append(decisions, []any{int64(ci*8 + m*2 + k + 1), c, meetingID, "决议", first + 1 + int64(k), day.AddDate(0, 1, 0).Format(time.DateOnly),
						"closed", day.AddDate(0, 0, 20).Format(time.DateOnly), now, now})
				}
			}
		}
		for _, t := range []struct {
			table string
			cols  string
			rows  [][]any
		}{
			{"cobuild_units", "id, region_id, name, kind, credit_code, created_at, updated_at", units},
			{"cobuild_needs", "id, region_id, title, category, beneficiary, source, state, raised_on, unit_id, claimed_on, done_on, created_at, updated_at", needs},
			{"cobuild_projects", "id, region_id, need_id, unit_id, title, state, started_on, finished_on, created_at, updated_at", projects},
			{"activities", "id, region_id, title, kind, organiser_kind, organiser, starts_at, ends_at, public, checkin_token, headcount, service_minutes, created_at", activities},
			{"activity_units", "activity_id, unit_id", links},
			{"cobuild_meetings", "id, region_id, title, cadence, starts_at, held_on, topics_due_on, notice_on, state, created_at, updated_at", meetings},
			{"cobuild_decisions", "id, region_id, meeting_id, text, unit_id, due_on, state, closed_on, created_at, updated_at", decisions},
		} {
			if err := insertAll(ctx, tx, t.table, t.cols, t.rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

func insertAll(ctx context.Context, tx *db.Tx, table, cols string, rows [][]any) error {
	const per = 40
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var sb strings.Builder
		var args []any
		for i, row := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					sb.WriteString(", ")
				}
				args = append(args, v)
				sb.WriteString("$" + strconv.Itoa(len(args)))
			}
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+sb.String(), args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
