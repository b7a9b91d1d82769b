package httpapi

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/docs"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// healthResponse is the body of /healthz and of a ready /readyz. Checks is
// filled on the admin listener only.
type healthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// openAPIContentType is the media type of the served OpenAPI text.
const openAPIContentType = "application/yaml"

// publicReadyFor is how long the public /readyz reuses one round of
// readiness checks, so that a flood of /readyz cannot drive PostgreSQL and
// Vault.
const publicReadyFor = time.Second

// openAPI answers with the OpenAPI description of this API (docs.OpenAPI),
// to anyone: it holds no data, only the shape of the API.
func (s *Server) openAPI(c *gin.Context) error {
	c.Data(http.StatusOK, openAPIContentType, docs.OpenAPI)
	return nil
}

// healthz answers 200 while the process serves HTTP; it checks nothing else.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, healthResponse{Status: "ok"})
	return nil
}

// readyCache remembers the outcome of the last round of readiness checks
// for publicReadyFor. Callers that arrive while a round runs wait for it
// rather than starting their own.
type readyCache struct {
	mu      sync.Mutex
	checked time.Time
	ready   bool
}

// publicReadyz answers 200 {"status":"ok"} when every readiness check
// passed in the last second, and else 503 problem+json that names nothing:
// which dependency failed, and why, is for the admin listener and the log.
func (s *Server) publicReadyz(c *gin.Context) error {
	s.ready.mu.Lock()
	if now := s.now(); s.ready.checked.IsZero() || now.Sub(s.ready.checked) >= publicReadyFor || now.Before(s.ready.checked) {
		failed, _ := s.runChecks(c)
		s.ready.ready, s.ready.checked = len(failed) == 0, s.now()
	}
	ready := s.ready.ready
	s.ready.mu.Unlock()
	if !ready {
		return derrors.ErrUnavailable
	}
	c.JSON(http.StatusOK, healthResponse{Status: "ok"})
	return nil
}

// adminReadyz runs every readiness check concurrently, uncached, and
// answers 200 with each check's state, or 503 problem+json naming the
// dependencies that failed. It is served on the admin listener only.
func (s *Server) adminReadyz(c *gin.Context) error {
	failed, results := s.runChecks(c)
	if len(failed) > 0 {
		return withDetail(derrors.ErrUnavailable, "Unavailable: "+strings.Join(failed, ", ")+".")
	}
	c.JSON(http.StatusOK, healthResponse{Status: "ok", Checks: results})
	return nil
}

// runChecks runs every readiness check concurrently, each under
// ReadyTimeout, and returns the sorted names of those that failed and the
// state of each. A failure is logged with its check name, never answered.
func (s *Server) runChecks(c *gin.Context) (failed []string, results map[string]string) {
	results = make(map[string]string, len(s.opts.ReadyChecks))
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, chk := range s.opts.ReadyChecks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), s.opts.ReadyTimeout)
			defer cancel()
			err := chk.Probe(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				results[chk.Name] = "unavailable"
				failed = append(failed, chk.Name)
				s.log.WarnContext(c, "readiness check failed",
					"request_id", requestIDOf(c), "check", chk.Name, "error", err.Error())
				return
			}
			results[chk.Name] = "ok"
		}()
	}
	wg.Wait()
	sort.Strings(failed)
	return failed, results
}
