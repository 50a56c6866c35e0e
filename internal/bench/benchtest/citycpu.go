package benchtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
)

// CityCPU returns a reader of the CPU time a benchmark on the city d spends: this process's (SQLite
// runs in it) plus, on PostgreSQL, that of every server backend connected to the city's database —
// so give the benchmark a copy of its own. Unlike the wall time, a machine loaded by others does
// not inflate it. A backend that disconnects between two readings takes its time with it.
func CityCPU(b *testing.B, d *db.DB) func() time.Duration {
	if d.Dialect != db.Postgres {
		return ProcessCPU
	}
	return func() time.Duration {
		total := ProcessCPU()
		rows, err := d.R.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				b.Fatal(err)
			}
			total += backendCPU(pid)
		}
		return total
	}
}

// backendCPU is the user and system CPU time the PostgreSQL backend pid has used, read from /proc
// (the server runs on this machine); 0 when it cannot be read.
func backendCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond // clock ticks of 1/100 s
}
