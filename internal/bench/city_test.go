package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linli/internal/app"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/gen"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/web"
)

const (
	benchKey      = "6c696e6c692d62656e63682d6b65792d6e6f742d666f722d70726f64756374696f6e2d2d2d2d2d2d2d2d"
	benchPassword = "Bench-Pass-2026"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDur(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// row is one line of the results table.
type row struct{ path, linli, limit, ratio, note string }

// TestCityBench is `make bench`: on a generated city (LINLI_BENCH_RESIDENTS, default 30,000, five
// years of cases) on SQLite and, with LINLI_TEST_POSTGRES, on PostgreSQL, it measures each hot
// path through a real `linli serve` next to the same work done bare, and prints the table.
// LINLI_BENCH_SQLITE / LINLI_BENCH_POSTGRES reuse an existing city (made by `linli gen` with
// LINLI_SECRET_KEY=$benchKey and LINLI_DEMO_PASSWORD=Bench-Pass-2026) instead of generating one.
func TestCityBench(t *testing.T) {
	if os.Getenv("LINLI_BENCH") == "" {
		t.Skip("set LINLI_BENCH=1 (make bench) to run the city benchmark")
	}
	bin := os.Getenv("LINLI_BENCH_BIN") // a prebuilt linli, to compare builds on the same city
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "linli")
		build := exec.Command("go", "build", "-o", bin, "linli/cmd/linli")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	type target struct{ name, url string }
	var targets []target
	if u := os.Getenv("LINLI_BENCH_SQLITE"); u == "off" {
		// PostgreSQL only
	} else if u != "" {
		targets = append(targets, target{"SQLite", u})
	} else {
		targets = append(targets, target{"SQLite", "sqlite:" + filepath.Join(t.TempDir(), "city.db")})
	}
	if u := os.Getenv("LINLI_BENCH_POSTGRES"); u != "" {
		targets = append(targets, target{"PostgreSQL", u})
	} else if base := os.Getenv("LINLI_TEST_POSTGRES"); base != "" {
		targets = append(targets, target{"PostgreSQL", freshPostgres(t, base)})
	}
	fmt.Printf("\n## Linli city benchmark — %s\n\n%s\n\nShare of the limit: limit time ÷ Linli time, or Linli rate ÷ limit rate; 1.0 is the limit.\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	for _, tg := range targets {
		rows := runCity(t, tg.name, tg.url, bin)
		fmt.Printf("\n### %s\n\n| hot path | Linli | limit (same run) | share of the limit | note |\n|---|---|---|---|---|\n", tg.name)
		for _, r := range rows {
			fmt.Printf("| %s | %s | %s | %s | %s |\n", r.path, r.linli, r.limit, r.ratio, r.note)
		}
	}
}

// freshPostgres creates the database linli_bench on the server of base and returns its URL.
func freshPostgres(t *testing.T, base string) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS linli_bench WITH (FORCE)", "CREATE DATABASE linli_bench"} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	i := strings.LastIndex(base, "/")
	rest := ""
	if q := strings.Index(base[i:], "?"); q >= 0 {
		rest = base[i+q:]
	}
	return base[:i] + "/linli_bench" + rest
}

func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		if len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			mem = fmt.Sprintf("%.1f GB", kb/1024/1024)
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("Machine: %d CPUs (nproc), %s RAM, %s, %s; load average at start %s.", runtime.NumCPU(), mem, cpu, runtime.Version(), load)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func runCity(t *testing.T, name, dbURL, bin string) []row {
	ctx := context.Background()
	var out []row
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, _ := pii.NewSealer(benchKey)
	var empty int
	if err := d.R.QueryRow(`SELECT COUNT(*) FROM regions`).Scan(&empty); err != nil {
		t.Fatal(err)
	}
	if empty == 0 {
		hash, _ := auth.HashPassword(benchPassword)
		res, err := gen.Run(ctx, d, sealer, gen.Options{Residents: envInt("LINLI_BENCH_RESIDENTS", 30000), PasswordHash: hash})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range res.Rows {
			total += n
		}
		out = append(out, row{"linli gen", fmt.Sprintf("%s rows/s", thou(float64(total)/res.Took.Seconds())), "–", "–",
			fmt.Sprintf("%d residents, %d cases, %d rows in %.1f s (indexes %.1f s)", res.Rows["residents"], res.Rows["cases"], total,
				res.Took.Seconds(), res.Index.Seconds())})
	}
	var nres, ncases int
	d.R.QueryRow(`SELECT COUNT(*) FROM residents`).Scan(&nres)
	d.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&ncases)
	var districtID, communityID int64
	var districtCode, districtPath, communityCode string
	if err := d.R.QueryRow(`SELECT id, code, path FROM regions WHERE level = 'district' ORDER BY id LIMIT 1`).Scan(&districtID, &districtCode, &districtPath); err != nil {
		t.Fatal(err)
	}
	if err := d.R.QueryRow(`SELECT id, code FROM regions WHERE level = 'community' ORDER BY id LIMIT 1`).Scan(&communityID, &communityCode); err != nil {
		t.Fatal(err)
	}
	var districtCases int
	d.R.QueryRow(`SELECT COUNT(*) FROM cases c WHERE `+db.InScope("c.region_id", "$1"), districtPath+"%").Scan(&districtCases)

	env := []string{"LINLI_SECRET_KEY=" + benchKey}
	if os.Getenv("LINLI_BENCH_PPROF") != "" {
		env = append(env, "LINLI_PPROF="+pprofAddr)
	}
	srv, err := StartServer(bin, dbURL, t.TempDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	time.Sleep(2 * time.Second)
	idleRSS, _ := srv.Memory()
	out = append(out, row{"linli serve start-up", ms(srv.Took), "–", "–", fmt.Sprintf("%d residents, %d cases; idle VmRSS %.0f MB", nres, ncases, idleRSS)})

	var rec *recorderApp
	recorder := func() *recorderApp { // Linli in this process, recording what a request runs
		if rec == nil {
			rec = newRecorderApp(t, dbURL)
		}
		return rec
	}

	district, err := Token(srv.URL, "d"+districtCode, benchPassword)
	if err != nil {
		t.Fatal(err)
	}
	community, err := Token(srv.URL, "c"+communityCode, benchPassword)
	if err != nil {
		t.Fatal(err)
	}
	n := envInt("LINLI_BENCH_RUNS", 15)
	scope := districtPath + "%"
	get := func(c *Client, path string) func() error { return func() error { _, err := c.Get(path); return err } }
	bare := func(queries ...func() error) func() error {
		return func() error {
			for _, q := range queries {
				if err := q(); err != nil {
					return err
				}
			}
			return nil
		}
	}
	count := func(q string, args ...any) func() error {
		return func() error { var n int; return d.R.QueryRowContext(ctx, q, args...).Scan(&n) }
	}
	rowsOf := func(q string, args ...any) func() error {
		return func() error {
			rows, err := d.R.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
			}
			return rows.Err()
		}
	}
	compare := func(path, note string, linli, limit func() error) {
		if !want("sql") {
			return
		}
		a, err := Median(n, linli)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, err := Median(n, limit)
		if err != nil {
			t.Fatalf("%s (bare): %v", path, err)
		}
		out = append(out, row{path, ms(a) + " median", ms(b) + " median (bare SQL)", ratio(float64(b), float64(a)), note})
	}
	compare("queue page: district's cases, page 1", fmt.Sprintf("GET /api/v1/cases, district of %d cases", districtCases),
		get(district, "/api/v1/cases?limit=50"),
		func() error { return caseList(ctx, d, scope, "") })
	compare("case search 暖气不热", "GET /api/v1/cases?q=…, district",
		get(district, "/api/v1/cases?q="+urlq("暖气不热")),
		func() error { return caseList(ctx, d, scope, "暖气不热") })
	year := time.Now().Year() - 1
	figures, figuresArgs, err := figuresSQL(d.Dialect, scope, communityID, year)
	if err != nil {
		t.Fatal(err)
	}
	compare(fmt.Sprintf("figures: a community's %d", year), "GET /api/v1/cases/figures?region=…&from=…&to=…",
		get(district, fmt.Sprintf("/api/v1/cases/figures?region=%d&from=%d-01-01&to=%d-12-31", communityID, year, year)),
		rowsOf(figures, figuresArgs...))
	rcount, rcountArgs, rpage, rpageArgs, err := register.NewService(d, sealer).ResidentListSQL(scopeOf(scope),
		register.ResidentFilter{Q: "秀英", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	compare("resident search 秀英", fmt.Sprintf("GET /api/v1/residents?q=…, district; register of %d", nres),
		get(district, "/api/v1/residents?q="+urlq("秀英")),
		bare(count(rcount, rcountArgs...), rowsOf(rpage, rpageArgs...)))

	if want("intake") {
		out = append(out, intake(t, d, recorder(), community, communityID)...)
	}
	var gridCode string
	if err := d.R.QueryRow(`SELECT code FROM regions WHERE level = 'grid' AND parent_id = $1 ORDER BY id LIMIT 1`, communityID).Scan(&gridCode); err != nil {
		t.Fatal(err)
	}
	if want("load") {
		out = append(out, load(t, name, srv, d, recorder, []loadPage{{"/cases", "c" + communityCode}, {"/residents", "c" + communityCode},
			{"/", "c" + communityCode}, {"/today", "g" + gridCode}})...)
	}
	rss, hwm := srv.Memory()
	out = append(out, row{"memory of linli serve", fmt.Sprintf("%.0f MB VmRSS after load, %.0f MB VmHWM", rss, hwm), "200 MB (aim, not a limit)",
		"–", fmt.Sprintf("idle %.0f MB; the peak is %.2f of the aim", idleRSS, hwm/200)})
	return out
}

// want reports whether a part of the benchmark runs: LINLI_BENCH_ONLY is a comma-separated list of
// sql (the single-request rows), intake and load; empty runs every part.
func want(part string) bool {
	only := os.Getenv("LINLI_BENCH_ONLY")
	return only == "" || strings.Contains(","+only+",", ","+part+",")
}

func urlq(s string) string { return url.QueryEscape(s) }

func thou(f float64) string {
	s := strconv.FormatInt(int64(f), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// intake posts cases through the API — one by one, then from LINLI_BENCH_WRITERS (8) clients at
// once — and writes the same rows bare: the writes one intake made (case number counter, case,
// event, audit row, search tokens, reminder jobs; recorded through a traced driver from an
// in-process Linli on the same database) replayed with a fresh number, tracking code and case id,
// one transaction per case, in a transaction like the server's intake (db.InKeyTx). The share of
// the limit is Linli's rate ÷ the bare rate. A last row writes the same rows eight cases per
// transaction: what a writer batching commits could reach at most.
func intake(t *testing.T, d *db.DB, rec *recorderApp, c *Client, communityID int64) []row {
	ctx := context.Background()
	n := envInt("LINLI_BENCH_INTAKE", 200)
	writers := envInt("LINLI_BENCH_WRITERS", 8)
	var catID int64
	if err := d.R.QueryRow(`SELECT id FROM case_categories WHERE code = 'other.consult'`).Scan(&catID); err != nil {
		t.Fatal(err)
	}
	body := func(i int) map[string]any {
		return map[string]any{"channel": "phone", "category_id": catID, "community_id": communityID,
			"title": "咨询居住证办理", "description": fmt.Sprintf("居民来电咨询居住证办理所需材料（压测 %d）", i),
			"address": "县府街12号", "reporter_name": "王先生"}
	}
	post := func(i int) error { _, err := c.JSON("POST", "/api/v1/cases", body(i), nil); return err }
	work := rec.intake(t, d, c.user, body(-1))
	var seq atomic.Int64
	one := func(int) error {
		return d.InKeyTx(ctx, func(tx *db.Tx) error { return work.write(ctx, tx, seq.Add(1)) })
	}
	batch := func(k int) func(int) error {
		return func(int) error {
			return d.InKeyTx(ctx, func(tx *db.Tx) error {
				for range k {
					if err := work.write(ctx, tx, seq.Add(1)); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	run := func(clients, total int, f func(int) error) LoadResult {
		r := Load(ctx, clients, time.Hour, int64(total), f)
		if r.Errors > 0 {
			t.Fatalf("intake: %d errors", r.Errors)
		}
		return r
	}
	api1, bare1 := run(1, n, post), run(1, n, one)
	apiN, bareN := run(writers, n, post), run(writers, n, one)
	batched := run(1, n/8, batch(8))
	rate := func(r LoadResult) string {
		return fmt.Sprintf("%.0f cases/s (p50 %s, p99 %s)", r.PerSecond, ms(r.P50), ms(r.P99))
	}
	writes := fmt.Sprintf("its %d writes bare, one transaction per case", len(work.writes))
	return []row{
		{"API intake, sequential", rate(api1), rate(bare1) + ": " + writes, ratio(api1.PerSecond, bare1.PerSecond),
			fmt.Sprintf("%d POST /api/v1/cases one after another", n)},
		{fmt.Sprintf("API intake, %d clients", writers), rate(apiN), rate(bareN) + ": " + writes + fmt.Sprintf(", %d at once", writers),
			ratio(apiN.PerSecond, bareN.PerSecond), fmt.Sprintf("%d POST /api/v1/cases from %d clients", n, writers)},
		{"the same writes bare, 8 cases per transaction", fmt.Sprintf("%.0f cases/s", batched.PerSecond*8), rate(bare1) + " one per transaction", "–",
			fmt.Sprintf("%s × one case per transaction: the most one writer batching commits could gain", ratio(batched.PerSecond*8, bare1.PerSecond))},
	}
}

// intakeWork is the rows one intake wrote, to write again bare.
type intakeWork struct {
	writes           []Statement
	id               int64
	number, tracking string
	idRE             *regexp.Regexp
	stamp            int64
}

// write runs the recorded writes in tx for the seq'th copy: the case number, tracking code and
// case id (in arguments, job keys and payloads) are replaced by fresh ones.
func (w *intakeWork) write(ctx context.Context, tx *db.Tx, seq int64) error {
	number, tracking := fmt.Sprintf("B%d-%d", w.stamp, seq), fmt.Sprintf("bench%d%d", w.stamp, seq)
	var id int64
	args := make([]any, 0, 32)
	for _, s := range w.writes {
		args = args[:0]
		for _, a := range s.Args {
			switch v := a.(type) {
			case int64:
				if v == w.id && id != 0 {
					a = id
				}
			case string:
				v = strings.ReplaceAll(strings.ReplaceAll(v, w.number, number), w.tracking, tracking)
				if id != 0 {
					v = w.idRE.ReplaceAllString(v, strconv.FormatInt(id, 10))
				}
				a = v
			}
			args = append(args, a)
		}
		if !strings.Contains(s.Query, "RETURNING") {
			if _, err := tx.ExecContext(ctx, s.Query, args...); err != nil {
				return fmt.Errorf("%s: %w", s.Query, err)
			}
			continue
		}
		var got any
		if err := tx.QueryRowContext(ctx, s.Query, args...).Scan(&got); err != nil {
			return fmt.Errorf("%s: %w", s.Query, err)
		}
		if strings.HasPrefix(strings.TrimSpace(s.Query), "INSERT INTO cases ") {
			id = got.(int64)
		}
	}
	return nil
}

// intake posts one case through the in-process Linli (after one to warm up) as user and returns
// the writes it made.
func (a *recorderApp) intake(t *testing.T, d *db.DB, user string, body map[string]any) *intakeWork {
	c, err := Token(a.srv.URL, user, benchPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.JSON("POST", "/api/v1/cases", body, nil); err != nil {
		t.Fatal(err)
	}
	recording.stmts.Stmts = nil
	var out struct{ ID int64 }
	c.header = http.Header{"X-Bench-Record": {"1"}}
	if _, err := c.JSON("POST", "/api/v1/cases", body, &out); err != nil {
		t.Fatal(err)
	}
	w := &intakeWork{id: out.ID, idRE: regexp.MustCompile(`\b` + strconv.FormatInt(out.ID, 10) + `\b`), stamp: time.Now().UnixNano()}
	if err := d.R.QueryRow(`SELECT number, tracking_code FROM cases WHERE id = $1`, out.ID).Scan(&w.number, &w.tracking); err != nil {
		t.Fatal(err)
	}
	for _, s := range recording.stmts.Stmts {
		switch strings.ToUpper(strings.Fields(s.Query)[0]) {
		case "INSERT", "UPDATE", "DELETE":
			w.writes = append(w.writes, s)
		}
	}
	return w
}

// load measures pages under load: for each page, LINLI_BENCH_CLIENTS (50) signed-in browsers fetch
// it from linli serve for LINLI_BENCH_LOAD (10 s); then the same number of clients do the page's own
// work bare for the same time — the statements the page ran (recorded through a traced driver while
// an in-process Linli on the same database served it once: session lookup, scope, counts, page,
// unread notifications …) replayed on a pool configured like the server's, plus rendering the same
// template with the same data. The share of the limit is Linli's rate ÷ the bare rate. The first
// page is also served as fixed bytes by a bare net/http handler: the HTTP stack's ceiling.
func load(t *testing.T, name string, srv *Server, d *db.DB, recorder func() *recorderApp, pages []loadPage) []row {
	ctx := context.Background()
	clients := envInt("LINLI_BENCH_CLIENTS", 50)
	dur := envDur("LINLI_BENCH_LOAD", 10*time.Second)
	rec := recorder()
	var out []row
	signedIn := map[string][]*Client{} // each account's clients, each with its own session
	for k, pg := range pages {
		cs := signedIn[pg.user]
		if cs == nil {
			cs = make([]*Client, clients)
			for i := range cs { // one by one: sign-ins at once are throttled (argon2 is costly on purpose)
				c, err := Login(srv.URL, pg.user, benchPassword)
				if err != nil {
					t.Fatal(err)
				}
				cs[i] = c
			}
			signedIn[pg.user] = cs
		}
		body, err := cs[0].Get(pg.path)
		if err != nil {
			t.Fatal(err)
		}
		work := rec.page(t, pg.user, pg.path)
		if os.Getenv("LINLI_BENCH_STATEMENTS") != "" {
			showStatements(ctx, d, pg.path, work.stmts)
		}
		var peak float64
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
					if rss, _ := srv.Memory(); rss > peak {
						peak = rss
					}
				}
			}
		}()
		profiled := profile(t, name, pg.path, dur)
		got := Load(ctx, clients, dur, 1_000_000, func(i int) error { _, err := cs[i].Get(pg.path); return err })
		close(stop)
		<-profiled
		bufs := make([]bytes.Buffer, clients)
		bare := Load(ctx, clients, dur, 1_000_000, func(i int) error {
			if err := Replay(ctx, d.R, work.stmts); err != nil {
				return err
			}
			bufs[i].Reset()
			return work.tmpl.ExecuteTemplate(&bufs[i], "layout", work.data)
		})
		reads := 0
		for _, s := range work.stmts {
			if !s.Exec {
				reads++
			}
		}
		out = append(out, row{fmt.Sprintf("page under load: %s", pg.path),
			fmt.Sprintf("%.0f req/s (p50 %s, p99 %s, %d errors)", got.PerSecond, ms(got.P50), ms(got.P99), got.Errors),
			fmt.Sprintf("%.0f req/s (p50 %s, p99 %s, %d errors): its %d statements bare + the same template and data", bare.PerSecond, ms(bare.P50), ms(bare.P99), bare.Errors, reads),
			ratio(got.PerSecond, bare.PerSecond),
			fmt.Sprintf("%d clients signed in as %s for %s; %d-byte page; server VmRSS peak %.0f MB", clients, pg.user, dur, len(body), peak)})
		if k == 0 {
			bareSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write(body)
			}))
			bc := make([]*Client, clients)
			for i := range bc {
				bc[i] = &Client{base: bareSrv.URL, http: newHTTP()}
			}
			ceil := Load(ctx, clients, dur, 1_000_000, func(i int) error { _, err := bc[i].Get("/"); return err })
			bareSrv.Close()
			out = append(out, row{"HTTP stack ceiling", fmt.Sprintf("%.0f req/s for %s (above)", got.PerSecond, pg.path),
				fmt.Sprintf("%.0f req/s bare net/http serving the same %d bytes", ceil.PerSecond, len(body)), ratio(got.PerSecond, ceil.PerSecond),
				"not the page's limit: what the HTTP stack alone gives on this machine"})
		}
	}
	return out
}

// pprofAddr is where linli serve serves its profiles when LINLI_BENCH_PPROF names a folder.
const pprofAddr = "127.0.0.1:16060"

// profile, when LINLI_BENCH_PPROF names a folder, saves linli serve's CPU profile over the load
// (most of dur) and its allocations after it there, as <database>-<page>.cpu.pprof and
// .allocs.pprof (`go tool pprof -top file`). The channel closes when both are written.
func profile(t *testing.T, dbName, page string, dur time.Duration) <-chan struct{} {
	done := make(chan struct{})
	dir := os.Getenv("LINLI_BENCH_PPROF")
	if dir == "" {
		close(done)
		return done
	}
	base := filepath.Join(dir, strings.ToLower(dbName)+"-"+strings.Trim(strings.ReplaceAll(page, "/", "_"), "_"))
	if page == "/" {
		base += "home"
	}
	save := func(url, file string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Errorf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Errorf("profile: %v", err)
		}
	}
	go func() {
		defer close(done)
		secs := max(1, int(dur.Seconds())-1)
		save(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, secs), base+".cpu.pprof")
		save(fmt.Sprintf("http://%s/debug/pprof/allocs", pprofAddr), base+".allocs.pprof")
	}()
	return done
}

// showStatements prints each recorded read of a page with its time run once alone, slowest first
// (LINLI_BENCH_STATEMENTS=1): where a page's own work goes.
func showStatements(ctx context.Context, d *db.DB, page string, stmts []Statement) {
	type timed struct {
		took time.Duration
		q    string
	}
	var all []timed
	for _, s := range stmts {
		if s.Exec {
			continue
		}
		start := time.Now()
		err := Replay(ctx, d.R, []Statement{s})
		q := strings.Join(strings.Fields(s.Query), " ")
		if len(q) > 160 {
			q = q[:160] + "…"
		}
		if err != nil {
			q += " (" + err.Error() + ")"
		}
		all = append(all, timed{time.Since(start), q})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].took > all[j].took })
	fmt.Printf("\n%s: %d statements\n", page, len(all))
	for _, x := range all {
		fmt.Printf("  %9s  %s\n", ms(x.took), x.q)
	}
}

// loadPage is a page measured under load and the account that fetches it.
type loadPage struct{ path, user string }

// recorderApp is Linli in the test process on the same database, through the traced drivers.
type recorderApp struct {
	srv *httptest.Server
}

// pageWork is what one request of a page did: its statements, and its template with its data.
type pageWork struct {
	stmts []Statement
	tmpl  *template.Template
	data  any
}

func newRecorderApp(t *testing.T, dbURL string) *recorderApp {
	sqliteName, pgxName := TracedDrivers()
	defer db.UseDriver(db.SQLite, sqliteName)()
	defer db.UseDriver(db.Postgres, pgxName)()
	m, err := app.New(context.Background(), app.Config{DB: dbURL, DataDir: t.TempDir(), SecretKey: benchKey,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Bench-Record") == "" {
			m.Handler.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		rec := recording
		ctx := Record(r.Context(), &rec.stmts)
		ctx = web.WithRenderRecorder(ctx, func(t *template.Template, data any) { rec.tmpl, rec.data = t, data })
		m.Handler.ServeHTTP(w, r.WithContext(ctx))
	})
	a := &recorderApp{srv: httptest.NewServer(h)}
	t.Cleanup(a.srv.Close)
	return a
}

// recording is where the request being recorded puts what it did (one at a time).
var recording = &struct {
	stmts Recorder
	tmpl  *template.Template
	data  any
}{}

// page signs in as user, fetches path once to warm up and once recorded, and returns the work.
func (a *recorderApp) page(t *testing.T, user, path string) pageWork {
	c, err := Login(a.srv.URL, user, benchPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(path); err != nil {
		t.Fatal(err)
	}
	recording.stmts.Stmts, recording.tmpl, recording.data = nil, nil, nil
	req, _ := http.NewRequest("GET", a.srv.URL+path, nil)
	req.Header.Set("X-Bench-Record", "1")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || recording.tmpl == nil {
		t.Fatalf("recording %s: status %d, template %v", path, resp.StatusCode, recording.tmpl != nil)
	}
	return pageWork{stmts: recording.stmts.Stmts, tmpl: recording.tmpl, data: recording.data}
}
