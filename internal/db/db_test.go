package db_test

import (
	"context"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestPostgresPlansEveryExecutionForItsArguments(t *testing.T) {
	d := dbtest.Postgres(t)
	var mode string
	if err := d.R.QueryRowContext(context.Background(), "SHOW plan_cache_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "force_custom_plan" {
		t.Fatalf("plan_cache_mode = %q: cached statements may fall back to generic plans that ignore the user's scope", mode)
	}
}

func TestPostgresDoesNotJITCompileStatements(t *testing.T) {
	d := dbtest.Postgres(t)
	var jit string
	if err := d.R.QueryRowContext(context.Background(), "SHOW jit").Scan(&jit); err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Fatalf("jit = %q: a district's figures would spend seconds compiling their CASE expressions", jit)
	}
}

// TestPostgresKeyPoolReusesGenericPlans checks the two sides of the key pool: a case intake's
// transaction (InKeyTx) and a principal's lookup (KeyRow) run where PostgreSQL may reuse a generic
// plan, and an ordinary write transaction (InTx) still plans every statement for its arguments.
func TestPostgresKeyPoolReusesGenericPlans(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	modeIn := func(run func(fn func(tx *db.Tx) error) error) string {
		var mode string
		if err := run(func(tx *db.Tx) error { return tx.QueryRowContext(ctx, "SHOW plan_cache_mode").Scan(&mode) }); err != nil {
			t.Fatal(err)
		}
		return mode
	}
	if got := modeIn(func(fn func(tx *db.Tx) error) error { return d.InKeyTx(ctx, fn) }); got != "auto" {
		t.Errorf("InKeyTx: plan_cache_mode = %q, want auto", got)
	}
	if got := modeIn(func(fn func(tx *db.Tx) error) error { return d.InTx(ctx, fn) }); got != "force_custom_plan" {
		t.Errorf("InTx: plan_cache_mode = %q, want force_custom_plan", got)
	}
	var mode string
	if err := d.KeyRow(ctx, "SHOW plan_cache_mode").Scan(&mode); err != nil || mode != "auto" {
		t.Errorf("KeyRow: plan_cache_mode = %q (%v), want auto", mode, err)
	}
}
