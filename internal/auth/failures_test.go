package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// guessInParallel tries n wrong passwords for username at once, each from its own address (one
// address alone is held after a few, see TestSignInThrottle).
func guessInParallel(t *testing.T, svc *auth.Service, username string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		ctx := audit.WithActor(context.Background(), audit.Actor{IP: fmt.Sprintf("198.51.100.%d", i+1)})
		go func() {
			defer wg.Done()
			if _, err := svc.Authenticate(ctx, username, "Wrong-Password-1"); err == nil {
				t.Error("a wrong password signed in")
			}
		}()
	}
	wg.Wait()
}

func TestFailedSignInsAreCountedAtomically(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fixture.New(t, d)
		count := func(q string) (n int) {
			if err := d.W.QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		t.Run("ten parallel wrong passwords count ten (M1)", func(t *testing.T) {
			guessInParallel(t, auth.NewService(d, auth.Config{}), "admin", 10)
			if n := count(`SELECT failed_logins FROM users WHERE username = 'admin'`); n != 10 {
				t.Errorf("failed_logins = %d, want 10", n)
			}
		})

		t.Run("parallel guesses past the account's limit hold it once (M1)", func(t *testing.T) {
			svc := auth.NewService(d, auth.Config{AccountLockAfter: 5})
			guessInParallel(t, svc, "street", 10)
			// Guesses that arrive after the hold began are refused before any password check and
			// do not count; every one that was checked counts.
			checked := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND username = 'street'`)
			if n := count(`SELECT failed_logins FROM users WHERE username = 'street'`); n < 5 || n != checked {
				t.Errorf("failed_logins = %d after %d checked wrong passwords", n, checked)
			}
			if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.locked' AND username = 'street'`); n != 1 {
				t.Errorf("the hold was audited %d times, want once", n)
			}
			if _, err := svc.Authenticate(context.Background(), "street", fixture.Password); err == nil {
				t.Error("the account is not held")
			}
		})
	})
}
