package accounts_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"linli/internal/accounts"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

func TestAccountStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		svc := accounts.NewService(d, auth.NewService(d, auth.Config{}))
		sec := f.Users["security"]
		ctx := audit.WithActor(f.Ctx("security"), audit.Actor{UserID: sec.UserID, Username: sec.Username, IP: "10.0.0.8"})

		t.Run("lists accounts by role, region, status and name", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				filter accounts.Filter
				want   int
			}{
				{"everyone in the district", accounts.Filter{}, 12},
				{"grid workers", accounts.Filter{Role: auth.GridWorker}, 2},
				{"in grid 01", accounts.Filter{RegionID: f.Grids[0].ID}, 3},
				{"by username, any case", accounts.Filter{Q: "WORKER0"}, 2},
				{"by name", accounts.Filter{Q: "测试grid"}, 2},
				{"a LIKE wildcard is literal", accounts.Filter{Q: "%"}, 0},
				{"active", accounts.Filter{Status: "active"}, 12},
				{"inactive", accounts.Filter{Status: "inactive"}, 0},
				{"locked", accounts.Filter{Locked: true}, 0},
			} {
				users, total, err := svc.ListUsers(ctx, sec, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if total != tt.want || len(users) != tt.want {
					t.Errorf("%s: total %d, %d rows, want %d", tt.name, total, len(users), tt.want)
				}
			}
		})

		t.Run("deactivation shows in the status filter and is audited with before and after", func(t *testing.T) {
			id := f.Users["worker02"].UserID
			if _, err := svc.SetActive(ctx, sec, id, false); err != nil {
				t.Fatal(err)
			}
			users, _, err := svc.ListUsers(ctx, sec, accounts.Filter{Status: "inactive"})
			if err != nil || len(users) != 1 || users[0].Username != "worker02" {
				t.Fatalf("inactive: %v %v", users, err)
			}
			recs, _, err := audit.List(ctx, d.R, auth.AuditScope(f.Users["auditor"]), audit.Filter{Action: "user.deactivate"})
			if err != nil || len(recs) != 1 || recs[0].Before != `{"active":true}` || recs[0].IP != "10.0.0.8" {
				t.Fatalf("audit: %+v %v", recs, err)
			}
		})

		t.Run("a lockout shows in the locked filter until unlocked", func(t *testing.T) {
			id := f.Users["grid01"].UserID
			if _, err := d.W.Exec(`UPDATE users SET failed_logins = 5, locked_until = $1 WHERE id = $2`,
				time.Now().UTC().Add(10*time.Minute), id); err != nil {
				t.Fatal(err)
			}
			if _, total, _ := svc.ListUsers(ctx, sec, accounts.Filter{Locked: true}); total != 1 {
				t.Fatalf("locked: %d", total)
			}
			u, err := svc.Unlock(ctx, sec, id)
			if err != nil || u.FailedLogins != 0 || u.LockedUntil != nil {
				t.Fatalf("unlock: %+v %v", u, err)
			}
		})

		t.Run("an update records the change", func(t *testing.T) {
			id := f.Users["mediator01"].UserID
			u, err := svc.UpdateAccount(ctx, sec, id, accounts.Change{Name: "王调解", Role: auth.Mediator, RegionID: f.Street.ID})
			if err != nil || u.RegionName != "南街街道" {
				t.Fatalf("update: %+v %v", u, err)
			}
			recs, _, _ := audit.List(ctx, d.R, auth.AuditScope(f.Users["auditor"]), audit.Filter{Action: "user.update", ObjectID: itoa(id)})
			if len(recs) != 1 {
				t.Fatalf("audit rows: %d", len(recs))
			}
			changed := map[string]bool{}
			for _, c := range audit.Diff(recs[0].Before, recs[0].After) {
				changed[c.Field] = c.Changed
			}
			// The auditor reads the fields by their Chinese names (名称 name, 区域 region_id, 角色 role).
			if !changed["名称"] || !changed["区域"] || changed["角色"] {
				t.Errorf("diff: %v", changed)
			}
		})

		t.Run("only security admins manage accounts", func(t *testing.T) {
			_, _, err := svc.ListUsers(f.Ctx("admin"), f.Users["admin"], accounts.Filter{})
			if !errs.Is(err, errs.Forbidden) {
				t.Errorf("community admin lists accounts: %v", err)
			}
			_, err = svc.User(context.Background(), f.Users["security"], f.Users["admin"].UserID)
			if err != nil {
				t.Errorf("security admin reads an account in scope: %v", err)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
