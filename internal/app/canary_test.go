package app

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestMedicalCanaryNeverLeaves writes a unique string into every kind of
// medical entry, a correction, an attachment, an emergency-access reason,
// an information request's question and a disclosure's task and
// motivations, then proves
// that it appears in no response of any GET route to anyone outside the
// dossier's care, in no log line, in no PDF those callers can download, in
// no row of schemas hr and audit, and nowhere in plaintext in schema
// medical.
func TestMedicalCanaryNeverLeaves(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	sink := testenv.StartSMTPSink(t) // the activation letter needs a mailed invitation
	s := newStackWith(t, env, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom, c.PublicURL = sink.Addr, "Arbokluis <noreply@arbokluis.test>", "https://arbokluis.test"
	})
	ctx := context.Background()
	owner := testenv.Pool(t, env.MigrateURL)
	canary := "zq" + strings.ReplaceAll(uuid.NewString(), "-", "") + "kx"

	tenantA, tenantB := s.addEmployer(), s.addEmployer()
	admin, lead := s.addUser(access.RoleAdmin, uuid.Nil), s.addUser(access.RoleLeadPhysician, uuid.Nil)
	physician := s.addUser(access.RolePhysician, uuid.Nil)
	eeUser := s.addUser(access.RoleEmployee, tenantA)
	callers := map[string]login{
		"employer": s.addUser(access.RoleEmployer, tenantA), "case_manager": s.addUser(access.RoleCaseManager, tenantA),
		"labour_expert": s.addUser(access.RoleLabourExpert, tenantA), "privacy_officer": s.addUser(access.RolePrivacyOfficer, uuid.Nil),
		"admin": admin, "other_employer": s.addUser(access.RoleEmployer, tenantB),
		"unassigned_physician": s.addUser(access.RolePhysician, uuid.Nil),
		// Nothing is released to the employee in this world.
		"employee": eeUser,
		// A lead physician who declared no emergency access.
		"other_lead": s.addUser(access.RoleLeadPhysician, uuid.Nil),
	}
	tokens := map[string]string{}
	for name, l := range callers {
		tokens[name] = s.session(l)
	}
	pTok, leadTok := s.session(physician), s.session(lead)

	if _, err := owner.Exec(ctx, `INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, 'active', $3, $4, now())`, tenantA, physician.userID, admin.userID, lead.userID); err != nil {
		t.Fatal(err)
	}
	// The HR side of the world, through the API: an employee with a case,
	// a signed plan, a contact and a note.
	must := func(r response, want int, what string) map[string]any {
		t.Helper()
		if r.status != want {
			t.Fatalf("%s = %d %s, want %d", what, r.status, r.raw, want)
		}
		return r.body
	}
	emp := must(s.do("POST", "/api/v1/employers/"+tenantA.String()+"/employees", tokens["employer"], map[string]any{
		"employee_number": "K-1", "first_name": "Kanarie", "last_name": "Vogel", "date_of_birth": "1984-04-04",
		"employment_start": "2015-01-01", "bsn": "111222333"}), http.StatusCreated, "create employee")["id"].(string)
	if _, err := owner.Exec(ctx, `UPDATE hr.employees SET user_id = $1 WHERE id = $2`, eeUser.userID, emp); err != nil {
		t.Fatal(err)
	}
	today := nowNL()
	caseID := must(s.do("POST", "/api/v1/employees/"+emp+"/absences", tokens["employer"], map[string]any{
		"first_sick_day": today.AddDate(0, 0, -50).Format(time.DateOnly), "percentage": 100}), http.StatusCreated, "report sick")["id"].(string)
	must(s.do("POST", "/api/v1/absences/"+caseID+"/plans", tokens["case_manager"], planBody(today)), http.StatusCreated, "plan")
	note := must(s.do("POST", "/api/v1/absences/"+caseID+"/notes", tokens["case_manager"], map[string]any{"text": "Gebeld."}),
		http.StatusCreated, "note")["id"].(string)
	must(s.do("POST", "/api/v1/absences/"+caseID+"/contacts", tokens["case_manager"], map[string]any{
		"occurred_on": today.Format(time.DateOnly), "channel": "phone", "participants": []string{"casemanager", "werknemer"},
		"summary": "Voortgang besproken."}), http.StatusCreated, "contact")

	// The medical side: the canary in every entry kind, a correction and
	// an emergency-access reason.
	entries := "/api/v1/employees/" + emp + "/dossier/entries"
	var entryIDs []string
	for _, kind := range []string{"consultation", "note", "diagnosis", "treating_physician_info", "examination", "own_statement", "working_note"} {
		b := must(s.do("POST", entries, pTok, map[string]any{"kind": kind, "text": kind + ": " + canary}), http.StatusCreated, "entry "+kind)
		entryIDs = append(entryIDs, b["id"].(string))
	}
	b := must(s.do("POST", entries+"/"+entryIDs[0]+"/corrections", pTok, map[string]any{"text": "correctie " + canary}),
		http.StatusCreated, "correction")
	entryIDs = append(entryIDs, b["id"].(string))
	attachment := must(s.do("POST", "/api/v1/employees/"+emp+"/dossier/attachments", pTok,
		rawBody{"application/pdf", testenv.PDF(canary)}), http.StatusCreated, "attachment")["id"].(string)
	must(s.do("POST", "/api/v1/employees/"+emp+"/dossier/emergency-access", leadTok,
		map[string]any{"reason": "spoed " + canary}), http.StatusCreated, "emergency access")
	// Consent, an information request, a disclosure and a transfer: the
	// canary in the question, the requester's task and the motivations
	// (the consent's own text is for the employee to read and sign, so it
	// carries none).
	dossierPath := "/api/v1/employees/" + emp + "/dossier/"
	consents := map[string]string{}
	for _, c := range []struct{ kind, purpose string }{
		{"treating_physician", "treatment_information"}, {"occupational_health_service", "dossier_transfer"}} {
		body := consentBody(c.kind, c.purpose, []string{"consultation", "note", "diagnosis", "treating_physician_info", "examination",
			"own_statement"}, time.Time{}, time.Time{})
		id := must(s.do("POST", dossierPath+"consents", pTok, body), http.StatusCreated, "consent")["id"].(string)
		must(s.do("POST", dossierPath+"consents/"+id+"/paper?signed_on="+today.Format(time.DateOnly), pTok,
			rawBody{"application/pdf", testenv.PDF("")}), http.StatusOK, "paper consent")
		consents[c.purpose] = id
	}
	infoReq := must(s.do("POST", dossierPath+"information-requests", pTok, map[string]any{"consent_id": consents["treatment_information"],
		"question": "vraag " + canary}), http.StatusCreated, "information request")["id"].(string)
	disclosure := uwvDisclosure()
	disclosure["task"], disclosure["medical_motivation"], disclosure["labour_motivation"] = "taak "+canary, "medisch "+canary, "arbeid "+canary
	disclosureID := must(s.do("POST", dossierPath+"disclosures", pTok, disclosure), http.StatusCreated, "disclosure")["id"].(string)
	must(s.do("POST", dossierPath+"disclosures/"+disclosureID+"/decision", pTok,
		map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)}), http.StatusOK, "grant disclosure")
	transferID := must(s.do("POST", dossierPath+"transfers", pTok, map[string]any{"consent_id": consents["dossier_transfer"]}),
		http.StatusCreated, "transfer")["id"].(string)
	var dossierID string
	if err := owner.QueryRow(ctx, `SELECT id::text FROM medical.dossiers WHERE employee_id = $1`, emp).Scan(&dossierID); err != nil {
		t.Fatal(err)
	}
	// The canary is really there, for those in the dossier's care.
	if r := s.do("GET", entries, pTok, nil); r.status != http.StatusOK || strings.Count(r.raw, canary) != 7 {
		t.Fatalf("the physician's list holds the canary %d times (%d), want 7 (six kinds and the correction)", strings.Count(r.raw, canary), r.status)
	}

	// Every id the test knows goes into every path parameter.
	ids := []string{emp, tenantA.String(), tenantB.String(), caseID, note, dossierID, physician.userID.String(),
		eeUser.userID.String(), admin.userID.String(), uuid.NewString()}
	ids = append(ids, entryIDs...)
	queries := map[string]string{
		"/api/v1/signals":      "?within_days=365&limit=100",
		"/api/v1/audit/events": "?limit=500",
		"/api/v1/users":        "?limit=200",
	}
	// Path parameters other than :id take the ids of a dossier's parts.
	children := append(append([]string{attachment, consents["treatment_information"], consents["dossier_transfer"], infoReq,
		disclosureID, transferID}, entryIDs...), uuid.NewString())
	var pdfs, calls atomic.Int64
	routes := s.app.server.Routes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	names := make([]string, 0, len(tokens))
	for name := range tokens {
		names = append(names, name)
	}
	sort.Strings(names)
	pdftotext := testenv.Tool(t, "pdftotext")
	// The callers crawl at the same time, canaryWorkers at once, each
	// route after route: every caller still calls every path.
	forEach(canaryWorkers, names, func(name string) {
		tok := tokens[name]
		for _, rt := range routes {
			if rt.Method != http.MethodGet {
				continue
			}
			for _, path := range expand(rt.Path, ids, children) {
				path += queries[rt.Path]
				req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
				if err != nil {
					t.Errorf("GET %s as %s: %v", path, name, err)
					return
				}
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("GET %s as %s: %v", path, name, err)
					return
				}
				var body bytes.Buffer
				_, _ = body.ReadFrom(resp.Body)
				resp.Body.Close()
				checkSpec(t, exchange{req: req, resp: resp, respBody: body.Bytes()})
				calls.Add(1)
				if resp.StatusCode >= 500 {
					t.Errorf("GET %s as %s = %d, want no server error", rt.Path, name, resp.StatusCode)
				}
				if strings.Contains(body.String(), canary) {
					t.Errorf("GET %s as %s: the response body holds the medical canary", path, name)
				}
				for h, vs := range resp.Header {
					if strings.Contains(h+strings.Join(vs, ","), canary) {
						t.Errorf("GET %s as %s: header %s holds the medical canary", path, name, h)
					}
				}
				if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/pdf") && resp.StatusCode == http.StatusOK {
					pdfs.Add(1)
					if text, err := pdfText(pdftotext, body.Bytes()); err != nil {
						t.Errorf("GET %s as %s: pdftotext: %v", path, name, err)
					} else if strings.Contains(text, canary) {
						t.Errorf("GET %s as %s: the PDF text holds the medical canary", path, name)
					}
				}
			}
		}
	})
	if pdfs.Load() == 0 {
		t.Errorf("the crawl downloaded no PDF; want at least the employer's plan of action")
	}
	// The portal, as nobody and as every caller outside medical care (the
	// employee before any release), every registered route with every id.
	portalTokens := map[string]string{"anonymous": ""}
	for name, tok := range tokens {
		if name != "unassigned_physician" && name != "other_lead" {
			portalTokens[name] = tok
		}
	}
	portalLogout := crawlPortal(t, s, canary, portalTokens, ids)
	// The one PDF behind a POST: the activation letter a case manager
	// makes for an employee's login carries no medical text either.
	newcomer := must(s.do("POST", "/api/v1/employers/"+tenantA.String()+"/employees", tokens["employer"], map[string]any{
		"employee_number": "K-2", "first_name": "Nieuwe", "last_name": "Vogel", "date_of_birth": "1990-01-01",
		"employment_start": "2024-01-01"}), http.StatusCreated, "create employee")["id"].(string)
	invited := must(s.do("POST", "/api/v1/invitations", tokens["case_manager"], map[string]any{"email": "k2-" + uuid.NewString()[:8] + "@prive.test",
		"name": "Nieuwe Vogel", "role": "employee", "employer_id": tenantA.String(), "employee_id": newcomer, "activation": "letter"}),
		http.StatusAccepted, "issue an employee login")
	letter := s.do("POST", "/api/v1/invitations/"+invited["invitation_id"].(string)+"/letter", tokens["case_manager"],
		map[string]any{"name": "Nieuwe Vogel", "address": []string{"Kanariestraat 1", "1234 AB Vogelenzang"}})
	if letter.status != http.StatusOK || strings.Contains(letter.raw, canary) || strings.Contains(testenv.PDFText(t, []byte(letter.raw)), canary) {
		t.Errorf("the activation letter = %d, or it holds the medical canary", letter.status)
	}
	// The admin's account actions answer with ids only: off-boarding the
	// responsible physician is refused with a count, a second-factor reset
	// of the employee's login is done.
	for _, act := range []struct {
		path string
		body any
		want int
	}{
		{"/api/v1/users/" + physician.userID.String() + "/block", nil, http.StatusConflict},
		{"/api/v1/users/" + eeUser.userID.String() + "/second-factor-reset", map[string]any{"activation": "in_person"}, http.StatusOK},
	} {
		if r := s.do("POST", act.path, tokens["admin"], act.body); r.status != act.want || strings.Contains(r.raw, canary) {
			t.Errorf("POST %s as admin = %d, want %d without the medical canary", act.path, r.status, act.want)
		}
	}
	portalLogout()
	t.Logf("canary crawl: %d GET requests, %d PDFs", calls.Load(), pdfs.Load())

	if strings.Contains(s.logs.String(), canary) {
		t.Errorf("the server log holds the medical canary")
	}
	for _, schema := range []string{"hr", "audit", "medical"} {
		if dumped := pgDump(t, env.MigrateURL, schema); strings.Contains(dumped, canary) {
			t.Errorf("pg_dump of schema %s holds the medical canary in plaintext", schema)
		}
	}
	var ciphertexts int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM medical.entries WHERE dossier_id = $1 AND ciphertext LIKE 'vault:v%'`,
		dossierID).Scan(&ciphertexts); err != nil || ciphertexts != len(entryIDs) {
		t.Errorf("medical entries stored as ciphertext = %d (%v), want %d", ciphertexts, err, len(entryIDs))
	}
}

// canaryWorkers is how many callers crawl at a time.
const canaryWorkers = 4

// pdfText returns the text of pdf as the pdftotext at path reads it. It is
// testenv.PDFText for a goroutine that is not the test's own: it returns
// the error instead of ending the test.
func pdfText(path string, pdf []byte) (string, error) {
	cmd := exec.Command(path, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	return string(out), err
}

// expand returns route with each path parameter replaced by every id the
// test knows for it (all combinations): the ids of a dossier's parts for
// parameters such as :entry_id, every id for :id. A route without
// parameters is returned as it is.
func expand(route string, ids, children []string) []string {
	i := strings.Index(route, "/:")
	if i < 0 {
		return []string{route}
	}
	name, rest := route[i+2:], ""
	if j := strings.Index(name, "/"); j >= 0 {
		name, rest = name[:j], name[j:]
	}
	values := ids
	if name != "id" {
		values = children
	}
	var out []string
	for _, v := range values {
		for _, tail := range expand(rest, ids, children) {
			out = append(out, route[:i+1]+v+tail)
		}
	}
	return out
}

// pgDump returns the plain-SQL dump of one schema's data and definitions.
func pgDump(t *testing.T, url, schema string) string {
	t.Helper()
	out, err := exec.Command(testenv.Tool(t, "pg_dump"), "--schema="+schema, "--no-owner", url).Output()
	if err != nil {
		t.Fatalf("pg_dump --schema=%s: %v", schema, err)
	}
	return string(out)
}
