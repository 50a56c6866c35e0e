package deliberation_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"linli/internal/bench/benchtest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/fixture"
	"linli/internal/register"
)

// A district of a 1,000,000-resident city: 15 streets of 20 communities, each community with two
// grids, its 居民议事厅 room and two years (2024–2025) of the hall's records. Per community and year:
// LINLI_BENCH_DELIB_TOPICS topics (default 15, the demo's year of Nanguan) with 5–35 supporting
// households and 4 comments each; 6 meetings with 25 participants (20 attending); a motion and a
// decision for 2 topics in 5, 2 questions raised during each decision's publication and, for the
// decisions carried out, 15 ratings. At the default: 9,000 topics, 180,000 supports, 3,600
// meetings, 90,000 participants, 3,600 decisions, 7,200 questions and 45,000 ratings.
const (
	benchStreets     = 15
	benchCommunities = 20 // per street
)

// BenchmarkFiguresDistrictYear measures the hall's figures for the whole district and one year as
// the district admin (with one row per street), and for one community (with one row per grid). Results in docs/performance.md.
func BenchmarkFiguresDistrictYear(b *testing.B) {
	perYear := 15
	if v, err := strconv.Atoi(os.Getenv("LINLI_BENCH_DELIB_TOPICS")); err == nil && v > 0 {
		perYear = v
	}
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		f := fixture.New(b, d)
		start := time.Now()
		first := seedHall(b, d, f, perYear)
		b.Logf("%s: %d topics seeded in %s", d.Dialect, benchStreets*benchCommunities*perYear*2, time.Since(start).Round(time.Millisecond))
		svc := deliberation.NewService(d, f.Sealer, nil, deliberation.Options{})
		for _, who := range []string{"district", "community"} {
			b.Run(who, func(b *testing.B) {
				ctx, period := f.Ctx("district"), deliberation.Period{From: "2025-01-01", To: "2025-12-31"}
				if who == "community" {
					period.RegionID = first
				}
				var got *deliberation.Figures
				cpu := benchtest.ProcessCPU()
				b.ResetTimer()
				for range b.N {
					var err error
					if got, err = svc.Figures(ctx, period); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				// CPU time of this process per call: on SQLite (in process) the work itself, which a
				// machine loaded by others slows in wall time but not in CPU time.
				b.ReportMetric(float64(benchtest.ProcessCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				want := perYear
				if who == "district" {
					want *= benchStreets * benchCommunities
				}
				if got.Topics != want || got.Meetings == 0 || got.Decisions == 0 || got.Questions == 0 || got.Ratings == 0 {
					b.Fatalf("figures: %+v, want %d topics", got.PeriodFigures, want)
				}
			})
		}
	})
}

// seedHall writes the district's regions and the hall's records with multi-row INSERTs; it returns
// the first community's id.
func seedHall(b *testing.B, d *db.DB, f *fixture.Community, perYear int) int64 {
	ctx := context.Background()
	now := time.Now().UTC()
	type community struct {
		id, venue int64
		grids     [2]int64
	}
	var cs []community
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for s := 0; s < benchStreets; s++ {
			street, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: f.District.ID, Level: register.LevelStreet,
				Code: fmt.Sprintf("620702%03d", 100+s), Name: fmt.Sprintf("第%d街道", s+1)})
			if err != nil {
				return err
			}
			for c := 0; c < benchCommunities; c++ {
				r, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: street.ID, Level: register.LevelCommunity,
					Code: fmt.Sprintf("%s%03d", street.Code, c+1), Name: fmt.Sprintf("%s第%d社区", street.Name, c+1)})
				if err != nil {
					return err
				}
				x := community{id: r.ID}
				for g := range x.grids {
					gr, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: r.ID, Level: register.LevelGrid,
						Code: fmt.Sprintf("%s%02d", r.Code, g+1), Name: fmt.Sprintf("第%d网格", g+1)})
					if err != nil {
						return err
					}
					x.grids[g] = gr.ID
				}
				if err := tx.QueryRowContext(ctx, `INSERT INTO venues (region_id, name, kind, capacity, created_at)
					VALUES ($1, '居民议事厅', 'deliberation', 60, $2) RETURNING id`, r.ID, now).Scan(&x.venue); err != nil {
					return err
				}
				cs = append(cs, x)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Supports and ratings need households: 40 of one building serve every community (the figures
	// count rows; they never read the household's region).
	building := f.AddBuilding(b, f.Grids[0], "议事楼", 100.45, 38.93)
	var households []int64
	for i := 0; i < 40; i++ {
		households = append(households, f.AddHousehold(b, building, "1", fmt.Sprintf("%d", 101+i)))
	}

	var topics, supports, comments, meetings, parts, motions, decisions, questions, ratings [][]any
	flush := func(tx *db.Tx) error {
		for _, t := range []struct {
			table string
			cols  []string
			rows  *[][]any
		}{
			{"delib_meetings", []string{"id", "region_id", "title", "body", "vote_by", "venue_id", "starts_at", "ends_at", "state",
				"minutes", "checkin_token", "created_at", "closed_at"}, &meetings},
			{"delib_participants", []string{"meeting_id", "kind", "name", "label", "entitled", "attended_at"}, &parts},
			{"delib_topics", []string{"id", "region_id", "community_id", "title", "description", "source", "raiser_label", "threshold",
				"state", "owner_label", "supports", "created_at", "accepted_at", "decided_at", "done_at", "updated_at"}, &topics},
			{"delib_supports", []string{"topic_id", "household_id", "created_at"}, &supports},
			{"delib_comments", []string{"topic_id", "author_label", "body", "created_at"}, &comments},
			{"delib_motions", []string{"id", "meeting_id", "topic_id", "text", "method", "state", "entitled", "present", "yes",
				"quorum_met", "passed", "opened_at", "closed_at"}, &motions},
			{"delib_decisions", []string{"id", "topic_id", "motion_id", "region_id", "text", "owner_kind", "owner_name", "due_on",
				"published_at", "progress", "done_at", "created_at"}, &decisions},
			{"delib_questions", []string{"decision_id", "asker_label", "question", "answer", "asked_at", "due_at", "answered_at"}, &questions},
			{"delib_ratings", []string{"topic_id", "household_id", "score", "created_at"}, &ratings},
		} {
			if err := db.InsertRows(ctx, tx, t.table, t.cols, nil, *t.rows); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
			*t.rows = (*t.rows)[:0]
		}
		return nil
	}
	topicID, meetingID := int64(1000), int64(1000)
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for ci, c := range cs {
			for year := 2024; year <= 2025; year++ {
				jan := time.Date(year, 1, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Asia/Shanghai
				var yearMeetings []int64
				for m := 0; m < 6; m++ {
					meetingID++
					at := jan.AddDate(0, 2*m, 20).Add(6 * time.Hour)
					meetings = append(meetings, []any{meetingID, c.id, "居民代表议事会", "representatives", "household", c.venue, at,
						at.Add(2 * time.Hour), "closed", "会议纪要：讨论议题并表决。", fmt.Sprintf("t%d", meetingID), at, at.Add(2 * time.Hour)})
					for p := 0; p < 25; p++ {
						var attended any
						if p < 20 {
							attended = at.Add(5 * time.Minute)
						}
						parts = append(parts, []any{meetingID, "representative", fmt.Sprintf("代表%d", p), "居民代表", true, attended})
					}
					yearMeetings = append(yearMeetings, meetingID)
				}
				for i := 0; i < perYear; i++ {
					topicID++
					created := jan.AddDate(0, 0, (i*330)/perYear+ci%20)
					region := c.grids[i%2]
					if i%3 == 0 {
						region = c.id
					}
					state, accepted, decided, done := "declined", any(nil), any(nil), any(nil)
					n := 5 + (i*7+ci)%31
					if i%5 < 2 { // 2 in 5: decided, published, carried out
						state, accepted, decided, done = "closed", created.AddDate(0, 0, 10), created.AddDate(0, 0, 20), created.AddDate(0, 0, 60)
					} else if i%5 == 2 {
						state, accepted = "discussing", created.AddDate(0, 0, 10)
					}
					topics = append(topics, []any{topicID, region, c.id, "议题", "说明", "resident", "1号楼居民", 10, state, "第一网格",
						n, created, accepted, decided, done, created})
					for s := 0; s < n; s++ {
						supports = append(supports, []any{topicID, households[s], created.Add(time.Duration(s) * time.Hour)})
					}
					for k := 0; k < 4; k++ {
						comments = append(comments, []any{topicID, "1号楼居民", "意见", created.Add(time.Duration(k+1) * 24 * time.Hour)})
					}
					if decided == nil {
						continue
					}
					dAt := decided.(time.Time)
					motions = append(motions, []any{topicID, yearMeetings[i%6], topicID, "同意", "ballot", "closed", 25, 20, 15, true, true, dAt, dAt})
					decisions = append(decisions, []any{topicID, topicID, topicID, region, "决议", "community", "社区居委会",
						dAt.AddDate(0, 0, 45+i%30).Format(time.DateOnly), dAt, 100, done, dAt})
					for q := 0; q < 2; q++ {
						asked := dAt.Add(time.Duration(q+1) * 24 * time.Hour)
						var answered any = asked.Add(time.Duration(20+q*40) * time.Hour) // one on time, one late
						questions = append(questions, []any{topicID, "1号楼居民", "疑问", "答复", asked, asked.AddDate(0, 0, 3), answered})
					}
					for r := 0; r < 15; r++ {
						ratings = append(ratings, []any{topicID, households[r], 2 + r%4, done.(time.Time).AddDate(0, 0, 3)})
					}
				}
				if len(supports) > 5000 {
					if err := flush(tx); err != nil {
						return err
					}
				}
			}
		}
		return flush(tx)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return cs[0].id
}
