package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/gen"
	"linli/internal/pii"
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
	fmt.Printf("\n## Linli city benchmark — %s\n\n%s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	for _, tg := range targets {
		rows := runCity(t, tg.name, tg.url, bin)
		fmt.Printf("\n### %s\n\n| hot path | Linli | limit (same run) | ratio | note |\n|---|---|---|---|---|\n", tg.name)
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

	srv, err := StartServer(bin, dbURL, t.TempDir(), []string{"LINLI_SECRET_KEY=" + benchKey})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	time.Sleep(2 * time.Second)
	idleRSS, _ := srv.Memory()
	out = append(out, row{"linli serve start-up", ms(srv.Took), "–", "–", fmt.Sprintf("%d residents, %d cases; idle VmRSS %.0f MB", nres, ncases, idleRSS)})

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
		a, err := Median(n, linli)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, err := Median(n, limit)
		if err != nil {
			t.Fatalf("%s (bare): %v", path, err)
		}
		out = append(out, row{path, ms(a) + " median", ms(b) + " median (bare SQL)", ratio(float64(a), float64(b)), note})
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
	rfts := d.Dialect.FTSQuery([]string{"秀英"}, false)
	rwhere := ` WHERE r.region_id IN (SELECT id FROM regions WHERE path LIKE $1) AND r.status = 'active' AND r.id IN (SELECT resident_fts.rowid FROM resident_fts WHERE ` +
		d.Dialect.MatchFTS("resident_fts", "$2") + `)`
	compare("resident search 秀英", fmt.Sprintf("GET /api/v1/residents?q=…, district; register of %d", nres),
		get(district, "/api/v1/residents?q="+urlq("秀英")),
		bare(count(`SELECT COUNT(*) FROM residents r`+rwhere, scope, rfts),
			rowsOf(`SELECT `+residentColumns+residentFrom+rwhere+` ORDER BY r.id LIMIT 50 OFFSET 0`, scope, rfts)))

	out = append(out, intake(t, d, community, communityID)...)
	out = append(out, load(t, srv, "c"+communityCode)...)
	rss, hwm := srv.Memory()
	out = append(out, row{"memory of linli serve", fmt.Sprintf("%.0f MB VmRSS after load, %.0f MB VmHWM", rss, hwm), "200 MB (aim)",
		ratio(hwm, 200), fmt.Sprintf("idle %.0f MB", idleRSS)})
	return out
}

func urlq(s string) string { return url.QueryEscape(s) }

func thou(f float64) string {
	s := strconv.FormatInt(int64(f), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// intake posts cases through the API one by one and inserts the same rows with plain single-row
// INSERT transactions.
func intake(t *testing.T, d *db.DB, c *Client, communityID int64) []row {
	ctx := context.Background()
	n := envInt("LINLI_BENCH_INTAKE", 200)
	var catID int64
	if err := d.R.QueryRow(`SELECT id FROM case_categories WHERE code = 'other.consult'`).Scan(&catID); err != nil {
		t.Fatal(err)
	}
	body := func(i int) map[string]any {
		return map[string]any{"channel": "phone", "category_id": catID, "community_id": communityID,
			"title": "咨询居住证办理", "description": fmt.Sprintf("居民来电咨询居住证办理所需材料（压测 %d）", i),
			"address": "县府街12号", "reporter_name": "王先生"}
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := c.JSON("POST", "/api/v1/cases", body(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	api := float64(n) / time.Since(start).Seconds()
	start = time.Now()
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		b := body(i)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, community_id, region_id, channel, category_id, priority, title,
				description, address, reporter_name, state, received_at, accept_deadline, tracking_code, created_at, updated_at)
				VALUES ($1, $2, $2, 'phone', $3, 'normal', $4, $5, $6, $7, 'received', $8, $9, $10, $8, $8)`,
				fmt.Sprintf("BENCH-%d-%d", now.UnixNano(), i), communityID, catID, b["title"], b["description"], b["address"],
				b["reporter_name"], now, now.Add(2*time.Hour), fmt.Sprintf("bench%d%d", now.UnixNano(), i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	plain := float64(n) / time.Since(start).Seconds()
	return []row{{"API intake", fmt.Sprintf("%.0f cases/s", api), fmt.Sprintf("%.0f rows/s (single-row INSERT transactions)", plain),
		ratio(api, plain), fmt.Sprintf("%d sequential POST /api/v1/cases", n)}}
}

// load signs in 50 browsers and fetches the cases page for LINLI_BENCH_LOAD (default 10 s),
// then serves the same bytes from a bare net/http handler the same way.
func load(t *testing.T, srv *Server, username string) []row {
	clients := envInt("LINLI_BENCH_CLIENTS", 50)
	dur := envDur("LINLI_BENCH_LOAD", 10*time.Second)
	const page = "/cases"
	cs := make([]*Client, clients)
	for i := range cs {
		c, err := Login(srv.URL, username, benchPassword)
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	body, err := cs[0].Get(page)
	if err != nil {
		t.Fatal(err)
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
	got := Load(context.Background(), clients, dur, 1_000_000, func(i int) error { _, err := cs[i].Get(page); return err })
	close(stop)
	bareSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	defer bareSrv.Close()
	bc := make([]*Client, clients)
	for i := range bc {
		bc[i] = &Client{base: bareSrv.URL, http: newHTTP()}
	}
	bare := Load(context.Background(), clients, dur, 1_000_000, func(i int) error { _, err := bc[i].Get("/"); return err })
	return []row{{fmt.Sprintf("page under load: %s", page), fmt.Sprintf("%.0f req/s (p50 %s, p99 %s, %d errors)", got.PerSecond, ms(got.P50), ms(got.P99), got.Errors),
		fmt.Sprintf("%.0f req/s bare net/http, same %d-byte body", bare.PerSecond, len(body)), ratio(got.PerSecond, bare.PerSecond),
		fmt.Sprintf("%d signed-in clients for %s; server VmRSS peak %.0f MB", clients, dur, peak)}}
}
