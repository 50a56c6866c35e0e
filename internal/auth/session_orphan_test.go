package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

// withoutForeignKeys runs statement on d with foreign-key checks off, leaving rows that point
// nowhere — as a session left behind by a removed account or region would.
func withoutForeignKeys(t *testing.T, d *db.DB, statement string, args ...any) {
	t.Helper()
	ctx := context.Background()
	switch d.Dialect {
	case db.SQLite: // one writer connection: the pragma holds for the statement
		for _, q := range []string{`PRAGMA foreign_keys = OFF`, statement, `PRAGMA foreign_keys = ON`} {
			a := args
			if q != statement {
				a = nil
			}
			if _, err := d.W.ExecContext(ctx, q, a...); err != nil {
				t.Fatal(err)
			}
		}
	default:
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, statement, args...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSessionOfARemovedAccountIsSignedOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		svc := auth.NewService(d, auth.Config{})
		ctx := context.Background()
		for _, tt := range []struct {
			name, user, orphan string
		}{
			{"the account row is gone", "worker01", `DELETE FROM users WHERE id = $1`},
			{"the account's region is gone", "worker02", `UPDATE users SET region_id = 999999 WHERE id = $1`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				id := f.Users[tt.user].UserID
				token, err := svc.StartSession(ctx, id, "10.0.0.9", "test")
				if err != nil {
					t.Fatal(err)
				}
				withoutForeignKeys(t, d, tt.orphan, id)
				if _, err := svc.SessionPrincipal(ctx, token); !errs.Is(err, errs.Unauthorized) {
					t.Fatalf("SessionPrincipal = %v, want unauthorized", err)
				}
				var left int
				if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, id).Scan(&left); err != nil || left != 0 {
					t.Errorf("sessions left: %d, %v", left, err)
				}
			})
		}
	})
}

func TestSignedInUserWhoseAccountIsRemovedGoesBackToSignIn(t *testing.T) {
	env := apptest.New(t)
	c := env.Login(t, "worker01")
	withoutForeignKeys(t, env.DB(), `DELETE FROM users WHERE id = $1`, env.Fixture.Users["worker01"].UserID)
	resp := c.Get("/residents")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("got %d → %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	cleared := false
	for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
		if ck.Name == auth.SessionCookie && ck.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Error("the session cookie was not cleared")
	}
}
