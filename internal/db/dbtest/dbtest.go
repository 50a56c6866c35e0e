// Package dbtest opens fresh, migrated databases for tests: SQLite always, and PostgreSQL too when
// LINLI_TEST_POSTGRES holds a URL (each test gets its own schema, dropped afterwards).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"linli/internal/db"
)

// SQLite returns a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return migrated(t, EmptySQLite(t)(t))
}

// EmptySQLite creates an empty SQLite database file in a temporary directory and returns a
// function that opens a new, unmigrated connection to it: call it twice for two processes.
func EmptySQLite(t testing.TB) func(t testing.TB) *db.DB {
	t.Helper()
	return opener("sqlite:" + filepath.Join(t.TempDir(), "linli.db"))
}

// PostgresURL returns LINLI_TEST_POSTGRES, or "" when PostgreSQL tests are off.
func PostgresURL() string { return os.Getenv("LINLI_TEST_POSTGRES") }

// Postgres returns a migrated database in a new schema of LINLI_TEST_POSTGRES, and skips the test
// when that variable is unset.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return migrated(t, EmptyPostgres(t)(t))
}

// EmptyPostgres creates a new, empty schema in LINLI_TEST_POSTGRES (dropped after the test) and
// returns a function that opens a new, unmigrated connection to it; it skips the test when that
// variable is unset.
func EmptyPostgres(t testing.TB) func(t testing.TB) *db.DB {
	t.Helper()
	return opener(PostgresSchema(t))
}

// PostgresSchema creates a new, empty schema in LINLI_TEST_POSTGRES (dropped after the test) and
// returns the database URL that uses it, for a server started by the test; it skips the test when
// that variable is unset.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("LINLI_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// opener returns a function that opens rawURL and closes it when the test ends.
func opener(rawURL string) func(t testing.TB) *db.DB {
	return func(t testing.TB) *db.DB {
		t.Helper()
		d, err := db.Open(context.Background(), rawURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
}

func migrated(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Each runs fn as a subtest on SQLite and, when configured, on PostgreSQL — for tests and
// benchmarks alike.
func Each[T interface {
	testing.TB
	Run(string, func(T)) bool
}](t T, fn func(t T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t T) {
		if PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		fn(t, Postgres(t))
	})
}
