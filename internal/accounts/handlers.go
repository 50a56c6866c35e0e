package accounts

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

var viewFuncs = template.FuncMap{
	"levelLabel": func(l string) string { return levelLabels[l] },
}

// Handlers serves account administration: pages under /admin/users and the API under /api/v1/users.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the account administration handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, viewFuncs)}
}

// Routes registers the account pages and API, open to security admins only.
func (h *Handlers) Routes(mux *http.ServeMux) {
	h.pageRoutes(mux)
	h.apiRoutes(mux)
	h.requestRoutes(mux)
}

func (h *Handlers) pageRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/users", h.auth.Page(auth.AccountsManage, h.usersPage))
	mux.Handle("GET /admin/users/new", h.auth.Page(auth.AccountsManage, h.newUserPage))
	mux.Handle("POST /admin/users", h.auth.Page(auth.AccountsManage, h.createUser))
	mux.Handle("GET /admin/users/{id}", h.auth.Page(auth.AccountsManage, h.userPage))
	mux.Handle("POST /admin/users/{id}", h.auth.Page(auth.AccountsManage, h.updateUser))
	mux.Handle("POST /admin/users/{id}/reset-password", h.auth.Page(auth.AccountsManage, h.resetPassword))
	mux.Handle("POST /admin/users/{id}/unlock", h.auth.Page(auth.AccountsManage, h.unlockUser))
	mux.Handle("POST /admin/users/{id}/deactivate", h.auth.Page(auth.AccountsManage, h.setActive(false)))
	mux.Handle("POST /admin/users/{id}/activate", h.auth.Page(auth.AccountsManage, h.setActive(true)))
	mux.Handle("POST /admin/users/{id}/sessions/end", h.auth.Page(auth.AccountsManage, h.endSessions))
}

type usersView struct {
	web.Page
	Users   []auth.User
	Filter  Filter
	Query   url.Values
	Pager   web.Pager
	Roles   []auth.Role
	Regions []RegionOption
	svc     *Service
}

// Status is an account's state in a word, for the list.
func (v *usersView) Status(u auth.User) string { return accountStatus(&u, v.svc) }

func accountStatus(u *auth.User, s *Service) string {
	switch {
	case !u.Active:
		return "已停用"
	case u.Locked(s.auth.Now()):
		return "已锁定"
	case u.MustChangePassword:
		return "待改密"
	}
	return "正常"
}

func filterFrom(r *http.Request) Filter {
	q := r.URL.Query()
	region, _ := strconv.ParseInt(q.Get("region"), 10, 64)
	return Filter{Role: auth.Role(q.Get("role")), RegionID: region, Status: q.Get("status"),
		Locked: q.Get("locked") != "", Q: strings.TrimSpace(q.Get("q"))}
}

func (h *Handlers) usersPage(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	f := filterFrom(r)
	pager := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pager.Limit, pager.Offset
	users, total, err := h.svc.ListUsers(r.Context(), p, f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	regions, err := h.svc.RegionsInScope(r.Context(), p)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pager.Total = total
	h.views.Render(w, r, http.StatusOK, "users.html", &usersView{Page: web.Page{Title: "账号管理"}, Users: users,
		Filter: f, Query: r.URL.Query(), Pager: pager, Roles: auth.Roles, Regions: regions, svc: h.svc})
}

type userFormView struct {
	web.Page
	Input   Input
	Roles   []auth.Role
	Regions []RegionOption
}

func (h *Handlers) renderNewUser(w http.ResponseWriter, r *http.Request, status int, in Input, err error) {
	regions, rerr := h.svc.RegionsInScope(r.Context(), auth.FromContext(r.Context()))
	if rerr != nil {
		h.kit.Error(w, r, rerr)
		return
	}
	v := &userFormView{Page: web.Page{Title: "新建账号"}, Input: in, Roles: directRoles(), Regions: regions}
	if err != nil {
		v.Error, v.Errors = errs.MessageOf(err), errs.FieldsOf(err)
	}
	h.views.Render(w, r, status, "user_new.html", v)
}

func (h *Handlers) newUserPage(w http.ResponseWriter, r *http.Request) {
	h.renderNewUser(w, r, http.StatusOK, Input{}, nil)
}

func accountInputFrom(r *http.Request) Input {
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	in := Input{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"), Role: auth.Role(r.PostFormValue("role")),
		RegionID: region, OrgName: r.PostFormValue("org_name")}
	// A typed password counts even if the "generate" choice was left on.
	if r.PostFormValue("password_mode") == "manual" || r.PostFormValue("password") != "" {
		in.Password = r.PostFormValue("password")
	}
	return in
}

type secretView struct {
	web.Page
	User     *auth.User
	Password string
	Created  bool
}

func (h *Handlers) showSecret(w http.ResponseWriter, r *http.Request, v *secretView) {
	// The password is on this page only: never cached, never in a redirect or a flash cookie.
	w.Header().Set("Cache-Control", "no-store")
	h.views.Render(w, r, http.StatusOK, "user_secret.html", v)
}

func (h *Handlers) createUser(w http.ResponseWriter, r *http.Request) {
	in := accountInputFrom(r)
	if in.Password != "" && in.Password != r.PostFormValue("confirm") {
		in.Password = ""
		h.renderNewUser(w, r, http.StatusUnprocessableEntity, in, errs.Field("confirm", "两次输入的密码不一致"))
		return
	}
	u, generated, err := h.svc.CreateAccount(r.Context(), auth.FromContext(r.Context()), in)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			h.kit.Error(w, r, err)
			return
		}
		in.Password = ""
		h.renderNewUser(w, r, web.Status(err), in, err)
		return
	}
	if generated == "" {
		web.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "账号已创建，用户首次登录时须修改密码")
		return
	}
	h.showSecret(w, r, &secretView{Page: web.Page{Title: "账号已创建"}, User: u, Password: generated, Created: true})
}

type userView struct {
	web.Page
	User     *auth.User
	Self     bool
	Status   string
	Sessions []ActiveSession
	Roles    []auth.Role
	Regions  []RegionOption
}

func (h *Handlers) renderUser(w http.ResponseWriter, r *http.Request, status int, u *auth.User, err error) {
	p := auth.FromContext(r.Context())
	sessions, serr := h.svc.Sessions(r.Context(), p, u.ID)
	if serr != nil {
		h.kit.Error(w, r, serr)
		return
	}
	regions, serr := h.svc.RegionsInScope(r.Context(), p)
	if serr != nil {
		h.kit.Error(w, r, serr)
		return
	}
	v := &userView{Page: web.Page{Title: "账号 " + u.Username}, User: u, Self: u.ID == p.UserID,
		Status: accountStatus(u, h.svc), Sessions: sessions, Roles: auth.Roles, Regions: regions}
	if err != nil {
		v.Error, v.Errors = errs.MessageOf(err), errs.FieldsOf(err)
	}
	h.views.Render(w, r, status, "user.html", v)
}

func (h *Handlers) userByPath(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	id, err := web.PathID(r, "id")
	if err == nil {
		var u *auth.User
		if u, err = h.svc.User(r.Context(), auth.FromContext(r.Context()), id); err == nil {
			return u, true
		}
	}
	h.kit.Error(w, r, err)
	return nil, false
}

func (h *Handlers) userPage(w http.ResponseWriter, r *http.Request) {
	if u, ok := h.userByPath(w, r); ok {
		h.renderUser(w, r, http.StatusOK, u, nil)
	}
}

func userLink(u *auth.User) string { return "/admin/users/" + strconv.FormatInt(u.ID, 10) }

func (h *Handlers) updateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userByPath(w, r)
	if !ok {
		return
	}
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	c := Change{Name: r.PostFormValue("name"), Role: auth.Role(r.PostFormValue("role")), RegionID: region,
		OrgName: r.PostFormValue("org_name")}
	if u.ID == auth.FromContext(r.Context()).UserID {
		// The own-account form has no role or region fields.
		c.Role, c.RegionID = u.Role, u.RegionID
	}
	if _, err := h.svc.UpdateAccount(r.Context(), auth.FromContext(r.Context()), u.ID, c); err != nil {
		if code := errs.CodeOf(err); code == errs.Internal || code == errs.NotFound {
			h.kit.Error(w, r, err)
			return
		}
		h.renderUser(w, r, web.Status(err), u, err)
		return
	}
	web.Redirect(w, r, userLink(u), "账号信息已保存")
}

func (h *Handlers) resetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userByPath(w, r)
	if !ok {
		return
	}
	reset, err := h.svc.ResetPassword(r.Context(), auth.FromContext(r.Context()), u.ID)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if reset.Password == "" {
		web.Redirect(w, r, userLink(u), "密码已重置，一次性口令已发给业务管理员 "+strings.Join(reset.SentTo, "、")+"，请其当面交给本人")
		return
	}
	h.showSecret(w, r, &secretView{Page: web.Page{Title: "密码已重置"}, User: u, Password: reset.Password})
}

func (h *Handlers) unlockUser(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userByPath(w, r)
	if !ok {
		return
	}
	if _, err := h.svc.Unlock(r.Context(), auth.FromContext(r.Context()), u.ID); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, userLink(u), "已解除锁定，该账号可以重新登录")
}

func (h *Handlers) setActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.userByPath(w, r)
		if !ok {
			return
		}
		if _, err := h.svc.SetActive(r.Context(), auth.FromContext(r.Context()), u.ID, active); err != nil {
			h.kit.Error(w, r, err)
			return
		}
		msg := "账号已停用，其所有登录会话和访问令牌已立即失效"
		if active {
			msg = "账号已重新启用"
		}
		web.Redirect(w, r, userLink(u), msg)
	}
}

func (h *Handlers) endSessions(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userByPath(w, r)
	if !ok {
		return
	}
	key := r.PostFormValue("key")
	if err := h.svc.EndSessions(r.Context(), auth.FromContext(r.Context()), u.ID, key); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	msg := "已结束该会话"
	if key == "" {
		msg = "已结束该账号的全部会话和访问令牌"
	}
	web.Redirect(w, r, userLink(u), msg)
}
