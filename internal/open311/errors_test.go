package open311_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"linli/internal/apptest"
)

// problem checks an error answer: the status, the spec's shape in the format, and words of its
// description (Chinese and English).
func problem(t *testing.T, a answer, format string, status int, words ...string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status %d, want %d: %s", a.status, status, a.body)
		return
	}
	var code, desc string
	if format == "xml" {
		contentType(t, a, "text/xml")
		doc := parseXML(t, a.body)
		if doc.name != "errors" || len(doc.children) != 1 || doc.children[0].name != "error" {
			t.Fatalf("error document: %s", a.body)
		}
		sameOrder(t, "error", doc.children[0].names(), []string{"code", "description"})
		code, desc = doc.children[0].child("code").text, doc.children[0].child("description").text
	} else {
		contentType(t, a, "application/json")
		var list []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal([]byte(a.body), &list); err != nil || len(list) != 1 {
			t.Fatalf("error document: %v %s", err, a.body)
		}
		code, desc = jsonNum(int64(list[0].Code)), list[0].Description
	}
	if code != jsonNum(int64(status)) {
		t.Errorf("error code %s, want %d", code, status)
	}
	if !strings.Contains(desc, " / ") {
		t.Errorf("description %q is not in Chinese and English", desc)
	}
	for _, w := range words {
		if !strings.Contains(desc, w) {
			t.Errorf("description %q does not name %q", desc, w)
		}
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestBadCallsAnswerTheSpecsErrors(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		readOnly := issue(t, env, "数据大屏", env.Fixture.Community.ID, true)
		with := func(key string, change func(url.Values)) url.Values {
			f := postForm(key)
			change(f)
			return f
		}
		for _, format := range []string{"xml", "json"} {
			key := issue(t, env, "市民App "+format, env.Fixture.Community.ID, false) // a burst of 10 posts each
			path := "/open311/v2/requests." + format
			for _, c := range []struct {
				name   string
				form   url.Values
				status int
				words  []string
			}{
				{"no api_key", with("", func(url.Values) {}), 403, []string{"api_key"}},
				{"a wrong api_key", with("o311_nope", func(url.Values) {}), 403, []string{"api_key"}},
				{"a read-only key", with(readOnly, func(url.Values) {}), 403, []string{"read-only"}},
				{"no service_code", with(key, func(f url.Values) { f.Del("service_code") }), 400, []string{"service_code"}},
				{"an unknown service_code", with(key, func(f url.Values) { f.Set("service_code", "XX99") }), 404, []string{"service_code"}},
				{"no location", with(key, func(f url.Values) { f.Del("lat"); f.Del("long"); f.Del("address_string") }), 400, []string{"location"}},
				{"half a point", with(key, func(f url.Values) { f.Del("long") }), 400, []string{"lat"}},
				{"a description over 4000 characters", with(key, func(f url.Values) { f.Set("description", strings.Repeat("脏", 4001)) }), 400, []string{"description"}},
				{"no description", with(key, func(f url.Values) { f.Del("description") }), 400, []string{"description"}},
				{"a bad phone", with(key, func(f url.Values) { f.Set("phone", "12345") }), 400, []string{"phone"}},
				{"a bad coord_system", with(key, func(f url.Values) { f.Set("attribute[coord_system]", "mars") }), 400, []string{"coord_system"}},
				{"a point outside the key's community", with(key, func(f url.Values) { f.Set("address_id", "999999") }), 400, []string{"address_id"}},
				{"an unknown jurisdiction", with(key, func(f url.Values) { f.Set("jurisdiction_id", "nowhere.gov") }), 404, []string{"jurisdiction_id"}},
			} {
				t.Run(format+"/"+c.name, func(t *testing.T) {
					problem(t, post(t, env, path, c.form), format, c.status, c.words...)
				})
			}
			problem(t, get(t, env, "/open311/v2/requests/NG-0000-000000."+format, url.Values{"api_key": {key}}), format, 404, "service_request_id")
			problem(t, get(t, env, "/open311/v2/requests."+format, nil), format, 403, "api_key")
			problem(t, get(t, env, "/open311/v2/requests."+format, url.Values{"api_key": {key}, "status": {"pending"}}), format, 400, "status")
			problem(t, get(t, env, "/open311/v2/requests."+format, url.Values{"api_key": {key},
				"start_date": {"2026-01-01T00:00:00+08:00"}, "end_date": {"2026-06-01T00:00:00+08:00"}}), format, 400, "90 days")
			problem(t, get(t, env, "/open311/v2/requests."+format, url.Values{"api_key": {key}, "start_date": {"yesterday"}}), format, 400, "start_date")
			problem(t, get(t, env, "/open311/v2/tokens/nope."+format, url.Values{"api_key": {key}}), format, 404, "token")
		}
		problem(t, get(t, env, "/open311/v2/services.csv", nil), "xml", 404, "format")
		var n int
		if err := env.DB().R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 0 {
			t.Errorf("refused requests left %d cases (%v)", n, err)
		}
	})
}

func TestARevokedKeyIsRefusedAndTheAdminsWorkIsAudited(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		key := issue(t, env, "市民App", env.Fixture.Community.ID, false)
		if a := get(t, env, "/open311/v2/requests.xml", url.Values{"api_key": {key}}); a.status != http.StatusOK {
			t.Fatalf("requests with a fresh key: %d %s", a.status, a.body)
		}
		sec := env.APIClient(t, "security")
		var adm struct {
			Keys []struct {
				ID    int64  `json:"id"`
				Hint  string `json:"hint"`
				Calls int64  `json:"calls"`
			} `json:"keys"`
		}
		sec.JSON("GET", "/api/v1/open311/keys", nil).Decode(t, &adm)
		if len(adm.Keys) != 1 || adm.Keys[0].Calls != 1 || !strings.HasPrefix(key, adm.Keys[0].Hint) {
			t.Fatalf("keys: %+v", adm)
		}
		if resp := sec.JSON("POST", "/api/v1/open311/keys/"+jsonNum(adm.Keys[0].ID)+"/revoke", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Body)
		}
		problem(t, get(t, env, "/open311/v2/requests.json", url.Values{"api_key": {key}}), "json", 403, "revoked")
		problem(t, post(t, env, "/open311/v2/requests.json", postForm(key)), "json", 403, "api_key")

		var stored int
		if err := env.DB().R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM open311_keys WHERE key_hash = $1`, key).
			Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the key is stored as it is (%v)", err)
		}
		for _, action := range []string{"open311.key_issue", "open311.key_revoke"} {
			var n int
			if err := env.DB().R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action).
				Scan(&n); err != nil || n != 1 {
				t.Errorf("%s audited %d times (%v)", action, n, err)
			}
		}
		if resp := env.APIClient(t, "admin").JSON("GET", "/api/v1/open311/keys", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a community admin reads the keys: %d", resp.StatusCode)
		}
		page := env.Login(t, "security").Get("/admin/open311")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "市民App") || strings.Contains(page.Body, key) {
			t.Errorf("keys page: %d, shows the key: %v", page.StatusCode, strings.Contains(page.Body, key))
		}
	})
}

func TestAKeyPostsAtItsRateAndReadsOnlyItsRegion(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		key := issue(t, env, "市民App", env.Fixture.Community.ID, false)
		other := issue(t, env, "北关App", env.Fixture.Other.ID, false)
		a := post(t, env, "/open311/v2/requests.json", postForm(key))
		var posted []struct {
			ID    string `json:"service_request_id"`
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(a.body), &posted); err != nil || len(posted) != 1 {
			t.Fatalf("post: %d %s", a.status, a.body)
		}
		number := posted[0].ID

		tok := get(t, env, "/open311/v2/tokens/"+posted[0].Token+".xml", url.Values{"api_key": {key}})
		r := parseXML(t, tok.body).child("request")
		sameOrder(t, "token", r.names(), []string{"service_request_id", "token"})
		if r.child("service_request_id").text != number {
			t.Errorf("token resolves to %q, want %s", r.child("service_request_id").text, number)
		}

		list := func(key string, q url.Values) []map[string]any {
			t.Helper()
			q.Set("api_key", key)
			a := get(t, env, "/open311/v2/requests.json", q)
			var out []map[string]any
			if err := json.Unmarshal([]byte(a.body), &out); err != nil {
				t.Fatalf("requests: %d %s", a.status, a.body)
			}
			return out
		}
		if got := list(key, url.Values{}); len(got) != 1 || got[0]["service_request_id"] != number {
			t.Errorf("the last 90 days: %v", got)
		}
		if got := list(other, url.Values{}); len(got) != 0 {
			t.Errorf("北关's key reads 南关's requests: %v", got)
		}
		if got := list(other, url.Values{"service_request_id": {number}}); len(got) != 0 {
			t.Errorf("北关's key reads a 南关 request by id: %v", got)
		}
		problem(t, get(t, env, "/open311/v2/tokens/"+posted[0].Token+".json", url.Values{"api_key": {other}}), "json", 404, "token")
		if got := list(key, url.Values{"status": {"closed"}}); len(got) != 0 {
			t.Errorf("status=closed lists an open request: %v", got)
		}
		if got := list(key, url.Values{"status": {"open,closed"}, "service_code": {"HJ02,HJ01"}}); len(got) != 1 {
			t.Errorf("status=open,closed&service_code=HJ02,HJ01: %v", got)
		}
		if got := list(key, url.Values{"service_code": {"JC01"}}); len(got) != 0 {
			t.Errorf("service_code=JC01 lists 垃圾清运: %v", got)
		}
		if got := list(key, url.Values{"start_date": {"2020-01-01T00:00:00+08:00"}, "end_date": {"2020-03-01T00:00:00+08:00"}}); len(got) != 0 {
			t.Errorf("a period of 2020 lists today's request: %v", got)
		}
		// The id list overrides the other filters.
		if got := list(key, url.Values{"service_request_id": {number + ",NG-0000-000000"}, "status": {"closed"},
			"start_date": {"2020-01-01T00:00:00+08:00"}, "end_date": {"2020-03-01T00:00:00+08:00"}}); len(got) != 1 {
			t.Errorf("service_request_id did not override the filters: %v", got)
		}
		building := env.Fixture.AddBuilding(t, env.Fixture.Grids[0], "东街3号楼", 100.445, 38.925)
		elsewhere := postForm(other)
		elsewhere.Set("address_id", strconv.FormatInt(building, 10))
		problem(t, post(t, env, "/open311/v2/requests.json", elsewhere), "json", 400, "jurisdiction_id or location")

		// The burst of posts is 10 (one is spent above; 北关's key has its own allowance).
		status := 0
		for i := 0; i < 10; i++ {
			f := postForm(key)
			f.Del("service_code")
			status = post(t, env, "/open311/v2/requests.xml", f).status
		}
		if status != http.StatusTooManyRequests {
			t.Errorf("the 11th post in a row: %d, want 429", status)
		}
		problem(t, post(t, env, "/open311/v2/requests.json", postForm(key)), "json", 429, "too many")
	})
}

func TestJurisdictionsSelectARegionWhenThereAreSeveral(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		f := env.Fixture
		key := issue(t, env, "街道App", f.Street.ID, false)
		sec := env.APIClient(t, "security")
		if resp := sec.JSON("PUT", "/api/v1/open311/jurisdictions/nanguan.example.gov", map[string]any{"region_id": f.Community.ID}); resp.StatusCode != http.StatusOK {
			t.Fatalf("set jurisdiction: %d %s", resp.StatusCode, resp.Body)
		}
		// One jurisdiction: optional, and a post without it goes to 南关.
		if a := post(t, env, "/open311/v2/requests.json", postForm(key)); a.status != http.StatusOK {
			t.Fatalf("post without jurisdiction_id: %d %s", a.status, a.body)
		}
		if resp := sec.JSON("PUT", "/api/v1/open311/jurisdictions/beiguan.example.gov", map[string]any{"region_id": f.Other.ID}); resp.StatusCode != http.StatusOK {
			t.Fatalf("set jurisdiction: %d %s", resp.StatusCode, resp.Body)
		}
		problem(t, get(t, env, "/open311/v2/services.xml", nil), "xml", 400, "jurisdiction_id is required")
		problem(t, get(t, env, "/open311/v2/services.xml", url.Values{"jurisdiction_id": {"x.gov"}}), "xml", 404, "jurisdiction_id")
		if a := get(t, env, "/open311/v2/services.json", url.Values{"jurisdiction_id": {"beiguan.example.gov"}}); a.status != http.StatusOK {
			t.Errorf("services of 北关: %d %s", a.status, a.body)
		}
		form := postForm(key)
		form.Set("jurisdiction_id", "beiguan.example.gov")
		form.Del("lat")
		form.Del("long")
		a := post(t, env, "/open311/v2/requests.json", form)
		var posted []struct {
			ID string `json:"service_request_id"`
		}
		if err := json.Unmarshal([]byte(a.body), &posted); err != nil || len(posted) != 1 {
			t.Fatalf("post to 北关: %d %s", a.status, a.body)
		}
		var community int64
		if err := env.DB().R.QueryRowContext(context.Background(), `SELECT community_id FROM cases WHERE number = $1`, posted[0].ID).
			Scan(&community); err != nil || community != f.Other.ID {
			t.Errorf("the request went to community %d, want 北关 %d (%v)", community, f.Other.ID, err)
		}
		if resp := sec.JSON("DELETE", "/api/v1/open311/jurisdictions/beiguan.example.gov", nil); resp.StatusCode != http.StatusNoContent {
			t.Errorf("remove jurisdiction: %d %s", resp.StatusCode, resp.Body)
		}
		if a := get(t, env, "/open311/v2/services.xml", nil); a.status != http.StatusOK {
			t.Errorf("one jurisdiction left, services without jurisdiction_id: %d", a.status)
		}
	})
}

func TestTheReportersCommentBecomesAPublicUpdate(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		key := issue(t, env, "市民App", env.Fixture.Community.ID, false)
		stranger := issue(t, env, "另一个App", env.Fixture.Community.ID, false)
		var posted []struct {
			ID string `json:"service_request_id"`
		}
		a := post(t, env, "/open311/v2/requests.json", postForm(key))
		if err := json.Unmarshal([]byte(a.body), &posted); err != nil {
			t.Fatal(a.body)
		}
		update := url.Values{"api_key": {key}, "service_request_id": {posted[0].ID}, "description": {"今天又多了两袋，电话13912345678"},
			"update_id": {"u-1"}, "status": {"OPEN"}}
		u := post(t, env, "/open311/v2/servicerequestupdates.xml", update)
		if u.status != http.StatusOK {
			t.Fatalf("post update: %d %s", u.status, u.body)
		}
		doc := parseXML(t, u.body)
		if doc.name != "service_request_updates" || doc.child("request_update").child("update_id").text == "" {
			t.Errorf("update answer: %s", u.body)
		}
		update.Set("api_key", stranger)
		problem(t, post(t, env, "/open311/v2/servicerequestupdates.json", update), "json", 403, "only the client")

		g := get(t, env, "/open311/v2/servicerequestupdates.xml", url.Values{"api_key": {key}})
		list := parseXML(t, g.body)
		if len(list.children) != 2 {
			t.Fatalf("updates: %s", g.body)
		}
		last := list.children[1]
		sameOrder(t, "request_update", last.names(), []string{"update_id", "service_request_id", "status", "updated_datetime",
			"description", "media_url"})
		if last.child("description").text != "今天又多了两袋，电话139****5678" || last.child("status").text != "open" ||
			!w3c.MatchString(last.child("updated_datetime").text) {
			t.Errorf("the comment as an update: %s", g.body)
		}
		r := get(t, env, "/open311/v2/requests/"+posted[0].ID+".json", url.Values{"api_key": {key}})
		if !strings.Contains(r.body, `"status_notes":"今天又多了两袋，电话139****5678"`) {
			t.Errorf("status_notes after the comment: %s", r.body)
		}
	})
}
