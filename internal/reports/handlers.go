// Package reports computes the figures Linli shows — the home page's counts and the dashboards —
// each one a link to the records it counts.
package reports

import (
	"embed"
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the home page and the dashboards.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	// Public, when set, is the home page of visitors who are not signed in (otherwise they are
	// sent to sign in).
	Public http.Handler
}

// NewHandlers returns the reports handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, nil)}
}

// Routes registers the home page and dashboards.
func (h *Handlers) Routes(mux *http.ServeMux) {
	home := h.auth.Page("", h.home)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if auth.FromContext(r.Context()) == nil && h.Public != nil {
			h.Public.ServeHTTP(w, r)
			return
		}
		home.ServeHTTP(w, r)
	})
	mux.Handle("GET /overview", h.auth.Page(auth.RegisterRead, h.overview))
	mux.Handle("GET /compare.xlsx", h.auth.Page(auth.RegisterRead, h.compareExport))
}

// compareExport downloads the comparison of the communities (or streets) a leader leads, over the
// period of the page it was linked from.
func (h *Handlers) compareExport(w http.ResponseWriter, r *http.Request) {
	data, name, err := h.svc.ComparisonWorkbook(r.Context(), auth.FromContext(r.Context()), periodOf(r))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="compare.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	_, _ = w.Write(data)
}

// overview shows the figures of the user's region without sending anyone elsewhere: 网格概况 for
// those whose home is the today page.
func (h *Handlers) overview(w http.ResponseWriter, r *http.Request) {
	home, err := h.svc.Overview(r.Context(), auth.FromContext(r.Context()), periodOf(r))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "home.html", &homeView{Page: web.Page{Title: "概况"}, Dashboard: home.Figures})
}

type homeView struct {
	web.Page
	*Dashboard
}

type welcomeView struct {
	web.Page
	*Welcome
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) {
	home, err := h.svc.Home(r.Context(), auth.FromContext(r.Context()), periodOf(r))
	switch {
	case err != nil:
		h.kit.Error(w, r, err)
	case home.Landing != "":
		http.Redirect(w, r, home.Landing, http.StatusSeeOther)
	case home.Welcome != nil:
		h.views.Render(w, r, http.StatusOK, "welcome.html", &welcomeView{Page: web.Page{Title: "首页"}, Welcome: home.Welcome})
	default:
		h.views.Render(w, r, http.StatusOK, "home.html", &homeView{Page: web.Page{Title: "首页"}, Dashboard: home.Figures})
	}
}

// periodOf is the comparison's period as the page's query gives it (from, to).
func periodOf(r *http.Request) Period {
	return Period{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
}
