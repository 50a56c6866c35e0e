package cobuild_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/cobuild"
)

// env starts the app on the fixture with one unit whose contact is unit01.
func env(t *testing.T) (*apptest.Env, *cobuild.Unit) {
	env := apptest.New(t)
	u := env.Fixture.AddUser(t, "unit01", auth.UnitContact, env.Fixture.Community)
	svc := cobuild.NewService(env.DB(), cobuild.Options{})
	unit, err := svc.CreateUnit(env.Fixture.Ctx("admin"), cobuild.UnitInput{Name: "南关小学", Kind: "school",
		CreditCode: code("000000001"), ContactUserID: u.UserID})
	if err != nil {
		t.Fatal(err)
	}
	return env, unit
}

func TestAGridWorkersNeedIsClaimedOnAPhoneAndBecomesAProject(t *testing.T) {
	env, unit := env(t)
	worker := env.Login(t, "worker01")
	resp := worker.PostForm("/cobuild/needs", url.Values{"title": {"楼道照明维修"}, "category": {"其他"}, "want_people": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("raise: %d %s", resp.StatusCode, resp.Body)
	}
	needURL := resp.Header.Get("Location")
	contact := env.Login(t, "unit01")
	if page := contact.Get("/cobuild"); !strings.Contains(page.Body, "楼道照明维修") || !strings.Contains(page.Body, unit.Name) {
		t.Fatalf("the unit's home does not offer the open need:\n%s", page.Body)
	}
	if resp := contact.PostForm(needURL+"/claim", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", resp.StatusCode, resp.Body)
	}
	id := strings.TrimPrefix(needURL, "/cobuild/needs/")
	resp = contact.PostForm("/cobuild/projects", url.Values{"need_id": {id}, "plan": {"联系供电所更换灯具"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cobuild/projects/") {
		t.Fatalf("project: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := contact.Get(resp.Header.Get("Location"))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "楼道照明维修") || !strings.Contains(page.Body, "添加节点") {
		t.Fatalf("project page: %d", page.StatusCode)
	}
	admin := env.Login(t, "admin")
	resp = admin.PostForm(needURL+"/claim", url.Values{"unit_id": {fmt.Sprint(unit.ID)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != needURL {
		t.Fatalf("a second claim: %d", resp.StatusCode)
	}
	if page := admin.Get(needURL); !strings.Contains(page.Body, "该需求已被认领") {
		t.Fatalf("the need page does not say it was already claimed:\n%s", page.Body)
	}
}

func TestEveryCobuildPageRenders(t *testing.T) {
	env, unit := env(t)
	for _, who := range []string{"admin", "unit01", "worker01"} {
		c := env.Login(t, who)
		for _, path := range []string{"/cobuild", "/cobuild/figures?from=2024-01-01&to=2024-12-31", "/cobuild/units", "/cobuild/needs",
			"/cobuild/resources", "/cobuild/projects", "/cobuild/meetings", "/cobuild/decisions", "/cobuild/activities"} {
			if resp := c.Get(path); resp.StatusCode != http.StatusOK {
				t.Errorf("%s GET %s: %d", who, path, resp.StatusCode)
			}
		}
	}
	admin := env.Login(t, "admin")
	for _, path := range []string{"/cobuild/units/new", "/cobuild/needs/new", "/cobuild/resources/new", "/cobuild/meetings/new",
		"/cobuild/activities/new", fmt.Sprintf("/cobuild/units/%d", unit.ID), fmt.Sprintf("/cobuild/card?unit=%d", unit.ID)} {
		if resp := admin.Get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("admin GET %s: %d %s", path, resp.StatusCode, resp.Body)
		}
	}
	for _, path := range []string{"/cobuild/needs.xlsx", "/cobuild/resources.xlsx", "/cobuild/projects.xlsx", "/cobuild/card.xlsx"} {
		resp := env.Login(t, "unit01").Get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Body, "PK") {
			t.Errorf("GET %s: %d, not a workbook", path, resp.StatusCode)
		}
	}
	for _, list := range []string{"needs", "resources", "projects"} {
		page := admin.Get("/cobuild/" + list + "?from=2024-01-01&to=2024-10-15")
		want := `href="/cobuild/` + list + `.xlsx?from=2024-01-01&amp;to=2024-10-15"`
		if !strings.Contains(page.Body, want) {
			t.Errorf("the %s list's export link does not carry the filters on screen (want %s)", list, want)
		}
	}
	if resp := env.Login(t, "other").Get(fmt.Sprintf("/cobuild/units/%d", unit.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another community's admin got the unit: %d", resp.StatusCode)
	}
}

func TestABadCreditCodeIsShownOnTheForm(t *testing.T) {
	env, _ := env(t)
	resp := env.Login(t, "admin").PostForm("/cobuild/units", url.Values{"name": {"某公司"}, "kind": {"enterprise"},
		"credit_code": {"91350100M000100Y44"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "GB 32100") {
		t.Fatalf("bad credit code: %d", resp.StatusCode)
	}
}

func TestTheAPIAnswersAClaimRaceLoserWith409(t *testing.T) {
	env, unit := env(t)
	admin := env.APIClient(t, "admin")
	resp := admin.JSON("POST", "/api/v1/cobuild/needs", map[string]any{"title": "助老送餐", "category": "助老", "want_people": 2})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("raise: %d %s", resp.StatusCode, resp.Body)
	}
	var n cobuild.Need
	resp.Decode(t, &n)
	path := fmt.Sprintf("/api/v1/cobuild/needs/%d/actions/claim", n.ID)
	if resp := env.APIClient(t, "unit01").JSON("POST", path, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("claim: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := admin.JSON("POST", path, map[string]any{"unit_id": unit.ID}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second claim: %d %s", resp.StatusCode, resp.Body)
	}
	var list struct{ Total int }
	env.APIClient(t, "unit01").Get("/api/v1/cobuild/needs").Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("unit01 lists %d needs", list.Total)
	}
}

func TestAStreetAdminPicksTheCommunityOfANewUnit(t *testing.T) {
	env, _ := env(t)
	street := env.Login(t, "street")
	if page := street.Get("/cobuild/units/new"); !strings.Contains(page.Body, "北关社区") || !strings.Contains(page.Body, `name="region_id"`) {
		t.Fatalf("the street admin's unit form does not offer the communities")
	}
	resp := street.PostForm("/cobuild/units", url.Values{"name": {"北关幼儿园"}, "kind": {"school"}, "credit_code": {code("000000009")},
		"region_id": {fmt.Sprint(env.Fixture.Other.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := env.Login(t, "admin").Get(resp.Header.Get("Location")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("南关's admin sees 北关's unit: %d", resp.StatusCode)
	}
}

// TestAUnitPageLinksInServiceMembers links an in-service party member to their unit (单位双报到)
// from the unit's page and unlinks them again.
func TestAUnitPageLinksInServiceMembers(t *testing.T) {
	env, unit := env(t)
	ctx := t.Context()
	var member int64
	now := time.Now().UTC()
	tx := env.DB().W
	var org int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, created_at, updated_at)
		VALUES ($1, 'committee', '南关社区党委', $2, $2) RETURNING id`, env.Fixture.Community.ID, now).Scan(&org); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, name, kind, employment, workplace, created_at, updated_at)
		VALUES ($1, $2, '赵明', 'in_service', 'employed', '南关小学', $3, $3) RETURNING id`, env.Fixture.Community.ID, org, now).Scan(&member); err != nil {
		t.Fatal(err)
	}
	admin := env.Login(t, "admin")
	path := fmt.Sprintf("/cobuild/units/%d", unit.ID)
	if page := admin.Get(path); !strings.Contains(page.Body, `<option value="`+fmt.Sprint(member)+`">赵明（南关小学）`) {
		t.Fatal("the unit page does not offer the unlinked in-service member")
	}
	if r := admin.PostForm(path+"/members", url.Values{"member_id": {fmt.Sprint(member)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d %s", r.StatusCode, r.Body)
	}
	if page := admin.Get(path); !strings.Contains(page.Body, "取消关联") {
		t.Fatal("the linked member is not listed with the unit")
	}
	if page := env.Login(t, "unit01").Get(path); !strings.Contains(page.Body, "赵明") || strings.Contains(page.Body, "关联到本单位</button>") {
		t.Error("the unit's contact should see the member but not the linking form")
	}
	if r := env.Login(t, "other").PostForm(path+"/members", url.Values{"member_id": {fmt.Sprint(member)}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community links to the unit: %d", r.StatusCode)
	}
	if r := admin.PostForm(path+"/members", url.Values{"member_id": {fmt.Sprint(member)}, "unlink": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", r.StatusCode)
	}
	var n int
	_ = env.DB().R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cobuild_unit_members`).Scan(&n)
	if n != 0 {
		t.Errorf("%d links left", n)
	}
}

// TestAResidentRaisesANeedOnThePublicPage raises a need without signing in; it waits for the
// community's review (the resident's tracking link says so), then joins the needs list with the
// resident's masked phone; bad input names the field and writes nothing.
func TestAResidentRaisesANeedOnThePublicPage(t *testing.T) {
	env, unit := env(t)
	anon := env.Anonymous(t)
	page := anon.Get("/public/cobuild/needs")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, env.Fixture.Community.Name) {
		t.Fatalf("public page: %d", page.StatusCode)
	}
	form := url.Values{"community_id": {fmt.Sprint(env.Fixture.Community.ID)}, "title": {"老人助餐"}, "category": {"助老"},
		"place": {"3号楼2单元"}, "detail": {"独居老人做饭不便"}, "name": {"王阿姨"}, "phone": {"13912345678"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("phone", "123")
	if r := anon.PostForm("/public/cobuild/needs", bad); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写正确的手机号码") {
		t.Fatalf("a bad phone: %d", r.StatusCode)
	}
	r := anon.PostForm("/public/cobuild/needs", form)
	track := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(track, "/public/cobuild/needs/track/") {
		t.Fatalf("raise: %d %s → %s", r.StatusCode, r.Body, track)
	}
	if p := anon.Get(track); p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "老人助餐") || !strings.Contains(p.Body, "待审核") ||
		strings.Contains(p.Body, "5678") {
		t.Fatalf("the tracking page: %d", p.StatusCode)
	}
	var id int64
	var source, phoneMasked string
	if err := env.DB().R.QueryRowContext(t.Context(), `SELECT id, source, contact_phone_masked FROM cobuild_needs WHERE title = '老人助餐'`).
		Scan(&id, &source, &phoneMasked); err != nil {
		t.Fatalf("one need written: %v", err)
	}
	if source != "resident" || phoneMasked != "139****5678" {
		t.Errorf("source %s, phone %s", source, phoneMasked)
	}
	staff := env.Login(t, "admin")
	if p := staff.Get(fmt.Sprintf("/cobuild/needs/%d", id)); p.StatusCode != http.StatusNotFound {
		t.Fatalf("a need waiting for review is on the list: %d", p.StatusCode)
	}
	if q := staff.Get("/cobuild/needs/review"); !strings.Contains(q.Body, "老人助餐") || !strings.Contains(q.Body, "139****5678") {
		t.Fatal("the review queue does not show the need")
	}
	var queue struct {
		Total int                  `json:"total"`
		Items []cobuild.ReviewItem `json:"items"`
	}
	env.APIClient(t, "admin").Get("/api/v1/cobuild/needs/reviews").Decode(t, &queue)
	if queue.Total != 1 || queue.Items[0].ID != id || queue.Items[0].ContactPhoneMasked != "139****5678" {
		t.Fatalf("the review queue API: %+v", queue)
	}
	if r := env.APIClient(t, "unit01").Get("/api/v1/cobuild/needs/reviews"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a unit contact reads the review queue: %d", r.StatusCode)
	}
	if r := staff.PostForm(fmt.Sprintf("/cobuild/needs/%d/review", id), url.Values{"decision": {"accept"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.StatusCode, r.Body)
	}
	if p := anon.Get(track); !strings.Contains(p.Body, "已受理") {
		t.Error("the tracking page does not say the need was accepted")
	}
	admin := staff.Get(fmt.Sprintf("/cobuild/needs/%d", id))
	if !strings.Contains(admin.Body, "王阿姨") || !strings.Contains(admin.Body, "139****5678") || strings.Contains(admin.Body, "13912345678") {
		t.Error("the community should see the resident masked")
	}
	if c := env.Login(t, "unit01").Get(fmt.Sprintf("/cobuild/needs/%d", id)); strings.Contains(c.Body, "139****5678") {
		t.Errorf("the unit %s sees the resident's phone", unit.Name)
	}
}

// TestAgreementScanAndActivityPhotos keeps a scan of a unit's agreement and a photo of an activity,
// shows them on their pages, and refuses them to another community and a non-image upload.
func TestAgreementScanAndActivityPhotos(t *testing.T) {
	env, unit := env(t)
	admin := env.Login(t, "admin")
	upload := func(c *apptest.Client, path, name string, data []byte) *apptest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("photos", name)
		_, _ = fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.Do(req)
	}
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 3, 3)))
	unitPath := fmt.Sprintf("/cobuild/units/%d", unit.ID)
	if r := upload(admin, unitPath+"/agreement", "协议第1页.png", img.Bytes()); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("agreement scan: %d %s", r.StatusCode, r.Body)
	}
	scan := regexp.MustCompile(`/cobuild/units/\d+/agreement/\d+`).FindString(admin.Get(unitPath).Body)
	if scan == "" {
		t.Fatal("the unit page shows no scan")
	}
	if r := admin.Get(scan); r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("scan answered %s", r.Header.Get("Content-Type"))
	}
	if r := env.Login(t, "other").Get(scan); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community sees the scan: %d", r.StatusCode)
	}
	upload(env.Login(t, "unit01"), unitPath+"/agreement", "协议.png", img.Bytes())
	scans := 0
	_ = env.DB().R.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM cobuild_photos WHERE kind = 'agreement'`).Scan(&scans)
	if scans != 1 {
		t.Errorf("the unit's contact added to the community's scan: %d scans", scans)
	}

	svc := cobuild.NewService(env.DB(), cobuild.Options{})
	act, err := svc.RecordActivity(env.Fixture.Ctx("admin"), cobuild.ActivityInput{Title: "助老志愿服务", HeldOn: "2026-06-01",
		Participants: 12, UnitIDs: []int64{unit.ID}})
	if err != nil {
		t.Fatal(err)
	}
	actPath := fmt.Sprintf("/cobuild/activities/%d/photos", act.ID)
	if r := upload(env.Login(t, "unit01"), actPath, "现场.png", img.Bytes()); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("activity photo by the unit's contact: %d %s", r.StatusCode, r.Body)
	}
	if page := admin.Get("/cobuild/activities"); !strings.Contains(page.Body, actPath+"/") {
		t.Error("the activities list shows no photo")
	}
	before := 0
	_ = env.DB().R.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM cobuild_photos`).Scan(&before)
	if r := upload(admin, actPath, "说明.txt", []byte("not an image")); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a text file: %d", r.StatusCode)
	}
	after := 0
	_ = env.DB().R.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM cobuild_photos`).Scan(&after)
	if after != before {
		t.Error("a text file was kept as a photo")
	}
}

// The co-building activity form records an activity of the activities capability: the unit's
// contact fills it on the co-building page, and the activity is the activities page's too.
func TestTheActivityFormRecordsAnActivityOfTheActivitiesCapability(t *testing.T) {
	env, unit := env(t)
	contact := env.Login(t, "unit01")
	if form := contact.Get("/cobuild/activities/new"); !strings.Contains(form.Body, `name="kind"`) || !strings.Contains(form.Body, unit.Name) {
		t.Fatal("the form offers no activity kind or unit")
	}
	r := contact.PostForm("/cobuild/activities", url.Values{"title": {"课后托管志愿服务"}, "kind": {"homework"}, "held_on": {"2024-05-10"},
		"start": {"15:30"}, "end": {"17:30"}, "place": {"南关小学"}, "unit_ids": {fmt.Sprint(unit.ID)}, "participants": {"25"},
		"service_hours": {"10"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", r.StatusCode, r.Body)
	}
	var list struct {
		Total int                `json:"total"`
		Items []cobuild.Activity `json:"items"`
	}
	env.APIClient(t, "unit01").Get("/api/v1/cobuild/activities").Decode(t, &list)
	if list.Total != 1 || list.Items[0].KindLabel != "课后辅导" || list.Items[0].ServiceMinutes != 600 || list.Items[0].HeldOn != "2024-05-10" {
		t.Fatalf("the co-building activities API: %+v", list)
	}
	id := list.Items[0].ID
	if page := env.Login(t, "admin").Get(fmt.Sprintf("/activities/%d", id)); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "课后托管志愿服务") {
		t.Fatalf("the activities page of the same activity: %d", page.StatusCode)
	}
	api := env.APIClient(t, "admin")
	resp := api.JSON(http.MethodPost, "/api/v1/cobuild/activities", map[string]any{"title": "反诈宣传", "held_on": "2024-05-12",
		"unit_ids": []int64{unit.ID}, "participants": 40, "service_minutes": 120})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("record through the API: %d %s", resp.StatusCode, resp.Body)
	}
	var a cobuild.Activity
	resp.Decode(t, &a)
	if got := api.Get(fmt.Sprintf("/api/v1/activities/%d", a.ID)); got.StatusCode != http.StatusOK {
		t.Fatalf("the activities API does not hold it: %d", got.StatusCode)
	}
}
