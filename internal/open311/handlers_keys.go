package open311

import (
	_ "embed"
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/web"
)

func (h *Handlers) keyRoutes(mux *http.ServeMux) {
	page := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.AccountsManage, f) }
	mux.Handle("GET /admin/open311", page(h.keysPage))
	mux.Handle("POST /admin/open311/keys", page(h.issueKey))
	mux.Handle("POST /admin/open311/keys/{id}/revoke", page(h.revokeKey))
	mux.Handle("POST /admin/open311/jurisdictions", page(h.setJurisdiction))
	mux.Handle("POST /admin/open311/jurisdictions/{code}/remove", page(h.removeJurisdiction))
	h.apiRoutes(mux)
}

type keysView struct {
	web.Page
	*Admin
	Form    NewKey
	JurForm Jurisdiction
	Issued  *Issued
	// Endpoint is the address clients are given.
	Endpoint string
}

func (h *Handlers) renderKeys(w http.ResponseWriter, r *http.Request, status int, v *keysView) {
	a, err := h.svc.Admin(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Admin, v.Title = a, "Open311 接入"
	v.Endpoint = strings.TrimRight(h.BaseURL, "/") + "/open311/v2"
	h.views.Render(w, r, status, "keys.html", v)
}

func (h *Handlers) keysPage(w http.ResponseWriter, r *http.Request) {
	h.renderKeys(w, r, http.StatusOK, &keysView{})
}

func (h *Handlers) issueKey(w http.ResponseWriter, r *http.Request) {
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	in := NewKey{Name: r.PostFormValue("name"), RegionID: region, ReadOnly: r.PostFormValue("read_only") != ""}
	v := &keysView{Form: in}
	issued, err := h.svc.IssueKey(r.Context(), in)
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderKeys(w, r, status, v) })
		return
	}
	v.Issued, v.Form = issued, NewKey{}
	v.Flash = "接口密钥已发放"
	h.renderKeys(w, r, http.StatusOK, v)
}

func (h *Handlers) revokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.RevokeKey(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/admin/open311", "接口密钥已停用，持有它的客户端将收到 403")
}

func (h *Handlers) setJurisdiction(w http.ResponseWriter, r *http.Request) {
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	j := Jurisdiction{Code: r.PostFormValue("jurisdiction_id"), RegionID: region}
	if err := h.svc.SetJurisdiction(r.Context(), j); err != nil {
		v := &keysView{JurForm: j}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderKeys(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/admin/open311", "辖区已保存")
}

func (h *Handlers) removeJurisdiction(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RemoveJurisdiction(r.Context(), r.PathValue("code")); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/admin/open311", "辖区已删除")
}

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	api := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.AccountsManage, f) }
	mux.Handle("GET /api/v1/open311/keys", api(h.apiKeys))
	mux.Handle("POST /api/v1/open311/keys", api(h.apiIssueKey))
	mux.Handle("POST /api/v1/open311/keys/{id}/revoke", api(h.apiRevokeKey))
	mux.Handle("PUT /api/v1/open311/jurisdictions/{code}", api(h.apiSetJurisdiction))
	mux.Handle("DELETE /api/v1/open311/jurisdictions/{code}", api(h.apiRemoveJurisdiction))
}

func (h *Handlers) apiKeys(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Admin(r.Context())
	h.kit.Reply(w, r, http.StatusOK, a, err)
}

func (h *Handlers) apiIssueKey(w http.ResponseWriter, r *http.Request) {
	var in NewKey
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	issued, err := h.svc.IssueKey(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, issued, err)
}

func (h *Handlers) apiRevokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.RevokeKey(r.Context(), id)
	}
	h.kit.Reply(w, r, http.StatusOK, map[string]bool{"revoked": true}, err)
}

func (h *Handlers) apiSetJurisdiction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RegionID int64 `json:"region_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	j := Jurisdiction{Code: r.PathValue("code"), RegionID: in.RegionID}
	err := h.svc.SetJurisdiction(r.Context(), j)
	h.kit.Reply(w, r, http.StatusOK, map[string]any{"jurisdiction_id": j.Code, "region_id": j.RegionID}, err)
}

func (h *Handlers) apiRemoveJurisdiction(w http.ResponseWriter, r *http.Request) {
	err := h.svc.RemoveJurisdiction(r.Context(), r.PathValue("code"))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// OpenAPI is this package's part of the API document: the key administration. The Open311
// protocol itself is specified by GeoReport v2, not by this document.
//
//go:embed openapi.json
var OpenAPI []byte
