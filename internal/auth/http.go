package auth

import (
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// SessionCookie is the name of the session cookie.
const SessionCookie = "linli_session"

// Handlers serves sign-in, sign-out, password change and the token endpoint, and provides the
// middleware that puts the principal into every request.
type Handlers struct {
	svc     *Service
	kit     *web.Kit
	guard   Guard
	views   *web.Views
	limiter *web.Limiter
}

// NewHandlers returns the auth handlers.
func NewHandlers(svc *Service, kit *web.Kit) *Handlers {
	h := &Handlers{svc: svc, kit: kit, guard: NewGuard(kit), views: kit.Views(templates, nil)}
	if svc.cfg.FailuresPerMinute > 0 {
		h.limiter = web.NewLimiter(time.Minute/time.Duration(svc.cfg.FailuresPerMinute), svc.cfg.FailureBurst)
	}
	return h
}

// Routes registers the sign-in pages, the password change form and the token endpoint.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.Handle("GET /account/password", h.guard.Page("", h.passwordPage))
	mux.Handle("POST /account/password", h.guard.Page("", h.changePassword))
	mux.HandleFunc("POST /api/v1/auth/token", h.token)
	mux.Handle("GET /account/tokens", h.guard.Page("", h.tokensPage))
	mux.Handle("POST /account/tokens/{id}/revoke", h.guard.Page("", h.revokeTokenForm))
	mux.Handle("GET /api/v1/auth/tokens", h.guard.API("", h.apiTokens))
	mux.Handle("DELETE /api/v1/auth/tokens/{id}", h.guard.API("", h.apiRevokeToken))
}

// throttled answers true, having refused the request, when the client has failed to sign in too
// often; the first refusal in a window is audited.
func (h *Handlers) throttled(r *http.Request, username string) (bool, time.Duration) {
	blocked, wait, first := h.limiter.Blocked(r, h.svc.Now())
	if blocked && first {
		_ = h.svc.audit(r.Context(), audit.Entry{Action: "auth.rate_limited", ObjectType: "user",
			Detail: "来自该地址的登录失败次数过多，暂停登录（尝试的用户名：" + username + "）"})
	}
	return blocked, wait
}

func errThrottled(wait time.Duration) error {
	mins := int(wait/time.Minute) + 1
	return errs.E(errs.TooMany, "登录尝试过于频繁，请%d分钟后再试", mins)
}

// countFailure feeds a failed sign-in to the per-address limit.
func (h *Handlers) countFailure(r *http.Request, err error) {
	if code := errs.CodeOf(err); code == errs.Unauthorized || code == errs.TooMany {
		h.limiter.Allow(r, h.svc.Now()) // a failure takes a token; an empty bucket blocks
	}
}

// Middleware resolves the bearer token or session cookie to a principal and puts it, and the audit
// actor, into the request context. Requests without credentials pass through anonymous.
func (h *Handlers) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		actor := audit.Actor{IP: web.ClientIP(r), RequestID: web.RequestID(ctx)}
		var p *Principal
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			var err error
			if p, err = h.svc.TokenPrincipal(ctx, strings.TrimSpace(bearer)); err != nil {
				h.kit.APIErr(w, r, err)
				return
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if p, err = h.svc.SessionPrincipal(ctx, c.Value); err != nil {
				if errs.CodeOf(err) != errs.Unauthorized {
					h.kit.Error(w, r, err)
					return
				}
				h.clearCookie(w)
				p = nil
			}
		}
		if p != nil {
			actor.UserID, actor.Username = p.UserID, p.Username
			ctx = WithPrincipal(ctx, p)
		}
		next.ServeHTTP(w, r.WithContext(audit.WithActor(ctx, actor)))
	})
}

type loginView struct {
	web.Page
	Username string
	Next     string
	Demo     []string
}

// safeNext keeps a sign-in's return address only when it is a path on this site. Browsers drop
// tabs and line breaks from a URL and read a backslash as a slash, so "/\t/evil.example" would
// leave the site: any control character, space or backslash is refused along with "//".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(c rune) bool { return c <= ' ' || c == '\\' || c == 0x7f }) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func (h *Handlers) loginPage(w http.ResponseWriter, r *http.Request) {
	if FromContext(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.views.Render(w, r, http.StatusOK, "login.html", &loginView{Page: web.Page{Title: "登录"}, Next: r.URL.Query().Get("next")})
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	if blocked, wait := h.throttled(r, username); blocked {
		web.RetryAfter(w, wait)
		h.views.Render(w, r, http.StatusTooManyRequests, "login.html", &loginView{
			Page: web.Page{Title: "登录", Error: errs.MessageOf(errThrottled(wait))}, Username: username, Next: next})
		return
	}
	u, err := h.svc.Authenticate(r.Context(), username, r.PostFormValue("password"))
	h.countFailure(r, err)
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Unauthorized && code != errs.TooMany {
			h.kit.Error(w, r, err)
			return
		}
		h.views.Render(w, r, web.Status(err), "login.html", &loginView{
			Page: web.Page{Title: "登录", Error: errs.MessageOf(err)}, Username: username, Next: next})
		return
	}
	token, err := h.svc.StartSession(r.Context(), u.ID, web.ClientIP(r), r.UserAgent())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: web.Secure(r), SameSite: http.SameSiteLaxMode,
		MaxAge: int(h.svc.cfg.MaxAge / time.Second)})
	if next == "/" {
		next = landing(u.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// landing is where a role starts after signing in: security admins and auditors have no business
// pages (separation of duties), so they start at the one area they may use.
func landing(r Role) string {
	switch r {
	case SecurityAdmin:
		return "/admin/users"
	case Auditor:
		return "/audit"
	}
	return "/"
}

func (h *Handlers) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1})
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	if p := FromContext(r.Context()); p != nil && p.SessionID != "" {
		if err := h.svc.EndSession(r.Context(), p); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	h.clearCookie(w)
	web.Redirect(w, r, "/login", "您已安全退出")
}

type passwordView struct {
	web.Page
	MustChange bool
}

func (h *Handlers) passwordPage(w http.ResponseWriter, r *http.Request) {
	p := FromContext(r.Context())
	h.views.Render(w, r, http.StatusOK, "password.html", &passwordView{Page: web.Page{Title: "修改密码"}, MustChange: p.MustChange})
}

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	p := FromContext(r.Context())
	next := r.PostFormValue("password")
	if next != r.PostFormValue("confirm") {
		h.views.Render(w, r, http.StatusUnprocessableEntity, "password.html", &passwordView{
			Page: web.Page{Title: "修改密码", Errors: map[string]string{"confirm": "两次输入的新密码不一致"}}, MustChange: p.MustChange})
		return
	}
	if err := h.svc.ChangePassword(r.Context(), p, r.PostFormValue("current"), next); err != nil {
		if errs.CodeOf(err) == errs.Internal {
			h.kit.Error(w, r, err)
			return
		}
		h.views.Render(w, r, web.Status(err), "password.html", &passwordView{
			Page: web.Page{Title: "修改密码", Error: errs.MessageOf(err), Errors: errs.FieldsOf(err)}, MustChange: p.MustChange})
		return
	}
	web.Redirect(w, r, "/", "密码已修改")
}

// TokenRequest is the body of POST /api/v1/auth/token.
type TokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Name     string `json:"name"` // what the token is for, shown in the token list; optional
}

// TokenResponse answers POST /api/v1/auth/token.
type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handlers) token(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := web.DecodeJSON(r, &req); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	if blocked, wait := h.throttled(r, req.Username); blocked {
		web.RetryAfter(w, wait)
		h.kit.APIErr(w, r, errThrottled(wait))
		return
	}
	u, err := h.svc.Authenticate(r.Context(), strings.TrimSpace(req.Username), req.Password)
	h.countFailure(r, err)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	token, exp, err := h.svc.IssueToken(r.Context(), u.ID, req.Name)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, TokenResponse{Token: token, ExpiresAt: exp})
}
