package cases_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/cases"
)

// page is a small world for page tests: the app, a building in grid 01 and a few clients.
type page struct {
	env      *apptest.Env
	admin    *apptest.Client // signed-in community admin (pages)
	api      *apptest.Client // community admin over the API
	building int64
}

func newPage(t *testing.T) *page {
	t.Helper()
	env := apptest.New(t)
	p := &page{env: env, admin: env.Login(t, "admin"), api: env.APIClient(t, "admin")}
	p.building = env.Fixture.AddBuilding(t, env.Fixture.Grids[0], "3号楼", 100.45, 38.93)
	return p
}

// multipartBody builds a form with fields and files (field "photos").
func multipartBody(t testing.TB, fields url.Values, files map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("photos", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

func postMultipart(t testing.TB, c *apptest.Client, env *apptest.Env, path string, fields url.Values, files map[string][]byte) *apptest.Response {
	t.Helper()
	body, ct := multipartBody(t, fields, files)
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, body)
	req.Header.Set("Content-Type", ct)
	return c.Do(req)
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 8; i++ {
		img.Set(i, i, color.RGBA{200, 16, 46, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var trackRe = regexp.MustCompile(`^/track/([a-z0-9]+)\?new=1$`)

// submit posts the public form and returns the tracking code.
func (p *page) submit(t *testing.T, fields url.Values, files map[string][]byte) string {
	t.Helper()
	resp := postMultipart(t, p.env.Anonymous(t), p.env, "/report", fields, files)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, resp.Body)
	}
	m := trackRe.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q, want the tracking page", resp.Header.Get("Location"))
	}
	return m[1]
}

// caseByTracking finds the case a public submission created, as the admin sees it.
func (p *page) caseByTracking(t *testing.T, code string) cases.Case {
	t.Helper()
	var list struct{ Items []cases.Case }
	p.api.Get("/api/v1/cases?channel=web&limit=200").Decode(t, &list)
	for _, c := range list.Items {
		if c.TrackingCode == code {
			return c
		}
	}
	t.Fatalf("no case with tracking code %s", code)
	return cases.Case{}
}

func (p *page) act(t *testing.T, id int64, action string, body map[string]any) {
	t.Helper()
	if body == nil {
		body = map[string]any{} // a body is one JSON object; "null" is refused
	}
	resp := p.api.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", id, action), body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", action, resp.StatusCode, resp.Body)
	}
}

func (p *page) leaf(t *testing.T, code string) string {
	return strconv.FormatInt(leafID(t, p.api, code), 10)
}

func TestPublicReport(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)

	t.Run("the form opens from a building QR code without sign-in", func(t *testing.T) {
		resp := anon.Get(fmt.Sprintf("/report?building=%d", p.building))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "我要反映") ||
			!strings.Contains(resp.Body, fmt.Sprintf(`<option value="%d" selected>3号楼`, p.building)) {
			t.Fatalf("report form: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("an anonymous submission gets a tracking page with its status", func(t *testing.T) {
		code := p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.leak")}, "building_id": {strconv.FormatInt(p.building, 10)},
			"description": {"楼上漏水，卫生间天花板一直滴水"}, "anonymous": {"1"}, "reporter_name": {"王阿姨"}}, nil)
		resp := anon.Get("/track/" + code + "?new=1")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "提交成功") || !strings.Contains(resp.Body, "待受理") {
			t.Fatalf("track: %d %s", resp.StatusCode, resp.Body)
		}
		c := p.caseByTracking(t, code)
		if !c.Anonymous || c.ReporterName != "" || c.Channel != "web" || c.GridID == nil || *c.GridID != p.env.Fixture.Grids[0].ID {
			t.Fatalf("anonymous case stored as %+v", c)
		}
	})

	t.Run("a named submission keeps the phone masked on every page, export and log", func(t *testing.T) {
		code := p.submit(t, url.Values{"category_id": {p.leaf(t, "infra.streetlight")}, "address": {"南关街路口"},
			"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)},
			"description":  {"路灯不亮已经三天"}, "reporter_name": {"李先生"}, "reporter_phone": {"13912345678"}}, nil)
		c := p.caseByTracking(t, code)
		for _, path := range []string{fmt.Sprintf("/cases/%d", c.ID), "/cases", fmt.Sprintf("/cases/%d/print", c.ID)} {
			body := p.admin.Get(path).Body
			if strings.Contains(body, "13912345678") || !strings.Contains(body, "139****5678") && path != "/cases" {
				t.Fatalf("%s shows the phone unmasked or not at all: %s", path, p.env.Log.String())
			}
		}
		track := anon.Get("/track/" + code).Body
		if strings.Contains(track, "李先生") || strings.Contains(track, "5678") {
			t.Fatalf("the tracking page shows the reporter: %s", track)
		}
		xlsx := p.admin.Get("/cases/export.xlsx")
		if strings.Contains(xlsx.Body, "13912345678") {
			t.Fatal("the export holds the plain phone number")
		}
		if strings.Contains(p.env.Log.String(), "13912345678") {
			t.Fatal("the log holds the plain phone number")
		}
	})

	t.Run("a rejected submission shows the Chinese reason and keeps the text", func(t *testing.T) {
		resp := postMultipart(t, anon, p.env, "/report", url.Values{"category_id": {p.leaf(t, "dispute.noise")},
			"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)}, "description": {"夜里装修很吵"},
			"reporter_phone": {"123"}}, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "夜里装修很吵") ||
			!strings.Contains(resp.Body, "手机") {
			t.Fatalf("bad phone: %d %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestSimilarCasesAndFollowing(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	leak := p.leaf(t, "dispute.leak")
	b := strconv.FormatInt(p.building, 10)
	first := p.submit(t, url.Values{"category_id": {leak}, "building_id": {b}, "description": {"3号楼漏水"}, "anonymous": {"1"}}, nil)
	c := p.caseByTracking(t, first)

	resp := anon.Get("/report?category_id=" + leak + "&building_id=" + b)
	if !strings.Contains(resp.Body, "附近已有 1 件同类问题") || strings.Contains(resp.Body, "3号楼漏水") || strings.Contains(resp.Body, first) {
		t.Fatalf("similar panel must list the case without its text or code: %s", resp.Body)
	}
	follow := anon.PostForm(fmt.Sprintf("/report/follow/%d", c.ID), url.Values{"category_id": {leak}, "building_id": {b}})
	loc := follow.Header.Get("Location")
	if follow.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/track/f") || strings.Contains(loc, first) {
		t.Fatalf("follow: %d %s", follow.StatusCode, loc)
	}
	code := strings.TrimPrefix(strings.TrimSuffix(loc, "?followed=1"), "/track/")
	if body := anon.Get("/track/" + code).Body; !strings.Contains(body, c.Number) {
		t.Fatalf("follower's page: %s", body)
	}
	if anon.Get("/track/"+code[:len(code)-1]+"0").StatusCode != http.StatusNotFound {
		t.Fatal("a forged follower code must not open a case")
	}
	detail := p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
	if !strings.Contains(detail, "又有居民") {
		t.Fatal("staff do not see that another resident followed the case")
	}
}

func TestTrackingPageShowsPublicNotesOnly(t *testing.T) {
	p := newPage(t)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "env.garbage")}, "address": {"2号楼东侧"},
		"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)}, "description": {"垃圾堆了一周没人清"}}, nil)
	c := p.caseByTracking(t, code)
	for note, public := range map[string]string{"已联系环卫所明早清运": "1", "保洁员张某怠工，已约谈": ""} {
		resp := p.admin.PostForm(fmt.Sprintf("/cases/%d/actions/note", c.ID), url.Values{"note": {note}, "public": {public}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("note: %d %s", resp.StatusCode, resp.Body)
		}
	}
	body := p.env.Anonymous(t).Get("/track/" + code).Body
	if !strings.Contains(body, "已联系环卫所明早清运") || strings.Contains(body, "怠工") || strings.Contains(body, "系统管理员") {
		t.Fatalf("tracking page: %s", body)
	}
}

func TestResidentRatesAClosedCaseOnTheTrackingPage(t *testing.T) {
	p := newPage(t)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.noise")}, "building_id": {strconv.FormatInt(p.building, 10)},
		"description": {"楼下广场舞太吵"}, "reporter_phone": {"13700001111"}}, nil)
	c := p.caseByTracking(t, code)
	grid01 := p.env.APIClient(t, "grid01")
	p.act(t, c.ID, "accept", map[string]any{})
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
	for _, a := range []struct{ action, note string }{{"sign", ""}, {"report", "已协调广场舞队调整时间"}} {
		if resp := grid01.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", c.ID, a.action), map[string]any{"note": a.note}); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", a.action, resp.StatusCode, resp.Body)
		}
	}
	anon := p.env.Anonymous(t)
	if strings.Contains(anon.Get("/track/"+code).Body, "请评价本次办理") {
		t.Fatal("the rating form shows before the case is closed")
	}
	p.act(t, c.ID, "verify", map[string]any{"outcome": "resolved"})
	if !strings.Contains(anon.Get("/track/"+code).Body, "请评价本次办理") {
		t.Fatal("no rating form on a closed case")
	}
	bad := anon.PostForm("/track/"+code+"/rating", url.Values{"resolved": {"1"}, "satisfaction": {"dissatisfied"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "不满意时请选择原因") {
		t.Fatalf("dissatisfied without a cause: %d %s", bad.StatusCode, bad.Body)
	}
	ok := anon.PostForm("/track/"+code+"/rating", url.Values{"resolved": {"1"}, "satisfaction": {"satisfied"}})
	if ok.StatusCode != http.StatusSeeOther {
		t.Fatalf("rating: %d %s", ok.StatusCode, ok.Body)
	}
	if body := anon.Get("/track/" + code).Body; !strings.Contains(body, "已收到评价") || !strings.Contains(body, "满意") {
		t.Fatalf("after rating: %s", body)
	}
	again := anon.PostForm("/track/"+code+"/rating", url.Values{"resolved": {"1"}, "satisfaction": {"satisfied"}})
	if again.StatusCode != http.StatusConflict {
		t.Fatalf("second rating: %d", again.StatusCode)
	}
}

func TestPublicSubmissionsAreRateLimitedPerAddress(t *testing.T) {
	p := newPage(t)
	form := url.Values{"category_id": {p.leaf(t, "other.consult")}, "community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)},
		"description": {"咨询社区办事时间"}}
	anon := p.env.Anonymous(t)
	limited := false
	for i := 0; i < 8 && !limited; i++ {
		resp := anon.PostForm("/report", form)
		limited = resp.StatusCode == http.StatusTooManyRequests && strings.Contains(resp.Body, "提交过于频繁")
	}
	if !limited {
		t.Fatal("eight quick submissions from one address were all accepted")
	}
}

func TestTheSimilarCasesCheckWithoutScriptsNeverPutsWhatTheResidentTypedInAnAddress(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	leak := p.leaf(t, "dispute.leak")
	b := strconv.FormatInt(p.building, 10)
	p.submit(t, url.Values{"category_id": {leak}, "building_id": {b}, "description": {"3号楼漏水"}, "anonymous": {"1"}}, nil)

	form := anon.Get("/report?building=" + b).Body
	if strings.Contains(form, `formmethod="get"`) || !strings.Contains(form, `formaction="/report/similar"`) {
		t.Fatalf("the check button must post the form: %s", form)
	}
	resp := anon.PostForm("/report/similar", url.Values{"category_id": {leak}, "building_id": {b},
		"description": {"我家厨房也在漏水"}, "reporter_name": {"赵女士"}, "reporter_phone": {"13811112222"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "附近已有 1 件同类问题") ||
		!strings.Contains(resp.Body, "我家厨房也在漏水") || !strings.Contains(resp.Body, "赵女士") {
		t.Fatalf("check: %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, "13811112222") {
		t.Fatal("the check echoes the phone number into the page")
	}
	if got := anon.Get("/report?category_id=" + leak + "&building_id=" + b + "&description=x1y2z3&reporter_name=n1m2").Body; strings.Contains(got, "x1y2z3") ||
		strings.Contains(got, "n1m2") {
		t.Fatal("the form fills in personal text taken from its address")
	}
	var list struct{ Total int }
	p.api.Get("/api/v1/cases?channel=web").Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("the check saved a case: %d web cases", list.Total)
	}
}

func TestOnlyACaseTheFormOfferedAsSimilarCanBeFollowed(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	b := strconv.FormatInt(p.building, 10)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "env.garbage")}, "building_id": {b},
		"description": {"楼道堆放杂物"}, "anonymous": {"1"}}, nil)
	c := p.caseByTracking(t, code)
	p.act(t, c.ID, "note", map[string]any{"note": "已联系住户王某本人清理", "public": true})
	for name, form := range map[string]url.Values{
		"no category or place":   {},
		"another category":       {"category_id": {p.leaf(t, "dispute.noise")}, "building_id": {b}},
		"the category elsewhere": {"category_id": {p.leaf(t, "env.garbage")}, "building_id": {"999999"}},
	} {
		resp := anon.PostForm(fmt.Sprintf("/report/follow/%d", c.ID), form)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(resp.Header.Get("Location"), "/track/") {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if strings.Contains(p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body, "又有居民") {
		t.Fatal("a refused follow wrote a note on the case")
	}
}

func TestWithoutAQRCodeTheResidentChoosesTheCommunityFirstAndThenItsBuildings(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	first := anon.Get("/report").Body
	if !strings.Contains(first, `<form method="get" action="/report"`) || !strings.Contains(first, `name="community"`) ||
		strings.Contains(first, `name="description"`) {
		t.Fatalf("with several communities the form asks for the community first: %s", first)
	}
	chosen := anon.Get(fmt.Sprintf("/report?community=%d", p.env.Fixture.Community.ID)).Body
	if !strings.Contains(chosen, fmt.Sprintf(`<option value="%d">3号楼`, p.building)) || !strings.Contains(chosen, `name="description"`) {
		t.Fatalf("after choosing the community the form offers its buildings: %s", chosen)
	}
}

func TestRatingsThroughTheTrackingLinkAreRateLimitedPerAddress(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	limited := false
	for i := 0; i < 8 && !limited; i++ {
		resp := anon.PostForm("/track/"+strings.Repeat("x", 26)+"/rating", url.Values{"resolved": {"1"}, "satisfaction": {"satisfied"}})
		limited = resp.StatusCode == http.StatusTooManyRequests && strings.Contains(resp.Body, "操作过于频繁")
	}
	if !limited {
		t.Fatal("eight quick ratings from one address were all answered")
	}
}

func TestTheTrackingPageNamesNoStaffMemberACaseWasDispatchedTo(t *testing.T) {
	p := newPage(t)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "env.garbage")}, "building_id": {strconv.FormatInt(p.building, 10)},
		"description": {"单元门口垃圾桶满了"}, "anonymous": {"1"}}, nil)
	c := p.caseByTracking(t, code)
	worker := p.env.Fixture.Users["worker01"].UserID
	p.act(t, c.ID, "accept", map[string]any{})
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "user", "user_id": worker},
		"assist": []map[string]any{{"kind": "grid", "grid_id": p.env.Fixture.Grids[1].ID}}})
	body := p.env.Anonymous(t).Get("/track/" + code).Body
	if strings.Contains(body, "测试worker01") {
		t.Fatalf("the tracking page names the worker: %s", body)
	}
	if !strings.Contains(body, "派遣") || !strings.Contains(body, p.env.Fixture.Grids[1].Name) {
		t.Fatalf("the tracking page no longer says where the case went: %s", body)
	}
}
