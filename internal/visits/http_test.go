package visits_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/register"
	"linli/internal/visits"
)

// site is the app over the fixture community with a focus resident in each grid of 南关 and
// member01 (an in-service member) whose liaison household covers hh1.
type site struct {
	env                  *apptest.Env
	hh1, hh1b, hh1c, hh2 int64
	alone1, alone2       int64
}

func newSite(t testing.TB) *site {
	env := apptest.New(t)
	f := env.Fixture
	s := &site{env: env}
	b1 := f.AddBuilding(t, f.Grids[0], "1号楼", 100.451, 38.931)
	b2 := f.AddBuilding(t, f.Grids[1], "2号楼", 100.461, 38.931)
	s.hh1, s.hh1b, s.hh1c = f.AddHousehold(t, b1, "1", "101"), f.AddHousehold(t, b1, "1", "102"), f.AddHousehold(t, b1, "2", "201")
	s.hh2 = f.AddHousehold(t, b2, "1", "101")
	s.alone1 = f.AddResident(t, register.ResidentInput{HouseholdID: s.hh1, Name: "张桂兰", Phone: "13800001111",
		BirthDate: "1950-02-03", Relation: "户主", Tags: []string{"elderly_alone"}})
	s.alone2 = f.AddResident(t, register.ResidentInput{HouseholdID: s.hh2, Name: "李秀英", Phone: "13800002222",
		BirthDate: "1952-04-05", Relation: "户主", Tags: []string{"elderly_alone"}})
	since := time.Now().AddDate(0, 0, -30).Format(time.DateOnly)
	s.exec(t, `UPDATE resident_tags SET since = $1`, since)
	now := time.Now().UTC()
	g := f.Grids[0].ID
	var org, member, liaison int64
	d := env.DB()
	ctx := context.Background()
	if err := d.W.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, grid_id, created_at, updated_at)
		VALUES ($1, 'branch', '第一网格党支部', $1, $2, $2) RETURNING id`, g, now).Scan(&org); err != nil {
		t.Fatal(err)
	}
	if err := d.W.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, user_id, name, kind, workplace, created_at, updated_at)
		VALUES ($1, $2, $3, '王建国', 'in_service', '甘州区税务局', $4, $4) RETURNING id`, g, org, f.Users["member01"].UserID, now).Scan(&member); err != nil {
		t.Fatal(err)
	}
	if err := d.W.QueryRowContext(ctx, `INSERT INTO liaison_households (region_id, org_id, member_id, household_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, g, org, member, s.hh1b, now).Scan(&liaison); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO liaison_covers (liaison_id, household_id, region_id, created_at) VALUES ($1, $2, $3, $4)`, liaison, s.hh1, g, now)
	return s
}

func (s *site) exec(t testing.TB, q string, a ...any) {
	t.Helper()
	if _, err := s.env.DB().W.ExecContext(context.Background(), q, a...); err != nil {
		t.Fatal(err)
	}
}

// dueList is the today page's list of households due.
func dueList(body string) string {
	i := strings.Index(body, `id="due-list"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	return rest[:strings.Index(rest, "</ul>")]
}

func visitForm(household, resident int64, uuid string) url.Values {
	return url.Values{"client_uuid": {uuid}, "household_id": {fmt.Sprint(household)}, "met": {fmt.Sprint(resident)},
		"method": {"home"}, "situation": {"老人精神状态良好，家中整洁"}}
}

func TestTodayAndRecordingAVisit(t *testing.T) {
	s := newSite(t)
	c := s.env.Login(t, "worker01")
	today := c.Get("/today")
	if today.StatusCode != http.StatusOK || !strings.Contains(dueList(today.Body), "张桂兰") {
		t.Fatalf("today page (%d) does not list 张桂兰 as due:\n%s", today.StatusCode, today.Body)
	}
	if strings.Contains(today.Body, "李秀英") {
		t.Errorf("worker01's today page shows grid 02's resident")
	}
	form := c.Get(fmt.Sprintf("/visits/new?household=%d", s.hh1))
	if form.StatusCode != http.StatusOK || !strings.Contains(form.Body, "138****1111") || strings.Contains(form.Body, "13800001111") {
		t.Fatalf("visit form (%d) does not show the resident with a masked phone", form.StatusCode)
	}
	uuid := visits.NewUUID()
	first := c.PostForm("/visits", visitForm(s.hh1, s.alone1, uuid))
	if first.StatusCode != http.StatusSeeOther || !strings.HasPrefix(first.Header.Get("Location"), "/visits/") {
		t.Fatalf("record: %d %s", first.StatusCode, first.Body)
	}
	t.Run("the visited resident leaves the due list", func(t *testing.T) {
		if strings.Contains(dueList(c.Get("/today").Body), "张桂兰") {
			t.Errorf("张桂兰 still due after the visit")
		}
	})
	t.Run("submitting the same draft again answers the first visit", func(t *testing.T) {
		again := c.PostForm("/visits", visitForm(s.hh1, s.alone1, uuid))
		if again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("replay went to %q, first to %q", again.Header.Get("Location"), first.Header.Get("Location"))
		}
	})
	t.Run("another grid's household is not found", func(t *testing.T) {
		if r := c.PostForm("/visits", visitForm(s.hh2, s.alone2, visits.NewUUID())); r.StatusCode != http.StatusNotFound {
			t.Errorf("visit in grid 02: %d", r.StatusCode)
		}
		if r := c.Get(fmt.Sprintf("/visits/new?household=%d", s.hh2)); r.StatusCode != http.StatusNotFound {
			t.Errorf("form for grid 02's household: %d", r.StatusCode)
		}
		if r := s.env.Login(t, "worker02").Get(first.Header.Get("Location")); r.StatusCode != http.StatusNotFound {
			t.Errorf("worker02 opens worker01's visit: %d", r.StatusCode)
		}
	})
	t.Run("a need found becomes a case from the visit page", func(t *testing.T) {
		in := visitForm(s.hh1, s.alone1, visits.NewUUID())
		in.Set("needs", "楼道灯坏了，老人夜间出行不便")
		r := c.PostForm("/visits", in)
		page := c.Get(r.Header.Get("Location"))
		if !strings.Contains(page.Body, "需求转为诉求") {
			t.Fatalf("no 转为诉求 form on the visit page")
		}
		var cat int64
		_ = s.env.DB().R.QueryRowContext(context.Background(), `SELECT id FROM case_categories WHERE code = 'infra.streetlight'`).Scan(&cat)
		done := c.PostForm(r.Header.Get("Location")+"/case", url.Values{"need_category_id": {fmt.Sprint(cat)}})
		if done.StatusCode != http.StatusSeeOther {
			t.Fatalf("to case: %d %s", done.StatusCode, done.Body)
		}
		page = c.Get(r.Header.Get("Location"))
		if !strings.Contains(page.Body, `href="/cases/`) {
			t.Errorf("visit page does not link the case")
		}
	})
	t.Run("the ledger exports to xlsx with phones masked", func(t *testing.T) {
		x := s.env.Login(t, "admin").Get("/visits/export.xlsx")
		if x.StatusCode != http.StatusOK {
			t.Fatalf("export: %d", x.StatusCode)
		}
		sheet := xlsxText(t, []byte(x.Body))
		if !strings.Contains(sheet, "138****1111") || strings.Contains(sheet, "13800001111") {
			t.Errorf("export shows phones unmasked or not at all")
		}
	})
	if strings.Contains(s.env.Log.String(), "13800001111") {
		t.Errorf("a plain phone number reached the log")
	}
}

func xlsxText(t *testing.T, b []byte) string {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/") {
			r, _ := f.Open()
			data, _ := io.ReadAll(r)
			r.Close()
			all.Write(data)
		}
	}
	return all.String()
}

func TestVisitPhotos(t *testing.T) {
	s := newSite(t)
	c := s.env.Login(t, "worker01")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range visitForm(s.hh1, s.alone1, visits.NewUUID()) {
		_ = w.WriteField(k, v[0])
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 16, 46, 255})
	part, _ := w.CreateFormFile("photos", "门口.png")
	_ = png.Encode(part, img)
	_ = w.Close()
	req, _ := http.NewRequest("POST", s.env.Server.URL+"/visits", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	r := c.Do(req)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record with photo: %d %s", r.StatusCode, r.Body)
	}
	page := c.Get(r.Header.Get("Location")).Body
	i := strings.Index(page, `<img src="`)
	if i < 0 {
		t.Fatalf("no photo on the visit page")
	}
	src := page[i+len(`<img src="`):]
	src = src[:strings.Index(src, `"`)]
	if got := c.Get(src); got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "image/png" {
		t.Errorf("photo for its recorder: %d %s", got.StatusCode, got.Header.Get("Content-Type"))
	}
	if got := s.env.Login(t, "worker02").Get(src); got.StatusCode != http.StatusNotFound {
		t.Errorf("photo for a worker of another grid: %d", got.StatusCode)
	}
	t.Run("a file that is not an image is refused", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range visitForm(s.hh1, s.alone1, visits.NewUUID()) {
			_ = w.WriteField(k, v[0])
		}
		part, _ := w.CreateFormFile("photos", "a.png")
		_, _ = part.Write([]byte("#!/bin/sh\necho not an image\n"))
		_ = w.Close()
		req, _ := http.NewRequest("POST", s.env.Server.URL+"/visits", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		if r := c.Do(req); r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest {
			t.Errorf("non-image accepted: %d", r.StatusCode)
		}
	})
}

func TestPartyMemberContacts(t *testing.T) {
	s := newSite(t)
	c := s.env.Login(t, "member01")
	if r := c.Get("/today"); !strings.Contains(r.Body, "1号楼1单元101") || !strings.Contains(r.Body, "本月未联系") {
		t.Fatalf("member's today page does not list the covered household:\n%s", r.Body)
	}
	if r := c.PostForm("/visits", visitForm(s.hh1, s.alone1, visits.NewUUID())); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("contact with a covered household: %d %s", r.StatusCode, r.Body)
	}
	if r := c.PostForm("/visits", visitForm(s.hh1c, 0, visits.NewUUID())); r.StatusCode != http.StatusNotFound {
		t.Errorf("contact with a household not covered: %d", r.StatusCode)
	}
	cov := s.env.Login(t, "admin").Get("/visits/contacts")
	if !strings.Contains(cov.Body, "100.0%") {
		t.Errorf("contact coverage page does not show 1 of 1:\n%s", cov.Body)
	}
}

func TestVisitsAPI(t *testing.T) {
	s := newSite(t)
	api := s.env.APIClient(t, "worker01")
	body := map[string]any{"client_uuid": visits.NewUUID(), "household_id": s.hh1, "met": []int64{s.alone1},
		"method": "phone", "situation": "电话问候"}
	first := api.JSON("POST", "/api/v1/visits", body)
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", first.StatusCode, first.Body)
	}
	again := api.JSON("POST", "/api/v1/visits", body)
	var a, b visits.Visit
	first.Decode(t, &a)
	again.Decode(t, &b)
	if again.StatusCode != http.StatusOK || a.ID != b.ID {
		t.Errorf("replay: %d, id %d vs %d", again.StatusCode, b.ID, a.ID)
	}
	if r := api.Get(fmt.Sprintf("/api/v1/visits/%d", a.ID)); r.StatusCode != http.StatusOK {
		t.Errorf("get: %d", r.StatusCode)
	}
	if r := api.Get("/api/v1/visits?limit=10"); !strings.Contains(r.Body, `"total":1`) {
		t.Errorf("list: %s", r.Body)
	}
	body["client_uuid"], body["household_id"] = visits.NewUUID(), s.hh2
	if r := api.JSON("POST", "/api/v1/visits", body); r.StatusCode != http.StatusNotFound {
		t.Errorf("another grid's household: %d", r.StatusCode)
	}
	admin := s.env.APIClient(t, "admin")
	if r := admin.Get("/api/v1/care-plans"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"elderly_alone"`) {
		t.Errorf("care plans: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.Get("/api/v1/care-plans/residents?state=overdue"); !strings.Contains(r.Body, "李秀英") || strings.Contains(r.Body, "张桂兰") {
		t.Errorf("overdue residents: %s", r.Body)
	}
	if r := admin.JSON("PUT", "/api/v1/care-plans/cadences", map[string]any{"cadences": map[string]int{"elderly_alone": 400}}); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("cadence of 400 days accepted: %d", r.StatusCode)
	}
	if r := admin.Get("/api/v1/contacts/coverage"); r.StatusCode != http.StatusOK {
		t.Errorf("contact coverage: %d", r.StatusCode)
	}
}

func TestVolunteerService(t *testing.T) {
	s := newSite(t)
	leader := s.env.Login(t, "grid01")
	start := time.Now().Add(-3 * time.Hour).In(time.FixedZone("CST", 8*3600))
	r := leader.PostForm("/volunteer/posts", url.Values{"grid_id": {fmt.Sprint(s.env.Fixture.Grids[0].ID)}, "title": {"文明劝导"},
		"place": {"南关十字"}, "starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(2 * time.Hour).Format("2006-01-02T15:04")},
		"slots": {"3"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d %s", r.StatusCode, r.Body)
	}
	var post int64
	_ = s.env.DB().R.QueryRowContext(context.Background(), `SELECT id FROM volunteer_posts`).Scan(&post)
	member := s.env.Login(t, "member01")
	if r := member.PostForm(fmt.Sprintf("/volunteer/posts/%d/signup", post), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up: %d", r.StatusCode)
	}
	if r := member.PostForm("/volunteer/hours", url.Values{"post_id": {fmt.Sprint(post)}, "served_on": {start.Format(time.DateOnly)},
		"hours": {"2"}, "note": {"劝导不文明行为"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("log hours: %d %s", r.StatusCode, r.Body)
	}
	var hours int64
	_ = s.env.DB().R.QueryRowContext(context.Background(), `SELECT id FROM service_hours`).Scan(&hours)
	if r := s.env.Login(t, "grid02").PostForm(fmt.Sprintf("/volunteer/hours/%d/decide", hours), url.Values{"decision": {"approve"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("grid 02's leader approved grid 01's hours: %d", r.StatusCode)
	}
	if r := leader.PostForm(fmt.Sprintf("/volunteer/hours/%d/decide", hours), url.Values{"decision": {"approve"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	rank := leader.Get("/volunteer/ranking")
	if !strings.Contains(rank.Body, "王建国") || !strings.Contains(rank.Body, "<td class=\"num\">2</td>") {
		t.Errorf("ranking does not give 王建国 2 points:\n%s", rank.Body)
	}
}

func TestCarePlanPages(t *testing.T) {
	s := newSite(t)
	admin := s.env.Login(t, "admin")
	page := admin.Get("/care-plans")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "/care-plans/residents?grid=") {
		t.Fatalf("care plans page: %d", page.StatusCode)
	}
	list := admin.Get(fmt.Sprintf("/care-plans/residents?grid=%d&state=overdue", s.env.Fixture.Grids[1].ID))
	if !strings.Contains(list.Body, "李秀英") || strings.Contains(list.Body, "张桂兰") {
		t.Errorf("grid 02's overdue list is wrong")
	}
	if r := s.env.Login(t, "worker01").Get("/settings/care-plans"); r.StatusCode != http.StatusForbidden {
		t.Errorf("worker opens the care-plan settings: %d", r.StatusCode)
	}
	form := url.Values{"points_per_hour": {"2"}}
	for _, tag := range visits.CareTags {
		form.Set("cadence_"+string(tag), fmt.Sprint(visits.DefaultCadences[tag]))
	}
	form.Set("cadence_elderly_alone", "60")
	if r := admin.PostForm("/settings/care-plans", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.Get("/care-plans/residents?state=overdue"); strings.Contains(r.Body, "李秀英") {
		t.Errorf("with a 60-day cadence 李秀英 (tagged 30 days ago) is still overdue")
	}
}

func TestTheLedgersFiltersFoldBehindOneButtonCountingThoseSet(t *testing.T) {
	s := newSite(t)
	admin := s.env.Login(t, "admin")
	for path, want := range map[string]string{
		"/visits":                                  "筛选</summary>",
		"/visits?kind=&from=&to=":                  "筛选</summary>",
		"/visits?kind=contact&mine=1":              "筛选（已选 2 项）</summary>",
		fmt.Sprintf("/visits?household=%d", s.hh1): "筛选</summary>",
		fmt.Sprintf("/visits?household=%d&from=2026-01-01", s.hh1): "筛选（已选 1 项）</summary>",
	} {
		resp := admin.Get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `<details class="filter-fold"`) || !strings.Contains(resp.Body, want) {
			t.Errorf("%s: status %d, want the folded form with %q", path, resp.StatusCode, want)
		}
	}
	if body := admin.Get(fmt.Sprintf("/visits?household=%d", s.hh1)).Body; !strings.Contains(body, fmt.Sprintf(`name="household" value="%d"`, s.hh1)) {
		t.Error("the form forgets the household whose visits are listed")
	}
}
