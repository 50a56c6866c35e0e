package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter limits an action per client address (ClientIP, which believes only Kit.TrustedProxies):
// each address has burst tokens, refilled one every `every`. Addresses idle long enough to have
// refilled are forgotten, so the memory it holds stays bounded. A nil *Limiter allows everything.
type Limiter struct {
	mu     sync.Mutex
	every  time.Duration
	burst  int
	byAddr map[string]*limited
	swept  time.Time
}

type limited struct {
	lim       *rate.Limiter
	seen      time.Time
	announced time.Time // when a refusal was last reported as first
}

// maxAddrs is how many addresses a Limiter holds before it sweeps out the idle ones early.
const maxAddrs = 100_000

// NewLimiter returns a limiter of burst actions per address, refilled one every `every`.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: max(burst, 1), byAddr: map[string]*limited{}}
}

// Configure sets the rate and forgets every address seen so far.
func (l *Limiter) Configure(every time.Duration, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.every, l.burst, l.byAddr = every, max(burst, 1), map[string]*limited{}
}

// get returns the address's bucket, sweeping out idle ones at most once a minute. A bucket idle
// for its whole refill time (plus a minute) is full again: forgetting it changes nothing.
func (l *Limiter) get(addr string, now time.Time) *limited {
	if now.Sub(l.swept) > time.Minute || len(l.byAddr) > maxAddrs {
		idle := time.Duration(l.burst)*l.every + time.Minute
		for k, e := range l.byAddr {
			if now.Sub(e.seen) > idle {
				delete(l.byAddr, k)
			}
		}
		l.swept = now
	}
	e, ok := l.byAddr[addr]
	if !ok {
		e = &limited{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.byAddr[addr] = e
	}
	e.seen = now
	return e
}

// Allow takes one of the request's client address's tokens at now and reports whether it had one.
func (l *Limiter) Allow(r *http.Request, now time.Time) bool {
	return l.AllowKey(ClientIP(r), now)
}

// Blocked reports, without taking a token, whether the request's client address has none left at
// now, how long until it has one, and whether this is the first refusal for the address within a
// minute (the one worth a log or audit line).
func (l *Limiter) Blocked(r *http.Request, now time.Time) (blocked bool, wait time.Duration, first bool) {
	return l.BlockedKey(ClientIP(r), now)
}

// AllowKey is Allow for any key the caller builds — an account, or an account and an address —
// when the limit is on something other than the client address alone.
func (l *Limiter) AllowKey(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get(key, now).lim.AllowN(now, 1)
}

// BlockedKey is Blocked for any key the caller builds.
func (l *Limiter) BlockedKey(key string, now time.Time) (blocked bool, wait time.Duration, first bool) {
	if l == nil {
		return false, 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.get(key, now)
	tokens := e.lim.TokensAt(now)
	if tokens >= 1 {
		return false, 0, false
	}
	wait = time.Duration((1 - tokens) * float64(l.every))
	first = now.Sub(e.announced) > time.Minute
	if first {
		e.announced = now
	}
	return true, wait, first
}

// TakeKey takes one of key's tokens at now, atomically with the check: parallel requests cannot
// all pass a check made before any of them took a token. ok is false, and nothing taken, when
// none was left; last says this took the final one; release gives it back (an action that turned
// out not to count, like a sign-in that succeeded).
func (l *Limiter) TakeKey(key string, now time.Time) (ok, last bool, release func()) {
	if l == nil {
		return true, false, func() {}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.get(key, now).lim
	if lim.TokensAt(now) < 1 {
		return false, false, nil
	}
	res := lim.ReserveN(now, 1)
	return true, lim.TokensAt(now) < 1, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		res.CancelAt(now)
	}
}

// ForgetPrefix drops every key that starts with prefix, refilling them: an administrator's
// unlock lifts the holds on an account from every address.
func (l *Limiter) ForgetPrefix(prefix string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.byAddr {
		if strings.HasPrefix(k, prefix) {
			delete(l.byAddr, k)
		}
	}
}

// RetryAfter sets the Retry-After header to wait, rounded up to the next whole second.
func RetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
}
