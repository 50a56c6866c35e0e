package auth

import (
	"net/http"
	"net/url"

	"linli/internal/errs"
	"linli/internal/web"
)

// Guard is what a capability receives to protect its routes: it admits a request only for a
// signed-in principal who may do the route's permission. It is a small value, built once by the
// app, so a capability depends on the guard and not on the sign-in pages.
type Guard struct {
	kit *web.Kit
}

// NewGuard returns the guard that answers refused requests through kit's error pages and API errors.
func NewGuard(kit *web.Kit) Guard { return Guard{kit: kit} }

// Page guards an HTML handler: anonymous users go to the sign-in page, users who must change their
// password go to that form, and users without perm (when perm is set) get 403.
func (g Guard) Page(perm Permission, next http.HandlerFunc) http.Handler {
	return Guarded{Perm: perm, h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := FromContext(r.Context())
		if p == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if p.MustChange && r.URL.Path != "/account/password" {
			web.Redirect(w, r, "/account/password", "首次登录或密码已重置，请先修改密码")
			return
		}
		if perm != "" {
			if err := p.Require(perm); err != nil {
				g.kit.Error(w, r, err)
				return
			}
		}
		next(w, r)
	})}
}

// API guards a JSON handler: 401 without credentials, 403 for a user who must first change their
// password or lacks perm (when set).
func (g Guard) API(perm Permission, next http.HandlerFunc) http.Handler {
	return Guarded{Perm: perm, API: true, h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := FromContext(r.Context())
		if p == nil {
			g.kit.APIErr(w, r, errs.E(errs.Unauthorized, "请先登录或提供有效的访问令牌"))
			return
		}
		if p.MustChange {
			g.kit.APIErr(w, r, errs.E(errs.Forbidden, "密码已重置或为初始密码，请先登录网页修改密码"))
			return
		}
		if perm != "" {
			if err := p.Require(perm); err != nil {
				g.kit.APIErr(w, r, err)
				return
			}
		}
		next(w, r)
	})}
}

// Guarded is a route behind the guard. It says which permission the route requires, so that a
// test can walk the router and check every route against its permission.
type Guarded struct {
	Perm Permission // empty: any signed-in user
	API  bool       // a JSON route (401 without credentials) rather than a page (sign-in redirect)
	h    http.Handler
}

func (g Guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.h.ServeHTTP(w, r) }
