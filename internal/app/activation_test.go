package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// activationCodeRE is the shape of an activation code as staff see it.
var activationCodeRE = regexp.MustCompile(`[ABCDEFGHJKMNPQRSTVWXYZ2-9]{5}-[ABCDEFGHJKMNPQRSTVWXYZ2-9]{5}`)

// activationWorld is a tenant, its employer user, a case manager of it and
// the owner pool, on a stack that sends mail.
type activationWorld struct {
	s      *stack
	sink   *testenv.SMTPSink
	owner  *pgxpool.Pool
	tenant uuid.UUID
	er, cm string // sessions
}

func newActivationWorld(t *testing.T) *activationWorld {
	t.Helper()
	s, sink := newMailStack(t)
	w := &activationWorld{s: s, sink: sink, owner: testenv.Pool(t, s.env.MigrateURL), tenant: s.addEmployer()}
	w.er = s.session(s.addUser(access.RoleEmployer, w.tenant))
	w.cm = s.session(s.addUser(access.RoleCaseManager, w.tenant))
	return w
}

// issued is an employee invitation as the test knows it.
type issued struct {
	email, employeeID, invitationID, userID string
	code                                    string // in person only
	token                                   string // the mailed link token
}

// issue has the case manager issue an employee login with activation
// ("in_person" or "letter") to a fresh private address.
func (w *activationWorld) issue(t *testing.T, activation string) issued {
	t.Helper()
	in := issued{email: "ee-" + uuid.NewString()[:12] + "@prive.test", employeeID: unlinkedEmployee(t, w.owner, w.tenant)}
	r := w.s.do("POST", "/api/v1/invitations", w.cm, map[string]any{"email": in.email, "name": "Lotte Koppel", "role": "employee",
		"employer_id": w.tenant.String(), "employee_id": in.employeeID, "activation": activation})
	if r.status != http.StatusAccepted {
		t.Fatalf("issue an employee login (%s) = %d %s, want 202", activation, r.status, r.raw)
	}
	in.invitationID, _ = r.body["invitation_id"].(string)
	in.userID, _ = r.body["user_id"].(string)
	in.code, _ = r.body["activation_code"].(string)
	in.token = mailedToken(t, w.sink, in.email)
	return in
}

func (w *activationWorld) accept(token, code string) response {
	body := map[string]string{"token": token, "password": "lotte haar lange wachtwoord"}
	if code != "" {
		body["activation_code"] = code
	}
	return w.s.do("POST", "/api/v1/invitations/accept", "", body)
}

// state is what an accept may change: the user's status, whether it has
// a password, its notifications and sessions.
func (w *activationWorld) state(t *testing.T, userID string) string {
	t.Helper()
	var (
		status          string
		password        bool
		notes, sessions int
	)
	if err := w.owner.QueryRow(context.Background(), `
		SELECT u.status, u.password_hash IS NOT NULL,
			(SELECT count(*) FROM hr.notifications n WHERE n.user_id = u.id),
			(SELECT count(*) FROM hr.sessions s WHERE s.user_id = u.id)
		FROM hr.users u WHERE u.id = $1`, userID).Scan(&status, &password, &notes, &sessions); err != nil {
		t.Fatalf("read user %s: %v", userID, err)
	}
	return strings.Join([]string{status, map[bool]string{true: "password", false: "no password"}[password],
		map[bool]string{true: "notified", false: "no notice"}[notes > 0], map[bool]string{true: "sessions", false: "no session"}[sessions > 0]}, ", ")
}

// problemOf is the part of a problem answer that must not differ between
// refusals: status, type and title.
func problemOf(r response) string {
	typ, _ := r.body["type"].(string)
	title, _ := r.body["title"].(string)
	detail, _ := r.body["detail"].(string)
	return strings.Join([]string{http.StatusText(r.status), typ, title, detail}, " | ")
}

// TestEmployeeLoginNeedsActivationCode: a staff-issued employee login is
// accepted only with the activation code handed over in person. Without
// it, or with a wrong one, the accept answers exactly as for an unknown
// link and changes nothing; the code works once; only its Vault HMAC is
// stored; and a later staff invitation to the same address cannot bypass
// the code.
func TestEmployeeLoginNeedsActivationCode(t *testing.T) {
	t.Parallel()
	w := newActivationWorld(t)
	ctx := context.Background()
	in := w.issue(t, "in_person")
	if !activationCodeRE.MatchString(in.code) || len(in.code) != 11 {
		t.Fatalf("issue in person: activation_code = %q, want XXXXX-XXXXX from the unambiguous alphabet", in.code)
	}
	for _, m := range w.sink.Mails() {
		if m.To == in.email && strings.Contains(m.Data, in.code) {
			t.Errorf("the invitation mail to the employee carries the activation code")
		}
	}

	// The stored value is Vault's HMAC: neither the code nor a plain hash.
	var stored string
	if err := w.owner.QueryRow(ctx, `SELECT activation_code_hmac FROM hr.one_time_links WHERE id = $1`, in.invitationID).Scan(&stored); err != nil {
		t.Fatalf("read the stored activation code: %v", err)
	}
	norm := strings.ReplaceAll(in.code, "-", "")
	if !strings.HasPrefix(stored, "vault:v") {
		t.Errorf("stored activation code = %q, want a Vault HMAC (vault:v…)", stored)
	}
	for _, plain := range []string{in.code, norm} {
		sum := sha256.Sum256([]byte(plain))
		for _, leak := range []string{plain, strings.ToLower(plain), hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])} {
			if strings.Contains(stored, leak) {
				t.Errorf("stored activation code %q contains %q (the code or its plain SHA-256)", stored, leak)
			}
		}
	}
	var leaks int
	if err := w.owner.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM hr.notifications WHERE body LIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM audit.outbox WHERE object_id IN ($1, $2) OR request_id IN ($1, $2))
		     + (SELECT count(*) FROM audit.events WHERE object_id IN ($1, $2) OR request_id IN ($1, $2))`, in.code, norm).Scan(&leaks); err != nil {
		t.Fatalf("scan for the code: %v", err)
	}
	if leaks != 0 {
		t.Errorf("the activation code is stored in %d readable rows, want none", leaks)
	}

	unknownToken, _, _ := identity.NewToken()
	unknown := w.accept(unknownToken, in.code)
	if unknown.status != http.StatusNotFound {
		t.Fatalf("accept an unknown link = %d %s, want 404", unknown.status, unknown.raw)
	}
	before := w.state(t, in.userID)
	if before != "invited, no password, no notice, no session" {
		t.Fatalf("the invited employee before accepting: %s", before)
	}
	for _, tc := range []struct{ name, code string }{
		{"no code", ""}, {"a wrong code", "ABCDE-FGHJK"}, {"a malformed code", "0000-1111"}, {"the link token as code", in.token},
	} {
		r := w.accept(in.token, tc.code)
		if r.status != http.StatusNotFound || problemOf(r) != problemOf(unknown) {
			t.Errorf("accept with %s = %d %s, want exactly the answer to an unknown link (%s)", tc.name, r.status, r.raw, problemOf(unknown))
		}
		if got := w.state(t, in.userID); got != before {
			t.Errorf("accept with %s changed the user: %s, want %s", tc.name, got, before)
		}
	}
	// A staff invitation to the same (still invited) address replaces the
	// link, but not the need for the code.
	adminTok := w.s.session(w.s.addUser(access.RoleAdmin, uuid.Nil))
	if r := w.s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": in.email, "name": "X", "role": "labour_expert"}); r.status != http.StatusAccepted {
		t.Fatalf("admin invites the same address as labour expert = %d %s", r.status, r.raw)
	}
	second := resentToken(t, w.sink, in.email)
	if r := w.accept(second, ""); r.status != http.StatusNotFound {
		t.Errorf("accept the admin's new link without a code = %d %s, want 404 (the user holds an employee grant)", r.status, r.raw)
	}
	if got := w.state(t, in.userID); got != before {
		t.Errorf("the admin's link without a code changed the user: %s", got)
	}

	// A fresh employee invitation, accepted with its code (case and dash
	// forgiven), once.
	in = w.issue(t, "in_person")
	r := w.accept(in.token, strings.ToLower(strings.ReplaceAll(in.code, "-", " ")))
	if r.status != http.StatusOK {
		t.Fatalf("accept with the code = %d %s, want 200", r.status, r.raw)
	}
	secret, _ := r.body["totp_secret"].(string)
	if again := w.accept(in.token, in.code); again.status != http.StatusNotFound {
		t.Errorf("accept the same link and code again = %d, want 404 (single use)", again.status)
	}
	if l := w.s.login(in.email, "lotte haar lange wachtwoord", code(t, secret, time.Now())); l.status != http.StatusOK {
		t.Errorf("login after accepting = %d %s, want 200", l.status, l.raw)
	}
}

// resentToken returns the link token of the newest invitation mail to to,
// once the outbox holds no mail for to any more.
func resentToken(t *testing.T, sink *testenv.SMTPSink, to string) string {
	t.Helper()
	mails := awaitMail(t, sink, to)
	for i := len(mails) - 1; i >= 0; i-- {
		if m := linkRE.FindStringSubmatch(mails[i].Data); mails[i].To == to && m != nil {
			return m[1]
		}
	}
	t.Fatalf("no invitation mail for %s", to)
	return ""
}

// TestActivationAttemptsAreBounded: each attempt with a code counts; a
// wrong code at the fifth voids the invitation, after which even the right
// code is refused; each wrong code is audited by ids.
func TestActivationAttemptsAreBounded(t *testing.T) {
	t.Parallel()
	w := newActivationWorld(t)
	ctx := context.Background()
	wrong := "ABCDE-FGHJK"

	almost := w.issue(t, "in_person")
	for i := 1; i < identity.MaxActivationAttempts; i++ {
		if r := w.accept(almost.token, wrong); r.status != http.StatusNotFound {
			t.Fatalf("wrong code %d = %d %s, want 404", i, r.status, r.raw)
		}
	}
	if r := w.accept(almost.token, almost.code); r.status != http.StatusOK {
		t.Errorf("the right code after %d wrong ones = %d %s, want 200", identity.MaxActivationAttempts-1, r.status, r.raw)
	}

	in := w.issue(t, "in_person")
	for i := 1; i <= identity.MaxActivationAttempts; i++ {
		if r := w.accept(in.token, wrong); r.status != http.StatusNotFound {
			t.Fatalf("wrong code %d = %d %s, want 404", i, r.status, r.raw)
		}
	}
	if r := w.accept(in.token, in.code); r.status != http.StatusNotFound {
		t.Errorf("the right code after %d wrong ones = %d %s, want 404 (the invitation is void)", identity.MaxActivationAttempts, r.status, r.raw)
	}
	if got := w.state(t, in.userID); got != "invited, no password, no notice, no session" {
		t.Errorf("the voided invitation's user: %s, want still invited and untouched", got)
	}
	var voided bool
	var attempts int
	if err := w.owner.QueryRow(ctx, `SELECT revoked_at IS NOT NULL AND used_at IS NOT NULL, activation_attempts
		FROM hr.one_time_links WHERE id = $1`, in.invitationID).Scan(&voided, &attempts); err != nil {
		t.Fatal(err)
	}
	if !voided || attempts != identity.MaxActivationAttempts {
		t.Errorf("the invitation after %d wrong codes: voided %v, attempts %d; want voided after %d", identity.MaxActivationAttempts,
			voided, attempts, identity.MaxActivationAttempts)
	}
	// One statement, one snapshot: each event is either still in the
	// outbox or already appended, never both or neither (two statements
	// counted an event the appender moved between them twice).
	var denied int
	if err := w.owner.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM audit.outbox WHERE object_kind = 'invitation' AND object_id = $1 AND outcome = 'denied')
		+ (SELECT count(*) FROM audit.events WHERE object_kind = 'invitation' AND object_id = $1 AND outcome = 'denied')`,
		in.userID).Scan(&denied); err != nil {
		t.Fatal(err)
	}
	if denied != identity.MaxActivationAttempts {
		t.Errorf("audited wrong codes = %d, want %d", denied, identity.MaxActivationAttempts)
	}
}

// TestActivationCodeExpires: an employee invitation works for the
// activation TTL (default 14 days); after it, the right code is refused.
func TestActivationCodeExpires(t *testing.T) {
	t.Parallel()
	w := newActivationWorld(t)
	in := w.issue(t, "in_person")
	var expires time.Time
	if err := w.owner.QueryRow(context.Background(), `SELECT expires_at FROM hr.one_time_links WHERE id = $1`, in.invitationID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires); d < 13*24*time.Hour || d > 14*24*time.Hour {
		t.Errorf("an employee invitation expires in %v, want 14 days (a letter must arrive)", d)
	}
	if _, err := w.owner.Exec(context.Background(), `UPDATE hr.one_time_links SET expires_at = now() - interval '1 second' WHERE id = $1`,
		in.invitationID); err != nil {
		t.Fatal(err)
	}
	if r := w.accept(in.token, in.code); r.status != http.StatusNotFound {
		t.Errorf("accept an expired invitation with its code = %d %s, want 404", r.status, r.raw)
	}
	if got := w.state(t, in.userID); got != "invited, no password, no notice, no session" {
		t.Errorf("the expired invitation's user: %s", got)
	}
}

// TestActivationLetter: for a letter invitation the code exists only once
// the issuing staff member downloads the letter, once, addressed as the
// employee told them; nobody else gets it.
func TestActivationLetter(t *testing.T) {
	t.Parallel()
	w := newActivationWorld(t)
	ctx := context.Background()
	in := w.issue(t, "letter")
	if in.code != "" {
		t.Fatalf("a letter invitation answered an activation code %q; it must travel by letter only", in.code)
	}
	if r := w.accept(in.token, "ABCDE-FGHJK"); r.status != http.StatusNotFound {
		t.Errorf("accept before the letter exists = %d, want 404", r.status)
	}
	var attempts int
	if err := w.owner.QueryRow(ctx, `SELECT activation_attempts FROM hr.one_time_links WHERE id = $1`, in.invitationID).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 {
		t.Errorf("attempts before the letter exists = %d, want 0 (there is no code to guess)", attempts)
	}

	letter := func(tok string, body any) response {
		return w.s.do("POST", "/api/v1/invitations/"+in.invitationID+"/letter", tok, body)
	}
	address := map[string]any{"name": "Lotte Koppel", "address": []string{"Ĳsselkade 12", "8011 AB Zwolle"}}
	otherCM := w.s.session(w.s.addUser(access.RoleCaseManager, uuid.Nil))
	for _, tc := range []struct {
		name, token string
		body        any
		want        int
	}{
		{"another case manager", otherCM, address, http.StatusNotFound},
		{"the employer", w.er, address, http.StatusNotFound},
		{"no session", "", address, http.StatusUnauthorized},
		{"one address line", w.cm, map[string]any{"name": "Lotte Koppel", "address": []string{"Zwolle"}}, http.StatusBadRequest},
		{"no name", w.cm, map[string]any{"name": " ", "address": []string{"Ĳsselkade 12", "8011 AB Zwolle"}}, http.StatusBadRequest},
		{"an unknown field", w.cm, map[string]any{"name": "Lotte", "address": []string{"a", "b"}, "employer_address": true}, http.StatusBadRequest},
	} {
		if r := letter(tc.token, tc.body); r.status != tc.want {
			t.Errorf("POST letter as %s = %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
	}
	var hasCode bool
	if err := w.owner.QueryRow(ctx, `SELECT activation_code_hmac IS NOT NULL FROM hr.one_time_links WHERE id = $1`, in.invitationID).Scan(&hasCode); err != nil || hasCode {
		t.Fatalf("after refused letters the invitation has a code: %v %v", hasCode, err)
	}

	r := letter(w.cm, address)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST letter as its issuer = %d %s %q, want 200 application/pdf, no-store", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
	}
	text := testenv.PDFText(t, []byte(r.raw))
	for _, want := range []string{"Lotte Koppel", "Ĳsselkade 12", "8011 AB Zwolle", "activeringscode"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	code := activationCodeRE.FindString(text)
	if code == "" {
		t.Fatalf("the letter carries no activation code:\n%s", text)
	}
	if again := letter(w.cm, address); again.status != http.StatusConflict {
		t.Errorf("POST letter a second time = %d %s, want 409 (once only)", again.status, again.raw)
	}
	if r := w.accept(in.token, code); r.status != http.StatusOK {
		t.Errorf("accept with the letter's code = %d %s, want 200", r.status, r.raw)
	}

	inPerson := w.issue(t, "in_person")
	if r := w.s.do("POST", "/api/v1/invitations/"+inPerson.invitationID+"/letter", w.cm, address); r.status != http.StatusConflict {
		t.Errorf("POST letter for an in-person invitation = %d %s, want 409", r.status, r.raw)
	}
}

// TestEmployerHREmailNeverReceivesLoginMail: the e-mail field of the HR
// record is the employer's to edit; login mail (a password reset) goes
// only to the login's own address, so an employer who writes its own
// address into the record cannot take the login over.
func TestEmployerHREmailNeverReceivesLoginMail(t *testing.T) {
	t.Parallel()
	w := newActivationWorld(t)
	ctx := context.Background()
	ee := w.s.addUser(access.RoleEmployee, w.tenant)
	employee := unlinkedEmployee(t, w.owner, w.tenant)
	if _, err := w.owner.Exec(ctx, `UPDATE hr.employees SET user_id = $1 WHERE id = $2`, ee.userID, employee); err != nil {
		t.Fatal(err)
	}
	hijack := "hr-" + uuid.NewString()[:8] + "@werkgever.test"
	if r := w.s.do("PATCH", "/api/v1/employees/"+employee, w.er, map[string]any{"email": hijack}); r.status != http.StatusOK {
		t.Fatalf("employer edits the HR e-mail = %d %s", r.status, r.raw)
	}
	var login string
	if err := w.owner.QueryRow(ctx, `SELECT email FROM hr.users WHERE id = $1`, ee.userID).Scan(&login); err != nil || login != ee.email {
		t.Fatalf("the login address after the HR edit = %q (%v), want %q unchanged", login, err, ee.email)
	}
	for _, email := range []string{hijack, ee.email} {
		if r := w.s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": email}); r.status != http.StatusAccepted {
			t.Fatalf("request a reset for %s = %d %s", email, r.status, r.raw)
		}
	}
	for _, m := range w.sink.Mails() {
		if m.To == hijack {
			t.Errorf("login mail went to the address the employer wrote into the HR record")
		}
	}
	resetToken(t, w.sink, ee.email) // the reset went to the login's own address
}
