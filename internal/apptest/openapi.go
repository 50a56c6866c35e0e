package apptest

import (
	"net/http"
	"strings"
	"sync"

	"linli/internal/app"
	"linli/internal/openapi/openapitest"
)

var apiSpec struct {
	once    sync.Once
	checker *openapitest.Checker
	err     error
}

// APISpec returns the checker for the merged API document, loaded once per test binary.
func APISpec() (*openapitest.Checker, error) {
	apiSpec.once.Do(func() {
		doc, err := app.OpenAPI()
		if err != nil {
			apiSpec.err = err
			return
		}
		apiSpec.checker, apiSpec.err = openapitest.Load(doc)
	})
	return apiSpec.checker, apiSpec.err
}

// checkAPI fails the test when an /api/v1 answer does not match the API document, or when the
// server answered a path the document does not describe.
func (c *Client) checkAPI(req *http.Request, resp *http.Response, body []byte) {
	c.t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	chk, err := APISpec()
	if err != nil {
		c.t.Fatalf("the API document /api/v1/openapi.json is broken: %v", err)
	}
	if err := chk.Response(req, resp.StatusCode, resp.Header, body); err != nil {
		c.t.Errorf("API answer does not match the API document: %v", err)
	}
}
