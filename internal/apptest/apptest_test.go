package apptest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/openapi/openapitest"
)

func TestTheAPIDocumentMergesEveryFragmentIntoValidOpenAPI31(t *testing.T) {
	doc, err := app.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	c, err := openapitest.Load(doc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", c.Doc.OpenAPI)
	}
	for path, item := range c.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses == nil || op.Responses.Default() == nil {
				t.Errorf("%s %s has no error answer", method, path)
			}
		}
	}
}

func TestTheAPIDocumentIsServedWithoutSignIn(t *testing.T) {
	env := apptest.New(t)
	resp := env.Anonymous(t).Get("/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	resp.Decode(t, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/auth/token"] == nil {
		t.Errorf("served document: openapi %q, %d paths, token endpoint documented: %v", doc.OpenAPI, len(doc.Paths), doc.Paths["/api/v1/auth/token"] != nil)
	}
}

func TestAnUnknownAPIPathAnswers404InTheErrorShape(t *testing.T) {
	env := apptest.New(t)
	resp := env.Anonymous(t).Get("/api/v1/no-such-thing")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Code != "not_found" || body.Error.Message == "" {
		t.Errorf("body %s", resp.Body)
	}
}

func TestHealthzAnswers200WhileTheDatabaseIsUp(t *testing.T) {
	env := apptest.New(t)
	resp := env.Anonymous(t).Get("/healthz")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d: %s", resp.StatusCode, resp.Body)
	}
}

func TestHealthzAnswers503WhenTheDatabaseIsGone(t *testing.T) {
	env := apptest.New(t)
	env.DB().Close()
	resp := env.Anonymous(t).Get("/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d: %s", resp.StatusCode, resp.Body)
	}
}
