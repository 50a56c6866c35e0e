package app

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"linli/internal/accounts"
	"linli/internal/activities"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/deliberation"
	"linli/internal/demo"
	"linli/internal/jobs"
	"linli/internal/ledger"
	"linli/internal/mediation"
	"linli/internal/metrics"
	"linli/internal/notify"
	"linli/internal/openapi"
	"linli/internal/party"
	"linli/internal/register"
	"linli/internal/reports"
	"linli/internal/visits"
	"linli/internal/web"
)

// services holds every capability's service, for the demo builder and background work.
type services struct {
	register *register.Service
	ledger   *ledger.Ledger
	party    *party.Service
	cases    *cases.Service
	// activities is venues and activities, which other capabilities book rooms through.
	activities *activities.Service
	cobuild    *cobuild.Service
	// visits and mediation give the resident and household pages their records (dossier.go).
	visits    *visits.Service
	mediation *mediation.Service
	// deliberation is the residents' deliberation hall; the work briefing reads its figures.
	deliberation *deliberation.Service
}

func (m *Main) build() error {
	kit, err := web.NewKit(m.Log)
	if err != nil {
		return err
	}
	kit.TileURL = m.Config.TileURL
	kit.TrustedProxies = m.Config.TrustedProxies
	kit.CookieSecure = m.Config.CookieSecure
	kit.Chrome = m.chrome
	m.Auth = auth.NewService(m.DB, m.Config.Auth)
	m.Auth.OnAccountHeld = accounts.AlertSecurityAdmins
	signIn := auth.NewHandlers(m.Auth, kit)
	authH := auth.NewGuard(kit) // the route guard every capability receives
	m.Jobs = jobs.NewRunner(m.DB, m.Log)

	m.services.register = register.NewService(m.DB, m.Sealer)
	m.services.ledger = ledger.New(m.DB, m.Sealer, m.services.register, m.Log)
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
	signIn.Routes(mux)
	accounts.NewHandlers(accounts.NewService(m.DB, m.Auth), authH, kit).Routes(mux)
	audit.NewHandlers(audit.NewService(m.DB, auth.AuditReader), kit, audit.Access{
		Page: func(f http.HandlerFunc) http.Handler { return authH.Page(auth.AuditRead, f) },
		API:  func(f http.HandlerFunc) http.Handler { return authH.API(auth.AuditRead, f) },
	}).Routes(mux)
	registerH := register.NewHandlers(m.services.register, authH, kit)
	registerH.Dossier = m.dossier
	registerH.Routes(mux)
	ledger.NewHandlers(m.services.ledger, authH, kit).Routes(mux)
	partyH := party.NewHandlers(m.services.party, authH, kit)
	partyH.Routes(mux)
	if err := m.buildJobs(mux, authH, kit); err != nil {
		return err
	}
	if err := m.buildCases(mux, authH, kit); err != nil {
		return err
	}
	baseURL := m.Config.BaseURL
	if baseURL == "" {
		baseURL = os.Getenv("LINLI_BASE_URL")
	}
	casesH := cases.NewHandlers(m.services.cases, authH, kit, cases.PageOptions{BaseURL: baseURL})
	casesH.Routes(mux)
	m.buildOpen311(mux, authH, kit, baseURL)
	m.buildVisits(mux, authH, kit, partyH)
	m.buildMediation(mux, authH, kit)
	m.buildActivities(mux, authH, kit)
	// Residents' verification codes go to the SMS gateway of the notifications' webhook; without
	// one they are only logged (the demo's gateway).
	var sms deliberation.Sender = deliberation.LogSender{Log: m.Log}
	if hook := m.webhookConfig(); hook.URL != "" {
		sms = notify.NewWebhook(m.DB, hook)
	}
	m.services.deliberation = deliberation.NewService(m.DB, m.Sealer, m.services.activities, deliberation.Options{SMS: sms})
	m.services.deliberation.RegisterJobs(m.Jobs)
	if err := deliberation.EnqueueQuestionSweep(context.Background(), m.DB.W, time.Now()); err != nil {
		return err
	}
	deliberation.NewHandlers(m.services.deliberation, authH, kit, baseURL).Routes(mux)
	m.services.cobuild = cobuild.NewService(m.DB, cobuild.Options{Sealer: m.Sealer})
	m.services.cobuild.RegisterJobs(m.Jobs)
	cobuild.NewHandlers(m.services.cobuild, authH, kit).Routes(mux)
	m.buildBriefing(mux, authH, kit)
	reportsSvc := reports.NewService(m.DB)
	reportsSvc.Cases = m.services.cases
	reportsH := reports.NewHandlers(reportsSvc, authH, kit)
	reportsH.Public = http.HandlerFunc(casesH.PublicHome)
	reportsH.Routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			kit.APIErr(w, r, errNotFound)
			return
		}
		kit.NotFound(w, r)
	})
	met := metrics.New(m.Config.MetricsToken, metrics.Pool{Name: "write", DB: m.DB.W}, metrics.Pool{Name: "read", DB: m.DB.R})
	// With a read replica, whoever just wrote reads from the primary (db.RouteReads).
	m.Router = mux
	bodies, err := kit.Bodies(mux, bodyLimits())
	if err != nil {
		return err
	}
	m.Handler = m.DB.RouteReads(met.Handler(kit.Middleware(signIn.Middleware(bodies)), mux))
	return nil
}

// startBackground starts the work that runs beside the HTTP server until ctx ends.
func (m *Main) startBackground(ctx context.Context) {
	m.startJobs(ctx)
}

// seedDemo writes the Nanguan demo into an empty database, every demo account with one password:
// LINLI_DEMO_PASSWORD, or a random one printed at start. A database that already holds the demo
// keeps its data; its demo accounts get the password again so that the printed one works. Any
// other database is left untouched and no account gets a default password.
func (m *Main) seedDemo(ctx context.Context) error {
	password := m.Config.DemoPass
	if password == "" {
		password = demo.RandomPassword()
		m.Log.Warn("演示模式：未设置 LINLI_DEMO_PASSWORD，演示账号使用随机密码，仅供演示")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	empty, err := demo.Empty(ctx, m.DB)
	if err != nil {
		return err
	}
	if !empty {
		names, err := demo.ResetPasswords(ctx, m.DB, hash)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			m.DemoAccounts, m.DemoPassword = names, password
		}
		return nil
	}
	res, err := demo.Build(ctx, m.DB, m.Sealer, demo.Options{PasswordHash: hash})
	if err != nil {
		return err
	}
	m.DemoAccounts, m.DemoPassword, m.DemoSeeded = res.Accounts, password, true
	m.Log.Info("南关社区演示数据已写入", "took", res.Took.Round(time.Millisecond), "households", res.Households,
		"residents", res.Residents)
	return nil
}

// chrome builds the layout's user line, the bell's count of unread notifications and the menu
// from the signed-in principal's permissions.
func (m *Main) chrome(r *http.Request) web.Chrome {
	p := auth.FromContext(r.Context())
	if p == nil {
		return web.Chrome{}
	}
	c := web.Chrome{SignedIn: true, UserName: p.Name, RoleLabel: p.Role.Label(), RegionName: p.RegionName}
	if n, err := notify.UnreadCount(r.Context(), m.DB.R, p.UserID); err == nil {
		c.Unread = n
	} else {
		m.Log.Warn("unread notifications", "err", err)
	}
	home := struct{ label, href string }{"首页", "/"}
	if reports.LandsOnToday(p) {
		// Their home is the today page; their grid's figures are one entry further.
		home = struct{ label, href string }{"网格概况", "/overview"}
	}
	items := []struct {
		label, href string
		perm        auth.Permission
	}{
		{home.label, home.href, auth.RegisterRead},
		{"今日", "/today", auth.VisitsWrite},
		{"走访", "/visits", auth.VisitsRead},
		{"网格", "/grids", auth.RegisterRead},
		{"楼院", "/buildings", auth.RegisterRead},
		{"居民", "/residents", auth.RegisterRead},
		{"台账导入", "/imports", auth.RegisterImport},
		{"党组织", "/party", auth.PartyRead},
		{"诉求", "/cases", auth.CasesRead},
		{"共驻共建", "/cobuild", auth.CobuildRead},
		{"统计", "/cases/dashboard", auth.CasesRead},
		{"人民调解", "/mediation", auth.MediationRead},
		{"纠纷排查", "/mediation/screenings", auth.MediationScreen},
		{"工作简报", "/briefings", auth.BriefingRead},
		{"阵地预约", "/venues", auth.ActivitiesRead},
		{"活动", "/activities", auth.ActivitiesRead},
		{"议事厅", "/deliberation", auth.DeliberationRead},
		{"账号管理", "/admin/users", auth.AccountsManage},
		{"Open311 接入", "/admin/open311", auth.AccountsManage},
		{"账号申请", "/account-requests", auth.SettingsManage},
		{"审计日志", "/audit", auth.AuditRead},
	}
	for _, it := range items {
		if !p.Can(it.perm) {
			continue
		}
		active := r.URL.Path == it.href || (it.href != "/" && strings.HasPrefix(r.URL.Path, it.href))
		c.Nav = append(c.Nav, web.NavItem{Label: it.label, Href: it.href, Active: active})
	}
	// Only the most specific entry is active: /cases/dashboard lights 统计, not 诉求 as well.
	best := -1
	for i, n := range c.Nav {
		if n.Active && (best < 0 || len(n.Href) > len(c.Nav[best].Href)) {
			best = i
		}
	}
	for i := range c.Nav {
		c.Nav[i].Active = i == best
	}
	return c
}
