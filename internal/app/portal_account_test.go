package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// secondSession opens another session of u with the next TOTP step (the
// step of s.session is used up).
func secondSession(t *testing.T, s *stack, u login) string {
	t.Helper()
	r := s.login(u.email, u.password, code(t, u.secret, time.Now().Add(30*time.Second)))
	token, _ := r.body["token"].(string)
	if r.status != http.StatusOK || token == "" {
		t.Fatalf("second login of %s = %d, want a session", u.userID, r.status)
	}
	return token
}

// accountState is what a password change may touch: the password hash,
// the password-changed notices and the login failures of the account.
type accountState struct {
	hash              string
	notices, failures int
}

func readAccountState(t *testing.T, s *stack, u login) accountState {
	t.Helper()
	var st accountState
	if err := testenv.Pool(t, s.env.MigrateURL).QueryRow(context.Background(), `
		SELECT u.password_hash,
			(SELECT count(*) FROM hr.notifications n WHERE n.user_id = u.id AND n.kind = 'password_changed'),
			(SELECT coalesce(sum(f.failures), 0) FROM hr.login_failures f WHERE f.account_key = sha256(convert_to(u.email, 'UTF8')))
		FROM hr.users u WHERE u.id = $1`, u.userID).Scan(&st.hash, &st.notices, &st.failures); err != nil {
		t.Fatalf("read account state: %v", err)
	}
	return st
}

// TestPortalAccountChangePassword: on /account a wrong current password,
// a weak or a mistyped new one change nothing (the wrong current password
// counts as a failed login); the right one sets the new password, ends
// the user's other session, keeps this one and leaves a notice.
func TestPortalAccountChangePassword(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RoleCaseManager, s.addEmployer())
	here, other := s.session(u), secondSession(t, s, u)
	const newPW = "een heel nieuw wachtwoord voor mij"
	before := readAccountState(t, s, u)

	for _, tt := range []struct {
		name                   string
		current, new1, new2    string
		wantMessage            string
		wantFailuresAddedToLog int
	}{
		{"wrong current password", "niet mijn wachtwoord 123", newPW, newPW, "Uw huidige wachtwoord klopt niet", 1},
		{"new passwords differ", u.password, newPW, newPW + "x", "niet gelijk", 0},
		{"new password too short", u.password, "kort", "kort", "minstens 12 tekens", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			was := readAccountState(t, s, u)
			r := s.portal("POST", "/account/wachtwoord", here, url.Values{"current": {tt.current}, "password": {tt.new1}, "password2": {tt.new2}})
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, tt.wantMessage) {
				t.Errorf("POST /account/wachtwoord (%s) = %d, want 400 with %q", tt.name, r.status, tt.wantMessage)
			}
			got := readAccountState(t, s, u)
			if got.hash != was.hash || got.notices != was.notices {
				t.Errorf("POST /account/wachtwoord (%s) changed the password or left a notice (%d, want %d)", tt.name, got.notices, was.notices)
			}
			if got.failures != was.failures+tt.wantFailuresAddedToLog {
				t.Errorf("POST /account/wachtwoord (%s): login failures %d, want %d", tt.name, got.failures, was.failures+tt.wantFailuresAddedToLog)
			}
			if n := liveSessions(t, s, u.userID); n != 2 {
				t.Errorf("POST /account/wachtwoord (%s): %d live sessions, want 2", tt.name, n)
			}
		})
	}

	r := s.portal("POST", "/account/wachtwoord", here, url.Values{"current": {u.password}, "password": {newPW}, "password2": {newPW}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?klaar=wachtwoord" {
		t.Fatalf("POST /account/wachtwoord (right) = %d to %q, want 303 to /account?klaar=wachtwoord", r.status, r.header.Get("Location"))
	}
	after := readAccountState(t, s, u)
	if ok, err := identity.VerifyPassword(after.hash, u.password); ok || err != nil {
		t.Errorf("after the change the old password matches = %v (%v), want false", ok, err)
	}
	if ok, err := identity.VerifyPassword(after.hash, newPW); !ok || err != nil {
		t.Errorf("after the change the new password matches = %v (%v), want true", ok, err)
	}
	if after.notices != before.notices+1 {
		t.Errorf("after the change %d password notices, want %d", after.notices, before.notices+1)
	}
	if r := s.portal("GET", "/account?klaar=wachtwoord", here, nil); r.status != http.StatusOK ||
		!strings.Contains(r.body, "Uw wachtwoord is gewijzigd") || !strings.Contains(r.body, "deze sessie") {
		t.Errorf("GET /account with this session after the change = %d, want 200 with the notice and this session", r.status)
	}
	if r := s.portal("GET", "/account", other, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/inloggen" {
		t.Errorf("GET /account with the other session after the change = %d to %q, want 303 to /inloggen", r.status, r.header.Get("Location"))
	}
	if r := s.login(u.email, u.password, "000000"); r.status != http.StatusUnauthorized {
		t.Errorf("login with the old password = %d, want 401", r.status)
	}
}

// sessionIDsOn are the session ids of the end buttons on an account page.
var sessionIDsOn = regexp.MustCompile(`/account/sessies/([0-9a-f]{32})/beeindigen`)

// TestPortalAccountSessions: a user sees their own sessions (this one
// marked) and ends one of them, or all others; another user's session id
// is the 404 page and ends nothing; ending this session logs out.
func TestPortalAccountSessions(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a, b := s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleEmployee, s.addEmployer())
	a1, a2 := s.session(a), secondSession(t, s, a)
	b1, b2 := s.session(b), secondSession(t, s, b)

	ids := func(tok string) []string {
		t.Helper()
		r := s.portal("GET", "/account", tok, nil)
		if r.status != http.StatusOK || strings.Count(r.body, "(deze sessie)") != 1 {
			t.Fatalf("GET /account = %d, want 200 with one session marked as this one", r.status)
		}
		var out []string
		for _, m := range sessionIDsOn.FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	aIDs := ids(a1)
	if len(aIDs) != 2 {
		t.Fatalf("GET /account as a lists %d sessions, want 2", len(aIDs))
	}
	current := identity.SessionID(identity.HashToken(a1))
	aOther := aIDs[0]
	if aOther == current {
		aOther = aIDs[1]
	}
	for _, id := range aIDs {
		if strings.Contains(id, a1) || id == string(identity.HashToken(a1)) {
			t.Errorf("the session id %s shows the token", id)
		}
	}

	t.Run("another user's session is the 404 page", func(t *testing.T) {
		r := s.portal("POST", "/account/sessies/"+aOther+"/beeindigen", b1, url.Values{})
		if r.status != http.StatusNotFound {
			t.Errorf("POST /account/sessies/{a's id}/beeindigen as b = %d, want 404", r.status)
		}
		if n := liveSessions(t, s, a.userID); n != 2 {
			t.Errorf("after b's attempt a has %d live sessions, want 2", n)
		}
	})
	t.Run("own other session", func(t *testing.T) {
		r := s.portal("POST", "/account/sessies/"+aOther+"/beeindigen", a1, url.Values{})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?klaar=sessie" {
			t.Errorf("POST /account/sessies/{own}/beeindigen = %d to %q, want 303 to /account?klaar=sessie", r.status, r.header.Get("Location"))
		}
		if r := s.portal("GET", "/account", a2, nil); r.status != http.StatusSeeOther {
			t.Errorf("GET /account with the ended session = %d, want 303 to login", r.status)
		}
		if n := liveSessions(t, s, a.userID); n != 1 {
			t.Errorf("after ending one a has %d live sessions, want 1", n)
		}
	})
	t.Run("all others", func(t *testing.T) {
		if got := ids(b1); len(got) != 2 {
			t.Fatalf("GET /account as b lists %d sessions, want 2", len(got))
		}
		r := s.portal("POST", "/account/sessies/beeindigen", b1, url.Values{})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?klaar=sessies" {
			t.Errorf("POST /account/sessies/beeindigen = %d to %q, want 303 to /account?klaar=sessies", r.status, r.header.Get("Location"))
		}
		if r := s.portal("GET", "/account", b2, nil); r.status != http.StatusSeeOther {
			t.Errorf("GET /account with b's other session = %d, want 303 to login", r.status)
		}
		if got := ids(b1); len(got) != 1 || liveSessions(t, s, b.userID) != 1 {
			t.Errorf("after ending the others b lists %d sessions, want 1", len(got))
		}
	})
	t.Run("this session logs out", func(t *testing.T) {
		r := s.portal("POST", "/account/sessies/"+current+"/beeindigen", a1, url.Values{})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/inloggen" ||
			!strings.Contains(r.header.Get("Set-Cookie"), web.SessionCookie+"=;") {
			t.Errorf("POST /account/sessies/{this}/beeindigen = %d to %q, want 303 to /inloggen and the cookie cleared", r.status, r.header.Get("Location"))
		}
		if n := liveSessions(t, s, a.userID); n != 0 {
			t.Errorf("after ending this session a has %d live sessions, want 0", n)
		}
	})
}

// TestPortalAccountInBrowser walks the account page in Chromium: the
// header links to it, it lists this browser's session and the API session,
// a wrong current password says so, the right one changes the password and
// ends the API session while the browser stays logged in.
func TestPortalAccountInBrowser(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s := newStack(t)
	u := s.addUser(access.RoleEmployer, s.addEmployer())
	apiTok := s.session(u)
	portalLogin(t, ctx, s.url, u)
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "Mijn account") {
		t.Errorf("the header of the home page has no link to the account page:\n%s", text)
	}
	if st := testenv.Navigate(t, ctx, s.url+"/account"); st != http.StatusOK {
		t.Fatalf("GET /account in the browser = %d, want 200", st)
	}
	text := testenv.PageText(t, ctx)
	if strings.Count(text, "Ingelogd op") != 2 || !strings.Contains(text, "(deze sessie)") {
		t.Errorf("the account page lists not this session and the API session:\n%s", text)
	}
	testenv.Inspect(t, ctx, "account")
	const newPW = "mijn nieuwe wachtwoord in de browser"
	testenv.Fill(t, ctx, map[string]string{"Huidig wachtwoord": "fout wachtwoord 1234", "Nieuw wachtwoord": newPW, "Herhaal het nieuwe wachtwoord": newPW})
	if st := testenv.Submit(t, ctx, "Wachtwoord wijzigen"); st != http.StatusBadRequest {
		t.Errorf("a wrong current password = %d, want 400", st)
	}
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "Uw huidige wachtwoord klopt niet") {
		t.Errorf("a wrong current password says:\n%s", text)
	}
	testenv.Inspect(t, ctx, "account-fout")
	testenv.Fill(t, ctx, map[string]string{"Huidig wachtwoord": u.password, "Nieuw wachtwoord": newPW, "Herhaal het nieuwe wachtwoord": newPW})
	if st := testenv.Submit(t, ctx, "Wachtwoord wijzigen"); st != http.StatusOK {
		t.Fatalf("the right current password = %d, want 200 after the redirect", st)
	}
	text = testenv.PageText(t, ctx)
	if !strings.Contains(text, "Uw wachtwoord is gewijzigd") || strings.Count(text, "Ingelogd op") != 1 {
		t.Errorf("after the change the page says:\n%s", text)
	}
	testenv.Inspect(t, ctx, "account-gewijzigd")
	if r := s.do("GET", "/api/v1/me", apiTok, nil); r.status != http.StatusUnauthorized {
		t.Errorf("the API session after the change = %d, want 401", r.status)
	}
}
