package openapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linli/internal/openapi"
	"linli/internal/openapi/openapitest"
)

const residents = `{
  "paths": {
    "/api/v1/residents": {
      "get": {
        "operationId": "listResidents",
        "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Offset"}],
        "responses": {"200": {"description": "A page of residents.", "content": {"application/json": {"schema": {
          "allOf": [{"$ref": "#/components/schemas/List"},
                    {"properties": {"items": {"items": {"$ref": "#/components/schemas/Resident"}}}}]}}}}}
      }
    },
    "/residents/{id}": {
      "get": {
        "operationId": "getResident",
        "parameters": [{"$ref": "#/components/parameters/ID"}],
        "responses": {"200": {"description": "One resident.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Resident"}}}}}
      }
    }
  },
  "components": {"schemas": {"Resident": {
    "type": "object", "required": ["id", "name"],
    "properties": {"id": {"$ref": "#/components/schemas/ID"}, "name": {"type": "string"}, "phone": {"type": ["string", "null"]}}
  }}},
  "tags": [{"name": "register"}]
}`

const grids = `{"paths": {"/api/v1/grids": {"get": {"operationId": "listGrids", "responses": {"200": {"description": "Grids.",
  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/List"}}}}}}}}}`

func merged(t *testing.T, frags ...openapi.Fragment) *openapitest.Checker {
	t.Helper()
	doc, err := openapi.Merge(frags...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := openapitest.Load(doc)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return c
}

func TestTheBaseDocumentAloneIsValidOpenAPI31(t *testing.T) {
	c := merged(t)
	if c.Doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", c.Doc.OpenAPI)
	}
	for _, name := range []string{"Error", "List"} {
		if c.Doc.Components.Schemas[name] == nil {
			t.Errorf("shared schema %s missing", name)
		}
	}
	if c.Doc.Paths.Find("/api/v1/auth/token") == nil {
		t.Error("the token endpoint is not documented")
	}
}

func TestFragmentsAreMergedAndRelativePathsGoUnderAPIv1(t *testing.T) {
	c := merged(t, openapi.Fragment{Name: "register", JSON: []byte(residents)}, openapi.Fragment{Name: "party"},
		openapi.Fragment{Name: "grids", JSON: []byte(grids)})
	for _, p := range []string{"/api/v1/residents", "/api/v1/residents/{id}", "/api/v1/grids", "/api/v1/openapi.json"} {
		if c.Doc.Paths.Find(p) == nil {
			t.Errorf("path %s missing from the merged document", p)
		}
	}
	op := c.Doc.Paths.Find("/api/v1/residents/{id}").Get
	if op.Responses.Default() == nil {
		t.Error("an operation without a default response did not get the shared Error response")
	}
}

func check(t *testing.T, c *openapitest.Checker, method, path string, status int, body string) error {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	return c.Response(req, status, h, []byte(body))
}

func TestAnswersAreCheckedAgainstTheDocument(t *testing.T) {
	c := merged(t, openapi.Fragment{Name: "register", JSON: []byte(residents)})
	ok := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/api/v1/residents?limit=2", 200, `{"items":[{"id":1,"name":"张三","phone":null}],"total":1}`},
		{"GET", "/api/v1/residents/7", 200, `{"id":7,"name":"李四","phone":"139****5678"}`},
		{"GET", "/api/v1/residents/8", 404, `{"error":{"code":"not_found","message":"居民不存在"}}`},
		{"GET", "/api/v1/nothing-here", 404, `{"error":{"code":"not_found","message":"页面不存在"}}`},
		{"GET", "/residents/7", 200, `<html>`},
	}
	for _, tc := range ok {
		if err := check(t, c, tc.method, tc.path, tc.status, tc.body); err != nil {
			t.Errorf("%s %s → %d should pass: %v", tc.method, tc.path, tc.status, err)
		}
	}
	bad := []struct {
		method, path string
		status       int
		body, want   string
	}{
		{"GET", "/api/v1/residents", 200, `{"items":[{"id":"1","name":"张三"}],"total":1}`, "does not match"},
		{"GET", "/api/v1/residents", 200, `[{"id":1,"name":"张三"}]`, "does not match"},
		{"GET", "/api/v1/residents/7", 404, `{"message":"居民不存在"}`, "does not match"},
		{"GET", "/api/v1/secret", 200, `{}`, "not documented"},
		{"DELETE", "/api/v1/residents/7", 204, ``, "not documented"},
	}
	for _, tc := range bad {
		err := check(t, c, tc.method, tc.path, tc.status, tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s → %d %s: error %v, want one saying %q", tc.method, tc.path, tc.status, tc.body, err, tc.want)
		}
		if testing.Verbose() {
			t.Log(err)
		}
	}
}

func TestConflictingFragmentsAreRefusedWithBothNames(t *testing.T) {
	other := strings.Replace(residents, `"name": {"type": "string"}`, `"name": {"type": "integer"}`, 1)
	_, err := openapi.Merge(openapi.Fragment{Name: "register", JSON: []byte(residents)}, openapi.Fragment{Name: "party", JSON: []byte(other)})
	if err == nil || !strings.Contains(err.Error(), "register") || !strings.Contains(err.Error(), "party") {
		t.Errorf("conflicting operations: error %v, want one naming register and party", err)
	}
	shadow := `{"components":{"schemas":{"Error":{"type":"string"}}}}`
	if _, err := openapi.Merge(openapi.Fragment{Name: "cases", JSON: []byte(shadow)}); err == nil || !strings.Contains(err.Error(), "Error") {
		t.Errorf("a fragment redefining the shared Error schema: error %v", err)
	}
	if _, err := openapi.Merge(openapi.Fragment{Name: "cases", JSON: []byte(`{"servers":[]}`)}); err == nil {
		t.Error("a fragment with servers was accepted")
	}
	if _, err := openapi.Merge(openapi.Fragment{Name: "cases", JSON: []byte(`{"paths":`)}); err == nil || !strings.Contains(err.Error(), "cases") {
		t.Errorf("broken JSON: error %v", err)
	}
}

func TestTheSameComponentInTwoFragmentsIsAccepted(t *testing.T) {
	a := `{"components":{"schemas":{"Point":{"type":"array","items":{"type":"number"}}}}}`
	if _, err := openapi.Merge(openapi.Fragment{Name: "a", JSON: []byte(a)}, openapi.Fragment{Name: "b", JSON: []byte(a)}); err != nil {
		t.Error(err)
	}
}

func TestTheHandlerServesTheDocumentAsJSON(t *testing.T) {
	doc, err := openapi.Merge()
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	openapi.Handler(doc).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v["openapi"] != "3.1.0" {
		t.Errorf("served %q (%v)", rec.Body.String(), err)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestAListRefinementIsTypedAsAnArrayOfItsItems(t *testing.T) {
	frag := `{"paths": {"/things": {"get": {"operationId": "listThings", "responses": {"200": {"description": "ok",
		"content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/List"},
		{"properties": {"items": {"items": {"$ref": "#/components/schemas/Thing"}}}}]}}}}}}}},
		"components": {"schemas": {"Thing": {"type": "object", "properties": {"items": {"type": "string"}}}}}}`
	doc, err := openapi.Merge(openapi.Fragment{Name: "things", JSON: []byte(frag)})
	if err != nil {
		t.Fatal(err)
	}
	c := merged(t, openapi.Fragment{Name: "things", JSON: []byte(frag)})
	ref := c.Doc.Paths.Find("/api/v1/things").Get.Responses.Value("200").Value.Content["application/json"].Schema.Value.AllOf[1]
	if items := ref.Value.Properties["items"].Value; items.Type == nil || !items.Type.Is("array") {
		t.Errorf("the list's items are not typed as an array:\n%s", doc)
	}
	if thing := c.Doc.Components.Schemas["Thing"].Value.Properties["items"].Value; !thing.Type.Is("string") {
		t.Error("a field named items was retyped")
	}
}
