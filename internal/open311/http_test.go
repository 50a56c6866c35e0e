package open311_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
)

// w3c is a W3C date-time with the Shanghai zone, as every date of the endpoint is written.
var w3c = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)

var requestElements = []string{"service_request_id", "status", "status_notes", "service_name", "service_code",
	"description", "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
	"expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}

func TestDiscoveryListsTheEndpointInBothFormats(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		a := get(t, env, "/open311/discovery.xml", nil)
		if a.status != http.StatusOK {
			t.Fatalf("discovery.xml: %d %s", a.status, a.body)
		}
		contentType(t, a, "text/xml")
		d := parseXML(t, a.body)
		sameOrder(t, "discovery", d.names(), []string{"changeset", "contact", "key_service", "endpoints"})
		ep := d.child("endpoints").child("endpoint")
		sameOrder(t, "endpoint", ep.names(), []string{"specification", "url", "changeset", "type", "formats"})
		if ep.child("url").text != env.Server.URL+"/open311/v2" || ep.child("type").text != "production" {
			t.Errorf("endpoint url %q type %q", ep.child("url").text, ep.child("type").text)
		}
		sameOrder(t, "formats", ep.child("formats").names(), []string{"format", "format"})

		j := get(t, env, "/open311/discovery.json", nil)
		contentType(t, j, "application/json")
		var doc struct {
			Changeset string `json:"changeset"`
			Endpoints []struct {
				URL     string   `json:"url"`
				Formats []string `json:"formats"`
			} `json:"endpoints"`
		}
		if err := json.Unmarshal([]byte(j.body), &doc); err != nil {
			t.Fatal(err)
		}
		if !w3c.MatchString(doc.Changeset) || len(doc.Endpoints) != 1 ||
			strings.Join(doc.Endpoints[0].Formats, ",") != "text/xml,application/json" {
			t.Errorf("discovery.json: %s", j.body)
		}
	})
}

func TestServicesAreTheLeafCategoriesWithTheirDefinitions(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		a := get(t, env, "/open311/v2/services.xml", nil)
		contentType(t, a, "text/xml")
		services := parseXML(t, a.body)
		if services.name != "services" || len(services.children) != 21 {
			t.Fatalf("services: root %s with %d services, want 21 leaf categories", services.name, len(services.children))
		}
		first := services.children[0]
		sameOrder(t, "service", first.names(), []string{"service_code", "service_name", "description", "metadata", "type",
			"keywords", "group"})
		if first.child("service_code").text != "HJ01" || first.child("service_name").text != "垃圾清运" ||
			first.child("group").text != "环境卫生" || first.child("type").text != "realtime" || first.child("metadata").text != "true" {
			t.Errorf("first service: %+v", first.names())
		}

		var list []map[string]any
		if err := json.Unmarshal([]byte(get(t, env, "/open311/v2/services.json", nil).body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 21 {
			t.Fatalf("services.json: %d services", len(list))
		}
		if _, ok := list[0]["metadata"].(bool); !ok || list[0]["service_code"] != "HJ01" {
			t.Errorf("services.json first: %v", list[0])
		}

		def := parseXML(t, get(t, env, "/open311/v2/services/HM01.xml", nil).body)
		sameOrder(t, "service_definition", def.names(), []string{"service_code", "attributes"})
		attrs := def.child("attributes").children
		phone := attrs[0]
		sameOrder(t, "attribute", phone.names(), []string{"variable", "code", "datatype", "required", "datatype_description",
			"order", "description"})
		if phone.child("code").text != "contact_phone" || phone.child("required").text != "true" || phone.child("order").text != "1" {
			t.Errorf("低保咨询 requires a phone: %v %s %s", phone.names(), phone.child("code").text, phone.child("required").text)
		}
		crs := attrs[len(attrs)-1]
		if crs.child("datatype").text != "singlevaluelist" || len(crs.child("values").children) != 3 ||
			crs.child("values").children[0].child("key").text != "wgs84" {
			t.Errorf("coord_system attribute: %+v", crs.names())
		}
		var jd struct {
			ServiceCode string `json:"service_code"`
			Attributes  []struct {
				Variable bool   `json:"variable"`
				Code     string `json:"code"`
				Required bool   `json:"required"`
				Order    int    `json:"order"`
				Values   []struct{ Key, Name string }
			} `json:"attributes"`
		}
		if err := json.Unmarshal([]byte(get(t, env, "/open311/v2/services/HJ01.json", nil).body), &jd); err != nil {
			t.Fatal(err)
		}
		if jd.ServiceCode != "HJ01" || jd.Attributes[0].Code != "address" || !jd.Attributes[0].Required {
			t.Errorf("垃圾清运 requires an address: %+v", jd)
		}

		for _, f := range []string{"xml", "json"} {
			e := get(t, env, "/open311/v2/services/NOPE."+f, nil)
			if e.status != http.StatusNotFound || !strings.Contains(e.body, "service_code not found") {
				t.Errorf("unknown service (%s): %d %s", f, e.status, e.body)
			}
		}
	})
}

// postForm is a valid request of 垃圾清运 at a point in grid 01, with a phone number the resident
// also typed into the description.
func postForm(key string) url.Values {
	return url.Values{"api_key": {key}, "service_code": {"HJ01"}, "lat": {"38.925"}, "long": {"100.445"},
		"address_string": {"南关社区东街3号"}, "description": {"垃圾桶满了三天没人清运，联系我13912345678"},
		"first_name": {"李"}, "last_name": {"秀英"}, "phone": {"13912345678"}, "email": {"li@example.com"},
		"device_id": {"dev-1"}, "account_id": {"acct-7"}, "attribute[title]": {"垃圾桶满溢"}}
}

func TestARequestPostedOverOpen311FollowsTheCaseLoop(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		key := issue(t, env, "市民App", env.Fixture.Community.ID, false)
		a := post(t, env, "/open311/v2/requests.xml", postForm(key))
		if a.status != http.StatusOK {
			t.Fatalf("post: %d %s", a.status, a.body)
		}
		contentType(t, a, "text/xml")
		doc := parseXML(t, a.body)
		req := doc.child("request")
		sameOrder(t, "POST answer", req.names(), []string{"service_request_id", "token", "service_notice", "account_id"})
		number := req.child("service_request_id").text
		if req.child("account_id").text != "acct-7" || !strings.Contains(req.child("service_notice").text, "受理") {
			t.Errorf("POST answer: %s", a.body)
		}

		// The case: channel open311, placed in grid 01 by its point, the reporter's phone masked.
		admin := env.APIClient(t, "admin")
		id := caseID(t, env, number)
		var c struct {
			Channel       string `json:"channel"`
			GridID        int64  `json:"grid_id"`
			Title         string `json:"title"`
			ReporterName  string `json:"reporter_name"`
			ReporterPhone string `json:"reporter_phone"`
			State         string `json:"state"`
		}
		admin.JSON("GET", "/api/v1/cases/"+strconv.FormatInt(id, 10), nil).Decode(t, &c)
		if c.Channel != "open311" || c.GridID != env.Fixture.Grids[0].ID || c.Title != "垃圾桶满溢" ||
			c.ReporterName != "李 秀英" || c.ReporterPhone != "139****5678" || c.State != "received" {
			t.Errorf("the case: %+v", c)
		}

		read := func(format string) answer {
			return get(t, env, "/open311/v2/requests/"+number+"."+format, url.Values{"api_key": {key}})
		}
		x := parseXML(t, read("xml").body)
		if len(x.children) != 1 {
			t.Fatalf("GET request answers %d requests, want an array of one", len(x.children))
		}
		r := x.children[0]
		sameOrder(t, "request", r.names(), requestElements)
		if r.child("status").text != "open" || r.child("service_code").text != "HJ01" || r.child("service_name").text != "垃圾清运" ||
			r.child("lat").text != "38.925" || r.child("long").text != "100.445" || r.child("agency_responsible").text != "南关社区第一网格" {
			t.Errorf("open request: %s", read("xml").body)
		}
		for _, f := range []string{"requested_datetime", "updated_datetime"} {
			if !w3c.MatchString(r.child(f).text) {
				t.Errorf("%s %q is not a W3C date-time with +08:00", f, r.child(f).text)
			}
		}

		// Through the normal loop: accept, dispatch to grid 01, sign, report, an internal note with a
		// phone number, verify.
		act(t, admin, id, "accept", map[string]any{})
		act(t, admin, id, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": env.Fixture.Grids[0].ID}})
		grid := env.APIClient(t, "grid01")
		act(t, grid, id, "sign", map[string]any{})
		act(t, grid, id, "note", map[string]any{"note": "内部：居民李秀英电话13912345678，身份证620702199001011234"})
		act(t, grid, id, "report", map[string]any{"note": "垃圾已清运完毕"})
		act(t, admin, id, "verify", map[string]any{"outcome": "resolved"})

		for _, f := range []string{"xml", "json"} {
			body := read(f).body
			for _, secret := range []string{"13912345678", "李", "秀英", "620702199001011234", "li@example.com", "内部", "acct-7", "dev-1"} {
				if strings.Contains(body, secret) {
					t.Errorf("GET request (%s) shows %q: %s", f, secret, body)
				}
			}
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(read("json").body), &list); err != nil || len(list) != 1 {
			t.Fatalf("GET request json: %v %s", err, read("json").body)
		}
		got := list[0]
		if got["status"] != "closed" || got["status_notes"] == "" || !strings.Contains(got["description"].(string), "139****5678") {
			t.Errorf("closed request: %v", got)
		}
		if _, ok := got["lat"].(float64); !ok {
			t.Errorf("lat is %T, want a number", got["lat"])
		}
		var closed struct {
			ClosedAt time.Time `json:"closed_at"`
		}
		admin.JSON("GET", "/api/v1/cases/"+strconv.FormatInt(id, 10), nil).Decode(t, &closed)
		updated, err := time.Parse(time.RFC3339, got["updated_datetime"].(string))
		if err != nil || updated.Before(closed.ClosedAt) {
			t.Errorf("updated_datetime %v, want the close %v or later", got["updated_datetime"], closed.ClosedAt)
		}
		if !w3c.MatchString(got["expected_datetime"].(string)) {
			t.Errorf("expected_datetime %v, want the handle deadline", got["expected_datetime"])
		}
		if strings.Contains(env.Log.String(), "13912345678") {
			t.Errorf("the server logged the phone number")
		}
	})
}
