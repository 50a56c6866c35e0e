package reports_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/fixture"
	"linli/internal/reports"
)

// demoEnv runs the whole app on the Nanguan demo (with the street's two smaller neighbours), every
// demo account signing in with the fixture password.
func demoEnv(t testing.TB) *apptest.Env {
	t.Helper()
	env := apptest.NewDemo(t)
	// 29 staff accounts (dept01 among them), the co-building units' contacts unit01…unit12 and the
	// neighbours' admins, grid leaders and workers (西关 9, 仓门 7).
	if len(env.Main.DemoAccounts) != 57 || env.Main.DemoPassword != fixture.Password {
		t.Fatalf("demo accounts %v", env.Main.DemoAccounts)
	}
	return env
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// figure is how the home page shows a number with the list it counts.
func figure(href string, n int, label string) string {
	return fmt.Sprintf(`<a href="%s"><strong>%d</strong><span>%s`, href, n, label)
}

func TestHomePage(t *testing.T) {
	env := demoEnv(t)
	d := env.DB()
	const gridScope = `(SELECT id FROM regions WHERE code = '62070200100101')`
	// Nanguan's rows: the street's neighbours 西关社区 and 仓门社区 hold their own.
	const ng = `(SELECT id FROM regions WHERE code = '620702001001')`
	const ngGrids = `(SELECT id FROM regions WHERE parent_id = ` + ng + `)`

	t.Run("community admin sees Nanguan's figures, each a link to its list", func(t *testing.T) {
		resp := env.Login(t, "admin").Get("/")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		residents := count(t, d, `SELECT COUNT(*) FROM residents WHERE community_id = `+ng)
		alone := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag = 'elderly_alone' AND region_id IN `+ngGrids)
		members := count(t, d, `SELECT COUNT(*) FROM party_members WHERE region_id IN `+ngGrids)
		covered := count(t, d, `SELECT COUNT(*) FROM liaison_covers WHERE region_id IN `+ngGrids)
		workers := count(t, d, `SELECT COUNT(*) FROM grid_roster WHERE duty IN ('worker_full', 'worker_part') AND grid_id IN `+ngGrids)
		minors := count(t, d, `SELECT COUNT(*) FROM residents WHERE community_id = `+ng+` AND birth_date > $1`,
			time.Now().In(shanghai()).AddDate(-18, 0, 0).Format("2006-01-02"))
		for _, want := range []string{
			"张掖市", "甘州区", "南街街道", "<h1>南关社区</h1>", "一老一小",
			figure("/grids", 10, "网格"),
			figure("/residents", residents, "居民"),
			figure("/residents?tag=elderly_alone", alone, "独居老人"),
			figure("/residents?tag=minor", minors, "未成年人"),
			figure("/party/orgs?kind=branch", 10, "网格党支部"),
			figure("/party/members", members, "党员"),
			figure("/party/liaison", 96, "党员联系户"),
			figure("/party/covered", covered, "联系覆盖户数"),
			figure("/roster?duty=grid_leader", 10, "专职网格长"),
			figure("/roster?duty=worker_full,worker_part", workers, "网格员"),
			"南关社区第十网格", `href="/residents?grid=`, `href="/party/liaison?region=`,
		} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
	})

	t.Run("a grid leader and a grid worker land on the today page", func(t *testing.T) {
		for _, user := range []string{"grid01", "worker01"} {
			c := env.Login(t, user)
			resp := c.Get("/")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/today" {
				t.Errorf("%s: %d → %q, want /today", user, resp.StatusCode, resp.Header.Get("Location"))
			}
			if page := c.Get("/today").Body; !strings.Contains(page, `href="/overview"`) || !strings.Contains(page, ">网格概况<") ||
				!strings.Contains(page, `href="/visits/new"`) {
				t.Errorf("%s: the today page lacks 网格概况 in the menu or the 记录走访 button", user)
			}
		}
	})

	t.Run("the community admin's home starts with the work queues, each counted and linked", func(t *testing.T) {
		body := env.Login(t, "admin").Get("/").Body
		work := strings.Index(body, "待办工作")
		if work < 0 || work > strings.Index(body, "基本情况") {
			t.Fatal("the home page does not start with 待办工作")
		}
		for code, cond := range map[string]string{
			"to_accept":   `state = 'received'`,
			"to_verify":   `state = 'reported'`,
			"overdue":     `overdue`,
			"supervised":  `supervised AND state <> 'closed'`,
			"to_dispatch": `state = 'accepted'`,
		} {
			n := count(t, d, `SELECT COUNT(*) FROM cases WHERE community_id = `+ng+` AND `+cond)
			label := map[string]string{"to_accept": "待受理", "to_verify": "待核查", "overdue": "已超时", "supervised": "督办件",
				"to_dispatch": "待派遣"}[code]
			if want := figure("/cases?queue="+code, n, label); !strings.Contains(body, want) {
				t.Errorf("home lacks %q", want)
			}
		}
	})

	t.Run("a street leader lands on the comparison of the communities they lead", func(t *testing.T) {
		c := env.Login(t, "street")
		body := c.Get("/").Body
		cmp := strings.Index(body, "各社区对比")
		if cmp < 0 || cmp > strings.Index(body, "基本情况") {
			t.Fatal("the street's home does not start with the comparison of its communities")
		}
		for _, want := range []string{"<th scope=\"row\">南关社区</th>", "<th scope=\"row\">西关社区</th>",
			"<th scope=\"row\">仓门社区</th>", "受理", "按期办结率", "满意率", `/cases?figure=intake&amp;from=`} {
			if !strings.Contains(body, want) {
				t.Errorf("the comparison lacks %q", want)
			}
		}
		if strings.Contains(body, "网格长</th>") {
			t.Error("the comparison lists grid leaders' names")
		}
		if page := c.Get("/today").Body; strings.Contains(page, "/visits/new") {
			t.Error("the street leader is offered 记录走访")
		}
	})

	t.Run("the comparison's case figures are the figures API's for each community over the period chosen", func(t *testing.T) {
		const from, to = "2026-01-01", "2026-11-30"
		body := env.Login(t, "street").Get("/?from=" + from + "&to=" + to).Body
		if !strings.Contains(body, "诉求按 "+from+" 至 "+to+" 统计") {
			t.Errorf("the comparison does not name its period")
		}
		// Each of the street's three communities, with figures of its own.
		intakes := map[float64]bool{}
		for _, name := range []string{"南关社区", "西关社区", "仓门社区"} {
			var id int64
			if err := d.R.QueryRow(`SELECT id FROM regions WHERE name = $1`, name).Scan(&id); err != nil {
				t.Fatal(err)
			}
			var fig map[string]any
			env.APIClient(t, "street").Get(fmt.Sprintf("/api/v1/cases/figures?region=%d&from=%s&to=%s", id, from, to)).Decode(t, &fig)
			intake := fmt.Sprintf(`<a href="/cases?figure=intake&amp;from=%s&amp;region=%d&amp;to=%s">%v</a>`, from, id, to, fig["intake"])
			onTime := fmt.Sprintf(`<a href="/cases?figure=on_time_rate_num&amp;from=%s&amp;region=%d&amp;to=%s">%.1f%%</a>`, from, id, to,
				fig["on_time_rate"].(float64)*100)
			for _, want := range []string{intake, onTime} {
				if !strings.Contains(body, want) {
					t.Errorf("the comparison lacks %s's %s", name, want)
				}
			}
			if fig["intake"].(float64) == 0 {
				t.Errorf("%s: no cases in the period: the test compares nothing", name)
			}
			intakes[fig["intake"].(float64)] = true
		}
		if len(intakes) != 3 {
			t.Errorf("the three communities took in the same numbers of cases: %v", intakes)
		}
		if resp := env.Login(t, "street").Get("/?from=2026-13-01&to=2026-01-01"); resp.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(resp.Body, "开始日期格式") {
			t.Errorf("a bad period: %d", resp.StatusCode)
		}
	})

	t.Run("a grid leader sees only their grid's counts", func(t *testing.T) {
		resp := env.Login(t, "grid01").Get("/overview")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		residents := count(t, d, `SELECT COUNT(*) FROM residents WHERE region_id = `+gridScope)
		households := count(t, d, `SELECT COUNT(*) FROM households WHERE region_id = `+gridScope)
		liaisons := count(t, d, `SELECT COUNT(*) FROM liaison_households WHERE region_id = `+gridScope)
		alone := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag = 'elderly_alone' AND region_id = `+gridScope)
		for _, want := range []string{
			"<h1>南关社区第一网格</h1>",
			figure("/grids", 1, "网格"),
			figure("/households", households, "住户"),
			figure("/residents", residents, "居民"),
			figure("/residents?tag=elderly_alone", alone, "独居老人"),
			figure("/party/orgs?kind=branch", 1, "网格党支部"),
			figure("/party/liaison", liaisons, "党员联系户"),
		} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("grid01's home page lacks %q", want)
			}
		}
		if strings.Contains(resp.Body, "第二网格") || strings.Contains(resp.Body, figure("/party/liaison", 96, "党员联系户")) {
			t.Error("grid01 sees figures of other grids")
		}
	})

	t.Run("a grid worker without the minors permission counts what their lists show", func(t *testing.T) {
		resp := env.Login(t, "worker01").Get("/overview")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		cutoff := time.Now().In(shanghai()).AddDate(-18, 0, 0).Format("2006-01-02")
		adults := count(t, d, `SELECT COUNT(*) FROM residents WHERE birth_date <= $1 AND region_id = `+gridScope, cutoff)
		leftBehind := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag = 'left_behind_child' AND region_id = `+gridScope)
		if want := figure("/residents", adults, "居民（不含未成年人）"); !strings.Contains(resp.Body, want) {
			t.Errorf("worker01's home page lacks %q", want)
		}
		if want := fmt.Sprintf(`<div><strong>%d</strong><span>留守儿童（名单需未成年人信息权限）`, leftBehind); !strings.Contains(resp.Body, want) {
			t.Errorf("worker01's home page lacks %q", want)
		}
		if strings.Contains(resp.Body, `tag=left_behind_child`) {
			t.Error("worker01 gets a link to a list of children")
		}
	})

	t.Run("every linked figure opens a list whose total is the figure", func(t *testing.T) {
		link := regexp.MustCompile(`<a href="([^"]+)">(?:<strong>)?(\d+)<`)
		for user, page := range map[string]string{"admin": "/", "grid01": "/overview", "worker01": "/overview"} {
			c := env.Login(t, user)
			home := c.Get(page).Body
			checked := 0
			for _, m := range link.FindAllStringSubmatch(home, -1) {
				href := html.UnescapeString(m[1])
				if list := c.Get(href).Body; !strings.Contains(list, "共 "+m[2]+" 条") {
					t.Errorf("%s: figure %s links to %s, whose list does not total %s", user, m[2], href, m[2])
				}
				checked++
			}
			if checked < 15 {
				t.Errorf("%s: only %d linked figures checked", user, checked)
			}
		}
	})

	t.Run("the security admin and the auditor land on their own work", func(t *testing.T) {
		for user, to := range map[string]string{"security": "/admin/users", "auditor": "/audit"} {
			resp := env.Login(t, user).Get("/")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != to {
				t.Errorf("%s: %d → %q, want %s", user, resp.StatusCode, resp.Header.Get("Location"), to)
			}
		}
	})

	t.Run("a mediator gets a welcome page without register figures", func(t *testing.T) {
		resp := env.Login(t, "mediator01").Get("/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "您好，李德明") || strings.Contains(resp.Body, "独居老人") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	t.Run("a visitor who is not signed in gets the residents' home, staff sign-in one link away", func(t *testing.T) {
		resp := env.Anonymous(t).Get("/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "我要反映诉求") || !strings.Contains(resp.Body, `href="/login"`) ||
			strings.Contains(resp.Body, "独居老人") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	t.Run("the figures of the whole district take milliseconds", func(t *testing.T) {
		p := principal(t, d, "district")
		start := time.Now()
		const runs = 20
		for range runs {
			if _, err := reports.Figures(context.Background(), d, p, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		per := time.Since(start) / runs
		t.Logf("district figures over the demo: %s per page", per)
		if per > 500*time.Millisecond {
			t.Errorf("figures took %s", per)
		}
	})
}

// principal loads a demo user as the auth middleware would see them.
func principal(t testing.TB, d *db.DB, username string) *auth.Principal {
	p := &auth.Principal{Username: username}
	err := d.R.QueryRow(`SELECT u.id, u.role, u.region_id, r.path, r.name FROM users u JOIN regions r ON r.id = u.region_id
		WHERE u.username = $1`, username).Scan(&p.UserID, &p.Role, &p.RegionID, &p.RegionPath, &p.RegionName)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func shanghai() *time.Location { return time.FixedZone("CST", 8*3600) }

// BenchmarkFigures measures the community admin's home-page figures over the demo.
func BenchmarkFigures(b *testing.B) {
	env := demoEnv(b)
	p := principal(b, env.DB(), "admin")
	for b.Loop() {
		if _, err := reports.Figures(context.Background(), env.DB(), p, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLandingPages measures each leader's home page over the demo through HTTP: the work
// queues' counts, the figures and, above the community, the comparison with its case figures.
func BenchmarkLandingPages(b *testing.B) {
	env := demoEnv(b)
	for _, user := range []string{"admin", "street", "district"} {
		c := env.Login(b, user)
		b.Run(user, func(b *testing.B) {
			for b.Loop() {
				if resp := c.Get("/"); resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
