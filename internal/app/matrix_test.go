package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// The authorization matrix: every route × every caller, with the expected
// status written by hand from DESIGN §1 and §4 — never derived from
// policies/policy.csv, so that widening a policy line turns this test red.
//
// Callers. Tenant A is "own", tenant B "other". pResp is the physician
// assigned to A and responsible for the dossiers of A1 and A2; pSub stands
// in for pResp today; pUn is a physician with no assignment; asValid,
// asExpired and asMissing are medical assistants with a valid, an expired
// and no confidentiality statement naming pResp; leadE is a lead physician
// who declared emergency access to A1's dossier, lead one who did not;
// eeA1 is the employee A1 themself and eeA2 a colleague in the same tenant.
//
// Two callers hold two grants each, as people do: erAcmB is an HR user of A
// who is also a case manager for B; cmBeeA3 is a case manager for B who is
// also an employee of A (A3, with no case or dossier). A request is decided
// under one of their grants, never under a merge (DESIGN §1), so erAcmB
// gets what erA gets for A's objects, and cmBeeA3 what a colleague of A1
// gets; a row names them only where the other grant changes the answer.
var matrixCallers = []string{
	"anonymous", "admin", "privacy", "lead", "leadE", "pResp", "pSub", "pUn",
	"asValid", "asExpired", "asMissing", "cmA", "cmB", "leA", "erA", "erB", "eeA1", "eeA2",
	"erAcmB", "cmBeeA3",
}

// pairedLike names, for each caller with two grants, the single-grant
// caller whose expectation it shares unless a row says otherwise. Rows
// differ where the other grant is the only one that allows the action: it
// reaches B only, so an object of A is not found (404) even where the
// single-grant caller, who may read such objects, is told 403.
var pairedLike = map[string]string{"erAcmB": "erA", "cmBeeA3": "eeA2"}

// expect lists statuses per caller; callers not named get def.
func expect(def int, except map[string]int) map[string]int {
	out := map[string]int{}
	for _, c := range matrixCallers {
		out[c] = def
		if st, ok := except[c]; ok {
			out[c] = st
		}
	}
	for pair, like := range pairedLike {
		if _, ok := except[pair]; !ok {
			out[pair] = out[like]
		}
	}
	out["anonymous"] = http.StatusUnauthorized
	return out
}

const (
	s200 = http.StatusOK
	s201 = http.StatusCreated
	s202 = http.StatusAccepted
	s204 = http.StatusNoContent
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
)

// matrixFixture is the world the matrix runs in.
type matrixFixture struct {
	s                      *stack
	tenantA, tenantB, tenC uuid.UUID
	a1, a2                 uuid.UUID // employees of A with dossiers
	a3                     uuid.UUID // an employee of A whose login also holds a case manager grant for B
	caseA1                 string    // an open absence case of a1, with a plan
	entryA1                string    // a note in a1's dossier, by pResp
	attachmentA1           string    // a letter in a1's dossier, by pResp
	releaseA1              string    // a release of a1's dossier for an inspection
	destructionA1          string    // a completed partial destruction in a1's dossier
	treatmentConsentA1     string    // a1's signed consent for information from the treating physician
	transferConsentA1      string    // a1's signed consent to transfer the dossier
	disclosureA1           string    // a granted disclosure of a1's dossier
	transferA1             string    // a transfer of a1's dossier
	lastConsentHash        string    // the text hash of the consent the last path made
	users                  map[string]login
	tokens                 map[string]string
	owner                  *pgxpool.Pool
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	s, _ := newMailStack(t)
	return newMatrixFixtureOn(t, s)
}

// newMatrixFixtureOn builds the matrix's world on the server of s.
func newMatrixFixtureOn(t *testing.T, s *stack) *matrixFixture {
	t.Helper()
	f := &matrixFixture{s: s, users: map[string]login{}, tokens: map[string]string{}}
	f.tenantA, f.tenantB, f.tenC = s.addEmployer(), s.addEmployer(), s.addEmployer()
	for name, spec := range map[string]struct {
		role     access.Role
		employer uuid.UUID
	}{
		"admin": {access.RoleAdmin, uuid.Nil}, "privacy": {access.RolePrivacyOfficer, uuid.Nil},
		"lead": {access.RoleLeadPhysician, uuid.Nil}, "leadE": {access.RoleLeadPhysician, uuid.Nil},
		"pResp": {access.RolePhysician, uuid.Nil}, "pSub": {access.RolePhysician, uuid.Nil}, "pUn": {access.RolePhysician, uuid.Nil},
		"asValid": {access.RoleMedicalAssistant, uuid.Nil}, "asExpired": {access.RoleMedicalAssistant, uuid.Nil},
		"asMissing": {access.RoleMedicalAssistant, uuid.Nil},
		"cmA":       {access.RoleCaseManager, f.tenantA}, "cmB": {access.RoleCaseManager, f.tenantB},
		"leA": {access.RoleLabourExpert, f.tenantA},
		"erA": {access.RoleEmployer, f.tenantA}, "erB": {access.RoleEmployer, f.tenantB},
		"eeA1": {access.RoleEmployee, f.tenantA}, "eeA2": {access.RoleEmployee, f.tenantA},
	} {
		f.users[name] = s.addUser(spec.role, spec.employer)
	}
	id := func(name string) uuid.UUID { return f.users[name].userID }

	// The world as an admin and lead physicians would have set it up,
	// written directly so that the matrix does not depend on the routes it
	// tests.
	owner := testenv.Pool(t, s.env.MigrateURL)
	f.owner = owner
	ctx := context.Background()
	today := nowNL()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("fixture %q: %v", strings.Fields(sql)[0:3], err)
		}
	}
	f.a1, f.a2 = uuid.New(), uuid.New()
	for emp, user := range map[uuid.UUID]uuid.UUID{f.a1: id("eeA1"), f.a2: id("eeA2")} {
		exec(`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
			VALUES ($1, $2, $3, 'Test', 'Persoon', '1980-01-01', '2020-01-01', $4)`, emp, f.tenantA, "M"+emp.String()[:8], user)
		exec(`INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, emp, id("pResp"))
	}
	exec(`INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, 'active', $3, $4, now())`, f.tenantA, id("pResp"), id("admin"), id("lead"))
	exec(`INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, $3, $4, 'active', $5, $6, now())`,
		id("pResp"), id("pSub"), today.AddDate(0, 0, -1), today.AddDate(0, 0, 7), id("admin"), id("lead"))
	exec(`INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
		VALUES ($1, $2, $3, $4, $5, 'active')`, id("asValid"), id("pResp"), today.AddDate(0, -1, 0), today.AddDate(1, 0, 0), id("admin"))
	exec(`INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
		VALUES ($1, $2, $3, $4, $5, 'active')`, id("asExpired"), id("pResp"), today.AddDate(-2, 0, 0), today.AddDate(0, 0, -1), id("admin"))

	// The callers with two grants: a case manager grant for B first, then
	// the second grant in A.
	for name, spec := range map[string]access.Role{"erAcmB": access.RoleEmployer, "cmBeeA3": access.RoleEmployee} {
		f.users[name] = s.addUser(access.RoleCaseManager, f.tenantB)
		exec(`INSERT INTO hr.role_grants (user_id, role, employer_id, status, decided_at) VALUES ($1, $2, $3, 'active', now())`,
			id(name), string(spec), f.tenantA)
	}
	f.a3 = uuid.New()
	exec(`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
		VALUES ($1, $2, $3, 'Derde', 'Persoon', '1985-03-03', '2021-01-01', $4)`, f.a3, f.tenantA, "M"+f.a3.String()[:8], id("cmBeeA3"))

	for name, u := range f.users {
		f.tokens[name] = s.session(u)
	}
	if r := s.do("POST", "/api/v1/employees/"+f.a1.String()+"/dossier/emergency-access", f.tokens["leadE"],
		map[string]any{"reason": "Responsible physician unreachable; urgent question from the treating physician."}); r.status != s201 {
		t.Fatalf("fixture: declare emergency access = %d %s", r.status, r.raw)
	}
	f.entryA1 = f.freshEntry(t)
	if r := s.do("POST", "/api/v1/employees/"+f.a1.String()+"/dossier/attachments", f.tokens["pResp"],
		rawBody{"application/pdf", testenv.PDF("")}); r.status != s201 {
		t.Fatalf("fixture: attachment = %d %s", r.status, r.raw)
	} else {
		f.attachmentA1 = r.body["id"].(string)
	}
	if r := s.do("POST", "/api/v1/requests/"+f.freshGrantedInspection(t)+"/release", f.tokens["pResp"], nil); r.status != s201 {
		t.Fatalf("fixture: release = %d %s", r.status, r.raw)
	} else {
		f.releaseA1 = r.body["id"].(string)
	}
	// A partial destruction: one fresh note of a1's, at a1's request.
	destroyed := f.freshEntry(t)
	dreq := s.do("POST", "/api/v1/me/requests", f.tokens["eeA1"], map[string]any{"type": "destruction", "entry_ids": []string{destroyed}})
	if dreq.status != s201 {
		t.Fatalf("fixture: destruction request = %d %s", dreq.status, dreq.raw)
	}
	// The grant is accepted (202); the destruction worker carries it out.
	s.startWorker(t)
	if r := s.do("POST", "/api/v1/requests/"+dreq.body["id"].(string)+"/destruction", f.tokens["pResp"], map[string]any{"decision": "grant"}); r.status != s202 {
		t.Fatalf("fixture: destruction = %d %s", r.status, r.raw)
	} else {
		f.destructionA1 = r.body["destruction"].(map[string]any)["id"].(string)
		awaitDestruction(t, s, dreq.body["id"].(string))
	}
	f.treatmentConsentA1 = f.signedConsent(t, "treating_physician", "treatment_information")
	f.transferConsentA1 = f.signedConsent(t, "occupational_health_service", "dossier_transfer")
	f.disclosureA1 = f.freshDisclosure(t)
	if r := s.do("POST", "/api/v1/employees/"+f.a1.String()+"/dossier/disclosures/"+f.disclosureA1+"/decision", f.tokens["pResp"],
		map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)}); r.status != s200 {
		t.Fatalf("fixture: grant disclosure = %d %s", r.status, r.raw)
	}
	if r := s.do("POST", "/api/v1/employees/"+f.a1.String()+"/dossier/transfers", f.tokens["pResp"],
		map[string]any{"consent_id": f.transferConsentA1}); r.status != s201 {
		t.Fatalf("fixture: transfer = %d %s", r.status, r.raw)
	} else {
		f.transferA1 = r.body["id"].(string)
	}
	f.caseA1 = f.report(t, f.a1)
	if r := s.do("POST", "/api/v1/absences/"+f.caseA1+"/plans", f.tokens["cmA"], planBody(today)); r.status != s201 {
		t.Fatalf("fixture: record plan = %d %s", r.status, r.raw)
	}
	return f
}

// dossierOf returns the dossier path of employee.
func dossierOf(employee uuid.UUID, suffix string) string {
	return "/api/v1/employees/" + employee.String() + "/dossier/" + suffix
}

// freshConsent prepares a consent of kind and purpose in employee's
// dossier as pResp and returns its id.
func (f *matrixFixture) freshConsent(t *testing.T, employee uuid.UUID, kind, purpose string) string {
	t.Helper()
	r := f.s.do("POST", dossierOf(employee, "consents"), f.tokens["pResp"],
		consentBody(kind, purpose, []string{"consultation", "note"}, time.Time{}, time.Time{}))
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: consent = %d %s", r.status, r.raw)
	}
	return id
}

// paperSigned registers a signed paper form for consent id of employee.
func (f *matrixFixture) paperSigned(t *testing.T, employee uuid.UUID, id string) {
	t.Helper()
	if r := f.s.do("POST", dossierOf(employee, "consents/"+id+"/paper?signed_on="+nowNL().Format(time.DateOnly)), f.tokens["pResp"],
		rawBody{"application/pdf", testenv.PDF("")}); r.status != s200 {
		t.Fatalf("fixture: paper consent = %d %s", r.status, r.raw)
	}
}

// signedConsent returns a consent of a1's, signed on paper.
func (f *matrixFixture) signedConsent(t *testing.T, kind, purpose string) string {
	t.Helper()
	id := f.freshConsent(t, f.a1, kind, purpose)
	f.paperSigned(t, f.a1, id)
	return id
}

// freshPortalConsent prepares a consent of a1's and remembers the hash of
// the text a1 is shown, for a signature.
func (f *matrixFixture) freshPortalConsent(t *testing.T) string {
	t.Helper()
	id := f.freshConsent(t, f.a1, "specialist", "reintegration_assessment")
	mine := f.s.do("GET", "/api/v1/me/consents", f.tokens["eeA1"], nil)
	for _, x := range mine.body["consents"].([]any) {
		if c := x.(map[string]any); c["id"] == id {
			f.lastConsentHash = c["text_sha256"].(string)
		}
	}
	return id
}

// freshDisclosure registers a UWV disclosure of a1's dossier on the legal
// duty and returns its id.
func (f *matrixFixture) freshDisclosure(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", dossierOf(f.a1, "disclosures"), f.tokens["pResp"], uwvDisclosure())
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: disclosure = %d %s", r.status, r.raw)
	}
	return id
}

// uwvDisclosure is a UWV insurance physician's request on the legal duty.
func uwvDisclosure() map[string]any {
	return map[string]any{"requester": map[string]any{"name": "Mw. K. de Graaf", "organisation": "UWV"},
		"task": "WIA-beoordeling", "recipient_kind": "uwv_insurance_physician", "purpose": "benefit_assessment",
		"scope": map[string]any{"kinds": []string{"consultation"}}, "basis": "legal_duty", "legal_ground": "Wet WIA art. 44",
		"medical_motivation": "Medische motivering.", "labour_motivation": "Arbeidskundige motivering."}
}

// freshInformationRequest asks the treating physician under a1's consent.
func (f *matrixFixture) freshInformationRequest(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", dossierOf(f.a1, "information-requests"), f.tokens["pResp"],
		map[string]any{"consent_id": f.treatmentConsentA1, "question": "Welke behandeling loopt er?"})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: information request = %d %s", r.status, r.raw)
	}
	return id
}

// freshExportedTransfer makes a new employee of A with a dossier, a signed
// consent to transfer it and a transfer whose package went out, and returns
// the transfer's hand-over path.
func (f *matrixFixture) freshExportedTransfer(t *testing.T) string {
	t.Helper()
	emp := f.freshEmployee(t)
	if r := f.s.do("POST", "/api/v1/employees/"+emp.String()+"/dossier/entries", f.tokens["pResp"],
		map[string]any{"kind": "note", "text": "Aantekening."}); r.status != s201 {
		t.Fatalf("fixture: entry = %d %s", r.status, r.raw)
	}
	id := f.freshConsent(t, emp, "occupational_health_service", "dossier_transfer")
	f.paperSigned(t, emp, id)
	r := f.s.do("POST", dossierOf(emp, "transfers"), f.tokens["pResp"], map[string]any{"consent_id": id})
	if r.status != s201 {
		t.Fatalf("fixture: transfer = %d %s", r.status, r.raw)
	}
	tid := r.body["id"].(string)
	if r := f.s.do("GET", dossierOf(emp, "transfers/"+tid+"/package.zip"), f.tokens["pResp"], nil); r.status != s200 {
		t.Fatalf("fixture: package = %d %s", r.status, r.raw)
	}
	return dossierOf(emp, "transfers/"+tid+"/handover")
}

// freshEmployee adds an employee of A without a login.
func (f *matrixFixture) freshEmployee(t *testing.T) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := f.owner.Exec(context.Background(), `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name,
		date_of_birth, employment_start) VALUES ($1, $2, $3, 'Vers', 'Persoon', '1982-02-02', '2018-01-01')`,
		id, f.tenantA, "F"+id.String()[:8]); err != nil {
		t.Fatalf("fixture: fresh employee: %v", err)
	}
	return id
}

// report files a sick report for employee as A's case manager, ten days
// ago, and returns the case id.
func (f *matrixFixture) report(t *testing.T, employee uuid.UUID) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/employees/"+employee.String()+"/absences", f.tokens["cmA"],
		map[string]any{"first_sick_day": nowNL().AddDate(0, 0, -10).Format(time.DateOnly), "percentage": 100})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: sick report = %d %s", r.status, r.raw)
	}
	return id
}

// freshCase returns a new open case of a new employee of A.
func (f *matrixFixture) freshCase(t *testing.T) string {
	t.Helper()
	return f.report(t, f.freshEmployee(t))
}

// freshEntry writes a note into a1's dossier as its responsible physician
// and returns its id.
func (f *matrixFixture) freshEntry(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/employees/"+f.a1.String()+"/dossier/entries", f.tokens["pResp"],
		map[string]any{"kind": "note", "text": "Spreekuur gepland."})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: dossier entry = %d %s", r.status, r.raw)
	}
	return id
}

// freshExamination records an examination outcome of a1, pending a1's
// decision, as the assigned physician and returns its id.
func (f *matrixFixture) freshExamination(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/employees/"+f.a1.String()+"/verdicts", f.tokens["pResp"],
		map[string]any{"kind": "examination", "outcome": "approved", "date": nowNL().Format(time.DateOnly)})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: examination = %d %s", r.status, r.raw)
	}
	return id
}

// freshRequest files an AVG access request as a1 and returns its id.
func (f *matrixFixture) freshRequest(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/me/requests", f.tokens["eeA1"], map[string]any{"type": "access"})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: request = %d %s", r.status, r.raw)
	}
	return id
}

// freshFiled files a request of type typ as the employee caller who and
// returns its id.
func (f *matrixFixture) freshFiled(t *testing.T, who, typ string) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/me/requests", f.tokens[who], map[string]any{"type": typ})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: %s request = %d %s", typ, r.status, r.raw)
	}
	return id
}

// freshGrantedRestriction files a restriction request as a2 (who has no
// case) and has the privacy officer apply it.
func (f *matrixFixture) freshGrantedRestriction(t *testing.T) string {
	t.Helper()
	id := f.freshFiled(t, "eeA2", "restriction")
	if r := f.s.do("POST", "/api/v1/requests/"+id+"/restriction", f.tokens["privacy"], nil); r.status != s200 || r.body["status"] != "granted" {
		t.Fatalf("fixture: apply restriction = %d %s", r.status, r.raw)
	}
	return id
}

// freshGrantedInspection files an inspection request as a1, granted by the
// responsible physician, and returns its id.
func (f *matrixFixture) freshGrantedInspection(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/me/requests", f.tokens["eeA1"], map[string]any{"type": "inspection"})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: inspection request = %d %s", r.status, r.raw)
	}
	if r := f.s.do("POST", "/api/v1/requests/"+id+"/decision", f.tokens["pResp"], map[string]any{"status": "granted"}); r.status != s200 {
		t.Fatalf("fixture: grant inspection = %d %s", r.status, r.raw)
	}
	return id
}

// freshNote adds a note to the shared case as A's case manager.
func (f *matrixFixture) freshNote(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/absences/"+f.caseA1+"/notes", f.tokens["cmA"], map[string]any{"text": "Gebeld, afspraak gemaakt."})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: note = %d %s", r.status, r.raw)
	}
	return id
}

// planBody is a complete plan of action signed by both parties.
func planBody(today time.Time) map[string]any {
	d := today.Format(time.DateOnly)
	return map[string]any{
		"goals":         "Terugkeer in het eigen werk, eerst halve dagen.",
		"activities":    []map[string]any{{"description": "Werkplekonderzoek", "who": "Werkgever", "by_when": today.AddDate(0, 0, 14).Format(time.DateOnly)}},
		"employer_view": "Wij verwachten terugkeer binnen drie maanden.", "employee_view": "Ik wil eerst in aangepast werk beginnen.",
		"employer_signed_on": d, "employee_signed_on": d,
	}
}

// amsterdam is the zone whose date is "today" for the server (DESIGN §4).
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// nowNL is the current time in Europe/Amsterdam: its date is today as the
// server sees it, whatever the zone of the machine's clock.
func nowNL() time.Time { return time.Now().In(amsterdam) }

// unlinkedEmployee adds an employee record of A without a login, as the
// owner, for a login to be issued to; on failure it returns an unknown id,
// which no caller may issue a login for.
func (f *matrixFixture) unlinkedEmployee() string {
	id := uuid.New()
	if _, err := f.owner.Exec(context.Background(), `
		INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, $3, 'Nieuwe', 'Werknemer', '1990-01-01', '2024-01-01')`, id, f.tenantA, "U"+id.String()[:8]); err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// letterInvitation has A's case manager issue an employee login whose code
// travels by letter, and returns the invitation id.
func (f *matrixFixture) letterInvitation(t *testing.T) string {
	t.Helper()
	r := f.s.do("POST", "/api/v1/invitations", f.tokens["cmA"], map[string]any{"email": "brief-" + uuid.NewString() + "@private.test",
		"name": "Nieuwe Werknemer", "role": "employee", "employer_id": f.tenantA.String(), "employee_id": f.unlinkedEmployee(),
		"activation": "letter"})
	id, _ := r.body["invitation_id"].(string)
	if r.status != s202 || id == "" {
		t.Fatalf("fixture: letter invitation = %d %s", r.status, r.raw)
	}
	return id
}

// proposed returns a fresh proposal of kind, made by the admin through the
// API, for an approve route to act on.
func (f *matrixFixture) proposed(t *testing.T, kind string) string {
	t.Helper()
	s, admin := f.s, f.tokens["admin"]
	var r response
	switch kind {
	case "grant":
		target := s.addUser(access.RoleCaseManager, uuid.Nil)
		r = s.do("POST", "/api/v1/users/"+target.userID.String()+"/grants", admin,
			map[string]any{"role": "physician", "big_number": "12345678901"})
	case "statement":
		// A fresh assistant: approving must not give asMissing a statement.
		assistant := s.addUser(access.RoleMedicalAssistant, uuid.Nil)
		r = s.do("POST", "/api/v1/users/"+assistant.userID.String()+"/statements", admin, f.statementBody())
	case "substitution":
		r = s.do("POST", "/api/v1/substitutions", admin, f.substitutionBody())
	case "assignment":
		// Tenant C, so that approving never ends the assignment of A.
		r = s.do("POST", "/api/v1/employers/"+f.tenC.String()+"/physician-assignments", admin,
			map[string]any{"physician_id": f.users["pUn"].userID.String()})
	}
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		t.Fatalf("fixture: propose %s = %d %s", kind, r.status, r.raw)
	}
	return id
}

func (f *matrixFixture) statementBody() map[string]any {
	today := nowNL()
	return map[string]any{"physician_id": f.users["pResp"].userID.String(),
		"signed_on": today.AddDate(0, 0, -2).Format(time.DateOnly), "expires_on": today.AddDate(1, 0, 0).Format(time.DateOnly)}
}

func (f *matrixFixture) substitutionBody() map[string]any {
	today := nowNL()
	return map[string]any{"absent_physician_id": f.users["pUn"].userID.String(), "substitute_id": f.users["pResp"].userID.String(),
		"starts_on": today.AddDate(0, 0, 10).Format(time.DateOnly), "ends_on": today.AddDate(0, 0, 20).Format(time.DateOnly)}
}

// Roles that may read cases (or contact logs and notes) but not change
// them: refused with 403 wherever the action itself is not theirs.
var (
	absenceReaders = []string{"leA", "pResp", "pSub", "pUn", "lead", "leadE", "eeA1", "eeA2"}
	physicians     = []string{"pResp", "pSub", "pUn", "lead", "leadE"}
)

// plus adds names with status st to m.
func plus(m map[string]int, st int, names []string) map[string]int {
	for _, n := range names {
		m[n] = st
	}
	return m
}

// matrixRoute is one route of the matrix: how to call it, and who gets what.
type matrixRoute struct {
	method, route string // route as the router names it
	path          func(t *testing.T, f *matrixFixture) string
	body          func(f *matrixFixture) any
	want          map[string]int
}

func matrixRoutes() []matrixRoute {
	fixed := func(p string) func(*testing.T, *matrixFixture) string {
		return func(*testing.T, *matrixFixture) string { return p }
	}
	employeeA1 := func(suffix string) func(*testing.T, *matrixFixture) string {
		return func(_ *testing.T, f *matrixFixture) string { return "/api/v1/employees/" + f.a1.String() + suffix }
	}
	approve := func(kind, prefix string) func(*testing.T, *matrixFixture) string {
		return func(t *testing.T, f *matrixFixture) string { return prefix + f.proposed(t, kind) + "/approve" }
	}
	caseA1 := func(suffix string) func(*testing.T, *matrixFixture) string {
		return func(_ *testing.T, f *matrixFixture) string { return "/api/v1/absences/" + f.caseA1 + suffix }
	}
	freshCase := func(suffix string) func(*testing.T, *matrixFixture) string {
		return func(t *testing.T, f *matrixFixture) string {
			if suffix == "" {
				suffix = "/changes"
			}
			return "/api/v1/absences/" + f.freshCase(t) + suffix
		}
	}
	// A case of a1 is read by A's employer, case manager, labour expert and
	// assigned physician, and by a1 themself.
	caseReaders := expect(s404, map[string]int{"erA": s200, "cmA": s200, "leA": s200, "pResp": s200, "eeA1": s200})
	// Only lead physicians approve; nobody else may learn a proposal exists.
	leadsApprove := expect(s404, map[string]int{"lead": s200, "leadE": s200})
	// Those in a1's dossier's care: the responsible physician, the
	// substitute, the assistant with a valid statement, and the lead
	// physician under emergency access; physicians alone for decisions.
	inCareRead := expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})
	physiciansInCare := expect(s404, map[string]int{"pResp": s200, "pSub": s200, "leadE": s200})
	// A public route answers every caller alike, one without a session too.
	everyone := func(st int) map[string]int {
		out := expect(st, nil)
		out["anonymous"] = st
		return out
	}
	return []matrixRoute{
		// The OpenAPI text holds no data, only the shape of the API.
		{"GET", "/api/v1/openapi.yaml", fixed("/api/v1/openapi.yaml"), nil, everyone(s200)},
		{"GET", "/api/v1/me", fixed("/api/v1/me"), nil, expect(s200, nil)},
		{"GET", "/api/v1/me/notifications", fixed("/api/v1/me/notifications"), nil, expect(s200, nil)},
		{"POST", "/api/v1/me/requests", fixed("/api/v1/me/requests"),
			func(*matrixFixture) any { return map[string]any{"type": "access"} },
			expect(s404, map[string]int{"eeA1": s201, "eeA2": s201})},
		{"GET", "/api/v1/me/requests", fixed("/api/v1/me/requests"), nil,
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200})},
		{"GET", "/api/v1/requests", fixed("/api/v1/requests"), nil,
			// The deciding roles' queues: HR requests for the privacy
			// officer, medical ones for physicians (their own caseload).
			expect(s404, plus(map[string]int{"privacy": s200}, s200, physicians))},
		{"POST", "/api/v1/requests/:id/decision",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshRequest(t) + "/decision"
			},
			func(*matrixFixture) any { return map[string]any{"status": "in_review"} },
			// An HR request: the privacy officer decides; nobody else learns
			// it exists.
			expect(s404, map[string]int{"privacy": s200})},
		{"POST", "/api/v1/requests/:id/extension",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshRequest(t) + "/extension"
			},
			func(*matrixFixture) any { return map[string]any{"months": 1, "reason": "complex_request"} },
			expect(s404, map[string]int{"privacy": s200})},
		{"POST", "/api/v1/requests/:id/release",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshGrantedInspection(t) + "/release"
			}, nil,
			// The responsible physician, their substitute, and lead
			// physicians; the privacy officer sees the register but never
			// releases.
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "lead": s201, "leadE": s201, "privacy": s403})},
		{"POST", "/api/v1/requests/:id/erasure",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshFiled(t, "eeA1", "erasure") + "/erasure"
			}, nil,
			// The privacy officer applies it (a1's open case keeps
			// everything: refused, answered 200); physicians see the register
			// but never erase.
			expect(s404, plus(map[string]int{"privacy": s200}, s403, physicians))},
		{"POST", "/api/v1/requests/:id/restriction",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshFiled(t, "eeA1", "restriction") + "/restriction"
			}, nil,
			expect(s404, plus(map[string]int{"privacy": s200}, s403, physicians))},
		{"DELETE", "/api/v1/requests/:id/restriction",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshGrantedRestriction(t) + "/restriction"
			}, nil,
			expect(s404, plus(map[string]int{"privacy": s200}, s403, physicians))},
		{"POST", "/api/v1/employees/:id/requests", employeeA1("/requests"),
			func(*matrixFixture) any {
				return map[string]any{"type": "access", "representative_name": "Mr. A. Jansen",
					"authorisation_signed_on": nowNL().AddDate(0, 0, -1).Format(time.DateOnly)}
			},
			// The privacy officer registers a representative's request;
			// physicians see the register (403); nobody else learns of it.
			expect(s404, plus(map[string]int{"privacy": s201}, s403, physicians))},
		{"POST", "/api/v1/requests/:id/destruction",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/requests/" + f.freshFiled(t, "eeA1", "destruction") + "/destruction"
			},
			func(*matrixFixture) any {
				return map[string]any{"decision": "refuse", "ground": "substantial_interest_of_another",
					"reason": "Belang van een familielid bij bewaring."}
			},
			// The responsible physician, their substitute and lead
			// physicians decide; the privacy officer sees the register but
			// never decides a medical request (403).
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "lead": s200, "leadE": s200, "privacy": s403})},
		{"GET", "/api/v1/me/destructions", fixed("/api/v1/me/destructions"), nil,
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200})},
		{"GET", "/api/v1/me/destructions/:id/statement.pdf",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/me/destructions/" + f.destructionA1 + "/statement.pdf"
			}, nil,
			// Only the employee whose dossier it was.
			expect(s404, map[string]int{"eeA1": s200})},
		{"GET", "/api/v1/me/releases", fixed("/api/v1/me/releases"), nil,
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200})},
		{"GET", "/api/v1/me/releases/:id",
			func(_ *testing.T, f *matrixFixture) string { return "/api/v1/me/releases/" + f.releaseA1 }, nil,
			// Only the employee the dossier is about.
			expect(s404, map[string]int{"eeA1": s200})},
		{"GET", "/api/v1/me/releases/:id/copy.pdf",
			func(_ *testing.T, f *matrixFixture) string { return "/api/v1/me/releases/" + f.releaseA1 + "/copy.pdf" }, nil,
			expect(s404, map[string]int{"eeA1": s200})},
		{"GET", "/api/v1/me/export", fixed("/api/v1/me/export"), nil,
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200})},
		{"GET", "/api/v1/me/access-log", fixed("/api/v1/me/access-log"), nil,
			// Employees with a record; for anyone else there is no such log.
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200})},
		{"POST", "/api/v1/invitations", fixed("/api/v1/invitations"),
			func(f *matrixFixture) any {
				return map[string]any{"email": "inv-" + uuid.NewString() + "@private.test", "name": "Nieuwe Werknemer",
					"role": "employee", "employer_id": f.tenantA.String(), "employee_id": f.unlinkedEmployee(),
					"activation": "in_person"}
			},
			// Only arbodienst staff who meet A's employees issue their
			// login: A's case manager, A's assigned physician, the one
			// standing in for them and the assistant acting for them.
			// Changed on purpose: A's employer, which invited them (202),
			// now learns it may not (403); the admin, which did too, never
			// sees employee data (404); B's may not even learn A exists.
			expect(s404, map[string]int{"cmA": s202, "pResp": s202, "pSub": s202, "asValid": s202, "erA": s403})},
		{"POST", "/api/v1/invitations/:id/letter",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/invitations/" + f.letterInvitation(t) + "/letter"
			},
			func(*matrixFixture) any {
				return map[string]any{"name": "Nieuwe Werknemer", "address": []string{"Dorpsstraat 1", "1234 AB Ergens"}}
			},
			// The activation letter goes to the staff member who issued
			// the invitation (A's case manager here), once; for anyone
			// else it does not exist.
			expect(s404, map[string]int{"cmA": s200})},
		{"POST", "/api/v1/users/:id/grants",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/users/" + f.s.addUser(access.RoleCaseManager, uuid.Nil).userID.String() + "/grants"
			},
			func(f *matrixFixture) any {
				return map[string]any{"role": "labour_expert", "employer_id": f.tenantA.String()}
			},
			expect(s404, map[string]int{"admin": s201})},
		{"POST", "/api/v1/grants/:id/approve", approve("grant", "/api/v1/grants/"), nil, leadsApprove},
		// The account administration: the admin alone; a proposal on a
		// medical account is approved by a lead physician alone.
		{"GET", "/api/v1/users", fixed("/api/v1/users?limit=5"), nil, expect(s404, map[string]int{"admin": s200})},
		{"POST", "/api/v1/users/:id/block", func(t *testing.T, f *matrixFixture) string {
			return "/api/v1/users/" + f.freshAccount(t, "active").String() + "/block"
		}, nil, expect(s404, map[string]int{"admin": s200})},
		{"POST", "/api/v1/users/:id/unblock", func(t *testing.T, f *matrixFixture) string {
			return "/api/v1/users/" + f.freshAccount(t, "blocked").String() + "/unblock"
		}, nil, expect(s404, map[string]int{"admin": s200})},
		{"POST", "/api/v1/users/:id/second-factor-reset", func(t *testing.T, f *matrixFixture) string {
			return "/api/v1/users/" + f.freshAccount(t, "active").String() + "/second-factor-reset"
		}, nil, expect(s404, map[string]int{"admin": s200})},
		{"POST", "/api/v1/grants/:id/revoke", func(t *testing.T, f *matrixFixture) string {
			return "/api/v1/grants/" + f.freshGrant(t) + "/revoke"
		}, nil, expect(s404, map[string]int{"admin": s200})},
		{"POST", "/api/v1/account-actions/:id/approve", func(t *testing.T, f *matrixFixture) string {
			return "/api/v1/account-actions/" + f.proposedAccountAction(t) + "/approve"
		}, nil, leadsApprove},
		{"POST", "/api/v1/users/:id/statements",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/users/" + f.s.addUser(access.RoleMedicalAssistant, uuid.Nil).userID.String() + "/statements"
			},
			func(f *matrixFixture) any { return f.statementBody() },
			expect(s404, map[string]int{"admin": s201})},
		{"POST", "/api/v1/statements/:id/approve", approve("statement", "/api/v1/statements/"), nil, leadsApprove},
		{"POST", "/api/v1/substitutions", fixed("/api/v1/substitutions"),
			func(f *matrixFixture) any { return f.substitutionBody() },
			expect(s404, map[string]int{"admin": s201, "lead": s201, "leadE": s201})},
		{"POST", "/api/v1/substitutions/:id/approve", approve("substitution", "/api/v1/substitutions/"), nil, leadsApprove},
		{"POST", "/api/v1/employers", fixed("/api/v1/employers"),
			func(*matrixFixture) any {
				return map[string]any{"name": "Matrix BV", "kvk_number": randomKvK()}
			},
			// Roles that see employers learn they may not create one (403);
			// the others may not know the route's objects exist (404).
			expect(s404, map[string]int{"admin": s201,
				"erA": s403, "erB": s403, "cmA": s403, "cmB": s403, "leA": s403,
				"pResp": s403, "pSub": s403, "pUn": s403, "lead": s403, "leadE": s403, "cmBeeA3": s403})},
		{"GET", "/api/v1/employers/:id",
			func(_ *testing.T, f *matrixFixture) string { return "/api/v1/employers/" + f.tenantA.String() }, nil,
			// The admin, A's own users, and staff whose scope holds A.
			expect(s404, map[string]int{"admin": s200, "erA": s200, "cmA": s200, "leA": s200, "pResp": s200})},
		{"PATCH", "/api/v1/employers/:id",
			func(_ *testing.T, f *matrixFixture) string { return "/api/v1/employers/" + f.tenC.String() },
			func(*matrixFixture) any { return map[string]any{"mail_domains": []string{"matrix.test"}} },
			// The admin only; roles that read employers learn they may not
			// change them (403), the others may not know it exists (404).
			expect(s404, map[string]int{"admin": s200,
				"erA": s403, "erB": s403, "cmA": s403, "cmB": s403, "leA": s403,
				"pResp": s403, "pSub": s403, "pUn": s403, "lead": s403, "leadE": s403, "cmBeeA3": s403})},
		{"POST", "/api/v1/employers/:id/physician-assignments",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employers/" + f.tenC.String() + "/physician-assignments"
			},
			func(f *matrixFixture) any { return map[string]any{"physician_id": f.users["pUn"].userID.String()} },
			expect(s404, map[string]int{"admin": s201})},
		{"POST", "/api/v1/physician-assignments/:id/approve", approve("assignment", "/api/v1/physician-assignments/"), nil, leadsApprove},
		{"POST", "/api/v1/employers/:id/employees",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employers/" + f.tenantA.String() + "/employees"
			},
			func(*matrixFixture) any {
				return map[string]any{"employee_number": "N" + uuid.NewString()[:8], "first_name": "Gérard", "last_name": "Özdemir",
					"date_of_birth": "1985-03-04", "employment_start": "2019-09-01"}
			},
			// A's employer and case manager create; B's learn nothing; roles
			// that read employees elsewhere learn they may not create (403);
			// the admin never touches employee data (404).
			expect(s404, map[string]int{"erA": s201, "cmA": s201,
				"leA": s403, "pResp": s403, "pSub": s403, "pUn": s403, "lead": s403, "leadE": s403,
				"eeA1": s403, "eeA2": s403, "cmBeeA3": s404})},
		{"GET", "/api/v1/employees/:id", employeeA1(""), nil,
			// A's employer, case manager, labour expert and assigned
			// physician; the employee themself; nobody else.
			expect(s404, map[string]int{"erA": s200, "cmA": s200, "leA": s200, "pResp": s200, "eeA1": s200})},
		{"PATCH", "/api/v1/employees/:id", employeeA1(""),
			func(*matrixFixture) any { return map[string]any{"phone": "+31 6 1234 5678"} },
			// The owning roles of A's records; those who read them elsewhere
			// learn they may not change them (403); B's and the rest 404.
			expect(s404, map[string]int{"erA": s200, "cmA": s200,
				"leA": s403, "pResp": s403, "pSub": s403, "pUn": s403, "lead": s403, "leadE": s403,
				"eeA1": s403, "eeA2": s403, "cmBeeA3": s404})},
		{"GET", "/api/v1/audit/events", fixed("/api/v1/audit/events?limit=5"), nil,
			// The privacy officer only; the trail holds ids, never content.
			expect(s404, map[string]int{"privacy": s200})},
		{"GET", "/api/v1/employees/:id/dossier", employeeA1("/dossier"), nil,
			// Responsible, substituting, the assistant with a valid
			// statement, and the lead physician under emergency access.
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})},
		{"POST", "/api/v1/employees/:id/dossier/emergency-access",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employees/" + f.a2.String() + "/dossier/emergency-access"
			},
			func(*matrixFixture) any {
				return map[string]any{"reason": "Responsible physician absent; urgent request from the employee's GP."}
			},
			expect(s404, map[string]int{"lead": s201, "leadE": s201})},
		{"POST", "/api/v1/employees/:id/dossier/entries", employeeA1("/dossier/entries"),
			func(*matrixFixture) any { return map[string]any{"kind": "consultation", "text": "Spreekuur gehad."} },
			// Who reads the dossier writes into it (an assistant never a
			// diagnosis or working note: see TestDossierEntries).
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/entries", employeeA1("/dossier/entries"), nil,
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})},
		{"GET", "/api/v1/employees/:id/dossier/entries/:entry_id",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employees/" + f.a1.String() + "/dossier/entries/" + f.entryA1
			}, nil,
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})},
		{"POST", "/api/v1/employees/:id/dossier/entries/:entry_id/corrections",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/employees/" + f.a1.String() + "/dossier/entries/" + f.freshEntry(t) + "/corrections"
			},
			func(*matrixFixture) any { return map[string]any{"text": "Spreekuur verplaatst."} },
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"POST", "/api/v1/employees/:id/dossier/attachments", employeeA1("/dossier/attachments"),
			func(*matrixFixture) any { return rawBody{"application/pdf", testenv.PDF("")} },
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/attachments/:attachment_id",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employees/" + f.a1.String() + "/dossier/attachments/" + f.attachmentA1
			}, nil,
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})},
		{"POST", "/api/v1/employees/:id/dossier/exposures", employeeA1("/dossier/exposures"),
			func(*matrixFixture) any {
				return map[string]any{"agent": "carcinogen", "from": nowNL().AddDate(-1, 0, 0).Format(time.DateOnly)}
			},
			// Physicians in the dossier's care record; assistants only read.
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/exposures", employeeA1("/dossier/exposures"), nil,
			expect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})},
		{"POST", "/api/v1/employees/:id/dossier/consents", employeeA1("/dossier/consents"),
			func(*matrixFixture) any {
				return consentBody("specialist", "reintegration_assessment", []string{"note"}, time.Time{}, time.Time{})
			},
			// Those in the dossier's care, an assistant for them as well.
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/consents", employeeA1("/dossier/consents"), nil, inCareRead},
		{"GET", "/api/v1/employees/:id/dossier/consents/:consent_id/form.pdf",
			func(_ *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "consents/"+f.treatmentConsentA1+"/form.pdf")
			}, nil, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/consents/:consent_id/paper",
			func(t *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "consents/"+f.freshConsent(t, f.a1, "specialist", "reintegration_assessment")+
					"/paper?signed_on="+nowNL().Format(time.DateOnly))
			},
			func(*matrixFixture) any { return rawBody{"application/pdf", testenv.PDF("")} }, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/consents/:consent_id/revocation",
			func(t *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "consents/"+f.freshConsent(t, f.a1, "specialist", "reintegration_assessment")+"/revocation")
			}, nil, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/information-requests", employeeA1("/dossier/information-requests"),
			func(f *matrixFixture) any {
				return map[string]any{"consent_id": f.treatmentConsentA1, "question": "Welke behandeling loopt er?"}
			},
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/information-requests", employeeA1("/dossier/information-requests"), nil, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/information-requests/:request_id/answer",
			func(t *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "information-requests/"+f.freshInformationRequest(t)+"/answer")
			},
			func(*matrixFixture) any { return map[string]any{"text": "Fysiotherapie."} }, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/disclosures", employeeA1("/dossier/disclosures"),
			func(*matrixFixture) any { return uwvDisclosure() },
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "asValid": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/disclosures", employeeA1("/dossier/disclosures"), nil, inCareRead},
		{"POST", "/api/v1/employees/:id/dossier/disclosures/:disclosure_id/decision",
			func(t *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "disclosures/"+f.freshDisclosure(t)+"/decision")
			},
			func(*matrixFixture) any {
				return map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)}
			},
			// Physicians decide; an assistant never does.
			physiciansInCare},
		{"GET", "/api/v1/employees/:id/dossier/disclosures/:disclosure_id/export.json",
			func(_ *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "disclosures/"+f.disclosureA1+"/export.json")
			}, nil, physiciansInCare},
		{"GET", "/api/v1/employees/:id/dossier/disclosures/:disclosure_id/export.pdf",
			func(_ *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "disclosures/"+f.disclosureA1+"/export.pdf")
			}, nil, physiciansInCare},
		{"POST", "/api/v1/employees/:id/dossier/transfers", employeeA1("/dossier/transfers"),
			func(f *matrixFixture) any { return map[string]any{"consent_id": f.transferConsentA1} },
			expect(s404, map[string]int{"pResp": s201, "pSub": s201, "leadE": s201})},
		{"GET", "/api/v1/employees/:id/dossier/transfers", employeeA1("/dossier/transfers"), nil, inCareRead},
		{"GET", "/api/v1/employees/:id/dossier/transfers/:transfer_id/package.zip",
			func(_ *testing.T, f *matrixFixture) string {
				return dossierOf(f.a1, "transfers/"+f.transferA1+"/package.zip")
			}, nil, physiciansInCare},
		{"POST", "/api/v1/employees/:id/dossier/transfers/:transfer_id/handover",
			func(t *testing.T, f *matrixFixture) string { return f.freshExportedTransfer(t) },
			func(*matrixFixture) any { return map[string]any{"disposal": "close"} },
			// A fresh employee of A each time: the responsible physician and
			// their substitute; the lead physician's emergency access is to
			// a1's dossier only.
			expect(s404, map[string]int{"pResp": s200, "pSub": s200})},
		{"GET", "/api/v1/me/consents", fixed("/api/v1/me/consents"), nil,
			// A3 has no dossier, so no consents to list.
			expect(s404, map[string]int{"eeA1": s200, "eeA2": s200, "cmBeeA3": s404})},
		{"POST", "/api/v1/me/consents/:id/signature",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/me/consents/" + f.freshPortalConsent(t) + "/signature"
			},
			func(f *matrixFixture) any { return map[string]any{"text_sha256": f.lastConsentHash} },
			// Only the employee the consent is about.
			expect(s404, map[string]int{"eeA1": s200})},
		{"POST", "/api/v1/me/consents/:id/revocation",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/me/consents/" + f.freshConsent(t, f.a1, "specialist", "reintegration_assessment") + "/revocation"
			}, nil,
			expect(s404, map[string]int{"eeA1": s200})},
		{"POST", "/api/v1/employees/:id/verdicts", employeeA1("/verdicts"),
			func(*matrixFixture) any {
				return map[string]any{"kind": "absence", "verdict": "partly_fit", "work_ability_percentage": 50,
					"date": nowNL().Format(time.DateOnly)}
			},
			// The physician assigned to A records; those who read verdicts
			// may not (403); physicians without A in reach never learn of a1.
			expect(s404, map[string]int{"pResp": s201,
				"erA": s403, "erB": s403, "cmA": s403, "cmB": s403, "leA": s403, "eeA1": s403, "eeA2": s403})},
		{"GET", "/api/v1/employees/:id/verdicts", employeeA1("/verdicts"), nil,
			expect(s404, map[string]int{"pResp": s200, "erA": s200, "cmA": s200, "leA": s200, "eeA1": s200})},
		{"POST", "/api/v1/verdicts/:id/decision",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/verdicts/" + f.freshExamination(t) + "/decision"
			},
			func(*matrixFixture) any { return map[string]any{"decision": "released"} },
			// The examined employee only; another employee never learns it
			// exists; those who read verdicts may not decide.
			expect(s404, plus(map[string]int{"eeA1": s200}, s403,
				[]string{"erA", "erB", "cmA", "cmB", "leA", "pResp", "pSub", "pUn", "lead", "leadE"}))},
		{"POST", "/api/v1/employees/:id/advice", employeeA1("/advice"),
			func(*matrixFixture) any {
				return map[string]any{"limitations": "Geen zwaar tilwerk.", "possibilities": "Kantoorwerk, halve dagen."}
			},
			expect(s404, map[string]int{"pResp": s201,
				"erA": s403, "erB": s403, "cmA": s403, "cmB": s403, "leA": s403, "eeA1": s403, "eeA2": s403})},
		{"GET", "/api/v1/employees/:id/advice", employeeA1("/advice"), nil,
			// A does not share advice with its employer users.
			expect(s404, map[string]int{"pResp": s200, "cmA": s200, "leA": s200, "eeA1": s200})},
		{"POST", "/api/v1/employers/:id/employees/import",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employers/" + f.tenantA.String() + "/employees/import"
			},
			func(*matrixFixture) any {
				return rawBody{"text/csv", []byte(importColumns + "\n" +
					"I" + uuid.NewString()[:8] + ",Anna,de Vries,1990-05-06,2021-03-01,,,,\n")}
			},
			expect(s404, map[string]int{"erA": s201, "cmA": s201,
				"leA": s403, "pResp": s403, "pSub": s403, "pUn": s403, "lead": s403, "leadE": s403,
				"eeA1": s403, "eeA2": s403, "cmBeeA3": s404})},
		{"POST", "/api/v1/employees/:id/absences",
			func(t *testing.T, f *matrixFixture) string {
				return "/api/v1/employees/" + f.freshEmployee(t).String() + "/absences"
			},
			func(*matrixFixture) any {
				return map[string]any{"first_sick_day": nowNL().Format(time.DateOnly), "percentage": 100}
			},
			// A's employer and case manager report; B's learn nothing;
			// those who read cases learn they may not report (403).
			expect(s404, plus(map[string]int{"erA": s201, "cmA": s201, "cmBeeA3": s404}, s403, absenceReaders))},
		{"GET", "/api/v1/employees/:id/absences", employeeA1("/absences"), nil, caseReaders},
		{"GET", "/api/v1/absences/:id", caseA1(""), nil, caseReaders},
		{"PATCH", "/api/v1/absences/:id", caseA1(""),
			func(*matrixFixture) any { return map[string]any{"work_accident": false, "expected_duration_weeks": 6} },
			expect(s404, plus(map[string]int{"erA": s200, "cmA": s200, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/changes", freshCase(""),
			func(*matrixFixture) any {
				return map[string]any{"date": nowNL().Format(time.DateOnly), "percentage": 50}
			},
			expect(s404, plus(map[string]int{"erA": s200, "cmA": s200, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/closure", freshCase("/closure"),
			func(*matrixFixture) any {
				return map[string]any{"reason": "employment_end", "date": nowNL().Format(time.DateOnly)}
			},
			expect(s404, plus(map[string]int{"erA": s200, "cmA": s200, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/vangnet", caseA1("/vangnet"),
			func(*matrixFixture) any { return map[string]any{"type": "no_risk"} },
			// Only the case manager knows which safety-net rule applies.
			expect(s404, plus(map[string]int{"cmA": s200, "erA": s403, "erB": s403, "erAcmB": s404, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/extensions", freshCase("/extensions"),
			func(*matrixFixture) any {
				return map[string]any{"kind": "voluntary", "weeks": 4, "reason": "Afgesproken verlenging.",
					"decided_on": nowNL().Format(time.DateOnly)}
			},
			expect(s404, plus(map[string]int{"cmA": s200, "erA": s403, "erB": s403, "erAcmB": s404, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/milestones", freshCase("/milestones"),
			func(*matrixFixture) any {
				return map[string]any{"kind": "problem_analysis", "done_on": nowNL().Format(time.DateOnly)}
			},
			// The case manager, and A's physician for the problem analysis;
			// physicians without A in scope learn nothing.
			expect(s404, map[string]int{"cmA": s200, "pResp": s200, "erA": s403, "erB": s403, "leA": s403,
				"eeA1": s403, "eeA2": s403, "erAcmB": s404, "cmBeeA3": s404})},
		{"POST", "/api/v1/absences/:id/plans", caseA1("/plans"),
			func(*matrixFixture) any { return planBody(nowNL()) },
			expect(s404, plus(map[string]int{"cmA": s201, "erA": s403, "erB": s403, "erAcmB": s404, "cmBeeA3": s404}, s403, absenceReaders))},
		{"GET", "/api/v1/absences/:id/plan", caseA1("/plan"), nil, caseReaders},
		{"GET", "/api/v1/absences/:id/plan.pdf", caseA1("/plan.pdf"), nil,
			// The employer's copy: A's employer and case manager.
			expect(s404, plus(map[string]int{"erA": s200, "cmA": s200, "cmBeeA3": s404}, s403, absenceReaders))},
		{"POST", "/api/v1/absences/:id/evaluations", caseA1("/evaluations"),
			func(*matrixFixture) any {
				return map[string]any{"kind": "evaluation", "held_on": nowNL().Format(time.DateOnly),
					"summary": "Opbouw loopt volgens plan.", "employer_view": "Tevreden.", "employee_view": "Gaat goed."}
			},
			expect(s404, map[string]int{"cmA": s201})},
		{"POST", "/api/v1/absences/:id/contacts", caseA1("/contacts"),
			func(*matrixFixture) any {
				return map[string]any{"occurred_on": nowNL().Format(time.DateOnly), "channel": "phone",
					"participants": []string{"casemanager", "werknemer"}, "summary": "Voortgang besproken."}
			},
			// The service's own log: case manager and labour expert write,
			// physicians read; the employer side never sees it.
			expect(s404, plus(map[string]int{"cmA": s201, "leA": s201}, s403, physicians))},
		{"GET", "/api/v1/absences/:id/contacts", caseA1("/contacts"), nil,
			expect(s404, map[string]int{"cmA": s200, "leA": s200, "pResp": s200})},
		{"POST", "/api/v1/absences/:id/notes", caseA1("/notes"),
			func(*matrixFixture) any { return map[string]any{"text": "Werkgever belt volgende week."} },
			expect(s404, plus(map[string]int{"cmA": s201, "leA": s201}, s403, physicians))},
		{"GET", "/api/v1/absences/:id/notes", caseA1("/notes"), nil,
			expect(s404, map[string]int{"cmA": s200, "leA": s200, "pResp": s200})},
		{"POST", "/api/v1/notes/:id/redact",
			func(t *testing.T, f *matrixFixture) string { return "/api/v1/notes/" + f.freshNote(t) + "/redact" },
			func(*matrixFixture) any { return map[string]any{"reason": "Bevatte medische details."} },
			expect(s404, plus(map[string]int{"cmA": s200, "leA": s403}, s403, physicians))},
		{"GET", "/api/v1/signals", fixed("/api/v1/signals?within_days=30"), nil,
			// Each sees their own caseload (possibly empty); nobody else.
			expect(s404, map[string]int{"cmA": s200, "cmB": s200, "leA": s200, "erA": s200, "erB": s200, "cmBeeA3": s200})},
		{"GET", "/api/v1/employers/:id/overview",
			func(_ *testing.T, f *matrixFixture) string {
				return "/api/v1/employers/" + f.tenantA.String() + "/overview"
			}, nil,
			expect(s404, map[string]int{"erA": s200, "cmA": s200, "leA": s200})},
		// Last: it ends the sessions the rows above use.
		{"POST", "/api/v1/auth/logout", fixed("/api/v1/auth/logout"), nil, expect(s204, nil)},
	}
}

// publicRoutes need no session and are outside the role matrix; each has
// its own tests.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true,
	"POST /api/v1/auth/login": true, "POST /api/v1/auth/password-reset": true,
	"POST /api/v1/auth/password-reset/complete": true, "POST /api/v1/invitations/accept": true,
}

func randomKvK() string {
	n := uuid.New()
	out := make([]byte, 8)
	for i := range out {
		out[i] = '0' + n[i]%10
	}
	out[0] = '1' + n[8]%9
	return string(out)
}

// matrixWorkers is how many rows of the matrix run at a time.
const matrixWorkers = 4

// isLogout reports whether r is the logout row, which ends the sessions
// every other row uses and so runs after them.
func (r matrixRoute) isLogout() bool { return r.method == "POST" && r.route == "/api/v1/auth/logout" }

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newMatrixFixture(t)
	routes := matrixRoutes()

	t.Run("every route is in the matrix", func(t *testing.T) {
		a, _ := startApp(t, configFor(f.s.env), &testenv.LogBuffer{})
		inMatrix := map[string]bool{}
		for _, r := range routes {
			inMatrix[r.method+" "+r.route] = true
		}
		for _, r := range a.server.Routes() {
			key := r.Method + " " + r.Path
			if !inMatrix[key] && !publicRoutes[key] {
				t.Errorf("route %s is in the router but not in the authorization matrix", key)
			}
		}
	})

	var rows, last []matrixRoute
	for _, r := range routes {
		for _, caller := range matrixCallers {
			if _, ok := r.want[caller]; !ok {
				t.Fatalf("matrix row %s %s has no expectation for %s", r.method, r.route, caller)
			}
		}
		if r.isLogout() {
			last = append(last, r)
		} else {
			rows = append(rows, r)
		}
	}
	// Rows run matrixWorkers at a time, and a row's callers one after
	// another, as before: a row may share one object between its callers
	// (tenant C's assignment, the last consent's hash). A row that consumes
	// or decides an object (a proposal, a request, a consent, a note) gets
	// a fresh one per call; rows that change a shared object (a1's record,
	// a1's case and dossier) change nothing another row's status depends
	// on. Logout ends the sessions every row uses, so it comes last, alone.
	forEach(matrixWorkers, rows, func(r matrixRoute) { runMatrixRow(t, f, r) })
	for _, r := range last {
		runMatrixRow(t, f, r)
	}
}

// runMatrixRow calls r as every caller, one after another, each in a
// subtest of t.
func runMatrixRow(t *testing.T, f *matrixFixture, r matrixRoute) {
	for _, caller := range matrixCallers {
		want := r.want[caller]
		t.Run(r.method+" "+r.route+"/"+caller, func(t *testing.T) {
			// The path first: a body may depend on what the path's
			// fixture made (a consent's text hash).
			path := r.path(t, f)
			var body any
			if r.body != nil {
				body = r.body(f)
			}
			got := f.s.do(r.method, path, f.tokens[caller], body)
			if got.status != want {
				t.Errorf("%s %s as %s = %d %s, want %d", r.method, r.route, caller, got.status, got.raw, want)
			}
			if got.status >= 400 && !strings.HasPrefix(got.raw, "{") {
				t.Errorf("%s %s as %s = %d with a non-JSON body", r.method, r.route, caller, got.status)
			}
		})
	}
}

// forEach calls fn for every item, at most n calls at a time, and returns
// when all have returned. fn runs on a goroutine of its own: it may call
// t.Run and t.Errorf of the test that called forEach, never its t.Fatal.
func forEach[T any](n int, items []T, fn func(T)) {
	next := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for item := range next {
				fn(item)
			}
		})
	}
	for _, item := range items {
		next <- item
	}
	close(next)
	wg.Wait()
}
