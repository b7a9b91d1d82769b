package httpapi

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// The list-read limit used when Options.ListReads leaves a field zero.
const (
	DefaultListReadsPerMinute = 60
	DefaultListReadBurst      = 20
)

// RateLimit is a token bucket: Burst reads at once, refilled at PerMinute
// reads a minute.
type RateLimit struct {
	PerMinute int
	Burst     int
}

// errListReadsThrottled is a list read refused because its caller used up
// their bucket: 429 with Retry-After.
type errListReadsThrottled struct{ wait time.Duration }

func (e errListReadsThrottled) Error() string {
	return fmt.Sprintf("httpapi: list reads throttled for %s", e.wait)
}

func (e errListReadsThrottled) Unwrap() error { return derrors.ErrThrottled }

// RetryAfter is how long the caller must wait before the next read is
// allowed.
func (e errListReadsThrottled) RetryAfter() time.Duration { return e.wait }

// throttleKey is one caller on one route template.
type throttleKey struct {
	user  uuid.UUID
	route string
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// throttle keeps one token bucket per user and route, in the memory of
// this process only: with several processes behind a load balancer a user
// may get up to that many times the rate. It is safe for concurrent use.
type throttle struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	now     func() time.Time
	buckets map[throttleKey]*bucket
	swept   time.Time
}

// newThrottle returns a throttle for limit; now is its clock.
func newThrottle(limit RateLimit, now func() time.Time) (*throttle, error) {
	if limit.PerMinute == 0 {
		limit.PerMinute = DefaultListReadsPerMinute
	}
	if limit.Burst == 0 {
		limit.Burst = DefaultListReadBurst
	}
	if limit.PerMinute < 0 || limit.Burst < 0 {
		return nil, errors.New("httpapi: Options.ListReads must not be negative")
	}
	if now == nil {
		now = time.Now
	}
	return &throttle{perSec: float64(limit.PerMinute) / 60, burst: float64(limit.Burst), now: now,
		buckets: map[throttleKey]*bucket{}}, nil
}

// take spends one token of key's bucket. When none is left it spends
// nothing and returns false with the time until one is, rounded up to a
// whole second (at least one), as Retry-After states it.
func (t *throttle) take(key throttleKey) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	b := t.buckets[key]
	if b == nil {
		b = &bucket{tokens: t.burst, at: now}
		t.buckets[key] = b
	}
	t.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	secs := math.Ceil((1 - b.tokens) / t.perSec)
	return time.Duration(max(secs, 1)) * time.Second, false
}

// refill adds the tokens earned since b was last brought up to date.
func (t *throttle) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(t.burst, b.tokens+d.Seconds()*t.perSec)
		b.at = now
	}
}

// sweep forgets, at most once per time to fill a bucket, the buckets that
// are full again: a full bucket is the same as none, and the map stays as
// small as the set of recent callers.
func (t *throttle) sweep(now time.Time) {
	fill := time.Duration(t.burst / t.perSec * float64(time.Second))
	if now.Sub(t.swept) < fill {
		return
	}
	t.swept = now
	for k, b := range t.buckets {
		if t.refill(b, now); b.tokens >= t.burst {
			delete(t.buckets, k)
		}
	}
}

// size is the number of buckets held (for tests).
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buckets)
}

// listRead runs h only while the authorised caller stays within the
// list-read limit on this route. These are the reads that list many people
// and write one audit event carrying all of them; a refused read answers
// 429 with Retry-After, reads and audits nothing.
func (s *Server) listRead(h handlerFunc) handlerFunc {
	return func(c *gin.Context) error {
		if wait, ok := s.listReads.take(throttleKey{user: actorOf(c).UserID(), route: routeOf(c)}); !ok {
			return withDetail(errListReadsThrottled{wait: wait},
				"Too many list reads in a short time; try again after the Retry-After delay.")
		}
		return h(c)
	}
}
