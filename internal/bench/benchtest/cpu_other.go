//go:build !unix

package benchtest

import "time"

// ProcessCPU is not measured on this system; benchmarks then leave out their CPU figures.
func ProcessCPU() time.Duration { return 0 }
