package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/arbokluis/arbokluis/docs"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
)

// logBuffer is a concurrency-safe log sink for assertions on log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// noAuth refuses every credential; the real identity service is exercised
// by the integration tests in cmd/arbokluis.
type noAuth struct{}

func (noAuth) Login(context.Context, identity.LoginRequest) (identity.Session, error) {
	return identity.Session{}, derrors.ErrUnauthenticated
}

func (noAuth) Authenticate(context.Context, string) (access.Principal, error) {
	return access.Principal{}, derrors.ErrUnauthenticated
}

func (noAuth) Logout(context.Context, string, access.Principal, string, netip.Addr) error {
	return derrors.ErrUnauthenticated
}

// noGrants is never reached: noAuth refuses every session first.
// noAuthz knows every permission and allows nothing.
type noAuthz struct{}

func (noAuthz) Authorize(access.Principal, string, string) ([]access.Authority, error) {
	return nil, derrors.ErrNotFound
}

func (noAuthz) Knows(string, string) bool { return true }

type noGrants struct{}

func (noGrants) Propose(context.Context, access.Principal, identity.GrantProposal, string) (identity.GrantRecord, error) {
	return identity.GrantRecord{}, derrors.ErrNotFound
}

func (noGrants) Approve(context.Context, access.Principal, uuid.UUID, string) (identity.GrantRecord, error) {
	return identity.GrantRecord{}, derrors.ErrNotFound
}

// noInvitations refuses every link; noInbox is never reached (noAuth
// refuses every session first).
type (
	noInvitations struct{}
	noInbox       struct{}
)

func (noInvitations) Invite(context.Context, access.Principal, identity.InvitationRequest, string) (identity.Invited, error) {
	return identity.Invited{}, derrors.ErrNotFound
}

func (noInvitations) IssueLetter(context.Context, access.Principal, identity.LetterRequest, string) ([]byte, error) {
	return nil, derrors.ErrNotFound
}

func (noInvitations) Accept(context.Context, string, string, string, string) (identity.Enrolment, error) {
	return identity.Enrolment{}, derrors.ErrNotFound
}

func (noInvitations) RequestPasswordReset(context.Context, string, string) error { return nil }

func (noInvitations) ResetPassword(context.Context, string, string, string) error {
	return derrors.ErrNotFound
}

func (noInbox) Inbox(context.Context, uuid.UUID) ([]notify.Notification, error) { return nil, nil }

// withoutServices fills o with an authenticator that knows nobody and
// services no request reaches: every caller is unauthenticated.
func (o Options) withoutServices() Options {
	o.Auth, o.Grants, o.Invitations, o.Inbox, o.Authz = noAuth{}, noGrants{}, noInvitations{}, noInbox{}, noAuthz{}
	o.Employers, o.Employees, o.Delegations, o.Dossiers = struct{ Employers }{}, struct{ Employees }{}, struct{ Delegations }{}, struct{ Dossiers }{}
	o.Entries, o.Attachments, o.Exposures, o.AccessLog = struct{ Entries }{}, struct{ Attachments }{}, struct{ Exposures }{}, struct{ AccessLog }{}
	o.Requests, o.Releases, o.Exporter, o.Records = struct{ Requests }{}, struct{ Releases }{}, struct{ Exporter }{}, struct{ Records }{}
	o.Rectifier, o.Destructions, o.Fitness, o.Absences = struct{ Rectifier }{}, struct{ Destructions }{}, struct{ Fitness }{}, struct{ Absences }{}
	o.Consents = struct{ Consents }{}
	o.Accounts = struct{ Accounts }{}
	o.AuditLog, o.Recorder = struct{ AuditLog }{}, struct{ audit.Recorder }{}
	return o
}

func newTestServer(t *testing.T, checks ...Check) (*Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	s, err := New(Options{
		Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
		Registry:     prometheus.NewRegistry(),
		MaxBodyBytes: 1024,
		ReadyChecks:  checks,
		ReadyTimeout: 200 * time.Millisecond,
	}.withoutServices())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, logs
}

func do(t *testing.T, h http.Handler, method, path string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != problemContentType {
		t.Fatalf("Content-Type = %q, want %q (body %s)", ct, problemContentType, rec.Body)
	}
	var p problem
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	if p.Status != rec.Code {
		t.Errorf("problem status = %d, response status = %d; want equal", p.Status, rec.Code)
	}
	if !strings.HasPrefix(p.Type, "urn:arbokluis:problem:") || p.Title == "" || p.RequestID == "" {
		t.Errorf("problem = %+v, want type, title and request id", p)
	}
	return p
}

func TestErrorTable(t *testing.T) {
	const secret = "BSN 111222333"
	tests := []struct {
		err        error
		wantStatus int
		wantType   string
	}{
		{derrors.ErrInvalid, 400, "invalid-input"},
		{derrors.FieldErrors{"name": "is required"}, 400, "invalid-input"},
		{derrors.ErrUnauthenticated, 401, "unauthenticated"},
		{derrors.ErrForbidden, 403, "forbidden"},
		{derrors.ErrNotFound, 404, "not-found"},
		{derrors.ErrConflict, 409, "conflict"},
		{derrors.ErrUnavailable, 503, "unavailable"},
		{derrors.ErrThrottled, 429, "throttled"},
		{fmt.Errorf("store: %w", derrors.ErrNotFound), 404, "not-found"},
		{errors.New("pg: " + secret), 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			s, logs := newTestServer(t)
			s.engine.GET("/t", s.handle(func(*gin.Context) error { return tt.err }))
			rec := do(t, s.Handler(), "GET", "/t", nil)
			if rec.Code != tt.wantStatus {
				t.Fatalf("GET /t returning %v: status = %d, want %d", tt.err, rec.Code, tt.wantStatus)
			}
			p := decodeProblem(t, rec)
			if p.Type != "urn:arbokluis:problem:"+tt.wantType {
				t.Errorf("returning %v: type = %q, want slug %q", tt.err, p.Type, tt.wantType)
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("returning %v: body %s leaks the internal error", tt.err, rec.Body)
			}
			if tt.wantStatus == 500 && !strings.Contains(logs.String(), secret) {
				t.Errorf("returning %v: the internal error is not in the log", tt.err)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("returning %v: Cache-Control = %q, want no-store", tt.err, got)
			}
		})
	}
}

func TestFieldErrorsInProblem(t *testing.T) {
	s, _ := newTestServer(t)
	s.engine.GET("/t", s.handle(func(*gin.Context) error {
		return derrors.FieldErrors{"kvk_number": "must be 8 digits"}
	}))
	p := decodeProblem(t, do(t, s.Handler(), "GET", "/t", nil))
	if p.Errors["kvk_number"] != "must be 8 digits" {
		t.Errorf("problem errors = %v, want kvk_number", p.Errors)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	s, _ := newTestServer(t)
	if rec := do(t, s.Handler(), "GET", "/api/v1/nothing", nil); rec.Code != 404 {
		t.Errorf("GET unknown route = %d, want 404", rec.Code)
	} else {
		decodeProblem(t, rec)
	}
	if rec := do(t, s.Handler(), "DELETE", "/healthz", nil); rec.Code != 405 {
		t.Errorf("DELETE /healthz = %d, want 405", rec.Code)
	} else {
		decodeProblem(t, rec)
	}
}

// TestEveryResponseIsNoStore checks that every response carries
// Cache-Control: no-store: each registered route as an unauthenticated
// caller (401, or 400 for the public forms), a handler's own success, an
// empty 204, a panic, an unknown route, a wrong method and the health and
// metrics routes.
func TestEveryResponseIsNoStore(t *testing.T) {
	s, _ := newTestServer(t)
	s.engine.GET("/api/v1/test/ok", s.handle(func(c *gin.Context) error {
		c.JSON(http.StatusOK, gin.H{"ok": true})
		return nil
	}))
	s.engine.DELETE("/api/v1/test/empty", s.handle(func(c *gin.Context) error {
		c.Status(http.StatusNoContent)
		return nil
	}))
	s.engine.GET("/api/v1/test/boom", func(*gin.Context) { panic("kapot") })
	type call struct{ method, path string }
	calls := []call{
		{"GET", "/api/v1/test/ok"}, {"DELETE", "/api/v1/test/empty"}, {"GET", "/api/v1/test/boom"},
		{"GET", "/api/v1/nothing"}, {"DELETE", "/api/v1/me"}, {"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"},
	}
	for _, r := range s.Routes() {
		calls = append(calls, call{r.Method, strings.NewReplacer(":id", uuid.NewString(), ":entry_id", uuid.NewString(),
			":attachment_id", uuid.NewString(), ":consent_id", uuid.NewString(), ":request_id", uuid.NewString(),
			":disclosure_id", uuid.NewString(), ":transfer_id", uuid.NewString()).Replace(r.Path)})
	}
	for _, tt := range calls {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.method != "GET" && tt.method != "DELETE" {
				body = strings.NewReader("{}")
			}
			rec := do(t, s.Handler(), tt.method, tt.path, body)
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s %s = %d with Cache-Control %q, want no-store", tt.method, tt.path, rec.Code, got)
			}
		})
	}
}

// securityHeaderProblem returns what is wrong with the security headers of
// h, or "" when each is as every response must carry it; hsts says whether
// Strict-Transport-Security must be present (or absent).
func securityHeaderProblem(h http.Header, hsts bool) string {
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	if hsts {
		want["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
	}
	var bad []string
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v {
			bad = append(bad, fmt.Sprintf("%s = %q, want %q", k, got, v))
		}
	}
	if !hsts && h.Get("Strict-Transport-Security") != "" {
		bad = append(bad, "Strict-Transport-Security set without https")
	}
	sort.Strings(bad)
	return strings.Join(bad, "; ")
}

// TestEveryResponseHasSecurityHeaders checks the security headers on every
// registered route called as an unauthenticated caller (a request that
// fails early), on answers that succeed (health, readiness, the OpenAPI
// text, a handler's own 200 and 204), on a panic, an unknown route, a wrong
// method, a body over the limit, and the admin listener's routes; with
// and without https.
func TestEveryResponseHasSecurityHeaders(t *testing.T) {
	for _, hsts := range []bool{false, true} {
		logs := &logBuffer{}
		s, err := New(Options{
			Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
			Registry:     prometheus.NewRegistry(),
			MaxBodyBytes: 1024,
			HSTS:         hsts,
			ReadyChecks:  []Check{{Name: "vault", Probe: func(context.Context) error { return nil }}},
		}.withoutServices())
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		type call struct {
			admin              bool
			method, path, body string
			want               int
		}
		var calls []call
		for _, r := range s.Routes() {
			path := strings.NewReplacer(":id", uuid.NewString(), ":entry_id", uuid.NewString(),
				":attachment_id", uuid.NewString(), ":consent_id", uuid.NewString(), ":request_id", uuid.NewString(),
				":disclosure_id", uuid.NewString(), ":transfer_id", uuid.NewString()).Replace(r.Path)
			body := ""
			if r.Method != "GET" && r.Method != "DELETE" {
				body = "{}"
			}
			calls = append(calls, call{false, r.Method, path, body, 0})
		}
		s.engine.GET("/api/v1/test/ok", s.handle(func(c *gin.Context) error {
			c.JSON(http.StatusOK, gin.H{"ok": true})
			return nil
		}))
		s.engine.DELETE("/api/v1/test/empty", s.handle(func(c *gin.Context) error {
			c.Status(http.StatusNoContent)
			return nil
		}))
		s.engine.GET("/api/v1/test/boom", func(*gin.Context) { panic("kapot") })
		calls = append(calls, []call{
			{false, "GET", "/api/v1/test/ok", "", 200}, {false, "DELETE", "/api/v1/test/empty", "", 204},
			{false, "GET", "/api/v1/test/boom", "", 500}, {false, "GET", "/api/v1/nothing", "", 404},
			{false, "DELETE", "/api/v1/me", "", 405}, {false, "GET", "/healthz", "", 200},
			{false, "GET", "/readyz", "", 200}, {false, "GET", "/api/v1/openapi.yaml", "", 200},
			{false, "POST", "/api/v1/auth/login", strings.Repeat("x", 2048), 413},
			{true, "GET", "/healthz", "", 200}, {true, "GET", "/readyz", "", 200}, {true, "GET", "/metrics", "", 200},
			{true, "GET", "/api/v1/me", "", 404},
		}...)
		for _, tt := range calls {
			t.Run(fmt.Sprintf("hsts=%v admin=%v %s %s", hsts, tt.admin, tt.method, tt.path), func(t *testing.T) {
				h := s.Handler()
				if tt.admin {
					h = s.AdminHandler()
				}
				var body io.Reader
				if tt.body != "" {
					body = strings.NewReader(tt.body)
				}
				rec := do(t, h, tt.method, tt.path, body)
				if tt.want != 0 && rec.Code != tt.want {
					t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.want)
				}
				if tt.want == 0 && rec.Code < 400 && tt.path != "/healthz" && tt.path != "/readyz" && tt.path != "/api/v1/openapi.yaml" {
					t.Errorf("%s %s without a session = %d, want it to fail early", tt.method, tt.path, rec.Code)
				}
				if p := securityHeaderProblem(rec.Header(), hsts); p != "" {
					t.Errorf("%s %s (https %v) = %d: %s", tt.method, tt.path, hsts, rec.Code, p)
				}
			})
		}
	}
}

func TestSafeFilename(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"bijlage-4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11.pdf", "bijlage-4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11.pdf"},
		{"plan-van-aanpak.pdf", "plan-van-aanpak.pdf"},
		{"a\"b;c\r\nSet-Cookie: x.pdf", "a_b_c__Set-Cookie__x.pdf"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{".htaccess", "htaccess"},
		{"brief van dr. Jansen.pdf", "brief_van_dr._Jansen.pdf"},
		{"überweisung.pdf", "__berweisung.pdf"},
		{"", "download"},
		{"...", "download"},
		{"\u202egpj.exe", "___gpj.exe"},
		{strings.Repeat("a", 150), strings.Repeat("a", 100)},
	} {
		if got := safeFilename(tt.in); got != tt.want {
			t.Errorf("safeFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPanicBecomesProblem(t *testing.T) {
	s, logs := newTestServer(t)
	s.engine.GET("/boom", func(*gin.Context) { panic("kapot: diagnose X") })
	rec := do(t, s.Handler(), "GET", "/boom", nil)
	if rec.Code != 500 {
		t.Fatalf("GET /boom = %d, want 500", rec.Code)
	}
	decodeProblem(t, rec)
	if strings.Contains(rec.Body.String(), "diagnose") {
		t.Errorf("panic value leaked into the body: %s", rec.Body)
	}
	if strings.Contains(logs.String(), "diagnose X") {
		t.Errorf("panic value leaked into the log: %s", logs)
	}
	if !strings.Contains(logs.String(), `"msg":"panic"`) {
		t.Errorf("panic not logged; logs: %s", logs)
	}
}

func TestRequestID(t *testing.T) {
	s, logs := newTestServer(t)
	tests := []struct {
		in       string
		keep     bool
		describe string
	}{
		{"abcdef12-3456-7890", true, "plain id is kept"},
		{"short", false, "too short"},
		{strings.Repeat("a", 65), false, "too long"},
		{"abc def\nINJECT", false, "spaces and newlines"},
		{"", false, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.describe, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/healthz", nil)
			if tt.in != "" {
				req.Header.Set(requestIDHeader, tt.in)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			got := rec.Header().Get(requestIDHeader)
			if tt.keep && got != tt.in {
				t.Errorf("X-Request-ID %q: got %q, want it kept", tt.in, got)
			}
			if !tt.keep && (got == tt.in || !requestIDRE.MatchString(got)) {
				t.Errorf("X-Request-ID %q: got %q, want a fresh id", tt.in, got)
			}
			if !strings.Contains(logs.String(), `"request_id":"`+got+`"`) {
				t.Errorf("access log lacks request id %q", got)
			}
		})
	}
}

func TestAccessLogHasNoRawPathOrQuery(t *testing.T) {
	s, logs := newTestServer(t)
	do(t, s.Handler(), "GET", "/api/v1/employees/123?name=Jansen", nil)
	out := logs.String()
	if strings.Contains(out, "Jansen") || strings.Contains(out, "/employees/123") {
		t.Errorf("access log holds the raw path or query: %s", out)
	}
	if !strings.Contains(out, `"route":"/api/v1/employees/:id"`) {
		t.Errorf("access log lacks the route template: %s", out)
	}
}

func TestBodyLimit(t *testing.T) {
	s, _ := newTestServer(t)
	type in struct {
		Name string `json:"name"`
	}
	var got in
	s.engine.POST("/echo", s.handle(func(c *gin.Context) error {
		if err := decodeJSON(c.Request, &got); err != nil {
			return err
		}
		c.JSON(200, got)
		return nil
	}))
	big := `{"name":"` + strings.Repeat("x", 2000) + `"}`

	rec := do(t, s.Handler(), "POST", "/echo", strings.NewReader(big))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST %d bytes (declared length) = %d, want 413", len(big), rec.Code)
	}
	// Without a declared length the limit still holds while reading.
	req := httptest.NewRequest("POST", "/echo", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST %d bytes (chunked) = %d, want 413", len(big), rec.Code)
	}
	if rec := do(t, s.Handler(), "POST", "/echo", strings.NewReader(`{"name":"ok"}`)); rec.Code != 200 {
		t.Errorf("POST small body = %d, want 200", rec.Code)
	}
}

func TestDecodeJSON(t *testing.T) {
	type in struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	tests := []struct {
		body, contentType string
		ok                bool
	}{
		{`{"name":"a","age":3}`, "application/json", true},
		{`{"name":"a"}`, "application/json; charset=utf-8", true},
		{`{"name":"a"}`, "", true},
		{`{"name":"a","extra":1}`, "application/json", false},
		{`{"name":"a"} {"name":"b"}`, "application/json", false},
		{`{"age":"three"}`, "application/json", false},
		{`[1,2]`, "application/json", false},
		{`{"name":`, "application/json", false},
		{``, "application/json", false},
		{`name=a`, "application/x-www-form-urlencoded", false},
	}
	for _, tt := range tests {
		t.Run(tt.body+"|"+tt.contentType, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			var got in
			err := decodeJSON(req, &got)
			if tt.ok && err != nil {
				t.Errorf("decodeJSON(%q) = %v, want nil", tt.body, err)
			}
			if !tt.ok && !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("decodeJSON(%q) = %v, want ErrInvalid", tt.body, err)
			}
		})
	}
}

// FuzzDecodeJSON checks that no body makes decodeJSON panic, and that any
// error it returns is one the error table answers with a 4xx.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{"name":"a","age":1}`, `{"name":1}`, `{}`, `[]`, `null`, `{"a":`, "\xff", `{"name":"a"}{}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Name string `json:"name"`
			Age  int    `json:"age"`
		}
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := decodeJSON(req, &v)
		if err == nil {
			return
		}
		if k := kindOf(err); k.status < 400 || k.status >= 500 {
			t.Errorf("decodeJSON(%q) = %v, answered %d; want a 4xx", body, err, k.status)
		}
	})
}

// TestAdminReadyz checks the admin listener's /readyz: uncached, each
// check's state in the body, the failed ones named in a 503, and bounded by
// ReadyTimeout.
func TestAdminReadyz(t *testing.T) {
	okCheck := Check{Name: "postgres_hr", Probe: func(context.Context) error { return nil }}
	down := Check{Name: "vault", Probe: func(context.Context) error { return derrors.ErrUnavailable }}
	slow := Check{Name: "postgres_med", Probe: func(ctx context.Context) error {
		<-ctx.Done() // a dependency that hangs is cut off by the timeout
		return ctx.Err()
	}}

	s, _ := newTestServer(t, okCheck)
	rec := do(t, s.AdminHandler(), "GET", "/readyz", nil)
	if rec.Code != 200 {
		t.Fatalf("admin readyz with all checks passing = %d, want 200", rec.Code)
	}
	var h healthResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || h.Checks["postgres_hr"] != "ok" {
		t.Errorf("admin readyz body = %s (%v), want postgres_hr ok", rec.Body, err)
	}

	s, _ = newTestServer(t, okCheck, down, slow)
	start := time.Now()
	rec = do(t, s.AdminHandler(), "GET", "/readyz", nil)
	if rec.Code != 503 {
		t.Fatalf("admin readyz with failing checks = %d, want 503", rec.Code)
	}
	p := decodeProblem(t, rec)
	if p.Detail != "Unavailable: postgres_med, vault." {
		t.Errorf("admin readyz detail = %q, want the failed dependencies named", p.Detail)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("admin readyz took %v with a hanging check, want it bounded by ReadyTimeout", d)
	}
}

// TestPublicReadyz checks the public /readyz: ok or unavailable with no
// check name or error text, and one round of checks per second however
// many callers ask.
func TestPublicReadyz(t *testing.T) {
	var (
		mu     sync.Mutex
		probes int
		fail   bool
	)
	vault := Check{Name: "vault", Probe: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		probes++
		if fail {
			return errors.New("vault: sealed at 10.0.0.7")
		}
		return nil
	}}
	s, _ := newTestServer(t, vault)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rec := do(t, s.Handler(), "GET", "/readyz", nil); rec.Code != 200 {
				t.Errorf("public readyz while ready = %d, want 200", rec.Code)
			}
		}()
	}
	wg.Wait()
	rec := do(t, s.Handler(), "GET", "/readyz", nil)
	if got := strings.TrimSpace(rec.Body.String()); rec.Code != 200 || got != `{"status":"ok"}` {
		t.Errorf("public readyz = %d %s, want 200 {\"status\":\"ok\"} and nothing more", rec.Code, got)
	}
	if probes != 1 {
		t.Errorf("51 public readyz within a second ran the checks %d times, want 1", probes)
	}

	mu.Lock()
	fail = true
	mu.Unlock()
	advance(999 * time.Millisecond)
	if rec := do(t, s.Handler(), "GET", "/readyz", nil); rec.Code != 200 || probes != 1 {
		t.Errorf("public readyz 999ms later = %d after %d probes, want the cached 200 after 1", rec.Code, probes)
	}
	advance(time.Millisecond)
	rec = do(t, s.Handler(), "GET", "/readyz", nil)
	if rec.Code != 503 || probes != 2 {
		t.Fatalf("public readyz a second later with vault down = %d after %d probes, want 503 after 2", rec.Code, probes)
	}
	p := decodeProblem(t, rec)
	for _, leak := range []string{"vault", "10.0.0.7", "sealed"} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("public readyz body %s names %q, want no check name or error text", rec.Body, leak)
		}
	}
	if p.Errors != nil || p.Detail != "" {
		t.Errorf("public readyz problem = %+v, want no detail and no errors", p)
	}
}

// TestAdminRoutesAreNotPublic checks that /metrics is served on the admin
// handler only, and that the admin handler serves nothing of the API.
func TestAdminRoutesAreNotPublic(t *testing.T) {
	s, _ := newTestServer(t)
	if rec := do(t, s.Handler(), "GET", "/metrics", nil); rec.Code != http.StatusNotFound {
		t.Errorf("public GET /metrics = %d, want 404", rec.Code)
	}
	if rec := do(t, s.AdminHandler(), "GET", "/metrics", nil); rec.Code != http.StatusOK {
		t.Errorf("admin GET /metrics = %d, want 200", rec.Code)
	}
	if rec := do(t, s.AdminHandler(), "GET", "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("admin GET /healthz = %d, want 200", rec.Code)
	}
	if rec := do(t, s.AdminHandler(), "POST", "/api/v1/auth/login", strings.NewReader("{}")); rec.Code != http.StatusNotFound {
		t.Errorf("admin POST /api/v1/auth/login = %d, want 404", rec.Code)
	}
}

func TestMetricsUseRouteTemplates(t *testing.T) {
	s, _ := newTestServer(t)
	do(t, s.Handler(), "GET", "/api/v1/employees/5f0c0a3e-aaaa-bbbb-cccc-000000000001", nil)
	body := do(t, s.AdminHandler(), "GET", "/metrics", nil).Body.String()
	if !strings.Contains(body, `arbokluis_http_requests_total{method="GET",route="/api/v1/employees/:id",status="401"} 1`) {
		t.Errorf("metrics lack the templated route:\n%s", body)
	}
	if strings.Contains(body, "5f0c0a3e") {
		t.Errorf("metrics contain a raw path value")
	}
}

func TestServeDrainsInFlightRequests(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() {
		served <- Serve(ctx, ln, h, Timeouts{ReadHeader: time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Idle: time.Second, Shutdown: 5 * time.Second}, log)
	}()

	resp := make(chan string, 1)
	go func() {
		r, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resp <- "error: " + err.Error()
			return
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		resp <- string(b)
	}()
	<-started
	cancel() // SIGTERM arrives while the request is in flight
	time.Sleep(100 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond); err == nil {
		t.Errorf("new connections are still accepted after shutdown began")
	}
	close(release)
	if got := <-resp; got != "done" {
		t.Errorf("in-flight request got %q, want %q", got, "done")
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after drain = %v, want nil", err)
	}
}

// TestRoutesMatchOpenAPI keeps docs/openapi.yaml (as embedded and served)
// and the router in step.
func TestRoutesMatchOpenAPI(t *testing.T) {
	s, _ := newTestServer(t)
	var got []string
	for _, r := range s.Routes() {
		got = append(got, r.Method+" "+ginToOpenAPI(r.Path))
	}
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(docs.OpenAPI, &spec); err != nil {
		t.Fatalf("parse openapi.yaml: %v", err)
	}
	var want []string
	for path, ops := range spec.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				want = append(want, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("router routes:\n%s\nopenapi paths:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOpenAPIServed checks that GET /api/v1/openapi.yaml answers anyone,
// without a session, with the embedded OpenAPI text as application/yaml.
func TestOpenAPIServed(t *testing.T) {
	s, _ := newTestServer(t)
	rec := do(t, s.Handler(), "GET", "/api/v1/openapi.yaml", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.yaml without a session = %d %s, want 200", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("GET /api/v1/openapi.yaml: Content-Type = %q, want application/yaml", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), docs.OpenAPI) || len(docs.OpenAPI) == 0 {
		t.Errorf("GET /api/v1/openapi.yaml: body of %d bytes, want the %d bytes of docs/openapi.yaml", rec.Body.Len(), len(docs.OpenAPI))
	}
	var spec struct {
		OpenAPI string         `yaml:"openapi"`
		Paths   map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(rec.Body.Bytes(), &spec); err != nil || spec.OpenAPI != "3.1.0" || spec.Paths["/api/v1/openapi.yaml"] == nil {
		t.Errorf("GET /api/v1/openapi.yaml: openapi %q, lists itself %v, err %v; want 3.1.0, true, nil",
			spec.OpenAPI, spec.Paths["/api/v1/openapi.yaml"] != nil, err)
	}
}

// ginToOpenAPI turns /a/:id into /a/{id}.
func ginToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || strings.HasPrefix(part, "*") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// BenchmarkProblem measures the error path: a handler error rendered as
// problem+json through the whole middleware chain.
func BenchmarkProblem(b *testing.B) {
	s, err := New(Options{
		Logger:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Registry:     prometheus.NewRegistry(),
		MaxBodyBytes: 1024,
	}.withoutServices())
	if err != nil {
		b.Fatal(err)
	}
	s.engine.GET("/t/:id", s.handle(func(*gin.Context) error { return derrors.ErrNotFound }))
	req := httptest.NewRequest("GET", "/t/1", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 404 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
