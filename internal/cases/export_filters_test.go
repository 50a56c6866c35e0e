package cases_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/cases"
	"linli/internal/clock"
)

var exportLinkRe = regexp.MustCompile(`<a class="button secondary" href="(/cases/export\.xlsx[^"]*)">导出Excel</a>`)

// listTotal is the total a case list page shows.
func listTotal(t *testing.T, body string) int {
	t.Helper()
	if m := totalRe.FindStringSubmatch(body); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if strings.Contains(body, "没有符合条件的诉求") {
		return 0
	}
	t.Fatal("the list shows no total")
	return 0
}

func TestTheExportHoldsExactlyTheCasesOfTheListOnScreen(t *testing.T) {
	p := newPage(t)
	grid01 := p.env.APIClient(t, "grid01")
	for i, plan := range []string{"received", "received", "accepted", "dispatched", "reported", "closed", "supervised"} {
		phone := []string{"13811112222", "13933334444"}[i%2]
		cat := []string{"dispute.leak", "dispute.noise"}[i%2]
		var c cases.Case
		resp := p.api.JSON("POST", "/api/v1/cases", map[string]any{"channel": []string{"phone", "web"}[i%2],
			"category_id": leafID(t, p.api, cat), "building_id": p.building, "description": fmt.Sprintf("漏水噪音 %d", i),
			"reporter_name": []string{"张秀兰", "李建国"}[i%2], "reporter_phone": phone})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("intake: %d %s", resp.StatusCode, resp.Body)
		}
		resp.Decode(t, &c)
		if plan == "received" {
			continue
		}
		if plan == "supervised" {
			p.act(t, c.ID, "supervise", map[string]any{"note": "督办"})
			continue
		}
		p.act(t, c.ID, "accept", map[string]any{})
		if plan == "accepted" {
			continue
		}
		p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
		if plan == "dispatched" {
			continue
		}
		for _, a := range []string{"sign", "report"} {
			if resp := grid01.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", c.ID, a), map[string]any{"note": "已处理"}); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", a, resp.StatusCode, resp.Body)
			}
		}
		if plan == "closed" {
			p.act(t, c.ID, "verify", map[string]any{"outcome": "resolved"})
		}
	}
	queues := []string{""}
	for _, q := range cases.QueueLabels {
		queues = append(queues, q.Code)
	}
	today := time.Now().In(clock.Shanghai()).Format(time.DateOnly)
	filters := []string{"", "state=received", "q=" + url.QueryEscape("漏水"), "phone=2222", "phone=13933334444",
		"name=" + url.QueryEscape("秀兰"), "category=" + p.leaf(t, "dispute.noise"), "channel=web",
		"grid=" + strconv.FormatInt(p.env.Fixture.Grids[0].ID, 10), "overdue=false", "supervised=true",
		"from=" + today + "&to=" + today, "by=accepted&from=" + today, "sort=-updated", "state=closed&sort=deadline"}
	nonEmpty := 0
	for _, queue := range queues {
		for _, filter := range filters {
			q := filter
			if queue != "" {
				q = "queue=" + queue + "&" + filter
			}
			page := p.admin.Get("/cases?" + q)
			if page.StatusCode != http.StatusOK {
				t.Fatalf("/cases?%s: %d", q, page.StatusCode)
			}
			total := listTotal(t, page.Body)
			m := exportLinkRe.FindStringSubmatch(page.Body)
			if m == nil {
				t.Fatalf("/cases?%s: no export link", q)
			}
			href := html.UnescapeString(m[1])
			want, _ := url.ParseQuery(q)
			got, _ := url.Parse(href)
			for k := range want {
				if want.Get(k) != "" && got.Query().Get(k) != want.Get(k) {
					t.Fatalf("/cases?%s: the export link %s drops %s", q, href, k)
				}
			}
			resp := p.admin.Get(href)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", href, resp.StatusCode)
			}
			x, err := excelize.OpenReader(strings.NewReader(resp.Body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows(x.GetSheetList()[0])
			if len(rows)-1 != total {
				t.Errorf("/cases?%s lists %d cases, its export %s holds %d", q, total, href, len(rows)-1)
			}
			if total > 0 && total < 7 {
				nonEmpty++
			}
			var api struct{ Total int }
			if r := p.api.Get("/api/v1/cases?" + q); r.StatusCode == http.StatusOK {
				r.Decode(t, &api)
				if api.Total != total {
					t.Errorf("/api/v1/cases?%s: total %d, the page shows %d", q, api.Total, total)
				}
			} else {
				t.Errorf("/api/v1/cases?%s: %d %s", q, r.StatusCode, r.Body)
			}
		}
	}
	if nonEmpty < 10 {
		t.Fatalf("only %d filters selected some but not all cases: the test would not notice an export of everything", nonEmpty)
	}
}

func TestAListLimitAboveTheMaximumIsRefused(t *testing.T) {
	p := newPage(t)
	resp := p.api.Get("/api/v1/cases?limit=201")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "limit") || !strings.Contains(resp.Body, "200") {
		t.Fatalf("limit=201: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := p.api.Get("/api/v1/cases?limit=200"); resp.StatusCode != http.StatusOK {
		t.Fatalf("limit=200: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := p.api.Get("/api/v1/cases?sort=title"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("sort=title: %d %s", resp.StatusCode, resp.Body)
	}
}

var hrefRe = regexp.MustCompile(`href="([^"]*\?[^"]*)"`)

// TestFilteredLinksAreNotEscaped reads the links of the list and the dashboard: a query whose
// "=" or "&" came out escaped (%3d, %26) is a link that silently drops its filters.
func TestFilteredLinksAreNotEscaped(t *testing.T) {
	p := newPage(t)
	p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.leak")}, "building_id": {strconv.FormatInt(p.building, 10)},
		"description": {"漏水"}}, nil)
	g := strconv.FormatInt(p.env.Fixture.Grids[0].ID, 10)
	for _, path := range []string{"/cases?grid=" + g + "&state=received", "/cases/dashboard?grid=" + g + "&channel=web", "/"} {
		body := p.admin.Get(path).Body
		links := hrefRe.FindAllStringSubmatch(body, -1)
		if len(links) == 0 && path != "/" {
			t.Fatalf("%s: no filtered links", path)
		}
		for _, l := range links {
			if low := strings.ToLower(l[1]); strings.Contains(low, "%3d") || strings.Contains(low, "%26") {
				t.Errorf("%s: escaped link %s", path, l[1])
			}
		}
	}
}
