package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// fakeAuth is a login service that knows one token; panics when told to.
type fakeAuth struct {
	token   string
	panics  bool
	logins  int
	loginFn func(identity.LoginRequest) (identity.Session, error)
}

func (f *fakeAuth) Login(_ context.Context, req identity.LoginRequest) (identity.Session, error) {
	f.logins++
	if f.loginFn != nil {
		return f.loginFn(req)
	}
	return identity.Session{}, fmt.Errorf("fake: %w", derrors.ErrUnauthenticated)
}

func (f *fakeAuth) Authenticate(_ context.Context, token string) (access.Principal, error) {
	if f.panics {
		panic("fake: secret detail 4711")
	}
	if token != "" && token == f.token {
		return access.Principal{Grants: []access.Grant{{Role: access.RoleEmployer}}}, nil
	}
	return access.Principal{}, derrors.ErrUnauthenticated
}

func (f *fakeAuth) Logout(context.Context, string, access.Principal, string, netip.Addr) error {
	return nil
}

type fakeInvitations struct{}

func (fakeInvitations) Accept(context.Context, string, string, string, string) (identity.Enrolment, error) {
	return identity.Enrolment{}, derrors.ErrNotFound
}
func (fakeInvitations) RequestPasswordReset(context.Context, string, string) error { return nil }
func (fakeInvitations) ResetPassword(context.Context, string, string, string) error {
	return derrors.ErrNotFound
}

func newTestServer(t testing.TB, auth *fakeAuth, hsts bool) http.Handler {
	t.Helper()
	s, err := New(Options{Auth: auth, Invitations: fakeInvitations{}, Authz: &fakeAuthz{}, Recorder: &fakeRecorder{}, HSTS: hsts})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s.Handler()
}

func TestDate(t *testing.T) {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "2 januari 2026"},
		{time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), "28 februari 2026"},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "1 maart 2024"},
		{time.Date(2025, 4, 30, 0, 0, 0, 0, time.UTC), "30 april 2025"},
		{time.Date(2025, 5, 5, 0, 0, 0, 0, time.UTC), "5 mei 2025"},
		{time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC), "10 juni 2025"},
		{time.Date(2025, 7, 11, 0, 0, 0, 0, time.UTC), "11 juli 2025"},
		{time.Date(2025, 8, 12, 0, 0, 0, 0, time.UTC), "12 augustus 2025"},
		{time.Date(2025, 9, 13, 0, 0, 0, 0, time.UTC), "13 september 2025"},
		{time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC), "14 oktober 2025"},
		{time.Date(2025, 11, 15, 0, 0, 0, 0, time.UTC), "15 november 2025"},
		{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), "31 december 2025"},
		// The date is the one of the time's own location.
		{time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC).In(ams), "1 januari 2026"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Date(tt.in); got != tt.want {
				t.Errorf("Date(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type throttledErr struct{ wait time.Duration }

func (e throttledErr) Error() string             { return "throttled" }
func (e throttledErr) Unwrap() error             { return derrors.ErrThrottled }
func (e throttledErr) RetryAfter() time.Duration { return e.wait }

func TestPageErrorOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		text   string
	}{
		{"invalid", derrors.ErrInvalid, 400, "Niet alles is goed ingevuld"},
		{"field errors", derrors.FieldErrors{"password": "too short"}, 400, "Niet alles is goed ingevuld"},
		{"unauthenticated", fmt.Errorf("x: %w", derrors.ErrUnauthenticated), 401, "niet ingelogd"},
		{"forbidden", derrors.ErrForbidden, 403, "U mag dit niet doen."},
		{"not found", fmt.Errorf("wrapped: %w", derrors.ErrNotFound), 404, "Deze pagina bestaat niet."},
		{"conflict", derrors.ErrConflict, 409, "intussen veranderd"},
		{"throttled without wait", derrors.ErrThrottled, 429, "Wacht even"},
		{"throttled 40s", throttledErr{40 * time.Second}, 429, "Probeer het over 40 seconden opnieuw."},
		{"throttled 1s", throttledErr{300 * time.Millisecond}, 429, "over 1 seconde"},
		{"throttled 15m", throttledErr{14*time.Minute + time.Second}, 429, "over 15 minuten"},
		{"refused", derrors.ErrRefused, 422, "regels"},
		{"unavailable", derrors.ErrUnavailable, 503, "lukt nu even niet"},
		{"internal", errors.New("pq: secret 4711"), 500, "Er ging bij ons iets mis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageErrorOf(tt.err)
			if got.status != tt.status || !strings.Contains(got.message, tt.text) {
				t.Errorf("pageErrorOf(%v) = %d %q, want %d containing %q", tt.err, got.status, got.message, tt.status, tt.text)
			}
			if strings.Contains(got.message, "4711") || strings.Contains(got.message, "too short") {
				t.Errorf("pageErrorOf(%v) = %q: shows the error's own text", tt.err, got.message)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name, method, path string
		hsts               bool
		status             int
		cache, wantHSTS    string
	}{
		{"login page", "GET", "/inloggen", false, 200, "no-store", ""},
		{"login page over https", "GET", "/inloggen", true, 200, "no-store", hstsValue},
		{"home redirects", "GET", "/", true, 303, "no-store", hstsValue},
		{"404", "GET", "/nergens", false, 404, "no-store", ""},
		{"unknown method", "DELETE", "/inloggen", false, 404, "no-store", ""},
		{"stylesheet", "GET", "/static/app.css", true, 200, staticCache, hstsValue},
		{"script", "GET", "/static/token.js", false, 200, staticCache, ""},
		{"static README is no asset", "GET", "/static/README.md", false, 404, staticCache, ""},
		{"static folder", "GET", "/static/", false, 404, staticCache, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestServer(t, &fakeAuth{}, tt.hsts)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			hd := rec.Result().Header
			if rec.Code != tt.status {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.status)
			}
			for name, want := range map[string]string{
				"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
				"X-Content-Type-Options":  "nosniff", "Referrer-Policy": "no-referrer",
				"Cache-Control": tt.cache, "Strict-Transport-Security": tt.wantHSTS,
			} {
				if got := hd.Get(name); got != want {
					t.Errorf("%s %s: %s = %q, want %q", tt.method, tt.path, name, got, want)
				}
			}
		})
	}
}

func TestNotFoundAndPanicPages(t *testing.T) {
	h := newTestServer(t, &fakeAuth{panics: true, token: "t"}, false)
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/bestaat/niet", 404, "Deze pagina bestaat niet."},
		{"/", 500, "Er ging bij ons iets mis"},
	} {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "t"})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != tt.status || !strings.Contains(body, tt.want) || !strings.Contains(body, `<html lang="nl">`) {
			t.Errorf("GET %s = %d %q, want %d with %q in a Dutch page", tt.path, rec.Code, body, tt.status, tt.want)
		}
		for _, leak := range []string{"4711", "goroutine", ".go:"} {
			if strings.Contains(body, leak) {
				t.Errorf("GET %s shows %q", tt.path, leak)
			}
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	tests := []struct {
		method, site, origin string
		ok                   bool
	}{
		{"GET", "", "", true},
		{"HEAD", "", "", true},
		{"OPTIONS", "", "", true},
		{"POST", "", "", false},
		{"PUT", "", "", false},
		{"DELETE", "", "", false},
		{"POST", "same-origin", "", true},
		{"POST", "", "https://arbokluis.test", true},
		{"POST", "cross-site", "", true}, // left to CrossOriginProtection
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.site+" "+tt.origin, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/uitloggen", nil)
			if tt.site != "" {
				r.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if err := CheckOrigin(r); (err == nil) != tt.ok {
				t.Errorf("CheckOrigin(%s, Sec-Fetch-Site %q, Origin %q) = %v, want ok %v", tt.method, tt.site, tt.origin, err, tt.ok)
			}
		})
	}
}

// TestCSRFRefusesBeforeTheHandler posts credentials cross-site and without
// any origin information: both are the 403 page and never reach the login
// service.
func TestCSRFRefusesBeforeTheHandler(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site origin", map[string]string{"Origin": "http://evil.test"}, 403},
		{"no fetch metadata", map[string]string{}, 403},
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, 401},
		{"same host origin", map[string]string{"Origin": "http://example.com"}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := &fakeAuth{}
			h := newTestServer(t, auth, false)
			form := url.Values{"email": {"a@b.test"}, "password": {"x"}, "totp": {"123456"}}
			req := httptest.NewRequest("POST", "http://example.com/inloggen", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("POST /inloggen with %v = %d, want %d", tt.headers, rec.Code, tt.status)
			}
			if refused := tt.status == 403; refused && auth.logins != 0 {
				t.Errorf("POST /inloggen with %v reached the login service", tt.headers)
			}
		})
	}
}

func TestLoginKeepsTheAddressNeverThePassword(t *testing.T) {
	auth := &fakeAuth{loginFn: func(identity.LoginRequest) (identity.Session, error) {
		return identity.Session{}, throttledErr{90 * time.Second}
	}}
	h := newTestServer(t, auth, false)
	form := url.Values{"email": {"piet@example.test"}, "password": {"geheim-wachtwoord-123"}, "totp": {"123456"}}
	req := httptest.NewRequest("POST", "/inloggen", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 429 || !strings.Contains(string(body), "Probeer het over 2 minuten opnieuw.") {
		t.Errorf("a throttled login = %d %s, want 429 with the wait", rec.Code, body)
	}
	if !strings.Contains(string(body), `value="piet@example.test"`) {
		t.Errorf("a throttled login does not keep the address in the form")
	}
	if strings.Contains(string(body), "geheim-wachtwoord-123") || strings.Contains(string(body), "123456") {
		t.Errorf("a throttled login shows the password or code again")
	}
}

func TestClientIP(t *testing.T) {
	proxies, err := parseProxies([]string{"10.0.0.0/8", "192.168.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff, xreal, want string
	}{
		{"direct", "203.0.113.7:5000", "", "", "203.0.113.7"},
		{"direct ignores forwarded", "203.0.113.7:5000", "198.51.100.1", "", "203.0.113.7"},
		{"trusted proxy", "10.1.2.3:5000", "198.51.100.1", "", "198.51.100.1"},
		{"trusted chain", "10.1.2.3:5000", "198.51.100.1, 192.168.1.1, 10.9.9.9", "", "198.51.100.1"},
		{"spoofed left", "10.1.2.3:5000", "1.1.1.1, 198.51.100.1", "", "198.51.100.1"},
		{"all trusted", "10.1.2.3:5000", "10.0.0.5", "", "10.0.0.5"},
		{"garbage forwarded", "10.1.2.3:5000", "nonsense", "", "10.1.2.3"},
		{"real ip", "192.168.1.1:80", "", "198.51.100.9", "198.51.100.9"},
		{"mapped v4", "[::ffff:203.0.113.7]:80", "", "", "203.0.113.7"},
		{"v6", "[2001:db8::1]:80", "", "", "2001:db8::1"},
		{"bad peer", "nonsense", "", "", "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.xreal != "" {
				r.Header.Set("X-Real-IP", tt.xreal)
			}
			if got := ClientIP(r, proxies).String(); got != tt.want {
				t.Errorf("ClientIP(remote %s, XFF %q, X-Real-IP %q) = %s, want %s", tt.remote, tt.xff, tt.xreal, got, tt.want)
			}
		})
	}
	if _, err := parseProxies([]string{"not-an-ip"}); err == nil {
		t.Errorf("parseProxies(not-an-ip) = nil, want an error")
	}
}

func TestSealer(t *testing.T) {
	s, err := newSealer()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sealed, err := s.seal(enrolState{Secret: "ABC", Codes: []string{"x"}, Expires: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := s.open(sealed, now); err != nil || st.Secret != "ABC" {
		t.Errorf("open(sealed) = %+v, %v; want the state", st, err)
	}
	if _, err := s.open(sealed, now.Add(2*time.Minute)); err == nil {
		t.Errorf("open after expiry = nil error, want errBadState")
	}
	other, _ := newSealer()
	if _, err := other.open(sealed, now); err == nil {
		t.Errorf("another process's open = nil error, want errBadState")
	}
	tampered := []byte(sealed)
	tampered[len(tampered)/2] ^= 1
	if _, err := s.open(string(tampered), now); err == nil {
		t.Errorf("open(tampered) = nil error, want errBadState")
	}
}

func FuzzSealerOpen(f *testing.F) {
	s, err := newSealer()
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.seal(enrolState{Secret: "S", Expires: time.Now().Add(time.Hour)})
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, in string) {
		st, err := s.open(in, time.Now())
		if err == nil && in != good {
			t.Errorf("open(%q) = %+v, want errBadState for anything not sealed here", in, st)
		}
	})
}

func FuzzClientIP(f *testing.F) {
	proxies, _ := parseProxies([]string{"10.0.0.0/8"})
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2", "")
	f.Add("1.2.3.4:1", "", "")
	f.Add("10.0.0.1:1", ",,,", "::1")
	f.Fuzz(func(t *testing.T, remote, xff, xreal string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("X-Real-IP", xreal)
		got := ClientIP(r, proxies)
		if got.IsValid() && got.Is4In6() {
			t.Errorf("ClientIP(%q, %q, %q) = %s, want an unmapped address", remote, xff, xreal, got)
		}
		peer, err := netip.ParseAddrPort(remote)
		if err == nil && !proxies[0].Contains(peer.Addr().Unmap()) && got != peer.Addr().Unmap() {
			t.Errorf("ClientIP(%q, %q, %q) = %s, want the untrusted peer", remote, xff, xreal, got)
		}
	})
}

func FuzzLoginForm(f *testing.F) {
	f.Add("email=a%40b&password=x&totp=1")
	f.Add("%zz")
	f.Add(strings.Repeat("a=", 1000))
	f.Fuzz(func(t *testing.T, body string) {
		h := newTestServer(t, &fakeAuth{}, false)
		req := httptest.NewRequest("POST", "/inloggen", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("POST /inloggen %q = %d, want no server error", body, rec.Code)
		}
	})
}

// TestRequestLogNamesTheRouteNeverThePath: the one log line per request
// names the route pattern and the status, never the path or query (which
// may hold a token) or a form value.
func TestRequestLogNamesTheRouteNeverThePath(t *testing.T) {
	var logs strings.Builder
	s, err := New(Options{Auth: &fakeAuth{}, Invitations: fakeInvitations{}, Authz: &fakeAuthz{}, Recorder: &fakeRecorder{}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"token": {"geheimtoken4711geheimtoken"}, "password": {"p4711"}, "password2": {"p4711"}}
	req := httptest.NewRequest("POST", "/password-reset?x=query4711", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Request-ID", "req-12345678")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	line := logs.String()
	if !strings.Contains(line, `"route":"POST /password-reset"`) || !strings.Contains(line, `"status":404`) ||
		!strings.Contains(line, `"request_id":"req-12345678"`) {
		t.Errorf("the request log is %s, want the route, status 404 and the request id", line)
	}
	if strings.Contains(line, "4711") {
		t.Errorf("the request log holds the path, query or a form value: %s", line)
	}
	if got := rec.Header().Get("X-Request-ID"); got != "req-12345678" {
		t.Errorf("X-Request-ID = %q, want the caller's", got)
	}
}
