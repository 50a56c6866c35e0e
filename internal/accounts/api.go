package accounts

import (
	"context"
	"net/http"
	"strconv"

	"linli/internal/auth"
	"linli/internal/web"
)

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/users", h.auth.API(auth.AccountsManage, h.apiListUsers))
	mux.Handle("POST /api/v1/users", h.auth.API(auth.AccountsManage, h.apiCreateUser))
	mux.Handle("GET /api/v1/users/{id}", h.auth.API(auth.AccountsManage, h.apiUser(h.svc.User)))
	mux.Handle("PATCH /api/v1/users/{id}", h.auth.API(auth.AccountsManage, h.apiUpdateUser))
	mux.Handle("POST /api/v1/users/{id}/unlock", h.auth.API(auth.AccountsManage, h.apiUser(h.svc.Unlock)))
	mux.Handle("POST /api/v1/users/{id}/reset-password", h.auth.API(auth.AccountsManage, h.apiResetPassword))
	mux.Handle("POST /api/v1/account-requests", h.auth.API(auth.SettingsManage, h.apiRequestAccount))
	mux.Handle("POST /api/v1/account-requests/{id}/approve", h.auth.API(auth.AccountsManage, h.apiUser(h.svc.ApproveRequest)))
}

func (h *Handlers) apiRequestAccount(w http.ResponseWriter, r *http.Request) {
	var in AccountRequest
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	req, err := h.svc.RequestAccount(r.Context(), auth.FromContext(r.Context()), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, req)
}

func (h *Handlers) apiListUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterFrom(r)
	if v := q.Get("region_id"); v != "" {
		f.RegionID, _ = strconv.ParseInt(v, 10, 64)
	}
	f.Locked = q.Get("locked") == "true" || q.Get("locked") == "1"
	pager := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pager.Limit, pager.Offset
	users, total, err := h.svc.ListUsers(r.Context(), auth.FromContext(r.Context()), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[auth.User]{Items: users, Total: total})
}

// apiUser serves a request on /api/v1/users/{id}: it answers the account that act, done by the
// caller on the path's ID, returns.
func (h *Handlers) apiUser(act func(context.Context, *auth.Principal, int64) (*auth.User, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := web.PathID(r, "id")
		var u *auth.User
		if err == nil {
			u, err = act(r.Context(), auth.FromContext(r.Context()), id)
		}
		if err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, u)
	}
}

// CreatedUser answers POST /api/v1/users: the account and, when the server generated it, the
// initial password, shown this once.
type CreatedUser struct {
	User     *auth.User `json:"user"`
	Password string     `json:"initial_password,omitempty"`
}

func (h *Handlers) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	u, generated, err := h.svc.CreateAccount(r.Context(), auth.FromContext(r.Context()), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, CreatedUser{User: u, Password: generated})
}

// UserPatch is the body of PATCH /api/v1/users/{id}; absent fields keep their value.
type UserPatch struct {
	Name     *string    `json:"name"`
	Role     *auth.Role `json:"role"`
	RegionID *int64     `json:"region_id"`
	OrgName  *string    `json:"org_name"`
	Active   *bool      `json:"active"`
}

func (h *Handlers) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	var patch UserPatch
	if err == nil {
		err = web.DecodeJSON(r, &patch)
	}
	var u *auth.User
	if err == nil {
		u, err = h.svc.User(r.Context(), p, id)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	c := Change{Name: u.Name, Role: u.Role, RegionID: u.RegionID, OrgName: u.OrgName}
	if patch.Name != nil {
		c.Name = *patch.Name
	}
	if patch.Role != nil {
		c.Role = *patch.Role
	}
	if patch.RegionID != nil {
		c.RegionID = *patch.RegionID
	}
	if patch.OrgName != nil {
		c.OrgName = *patch.OrgName
	}
	if patch.Name != nil || patch.Role != nil || patch.RegionID != nil || patch.OrgName != nil {
		if u, err = h.svc.UpdateAccount(r.Context(), p, id, c); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	if patch.Active != nil {
		if u, err = h.svc.SetActive(r.Context(), p, id, *patch.Active); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	web.JSON(w, http.StatusOK, u)
}

// PasswordReset answers POST /api/v1/users/{id}/reset-password with the temporary password,
// shown this once.
type PasswordReset struct {
	User     *auth.User `json:"user"`
	Password string     `json:"temporary_password,omitempty"` // a security or audit account's
	SentTo   []string   `json:"code_sent_to,omitempty"`       // a business account's code went to these admins
}

func (h *Handlers) apiResetPassword(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	id, err := web.PathID(r, "id")
	var reset Reset
	var u *auth.User
	if err == nil {
		reset, err = h.svc.ResetPassword(r.Context(), p, id)
	}
	if err == nil {
		u, err = h.svc.User(r.Context(), p, id)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, PasswordReset{User: u, Password: reset.Password, SentTo: reset.SentTo})
}
