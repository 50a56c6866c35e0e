package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/sheet"
)

// listPages are the list pages of issue 18: each answers with one page of its list, whatever
// the size of the scope.
var listPages = []string{"/cases", "/residents", "/households", "/buildings", "/visits", "/visits?kind=contact",
	"/visits/contacts", "/party/members", "/party/orgs", "/party/liaison", "/party/covered", "/grids", "/roster",
	"/mediation/cases", "/cobuild/needs", "/cobuild/resources", "/cobuild/projects", "/cobuild/meetings",
	"/cobuild/decisions", "/activities", "/deliberation/topics", "/briefings", "/notifications", "/audit", "/admin/users"}

// exports are the .xlsx exports of a list, each read whole. They write an audit entry, so they run
// only with LINLI_BENCH_EXPORTS=1, on a city of your own. {quarter} and {month} are the dates three
// months and a month ago: a district's visits of a quarter and cases of a month are within their
// exports' row limits (50,000 and 20,000), a year of them is not.
var exports = []string{"/visits/export.xlsx?from={quarter}", "/cases/export.xlsx?from={month}", "/exports/residents.xlsx",
	"/exports/households.xlsx", "/exports/buildings.xlsx", "/activities/hours/export.xlsx", "/cobuild/needs.xlsx",
	"/cobuild/projects.xlsx"}

// TestListsBench measures every list page as a community's and a district's admin (the median of
// LINLI_BENCH_RUNS, default 9, after one warm-up), and with LINLI_BENCH_EXPORTS=1 every export as
// the community's and the district's admin (rows; the first request's time, then the median of
// LINLI_BENCH_EXPORT_RUNS more, default 3, and its rows/s; linli serve's VmHWM before and after), on each city
// (and the server's CPU time, rows per CPU-second: the figure a loaded machine moves least) of
// LINLI_BENCH_LISTS (LINLI_BENCH_PAGES=0 leaves the pages out) (database URLs separated by spaces, made by `linli gen` with the bench key
// and password; LINLI_BENCH_BIN, a prebuilt linli, measures another build). Only the sign-ins
// write, unless exports are asked for. LINLI_BENCH_EXPORTS_MATCH=text measures only the exports
// whose path holds text (e.g. "export.xlsx?from": the visits and cases exports).
//
//	LINLI_BENCH_LISTS='sqlite:city.db postgres://…' go test -count=1 -run '^TestListsBench$' -v -timeout 60m ./internal/bench
func TestListsBench(t *testing.T) {
	urls := strings.Fields(os.Getenv("LINLI_BENCH_LISTS"))
	if len(urls) == 0 {
		t.Skip("set LINLI_BENCH_LISTS to the cities to measure")
	}
	bin := os.Getenv("LINLI_BENCH_BIN") // a prebuilt linli, to measure an earlier build on the same city
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "linli")
		if out, err := exec.Command("go", "build", "-o", bin, "linli/cmd/linli").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	n := envInt("LINLI_BENCH_RUNS", 9)
	fmt.Printf("\n## Lists and exports — %s\n\n%s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	for _, u := range urls {
		d, err := db.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		var nres int
		var districtCode, communityCode string
		d.R.QueryRow(`SELECT COUNT(*) FROM residents`).Scan(&nres)
		if err := d.R.QueryRow(`SELECT code FROM regions WHERE level = 'district' ORDER BY id LIMIT 1`).Scan(&districtCode); err != nil {
			t.Fatal(err)
		}
		if err := d.R.QueryRow(`SELECT code FROM regions WHERE level = 'community' ORDER BY id LIMIT 1`).Scan(&communityCode); err != nil {
			t.Fatal(err)
		}
		d.Close()
		srv, err := StartServer(bin, u, t.TempDir(), []string{"LINLI_SECRET_KEY=" + benchKey})
		if err != nil {
			t.Fatal(err)
		}
		community, err := Login(srv.URL, "c"+communityCode, benchPassword)
		if err != nil {
			srv.Stop()
			t.Fatal(err)
		}
		district, err := Login(srv.URL, "d"+districtCode, benchPassword)
		if err != nil {
			srv.Stop()
			t.Fatal(err)
		}
		name := "SQLite"
		if strings.HasPrefix(u, "postgres") {
			name = "PostgreSQL"
		}
		fmt.Printf("\n### %s, %d residents\n\n| list page | community p50 | district p50 |\n|---|---|---|\n", name, nres)
		pages := listPages
		if os.Getenv("LINLI_BENCH_PAGES") == "0" {
			pages = nil
		}
		for _, path := range pages {
			var cells []string
			for _, c := range []*Client{community, district} {
				if _, err := c.Get(path); err != nil { // warm-up
					cells = append(cells, err.Error())
					continue
				}
				m, err := Median(n, func() error { _, err := c.Get(path); return err })
				if err != nil {
					cells = append(cells, err.Error())
					continue
				}
				cells = append(cells, ms(m))
			}
			fmt.Printf("| `%s` | %s | %s |\n", path, cells[0], cells[1])
		}
		if os.Getenv("LINLI_BENCH_EXPORTS") == "1" {
			runs := envInt("LINLI_BENCH_EXPORT_RUNS", 3)
			fmt.Printf("\n| export | scope | rows | first | median of next %d | rows/s (median) | server CPU (median run) | rows per CPU-second | size | VmHWM before → after |\n|---|---|---|---|---|---|---|---|---|---|\n", runs)
			dates := strings.NewReplacer("{quarter}", time.Now().AddDate(0, -3, 0).Format("2006-01-02"),
				"{month}", time.Now().AddDate(0, -1, 0).Format("2006-01-02"))
			for _, e := range exports {
				if only := os.Getenv("LINLI_BENCH_EXPORTS_MATCH"); only != "" && !strings.Contains(e, only) {
					continue
				}
				path := dates.Replace(e)
				for i, c := range []*Client{community, district} {
					scope := []string{"community", "district"}[i]
					_, before := srv.Memory()
					type run struct{ took, cpu time.Duration }
					var b []byte
					var first run
					var next []run
					var err error
					for r := 0; r <= runs && err == nil; r++ {
						cpu0, start := srv.CPU(), time.Now()
						b, err = c.Get(path)
						if one := (run{time.Since(start), srv.CPU() - cpu0}); r == 0 {
							first = one
						} else {
							next = append(next, one)
						}
					}
					_, after := srv.Memory()
					if err != nil {
						fmt.Printf("| `%s` | %s | %v | | | | | | | |\n", path, scope, err)
						continue
					}
					rows, err := countRows(b)
					if err != nil {
						t.Errorf("%s: %v", path, err)
					}
					sort.Slice(next, func(i, j int) bool { return next[i].took < next[j].took })
					med := first
					if len(next) > 0 {
						med = next[len(next)/2]
					}
					fmt.Printf("| `%s` | %s | %d | %s | %s | %s | %s | %s | %d KB | %.0f → %.0f MB |\n", path, scope, rows, ms(first.took),
						ms(med.took), thou(float64(rows)/med.took.Seconds()), ms(med.cpu), perCPU(rows, med.cpu), len(b)>>10, before, after)
				}
			}
		}
		srv.Stop()
	}
}

// countRows reads a workbook's first sheet through the importers' reader and counts its rows
// after the header.
func countRows(b []byte) (int, error) {
	r, err := sheet.Open("x.xlsx", b)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := -1
	for {
		if _, _, err := r.Next(); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n++
	}
}

// perCPU is rows per second of the server's CPU time, "–" when too short to read.
func perCPU(rows int, cpu time.Duration) string {
	if cpu <= 0 || rows == 0 {
		return "–"
	}
	return thou(float64(rows) / cpu.Seconds())
}
