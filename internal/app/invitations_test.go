package app

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

var linkRE = regexp.MustCompile(`/invitation#([A-Za-z0-9_-]{43})`)

// mailedToken returns the link token of the only mail the sink received for
// to, once the outbox holds no mail for to any more.
func mailedToken(t *testing.T, sink *testenv.SMTPSink, to string) string {
	t.Helper()
	var found []string
	for _, m := range awaitMail(t, sink, to) {
		found = append(found, m.Data)
	}
	if len(found) != 1 {
		t.Fatalf("the sink holds %d mails for %s, want 1", len(found), to)
	}
	match := linkRE.FindStringSubmatch(found[0])
	if match == nil {
		t.Fatalf("the mail to %s has no invitation link:\n%s", to, found[0])
	}
	return match[1]
}

func newMailStack(t *testing.T) (*stack, *testenv.SMTPSink) {
	t.Helper()
	return newMailStackOn(t, testenv.Load(t))
}

// newMailStackOn is newMailStack over the databases of e. The stacks on
// the shared test database share one sink (mailSink): each one's sender
// delivers whatever mail of that database is due.
func newMailStackOn(t *testing.T, e testenv.Env) (*stack, *testenv.SMTPSink) {
	t.Helper()
	sink := mailSink(t, e)
	s := newStackWith(t, e, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom, c.PublicURL = sink.Addr, "Arbokluis <noreply@arbokluis.test>", "https://arbokluis.test"
	})
	return s, sink
}

func TestInvitationFlow(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	adminTok := s.session(admin)
	email := "cm-" + uuid.NewString() + "@example.test"

	r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "Nieuwe Casemanager", "role": "case_manager"})
	if r.status != http.StatusAccepted {
		t.Fatalf("admin invites = %d %s, want 202", r.status, r.raw)
	}
	token := mailedToken(t, sink, email)
	if strings.Contains(r.raw, token) {
		t.Errorf("the inviter's answer contains the link token")
	}
	owner := testenv.Pool(t, s.env.MigrateURL)
	var leaks int
	if err := owner.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM hr.notifications WHERE body LIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM audit.outbox WHERE object_id = $1 OR request_id = $1)
		     + (SELECT count(*) FROM audit.events WHERE object_id = $1 OR request_id = $1)`, token).Scan(&leaks); err != nil {
		t.Fatalf("scan for the token: %v", err)
	}
	if leaks != 0 {
		t.Errorf("the link token is stored in %d readable rows, want none", leaks)
	}
	// The invited user cannot log in before accepting.
	if r := s.login(email, "whatever password", "000000"); r.status != http.StatusUnauthorized {
		t.Errorf("login before accepting = %d, want 401", r.status)
	}

	accept := func(tok, pw string) response {
		return s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": tok, "password": pw})
	}
	if r := accept(token, "short"); r.status != http.StatusBadRequest {
		t.Errorf("accept with a weak password = %d %s, want 400", r.status, r.raw)
	}
	r = accept(token, "mijn eigen lange wachtwoord")
	if r.status != http.StatusOK {
		t.Fatalf("accept = %d %s, want 200 (a weak password must leave the link working)", r.status, r.raw)
	}
	secret, _ := r.body["totp_secret"].(string)
	if uri, _ := r.body["otpauth_uri"].(string); !strings.HasPrefix(uri, "otpauth://totp/") || secret == "" {
		t.Errorf("accept answered %s, want a TOTP secret and otpauth URI", r.raw)
	}
	if r := accept(token, "mijn eigen lange wachtwoord"); r.status != http.StatusNotFound {
		t.Errorf("accept the same link again = %d, want 404", r.status)
	}
	login := s.login(email, "mijn eigen lange wachtwoord", code(t, secret, time.Now()))
	if login.status != http.StatusOK {
		t.Fatalf("login after accepting = %d %s, want 200", login.status, login.raw)
	}
	tok, _ := login.body["token"].(string)
	inbox := s.do("GET", "/api/v1/me/notifications", tok, nil)
	if inbox.status != http.StatusOK || !strings.Contains(inbox.raw, `"kind":"account_activated"`) {
		t.Errorf("inbox = %d %s, want the activation notice", inbox.status, inbox.raw)
	}
	if adminInbox := s.do("GET", "/api/v1/me/notifications", adminTok, nil); strings.Contains(adminInbox.raw, "account_activated") {
		t.Errorf("the admin sees the invitee's notification: %s", adminInbox.raw)
	}
	if r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "X", "role": "case_manager"}); r.status != http.StatusConflict {
		t.Errorf("invite an address with an account = %d, want 409", r.status)
	}
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	email := "late-" + uuid.NewString() + "@example.test"
	if r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "Te Laat", "role": "labour_expert"}); r.status != http.StatusAccepted {
		t.Fatalf("invite = %d %s", r.status, r.raw)
	}
	token := mailedToken(t, sink, email)
	owner := testenv.Pool(t, s.env.MigrateURL)
	if _, err := owner.Exec(context.Background(), `
		UPDATE hr.one_time_links SET expires_at = now() - interval '1 second'
		WHERE user_id = (SELECT id FROM hr.users WHERE email = $1)`, email); err != nil {
		t.Fatalf("expire the link: %v", err)
	}
	r := s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": token, "password": "mijn eigen lange wachtwoord"})
	if r.status != http.StatusNotFound {
		t.Errorf("accept an expired link = %d %s, want 404", r.status, r.raw)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43)} {
		if r := s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": bad, "password": "mijn eigen lange wachtwoord"}); r.status != http.StatusNotFound {
			t.Errorf("accept token %q = %d, want 404", bad, r.status)
		}
	}
}

// unlinkedEmployee inserts an employee record of employer without a login,
// as the owner, and returns its id.
func unlinkedEmployee(t *testing.T, owner *pgxpool.Pool, employer uuid.UUID) string {
	t.Helper()
	id := uuid.New()
	if _, err := owner.Exec(context.Background(), `
		INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, $3, 'Lotte', 'Koppel', '1984-05-06', '2012-02-01')`, id, employer, "E"+id.String()[:8]); err != nil {
		t.Fatalf("insert employee: %v", err)
	}
	return id.String()
}

// TestWhoMayInvite: admins invite staff; an employee login is issued only
// by arbodienst staff who meet the employee. The employer, which until now
// invited its own employees (202), is refused on purpose: 403 for its own
// tenant, 404 for another; so is the admin (404), who never sees employee
// data.
func TestWhoMayInvite(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	tenant, other := s.addEmployer(), s.addEmployer()
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `UPDATE hr.employers SET mail_domains = '{werkgever.test}' WHERE id = $1`, tenant); err != nil {
		t.Fatalf("set mail domains: %v", err)
	}
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	adminTok := s.session(admin)
	hrTok := s.session(s.addUser(access.RoleEmployer, tenant))
	cmTok := s.session(s.addUser(access.RoleCaseManager, uuid.Nil))
	cmOtherTok := s.session(s.addUser(access.RoleCaseManager, other))
	physTok := s.session(s.addUser(access.RolePhysician, uuid.Nil))
	assigned, lead := s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleLeadPhysician, uuid.Nil)
	assistant := s.addUser(access.RoleMedicalAssistant, uuid.Nil)
	if _, err := owner.Exec(ctx, `INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, 'active', $3, $4, now())`, tenant, assigned.userID, admin.userID, lead.userID); err != nil {
		t.Fatalf("assign physician: %v", err)
	}
	today := nowNL()
	if _, err := owner.Exec(ctx, `INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
		VALUES ($1, $2, $3, $4, $5, 'active')`, assistant.userID, assigned.userID, today.AddDate(0, -1, 0), today.AddDate(1, 0, 0), admin.userID); err != nil {
		t.Fatalf("record statement: %v", err)
	}
	assignedTok, assistantTok := s.session(assigned), s.session(assistant)
	private := func() string { return "w-" + uuid.NewString() + "@prive.test" }
	employee := func(email string, employer uuid.UUID) map[string]any {
		return map[string]any{"email": email, "name": "Werknemer", "role": "employee", "employer_id": employer.String(),
			"employee_id": unlinkedEmployee(t, owner, employer), "activation": "in_person"}
	}
	without := func(body map[string]any, field string) map[string]any {
		delete(body, field)
		return body
	}
	tests := []struct {
		name  string
		token string
		body  map[string]any
		want  int
	}{
		{"employer invites own employee", hrTok, employee(private(), tenant), http.StatusForbidden},
		{"employer invites at own mail domain", hrTok, employee("w-"+uuid.NewString()+"@werkgever.test", tenant), http.StatusForbidden},
		{"employer invites for another tenant", hrTok, employee(private(), other), http.StatusNotFound},
		{"employer invites a case manager", hrTok, map[string]any{"email": private(), "name": "X", "role": "case_manager"}, http.StatusNotFound},
		{"admin invites an employee", adminTok, employee(private(), tenant), http.StatusNotFound},
		{"case manager invites an employee", cmTok, employee(private(), other), http.StatusAccepted},
		{"case manager of another tenant invites an employee", cmOtherTok, employee(private(), tenant), http.StatusNotFound},
		{"case manager invites at the employer's mail domain", cmTok, employee("w-"+uuid.NewString()+"@werkgever.test", tenant), http.StatusBadRequest},
		{"case manager invites an admin", cmTok, map[string]any{"email": private(), "name": "X", "role": "admin"}, http.StatusNotFound},
		{"assigned physician invites an employee", assignedTok, employee(private(), tenant), http.StatusAccepted},
		{"assigned physician invites for another tenant", assignedTok, employee(private(), other), http.StatusNotFound},
		{"medical assistant of the assigned physician invites an employee", assistantTok, employee(private(), tenant), http.StatusAccepted},
		{"physician invites an employee", physTok, employee(private(), tenant), http.StatusNotFound},
		{"employee without employer", cmTok, map[string]any{"email": private(), "name": "X", "role": "employee"}, http.StatusBadRequest},
		{"employee without employee record", cmTok, without(employee(private(), tenant), "employee_id"), http.StatusBadRequest},
		{"employee without activation", cmTok, without(employee(private(), tenant), "activation"), http.StatusBadRequest},
		{"employee with unknown activation", cmTok, func() map[string]any {
			b := employee(private(), tenant)
			b["activation"] = "by_employer"
			return b
		}(), http.StatusBadRequest},
		{"activation on a staff invitation", adminTok, map[string]any{"email": private(), "name": "X", "role": "case_manager",
			"activation": "in_person"}, http.StatusBadRequest},
		{"malformed address", cmTok, employee("not-an-address", tenant), http.StatusBadRequest},
		{"no session", "", employee(private(), tenant), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/invitations", tt.token, tt.body)
			if r.status != tt.want {
				t.Fatalf("POST /api/v1/invitations (%s) = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
			to, _ := tt.body["email"].(string)
			sent := len(awaitMail(t, sink, to))
			if (tt.want == http.StatusAccepted) != (sent == 1) {
				t.Errorf("POST /api/v1/invitations (%s) sent %d mails", tt.name, sent)
			}
			if tt.want != http.StatusAccepted {
				var n int
				owner.QueryRow(ctx, `SELECT count(*) FROM hr.users WHERE email = $1`, tt.body["email"]).Scan(&n) //nolint:errcheck
				if n != 0 {
					t.Errorf("POST /api/v1/invitations (%s) was refused but created a user", tt.name)
				}
				if id, _ := tt.body["employee_id"].(string); id != "" {
					var linked *uuid.UUID
					owner.QueryRow(ctx, `SELECT user_id FROM hr.employees WHERE id = $1`, id).Scan(&linked) //nolint:errcheck
					if linked != nil {
						t.Errorf("POST /api/v1/invitations (%s) was refused but linked the employee record", tt.name)
					}
				}
			}
		})
	}
}

func TestMedicalInvitationIsAProposal(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	email := "arts-" + uuid.NewString() + "@example.test"
	r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "Nieuwe Arts", "role": "physician"})
	if r.status != http.StatusAccepted {
		t.Fatalf("admin invites a physician = %d %s", r.status, r.raw)
	}
	mailedToken(t, sink, email)
	var status string
	owner := testenv.Pool(t, s.env.MigrateURL)
	if err := owner.QueryRow(context.Background(), `
		SELECT g.status FROM hr.role_grants g JOIN hr.users u ON u.id = g.user_id WHERE u.email = $1`, email).Scan(&status); err != nil {
		t.Fatalf("read grant: %v", err)
	}
	if status != "proposed" {
		t.Errorf("grant of an invited physician is %q, want proposed (a lead physician must approve)", status)
	}
}

func TestInvitationWithoutMailIsUnavailable(t *testing.T) {
	t.Parallel()
	s := newStack(t) // no SMTP configured
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	email := "nomail-" + uuid.NewString() + "@example.test"
	r := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "X", "role": "case_manager"})
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("invite without email delivery = %d %s, want 503", r.status, r.raw)
	}
	var n int
	testenv.Pool(t, s.env.MigrateURL).QueryRow(context.Background(), `SELECT count(*) FROM hr.users WHERE email = $1`, email).Scan(&n) //nolint:errcheck
	if n != 0 {
		t.Errorf("a refused invitation created a user")
	}
}

// resetToken returns the reset-link token in the newest mail to to, once
// the outbox holds no mail for to any more.
func resetToken(t *testing.T, sink *testenv.SMTPSink, to string) string {
	t.Helper()
	re := regexp.MustCompile(`/password-reset#([A-Za-z0-9_-]{43})`)
	mails := awaitMail(t, sink, to)
	for i := len(mails) - 1; i >= 0; i-- {
		if m := re.FindStringSubmatch(mails[i].Data); mails[i].To == to && m != nil {
			return m[1]
		}
	}
	t.Fatalf("no password-reset mail for %s", to)
	return ""
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	oldSession := s.session(u)

	unknown := "nobody-" + uuid.NewString() + "@example.test"
	for _, email := range []string{unknown, u.email} {
		if r := s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": email}); r.status != http.StatusAccepted {
			t.Fatalf("request reset for %s = %d %s, want 202 either way", email, r.status, r.raw)
		}
	}
	for _, m := range sink.Mails() {
		if m.To == unknown {
			t.Errorf("a reset mail went to an address without an account")
		}
	}
	token := resetToken(t, sink, u.email)
	complete := func(tok, pw string) response {
		return s.do("POST", "/api/v1/auth/password-reset/complete", "", map[string]string{"token": tok, "password": pw})
	}
	if r := complete(token, "short"); r.status != http.StatusBadRequest {
		t.Errorf("reset with a weak password = %d, want 400", r.status)
	}
	const newPW = "een heel nieuw wachtwoord"
	if r := complete(token, newPW); r.status != http.StatusNoContent {
		t.Fatalf("reset = %d %s, want 204", r.status, r.raw)
	}
	if r := complete(token, newPW+" again"); r.status != http.StatusNotFound {
		t.Errorf("reset with a used link = %d, want 404", r.status)
	}
	if me := s.do("GET", "/api/v1/me", oldSession, nil); me.status != http.StatusUnauthorized {
		t.Errorf("a session from before the reset = %d, want 401", me.status)
	}
	if r := s.login(u.email, u.password, code(t, u.secret, time.Now())); r.status != http.StatusUnauthorized {
		t.Errorf("login with the old password = %d, want 401", r.status)
	}
	r := s.login(u.email, newPW, code(t, u.secret, time.Now().Add(30*time.Second)))
	if r.status != http.StatusOK {
		t.Fatalf("login with the new password = %d %s, want 200", r.status, r.raw)
	}
	tok, _ := r.body["token"].(string)
	if inbox := s.do("GET", "/api/v1/me/notifications", tok, nil); !strings.Contains(inbox.raw, `"kind":"password_changed"`) {
		t.Errorf("inbox after reset = %s, want the password_changed notice", inbox.raw)
	}
	// A newer request ends the older link.
	s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.email})
	first := resetToken(t, sink, u.email)
	s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.email})
	if r := complete(first, "nog een ander wachtwoord"); r.status != http.StatusNotFound {
		t.Errorf("reset with a superseded link = %d, want 404", r.status)
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	email := "rc-" + uuid.NewString() + "@example.test"
	s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": email, "name": "Telefoon Kwijt", "role": "case_manager"})
	const pw = "mijn eigen lange wachtwoord"
	r := s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": mailedToken(t, sink, email), "password": pw})
	codes, _ := r.body["recovery_codes"].([]any)
	if r.status != http.StatusOK || len(codes) != identity.RecoveryCodeCount {
		t.Fatalf("accept = %d %s, want %d recovery codes", r.status, r.raw, identity.RecoveryCodeCount)
	}
	first, _ := codes[0].(string)
	if r := s.login(email, pw, strings.ToLower(first)); r.status != http.StatusOK {
		t.Errorf("login with a recovery code (lower case) = %d %s, want 200", r.status, r.raw)
	}
	if r := s.login(email, pw, first); r.status != http.StatusUnauthorized {
		t.Errorf("login with the same recovery code again = %d, want 401", r.status)
	}
	if r := s.login(email, "wrong password number x", codes[1].(string)); r.status != http.StatusUnauthorized {
		t.Errorf("recovery code with a wrong password = %d, want 401", r.status)
	}
	if r := s.login(email, pw, codes[1].(string)); r.status != http.StatusOK {
		t.Errorf("the second code after a failed attempt = %d, want 200 (a failed password must not burn it)", r.status)
	}
	if r := s.login(email, pw, "AAAA-AAAA-AAAA-AAAA"); r.status != http.StatusUnauthorized {
		t.Errorf("login with an invented recovery code = %d, want 401", r.status)
	}
}

// TestEmployeeInvitationLinksTheRecord checks the employee's login link: an
// invitation naming the employee record links it to the new login, which
// then reads that record and no other; a record of another tenant, one
// already linked, or a link on a staff invitation is refused and writes
// nothing. The employer creates the records; the case manager issues the
// login (with an activation code handed over in person).
func TestEmployeeInvitationLinksTheRecord(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	ctx := context.Background()
	owner := testenv.Pool(t, s.env.MigrateURL)
	tenant, other := s.addEmployer(), s.addEmployer()
	er := s.session(s.addUser(access.RoleEmployer, tenant))
	erOther := s.session(s.addUser(access.RoleEmployer, other))
	cm := s.session(s.addUser(access.RoleCaseManager, tenant))
	newEmployee := func(tok string, employer uuid.UUID) string {
		t.Helper()
		r := s.do("POST", "/api/v1/employers/"+employer.String()+"/employees", tok, map[string]any{
			"employee_number": "L" + uuid.NewString()[:8], "first_name": "Lotte", "last_name": "Koppel",
			"date_of_birth": "1984-05-06", "employment_start": "2012-02-01"})
		id, _ := r.body["id"].(string)
		if r.status != http.StatusCreated || id == "" {
			t.Fatalf("create employee = %d %s", r.status, r.raw)
		}
		return id
	}
	mine, colleague, elsewhere := newEmployee(er, tenant), newEmployee(er, tenant), newEmployee(erOther, other)
	users := func(email string) int {
		t.Helper()
		var n int
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM hr.users WHERE email = $1`, email).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	invite := func(email, role, employeeID string) response {
		body := map[string]any{"email": email, "name": "Lotte Koppel", "role": role, "employer_id": tenant.String(),
			"employee_id": employeeID}
		if role == "employee" {
			body["activation"] = "in_person"
		}
		return s.do("POST", "/api/v1/invitations", cm, body)
	}

	for _, tc := range []struct {
		name, role, employee string
		want                 int
	}{
		{"a record of another tenant", "employee", elsewhere, http.StatusNotFound},
		{"an unknown record", "employee", uuid.NewString(), http.StatusNotFound},
		{"a malformed id", "employee", "not-a-uuid", http.StatusBadRequest},
		{"a link on an employer invitation", "employer", mine, http.StatusNotFound}, // only admins invite staff
	} {
		email := "fout-" + uuid.NewString()[:8] + "@prive.test"
		if r := invite(email, tc.role, tc.employee); r.status != tc.want {
			t.Errorf("invite with %s = %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
		if n := users(email); n != 0 {
			t.Errorf("invite with %s left %d user rows, want 0", tc.name, n)
		}
	}

	email := "lotte-" + uuid.NewString()[:8] + "@prive.test"
	r := invite(email, "employee", mine)
	if r.status != http.StatusAccepted {
		t.Fatalf("invite the employee = %d %s, want 202", r.status, r.raw)
	}
	userID, _ := r.body["user_id"].(string)
	var linked *uuid.UUID
	if err := owner.QueryRow(ctx, `SELECT user_id FROM hr.employees WHERE id = $1`, mine).Scan(&linked); err != nil {
		t.Fatal(err)
	}
	if linked == nil || linked.String() != userID {
		t.Fatalf("employee record user_id = %v, want the invited user %s", linked, userID)
	}
	// The record has its login: another address for it is refused.
	second := "tweede-" + uuid.NewString()[:8] + "@prive.test"
	if r := invite(second, "employee", mine); r.status != http.StatusConflict {
		t.Errorf("invite another address for a linked record = %d %s, want 409", r.status, r.raw)
	}
	if n := users(second); n != 0 {
		t.Errorf("the refused second invitation left %d user rows, want 0", n)
	}

	token := mailedToken(t, sink, email)
	activation, _ := r.body["activation_code"].(string)
	acc := s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": token, "password": "lotte haar lange wachtwoord",
		"activation_code": activation})
	if acc.status != http.StatusOK {
		t.Fatalf("accept = %d %s", acc.status, acc.raw)
	}
	secret, _ := acc.body["totp_secret"].(string)
	login := s.login(email, "lotte haar lange wachtwoord", code(t, secret, time.Now()))
	tok, _ := login.body["token"].(string)
	if login.status != http.StatusOK || tok == "" {
		t.Fatalf("login = %d %s", login.status, login.raw)
	}
	if r := s.do("GET", "/api/v1/employees/"+mine, tok, nil); r.status != http.StatusOK {
		t.Errorf("the employee reads their own record = %d %s, want 200", r.status, r.raw)
	}
	if r := s.do("GET", "/api/v1/employees/"+mine+"/absences", tok, nil); r.status != http.StatusOK {
		t.Errorf("the employee lists their own absences = %d %s, want 200", r.status, r.raw)
	}
	if r := s.do("GET", "/api/v1/employees/"+colleague+"/absences", tok, nil); r.status != http.StatusNotFound {
		t.Errorf("the employee lists a colleague's absences = %d, want 404", r.status)
	}
	if r := s.do("GET", "/api/v1/employees/"+colleague, tok, nil); r.status != http.StatusNotFound {
		t.Errorf("the employee reads a colleague's record = %d, want 404", r.status)
	}
}
