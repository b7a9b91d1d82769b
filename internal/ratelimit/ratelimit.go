// Package ratelimit is the token bucket that bounds how fast one user
// repeats one kind of read (DESIGN: one mechanism per job). The JSON API
// (internal/httpapi) keys it by route template, the portal (internal/web)
// by page name; both are configured from the same settings.
package ratelimit

import (
	"errors"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The limit used when a field of Limit is zero.
const (
	DefaultPerMinute = 60
	DefaultBurst     = 20
)

// Limit is a token bucket: Burst reads at once, refilled at PerMinute
// reads a minute. A zero field takes its default.
type Limit struct {
	PerMinute int
	Burst     int
}

// key is one user on one route or page.
type key struct {
	user uuid.UUID
	name string
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// Limiter keeps one token bucket per user and key, in the memory of this
// process only: with several processes behind a load balancer a user may
// get up to that many times the rate. It is safe for concurrent use.
type Limiter struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	buckets map[key]*bucket
	swept   time.Time
}

// New returns a Limiter for limit. It fails when a field is negative.
func New(limit Limit) (*Limiter, error) {
	if limit.PerMinute == 0 {
		limit.PerMinute = DefaultPerMinute
	}
	if limit.Burst == 0 {
		limit.Burst = DefaultBurst
	}
	if limit.PerMinute < 0 || limit.Burst < 0 {
		return nil, errors.New("ratelimit: PerMinute and Burst must not be negative")
	}
	return &Limiter{perSec: float64(limit.PerMinute) / 60, burst: float64(limit.Burst), buckets: map[key]*bucket{}}, nil
}

// Take spends one token of the bucket of user on name at time now and
// reports true. When none is left it spends nothing and returns false with
// the time until one is, rounded up to a whole second (at least one), as
// Retry-After states it. It never fails.
func (l *Limiter) Take(user uuid.UUID, name string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	k := key{user: user, name: name}
	b := l.buckets[k]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[k] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	secs := math.Ceil((1 - b.tokens) / l.perSec)
	return time.Duration(max(secs, 1)) * time.Second, false
}

// refill adds the tokens earned since b was last brought up to date.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+d.Seconds()*l.perSec)
		b.at = now
	}
}

// sweep forgets, at most once per time to fill a bucket, the buckets that
// are full again: a full bucket is the same as none, and the map stays as
// small as the set of recent callers.
func (l *Limiter) sweep(now time.Time) {
	fill := time.Duration(l.burst / l.perSec * float64(time.Second))
	if now.Sub(l.swept) < fill {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// size is the number of buckets held (for tests).
func (l *Limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
