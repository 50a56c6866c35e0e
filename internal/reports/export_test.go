package reports_test

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/reports"
	"linli/internal/sheet"
)

// readSheet opens an exported workbook with the importers' reader and returns its rows.
func readSheet(t *testing.T, data []byte) [][]string {
	t.Helper()
	r, err := sheet.Open("compare.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for {
		_, cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 { // the reader leaves out a row's empty cells at its end
			for len(cells) < len(rows[0]) {
				cells = append(cells, "")
			}
		}
		rows = append(rows, cells)
	}
}

var (
	pageRowRe  = regexp.MustCompile(`(?s)<tr>\s*<th scope="row">(?:<a[^>]*>)?([^<]+)(?:</a>)?</th>(.*?)</tr>`)
	pageCellRe = regexp.MustCompile(`<td class="num">(?:<a href="[^"]*">)?([^<]*)(?:</a>)?</td>`)
	pageHeadRe = regexp.MustCompile(`<th scope="col"[^>]*>(?:<button[^>]*>)?([^<]+)`)
)

// cellText is how the page shows an exported cell: a rate's percent with its sign, nothing as —.
func cellText(v, column string) string {
	switch {
	case v == "":
		return "—"
	case strings.HasSuffix(column, "（%）"):
		return v + "%"
	}
	return v
}

func TestTheComparisonExportsThePagesNumbers(t *testing.T) {
	env := demoEnv(t)
	const from, to = "2026-01-01", "2026-11-30"
	street := env.Login(t, "street")
	body := street.Get("/?from=" + from + "&to=" + to).Body
	link := fmt.Sprintf(`href="/compare.xlsx?from=%s&amp;to=%s">导出Excel</a>`, from, to)
	if !strings.Contains(body, link) {
		t.Fatalf("the comparison does not link its export over the period shown (%s)", link)
	}
	resp := street.Get("/compare.xlsx?from=" + from + "&to=" + to)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	rows := readSheet(t, []byte(resp.Body))

	var heads []string
	for _, m := range pageHeadRe.FindAllStringSubmatch(body[strings.Index(body, "region-table"):], -1) {
		heads = append(heads, m[1])
	}
	if len(rows) < 2 || len(rows[0]) != len(heads) {
		t.Fatalf("the workbook's header %v, the page's %v", rows[0], heads)
	}
	for i, h := range heads {
		if rows[0][i] != h && rows[0][i] != h+"（%）" {
			t.Errorf("column %d is %q in the workbook, %q on the page", i, rows[0][i], h)
		}
	}
	page := map[string][]string{}
	for _, m := range pageRowRe.FindAllStringSubmatch(body, -1) {
		for _, c := range pageCellRe.FindAllStringSubmatch(m[2], -1) {
			page[m[1]] = append(page[m[1]], html.UnescapeString(c[1]))
		}
	}
	if len(rows)-1 != len(page) {
		t.Errorf("%d communities in the workbook, %d on the page", len(rows)-1, len(page))
	}
	api := env.APIClient(t, "street")
	d := env.DB()
	for _, row := range rows[1:] {
		name := row[0]
		shown, ok := page[name]
		if !ok || len(shown) != len(row)-1 {
			t.Errorf("%s: the page shows %v, the workbook %v", name, shown, row)
			continue
		}
		for i, v := range row[1:] {
			if got := cellText(v, rows[0][i+1]); got != shown[i] {
				t.Errorf("%s, %s: %q in the workbook, %q on the page", name, rows[0][i+1], got, shown[i])
			}
		}
		var id int64
		if err := d.R.QueryRow(`SELECT id FROM regions WHERE name = $1`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		var fig map[string]any
		api.Get(fmt.Sprintf("/api/v1/cases/figures?region=%d&from=%s&to=%s", id, from, to)).Decode(t, &fig)
		col := func(label string) string {
			for i, h := range rows[0] {
				if h == label {
					return row[i]
				}
			}
			t.Fatalf("no column %s", label)
			return ""
		}
		if want := fmt.Sprint(fig["intake"]); col("受理") != want {
			t.Errorf("%s: 受理 %s in the workbook, %s in the figures API", name, col("受理"), want)
		}
		if fig["intake"].(float64) == 0 {
			t.Errorf("%s: no cases in the period: the test compares nothing", name)
		}
		for _, rate := range []struct{ key, label string }{{"on_time_rate", "按期办结率（%）"}, {"satisfaction_rate", "满意率（%）"}} {
			want := ""
			if r, ok := fig[rate.key].(float64); ok {
				want = fmt.Sprintf("%.1f", r*100)
			}
			if got := col(rate.label); got != want && fmt.Sprintf("%.1f", atof(got)) != want {
				t.Errorf("%s: %s %s in the workbook, %s in the figures API", name, rate.label, got, want)
			}
		}
	}
	t.Run("a bad period is refused and a community admin has no comparison to export", func(t *testing.T) {
		if resp := street.Get("/compare.xlsx?from=2026-13-01&to=2026-01-01"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a bad period: %d", resp.StatusCode)
		}
		if resp := env.Login(t, "admin").Get("/compare.xlsx"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the community admin: %d", resp.StatusCode)
		}
	})
}

func atof(s string) float64 {
	var f float64
	_, _ = fmt.Sscan(s, &f)
	return f
}

func TestTheComparisonWorkbookOnBothDatabases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		svc := reports.NewService(d)
		svc.Cases = cases.NewService(d, f.Sealer, cases.Options{})
		p := f.Users["street"]
		now := time.Now()
		period := reports.Period{From: now.AddDate(0, -1, 0).Format(time.DateOnly), To: now.Format(time.DateOnly)}
		home, err := svc.Overview(f.Ctx("street"), p, period)
		if err != nil {
			t.Fatal(err)
		}
		data, name, err := svc.ComparisonWorkbook(f.Ctx("street"), p, period)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(name, period.From) || !strings.Contains(name, period.To) {
			t.Errorf("file name %q does not carry the period", name)
		}
		rows := readSheet(t, data)
		if len(rows) != len(home.Figures.Rows)+1 || len(rows) != 3 {
			t.Fatalf("%d rows in the workbook for %d communities (南关, 北关)", len(rows)-1, len(home.Figures.Rows))
		}
		for i, r := range home.Figures.Rows {
			got := rows[i+1]
			if got[0] != r.Name || len(got) != len(r.Cells)+1 {
				t.Errorf("row %d: %v, want %s with %d figures", i, got, r.Name, len(r.Cells))
				continue
			}
			for j, c := range r.Cells {
				want := fmt.Sprint(c.Value)
				if c.Text != "" {
					want = c.Text
				}
				if g := cellText(got[j+1], rows[0][j+1]); g != want {
					t.Errorf("%s, %s: %q in the workbook, %q on the page", r.Name, rows[0][j+1], g, want)
				}
			}
		}
		if _, _, err := svc.ComparisonWorkbook(f.Ctx("admin"), f.Users["admin"], period); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a community admin exports a comparison: %v", err)
		}
	})
}
