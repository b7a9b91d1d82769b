package app

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// portalResponse is one answer of the portal.
type portalResponse struct {
	status int
	body   string
	header http.Header
}

// noRedirects is a client that shows the portal's redirects instead of
// following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout: 30 * time.Second}

// portal sends one request to the stack's portal with the session token in
// the portal's cookie (none when ""), form as a urlencoded body (POST), and
// header as name/value pairs. A POST without header pairs is sent as a
// same-origin browser would (Sec-Fetch-Site: same-origin).
func (s *stack) portal(method, path, token string, form url.Values, header ...string) portalResponse {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	}
	if method != http.MethodGet && len(header) == 0 {
		header = []string{"Sec-Fetch-Site", "same-origin"}
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return portalResponse{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// liveSessions counts the user's sessions that are neither revoked nor
// expired.
func liveSessions(t *testing.T, s *stack, userID uuid.UUID) int {
	t.Helper()
	var n int
	if err := testenv.Pool(t, s.env.MigrateURL).QueryRow(context.Background(),
		`SELECT count(*) FROM hr.sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`, userID).Scan(&n); err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	return n
}

// TestPortalRefusesCrossSiteStateChanges sends the portal's state changes
// as a forged cross-site form would arrive (Sec-Fetch-Site: cross-site, or
// a foreign Origin) and as a request with neither Sec-Fetch-Site nor
// Origin: each is the 403 page, and the database is unchanged (the session
// still live, no session opened).
func TestPortalRefusesCrossSiteStateChanges(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	tok := s.session(u)
	creds := url.Values{"email": {u.email}, "password": {u.password}, "totp": {code(t, u.secret, time.Now().Add(30*time.Second))}}
	for _, tt := range []struct {
		name   string
		header []string
	}{
		{"cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"cross-site origin", []string{"Origin", "http://localhost:1"}},
		{"neither Sec-Fetch-Site nor Origin", []string{"X-Nothing", "1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := s.portal("POST", "/uitloggen", tok, url.Values{}, tt.header...); r.status != http.StatusForbidden ||
				!strings.Contains(r.body, "geweigerd") {
				t.Errorf("POST /uitloggen %s = %d, want the 403 page", tt.name, r.status)
			}
			if r := s.portal("POST", "/inloggen", "", creds, tt.header...); r.status != http.StatusForbidden ||
				r.header.Get("Set-Cookie") != "" {
				t.Errorf("POST /inloggen %s = %d (Set-Cookie %q), want the 403 page and no cookie", tt.name, r.status, r.header.Get("Set-Cookie"))
			}
			if n := liveSessions(t, s, u.userID); n != 1 {
				t.Errorf("after refused posts %s the user has %d live sessions, want the 1 from before", tt.name, n)
			}
		})
	}
	if r := s.portal("GET", "/", tok, nil); r.status != http.StatusOK {
		t.Errorf("GET / with the session after the refused posts = %d, want 200", r.status)
	}
	// The same logout from the portal itself ends the session.
	r := s.portal("POST", "/uitloggen", tok, url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/inloggen" || liveSessions(t, s, u.userID) != 0 {
		t.Errorf("a same-origin logout = %d to %q, %d live sessions; want 303 to /inloggen and none", r.status,
			r.header.Get("Location"), liveSessions(t, s, u.userID))
	}
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, web.SessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("logout sets cookie %q, want the session cookie cleared", c)
	}
}

// TestPortalSessionCookie logs in through the portal: the cookie is the
// API's session (the same token works as a bearer), with the __Host-
// attributes.
func TestPortalSessionCookie(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RoleEmployer, s.addEmployer())
	r := s.portal("POST", "/inloggen", "", url.Values{"email": {u.email}, "password": {u.password}, "totp": {code(t, u.secret, time.Now())}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("portal login = %d to %q, want 303 to /", r.status, r.header.Get("Location"))
	}
	cookies := (&http.Response{Header: r.header}).Cookies()
	if len(cookies) != 1 || cookies[0].Name != web.SessionCookie {
		t.Fatalf("portal login sets %v, want the one session cookie", cookies)
	}
	c := cookies[0]
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" || c.Expires.IsZero() {
		t.Errorf("session cookie = %+v, want HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, an expiry", c)
	}
	if me := s.do("GET", "/api/v1/me", c.Value, nil); me.status != http.StatusOK {
		t.Errorf("the portal's session as a bearer token = %d, want 200: one session store", me.status)
	}
}

// TestPortalBlockedUserIsLoggedOut: once an admin blocks a user, the
// user's portal session ends: the next page sends to the login page.
func TestPortalBlockedUserIsLoggedOut(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	u := s.addUser(access.RoleCaseManager, s.addEmployer())
	tok := s.session(u)
	if r := s.portal("GET", "/", tok, nil); r.status != http.StatusOK {
		t.Fatalf("GET / before the block = %d, want 200", r.status)
	}
	if r := s.do("POST", "/api/v1/users/"+u.userID.String()+"/block", adminTok, nil); r.status != http.StatusOK {
		t.Fatalf("block = %d %s, want 200", r.status, r.raw)
	}
	r := s.portal("GET", "/", tok, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/inloggen" {
		t.Errorf("GET / after the block = %d to %q, want 303 to /inloggen", r.status, r.header.Get("Location"))
	}
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("GET / after the block sets cookie %q, want the dead session cookie cleared", c)
	}
}

// TestPortalMountKeepsTheAPI: the public listener sends the API's paths to
// the API (its headers, its JSON 404) and everything else to the portal.
func TestPortalMountKeepsTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, tt := range []struct {
		path, csp, contentType string
		status                 int
	}{
		{"/api/v1/nothing", "default-src 'none'; frame-ancestors 'none'", "application/problem+json", 404},
		{"/healthz", "default-src 'none'; frame-ancestors 'none'", "application/json", 200},
		{"/metrics", "default-src 'none'; frame-ancestors 'none'", "application/problem+json", 404},
		{"/nothing", web.CSP, "text/html; charset=utf-8", 404},
		{"/inloggen", web.CSP, "text/html; charset=utf-8", 200},
	} {
		r := s.portal("GET", tt.path, "", nil)
		if r.status != tt.status || r.header.Get("Content-Security-Policy") != tt.csp || !strings.HasPrefix(r.header.Get("Content-Type"), tt.contentType) {
			t.Errorf("GET %s = %d, CSP %q, type %q; want %d, %q, %q", tt.path, r.status, r.header.Get("Content-Security-Policy"),
				r.header.Get("Content-Type"), tt.status, tt.csp, tt.contentType)
		}
	}
}

// TestPortalThrottledLoginSaysHowLong: once the account's login attempts
// are used up, the login page answers 429 with the wait in words, the
// address kept.
func TestPortalThrottledLoginSaysHowLong(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) { c.LoginAccountLimit = 2 })
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	wrong := url.Values{"email": {u.email}, "password": {"niet het wachtwoord"}, "totp": {"123456"}}
	for i := range 2 {
		if r := s.portal("POST", "/inloggen", "", wrong); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong login %d = %d, want 401", i+1, r.status)
		}
	}
	r := s.portal("POST", "/inloggen", "", wrong)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Te veel pogingen. Probeer het over ") ||
		!strings.Contains(r.body, "minuten opnieuw.") {
		t.Errorf("the third login = %d, want 429 saying how many minutes to wait:\n%s", r.status, r.body)
	}
	if !strings.Contains(r.body, `value="`+u.email+`"`) {
		t.Errorf("the throttled login page does not keep the address")
	}
}
