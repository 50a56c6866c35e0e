package party_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/openapi/openapitest"
	"linli/internal/party"
)

// httpWorld is the service world of service_test.go on a running app.
type httpWorld struct {
	*world
	env     *apptest.Env
	checker *openapitest.Checker
}

func newHTTPWorld(t *testing.T) *httpWorld {
	t.Helper()
	env := apptest.New(t)
	doc, err := app.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	checker, err := openapitest.Load(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &httpWorld{world: buildWorld(t, env.Fixture), env: env, checker: checker}
}

// api sends a JSON request as a user and checks the answer against the API document.
func (w *httpWorld) api(t *testing.T, c *apptest.Client, method, path string, body any) *apptest.Response {
	t.Helper()
	resp := c.JSON(method, path, body)
	req := httptest.NewRequest(method, path, nil)
	if err := w.checker.Response(req, resp.StatusCode, resp.Header, []byte(resp.Body)); err != nil {
		t.Errorf("%s %s: answer does not match the API document: %v", method, path, err)
	}
	return resp
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func wantStatus(t *testing.T, resp *apptest.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %.600s", resp.StatusCode, status, resp.Body)
	}
}

func TestOrganisationPage(t *testing.T) {
	w := newHTTPWorld(t)
	admin := w.env.Login(t, "admin")
	t.Run("shows the chain from committee to covered households with linked counts", func(t *testing.T) {
		resp := admin.Get("/party")
		wantStatus(t, resp, http.StatusOK)
		for _, want := range []string{"南关社区党委", "第一网格党支部", "第二网格党支部", "1号楼 1单元 101室", "1号楼 1单元 102室",
			"9号楼 1单元 201室", `href="/party/orgs?kind=branch"`, `href="/party/covered?org=` + id(w.branches[0].ID) + `"`,
			"/party/liaison/" + id(w.liaisons[1].ID), "为每个网格建立党支部"} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("organisation page lacks %q", want)
			}
		}
	})
	t.Run("each count links to the list it counts", func(t *testing.T) {
		resp := admin.Get("/party/covered?org=" + id(w.branches[0].ID))
		wantStatus(t, resp, http.StatusOK)
		if strings.Count(resp.Body, `href="/households/`) != 2 || !strings.Contains(resp.Body, "共 2 条") {
			t.Errorf("covered list of branch 1 does not list its 2 households:\n%s", resp.Body)
		}
		resp = admin.Get("/party/orgs?kind=branch")
		if strings.Count(resp.Body, `<td>网格党支部</td>`) != 2 {
			t.Errorf("branch list does not list 2 branches")
		}
	})
	t.Run("a grid leader sees only their own branch", func(t *testing.T) {
		grid01 := w.env.Login(t, "grid01")
		resp := grid01.Get("/party")
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(resp.Body, "第一网格党支部") || strings.Contains(resp.Body, "第二网格党支部") ||
			strings.Contains(resp.Body, "9号楼") || strings.Contains(resp.Body, "为每个网格建立党支部") {
			t.Errorf("grid01's organisation page shows more than grid 01 or write buttons")
		}
		for _, path := range []string{"/party/orgs/" + id(w.branches[1].ID), "/party/liaison/" + id(w.liaisons[1].ID),
			"/party/members/" + id(w.members[1].ID)} {
			if resp := grid01.Get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("grid01 GET %s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
	t.Run("a grid leader's branch page links only to organisations they may open", func(t *testing.T) {
		grid01 := w.env.Login(t, "grid01")
		resp := grid01.Get("/party/orgs/" + id(w.branches[0].ID))
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(resp.Body, "南关社区党委") {
			t.Errorf("the branch page does not name its committee")
		}
		if strings.Contains(resp.Body, `href="/party/orgs/`+id(w.committee.ID)+`"`) {
			t.Errorf("the branch page links to the committee, which answers grid01 with 404")
		}
		if !strings.Contains(admin.Get("/party/orgs/"+id(w.branches[0].ID)).Body, `href="/party/orgs/`+id(w.committee.ID)+`"`) {
			t.Errorf("the community admin's branch page does not link to the committee")
		}
	})
	t.Run("the button creates the missing branches", func(t *testing.T) {
		resp := admin.PostForm("/party/orgs/"+id(w.committee.ID)+"/branches", url.Values{})
		wantStatus(t, resp, http.StatusSeeOther)
		if page := admin.Get(resp.Header.Get("Location")); !strings.Contains(page.Body, "每个网格均已建立党支部") {
			t.Errorf("no message that every grid already has a branch")
		}
	})
}

func TestMemberPages(t *testing.T) {
	w := newHTTPWorld(t)
	admin := w.env.Login(t, "admin")
	t.Run("a resident is found by name and recorded as a member", func(t *testing.T) {
		resp := admin.Get("/party/members/new?q=" + url.QueryEscape("刘芳"))
		wantStatus(t, resp, http.StatusOK)
		pick := "/party/members/new?kind=resident&amp;resident=" + id(w.heads[0][2])
		if !strings.Contains(resp.Body, pick) {
			t.Fatalf("search result has no link %s", pick)
		}
		resp = admin.PostForm("/party/members", url.Values{"kind": {"resident"}, "resident_id": {id(w.heads[0][2])},
			"org_id": {id(w.branches[0].ID)}, "status": {"full"}, "employment": {"retired"}, "joined_on": {"1978-07-01"}})
		wantStatus(t, resp, http.StatusSeeOther)
		page := admin.Get(resp.Header.Get("Location"))
		for _, want := range []string{"已登记党员刘芳", "138****0122", "第一网格党支部", "1978-07-01"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("member page lacks %q", want)
			}
		}
	})
	t.Run("an in-service member registers with a form and appears on the list", func(t *testing.T) {
		resp := admin.PostForm("/party/members", url.Values{"kind": {"in_service"}, "org_id": {id(w.committee.ID)},
			"name": {"高峰"}, "phone": {"13912345678"}, "workplace": {"甘州区人民医院"}, "home_org": {"甘州区人民医院党支部"},
			"registered_on": {"2024-03-05"}, "skills": {"医疗保健"}})
		wantStatus(t, resp, http.StatusSeeOther)
		list := admin.Get("/party/members?kind=in_service")
		for _, want := range []string{"在职党员报到名单", "高峰", "甘州区人民医院党支部", "2024-03-05", "139****5678"} {
			if !strings.Contains(list.Body, want) {
				t.Errorf("in-service list lacks %q", want)
			}
		}
	})
	t.Run("a rejected form says why in Chinese", func(t *testing.T) {
		resp := admin.PostForm("/party/members", url.Values{"kind": {"in_service"}, "org_id": {id(w.committee.ID)}, "name": {"王五"},
			"phone": {"12345"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		for _, want := range []string{"请填写工作单位", "请填写组织关系所在党组织"} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("form lacks %q", want)
			}
		}
	})
	t.Run("no plain phone number in pages or logs", func(t *testing.T) {
		for _, path := range []string{"/party", "/party/members", "/party/members?kind=in_service", "/party/liaison/" + id(w.liaisons[0].ID)} {
			body := admin.Get(path).Body
			if strings.Contains(body, "13800000120") || strings.Contains(body, "13912345678") {
				t.Errorf("%s shows a plain phone number", path)
			}
		}
		if strings.Contains(w.env.Log.String(), "13912345678") {
			t.Errorf("the log holds a plain phone number")
		}
	})
}

func TestLiaisonPage(t *testing.T) {
	w := newHTTPWorld(t)
	admin := w.env.Login(t, "admin")
	path := "/party/liaison/" + id(w.liaisons[0].ID)
	t.Run("suggests uncovered neighbours and adds the chosen ones", func(t *testing.T) {
		page := admin.Get(path)
		wantStatus(t, page, http.StatusOK)
		if !strings.Contains(page.Body, `value="`+id(w.households[0][3])+`"`) || strings.Contains(page.Body, `name="household_id" value="`+id(w.households[0][1])+`"`) {
			t.Errorf("suggestions are wrong")
		}
		resp := admin.PostForm(path+"/covered", url.Values{"household_id": {id(w.households[0][3]), id(w.households[0][4])}})
		wantStatus(t, resp, http.StatusSeeOther)
		if l := must(w.svc.Liaison(w.f.Ctx("admin"), w.liaisons[0].ID))(t); l.Covered != 4 {
			t.Errorf("covered = %d, want 4", l.Covered)
		}
	})
	t.Run("covering a covered household shows the Chinese reason", func(t *testing.T) {
		m := must(w.svc.CreateMember(w.f.Ctx("admin"), party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][5]}))(t)
		other := must(w.svc.CreateLiaison(w.f.Ctx("admin"), party.LiaisonInput{MemberID: m.ID}))(t)
		resp := admin.PostForm("/party/liaison/"+id(other.ID)+"/covered", url.Values{"household_id": {id(w.households[0][1])}})
		wantStatus(t, resp, http.StatusConflict)
		if !strings.Contains(resp.Body, "一户只能由一个党员联系户联系") {
			t.Errorf("page does not say why")
		}
	})
	t.Run("a household is removed from the covered ones", func(t *testing.T) {
		resp := admin.PostForm(path+"/covered/"+id(w.households[0][4])+"/remove", url.Values{})
		wantStatus(t, resp, http.StatusSeeOther)
		if l := must(w.svc.Liaison(w.f.Ctx("admin"), w.liaisons[0].ID))(t); l.Covered != 3 {
			t.Errorf("covered = %d, want 3", l.Covered)
		}
	})
}

func TestPartyAPI(t *testing.T) {
	w := newHTTPWorld(t)
	admin := w.env.APIClient(t, "admin")
	grid02 := w.env.APIClient(t, "grid02")
	t.Run("lists are scoped and paged", func(t *testing.T) {
		var list struct {
			Items []party.Org `json:"items"`
			Total int         `json:"total"`
		}
		w.api(t, admin, "GET", "/api/v1/party/organizations?limit=2", nil).Decode(t, &list)
		if list.Total != 3 || len(list.Items) != 2 || list.Items[0].Kind != party.Committee {
			t.Errorf("admin organisations = %d of %d", len(list.Items), list.Total)
		}
		w.api(t, grid02, "GET", "/api/v1/party/organizations", nil).Decode(t, &list)
		if list.Total != 1 || list.Items[0].ID != w.branches[1].ID {
			t.Errorf("grid02 organisations = %+v", list.Items)
		}
		var ls struct {
			Items []party.LiaisonHousehold `json:"items"`
			Total int                      `json:"total"`
		}
		w.api(t, grid02, "GET", "/api/v1/party/liaison-households", nil).Decode(t, &ls)
		if ls.Total != 1 || ls.Items[0].ID != w.liaisons[1].ID {
			t.Errorf("grid02 liaison households = %+v", ls.Items)
		}
	})
	t.Run("outside scope is 404", func(t *testing.T) {
		for _, path := range []string{"/api/v1/party/organizations/" + id(w.branches[0].ID),
			"/api/v1/party/members/" + id(w.members[0].ID), "/api/v1/party/liaison-households/" + id(w.liaisons[0].ID),
			"/api/v1/party/figures?region=" + id(w.f.Grids[0].ID)} {
			resp := w.api(t, grid02, "GET", path, nil)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Body, `"not_found"`) {
				t.Errorf("grid02 GET %s: %d %s", path, resp.StatusCode, resp.Body)
			}
		}
	})
	t.Run("members answer masked phones only", func(t *testing.T) {
		resp := w.api(t, admin, "POST", "/api/v1/party/members", map[string]any{"org_id": w.branches[1].ID,
			"name": "赵敏", "phone": "13698765432", "status": "probationary", "joined_on": "2024-06-01"})
		wantStatus(t, resp, http.StatusCreated)
		var m party.Member
		resp.Decode(t, &m)
		if m.PhoneMasked != "136****5432" || strings.Contains(resp.Body, "13698765432") {
			t.Errorf("created member answers %s", resp.Body)
		}
		resp = w.api(t, admin, "PATCH", "/api/v1/party/members/"+id(m.ID), map[string]any{"status": "full", "skills": "理发"})
		wantStatus(t, resp, http.StatusOK)
		resp.Decode(t, &m)
		if m.Status != party.Full || m.Skills != "理发" || m.Name != "赵敏" || m.PhoneMasked != "136****5432" {
			t.Errorf("patched member = %+v", m)
		}
		list := w.api(t, admin, "GET", "/api/v1/party/members?q="+url.QueryEscape("赵敏"), nil)
		if strings.Contains(list.Body, "13698765432") || !strings.Contains(list.Body, "136****5432") {
			t.Errorf("member list = %s", list.Body)
		}
	})
	t.Run("a liaison household is created with its covered households and refuses a covered one", func(t *testing.T) {
		m := must(w.svc.CreateMember(w.f.Ctx("admin"), party.MemberInput{OrgID: w.branches[1].ID, ResidentID: w.heads[1][3]}))(t)
		resp := w.api(t, admin, "POST", "/api/v1/party/liaison-households", map[string]any{"member_id": m.ID,
			"since": "2023-01-01", "covered_household_ids": []int64{w.households[1][4], w.households[1][5]}})
		wantStatus(t, resp, http.StatusCreated)
		var d struct {
			party.LiaisonHousehold
			Households []party.CoveredHousehold `json:"covered_households"`
		}
		resp.Decode(t, &d)
		if d.Covered != 2 || len(d.Households) != 2 || d.Address != "9号楼 1单元 202室" {
			t.Errorf("created liaison household = %s", resp.Body)
		}
		resp = w.api(t, admin, "POST", "/api/v1/party/liaison-households/"+id(d.ID)+"/covered-households",
			map[string]any{"household_ids": []int64{w.households[1][1]}})
		wantStatus(t, resp, http.StatusConflict)
		if !strings.Contains(resp.Body, "一户只能由一个党员联系户联系") {
			t.Errorf("conflict answer = %s", resp.Body)
		}
		resp = w.api(t, admin, "DELETE", "/api/v1/party/liaison-households/"+id(d.ID)+"/covered-households/"+id(w.households[1][4]), nil)
		wantStatus(t, resp, http.StatusNoContent)
		resp = w.api(t, grid02, "GET", "/api/v1/party/liaison-households/"+id(d.ID)+"/covered-households", nil)
		if !strings.Contains(resp.Body, `"total":1`) {
			t.Errorf("covered households after removal = %s", resp.Body)
		}
	})
	t.Run("figures count the caller's scope", func(t *testing.T) {
		var f party.Figures
		w.api(t, grid02, "GET", "/api/v1/party/figures", nil).Decode(t, &f)
		if f.Branches != 1 || f.Liaisons != 2 {
			t.Errorf("grid02 figures = %+v", f)
		}
	})
	t.Run("a grid leader cannot write", func(t *testing.T) {
		resp := w.api(t, grid02, "PATCH", "/api/v1/party/organizations/"+id(w.branches[1].ID), map[string]any{"secretary": "某某"})
		wantStatus(t, resp, http.StatusForbidden)
	})
	t.Run("an organisation is renamed and its secretary set", func(t *testing.T) {
		resp := w.api(t, admin, "PATCH", "/api/v1/party/organizations/"+id(w.branches[1].ID), map[string]any{"secretary": "周红"})
		wantStatus(t, resp, http.StatusOK)
		var o party.Org
		resp.Decode(t, &o)
		if o.Secretary != "周红" || o.Name != "第二网格党支部" {
			t.Errorf("updated organisation = %+v", o)
		}
	})
}
