package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// secretRE finds the TOTP secret the enrolment page shows for typing:
// base32 in groups of four.
var secretRE = regexp.MustCompile(`Typ dan deze sleutel in de app:\s*\n?\s*([A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)`)

// browserCode returns the current TOTP code for the secret as the page
// shows it (grouped).
func browserCode(t *testing.T, shown string) string {
	t.Helper()
	return code(t, strings.ReplaceAll(shown, " ", ""), time.Now())
}

// wantAt fails the test unless the tab is at path (ignoring the query and
// fragment).
func wantAt(t *testing.T, got, base, path string) {
	t.Helper()
	if u := strings.SplitN(strings.TrimPrefix(got, base), "#", 2)[0]; u != path {
		t.Fatalf("the browser is at %s, want %s", got, base+path)
	}
}

// TestPortalInvitationWalk walks a new user through the portal in a real
// browser: the mailed invitation link, a password, the QR page (the secret
// read from the page, the first code computed here), the recovery codes,
// the first login, home, logout; after logout a page sends back to login.
func TestPortalInvitationWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s, sink := newMailStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	email := "portal-" + uuid.NewString() + "@example.test"
	if r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "Petra Portaal", "role": "case_manager"}); r.status != http.StatusAccepted {
		t.Fatalf("invite = %d %s, want 202", r.status, r.raw)
	}
	token := mailedToken(t, sink, email)

	if st := testenv.Navigate(t, ctx, s.url+"/invitation#"+token); st != http.StatusOK {
		t.Fatalf("open the mailed link = %d, want 200", st)
	}
	if loc := testenv.Location(t, ctx); strings.Contains(loc, token) {
		t.Errorf("the address bar still holds the link token after the page loaded: %s", loc)
	}
	testenv.Inspect(t, ctx, "uitnodiging")
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": "kort", "Herhaal het wachtwoord": "kort"})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusBadRequest {
		t.Errorf("a weak password = %d, want 400", st)
	}
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "minstens 12 tekens") {
		t.Errorf("a weak password shows no message next to the field:\n%s", text)
	}
	testenv.Inspect(t, ctx, "uitnodiging-fout")
	password := "mijn eigen lange portaalwachtwoord"
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password, "Herhaal het wachtwoord": password})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusOK {
		t.Fatalf("accept = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "app-instellen")
	m := secretRE.FindStringSubmatch(testenv.PageText(t, ctx))
	if m == nil {
		t.Fatalf("the enrolment page shows no secret to type:\n%s", testenv.PageText(t, ctx))
	}
	testenv.Fill(t, ctx, map[string]string{"Code uit uw app": "000000"})
	if st := testenv.Submit(t, ctx, "Code controleren"); st != http.StatusBadRequest {
		t.Errorf("a wrong first code = %d, want 400", st)
	}
	testenv.Fill(t, ctx, map[string]string{"Code uit uw app": browserCode(t, m[1])})
	if st := testenv.Submit(t, ctx, "Code controleren"); st != http.StatusOK {
		t.Fatalf("confirm the first code = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "herstelcodes")
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "herstelcodes") {
		t.Errorf("the recovery codes page says:\n%s", text)
	}
	testenv.Submit(t, ctx, "Naar inloggen")
	testenv.Inspect(t, ctx, "inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": email, "Wachtwoord": password, "Code uit uw app": browserCode(t, m[1])})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("first login = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
	testenv.Inspect(t, ctx, "start")
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "Petra Portaal") || !strings.Contains(text, "casemanager") {
		t.Errorf("home does not say who is logged in and as what:\n%s", text)
	}
	testenv.Submit(t, ctx, "Uitloggen")
	wantAt(t, testenv.Location(t, ctx), s.url, "/inloggen")
	testenv.Navigate(t, ctx, s.url+"/")
	wantAt(t, testenv.Location(t, ctx), s.url, "/inloggen")
}

// TestPortalWrongLogin shows a readable message for a wrong login, keeps
// the address and never the password.
func TestPortalWrongLogin(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s := newStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	testenv.Navigate(t, ctx, s.url+"/inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": u.email, "Wachtwoord": "niet het goede wachtwoord", "Code uit uw app": "123456"})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusUnauthorized {
		t.Errorf("a wrong login = %d, want 401", st)
	}
	text := testenv.PageText(t, ctx)
	if !strings.Contains(text, "Inloggen is niet gelukt") {
		t.Errorf("a wrong login says:\n%s", text)
	}
	testenv.Inspect(t, ctx, "inloggen-fout")
	if got := evalValue(t, ctx, "email"); got != u.email {
		t.Errorf("the address field holds %q after a wrong login, want %q", got, u.email)
	}
	if got := evalValue(t, ctx, "password"); got != "" {
		t.Errorf("the password field holds %q after a wrong login, want it empty", got)
	}
}

// TestPortalPasswordReset walks the password reset in the browser: ask
// for a link, open it, choose a new password, log in with it.
func TestPortalPasswordReset(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s, sink := newMailStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	testenv.Navigate(t, ctx, s.url+"/inloggen")
	testenv.Submit(t, ctx, "Wachtwoord vergeten?")
	testenv.Inspect(t, ctx, "wachtwoord-vergeten")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": u.email})
	if st := testenv.Submit(t, ctx, "Link aanvragen"); st != http.StatusOK {
		t.Fatalf("ask for a reset link = %d, want 200", st)
	}
	testenv.Inspect(t, ctx, "link-verstuurd")
	token := resetToken(t, sink, u.email)
	testenv.Navigate(t, ctx, s.url+"/password-reset#"+token)
	testenv.Inspect(t, ctx, "nieuw-wachtwoord")
	password := "een heel nieuw portaalwachtwoord"
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password, "Herhaal het wachtwoord": password})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusOK {
		t.Fatalf("reset = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "wachtwoord-gewijzigd")
	testenv.Submit(t, ctx, "Naar inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": u.email, "Wachtwoord": password, "Code uit uw app": code(t, u.secret, time.Now())})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("login with the new password = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
	// The link works once.
	testenv.Submit(t, ctx, "Uitloggen")
	testenv.Navigate(t, ctx, s.url+"/password-reset#"+token)
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password + "!", "Herhaal het wachtwoord": password + "!"})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusNotFound {
		t.Errorf("reuse the reset link = %d, want 404", st)
	}
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "Deze link werkt niet (meer)") {
		t.Errorf("a used reset link says:\n%s", text)
	}
}

// evalValue returns the value of the form field with id in the tab.
func evalValue(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	k, _ := json.Marshal(id)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById(`+string(k)+`).value`))
	if err != nil {
		t.Fatalf("read the value of #%s: %v", id, err)
	}
	return v
}

// TestPortalRefusesAForeignSiteForm logs in in Chromium, then opens a page
// of another site (localhost, while the portal is 127.0.0.1) that submits
// a form to the portal's logout by itself: the portal answers the 403 page
// and the session stays live.
func TestPortalRefusesAForeignSiteForm(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s := newStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	testenv.Navigate(t, ctx, s.url+"/inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": u.email, "Wachtwoord": u.password, "Code uit uw app": code(t, u.secret, time.Now())})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("login = %d, want 200", st)
	}
	if n := liveSessions(t, s, u.userID); n != 1 {
		t.Fatalf("after login the user has %d live sessions, want 1", n)
	}
	target := s.url + "/uitloggen"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go.js" {
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, `document.forms[0].submit();`) //nolint:errcheck
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html lang="en"><title>Prijs</title><form method="post" action="`+target+ //nolint:errcheck
			`"><button>Win</button></form><script src="/go.js"></script>`)
	}))
	t.Cleanup(evil.Close)
	foreign := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	testenv.Navigate(t, ctx, foreign+"/")
	deadline := time.Now().Add(15 * time.Second)
	for !strings.HasPrefix(testenv.Location(t, ctx), s.url) {
		if time.Now().After(deadline) {
			t.Fatalf("the foreign page did not submit its form; the tab is at %s", testenv.Location(t, ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	var text string
	for time.Now().Before(deadline) {
		if text = testenv.PageText(t, ctx); strings.Contains(text, "geweigerd") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(text, "geweigerd") {
		t.Errorf("the foreign form's post shows:\n%s\nwant the refusal page", text)
	}
	if n := liveSessions(t, s, u.userID); n != 1 {
		t.Errorf("after the foreign form the user has %d live sessions, want 1", n)
	}
	testenv.Navigate(t, ctx, s.url+"/")
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
}

// TestPortalEmployeeInvitationNeedsTheCode walks an employee's invitation
// in Chromium: without the activation code the link does not work (and
// says so, the password not kept); with it the employee enrols and logs in.
func TestPortalEmployeeInvitationNeedsTheCode(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newActivationWorld(t)
	in := w.issue(t, "in_person")
	testenv.Navigate(t, ctx, w.s.url+"/invitation#"+in.token)
	password := "lotte haar lange portaalwachtwoord"
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password, "Herhaal het wachtwoord": password})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusNotFound {
		t.Errorf("accept without the activation code = %d, want 404", st)
	}
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "de activeringscode klopt niet") {
		t.Errorf("accept without the code says:\n%s", text)
	}
	testenv.Inspect(t, ctx, "uitnodiging-zonder-code")
	if got := evalValue(t, ctx, "password"); got != "" {
		t.Errorf("the password field holds %q after a failed accept, want it empty", got)
	}
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password, "Herhaal het wachtwoord": password, "Activeringscode": in.code})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusOK {
		t.Fatalf("accept with the activation code = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	m := secretRE.FindStringSubmatch(testenv.PageText(t, ctx))
	if m == nil {
		t.Fatalf("the enrolment page shows no secret:\n%s", testenv.PageText(t, ctx))
	}
	testenv.Fill(t, ctx, map[string]string{"Code uit uw app": browserCode(t, m[1])})
	testenv.Submit(t, ctx, "Code controleren")
	testenv.Submit(t, ctx, "Naar inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": in.email, "Wachtwoord": password, "Code uit uw app": browserCode(t, m[1])})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("the employee's first login = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "werknemer") {
		t.Errorf("the employee's home says:\n%s", text)
	}
	testenv.Inspect(t, ctx, "start-werknemer")
}
