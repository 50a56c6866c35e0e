package app_test

import (
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

// writeRoutes returns every route pattern of a write method (POST, PUT, PATCH, DELETE) that the
// source under internal/ gives to a router's Handle or HandleFunc, so a route added anywhere is
// walked by the tests below without being listed.
func writeRoutes(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, _ := strconv.Unquote(lit.Value)
			method, _, _ := strings.Cut(pattern, " ")
			switch method {
			case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
				seen[pattern] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	if len(out) < 100 {
		t.Fatalf("found only %d write routes in the source: the scan is broken", len(out))
	}
	return out
}

// publicWrites are the write routes open without signing in, each for its reason. Every other
// write route must be behind auth.Guard.
var publicWrites = map[string]string{
	"POST /login":                                              "signing in",
	"POST /logout":                                             "signing out ends whatever session the browser has",
	"POST /api/v1/auth/token":                                  "signing in for a token",
	"POST /report":                                             "a resident's own report (诉求) from the public form",
	"POST /report/similar":                                     "the public form's check for similar open reports (reads only)",
	"POST /report/follow/{id}":                                 "a resident follows an open report instead of filing it again",
	"POST /track/{code}/rating":                                "the reporter rates the result on the tracking page (the code is the key)",
	"POST /api/v1/public/cases/{tracking}/rating":              "the same rating through the API",
	"POST /public/activities/{id}/signup":                      "a resident signs up for a published activity",
	"POST /public/activities/{id}/cancel":                      "a resident cancels their own sign-up (with its code)",
	"POST /public/activities/{id}/volunteer":                   "a resident volunteers for a published activity",
	"POST /public/venues/{id}/bookings":                        "a resident asks to book a room open to residents",
	"POST /checkin/{token}":                                    "checking in at an activity with its QR code",
	"POST /track":                                              "a resident looks a case up by its number and the last four digits of the phone (limited per address)",
	"POST /public/cobuild/needs":                               "a resident raises a need for the co-building alliance (rate-limited, phone sealed)",
	"POST /open311/v2/{doc}":                                   "Open311 clients post requests and updates with their api_key (checked by the open311 package)",
	"POST /public/deliberation/code":                           "a resident asks for the texted code that signs them in to the deliberation hall",
	"POST /public/deliberation/verify":                         "a resident enters that code",
	"POST /public/deliberation/signout":                        "a resident signs out of the deliberation hall",
	"POST /public/deliberation/topics":                         "a verified resident raises a topic (the resident's token is the key)",
	"POST /public/deliberation/topics/{id}/{what}":             "a verified resident supports, comments on, asks about or rates a topic",
	"POST /public/deliberation/meetings/{token}/checkin":       "a resident checks in at a meeting with its QR code",
	"POST /public/deliberation/meetings/{token}/motions/{mid}": "a checked-in resident casts a ballot",
}

var wildcardValue = regexp.MustCompile(`\{([^}.]*)(\.\.\.)?\}`)

// samplePath fills a pattern's wildcards with values that reach the handler.
func samplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = wildcardValue.ReplaceAllStringFunc(path, func(w string) string {
		switch strings.Trim(w, "{}.") {
		case "action":
			return "accept"
		case "outcome":
			return "resolved"
		case "date":
			return "2026-12-07"
		case "code", "token", "tracking":
			return "ABCDEFGH"
		}
		return "1"
	})
	return method, path
}

// A principal of the role, for asking whether a role may do a permission.
func can(role auth.Role, perm auth.Permission) bool {
	return (&auth.Principal{Role: role}).Can(perm)
}

// TestEveryWriteRouteIsGuarded walks every write route of the application (found in the source,
// resolved through the real router) and checks, for each: without a session it is refused (401
// for the API, the sign-in page for pages); a cross-site request is refused 403 even with a
// session; a signed-in role without the route's permission gets 403; and a write it accepts
// leaves an audit entry. Issue 11 "scope at every write" (the route table) and the guard.
func TestEveryWriteRouteIsGuarded(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { walkWriteRoutes(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		walkWriteRoutes(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

// The fixture users the walk signs in as, in the order it prefers them: the first without a
// route's permission is the one refused, the first with it the one whose write is audited.
var lacking = []string{"member01", "auditor", "security", "worker01", "mediator01", "grid01", "admin"}
var holding = []string{"admin", "grid01", "worker01", "mediator01", "security", "auditor", "member01"}

// unaudited are tables whose rows change without an audit entry of their own: the audit log
// itself, sessions and sign-in bookkeeping, background jobs, and a user's own notifications.
var unaudited = map[string]bool{"audit_log": true, "sessions": true, "jobs": true, "notifications": true,
	"schema_migrations": true}

func walkWriteRoutes(t *testing.T, env *apptest.Env) {
	routes := writeRoutes(t)
	writes.Store(0)
	tg := seedTargets(t, env)
	users := map[string]*apptest.Client{}
	roles := map[string]auth.Role{}
	for _, name := range holding {
		users[name] = env.Login(t, name)
		roles[name] = env.Fixture.Users[name].Role
	}
	anon := env.Anonymous(t)
	for _, pattern := range routes {
		method, path := samplePath(pattern)
		req, _ := http.NewRequest(method, "http://linli"+path, nil)
		h, got := env.Main.Router.Handler(req)
		if got != pattern {
			t.Errorf("%s: the router sends %s %s to %q", pattern, method, path, got)
			continue
		}
		if _, public := publicWrites[pattern]; public {
			if r := send(users["admin"], method, path, true); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s (public): a cross-site request answered %d, want 403", pattern, r.StatusCode)
			}
			if wroteUnaudited(t, env, func() { send(anon, method, path, false) }) {
				t.Errorf("%s (public) changed a table without an audit entry", pattern)
			}
			continue
		}
		g, ok := h.(auth.Guarded)
		if !ok {
			t.Errorf("%s is not behind auth.Guard (and not listed in publicWrites)", pattern)
			continue
		}
		// Without a session.
		r := send(anon, method, path, false)
		if g.API {
			if r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without a session: %d, want 401", pattern, r.StatusCode)
			}
		} else if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s without a session: %d to %q, want the sign-in page", pattern, r.StatusCode, loc)
		}
		// A role without the permission.
		var holder string
		for _, name := range holding {
			if g.Perm == "" || can(roles[name], g.Perm) {
				holder = name
				break
			}
		}
		if g.Perm != "" {
			for _, name := range lacking {
				if can(roles[name], g.Perm) {
					continue
				}
				if r := send(users[name], method, path, false); r.StatusCode != http.StatusForbidden {
					t.Errorf("%s as %s (%s, without %s): %d, want 403", pattern, name, roles[name], g.Perm, r.StatusCode)
				}
				break
			}
		}
		if holder == "" {
			t.Errorf("%s: no fixture user holds %s", pattern, g.Perm)
			continue
		}
		// Cross-site, with a session that may do it.
		if r := send(users[holder], method, path, true); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s cross-site as %s: %d, want 403", pattern, holder, r.StatusCode)
		}
		// Same-site, as the holder, with an empty body: most are refused for the missing fields
		// (some pages answer a refusal with a redirect and a message); any request that changed a
		// table must have left an audit entry with the change.
		// And with this community's ids in the path and the body, which reaches the write of
		// some routes whose other fields are optional.
		_, filled := tg.fillPath(pattern)
		if wroteUnaudited(t, env, func() { tg.sendFilled(users[holder], method, filled) }) {
			t.Errorf("%s as %s with ids changed a table without an audit entry", pattern, holder)
		}
	}
	t.Logf("%d write routes walked; %d of the requests (empty, or with ids) wrote, each with its audit entry", len(routes), writes.Load())
}

// send makes a write request with an empty body: JSON for the API, a form for pages. A
// cross-site request carries another site's Origin, as a browser would.
func send(c *apptest.Client, method, path string, crossSite bool) *apptest.Response {
	var req *http.Request
	if strings.HasPrefix(path, "/api/") {
		req, _ = http.NewRequest(method, serverURL(c)+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	} else {
		req, _ = http.NewRequest(method, serverURL(c)+path, strings.NewReader(url.Values{}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if crossSite {
		req.Header.Set("Origin", "https://attacker.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	return c.Do(req)
}

func serverURL(c *apptest.Client) string { return c.ServerURL() }

func auditRows(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.DB().R.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wroteUnaudited sends the request and reports whether it changed some table's rows while the
// audit log stayed as it was.
func wroteUnaudited(t *testing.T, env *apptest.Env, request func()) bool {
	t.Helper()
	before, rows := auditRows(t, env), tableDigest(t, env)
	request()
	after := tableDigest(t, env)
	for tb, d := range after {
		if rows[tb] == d {
			continue
		}
		if auditRows(t, env) == before {
			t.Logf("changed %s", tb)
			return true
		}
		writes.Add(1)
		break
	}
	return false
}

// writes counts the requests of the walk that changed a table (and were audited).
var writes atomic.Int64

// tableDigest is a digest of every table's rows (in any order), to tell whether a request
// changed anything.
func tableDigest(t *testing.T, env *apptest.Env) map[string][32]byte {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'`
	if env.DB().Dialect == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	names, err := env.DB().R.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !unaudited[n] && !strings.Contains(n, "fts") {
			tables = append(tables, n)
		}
	}
	names.Close()
	out := map[string][32]byte{}
	for _, tb := range tables {
		rows, err := env.DB().R.Query(`SELECT * FROM ` + tb)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		slices.Sort(lines)
		out[tb] = sha256.Sum256([]byte(strings.Join(lines, "\n")))
	}
	return out
}

// TestNoWriteRouteChangesAnotherCommunitysRecords walks every guarded write route as the community
// admin of 北关 (who holds every business permission, in their own community only), with the
// path's ids and the usual id fields of a body naming records of 南关, and checks that no table
// changes. Issue 11 "scope at every write". It proves that ids out of scope are refused by every
// route that a body of ids alone can reach; a route whose other required fields are missing stops
// earlier, and its own tests check its scope with complete bodies (cases' intake and dispatch,
// register, visits, party).
func TestNoWriteRouteChangesAnotherCommunitysRecords(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { walkOutOfScope(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		walkOutOfScope(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

// ownScopeWrites are routes the outsider may use to change their own records with ids alone.
var ownScopeWrites = map[string]string{
	"POST /account/password": "the outsider's own password form: a wrong current password counts as a failed sign-in",
}

func walkOutOfScope(t *testing.T, env *apptest.Env) {
	tg := seedTargets(t, env)
	outsider := env.Login(t, "other")
	for _, pattern := range writeRoutes(t) {
		method, path := tg.fillPath(pattern)
		req, _ := http.NewRequest(method, "http://linli"+path, nil)
		if h, _ := env.Main.Router.Handler(req); !isGuarded(h) {
			continue // public routes: walked by TestEveryWriteRouteIsGuarded
		}
		if _, ok := ownScopeWrites[pattern]; ok {
			continue
		}
		before := tableDigest(t, env)
		resp := tg.sendFilled(outsider, method, path)
		after := tableDigest(t, env)
		for tb, d := range after {
			if before[tb] != d {
				t.Errorf("%s as 北关's admin with 南关's ids (%d) changed %s", pattern, resp.StatusCode, tb)
			}
		}
	}
}

// targets are records of 南关 a walk names in paths and bodies: ids by the path segment before
// an id wildcard, and a JSON body and a form holding the usual id fields.
type targets struct {
	ids  map[string]int64
	body map[string]any
	form url.Values
}

func seedTargets(t *testing.T, env *apptest.Env) targets {
	t.Helper()
	f := env.Fixture
	b := f.AddBuilding(t, f.Grids[0], "南关小区9号楼", 100.45, 38.93)
	hh := f.AddHousehold(t, b, "1", "101")
	res := f.AddResident(t, register.ResidentInput{HouseholdID: hh, Name: "赵大海", BirthDate: "1960-01-02", Relation: "户主"})
	var category int64
	if err := env.DB().R.QueryRow(`SELECT id FROM case_categories WHERE code = 'dispute.leak'`).Scan(&category); err != nil {
		t.Fatal(err)
	}
	r := env.APIClient(t, "admin").JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": category,
		"description": "楼顶漏水", "household_id": hh, "resident_id": res})
	var c struct{ ID int64 }
	r.Decode(t, &c)
	ids := map[string]int64{"residents": res, "households": hh, "buildings": b, "grids": f.Grids[0].ID, "cases": c.ID,
		"regions": f.Community.ID, "communities": f.Community.ID}
	body := map[string]any{"resident_id": res, "household_id": hh, "building_id": b, "grid_id": f.Grids[0].ID,
		"community_id": f.Community.ID, "region_id": f.Community.ID, "case_id": c.ID, "resident_ids": []int64{res},
		"met": []int64{res}, "lead": map[string]any{"kind": "grid", "grid_id": f.Grids[0].ID}}
	form := url.Values{}
	for k, v := range body {
		if n, ok := v.(int64); ok {
			form.Set(k, strconv.FormatInt(n, 10))
		}
	}
	form.Set("met", strconv.FormatInt(res, 10))
	form.Set("lead", "grid:"+strconv.FormatInt(f.Grids[0].ID, 10))
	return targets{ids: ids, body: body, form: form}
}

// fillPath fills a pattern's wildcards: an id with the seeded record named by the segment before
// it (1 otherwise), an action with accept.
func (tg targets) fillPath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		_, filled := samplePath("POST /" + s)
		segs[i] = strings.TrimPrefix(filled, "/")
		if id, ok := tg.ids[segs[i-1]]; ok && filled == "/1" {
			segs[i] = strconv.FormatInt(id, 10)
		}
	}
	return method, strings.Join(segs, "/")
}

// sendFilled sends a write with the seeded ids: JSON for the API, a form for pages.
func (tg targets) sendFilled(c *apptest.Client, method, path string) *apptest.Response {
	if strings.HasPrefix(path, "/api/") {
		return c.JSON(method, path, tg.body)
	}
	rq, _ := http.NewRequest(method, c.ServerURL()+path, strings.NewReader(tg.form.Encode()))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(rq)
}

func isGuarded(h http.Handler) bool { _, ok := h.(auth.Guarded); return ok }
