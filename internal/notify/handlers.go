package notify

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"

	"linli/internal/auth"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// OpenAPI is this package's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Handlers serves /notifications and its API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the notification handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, nil)}
}

// Routes registers the notification pages and API; any signed-in user reaches their own only.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.Handle("GET /notifications", h.auth.Page("", h.list))
	mux.Handle("POST /notifications/{id}/read", h.auth.Page("", h.read))
	mux.Handle("POST /notifications/read-all", h.auth.Page("", h.readAll))
	mux.Handle("GET /api/v1/notifications", h.auth.API("", h.apiList))
	mux.Handle("POST /api/v1/notifications/{id}/read", h.auth.API("", h.apiRead))
	mux.Handle("POST /api/v1/notifications/read-all", h.auth.API("", h.apiReadAll))
}

type listView struct {
	web.Page
	Items      []Notification
	Unread     int
	UnreadOnly bool
	Pager      web.Pager
	Query      url.Values
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 30)
	unreadOnly := r.URL.Query().Get("unread") == "1"
	res, err := h.svc.List(r.Context(), Filter{UnreadOnly: unreadOnly, Limit: pg.Limit, Offset: pg.Offset})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total = res.Total
	h.views.Render(w, r, http.StatusOK, "notifications.html", &listView{Page: web.Page{Title: "消息通知"},
		Items: res.Items, Unread: res.Unread, UnreadOnly: unreadOnly, Pager: pg, Query: r.URL.Query()})
}

func (h *Handlers) read(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	n, err := h.svc.MarkRead(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if r.PostFormValue("open") == "1" && n.Link != "" && LocalLink(n.Link) {
		web.Redirect(w, r, n.Link, "")
		return
	}
	web.Redirect(w, r, "/notifications", "已标为已读")
}

func (h *Handlers) readAll(w http.ResponseWriter, r *http.Request) {
	n, err := h.svc.MarkAllRead(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/notifications", "已将 "+strconv.FormatInt(n, 10)+" 条消息标为已读")
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	unread := r.URL.Query().Get("unread")
	res, err := h.svc.List(r.Context(), Filter{UnreadOnly: unread == "true" || unread == "1", Limit: pg.Limit, Offset: pg.Offset})
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, res)
}

func (h *Handlers) apiRead(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	n, err := h.svc.MarkRead(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, n)
}

func (h *Handlers) apiReadAll(w http.ResponseWriter, r *http.Request) {
	n, err := h.svc.MarkAllRead(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]int64{"marked": n})
}
