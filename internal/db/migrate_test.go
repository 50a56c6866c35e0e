package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestTwoProcessesMigratingAtOnceRunEachMigrationOnce(t *testing.T) {
	for _, c := range []struct {
		name  string
		empty func(t testing.TB) func(t testing.TB) *db.DB
	}{{"sqlite", dbtest.EmptySQLite}, {"postgres", dbtest.EmptyPostgres}} {
		t.Run(c.name, func(t *testing.T) {
			open := c.empty(t)
			const processes = 3
			var (
				dbs     [processes]*db.DB
				applied [processes]int
				errs    [processes]error
				wg      sync.WaitGroup
			)
			for i := range dbs {
				dbs[i] = open(t) // a connection pool of its own, as another process would have
			}
			// A fourth process holds the database's write lock while the migrators start, so that all
			// of them read "nothing applied yet" before any can apply a migration.
			ctx := context.Background()
			holder := open(t)
			if _, err := holder.SchemaVersion(ctx); err != nil {
				t.Fatal(err)
			}
			hold, err := holder.W.BeginTx(ctx, nil) // SQLite: BEGIN IMMEDIATE
			if err != nil {
				t.Fatal(err)
			}
			if holder.Dialect == db.Postgres {
				if _, err := hold.ExecContext(ctx, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE"); err != nil {
					t.Fatal(err)
				}
			}
			start := make(chan struct{})
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					applied[i], errs[i] = dbs[i].Migrate(context.Background())
				}()
			}
			close(start)
			time.Sleep(300 * time.Millisecond)
			if err := hold.Rollback(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			total := 0
			for i := range dbs {
				if errs[i] != nil {
					t.Errorf("migrator %d: %v", i, errs[i])
				}
				total += applied[i]
			}
			var recorded, latest int
			if err := dbs[0].R.QueryRowContext(context.Background(),
				"SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&recorded, &latest); err != nil {
				t.Fatal(err)
			}
			if recorded == 0 || total != recorded {
				t.Errorf("the migrators applied %d migrations between them; the database records %d", total, recorded)
			}
			for i := range dbs {
				if v, err := dbs[i].SchemaVersion(context.Background()); err != nil || v != latest {
					t.Errorf("migrator %d sees schema version %d (%v), want %d", i, v, err, latest)
				}
			}
		})
	}
}

func TestADatabaseMigratedBeforeNeedsNothingMore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n, err := d.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Errorf("migrating a migrated database applied %d (%v), want 0", n, err)
		}
	})
}
