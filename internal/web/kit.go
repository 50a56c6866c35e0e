// Package web is Linli's shared HTTP kit: middleware, page rendering with one layout, errors mapped
// to statuses and Chinese messages, JSON helpers, paging and the embedded static assets.
//
// Capability packages receive a *Kit and build their handlers with it; they never reach for global
// state.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

//go:embed templates static
var embedded embed.FS

// Chrome is what the layout shows around every page: the signed-in user and the menu.
type Chrome struct {
	SignedIn   bool
	UserName   string
	RoleLabel  string
	RegionName string
	Nav        []NavItem
	// Unread is the number of the user's unread notifications, shown on the bell.
	Unread int
	// Notices are warnings for the signed-in user on every page, each with a link to act on it.
	Notices []Notice
}

// Notice is a warning on every page with the one link that deals with it.
type Notice struct {
	// Short is the notice in a few words (all a phone shows); Text says the rest.
	Short string
	Text  string
	Href  string
	Link  string
}

// NavItem is one menu entry.
type NavItem struct {
	Label  string
	Href   string
	Active bool
}

// Page is embedded in every page's view struct; Render fills Chrome and Flash.
type Page struct {
	Title  string
	Chrome Chrome
	Flash  string
	// Errors holds per-field messages of a rejected form, keyed by field name.
	Errors map[string]string
	// Error is the form-level message of a rejected form.
	Error string
}

// PageData returns the page itself; Render uses it to fill in the chrome.
func (p *Page) PageData() *Page { return p }

// Kit is passed to every capability's handlers.
type Kit struct {
	Log *slog.Logger
	// Chrome builds the layout data for a request; app wires it to the signed-in user.
	Chrome func(r *http.Request) Chrome
	// TileURL is the optional map tile template for Leaflet; empty shows polygons on a plain background.
	TileURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client; empty trusts none.
	TrustedProxies []netip.Prefix
	// CookieSecure says browsers always reach Linli over HTTPS (behind a TLS proxy): cookies are
	// marked Secure and HSTS is sent on every answer (the --cookie-secure setting).
	CookieSecure bool
	assets       map[string]string // static path → content hash
	base         *template.Template
}

// NewKit parses the shared layout and partials and hashes the static assets.
func NewKit(log *slog.Logger) (*Kit, error) {
	k := &Kit{Log: log, Chrome: func(*http.Request) Chrome { return Chrome{} }, assets: map[string]string{}}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		k.assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		return nil
	})
	if err != nil {
		return nil, err
	}
	k.base, err = template.New("layout").Funcs(k.funcs()).ParseFS(embedded, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	return k, nil
}

// HasAsset reports whether a static file is present — vendor files exist only after `make assets`.
func (k *Kit) HasAsset(name string) bool { _, ok := k.assets[name]; return ok }

// Asset returns the URL of a static file with its content hash, so browsers cache it forever.
func (k *Kit) Asset(name string) string {
	if h, ok := k.assets[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

// Static serves the embedded static files.
func (k *Kit) Static() http.Handler {
	sub, _ := fs.Sub(embedded, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			// No directory listings: only the files the pages link to are served.
			k.Error(w, r, errs.E(errs.NotFound, "页面不存在"))
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Del("Cache-Control")
		}
		files.ServeHTTP(w, r)
	})
}

func (k *Kit) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    k.Asset,
		"hasAsset": k.HasAsset,
		"tileURL":  func() string { return k.TileURL },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai()).Format("2006-01-02")
		},
		"add": func(a, b int) int { return a + b },
		"pct": func(num, den int) string {
			if den == 0 {
				return "—"
			}
			return strconv.FormatFloat(float64(num)*100/float64(den), 'f', 1, 64) + "%"
		},
		"json": func(v any) (template.JS, error) {
			b, err := json.Marshal(v)
			return template.JS(b), err
		},
		// query returns the current query with key set to value, for filter and paging links.
		"query": func(q url.Values, kv ...any) string {
			out := url.Values{}
			for k, v := range q {
				out[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				key := fmt.Sprint(kv[i])
				val := fmt.Sprint(kv[i+1])
				if val == "" {
					out.Del(key)
				} else {
					out.Set(key, val)
				}
			}
			return "?" + out.Encode()
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// Views is a capability's set of page templates, each parsed together with the shared layout.
type Views struct {
	kit   *Kit
	pages map[string]*template.Template
}

// Views parses every *.html in fsys's templates directory as a page on top of the shared layout.
// Each page defines "title" (optional) and "content". It panics on a template error: templates are
// checked at start-up, not on first use.
func (k *Kit) Views(fsys fs.FS, funcs template.FuncMap) *Views {
	v := &Views{kit: k, pages: map[string]*template.Template{}}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("web: no templates: %v", err))
	}
	for _, name := range names {
		t := template.Must(k.base.Clone())
		if funcs != nil {
			t.Funcs(funcs)
		}
		t = template.Must(t.ParseFS(fsys, name))
		v.pages[path.Base(name)] = t
	}
	return v
}

// Render writes page name with data at the given status. data should be a pointer to a view
// struct that embeds Page.
func (v *Views) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := v.pages[name]
	if !ok {
		v.kit.Error(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	if pd, ok := data.(interface{ PageData() *Page }); ok {
		p := pd.PageData()
		p.Chrome = v.kit.Chrome(r)
		if p.Flash == "" {
			p.Flash = TakeFlash(w, r)
		}
	}
	if rec, ok := r.Context().Value(renderKey{}).(func(*template.Template, any)); ok {
		rec(t, data)
	}
	buf := renderBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // a huge page's buffer is not kept
			buf.Reset()
			renderBufs.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		v.kit.Error(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderBufs are the buffers pages render into before they are written (a page is rendered whole
// so that a template error still answers with an error page, not half a page).
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type renderKey struct{}

// WithRenderRecorder returns a context under which Render calls rec with the page's template and
// its data (Chrome filled in) before rendering: the city benchmark renders the same template with
// the same data bare, as the limit of a page's work.
func WithRenderRecorder(ctx context.Context, rec func(t *template.Template, data any)) context.Context {
	return context.WithValue(ctx, renderKey{}, rec)
}

// Status returns the HTTP status for an error's code.
func Status(err error) int {
	switch errs.CodeOf(err) {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unsupported:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

func (k *Kit) logIfInternal(r *http.Request, err error) {
	if errs.CodeOf(err) == errs.Internal && !errors.Is(err, http.ErrAbortHandler) {
		k.Log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", RequestID(r.Context()),
			"method", r.Method, "path", logPath(r.URL.Path))
	}
}

type errorView struct {
	Page
	Status    int
	Message   string
	RequestID string
}

// Error renders an error page: the domain error's Chinese message, or a generic one for internal
// errors, which are logged with the request ID.
func (k *Kit) Error(w http.ResponseWriter, r *http.Request, err error) {
	err = bodyErr(err)
	k.logIfInternal(r, err)
	status := Status(err)
	t := k.base.Lookup("error.html")
	view := &errorView{Page: Page{Title: "出错了", Chrome: k.Chrome(r)}, Status: status,
		Message: errs.MessageOf(err), RequestID: RequestID(r.Context())}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if t == nil {
		fmt.Fprintf(w, "<p>%s</p>", template.HTMLEscapeString(view.Message))
		return
	}
	_ = k.base.ExecuteTemplate(w, "error.html", view)
}

// NotFound renders the 404 page.
func (k *Kit) NotFound(w http.ResponseWriter, r *http.Request) {
	k.Error(w, r, errs.E(errs.NotFound, "页面不存在或您无权查看"))
}

// JSON writes v as JSON with the status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// APIErrorBody is the JSON shape of every API error.
type APIErrorBody struct {
	Error APIError `json:"error"`
}

// APIError is the code and Chinese message of an API error, with per-field messages when a
// request body failed validation.
type APIError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// APIErr writes err as {"error":{"code","message"}} with the matching status.
func (k *Kit) APIErr(w http.ResponseWriter, r *http.Request, err error) {
	err = bodyErr(err)
	k.logIfInternal(r, err)
	JSON(w, Status(err), APIErrorBody{Error: APIError{Code: string(errs.CodeOf(err)), Message: errs.MessageOf(err),
		Fields: errs.FieldsOf(err)}})
}

// Reply writes v as JSON with the status, or err as an API error when it is not nil.
func (k *Kit) Reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		k.APIErr(w, r, err)
		return
	}
	JSON(w, status, v)
}

// List is the JSON shape of every API list. More (left out when false) says the list holds more
// than Total, which is then where its count stopped (db.CountCap).
type List[T any] struct {
	Items []T  `json:"items"`
	Total int  `json:"total"`
	More  bool `json:"more,omitempty"`
}

// CappedList is the List of a page whose total came from a capped count (db.CountUpTo).
func CappedList[T any](items []T, n int) List[T] {
	l := List[T]{Items: items}
	l.Total, l.More = db.Capped(n)
	return l
}

// Related is one group of records that bear on the object a page shows — a resident's visits, cases
// or mediation files — each a link, with the whole list one link further (More) when there are more
// than shown. The layout's "related" partial renders a slice of them.
type Related struct {
	Title string
	Items []RelatedItem
	Total int
	More  string
	Empty string
}

// RelatedItem is one record of a Related group.
type RelatedItem struct {
	Text, Href, Note string
}
