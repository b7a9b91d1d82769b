package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestPortalAdminWalk walks the administrator's portal and the lead
// physician's second key in a real browser. The admin creates a tenant,
// turns the sharing of advice on and proposes its physician (pending); invites
// a member of staff (the mail queued); proposes a physician grant for a
// user, which stays pending — the user cannot act as a physician — until a
// lead physician approves it on the queue, after which it shows active
// and the user reads the dossier they are responsible for; blocks and
// unblocks a case manager; and is told, readably, that a physician still
// responsible for dossiers cannot be blocked. A lead physician's own
// proposal is refused with a message. Every page is inspected.
func TestPortalAdminWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	// Invitations need mail delivery: the mail stack, on a database of its
	// own, so that the lists it reads (every tenant, every proposal waiting
	// for a second key) are this walk's and not every other test's.
	ms, sink := newMailStackOn(t, testenv.FreshDatabase(t))
	w := newDossierWorldOn(t, ms)
	s := w.s
	bg := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := w.owner.Exec(bg, sql, args...); err != nil {
			t.Fatalf("walk fixture %q: %v", sql, err)
		}
	}
	scalar := func(sql string, args ...any) string {
		t.Helper()
		var v string
		if err := w.owner.QueryRow(bg, sql, args...).Scan(&v); err != nil {
			t.Fatalf("walk query %q: %v", sql, err)
		}
		return v
	}
	tag := uuid.NewString()[:8]
	named := func(l login, name string) login {
		exec(`UPDATE hr.users SET display_name = $2 WHERE id = $1`, l.userID, name)
		return l
	}
	admin := named(s.addUser(access.RoleAdmin, uuid.Nil), "Beheerder "+tag)
	lead := named(s.addUser(access.RoleLeadPhysician, uuid.Nil), "Hoofdarts "+tag)
	named(w.physician, "Arts "+tag)
	// The future physician is a privacy officer today, already named as
	// the responsible physician of a dossier (written directly), which
	// they may not read.
	newcomer := named(s.addUser(access.RolePrivacyOfficer, uuid.Nil), "Nieuwe Arts "+tag)
	otherTenant, other := s.addEmployer(), uuid.New()
	exec(`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, $3, 'Ander', 'Persoon', '1981-01-01', '2020-01-01')`, other, otherTenant, "W"+other.String()[:8])
	exec(`INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, 'active', $3, $4, now())`, otherTenant, newcomer.userID, admin.userID, lead.userID)
	exec(`INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, other, newcomer.userID)
	exec(`INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, w.employee, w.physician.userID)
	// The API sessions log in with the previous code, so that the browser
	// logins may use the current one (a code works once).
	newcomerToken, leadToken := s.sessionBefore(newcomer), s.sessionBefore(lead)
	readsDossier := func() int {
		t.Helper()
		return s.do("GET", "/api/v1/employees/"+other.String()+"/dossier", newcomerToken, nil).status
	}
	// actsAsPhysician reports whether the user's live grants, as every
	// request reads them, hold the physician role.
	actsAsPhysician := func() bool {
		t.Helper()
		me := s.do("GET", "/api/v1/me", newcomerToken, nil)
		return me.status == http.StatusOK && strings.Contains(me.raw, `"role":"physician"`)
	}
	caseManager := named(s.addUser(access.RoleCaseManager, w.tenant), "Casemanager "+tag)

	browserLogin(t, ctx, s, admin)
	adminStep := time.Now().Unix() / 30
	testenv.Navigate(t, ctx, s.url+"/")
	wantText(t, ctx, "the admin's start page", "Werkgever toevoegen")
	testenv.Inspect(t, ctx, "beheer-start")
	testenv.Navigate(t, ctx, s.url+"/beheer/werkgevers")
	testenv.Inspect(t, ctx, "beheer-werkgevers")

	// A new tenant, its sharing of advice turned on, its physician proposed.
	kvkNumber := randomKvK()
	testenv.Fill(t, ctx, map[string]string{"Naam": "Wandel BV " + tag, "KvK-nummer": kvkNumber, "Maildomeinen van de werkgever": "wandel.test"})
	if st := testenv.Submit(t, ctx, "Werkgever toevoegen"); st != http.StatusOK {
		t.Fatalf("create a tenant = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	tenant := scalar(`SELECT id::text FROM hr.employers WHERE kvk_number = $1`, kvkNumber)
	testenv.Inspect(t, ctx, "beheer-werkgever")
	wantText(t, ctx, "the new tenant", "Wandel BV "+tag, "Deze werkgever heeft nog geen bedrijfsarts")
	testenv.Fill(t, ctx, map[string]string{"advies_delen": "true"})
	if st := testenv.Submit(t, ctx, "Instellingen opslaan"); st != http.StatusOK {
		t.Fatalf("save the settings = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the saved settings", "De instellingen zijn opgeslagen")
	if got := scalar(`SELECT share_advice_with_employer::text || ' ' || array_to_string(mail_domains, ',') FROM hr.employers WHERE id = $1`, tenant); got != "true wandel.test" {
		t.Errorf("the tenant's settings = %q, want sharing on and wandel.test", got)
	}
	testenv.Fill(t, ctx, map[string]string{"arts": w.physician.userID.String()})
	if st := testenv.Submit(t, ctx, "Voorstellen"); st != http.StatusOK {
		t.Fatalf("propose the physician = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the proposed physician", "Bedrijfsarts: Arts "+tag, "Wacht op de tweede sleutel (hoofd bedrijfsarts)")
	testenv.Inspect(t, ctx, "beheer-werkgever-voorstel")
	if got := scalar(`SELECT status FROM hr.physician_assignments WHERE employer_id = $1`, tenant); got != "proposed" {
		t.Errorf("the assignment after the proposal is %q, want proposed", got)
	}

	// A member of staff invited: the account waits, the mail is queued.
	email := "staf-" + tag + "@example.test"
	testenv.Navigate(t, ctx, s.url+"/beheer/uitnodigingen")
	testenv.Inspect(t, ctx, "beheer-uitnodigingen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": email, "weergave": "Staf " + tag, "rol": string(access.RoleCaseManager)})
	if st := testenv.Submit(t, ctx, "Uitnodiging versturen"); st != http.StatusOK {
		t.Fatalf("invite = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the invitation", "De uitnodiging is verstuurd")
	if got := scalar(`SELECT status FROM hr.users WHERE email = $1`, email); got != "invited" {
		t.Errorf("the invited account is %q, want invited", got)
	}
	if token := mailedToken(t, sink, email); token == "" {
		t.Errorf("no invitation link mailed to %s", email)
	}

	// A physician grant: pending, and the user cannot act as a physician.
	if st := readsDossier(); st != http.StatusNotFound {
		t.Fatalf("the dossier before any physician grant = %d, want 404", st)
	}
	userPage := s.url + "/beheer/gebruikers/" + newcomer.userID.String()
	testenv.Navigate(t, ctx, s.url+"/beheer/gebruikers?zoek="+url.QueryEscape("Nieuwe Arts "+tag))
	testenv.Inspect(t, ctx, "beheer-gebruikers")
	wantText(t, ctx, "the search", "Nieuwe Arts "+tag, "privacyfunctionaris")
	testenv.Navigate(t, ctx, userPage)
	testenv.Inspect(t, ctx, "beheer-gebruiker")
	testenv.Fill(t, ctx, map[string]string{"rol": string(access.RolePhysician), "BIG-nummer": "12345678901"})
	if st := testenv.Submit(t, ctx, "Rol geven"); st != http.StatusOK {
		t.Fatalf("propose the physician grant = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the proposed grant", "Het voorstel is opgeslagen", "Wacht op de tweede sleutel (hoofd bedrijfsarts)")
	testenv.Inspect(t, ctx, "beheer-gebruiker-voorstel")
	if st := readsDossier(); st != http.StatusNotFound || actsAsPhysician() {
		t.Errorf("while the physician grant is pending: the dossier = %d (want 404), acts as physician %t (want false)", st, actsAsPhysician())
	}

	// Block and unblock a case manager: done at once.
	testenv.Navigate(t, ctx, s.url+"/beheer/gebruikers/"+caseManager.userID.String())
	if st := testenv.Submit(t, ctx, "Blokkeren"); st != http.StatusOK {
		t.Fatalf("block = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the blocked user", "Het is gedaan", "Geblokkeerd")
	testenv.Inspect(t, ctx, "beheer-gebruiker-geblokkeerd")
	if got := scalar(`SELECT status FROM hr.users WHERE id = $1`, caseManager.userID); got != "blocked" {
		t.Errorf("the case manager after blocking is %q, want blocked", got)
	}
	if st := testenv.Submit(t, ctx, "Deblokkeren"); st != http.StatusOK {
		t.Fatalf("unblock = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	if got := scalar(`SELECT status FROM hr.users WHERE id = $1`, caseManager.userID); got != "active" {
		t.Errorf("the case manager after unblocking is %q, want active", got)
	}
	testenv.Inspect(t, ctx, "beheer-gebruiker-gedeblokkeerd")

	// Blocking a medical assistant is a proposal: it waits for the second key.
	named(w.assistant, "Assistent "+tag)
	testenv.Navigate(t, ctx, s.url+"/beheer/gebruikers/"+w.assistant.userID.String())
	if st := testenv.Submit(t, ctx, "Blokkeren"); st != http.StatusOK {
		t.Fatalf("block an assistant = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the proposed block", "Het voorstel is opgeslagen", "Wacht op de tweede sleutel (hoofd bedrijfsarts)", "Blokkeren")
	testenv.Inspect(t, ctx, "beheer-gebruiker-blokkade-voorstel")
	if got := scalar(`SELECT status FROM hr.users WHERE id = $1`, w.assistant.userID); got != "active" {
		t.Errorf("the assistant after the proposed block is %q, want active until approved", got)
	}

	// A physician still responsible for a dossier cannot be blocked.
	testenv.Navigate(t, ctx, s.url+"/beheer/gebruikers/"+w.physician.userID.String())
	if st := testenv.Submit(t, ctx, "Blokkeren"); st != http.StatusConflict {
		t.Errorf("block a responsible physician = %d, want 409", st)
	}
	wantText(t, ctx, "the offboarding refusal", "nog verantwoordelijk voor 1 dossier", "andere bedrijfsarts")
	testenv.Inspect(t, ctx, "beheer-gebruiker-weigering")
	if got := scalar(`SELECT status FROM hr.users WHERE id = $1`, w.physician.userID); got != "active" {
		t.Errorf("the refused physician is %q, want active", got)
	}
	if n := scalar(`SELECT count(*)::text FROM hr.account_actions WHERE user_id = $1`, w.physician.userID); n != "0" {
		t.Errorf("the refused block stored %s account actions, want 0", n)
	}
	if st := testenv.Submit(t, ctx, "Uitloggen"); st != http.StatusOK {
		t.Fatalf("log out = %d", st)
	}

	// The lead physician gives the second keys.
	browserLogin(t, ctx, s, lead)
	testenv.Navigate(t, ctx, s.url+"/goedkeuringen")
	testenv.Inspect(t, ctx, "goedkeuren-lijst")
	wantText(t, ctx, "the queue", "Medische rol: Nieuwe Arts "+tag, "Rol geven: bedrijfsarts", "Voorgesteld door Beheerder "+tag,
		"Bedrijfsarts van een werkgever: Arts "+tag)
	if st := testenv.Submit(t, ctx, "Goedkeuren: Medische rol voor Nieuwe Arts "+tag); st != http.StatusOK {
		t.Fatalf("approve the grant = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the approval", "Goedgekeurd")
	testenv.Inspect(t, ctx, "goedkeuren-gedaan")
	if st := testenv.Submit(t, ctx, "Goedkeuren: Bedrijfsarts van een werkgever voor Arts "+tag); st != http.StatusOK {
		t.Fatalf("approve the assignment = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "goedkeuren-toewijzing")
	if st := testenv.Submit(t, ctx, "Goedkeuren: Actie op een medisch account voor Assistent "+tag); st != http.StatusOK {
		t.Fatalf("approve the assistant's block = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	if got := scalar(`SELECT status FROM hr.users WHERE id = $1`, w.assistant.userID); got != "blocked" {
		t.Errorf("the assistant after the approved block is %q, want blocked", got)
	}
	if got := scalar(`SELECT status FROM hr.physician_assignments WHERE employer_id = $1`, tenant); got != "active" {
		t.Errorf("the assignment after the approval is %q, want active", got)
	}
	if !actsAsPhysician() {
		t.Errorf("the user has no physician grant after the approval")
	}
	if strings.Contains(testenv.PageText(t, ctx), "Nieuwe Arts "+tag) {
		t.Errorf("the queue still lists the approved grant")
	}

	// The lead physician's own proposal: the service refuses, the page says why.
	r := s.do("POST", "/api/v1/substitutions", leadToken, map[string]any{"absent_physician_id": w.physician.userID.String(),
		"substitute_id": s.addUser(access.RolePhysician, uuid.Nil).userID.String(), "starts_on": access.Today(nowNL()), "ends_on": access.Today(nowNL().AddDate(0, 0, 7))})
	subID, _ := r.body["id"].(string)
	if subID == "" {
		t.Fatalf("the lead's substitution proposal = %d %s", r.status, r.raw)
	}
	testenv.Navigate(t, ctx, s.url+"/goedkeuringen")
	wantText(t, ctx, "the lead's own proposal", "Dit kunt u niet zelf goedkeuren")
	testenv.Inspect(t, ctx, "goedkeuren-eigen-voorstel")
	got := s.portal("POST", "/goedkeuringen/vervangingen/"+subID, leadToken, url.Values{})
	if got.status != http.StatusForbidden || !strings.Contains(got.body, "u heeft het zelf voorgesteld") {
		t.Errorf("approve one's own proposal = %d, want 403 with the reason:\n%s", got.status, got.body)
	}
	if st := testenv.Submit(t, ctx, "Uitloggen"); st != http.StatusOK {
		t.Fatalf("log out = %d", st)
	}

	// The admin sees the grant active (logged in with a later code: a
	// code works once).
	time.Sleep(time.Until(time.Unix((adminStep+1)*30, 0)))
	browserLogin(t, ctx, s, admin)
	testenv.Navigate(t, ctx, userPage)
	wantText(t, ctx, "the approved grant", "bedrijfsarts", "Actief")
	if strings.Contains(testenv.PageText(t, ctx), "Wacht op de tweede sleutel") {
		t.Errorf("the user's page still says the grant waits after the approval")
	}
	testenv.Inspect(t, ctx, "beheer-gebruiker-actief")

	// Revoking a role that is not medical is done at once.
	if st := testenv.Submit(t, ctx, "Rol privacyfunctionaris intrekken"); st != http.StatusOK {
		t.Fatalf("revoke the privacy officer grant = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the revoked grant", "Het is gedaan", "Ingetrokken")
	testenv.Inspect(t, ctx, "beheer-gebruiker-ingetrokken")
	if got := scalar(`SELECT status FROM hr.role_grants WHERE user_id = $1 AND role = 'privacy_officer'`, newcomer.userID); got != "revoked" {
		t.Errorf("the privacy officer grant after revoking is %q, want revoked", got)
	}
}

// sessionBefore logs u in through the API with the code of the previous
// time step, which the login still takes, and returns the session token.
func (s *stack) sessionBefore(u login) string {
	s.t.Helper()
	r := s.login(u.email, u.password, code(s.t, u.secret, time.Now().Add(-30*time.Second)))
	token, _ := r.body["token"].(string)
	if r.status != http.StatusOK || token == "" {
		s.t.Fatalf("login %s = %d %s, want a session", u.email, r.status, r.raw)
	}
	return token
}
