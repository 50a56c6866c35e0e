package auth

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// signInLimiter limits failed sign-ins per client address, on top of the per-account lockout: it
// stops one address from guessing passwords across many accounts. Only failures count, so a
// community office where twenty staff sign in at 8:30 behind one NAT address is never slowed.
type signInLimiter struct {
	mu      sync.Mutex
	perMin  float64
	burst   int
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim       *rate.Limiter
	seen      time.Time
	announced time.Time // when the last refusal was audited
}

func newSignInLimiter(perMinute, burst int) *signInLimiter {
	return &signInLimiter{perMin: float64(perMinute), burst: burst, clients: map[string]*client{}}
}

func (l *signInLimiter) get(ip string, now time.Time) *client {
	if now.Sub(l.swept) > time.Minute {
		// A limiter idle for this long has refilled completely; forgetting it changes nothing.
		idle := time.Duration(float64(l.burst)/l.perMin*float64(time.Minute)) + time.Minute
		for k, c := range l.clients {
			if now.Sub(c.seen) > idle {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[ip]
	if !ok {
		c = &client{lim: rate.NewLimiter(rate.Limit(l.perMin/60), l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	return c
}

// blocked reports whether ip has used up its failed attempts, how long until it may try again,
// and whether this refusal is the first in its window (and so worth an audit row).
func (l *signInLimiter) blocked(ip string, now time.Time) (bool, time.Duration, bool) {
	if l == nil {
		return false, 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.get(ip, now)
	tokens := c.lim.TokensAt(now)
	if tokens >= 1 {
		return false, 0, false
	}
	wait := time.Duration((1 - tokens) / (l.perMin / 60) * float64(time.Second))
	first := now.Sub(c.announced) > time.Minute
	if first {
		c.announced = now
	}
	return true, wait, first
}

// failed counts one failed sign-in from ip.
func (l *signInLimiter) failed(ip string, now time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.get(ip, now).lim.AllowN(now, 1)
}

func setRetryAfter(w http.ResponseWriter, wait time.Duration) {
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}
