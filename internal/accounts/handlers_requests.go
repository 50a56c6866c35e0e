package accounts

import (
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// The account requests of separation of duties: a business admin asks for a business account on
// /account-requests; a security admin approves or refuses it on /admin/account-requests. The
// one-time code goes to the requester as a notification.

func (h *Handlers) requestRoutes(mux *http.ServeMux) {
	mux.Handle("GET /account-requests", h.auth.Page(auth.SettingsManage, h.requestsPage))
	mux.Handle("POST /account-requests", h.auth.Page(auth.SettingsManage, h.fileRequest))
	mux.Handle("GET /admin/account-requests", h.auth.Page(auth.AccountsManage, h.adminRequestsPage))
	mux.Handle("POST /admin/account-requests/{id}/approve", h.auth.Page(auth.AccountsManage, h.approveRequest))
	mux.Handle("POST /admin/account-requests/{id}/reject", h.auth.Page(auth.AccountsManage, h.rejectRequest))
	mux.Handle("GET /api/v1/account-requests", h.auth.API("", h.apiRequests))
	mux.Handle("POST /api/v1/account-requests/{id}/reject", h.auth.API(auth.AccountsManage, h.apiRejectRequest))
}

// businessRoles are the roles an account request may ask for, in form order.
func businessRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if needsRequest(r) {
			out = append(out, r)
		}
	}
	return out
}

// directRoles are the roles a security admin opens without a request.
func directRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if !needsRequest(r) {
			out = append(out, r)
		}
	}
	return out
}

type requestsView struct {
	web.Page
	Requests []RequestRow
	Input    AccountRequest
	Roles    []auth.Role
	Regions  []RegionOption
	Admin    bool // the security admin's page
}

func (h *Handlers) renderRequests(w http.ResponseWriter, r *http.Request, status int, in AccountRequest, err error) {
	p := auth.FromContext(r.Context())
	list, lerr := h.svc.Requests(r.Context(), p)
	var regions []RegionOption
	if lerr == nil {
		regions, lerr = h.svc.RequestRegions(r.Context(), p)
	}
	if lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	v := &requestsView{Page: web.Page{Title: "账号开通申请"}, Requests: list, Input: in, Roles: businessRoles(), Regions: regions}
	if err != nil {
		v.Error, v.Errors = errs.MessageOf(err), errs.FieldsOf(err)
	}
	h.views.Render(w, r, status, "requests.html", v)
}

func (h *Handlers) requestsPage(w http.ResponseWriter, r *http.Request) {
	h.renderRequests(w, r, http.StatusOK, AccountRequest{}, nil)
}

func (h *Handlers) fileRequest(w http.ResponseWriter, r *http.Request) {
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	in := AccountRequest{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"),
		Role: auth.Role(r.PostFormValue("role")), RegionID: region, OrgName: r.PostFormValue("org_name"),
		Reason: r.PostFormValue("reason")}
	if _, err := h.svc.RequestAccount(r.Context(), auth.FromContext(r.Context()), in); err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
			h.kit.Error(w, r, err)
			return
		}
		h.renderRequests(w, r, web.Status(err), in, err)
		return
	}
	web.Redirect(w, r, "/account-requests", "申请已提交，待安全管理员审批；批准后一次性口令将发到您的消息中")
}

func (h *Handlers) adminRequestsPage(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Requests(r.Context(), auth.FromContext(r.Context()))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "requests.html", &requestsView{Page: web.Page{Title: "账号开通审批"},
		Requests: list, Admin: true})
}

func (h *Handlers) approveRequest(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var u *auth.User
	if err == nil {
		u, err = h.svc.ApproveRequest(r.Context(), auth.FromContext(r.Context()), id)
	}
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Conflict || c == errs.Forbidden || c == errs.Invalid {
			web.Redirect(w, r, "/admin/account-requests", errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/admin/account-requests", "已开通账号 "+u.Username+"，一次性口令已发给申请人")
}

func (h *Handlers) rejectRequest(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.RejectRequest(r.Context(), auth.FromContext(r.Context()), id, r.PostFormValue("note"))
	}
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Conflict || c == errs.Invalid {
			web.Redirect(w, r, "/admin/account-requests", errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/admin/account-requests", "已不予批准，理由已告知申请人")
}

func (h *Handlers) apiRequests(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Requests(r.Context(), auth.FromContext(r.Context()))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[RequestRow]{Items: list, Total: len(list)})
}

// Rejection is the body of POST /api/v1/account-requests/{id}/reject.
type Rejection struct {
	Note string `json:"note"`
}

func (h *Handlers) apiRejectRequest(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var in Rejection
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	if err == nil {
		err = h.svc.RejectRequest(r.Context(), auth.FromContext(r.Context()), id, strings.TrimSpace(in.Note))
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
