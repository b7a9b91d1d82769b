package httpapi

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/docs"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// healthResponse is the body of /healthz and of a ready /readyz.
type healthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// openAPIContentType is the media type of the served OpenAPI text.
const openAPIContentType = "application/yaml"

// openAPI answers with the OpenAPI description of this API (docs.OpenAPI),
// to anyone: it holds no data, only the shape of the API.
func (s *Server) openAPI(c *gin.Context) error {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, openAPIContentType, docs.OpenAPI)
	return nil
}

// healthz answers 200 while the process serves HTTP; it checks nothing else.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, healthResponse{Status: "ok"})
	return nil
}

// readyz runs every readiness check concurrently and answers 200 when all
// pass, or 503 problem+json naming the dependencies that failed.
func (s *Server) readyz(c *gin.Context) error {
	results := make(map[string]string, len(s.opts.ReadyChecks))
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed []string
	)
	for _, chk := range s.opts.ReadyChecks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.ReadyTimeout)
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
	if len(failed) > 0 {
		sort.Strings(failed)
		return withDetail(derrors.ErrUnavailable, "Unavailable: "+strings.Join(failed, ", ")+".")
	}
	c.JSON(http.StatusOK, healthResponse{Status: "ok", Checks: results})
	return nil
}
