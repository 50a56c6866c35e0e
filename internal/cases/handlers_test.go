package cases_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linli/internal/apptest"
	"linli/internal/cases"
	"linli/internal/photo"
)

var photoRe = regexp.MustCompile(`/cases/(\d+)/photos/(\d+)`)

func TestPhotoUploads(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	fields := func() url.Values {
		return url.Values{"category_id": {p.leaf(t, "env.corner")}, "building_id": {strconv.FormatInt(p.building, 10)},
			"description": {"楼道堆满杂物"}, "anonymous": {"1"}}
	}

	t.Run("a file that is not an image is refused with its name", func(t *testing.T) {
		resp := postMultipart(t, anon, p.env, "/report", fields(), map[string][]byte{"清单.pdf": []byte("%PDF-1.4 not an image")})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "“清单.pdf”不是图片") {
			t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("a photo over 8 MB is refused", func(t *testing.T) {
		big := append(pngBytes(t), bytes.Repeat([]byte{0}, photo.MaxBytes)...)
		resp := postMultipart(t, anon, p.env, "/report", fields(), map[string][]byte{"大图.png": big})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "超过8MB") {
			t.Fatalf("oversize: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("a photo is served only to users who may see the case", func(t *testing.T) {
		code := p.submit(t, fields(), map[string][]byte{"现场.png": pngBytes(t)})
		c := p.caseByTracking(t, code)
		page := p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
		m := photoRe.FindString(page)
		if m == "" {
			t.Fatalf("the case page shows no photo: %s", page)
		}
		if resp := p.admin.Get(m); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("admin photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp := p.env.Login(t, "other").Get(m); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another community's admin got %d", resp.StatusCode)
		}
		if resp := p.env.Login(t, "grid02").Get(m); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another grid's leader got %d", resp.StatusCode)
		}
		if resp := anon.Get(m); resp.StatusCode == http.StatusOK {
			t.Fatal("an anonymous visitor got the photo")
		}
		if strings.Contains(anon.Get("/track/"+code).Body, "/photos/") {
			t.Fatal("the public tracking page shows photos")
		}
	})

	t.Run("a note with an after photo shows it on the timeline", func(t *testing.T) {
		code := p.submit(t, fields(), nil)
		c := p.caseByTracking(t, code)
		resp := postMultipart(t, p.admin, p.env, fmt.Sprintf("/cases/%d/actions/note", c.ID),
			url.Values{"note": {"已清理完毕"}}, map[string][]byte{"after.png": pngBytes(t)})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("note with photo: %d %s", resp.StatusCode, resp.Body)
		}
		if !photoRe.MatchString(p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body) {
			t.Fatal("the photo is not on the timeline")
		}
	})
}

func TestQueuesAreScoped(t *testing.T) {
	p := newPage(t)
	p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.leak")}, "building_id": {strconv.FormatInt(p.building, 10)},
		"description": {"卫生间漏水"}, "anonymous": {"1"}}, nil)
	for user, want := range map[string]bool{"admin": true, "grid01": true, "grid02": false, "other": false, "street": true} {
		body := p.env.Login(t, user).Get("/cases?queue=to_accept&q=" + url.QueryEscape("漏水")).Body
		if got := strings.Contains(body, "卫生间漏水"); got != want {
			t.Errorf("%s sees the case in 待受理: %v, want %v", user, got, want)
		}
	}
	c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.leak")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"又漏水"}, "anonymous": {"1"}}, nil))
	if resp := p.env.Login(t, "other").Get(fmt.Sprintf("/cases/%d", c.ID)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a case outside scope answered %d", resp.StatusCode)
	}
}

func TestIllegalActionShowsAChineseMessageAndChangesNothing(t *testing.T) {
	p := newPage(t)
	c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.noise")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"半夜有人唱歌"}, "anonymous": {"1"}}, nil))
	resp := p.admin.PostForm(fmt.Sprintf("/cases/%d/actions/verify", c.ID), url.Values{"outcome": {"resolved"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.Body, "案件当前状态为“待受理”，不能进行“核查结案”操作") {
		t.Fatalf("verify a received case: %d %s", resp.StatusCode, resp.Body)
	}
	resp = p.env.Login(t, "grid01").PostForm(fmt.Sprintf("/cases/%d/actions/accept", c.ID), url.Values{})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "无权") {
		t.Fatalf("a grid leader accepting: %d %s", resp.StatusCode, resp.Body)
	}
	resp = p.admin.PostForm(fmt.Sprintf("/cases/%d/actions/reject", c.ID), url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "请填写不予受理的理由") {
		t.Fatalf("reject without a reason: %d %s", resp.StatusCode, resp.Body)
	}
	var after cases.Detail
	p.api.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &after)
	if after.State != cases.Received || after.Version != c.Version || len(after.Events) != 1 {
		t.Fatalf("a refused action changed the case: %s v%d, %d events", after.State, after.Version, len(after.Events))
	}
}

var totalRe = regexp.MustCompile(`共 (\d+) 条`)
var cardRe = regexp.MustCompile(`href="(/cases\?[^"]*figure=([a-z_]+)[^"]*)"`)

func TestDashboardFiguresLinkToListsWithTheSameTotals(t *testing.T) {
	p := newPage(t)
	grid01 := p.env.APIClient(t, "grid01")
	b := strconv.FormatInt(p.building, 10)
	for i, plan := range []string{"closed", "closed", "dispatched", "received"} {
		c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.noise")}, "building_id": {b},
			"description": {fmt.Sprintf("噪音扰民 %d", i)}, "anonymous": {"1"}}, nil))
		if plan == "received" {
			continue
		}
		p.act(t, c.ID, "accept", map[string]any{})
		p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
		if plan != "closed" {
			continue
		}
		for _, a := range []string{"sign", "report"} {
			if resp := grid01.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", c.ID, a), map[string]any{"note": "已处理"}); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", a, resp.StatusCode, resp.Body)
			}
		}
		p.act(t, c.ID, "verify", map[string]any{"outcome": "resolved"})
		p.act(t, c.ID, "callback", map[string]any{"resolved": i == 0, "satisfaction": []string{"satisfied", "basic"}[i]})
	}
	page := p.admin.Get("/cases/dashboard")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "满意率") || !strings.Contains(page.Body, `id="dash-data"`) {
		t.Fatalf("dashboard: %d %s", page.StatusCode, page.Body)
	}
	// A street's dashboard charts its communities, each linking to its own dashboard, and its grids.
	street := p.env.Login(t, "street").Get("/cases/dashboard")
	community := `href="/cases/dashboard?by=accepted&amp;from=`
	if !strings.Contains(street.Body, "<h2>按社区</h2>") || !strings.Contains(street.Body, community) ||
		!strings.Contains(street.Body, fmt.Sprintf("region=%d", p.env.Fixture.Community.ID)) || !strings.Contains(street.Body, "<h2>按网格</h2>") {
		t.Errorf("the street's dashboard has no communities' chart linking to theirs: %s", street.Body)
	}
	if strings.Contains(page.Body, "<h2>按社区</h2>") || !strings.Contains(page.Body, "<h2>按网格</h2>") {
		t.Error("a community's dashboard charts regions under it, or no grids")
	}
	var figs map[string]any
	m := regexp.MustCompile(`<script type="application/json" id="dash-data">(.*?)</script>`).FindStringSubmatch(page.Body)
	if m == nil || json.Unmarshal([]byte(m[1]), &figs) != nil {
		t.Fatal("no chart data on the dashboard")
	}
	links := cardRe.FindAllStringSubmatch(page.Body, -1)
	cards := page.Body[strings.Index(page.Body, `<ul class="figures">`):]
	cards = cards[:strings.Index(cards, `id="dash-data"`)]
	if len(links) < 15 {
		t.Fatalf("only %d figure links", len(links))
	}
	want := map[string]int{"intake": 4, "accepted": 3, "closed": 2, "closure_rate_num": 2, "closure_rate_den": 3,
		"satisfaction_rate_num": 2, "satisfaction_rate_den": 2, "resolution_rate_num": 1, "satisfaction_basic": 1}
	seen := map[string]bool{}
	for _, l := range links {
		href := strings.ReplaceAll(l[1], "&amp;", "&")
		body := p.admin.Get(href).Body
		tm := totalRe.FindStringSubmatch(body)
		got := 0
		if tm != nil {
			got, _ = strconv.Atoi(tm[1])
		} else if !strings.Contains(body, "没有符合条件的诉求") {
			t.Fatalf("%s: no total", href)
		}
		var api map[string]any
		q, _ := url.ParseQuery(strings.TrimPrefix(href, "/cases?"))
		fig := q.Get("figure")
		q.Del("figure")
		p.api.Get("/api/v1/cases/figures?"+q.Encode()).Decode(t, &api)
		key := strings.TrimPrefix(fig, "satisfaction_")
		if v, ok := api[fig]; ok && fig != "mean_handle_hours" {
			if int(v.(float64)) != got {
				t.Errorf("%s: figure %v, list total %d", fig, v, got)
			}
		} else if v, ok := api["satisfaction_"+key]; ok && int(v.(float64)) != got {
			t.Errorf("%s: figure %v, list total %d", fig, v, got)
		}
		if n, ok := want[fig]; ok && n != got && strings.Contains(cards, l[0]) {
			t.Errorf("%s lists %d cases, want %d", fig, got, n)
		}
		if strings.Contains(cards, l[0]) {
			seen[fig] = true
		}
	}
	for fig := range want {
		if !seen[fig] {
			t.Errorf("no link for %s on the dashboard", fig)
		}
	}
}

func TestExportWritesTheListWithMaskedPhones(t *testing.T) {
	p := newPage(t)
	for _, phone := range []string{"13811112222", "13933334444"} {
		p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.leak")}, "building_id": {strconv.FormatInt(p.building, 10)},
			"description": {"漏水 " + phone[7:]}, "reporter_phone": {phone}}, nil)
	}
	resp := p.admin.Get("/cases/export.xlsx?q=" + url.QueryEscape("漏水"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	x, err := excelize.OpenReader(strings.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) != 3 || rows[0][0] != "案卷编号" {
		t.Fatalf("rows: %v", rows)
	}
	all := fmt.Sprint(rows)
	if strings.Contains(all, "13811112222") || !strings.Contains(all, "138****2222") {
		t.Fatalf("phones in export: %s", all)
	}
	var n int
	if err := p.env.DB().R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'case.export'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("export audit rows: %d %v", n, err)
	}
}

func TestQRCodesPointToTheReportForm(t *testing.T) {
	p := newPage(t)
	g := p.env.Fixture.Grids[0].ID
	page := p.admin.Get(fmt.Sprintf("/grids/%d/qr", g))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, fmt.Sprintf("/report?grid=%d", g)) {
		t.Fatalf("grid QR page: %d %s", page.StatusCode, page.Body)
	}
	img := p.admin.Get(fmt.Sprintf("/buildings/%d/qr.png", p.building))
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.Body, "\x89PNG") {
		t.Fatalf("building QR image: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
	}
	if resp := p.env.Login(t, "other").Get(fmt.Sprintf("/grids/%d/qr", g)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another community's admin got %d", resp.StatusCode)
	}
}

func TestHotlineImportPreviewsThenCommits(t *testing.T) {
	p := newPage(t)
	csv := "工单编号,来电时间,来电人,联系电话,诉求内容,地址,诉求类别\n" +
		"GZ2024001,2024-03-01 09:30,张先生,13600001234,小区路灯坏了,南关街3号,路灯\n" +
		"GZ2024002,2024-03-02 10:00,李女士,13600005678,楼上漏水,南关街5号,漏水\n"
	upload := func(path string) *apptest.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "12345.csv")
		_, _ = fw.Write([]byte(csv))
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, p.env.Server.URL+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return p.admin.Do(req)
	}
	prev := upload("/cases/import")
	if prev.StatusCode != http.StatusOK || !strings.Contains(prev.Body, "新工单 2 件") || strings.Contains(prev.Body, "13600001234") ||
		!strings.Contains(prev.Body, "136****1234") {
		t.Fatalf("preview: %d %s", prev.StatusCode, prev.Body)
	}
	var list struct{ Total int }
	p.api.Get("/api/v1/cases?channel=hotline_12345").Decode(t, &list)
	if list.Total != 0 {
		t.Fatal("the preview imported cases")
	}
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(prev.Body)
	if token == nil {
		t.Fatal("no confirm form")
	}
	if resp := p.env.Login(t, "street").PostForm("/cases/import/commit", url.Values{"token": {token[1]}, "file_name": {"12345.csv"},
		"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another user committed the preview: %d", resp.StatusCode)
	}
	resp := p.admin.PostForm("/cases/import/commit", url.Values{"token": {token[1]}, "file_name": {"12345.csv"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit: %d %s", resp.StatusCode, resp.Body)
	}
	p.api.Get("/api/v1/cases?channel=hotline_12345").Decode(t, &list)
	if list.Total != 2 {
		t.Fatalf("imported %d cases", list.Total)
	}
	if again := upload("/cases/import"); !strings.Contains(again.Body, "已导入过 2 件") {
		t.Fatalf("re-upload: %s", again.Body)
	}
}

func TestListDashboardAndExportFilteredByARegionOutsideScopeAnswer404(t *testing.T) {
	p := newPage(t)
	f := p.env.Fixture
	grid01 := p.env.Login(t, "grid01")
	for _, q := range []string{
		fmt.Sprintf("grid=%d", f.Grids[1].ID),    // the next grid
		fmt.Sprintf("region=%d", f.Other.ID),     // another community
		fmt.Sprintf("region=%d", f.Community.ID), // the grid's own community, wider than the grid
		fmt.Sprintf("grid=%d", f.OtherGrid.ID),   // a grid of another community
		"region=999999",                          // no such region
	} {
		for _, path := range []string{"/cases?", "/cases/dashboard?", "/cases/export.xlsx?"} {
			if resp := grid01.Get(path + q); resp.StatusCode != http.StatusNotFound {
				t.Errorf("grid01 %s%s: %d", path, q, resp.StatusCode)
			}
		}
	}
	for _, q := range []string{fmt.Sprintf("grid=%d", f.Grids[0].ID), fmt.Sprintf("region=%d", f.Grids[0].ID)} {
		for _, path := range []string{"/cases?", "/cases/dashboard?", "/cases/export.xlsx?"} {
			if resp := grid01.Get(path + q); resp.StatusCode != http.StatusOK {
				t.Errorf("grid01 on its own grid %s%s: %d", path, q, resp.StatusCode)
			}
		}
	}
}

func TestTheIntakeFormRemembersTheLastChannelAndDefaultsToNow(t *testing.T) {
	p := newPage(t)
	form := p.admin.Get("/cases/new").Body
	if !regexp.MustCompile(`name="received_at" value="\d{4}-\d\d-\d\dT\d\d:\d\d"`).MatchString(form) {
		t.Fatalf("the time of the call is not prefilled: %s", form)
	}
	resp := postMultipart(t, p.admin, p.env, "/cases", url.Values{"channel": {"wechat_group"}, "category_id": {p.leaf(t, "dispute.noise")},
		"description": {"群里反映楼下烧烤店油烟"}, "building_id": {strconv.FormatInt(p.building, 10)}, "anonymous": {"1"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("intake: %d %s", resp.StatusCode, resp.Body)
	}
	if next := p.admin.Get("/cases/new").Body; !strings.Contains(next, `<option value="wechat_group" selected>`) {
		t.Fatal("the next intake does not start on the channel just used")
	}
}

func TestEveryNoteIsInternalUnlessTheActorTicksPublicOnTheCasePage(t *testing.T) {
	p := newPage(t)
	c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.noise")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"楼上每晚拖动家具"}, "anonymous": {"1"}}, nil))
	forms := func() map[string]string {
		page := p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
		out := map[string]string{}
		for _, m := range regexp.MustCompile(`(?s)<form method="post" action="/cases/\d+/actions/(\w+)"(.*?)</form>`).FindAllStringSubmatch(page, -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	check := func(state string, actions ...string) {
		f := forms()
		for _, a := range actions {
			body, ok := f[a]
			if !ok {
				t.Errorf("%s case: no %s form", state, a)
				continue
			}
			if !strings.Contains(body, `name="public" value="1"`) || strings.Contains(body, "居民可见") {
				t.Errorf("%s case: the %s form does not leave publishing to a tick: %s", state, a, body)
			}
		}
	}
	check("received", "reject")
	p.act(t, c.ID, "accept", map[string]any{})
	check("accepted", "dispatch", "merge", "note")
}

func TestTheListFiltersByHandlerChosenFromTheForm(t *testing.T) {
	p := newPage(t)
	worker := p.env.Fixture.Users["worker01"].UserID
	mine := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "env.garbage")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"垃圾房门坏了"}, "anonymous": {"1"}}, nil))
	p.submit(t, url.Values{"category_id": {p.leaf(t, "env.garbage")}, "building_id": {strconv.FormatInt(p.building, 10)},
		"description": {"垃圾桶被推倒"}, "anonymous": {"1"}}, nil)
	p.act(t, mine.ID, "accept", map[string]any{})
	p.act(t, mine.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "user", "user_id": worker}})
	list := p.admin.Get("/cases").Body
	if !strings.Contains(list, fmt.Sprintf(`<option value="%d">测试worker01`, worker)) {
		t.Fatalf("the filter offers no handler to choose: %s", list)
	}
	got := p.admin.Get(fmt.Sprintf("/cases?handler=%d", worker)).Body
	if !strings.Contains(got, "垃圾房门坏了") || strings.Contains(got, "垃圾桶被推倒") ||
		!strings.Contains(got, fmt.Sprintf(`<option value="%d" selected>测试worker01`, worker)) {
		t.Fatalf("filtered by handler: %s", got)
	}
	if dash := p.admin.Get(fmt.Sprintf("/cases/dashboard?handler=%d", worker)).Body; !strings.Contains(dash,
		fmt.Sprintf(`<option value="%d" selected>测试worker01`, worker)) {
		t.Fatal("the dashboard offers no handler filter")
	}
}

func TestASupervisorApprovesASuspendRequestFromTheCasePage(t *testing.T) {
	p := newPage(t)
	c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "infra.streetlight")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"楼前路灯杆倾斜"}, "anonymous": {"1"}}, nil))
	p.act(t, c.ID, "accept", map[string]any{})
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
	grid01 := p.env.Login(t, "grid01")
	path := fmt.Sprintf("/cases/%d", c.ID)
	for _, a := range []url.Values{{}, {"note": {"需供电公司停电后施工"}}} {
		action := "sign"
		if len(a) > 0 {
			action = "suspend"
		}
		if resp := grid01.PostForm(path+"/actions/"+action, a); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", action, resp.StatusCode, resp.Body)
		}
	}
	page := p.admin.Get(path).Body
	if !strings.Contains(page, "同意挂起") || !strings.Contains(page, "需供电公司停电后施工") {
		t.Fatalf("the supervisor sees no request to approve: %s", page)
	}
	if resp := p.admin.PostForm(path+"/actions/suspend", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", resp.StatusCode, resp.Body)
	}
	var after cases.Detail
	p.api.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &after)
	if after.State != cases.Suspended {
		t.Fatalf("after approval the case is %s", after.State)
	}
}

func TestIntakeAndReportFormsSayWhichCategoriesNeedAPlaceOrAPhone(t *testing.T) {
	p := newPage(t)
	lamp := p.leaf(t, "infra.streetlight")
	for name, body := range map[string]string{"intake": p.admin.Get("/cases/new").Body,
		"report": p.env.Anonymous(t).Get(fmt.Sprintf("/report?building=%d", p.building)).Body} {
		if !regexp.MustCompile(`<option value="` + lamp + `"[^>]*>[^<]*路灯（需填写地址或楼院）</option>`).MatchString(body) {
			t.Errorf("%s form does not say 路灯 needs a place", name)
		}
	}
}

func TestStaffRevealTheReporterPhoneForACallbackWithAReasonThatIsAudited(t *testing.T) {
	p := newPage(t)
	c := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {p.leaf(t, "dispute.noise")},
		"building_id": {strconv.FormatInt(p.building, 10)}, "description": {"隔壁装修周末也施工"},
		"reporter_name": {"周女士"}, "reporter_phone": {"13655556666"}}, nil))
	path := fmt.Sprintf("/cases/%d", c.ID)
	if page := p.admin.Get(path).Body; !strings.Contains(page, `action="`+path+`/reveal-phone"`) || strings.Contains(page, "13655556666") {
		t.Fatalf("the case page offers no reveal or shows the number: %s", page)
	}
	if resp := p.admin.PostForm(path+"/reveal-phone", url.Values{}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(resp.Body, "请填写查看原因") || strings.Contains(resp.Body, "13655556666") {
		t.Fatalf("a reveal without a reason: %d %s", resp.StatusCode, resp.Body)
	}
	resp := p.admin.PostForm(path+"/reveal-phone", url.Values{"purpose": {"电话回访核实"}, "reason": {"电话回访诉求办理结果"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `href="tel:13655556666"`) ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %s %s", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Body)
	}
	var n int
	if err := p.env.DB().R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'pii.reveal' AND object_type = 'case'
		AND object_id = $1 AND detail LIKE '%电话回访%'`, strconv.FormatInt(c.ID, 10)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit entries: %d %v", n, err)
	}
	if resp := p.env.Login(t, "grid02").PostForm(path+"/reveal-phone", url.Values{"purpose": {"电话回访核实"}, "reason": {"回访核实办理结果"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another grid's leader: %d", resp.StatusCode)
	}
	if strings.Contains(p.env.Log.String(), "13655556666") {
		t.Fatal("the log holds the revealed number")
	}
}
