//go:build !unix

package ledger_test

import "time"

// processCPU is not measured here; the benchmark then leaves out its CPU ratio.
func processCPU() time.Duration { return 0 }
