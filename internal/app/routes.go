package app

import (
	"context"
	"net/http"
	"strings"

	"linli/internal/auth"
	"linli/internal/jobs"
	"linli/internal/metrics"
	"linli/internal/openapi"
	"linli/internal/party"
	"linli/internal/register"
	"linli/internal/reports"
	"linli/internal/web"
)

// services holds every capability's service, for the demo builder and background work.
type services struct {
	register *register.Service
	party    *party.Service
}

func (m *Main) build() error {
	kit, err := web.NewKit(m.Log)
	if err != nil {
		return err
	}
	kit.TileURL = m.Config.TileURL
	kit.Chrome = chrome
	m.Auth = auth.NewService(m.DB, m.Config.Auth)
	authH := auth.NewHandlers(m.Auth, kit)
	m.Jobs = jobs.NewRunner(m.DB, m.Log)

	m.services.register = register.NewService(m.DB, m.Sealer)
	m.services.party = party.NewService(m.DB, m.Sealer, m.services.register)

	mux := http.NewServeMux()
	mux.Handle("GET /static/", kit.Static())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := m.DB.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	apiDoc, err := OpenAPI()
	if err != nil {
		return err
	}
	mux.Handle("GET /api/v1/openapi.json", openapi.Handler(apiDoc))
	authH.Routes(mux)
	register.NewHandlers(m.services.register, authH, kit).Routes(mux)
	party.NewHandlers(m.services.party, authH, kit).Routes(mux)
	if err := m.buildJobs(mux, authH, kit); err != nil {
		return err
	}
	reports.NewHandlers(m.DB, authH, kit).Routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			kit.APIErr(w, r, errNotFound)
			return
		}
		kit.NotFound(w, r)
	})
	met := metrics.New(m.Config.MetricsToken, metrics.Pool{Name: "write", DB: m.DB.W}, metrics.Pool{Name: "read", DB: m.DB.R})
	m.Handler = met.Handler(kit.Middleware(authH.Middleware(mux)), mux)
	return nil
}

// startBackground starts the work that runs beside the HTTP server until ctx ends.
func (m *Main) startBackground(ctx context.Context) {
	m.startJobs(ctx)
}

func (m *Main) seedDemo(ctx context.Context) error { return nil }

// chrome builds the layout's user line and menu from the signed-in principal's permissions.
func chrome(r *http.Request) web.Chrome {
	p := auth.FromContext(r.Context())
	if p == nil {
		return web.Chrome{}
	}
	c := web.Chrome{SignedIn: true, UserName: p.Name, RoleLabel: p.Role.Label(), RegionName: p.RegionName}
	items := []struct {
		label, href string
		perm        auth.Permission
	}{
		{"首页", "/", auth.RegisterRead},
		{"网格", "/grids", auth.RegisterRead},
		{"楼院", "/buildings", auth.RegisterRead},
		{"居民", "/residents", auth.RegisterRead},
		{"台账导入", "/imports", auth.RegisterImport},
		{"党组织", "/party", auth.PartyRead},
		{"账号管理", "/admin/users", auth.AccountsManage},
		{"审计日志", "/audit", auth.AuditRead},
	}
	for _, it := range items {
		if !p.Can(it.perm) {
			continue
		}
		active := r.URL.Path == it.href || (it.href != "/" && strings.HasPrefix(r.URL.Path, it.href))
		c.Nav = append(c.Nav, web.NavItem{Label: it.label, Href: it.href, Active: active})
	}
	return c
}
