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

// The public per-address limit when PageOptions leave it zero: one every 20 s, a burst of 5.
const (
	defaultReportEvery = 20 * time.Second
	defaultReportBurst = 5
)

func newIPLimiter(every xrate.Limit, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, byIP: map[string]*ipEntry{}, swept: time.Now(), maxIPs: 100_000}
}

// configure sets the rate for addresses seen from now on and forgets the ones seen so far.
func (l *ipLimiter) configure(every xrate.Limit, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.every, l.burst, l.byIP = every, burst, map[string]*ipEntry{}
}

// publicLimiter is the per-address limit on public posts (the report form, following, rating),
// one for the service so that the pages and the public API draw on the same allowance.
func (s *Service) publicLimiter() *ipLimiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.public == nil {
		s.public = newIPLimiter(xrate.Every(defaultReportEvery), defaultReportBurst)
	}
	return s.public
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
