package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	requestIDHeader = "X-Request-ID"
	requestIDKey    = "arbokluis.request_id"
)

// A request id from the caller is kept only when it is short and plain, so it
// cannot smuggle data into logs or audit events.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// requestID gives every request an id, echoed in the X-Request-ID header,
// the logs, problem bodies and (later) audit events.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !requestIDRE.MatchString(id) {
		id = uuid.NewString()
	}
	c.Set(requestIDKey, id)
	c.Header(requestIDHeader, id)
	c.Next()
}

// noStore forbids every cache to keep any response: the API answers with
// personal and medical data, and even an error or a health answer says
// something of the caller or the system. It runs first, so that every
// response carries it, a problem or a recovered panic included.
func (s *Server) noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// API security headers, set on every response by securityHeaders.
const (
	// apiCSP lets an API answer load nothing and be framed by nothing:
	// were one ever rendered by a browser, it could run no script and
	// fetch nothing.
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
	// hstsValue keeps browsers on https for a year, subdomains included.
	hstsValue = "max-age=31536000; includeSubDomains"
)

// securityHeaders sets the security headers of every response, before the
// handler runs, so that a problem, a 404, a recovered panic and a health
// answer carry them as well: nosniff, no referrer, a CSP that allows
// nothing, and, when the service is reached over https (Options.HSTS),
// Strict-Transport-Security. It is the one place these headers are set;
// a download adds only its sandbox (download).
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", apiCSP)
	if s.opts.HSTS {
		h.Set("Strict-Transport-Security", hstsValue)
	}
	c.Next()
}

// downloadCSP is the API's policy with a sandbox: a download that a
// browser opens after all runs no script, submits no form and has an
// origin of its own.
const downloadCSP = apiCSP + "; sandbox"

// asDownload sets the headers of a response that is a file to save, never
// to show: Content-Disposition attachment with a safe file name (see
// safeFilename) and the sandboxed policy. nosniff comes with every
// response (securityHeaders). Every download goes through it.
func asDownload(c *gin.Context, name string) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": safeFilename(name)}))
	c.Header("Content-Security-Policy", downloadCSP)
}

// safeFilename keeps name to ASCII letters, digits, '.', '-' and '_' (any
// other byte becomes '_'), without a leading dot, at most 100 bytes, and
// "download" when nothing is left: no path, quote, control character or
// header syntax can reach the Content-Disposition.
func safeFilename(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	out := strings.TrimLeft(string(b), ".")
	if len(out) > 100 {
		out = out[:100]
	}
	if strings.Trim(out, "_.") == "" {
		return "download"
	}
	return out
}

func requestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }

// routeOf is the route template (never the raw path, which may hold data).
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recover turns a panic into a 500 problem and logs the stack, never the
// request.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The panic's type and where it happened, never its value: a
			// value (a message, a runtime error's index) may carry user
			// text or a piece of it.
			s.log.ErrorContext(c, "panic", "request_id", requestIDOf(c), "route", routeOf(c),
				"panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			s.fail(c, errors.New("httpapi: handler panicked"))
		}
	}()
	c.Next()
}

// accessLog writes one structured line per request: ids, route template,
// status and duration only.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.log.InfoContext(c, "request",
		"request_id", requestIDOf(c),
		"method", c.Request.Method,
		"route", routeOf(c),
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
	)
}

// limitBody caps the request body at MaxBodyBytes. Bodies are read into
// memory by the handlers, never spooled to disk. A declared length over the
// limit is refused before reading.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.opts.MaxBodyBytes {
		s.fail(c, errBodyTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
	c.Next()
}

// httpMetrics are labelled by method, route template and status only.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "arbokluis_http_requests_total",
			Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "arbokluis_http_request_duration_seconds",
			Help:    "HTTP request duration by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("httpapi: register metrics: %w", err)
		}
	}
	return m, nil
}

func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := routeOf(c)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.duration.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
}
