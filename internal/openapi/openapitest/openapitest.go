// Package openapitest checks HTTP answers against the API document with kin-openapi. It is for
// tests only, so that the server binary does not carry the validator.
package openapitest

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// DocumentPath is where the document itself is served; its answer is not checked against itself.
const DocumentPath = "/api/v1/openapi.json"

// iCalendar feeds (text/calendar) are text; their schema is a string.
func init() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) }

// Checker validates answers of /api/v1 against one document.
type Checker struct {
	Doc    *openapi3.T
	router routers.Router
}

// Load parses and validates the document and builds a router over its paths.
func Load(doc []byte) (*Checker, error) {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("load API document: %w", err)
	}
	if err := t.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("API document is not valid OpenAPI: %w", err)
	}
	// Paths are written in full, so route on the request path alone, whatever host the test uses.
	routed := *t
	routed.Servers = nil
	r, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("route API document: %w", err)
	}
	return &Checker{Doc: t, router: r}, nil
}

// Response checks one answer to req. Requests outside /api/v1, and for the document itself, pass.
// A request to an undocumented path or method fails unless the server also answered 404 or 405;
// an answer whose status or body the operation does not describe fails.
func (c *Checker) Response(req *http.Request, status int, header http.Header, body []byte) error {
	path := req.URL.Path
	if !strings.HasPrefix(path, "/api/v1/") || path == DocumentPath || req.Method == http.MethodHead {
		return nil
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("%s %s answered %d but is not documented in %s (%v): add it to the package's openapi.json",
			req.Method, path, status, DocumentPath, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s answered %d, which does not match %s %s in %s: %v\nbody: %s",
			req.Method, path, status, route.Method, route.Path, DocumentPath, err, clip(body))
	}
	return nil
}

func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
