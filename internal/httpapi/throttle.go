package httpapi

import (
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
)

// The list-read limit used when Options.ListReads leaves a field zero.
const (
	DefaultListReadsPerMinute = ratelimit.DefaultPerMinute
	DefaultListReadBurst      = ratelimit.DefaultBurst
)

// RateLimit is a token bucket: Burst reads at once, refilled at PerMinute
// reads a minute (the portal's list reads take the same limit).
type RateLimit = ratelimit.Limit

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

// newListReads returns the list-read limiter for limit and its clock (now,
// or time.Now when nil). It fails, naming Options.ListReads, when a field
// of limit is negative.
func newListReads(limit RateLimit, now func() time.Time) (*ratelimit.Limiter, func() time.Time, error) {
	l, err := ratelimit.New(limit)
	if err != nil {
		return nil, nil, fmt.Errorf("httpapi: Options.ListReads: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return l, now, nil
}

// listRead runs h only while the authorised caller stays within the
// list-read limit on this route (one bucket per user and route template,
// see internal/ratelimit). These are the reads that list many people and
// write one audit event carrying all of them; a refused read answers 429
// with Retry-After, reads and audits nothing.
func (s *Server) listRead(h handlerFunc) handlerFunc {
	return func(c *gin.Context) error {
		if wait, ok := s.listReads.Take(actorOf(c).UserID(), routeOf(c), s.listNow()); !ok {
			return withDetail(errListReadsThrottled{wait: wait},
				"Too many list reads in a short time; try again after the Retry-After delay.")
		}
		return h(c)
	}
}
