package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	// Ground and RetainedUntil explain a refusal on legal grounds (422).
	Ground        string `json:"ground,omitempty"`
	RetainedUntil string `json:"retained_until,omitempty"`
}

// refusal is an error that names the legal ground refusing a request;
// a retention it rests on may say until when (retention).
type (
	refusal interface {
		error
		RefusalGround() string
	}
	retention interface {
		RetainedUntil() time.Time
	}
	// detailed is a domain error with a detail safe to show the caller
	// (ids and counts only, never personal or medical data).
	detailed interface {
		ProblemDetail() string
	}
	// retryAfter is an error that says when to try again (Retry-After, in
	// whole seconds, at least one).
	retryAfter interface {
		RetryAfter() time.Duration
	}
)

const problemContentType = "application/problem+json"

// kind is one row of the error table: how a class of error is answered.
type kind struct {
	status int
	slug   string // stable; the problem type is "urn:arbokluis:problem:" + slug
	title  string
}

// Errors the HTTP layer raises itself.
var (
	errRouteNotFound    = errors.New("httpapi: no such route")
	errMethodNotAllowed = errors.New("httpapi: method not allowed")
	errBodyTooLarge     = errors.New("httpapi: request body too large")
)

// errorTable is the one mapping from errors to HTTP answers. The first row
// whose error matches (errors.Is) wins; anything unmatched is internal.
var errorTable = []struct {
	err  error
	kind kind
}{
	{derrors.ErrInvalid, kind{http.StatusBadRequest, "invalid-input", "The request is not valid."}},
	{derrors.ErrUnauthenticated, kind{http.StatusUnauthorized, "unauthenticated", "Authentication is required."}},
	{derrors.ErrForbidden, kind{http.StatusForbidden, "forbidden", "This action is not allowed."}},
	{derrors.ErrNotFound, kind{http.StatusNotFound, "not-found", "The resource was not found."}},
	{derrors.ErrConflict, kind{http.StatusConflict, "conflict", "The request conflicts with the current state."}},
	{derrors.ErrThrottled, kind{http.StatusTooManyRequests, "throttled", "Too many attempts; wait before trying again."}},
	{derrors.ErrRefused, kind{http.StatusUnprocessableEntity, "refused", "A legal rule refuses this request."}},
	{derrors.ErrUnavailable, kind{http.StatusServiceUnavailable, "unavailable", "A service this request needs is unavailable; try again later."}},
	{errRouteNotFound, kind{http.StatusNotFound, "not-found", "The resource was not found."}},
	{errMethodNotAllowed, kind{http.StatusMethodNotAllowed, "method-not-allowed", "This method is not allowed here."}},
	{errBodyTooLarge, kind{http.StatusRequestEntityTooLarge, "body-too-large", "The request body is too large."}},
}

var internalKind = kind{http.StatusInternalServerError, "internal", "Something went wrong on our side."}

// kindOf returns the answer for err.
func kindOf(err error) kind {
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			return row.kind
		}
	}
	return internalKind
}

// handlerFunc is a gin handler that returns its error instead of writing it.
type handlerFunc func(c *gin.Context) error

// handle adapts h to gin, writing any error it returns as problem+json.
func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail writes err as problem+json. It is the only place that does. Internal
// errors are logged with their detail and answered generically; the domain's
// errors answer with their title and, for invalid input, the field errors.
func (s *Server) fail(c *gin.Context, err error) {
	k := kindOf(err)
	p := problem{
		Type:      "urn:arbokluis:problem:" + k.slug,
		Title:     k.title,
		Status:    k.status,
		RequestID: requestIDOf(c),
	}
	var fe derrors.FieldErrors
	if errors.As(err, &fe) {
		p.Errors = fe
	}
	var plain *detailError
	var domainDetail detailed
	switch {
	case errors.As(err, &plain):
		p.Detail = plain.detail
	case errors.As(err, &domainDetail):
		p.Detail = domainDetail.ProblemDetail()
	}
	var ref refusal
	if errors.As(err, &ref) {
		p.Ground = ref.RefusalGround()
		if r, ok := ref.(retention); ok {
			p.RetainedUntil = optDate(r.RetainedUntil())
		}
	}
	var wait retryAfter
	if errors.As(err, &wait) {
		c.Header("Retry-After", strconv.FormatInt(int64(math.Ceil(max(wait.RetryAfter(), time.Second).Seconds())), 10))
	}
	if k.status >= 500 {
		s.log.ErrorContext(c, "request failed",
			"request_id", p.RequestID, "route", routeOf(c), "status", k.status, "error", err.Error())
	}
	if c.Writer.Written() {
		return // the handler began its answer; nothing more can be said
	}
	c.Abort()
	c.Render(k.status, problemRender{p})
}

// detailError adds a human-readable detail, safe to show the caller, to an
// error. The detail must never contain personal or medical data.
type detailError struct {
	err    error
	detail string
}

func (e *detailError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.err }

// withDetail returns err with a caller-safe detail attached.
func withDetail(err error, detail string) error { return &detailError{err: err, detail: detail} }

// problemRender renders a problem with the problem+json content type.
type problemRender struct{ p problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return writeJSON(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", problemContentType)
}
