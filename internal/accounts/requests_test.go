package accounts_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db/dbtest"
)

// Issue 11, separation of duties for grid-level accounts: the community admin asks for a grid
// worker on the account-requests page, the security admin approves on theirs, and the one-time
// code reaches the community admin only; a reset code of the account goes the same way.
func TestGridAccountsAreRequestedByTheCommunityAndApprovedBySecurity(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { gridAccountRequests(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		gridAccountRequests(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

func gridAccountRequests(t *testing.T, env *apptest.Env) {
	f := env.Fixture
	admin, sec := env.Login(t, "admin"), env.Login(t, "security")
	grid := fmt.Sprint(f.Grids[1].ID)

	// The security admin alone opens no grid worker.
	r := sec.PostForm("/admin/users", url.Values{"username": {"wangfang"}, "name": {"王芳"}, "role": {"grid_worker"},
		"region_id": {grid}, "password_mode": {"generate"}})
	if r.StatusCode != http.StatusForbidden || secretRe.MatchString(r.Body) {
		t.Fatalf("the security admin created a grid worker alone: %d", r.StatusCode)
	}
	// Only business admins reach the request page.
	if r := env.Login(t, "worker01").Get("/account-requests"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a grid worker opened the request page: %d", r.StatusCode)
	}
	if r := sec.Get("/account-requests"); r.StatusCode != http.StatusForbidden {
		t.Errorf("the security admin opened the business admins' request page: %d", r.StatusCode)
	}
	page := admin.Get("/account-requests")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "网格员") || !strings.Contains(page.Body, "南关社区第二网格") {
		t.Fatalf("the request page: %d", page.StatusCode)
	}
	// A region outside the admin's community is refused with the field named.
	r = admin.PostForm("/account-requests", url.Values{"username": {"wangfang"}, "name": {"王芳"}, "role": {"grid_worker"},
		"region_id": {fmt.Sprint(f.OtherGrid.ID)}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "不在您的管辖范围内") {
		t.Errorf("a request for another community's grid: %d", r.StatusCode)
	}
	r = admin.PostForm("/account-requests", url.Values{"username": {"wangfang"}, "name": {"王芳"}, "role": {"grid_worker"},
		"region_id": {grid}, "reason": {"新聘网格员"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("file the request: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.PostForm("/account-requests", url.Values{"username": {"wangfang"}, "name": {"王芳"}, "role": {"grid_worker"},
		"region_id": {grid}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the same username requested twice: %d", r.StatusCode)
	}
	var reqID int64
	if err := env.DB().W.QueryRow(`SELECT id FROM account_requests WHERE username = 'wangfang'`).Scan(&reqID); err != nil {
		t.Fatal(err)
	}
	if auditCount(t, env, "user.request", reqID) != 1 {
		t.Error("the request is not audited")
	}
	// The requester cannot approve; the security admin sees it pending and approves.
	if r := admin.PostForm(fmt.Sprintf("/admin/account-requests/%d/approve", reqID), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("the community admin approved their own request: %d", r.StatusCode)
	}
	list := sec.Get("/admin/account-requests")
	if !strings.Contains(list.Body, "wangfang") || !strings.Contains(list.Body, "待审批") {
		t.Fatalf("the security admin's list lacks the pending request")
	}
	r = sec.PostForm(fmt.Sprintf("/admin/account-requests/%d/approve", reqID), nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	code := notifiedCode(t, env, "admin", "account.approved")
	for _, p := range []string{"/admin/account-requests", fmt.Sprintf("/admin/users/%d", userID(t, env, "wangfang"))} {
		if strings.Contains(sec.Get(p).Body, code) {
			t.Errorf("%s shows the code to the security admin", p)
		}
	}
	if notifiedCount(t, env, "security", "account.approved") != 0 {
		t.Error("the security admin was notified with the code")
	}
	c, resp := env.SignIn(t, "wangfang", code)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the code: %d", resp.StatusCode)
	}
	if r := c.Get("/residents"); r.Header.Get("Location") != "/account/password" {
		t.Errorf("the code opened %d %s, not the set-password form", r.StatusCode, r.Header.Get("Location"))
	}
	if mine := admin.Get("/account-requests"); !strings.Contains(mine.Body, "已开通") {
		t.Error("the requester's list does not show the request approved")
	}

	// A reset of the account: the code goes to the requester again, never to the security admin.
	id := userID(t, env, "wangfang")
	if r := sec.PostForm(fmt.Sprintf("/admin/users/%d/reset-password", id), nil); r.StatusCode != http.StatusSeeOther ||
		secretRe.MatchString(r.Body) {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	reset := notifiedCode(t, env, "admin", "account.reset")
	if reset == code {
		t.Fatal("the reset code is the old code")
	}
	if _, resp := env.SignIn(t, "wangfang", reset); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the reset code: %d", resp.StatusCode)
	}

	// A refused request tells the requester why and opens nothing.
	admin.PostForm("/account-requests", url.Values{"username": {"liqiang"}, "name": {"李强"}, "role": {"mediator"},
		"region_id": {fmt.Sprint(f.Community.ID)}})
	if err := env.DB().W.QueryRow(`SELECT id FROM account_requests WHERE username = 'liqiang'`).Scan(&reqID); err != nil {
		t.Fatal(err)
	}
	if r := sec.PostForm(fmt.Sprintf("/admin/account-requests/%d/reject", reqID), url.Values{"note": {"调解员须经司法所推荐"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	if r := sec.PostForm(fmt.Sprintf("/admin/account-requests/%d/approve", reqID), nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("approving a refused request: %d", r.StatusCode)
	}
	var users int
	env.DB().W.QueryRow(`SELECT COUNT(*) FROM users WHERE username = 'liqiang'`).Scan(&users)
	if users != 0 {
		t.Error("a refused request opened the account")
	}
	if mine := admin.Get("/account-requests"); !strings.Contains(mine.Body, "调解员须经司法所推荐") {
		t.Error("the requester does not see why the request was refused")
	}
	if notifiedCount(t, env, "admin", "account.rejected") != 1 {
		t.Error("the requester was not notified of the refusal")
	}
	api := env.APIClient(t, "security")
	var listed struct{ Total int }
	api.Get("/api/v1/account-requests").Decode(t, &listed)
	if listed.Total != 2 {
		t.Errorf("the API lists %d requests, want 2", listed.Total)
	}
}
