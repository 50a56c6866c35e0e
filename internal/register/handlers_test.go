package register_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/fixture"
	"linli/internal/register"
)

const (
	plainPhone = "13800138000"
)

var plainID = fixture.IDNumber("19650308", "123")

// seeded starts the app with a resident in each 南关 grid: 张伟 in grid 01, 李娜 in grid 02.
func seeded(t *testing.T) (env *apptest.Env, zhang, li int64) {
	env = apptest.New(t)
	f := env.Fixture
	b1 := f.AddBuilding(t, f.Grids[0], "1号楼", 100.442, 38.925)
	b2 := f.AddBuilding(t, f.Grids[1], "2号楼", 100.455, 38.925)
	zhang = f.AddResident(t, register.ResidentInput{HouseholdID: f.AddHousehold(t, b1, "1", "101"), Name: "张伟",
		IDNumber: plainID, Phone: plainPhone, Relation: "户主", Tags: []string{"独居老人"}})
	li = f.AddResident(t, register.ResidentInput{HouseholdID: f.AddHousehold(t, b2, "2", "202"), Name: "李娜",
		IDNumber: fixture.IDNumber("19800101", "246"), Phone: "13912345678"})
	return env, zhang, li
}

func noPlainNumbers(t *testing.T, where, body string) {
	t.Helper()
	for _, n := range []string{plainPhone, plainID, "13912345678"} {
		if strings.Contains(body, n) {
			t.Errorf("%s contains the plain number %s", where, n)
		}
	}
}

func TestResidentPagesAndAPIScope(t *testing.T) {
	env, zhang, li := seeded(t)
	page := env.Login(t, "worker01")
	api := env.APIClient(t, "worker01")
	t.Run("a grid worker asking for another grid's resident gets 404 on the page", func(t *testing.T) {
		if resp := page.Get(fmt.Sprintf("/residents/%d", li)); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("and 404 from the API", func(t *testing.T) {
		resp := api.JSON("GET", fmt.Sprintf("/api/v1/residents/%d", li), nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Body, `"not_found"`) {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("and cannot reveal their number", func(t *testing.T) {
		resp := api.JSON("POST", fmt.Sprintf("/api/v1/residents/%d/reveal", li), map[string]string{"field": "phone", "purpose": "电话回访核实", "reason": "核实住址联系方式"})
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("their own grid's resident shows masked numbers only", func(t *testing.T) {
		resp := page.Get(fmt.Sprintf("/residents/%d", zhang))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "138****8000") || !strings.Contains(resp.Body, "独居老人") {
			t.Fatalf("status %d", resp.StatusCode)
		}
		noPlainNumbers(t, "resident page", resp.Body)
		list := page.Get("/residents?q=" + url.QueryEscape("张伟"))
		if !strings.Contains(list.Body, "张伟") || strings.Contains(list.Body, "李娜") {
			t.Error("search page: wrong residents")
		}
		noPlainNumbers(t, "resident list", list.Body)
	})
	t.Run("the API lists and searches with masked numbers", func(t *testing.T) {
		resp := api.JSON("GET", "/api/v1/residents?q="+url.QueryEscape("伟"), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"total":1`) || !strings.Contains(resp.Body, "138****8000") {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		noPlainNumbers(t, "API list", resp.Body)
		byPhone := api.JSON("GET", "/api/v1/residents?q="+plainPhone, nil)
		if !strings.Contains(byPhone.Body, "张伟") {
			t.Errorf("full phone search: %s", byPhone.Body)
		}
		noPlainNumbers(t, "API phone search", byPhone.Body)
	})
	noPlainNumbers(t, "the server log", env.Log.String())
}

func TestRevealOverHTTP(t *testing.T) {
	env, zhang, _ := seeded(t)
	page := env.Login(t, "worker01")
	t.Run("a reveal without a reason is refused in Chinese", func(t *testing.T) {
		resp := page.PostForm(fmt.Sprintf("/residents/%d/reveal", zhang), url.Values{"field": {"phone"}, "reason": {" "}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "请填写查看原因") {
			t.Fatalf("status %d", resp.StatusCode)
		}
		noPlainNumbers(t, "refused reveal", resp.Body)
	})
	t.Run("the page shows the number once and audits the reason", func(t *testing.T) {
		resp := page.PostForm(fmt.Sprintf("/residents/%d/reveal", zhang), url.Values{"field": {"id_number"}, "purpose": {"办理业务核对身份"}, "reason": {"办理低保需核对身份"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, plainID) {
			t.Fatalf("status %d; number shown: %v", resp.StatusCode, strings.Contains(resp.Body, plainID))
		}
		if again := page.Get(fmt.Sprintf("/residents/%d", zhang)); strings.Contains(again.Body, plainID) {
			t.Error("the number is still shown on the next visit")
		}
		assertRevealAudited(t, env, zhang, "worker01", "办理低保需核对身份")
	})
	t.Run("the API answers the value and audits the reason", func(t *testing.T) {
		api := env.APIClient(t, "grid01")
		resp := api.JSON("POST", fmt.Sprintf("/api/v1/residents/%d/reveal", zhang), map[string]string{"field": "phone", "purpose": "电话回访核实", "reason": "电话回访低保办理进度"})
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"value":"`+plainPhone+`"`) {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		assertRevealAudited(t, env, zhang, "grid01", "电话回访")
	})
	t.Run("a user without the reveal permission is refused", func(t *testing.T) {
		env.Fixture.AddUser(t, "leader01", "building_leader", env.Fixture.Grids[0])
		api := env.APIClient(t, "leader01")
		resp := api.JSON("POST", fmt.Sprintf("/api/v1/residents/%d/reveal", zhang), map[string]string{"field": "phone", "purpose": "其他", "reason": "看看此人的电话号码"})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	if strings.Contains(env.Log.String(), plainPhone) || strings.Contains(env.Log.String(), plainID) {
		t.Error("a revealed number reached the log")
	}
}

func assertRevealAudited(t *testing.T, env *apptest.Env, id int64, user, reason string) {
	t.Helper()
	var n int
	err := env.DB().R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'pii.reveal'
		AND object_id = $1 AND username = $2 AND detail LIKE $3 AND before = '' AND after = ''`,
		fmt.Sprint(id), user, "%"+reason+"%").Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("audit rows for %s = %d, %v", user, n, err)
	}
	var leaked int
	_ = env.DB().R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1 OR detail LIKE $2
		OR before LIKE $1 OR after LIKE $1 OR before LIKE $2 OR after LIKE $2`, "%"+plainPhone+"%", "%"+plainID+"%").Scan(&leaked)
	if leaked != 0 {
		t.Errorf("%d audit rows hold a plain number", leaked)
	}
}

func TestGridPages(t *testing.T) {
	env, _, _ := seeded(t)
	admin := env.Login(t, "admin")
	g1 := env.Fixture.Grids[0].ID
	t.Run("uploading a GeoJSON boundary file saves it and lists its vertices", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "grid01.geojson")
		fw.Write([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` +
			fixture.Square(100.44, 38.92, 0.01) + `}]}`))
		mw.Close()
		req, _ := http.NewRequest("POST", env.Server.URL+fmt.Sprintf("/grids/%d/boundary", g1), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if resp := admin.Do(req); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		list := admin.Get("/grids")
		if !strings.Contains(list.Body, "4 个顶点") || !strings.Contains(list.Body, "100.445, 38.925") {
			t.Errorf("grid list lacks the vertex count or centroid")
		}
		if strings.Contains(list.Body, "<script>") {
			t.Error("inline script on the grid page")
		}
	})
	t.Run("a drawn boundary posted as a form field with an open ring is refused in Chinese", func(t *testing.T) {
		resp := admin.PostForm(fmt.Sprintf("/grids/%d/boundary", g1), url.Values{"geojson": {
			`{"type":"Polygon","coordinates":[[[100.44,38.92],[100.45,38.92],[100.45,38.93],[100.44,38.93]]]}`}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "没有闭合") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("the roster shows phones masked", func(t *testing.T) {
		resp := admin.PostForm(fmt.Sprintf("/grids/%d/roster", g1), url.Values{"duty": {"grid_leader"}, "name": {"马建军"}, "phone": {"13600001234"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		grid := admin.Get(fmt.Sprintf("/grids/%d", g1))
		if !strings.Contains(grid.Body, "马建军") || !strings.Contains(grid.Body, "136****1234") || strings.Contains(grid.Body, "13600001234") {
			t.Error("roster: name missing or phone not masked")
		}
	})
	t.Run("the grid API answers the boundary as GeoJSON", func(t *testing.T) {
		api := env.APIClient(t, "admin")
		resp := api.JSON("GET", fmt.Sprintf("/api/v1/grids/%d", g1), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"type":"Polygon"`) {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		if other := env.APIClient(t, "worker02").JSON("GET", fmt.Sprintf("/api/v1/grids/%d", g1), nil); other.StatusCode != http.StatusNotFound {
			t.Errorf("another grid's worker got status %d", other.StatusCode)
		}
	})
}

func TestResidentForms(t *testing.T) {
	env, zhang, _ := seeded(t)
	admin := env.Login(t, "admin")
	r, _ := register.NewService(env.DB(), env.Fixture.Sealer).Resident(env.Fixture.Ctx("admin"), zhang)
	hid := *r.HouseholdID
	t.Run("a bad ID number is refused without echoing it", func(t *testing.T) {
		bad := plainID[:17] + "0"
		if bad == plainID {
			bad = plainID[:17] + "1"
		}
		resp := admin.PostForm("/residents", url.Values{"household_id": {fmt.Sprint(hid)}, "name": {"张敏"}, "id_number": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "校验位错误") || strings.Contains(resp.Body, bad) {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("registering a family member then finds them by name", func(t *testing.T) {
		resp := admin.PostForm("/residents", url.Values{"household_id": {fmt.Sprint(hid)}, "name": {"张敏"}, "relation": {"女儿"},
			"birth_date": {"1992-05-01"}, "tags": {"disability"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		if list := admin.Get("/residents?q=" + url.QueryEscape("张敏")); !strings.Contains(list.Body, "残疾人") {
			t.Error("the new resident is not found with her tag")
		}
	})
	t.Run("editing without retyping the phone keeps it", func(t *testing.T) {
		resp := admin.PostForm(fmt.Sprintf("/residents/%d", zhang), url.Values{"household_id": {fmt.Sprint(hid)}, "name": {"张伟"},
			"relation": {"户主"}, "tags": {"elderly_alone", "focus"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		page := admin.Get(fmt.Sprintf("/residents/%d", zhang))
		if !strings.Contains(page.Body, "138****8000") || !strings.Contains(page.Body, "重点关注") {
			t.Error("phone lost or tag not saved")
		}
	})
	noPlainNumbers(t, "the server log", env.Log.String())
}

func TestHouseholdList(t *testing.T) {
	env, _, _ := seeded(t)
	f := env.Fixture
	b1 := f.AddBuilding(t, f.Grids[0], "5号楼", 100.443, 38.926)
	f.AddHousehold(t, b1, "1", "301")
	admin := env.Login(t, "admin")
	t.Run("lists every household in scope with the total the home page counts", func(t *testing.T) {
		resp := admin.Get("/households")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "共 3 条") {
			t.Fatalf("status %d, want 200 and 共 3 条:\n%s", resp.StatusCode, resp.Body)
		}
		for _, want := range []string{"1号楼 1单元 101室", "2号楼 2单元 202室", "5号楼 1单元 301室", `href="/households/`} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("household list lacks %q", want)
			}
		}
	})
	t.Run("filters by grid", func(t *testing.T) {
		resp := admin.Get(fmt.Sprintf("/households?grid=%d", f.Grids[0].ID))
		if !strings.Contains(resp.Body, "共 2 条") || strings.Contains(resp.Body, "2号楼 2单元 202室") {
			t.Errorf("grid 01's households: wrong list:\n%s", resp.Body)
		}
	})
	t.Run("a grid worker sees only their grid's households", func(t *testing.T) {
		resp := env.Login(t, "worker01").Get("/households")
		if !strings.Contains(resp.Body, "共 2 条") || strings.Contains(resp.Body, "2号楼") {
			t.Errorf("worker01's household list shows another grid:\n%s", resp.Body)
		}
	})
}

func TestTheResidentsAndHouseholdsFiltersFoldBehindOneButtonCountingThoseSet(t *testing.T) {
	env, _, _ := seeded(t)
	admin := env.Login(t, "admin")
	grid := env.Fixture.Grids[0].ID
	for _, tc := range []struct {
		path, want string
	}{
		{"/residents", "筛选</summary>"},
		{"/residents?q=&tag=&status=active", "筛选</summary>"},
		{"/residents?tag=elderly_alone&status=active", "筛选（已选 1 项）</summary>"},
		{fmt.Sprintf("/residents?q=张&grid=%d&tag=elderly_alone&status=all", grid), "筛选（已选 4 项）</summary>"},
		{"/households", "筛选</summary>"},
		{fmt.Sprintf("/households?grid=%d&kind=", grid), "筛选（已选 1 项）</summary>"},
	} {
		resp := admin.Get(tc.path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `<details class="filter-fold"`) ||
			!strings.Contains(resp.Body, tc.want) {
			t.Errorf("%s: status %d, want the folded form with %q", tc.path, resp.StatusCode, tc.want)
		}
	}
	if body := admin.Get("/residents?tag=elderly_alone").Body; !strings.Contains(body, "张伟") || strings.Contains(body, "李娜") {
		t.Error("the tag chosen does not filter the list")
	}
}
