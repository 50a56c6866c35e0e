package accounts_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
)

var codeRe = regexp.MustCompile(`一次性初始口令：([A-Za-z0-9-]+)`)

func TestSeparationOfDutiesInAccounts(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	sec := env.APIClient(t, "security")

	t.Run("the security admin alone cannot create a district admin (M6)", func(t *testing.T) {
		resp := sec.JSON("POST", "/api/v1/users", map[string]any{"username": "newdistrict", "name": "新区管",
			"role": "district_admin", "region_id": f.District.ID, "password": "Gobi-Desert-Wind-8"})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "开通申请") {
			t.Fatalf("direct creation: %d %s", resp.StatusCode, resp.Body)
		}
		var n int
		env.DB().W.QueryRow(`SELECT COUNT(*) FROM users WHERE username = 'newdistrict'`).Scan(&n)
		if n != 0 {
			t.Error("the account exists")
		}
	})

	t.Run("the security admin cannot make the auditor a security admin or give one person two duties (M6)", func(t *testing.T) {
		resp := sec.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", userID(t, env, "auditor")), map[string]any{"role": "security_admin"})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor → security admin: %d %s", resp.StatusCode, resp.Body)
		}
		resp = sec.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", userID(t, env, "street")), map[string]any{"role": "auditor",
			"region_id": f.Street.ID})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("street admin → auditor (two duties for one person): %d %s", resp.StatusCode, resp.Body)
		}
		resp = sec.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", userID(t, env, "admin")), map[string]any{"role": "street_admin",
			"region_id": f.Street.ID})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("community admin raised to street admin without a request: %d %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("a business admin requests, the security admin approves, the code reaches the requester only (M6)", func(t *testing.T) {
		street := env.APIClient(t, "street")
		resp := street.JSON("POST", "/api/v1/account-requests", map[string]any{"username": "nanguan2", "name": "南关新主任",
			"role": "community_admin", "region_id": f.Community.ID, "reason": "社区主任换届"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("request: %d %s", resp.StatusCode, resp.Body)
		}
		var req struct{ ID int64 }
		resp.Decode(t, &req)
		if r := street.JSON("POST", fmt.Sprintf("/api/v1/account-requests/%d/approve", req.ID), nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("the requester approving: %d", r.StatusCode)
		}
		approved := sec.JSON("POST", fmt.Sprintf("/api/v1/account-requests/%d/approve", req.ID), nil)
		if approved.StatusCode != http.StatusOK {
			t.Fatalf("approve: %d %s", approved.StatusCode, approved.Body)
		}
		var body string
		env.DB().W.QueryRow(`SELECT n.body FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE u.username = 'street' AND n.kind = 'account.approved'`).Scan(&body)
		m := codeRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no code in the requester's notification: %q", body)
		}
		if strings.Contains(approved.Body, m[1]) {
			t.Error("the security admin was shown the code")
		}

		t.Run("signing in with the code opens only the set-password page (M6)", func(t *testing.T) {
			c, resp := env.SignIn(t, "nanguan2", m[1])
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in with the code: %d", resp.StatusCode)
			}
			for _, path := range []string{"/", "/residents", "/cases", "/account/tokens"} {
				if r := c.Get(path); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account/password" {
					t.Errorf("GET %s with the code: %d %s", path, r.StatusCode, r.Header.Get("Location"))
				}
			}
			tok := env.Anonymous(t).JSON("POST", "/api/v1/auth/token", map[string]string{"username": "nanguan2", "password": m[1]})
			if tok.StatusCode == http.StatusCreated {
				var tk struct{ Token string }
				tok.Decode(t, &tk)
				api := env.Anonymous(t)
				api.Token = tk.Token
				if r := api.JSON("GET", "/api/v1/residents", nil); r.StatusCode != http.StatusForbidden {
					t.Errorf("the API with the code: %d", r.StatusCode)
				}
			}
		})

		t.Run("the code expires (M6)", func(t *testing.T) {
			env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(73 * time.Hour) }
			defer func() { env.Main.Auth.Now = func() time.Time { return time.Now().UTC() } }()
			if _, resp := env.SignIn(t, "nanguan2", m[1]); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Body, "已过期") {
				t.Errorf("an expired code: %d", resp.StatusCode)
			}
		})
	})
}
