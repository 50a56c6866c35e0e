package cases

import (
	"sync"
	"time"

	xrate "golang.org/x/time/rate"
)

// ipLimiter limits public submissions per client address. Addresses unseen for an hour are
// forgotten, so the map does not grow without bound.
type ipLimiter struct {
	mu     sync.Mutex
	every  xrate.Limit
	burst  int
	byIP   map[string]*ipEntry
	swept  time.Time
	maxIPs int
}

type ipEntry struct {
	lim  *xrate.Limiter
	seen time.Time
}

func newIPLimiter(every xrate.Limit, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, byIP: map[string]*ipEntry{}, swept: time.Now(), maxIPs: 100_000}
}

// Allow reports whether ip may submit now.
func (l *ipLimiter) Allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > 10*time.Minute || len(l.byIP) > l.maxIPs {
		for k, e := range l.byIP {
			if now.Sub(e.seen) > time.Hour {
				delete(l.byIP, k)
			}
		}
		l.swept = now
	}
	e, ok := l.byIP[ip]
	if !ok {
		e = &ipEntry{lim: xrate.NewLimiter(l.every, l.burst)}
		l.byIP[ip] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}
