//go:build unix

package benchtest

import (
	"syscall"
	"time"
)

// ProcessCPU is the user and system CPU time this process has used (0 where it cannot be read).
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
