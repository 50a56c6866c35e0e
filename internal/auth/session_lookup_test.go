package auth_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

// A session is read with its user and region in one statement on every request and kept nowhere
// else: whatever ends a session or changes its user is seen by the very next request.
func TestSessionLookupSeesEveryChangeAtTheNextRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		svc := auth.NewService(d, auth.Config{})
		ctx := context.Background()
		start := func(t *testing.T, user string) string {
			t.Helper()
			token, err := svc.StartSession(ctx, f.Users[user].UserID, "10.0.0.9", "test")
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.SessionPrincipal(ctx, token)
			if err != nil || p.UserID != f.Users[user].UserID || p.Role != f.Users[user].Role || p.RegionPath == "" {
				t.Fatalf("fresh session: %+v, %v", p, err)
			}
			return token
		}
		refused := func(t *testing.T, token string) {
			t.Helper()
			if p, err := svc.SessionPrincipal(ctx, token); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("SessionPrincipal = %+v, %v; want unauthorized", p, err)
			}
		}

		t.Run("signed out: refused at once", func(t *testing.T) {
			token := start(t, "worker01")
			p, _ := svc.SessionPrincipal(ctx, token)
			if err := svc.EndSession(ctx, p); err != nil {
				t.Fatal(err)
			}
			refused(t, token)
		})
		t.Run("all of a user's sessions ended (password reset, removal): refused at once", func(t *testing.T) {
			token := start(t, "worker01")
			if err := auth.EndUserSessions(ctx, d.W, f.Users["worker01"].UserID); err != nil {
				t.Fatal(err)
			}
			refused(t, token)
		})
		t.Run("account deactivated: refused at once and its sessions ended", func(t *testing.T) {
			token := start(t, "worker02")
			id := f.Users["worker02"].UserID
			if _, err := d.W.ExecContext(ctx, `UPDATE users SET active = FALSE WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			refused(t, token)
			var left int
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, id).Scan(&left); err != nil || left != 0 {
				t.Errorf("sessions left: %d, %v", left, err)
			}
			if _, err := d.W.ExecContext(ctx, `UPDATE users SET active = TRUE WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("role and region changed: the next request has the new ones", func(t *testing.T) {
			token := start(t, "grid01")
			id := f.Users["grid01"].UserID
			if _, err := d.W.ExecContext(ctx, `UPDATE users SET role = $1, region_id = $2 WHERE id = $3`,
				string(auth.CommunityAdmin), f.Community.ID, id); err != nil {
				t.Fatal(err)
			}
			p, err := svc.SessionPrincipal(ctx, token)
			if err != nil || p.Role != auth.CommunityAdmin || p.RegionID != f.Community.ID {
				t.Fatalf("after the change: %+v, %v", p, err)
			}
		})
		t.Run("idle past the limit and past the absolute age: refused and ended", func(t *testing.T) {
			defer func() { svc.Now = func() time.Time { return time.Now().UTC() } }()
			for _, later := range []time.Duration{31 * time.Minute, 13 * time.Hour} {
				svc.Now = func() time.Time { return time.Now().UTC() }
				token := start(t, "worker01")
				svc.Now = func() time.Time { return time.Now().UTC().Add(later) }
				refused(t, token)
				svc.Now = func() time.Time { return time.Now().UTC() }
				refused(t, token) // ended, not just too old
			}
		})
		t.Run("an unknown token is refused", func(t *testing.T) {
			refused(t, "no-such-session-token")
		})
	})
}

// A token is read with one statement and its last use written at most once a minute: an API read
// does not take SQLite's single writer on every request, and an idle token still ends on time.
func TestTokenLastUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		svc := auth.NewService(d, auth.Config{TokenIdle: 2 * time.Hour})
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		svc.Now = func() time.Time { return now }
		token, _, err := svc.IssueToken(ctx, f.Users["worker01"].UserID, "脚本")
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			var at sql.NullTime
			if err := d.R.QueryRowContext(ctx, `SELECT last_used_at FROM api_tokens WHERE user_id = $1`, f.Users["worker01"].UserID).Scan(&at); err != nil {
				t.Fatal(err)
			}
			return at.Time
		}
		use := func(at time.Time) error {
			svc.Now = func() time.Time { return at }
			_, err := svc.TokenPrincipal(ctx, token)
			return err
		}
		if err := use(now); err != nil || !lastUsed().Equal(now) {
			t.Fatalf("first use: %v, last used %v", err, lastUsed())
		}
		if err := use(now.Add(30 * time.Second)); err != nil || !lastUsed().Equal(now) {
			t.Fatalf("within the minute: %v, last used %v (want unchanged %v)", err, lastUsed(), now)
		}
		later := now.Add(90 * time.Minute)
		if err := use(later); err != nil || !lastUsed().Equal(later) {
			t.Fatalf("after a minute: %v, last used %v", err, lastUsed())
		}
		if err := use(later.Add(2*time.Hour + time.Second)); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("idle past TokenIdle: %v, want unauthorized", err)
		}
		if err := auth.EndUserSessions(ctx, d.W, f.Users["worker01"].UserID); err != nil {
			t.Fatal(err)
		}
		if err := use(later); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("revoked: %v, want unauthorized", err)
		}
	})
}
