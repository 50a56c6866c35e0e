package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/fixture"
	"linli/internal/register"
)

var secretRe = regexp.MustCompile(`<strong class="masked secret">([^<]+)</strong>`)

// shownPassword returns the one-time password a page shows.
func shownPassword(t *testing.T, body string) string {
	t.Helper()
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no password on the page:\n%s", body)
	}
	return m[1]
}

func userID(t *testing.T, env *apptest.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := env.DB().W.QueryRow(`SELECT id FROM users WHERE username = $1`, username).Scan(&id); err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return id
}

func auditCount(t *testing.T, env *apptest.Env, action string, objectID int64) int {
	t.Helper()
	var n int
	if err := env.DB().W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2`,
		action, fmt.Sprint(objectID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAccountManagement(t *testing.T) {
	env := apptest.New(t)
	sec := env.Login(t, "security")
	community := env.Fixture.Community.ID
	grid := env.Fixture.Grids[0].ID

	t.Run("security admin creates an audit account with a generated password shown once", func(t *testing.T) {
		resp := sec.PostForm("/admin/users", url.Values{"username": {"zhangwei"}, "name": {"张伟"}, "role": {"auditor"},
			"region_id": {fmt.Sprint(community)}, "password_mode": {"generate"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "只显示这一次") {
			t.Fatalf("create: %d\n%s", resp.StatusCode, resp.Body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the password page may be cached: %q", resp.Header.Get("Cache-Control"))
		}
		pw := shownPassword(t, resp.Body)
		if auditCount(t, env, "user.create", userID(t, env, "zhangwei")) != 1 {
			t.Error("creation not audited")
		}
		if strings.Contains(env.Log.String(), pw) {
			t.Error("the generated password is in the server log")
		}
		c, resp := env.SignIn(t, "zhangwei", pw)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in with the generated password: %d", resp.StatusCode)
		}
		if resp := c.Get("/account/password"); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "请先设置新密码") {
			t.Fatalf("first sign-in should ask for a new password: %d", resp.StatusCode)
		}
		if resp := c.Get("/audit"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("before changing the password other pages redirect to the form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("the form explains what is wrong in Chinese", func(t *testing.T) {
		for _, tt := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"username": {"weak"}, "name": {"弱密码"}, "role": {"auditor"}, "region_id": {fmt.Sprint(grid)},
				"password_mode": {"manual"}, "password": {"abc"}, "confirm": {"abc"}}, "密码至少需要10个字符"},
			{url.Values{"username": {"wronglevel"}, "name": {"层级错"}, "role": {"grid_worker"}, "region_id": {fmt.Sprint(community)},
				"password_mode": {"generate"}}, "网格员只能设在网格一级"},
			{url.Values{"username": {"noorg"}, "name": {"无单位"}, "role": {"unit_contact"}, "region_id": {fmt.Sprint(community)},
				"password_mode": {"generate"}}, "须填写所属单位"},
			{url.Values{"username": {"admin"}, "name": {"重名"}, "role": {"auditor"}, "region_id": {fmt.Sprint(community)},
				"password_mode": {"generate"}}, "用户名已被使用"},
		} {
			resp := sec.PostForm("/admin/users", tt.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, tt.want) {
				t.Errorf("%s: %d, want 422 with %q", tt.form.Get("username"), resp.StatusCode, tt.want)
			}
		}
	})

	t.Run("reset password of a business account sends the code to the business side and signs the user out", func(t *testing.T) {
		worker := env.Login(t, "worker01")
		id := userID(t, env, "worker01")
		resp := sec.PostForm(fmt.Sprintf("/admin/users/%d/reset-password", id), nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		if secretRe.MatchString(resp.Body) || strings.Contains(sec.Get(resp.Header.Get("Location")).Body, "一次性口令：") {
			t.Fatal("the security admin was shown the worker's code")
		}
		// worker01 was opened without a request: the code goes to the community admin over grid 01.
		pw := notifiedCode(t, env, "admin", "account.reset")
		if n := notifiedCount(t, env, "security", "account.reset"); n != 0 {
			t.Fatalf("the security admin got %d reset codes", n)
		}
		if resp := worker.Get("/account/password"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the old session still works after a reset: %d", resp.StatusCode)
		}
		if _, resp := env.SignIn(t, "worker01", fixture.Password); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the old password still works: %d", resp.StatusCode)
		}
		c, resp := env.SignIn(t, "worker01", pw)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("temporary password: %d", resp.StatusCode)
		}
		if resp := c.Get("/audit"); resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("a reset password must be changed first, got %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if auditCount(t, env, "user.password_reset", id) != 1 {
			t.Error("reset not audited")
		}
	})

	t.Run("unlock after lockout lets the user sign in again", func(t *testing.T) {
		// Failures from one address hold only that address (issue 11 M2); the account itself is
		// held after AccountLockAfter failures from many.
		for i := 0; i < env.Main.Auth.Config().AccountLockAfter; i++ {
			ctx := audit.WithActor(context.Background(), audit.Actor{IP: fmt.Sprintf("192.0.2.%d", i+1)})
			env.Main.Auth.Authenticate(ctx, "grid02", "wrong-password")
		}
		if _, resp := env.SignIn(t, "grid02", fixture.Password); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("expected a lockout, got %d", resp.StatusCode)
		}
		id := userID(t, env, "grid02")
		list := sec.Get("/admin/users?locked=1")
		if !strings.Contains(list.Body, "grid02") || strings.Contains(list.Body, ">admin<") {
			t.Fatalf("locked filter:\n%s", list.Body)
		}
		if page := sec.Get(fmt.Sprintf("/admin/users/%d", id)); !strings.Contains(page.Body, "解除锁定") {
			t.Fatal("the account page offers no unlock")
		}
		if resp := sec.PostForm(fmt.Sprintf("/admin/users/%d/unlock", id), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unlock: %d", resp.StatusCode)
		}
		if _, resp := env.SignIn(t, "grid02", fixture.Password); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after unlock: %d", resp.StatusCode)
		}
		if auditCount(t, env, "user.unlock", id) != 1 {
			t.Error("unlock not audited")
		}
	})

	t.Run("deactivating ends sessions and tokens at once", func(t *testing.T) {
		web := env.Login(t, "member01")
		api := env.APIClient(t, "member01")
		id := userID(t, env, "member01")
		if resp := sec.PostForm(fmt.Sprintf("/admin/users/%d/deactivate", id), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", resp.StatusCode)
		}
		if resp := web.Get("/account/password"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("session after deactivation: %d", resp.StatusCode)
		}
		if resp := api.JSON("GET", "/api/v1/users", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token after deactivation: %d", resp.StatusCode)
		}
		if _, resp := env.SignIn(t, "member01", fixture.Password); resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(resp.Body, "账号已停用") {
			t.Errorf("sign-in of a deactivated account: %d", resp.StatusCode)
		}
		if resp := sec.PostForm(fmt.Sprintf("/admin/users/%d/activate", id), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("activate: %d", resp.StatusCode)
		}
		if _, resp := env.SignIn(t, "member01", fixture.Password); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("sign-in after reactivation: %d", resp.StatusCode)
		}
		if auditCount(t, env, "user.deactivate", id) != 1 || auditCount(t, env, "user.activate", id) != 1 {
			t.Error("deactivation and reactivation not audited")
		}
	})

	t.Run("security admin sees and ends a user's sessions", func(t *testing.T) {
		c := env.Login(t, "mediator01")
		id := userID(t, env, "mediator01")
		page := sec.Get(fmt.Sprintf("/admin/users/%d", id))
		m := regexp.MustCompile(`name="key" value="(s:[0-9a-f]+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no session listed:\n%s", page.Body)
		}
		if resp := sec.PostForm(fmt.Sprintf("/admin/users/%d/sessions/end", id), url.Values{"key": {m[1]}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("end session: %d", resp.StatusCode)
		}
		if resp := c.Get("/account/password"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the ended session still works: %d", resp.StatusCode)
		}
	})

	t.Run("nobody edits their own role or deactivates themselves", func(t *testing.T) {
		api := env.APIClient(t, "security")
		id := userID(t, env, "security")
		resp := api.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"role": "district_admin"})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("own role change: %d %s", resp.StatusCode, resp.Body)
		}
		resp = api.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"active": false})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("self-deactivation: %d", resp.StatusCode)
		}
		// The own-account form has no role field; a forged one is ignored.
		sec.PostForm(fmt.Sprintf("/admin/users/%d", id), url.Values{"name": {"安全员"}, "role": {"district_admin"},
			"region_id": {fmt.Sprint(env.Fixture.District.ID)}})
		var role string
		env.DB().W.QueryRow(`SELECT role FROM users WHERE id = $1`, id).Scan(&role)
		if role != string(auth.SecurityAdmin) {
			t.Errorf("role changed to %s", role)
		}
	})

	t.Run("API: create, get, update, unlock and reset", func(t *testing.T) {
		api := env.APIClient(t, "security")
		resp := api.JSON("POST", "/api/v1/users", map[string]any{"username": "lina", "name": "李娜", "role": "auditor",
			"region_id": community})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
		}
		var created struct {
			User            auth.User `json:"user"`
			InitialPassword string    `json:"initial_password"`
		}
		resp.Decode(t, &created)
		if created.InitialPassword == "" || !created.User.MustChangePassword {
			t.Fatalf("created: %+v", created)
		}
		path := fmt.Sprintf("/api/v1/users/%d", created.User.ID)
		if resp := api.JSON("PATCH", path, map[string]any{"name": "李娜娜", "region_id": env.Fixture.Street.ID}); resp.StatusCode != http.StatusOK ||
			!strings.Contains(resp.Body, `"name":"李娜娜"`) {
			t.Fatalf("update: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := api.JSON("POST", "/api/v1/users", map[string]any{"username": "lina2", "name": "李娜", "role": "department",
			"region_id": community, "org_name": "南街派出所"}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("the security admin opened a department account alone: %d", resp.StatusCode)
		}
		if resp := api.JSON("POST", path+"/unlock", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("unlock: %d", resp.StatusCode)
		}
		resp = api.JSON("POST", path+"/reset-password", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "temporary_password") {
			t.Fatalf("reset: %d %s", resp.StatusCode, resp.Body)
		}
		list := api.JSON("GET", "/api/v1/users?role=auditor&q=%E6%9D%8E", nil)
		var page struct {
			Items []auth.User
			Total int
		}
		list.Decode(t, &page)
		if page.Total != 1 || page.Items[0].Username != "lina" {
			t.Fatalf("filtered list: %s", list.Body)
		}
	})

	t.Run("a token of a user who must change the password is refused", func(t *testing.T) {
		api := env.APIClient(t, "security")
		resp := api.JSON("POST", "/api/v1/users", map[string]any{"username": "newbie", "name": "新人", "role": "auditor",
			"region_id": community, "password": "Fresh-Start-2025"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
		}
		c := env.Anonymous(t)
		tok := c.JSON("POST", "/api/v1/auth/token", map[string]string{"username": "newbie", "password": "Fresh-Start-2025"})
		tok.Decode(t, &struct{ Token *string }{&c.Token})
		if resp := c.JSON("GET", "/api/v1/users", nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "修改密码") {
			t.Fatalf("must-change token: %d %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestAccountScope(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	var otherStreet *register.Region
	err := env.DB().InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		otherStreet, err = register.CreateRegion(context.Background(), tx, register.NewRegion{ParentID: f.District.ID,
			Level: register.LevelStreet, Code: "620702002", Name: "东街街道"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.AddUser(t, "dongjie", auth.StreetAdmin, otherStreet)
	f.AddUser(t, "secstreet", auth.SecurityAdmin, f.Street)
	sec := env.Login(t, "secstreet")
	api := env.APIClient(t, "secstreet")
	foreign := userID(t, env, "dongjie")

	t.Run("a street security admin does not see another street's accounts", func(t *testing.T) {
		list := sec.Get("/admin/users")
		if strings.Contains(list.Body, "dongjie") || !strings.Contains(list.Body, "worker01") {
			t.Fatalf("list shows the wrong accounts:\n%s", list.Body)
		}
		if resp := sec.Get(fmt.Sprintf("/admin/users/%d", foreign)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("page of another street's account: %d", resp.StatusCode)
		}
		if resp := api.JSON("GET", fmt.Sprintf("/api/v1/users/%d", foreign), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("API get of another street's account: %d", resp.StatusCode)
		}
		if resp := api.JSON("POST", fmt.Sprintf("/api/v1/users/%d/reset-password", foreign), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("reset of another street's account: %d", resp.StatusCode)
		}
		if resp := api.JSON("GET", "/api/v1/users", nil); strings.Contains(resp.Body, "dongjie") || strings.Contains(resp.Body, `"district"`) {
			t.Errorf("API list leaks accounts outside the street: %s", resp.Body)
		}
	})

	t.Run("it cannot place an account above or beside its scope", func(t *testing.T) {
		for _, region := range []int64{f.District.ID, otherStreet.ID} {
			resp := api.JSON("POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("aud%d", region), "name": "审计",
				"role": "auditor", "region_id": region})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "不在您的管辖范围内") {
				t.Errorf("auditor at region %d: %d %s", region, resp.StatusCode, resp.Body)
			}
		}
		resp := api.JSON("POST", "/api/v1/users", map[string]any{"username": "audstreet", "name": "街道审计员",
			"role": "auditor", "region_id": f.Street.ID})
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("auditor at its own street: %d %s", resp.StatusCode, resp.Body)
		}
		id := userID(t, env, "worker01")
		resp = api.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"role": "district_admin", "region_id": f.District.ID})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("moving an account out of scope: %d", resp.StatusCode)
		}
	})
}

// notifiedCode is the one-time code in the newest notification of kind to username.
func notifiedCode(t *testing.T, env *apptest.Env, username, kind string) string {
	t.Helper()
	var body string
	env.DB().W.QueryRow(`SELECT n.body FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.username = $1 AND n.kind = $2 ORDER BY n.id DESC LIMIT 1`, username, kind).Scan(&body)
	m := regexp.MustCompile(`口令：([A-Za-z0-9-]+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %s's %s notification: %q", username, kind, body)
	}
	return m[1]
}

func notifiedCount(t *testing.T, env *apptest.Env, username, kind string) int {
	t.Helper()
	var n int
	env.DB().W.QueryRow(`SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.username = $1 AND n.kind = $2`, username, kind).Scan(&n)
	return n
}
