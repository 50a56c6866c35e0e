package demo_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/pii"
	"linli/internal/workday"
)

// asUser is a context signed in as a demo user, as the auth middleware would build it.
func asUser(t testing.TB, d *db.DB, username string) context.Context {
	t.Helper()
	p := &auth.Principal{Username: username}
	err := d.R.QueryRow(`SELECT u.id, u.name, u.role, u.region_id, r.path, r.name, r.level FROM users u
		JOIN regions r ON r.id = u.region_id WHERE u.username = $1`, username).
		Scan(&p.UserID, &p.Name, &p.Role, &p.RegionID, &p.RegionPath, &p.RegionName, &p.RegionLevel)
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithPrincipal(context.Background(), p)
}

// listAll pages through a case list.
func listAll(t *testing.T, ctx context.Context, svc *cases.Service, f cases.Filter) []cases.Case {
	t.Helper()
	var out []cases.Case
	f.Limit = 200
	for {
		page, total, err := svc.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(out) >= total || len(page) == 0 {
			return out
		}
		f.Offset += len(page)
	}
}

func TestDemoCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, sealer := build(t, d)
		svc := cases.NewService(d, sealer, cases.Options{})
		admin := asUser(t, d, "admin")
		period := cases.Filter{From: "2024-01-01", To: "2024-10-15", By: "closed"}

		t.Run("the figures count 153 hotline cases handled from 2024-01-01 to 2024-10-15, as the news report did", func(t *testing.T) {
			f := period
			f.Channel = "hotline_12345"
			fig, err := svc.Figures(admin, f)
			if err != nil {
				t.Fatal(err)
			}
			if fig["closed"] != int64(153) {
				t.Fatalf("closed = %v, want 153 (figures %v)", fig["closed"], fig)
			}
			if r, ok := fig["satisfaction_rate"].(float64); !ok || r < 0.85 || r > 0.96 {
				t.Errorf("satisfaction rate of the hotline cases = %v, want about 90 %%", fig["satisfaction_rate"])
			}
		})

		t.Run("the practical matters of that period come to 68: other channels, closed resolved", func(t *testing.T) {
			f := period
			f.Figure = "closed"
			n, channels := 0, map[string]bool{}
			for _, c := range listAll(t, admin, svc, f) {
				if c.Channel != "hotline_12345" && c.Outcome == cases.Resolved {
					n++
					channels[c.Channel] = true
				}
			}
			if n != 68 {
				t.Fatalf("practical matters = %d, want 68", n)
			}
			if len(channels) < 5 {
				t.Errorf("practical matters came through only %v", channels)
			}
		})

		t.Run("every 2024 case is finished: closed, and called back unless rejected or merged", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE number LIKE 'NG-2024-%' AND (state <> 'closed'
				OR (outcome IN ('resolved','partly','explained','not_ours') AND (callback_at IS NULL OR callback_at < closed_at)))`); n != 0 {
				t.Fatalf("%d cases of 2024 are unfinished", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE number LIKE 'NG-2024-%'`); n < 250 {
				t.Fatalf("only %d cases in 2024", n)
			}
		})

		t.Run("a year of cases up to today across every channel and the whole category tree", func(t *testing.T) {
			since := time.Now().AddDate(-1, 0, 0)
			// Nanguan's own: the neighbours' smaller years come on top.
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE received_at >= $1 AND number LIKE 'NG-%'`, since); n < 250 {
				t.Errorf("%d cases in the past year", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE received_at >= $1 AND number LIKE 'NG-%'`, time.Now().AddDate(0, 0, -14)); n < 5 {
				t.Errorf("%d cases in the past two weeks", n)
			}
			if n := count(t, d, `SELECT COUNT(DISTINCT channel) FROM cases`); n < 11 {
				t.Errorf("cases come through %d channels", n)
			}
			if n := count(t, d, `SELECT COUNT(DISTINCT category_id) FROM cases`); n < 20 {
				t.Errorf("cases fall under %d categories", n)
			}
			total := count(t, d, `SELECT COUNT(*) FROM cases`)
			hot := count(t, d, `SELECT COUNT(*) FROM cases WHERE channel = 'hotline_12345'`)
			if share := float64(hot) / float64(total); share < 0.4 || share > 0.7 {
				t.Errorf("12345 share = %.2f", share)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE received_at > $1`, time.Now()); n != 0 {
				t.Errorf("%d cases received in the future", n)
			}
		})

		t.Run("open cases stand past and near their deadlines today: the overdue queue and amber clocks", func(t *testing.T) {
			overdue := listAll(t, admin, svc, cases.Filter{Queue: cases.QueueOverdue})
			kinds := map[string]int{}
			for _, c := range overdue {
				kinds[c.SLA.Kind]++
				if c.SLA.Status != "late" {
					t.Errorf("%s is in the overdue queue with its clock %s", c.Number, c.SLA.Status)
				}
			}
			if kinds["handle"] < 3 || kinds["sign"] < 1 || kinds["accept"] < 1 || kinds["callback"] < 1 {
				t.Errorf("overdue by kind of deadline: %v", kinds)
			}
			amber := 0
			for _, c := range listAll(t, admin, svc, cases.Filter{}) {
				if c.State.Open() && c.SLA.Status == "amber" {
					amber++
				}
				if c.State.Open() && c.SLA.Status == "late" && !c.Overdue {
					t.Errorf("%s is past its %s deadline but not flagged overdue", c.Number, c.SLA.Kind)
				}
			}
			if amber < 3 {
				t.Errorf("%d open cases at amber", amber)
			}
			if n := len(listAll(t, admin, svc, cases.Filter{Queue: cases.QueueSupervised})); n < 1 {
				t.Errorf("no open case under 督办")
			}
			for _, q := range []string{cases.QueueToAccept, cases.QueueToVerify, cases.QueueToCallback} {
				if n := len(listAll(t, admin, svc, cases.Filter{Queue: q})); n < 1 {
					t.Errorf("queue %s is empty", q)
				}
			}
		})

		t.Run("every timeline follows the state machine in time order and ends in the case's state", func(t *testing.T) {
			checkTimelines(t, d)
		})

		t.Run("deadlines are the category limits on the working-day calendar", func(t *testing.T) {
			checkDeadlines(t, d)
		})

		t.Run("the workflow's detours all occur", func(t *testing.T) {
			for _, a := range []cases.Action{cases.ActReject, cases.ActMerge, cases.ActReturn, cases.ActSuspend, cases.ActResume,
				cases.ActExtend, cases.ActApproveExtension, cases.ActDenyExtension, cases.ActRework, cases.ActReopen,
				cases.ActSupervise, cases.ActNote} {
				if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE action = $1`, a); n == 0 {
					t.Errorf("no %s (%s) in any timeline", a, a.Label())
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM case_events WHERE action = 'callback' AND to_state = 'accepted'`); n == 0 {
				t.Error("no dissatisfied callback reopened a case")
			}
			if n := count(t, d, `SELECT COUNT(*) FROM cases c WHERE merged_into IS NOT NULL AND outcome = 'duplicate'
				AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.merged_into AND e.note LIKE '%' || c.number || '%')`); n == 0 {
				t.Error("no merged case is named on the case it was merged into")
			}
		})

		t.Run("reporters' phones are sealed and masked; anonymous reports keep no name or phone", func(t *testing.T) {
			rows, err := d.R.Query(`SELECT reporter_phone_enc, reporter_phone_masked, reporter_name, anonymous FROM cases`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			phones, anon := 0, 0
			for rows.Next() {
				var enc []byte
				var masked, name string
				var anonymous bool
				if err := rows.Scan(&enc, &masked, &name, &anonymous); err != nil {
					t.Fatal(err)
				}
				if anonymous {
					anon++
					if enc != nil || masked != "" || name != "" {
						t.Errorf("anonymous case keeps %q %q", name, masked)
					}
					continue
				}
				if enc == nil {
					continue
				}
				phones++
				plain, err := sealer.Open(enc)
				if err != nil || pii.MaskPhone(plain) != masked || !strings.Contains(masked, "****") {
					t.Errorf("phone %q sealed as %q (%v)", masked, plain, err)
				}
			}
			if phones < 300 || anon < 5 {
				t.Errorf("%d reporters with phones, %d anonymous", phones, anon)
			}
		})

		t.Run("a case's point lies inside its grid", func(t *testing.T) {
			polys := gridPolygons(t, d, 0, 17) // the neighbours' cases as well as Nanguan's
			rows, err := d.R.Query(`SELECT number, grid_id, lon, lat FROM cases`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var number string
				var grid int64
				var lon, lat float64
				if err := rows.Scan(&number, &grid, &lon, &lat); err != nil {
					t.Fatal(err)
				}
				if !inside(polys[grid], lon, lat) {
					t.Errorf("%s (%f, %f) lies outside its grid %d", number, lon, lat, grid)
				}
			}
		})

		t.Run("search finds the demo's requests by their words", func(t *testing.T) {
			for _, q := range []string{"路灯", "漏水", "暖气"} {
				if n := len(listAll(t, admin, svc, cases.Filter{Q: q})); n == 0 {
					t.Errorf("no case matches %s", q)
				}
			}
		})

		t.Run("the same seed gives the same 2024 record", func(t *testing.T) {
			other := dbtest.SQLite(t)
			if d.Dialect == db.Postgres {
				other = dbtest.Postgres(t)
			}
			build(t, other)
			a, b := record(t, d), record(t, other)
			if len(a) != len(b) || len(a) == 0 {
				t.Fatalf("%d cases against %d", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("case %d: %q against %q", i, a[i], b[i])
				}
			}
		})
	})
}

// record lists the 2024 cases as number, channel, title and closing time.
func record(t *testing.T, d *db.DB) []string {
	rows, err := d.R.Query(`SELECT number, channel, title, closed_at FROM cases WHERE number LIKE 'NG-2024-%' ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var number, channel, title string
		var closed time.Time
		if err := rows.Scan(&number, &channel, &title, &closed); err != nil {
			t.Fatal(err)
		}
		out = append(out, number+" "+channel+" "+title+" "+closed.UTC().Format(time.RFC3339))
	}
	return out
}

type timelineCase struct {
	number, state, outcome   string
	received                 time.Time
	accepted, closed, called *time.Time
	reopens                  int
}

// checkTimelines replays every case's events against the state machine's transition table.
func checkTimelines(t *testing.T, d *db.DB) {
	byID := map[int64]*timelineCase{}
	rows, err := d.R.Query(`SELECT id, number, state, outcome, received_at, accepted_at, closed_at, callback_at, reopen_count FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		c := &timelineCase{}
		if err := rows.Scan(&id, &c.number, &c.state, &c.outcome, &c.received, &c.accepted, &c.closed, &c.called, &c.reopens); err != nil {
			t.Fatal(err)
		}
		byID[id] = c
	}
	rows.Close()
	rows, err = d.R.Query(`SELECT case_id, at, action, from_state, to_state FROM case_events ORDER BY case_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type replay struct {
		state                          cases.State
		last                           time.Time
		firstAccept, lastClose, lastCB time.Time
		reopens, n                     int
	}
	seen := map[int64]*replay{}
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	for rows.Next() {
		var id int64
		var at time.Time
		var a cases.Action
		var from, to cases.State
		if err := rows.Scan(&id, &at, &a, &from, &to); err != nil {
			t.Fatal(err)
		}
		c := byID[id]
		r := seen[id]
		if r == nil {
			r = &replay{}
			seen[id] = r
			if a != cases.ActIntake || from != "" || to != cases.Received || at.Before(c.received) {
				fail("%s starts with %s %s→%s at %s", c.number, a, from, to, at)
			}
		} else {
			if at.Before(r.last) {
				fail("%s: %s at %s comes after an event at %s", c.number, a, at, r.last)
			}
			if from != r.state {
				fail("%s: %s from %s, but the case was %s", c.number, a, from, r.state)
			}
			if !cases.Allowed(a, from) {
				fail("%s: %s is not allowed from %s", c.number, a, from)
			}
			next := cases.Next(a, from)
			stays := to == from && (a == cases.ActSuspend || a == cases.ActSign) // a request awaiting approval; an assisting task
			reopens := a == cases.ActCallback && from == cases.Closed && to == cases.Accepted
			if to != next && !stays && !reopens {
				fail("%s: %s leads from %s to %s, not %s", c.number, a, from, to, next)
			}
			if from == cases.Closed && to == cases.Accepted {
				r.reopens++
			}
		}
		if a == cases.ActAccept && r.firstAccept.IsZero() {
			r.firstAccept = at
		}
		if to == cases.Closed && from != cases.Closed {
			r.lastClose = at
		}
		if a == cases.ActCallback {
			r.lastCB = at
		}
		r.state, r.last = to, at
		r.n++
	}
	for id, c := range byID {
		r := seen[id]
		switch {
		case r == nil:
			fail("%s has no timeline", c.number)
		case string(r.state) != c.state:
			fail("%s is %s but its timeline ends %s", c.number, c.state, r.state)
		case r.reopens != c.reopens:
			fail("%s was reopened %d times, its timeline says %d", c.number, c.reopens, r.reopens)
		case c.accepted != nil && !c.accepted.Equal(r.firstAccept):
			fail("%s accepted at %s, its timeline at %s", c.number, c.accepted, r.firstAccept)
		case c.closed != nil && !c.closed.Equal(r.lastClose):
			fail("%s closed at %s, its timeline at %s", c.number, c.closed, r.lastClose)
		case c.called != nil && !c.called.Equal(r.lastCB):
			fail("%s called back at %s, its timeline at %s", c.number, c.called, r.lastCB)
		}
	}
}

// checkDeadlines recomputes the handle deadline of every case accepted once and never suspended,
// extended or reopened, from its category's limits on the calendar.
func checkDeadlines(t *testing.T, d *db.DB) {
	cats, byPriority, err := cases.Catalog(context.Background(), d.R)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]cases.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	cal := workday.SeedCalendar()
	rows, err := d.R.Query(`SELECT c.number, c.category_id, c.priority, c.received_at, c.accept_deadline, c.accepted_at,
		c.handle_deadline, c.external_deadline FROM cases c WHERE c.accepted_at IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action IN ('resume','approve_extension','reopen','callback')
		AND (e.action <> 'callback' OR e.to_state = 'accepted'))`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var number string
		var cat int64
		var pr cases.Priority
		var received, acceptDue, accepted, handleDue time.Time
		var external *time.Time
		if err := rows.Scan(&number, &cat, &pr, &received, &acceptDue, &accepted, &handleDue, &external); err != nil {
			t.Fatal(err)
		}
		n++
		c := byID[cat]
		lim := c.LimitsFor(pr, byPriority)
		if want := cal.Deadline(received, lim.Accept).UTC().Truncate(time.Second); !acceptDue.Equal(want) {
			t.Errorf("%s: accept deadline %s, want %s", number, acceptDue, want)
		}
		want := cal.Deadline(accepted, lim.Handle).UTC().Truncate(time.Second)
		if external != nil {
			want = *external
		}
		if !handleDue.Equal(want) {
			t.Errorf("%s (%s, %s): handle deadline %s, want %s", number, c.Code, pr, handleDue, want)
		}
	}
	if n < 400 {
		t.Errorf("only %d deadlines checked", n)
	}
}

// TestDemoFiguresAPI asks the running app for the report's figure the way the news desk would, and
// opens the demo's cases as the community's staff would.
func TestDemoFiguresAPI(t *testing.T) {
	logs := &apptest.SyncBuffer{}
	m, err := app.New(context.Background(), app.Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "linli.db"),
		DataDir: t.TempDir(), SecretKey: fixture.SecretKey, Demo: true, DemoPass: fixture.Password,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	env := apptest.Start(t, m, nil, logs)
	api := env.APIClient(t, "admin")
	resp := api.Get("/api/v1/cases/figures?from=2024-01-01&to=2024-10-15&by=closed&channel=hotline_12345")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var fig map[string]any
	resp.Decode(t, &fig)
	if fig["closed"] != float64(153) {
		t.Fatalf("closed = %v, want 153: %s", fig["closed"], resp.Body)
	}
	resp = api.Get("/api/v1/cases?queue=overdue")
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, `"total":0`) {
		t.Fatalf("overdue queue: %d %s", resp.StatusCode, resp.Body)
	}
	staff := env.Login(t, "admin")
	for _, path := range []string{"/cases", "/cases?queue=overdue", "/cases/dashboard"} {
		if resp := staff.Get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
	}
	d := env.DB()
	for _, q := range []string{
		`SELECT MIN(id) FROM cases WHERE merged_into IS NOT NULL`,
		`SELECT MIN(merged_into) FROM cases`,
		`SELECT MIN(id) FROM cases WHERE reopen_count > 0`,
		`SELECT MIN(case_id) FROM case_events WHERE action = 'resume'`,
		`SELECT MIN(id) FROM cases WHERE state = 'reported'`,
	} {
		id := count(t, d, q)
		resp := staff.Get("/cases/" + itoa(int64(id)))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "NG-20") {
			t.Errorf("%s → case %d: status %d", q, id, resp.StatusCode)
		}
	}
}
