package db_test

import (
	"context"
	"testing"

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
