package app

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// worklistPerson adds an employee of employer named first last, without a
// login, whose dossier physician is responsible for (none when uuid.Nil),
// as the owner; it returns the employee's id.
func (f *matrixFixture) worklistPerson(t *testing.T, employer uuid.UUID, first, last string, physician uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	ctx := context.Background()
	if _, err := f.owner.Exec(ctx, `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, $3, $4, $5, '1982-05-05', '2020-01-01')`, id, employer, "W"+id.String()[:8], first, last); err != nil {
		t.Fatalf("fixture: employee %s %s: %v", first, last, err)
	}
	if physician != uuid.Nil {
		if _, err := f.owner.Exec(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, id, physician); err != nil {
			t.Fatalf("fixture: dossier of %s %s: %v", first, last, err)
		}
	}
	return id
}

// logoutInBrowser logs the tab's user out through the header's button.
func logoutInBrowser(t *testing.T, ctx context.Context, s *stack) {
	t.Helper()
	testenv.Submit(t, ctx, "Uitloggen")
	wantAt(t, testenv.Location(t, ctx), s.url, "/inloggen")
}

// shownCodeRE finds the activation code the result page shows.
var shownCodeRE = regexp.MustCompile(`Activeringscode:\s*(` + activationCodeRE.String() + `)`)

// TestPortalWorklistWalk walks the company doctor's worklist and the
// issuing of an employee's login in a real browser. The responsible
// physician logs in and lands on their worklist: their employees (never
// one whose dossier another physician has), the overdue request above the
// one still in time, the overdue problem analysis and the consultation to
// plan; the list read is audited as one event naming everyone listed. From
// a row they issue a login by letter and download the letter (a PDF). The
// assistant with a valid statement sees the same list and for whom they
// work; the assistant whose statement expired sees nobody and why. A's
// case manager issues a login whose code is shown once (never in the
// address, never stored), and the employee accepts the invitation with
// that code and logs in.
func TestPortalWorklistWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	s, sink := newMailStack(t)
	f := newMatrixFixtureOn(t, s)
	bg := context.Background()
	today := nowNL()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.owner.Exec(bg, sql, args...); err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	exec(`UPDATE hr.users SET display_name = 'Pieter Verant' WHERE id = $1`, f.users["pResp"].userID)

	// Willem is sick for 50 days: his problem analysis is overdue and he
	// has had no consultation. Lotte gets her login by letter. Olga's
	// dossier is the unassigned physician's.
	willem := f.worklistPerson(t, f.tenantA, "Willem", "Wandel", f.users["pResp"].userID)
	lotte := f.worklistPerson(t, f.tenantA, "Lotte", "Brief", f.users["pResp"].userID)
	olga := f.worklistPerson(t, f.tenantB, "Olga", "Ander", f.users["pUn"].userID)
	karel := f.worklistPerson(t, f.tenantA, "Karel", "Code", uuid.Nil)
	if r := s.do("POST", "/api/v1/employees/"+willem.String()+"/absences", f.tokens["cmA"],
		map[string]any{"first_sick_day": today.AddDate(0, 0, -50).Format(time.DateOnly), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("fixture: Willem's sick report = %d %s", r.status, r.raw)
	}
	// Karel has no dossier yet: his new sick report puts him on the
	// worklist of the physician assigned to his employer all the same.
	if r := s.do("POST", "/api/v1/employees/"+karel.String()+"/absences", f.tokens["cmA"],
		map[string]any{"first_sick_day": today.AddDate(0, 0, -2).Format(time.DateOnly), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("fixture: Karel's sick report = %d %s", r.status, r.raw)
	}
	// An inspection request of a1, overdue, and a copy request of a2 in time.
	overdue := f.freshFiled(t, "eeA1", "inspection")
	inTime := f.freshFiled(t, "eeA2", "copy")
	exec(`UPDATE hr.requests SET received_on = $2, due_on = $3 WHERE id = $1`, overdue,
		today.AddDate(0, 0, -40).Format(time.DateOnly), today.AddDate(0, 0, -10).Format(time.DateOnly))
	overdueDue := web.Date(time.Date(today.Year(), today.Month(), today.Day()-10, 0, 0, 0, 0, time.UTC))
	var inTimeDue time.Time
	if err := f.owner.QueryRow(bg, `SELECT due_on FROM hr.requests WHERE id = $1`, inTime).Scan(&inTimeDue); err != nil {
		t.Fatal(err)
	}

	// The responsible physician's start page is the worklist.
	portalLogin(t, ctx, s.url, f.users["pResp"])
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
	testenv.Inspect(t, ctx, "werklijst-arts")
	text := testenv.PageText(t, ctx)
	wantText(t, ctx, "the physician's worklist", "Mijn werklijst", "Willem Wandel", "Lotte Brief", "Test Persoon",
		"Probleemanalyse te doen", "Spreekuur in te plannen", "Karel Code")
	if strings.Contains(text, "Olga Ander") {
		t.Errorf("the physician's worklist shows an employee whose dossier another physician has:\n%s", text)
	}
	late, inTimeAt := strings.Index(text, "Te laat: moest klaar zijn op "+overdueDue), strings.Index(text, "Klaar uiterlijk op "+web.Date(inTimeDue))
	if late < 0 || inTimeAt < 0 || late > inTimeAt {
		t.Errorf("the worklist does not show the overdue request (due %s) before the one in time (due %s):\n%s", overdueDue, web.Date(inTimeDue), text)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(html, "/arts/verzoeken/"+overdue), strings.Index(html, "/arts/verzoeken/"+inTime); i < 0 || j < 0 || i > j {
		t.Errorf("the requests are not linked overdue first: %d, %d", i, j)
	}
	analysis := text[strings.Index(text, "Probleemanalyse te doen"):strings.Index(text, "Spreekuur in te plannen")]
	if !strings.Contains(analysis, "Willem Wandel") || !strings.Contains(analysis, "Te laat") {
		t.Errorf("the problem analyses due do not show Willem's as late:\n%s", analysis)
	}
	var subjects []uuid.UUID
	if err := f.owner.QueryRow(bg, `SELECT subjects FROM (SELECT subjects, actor_user_id, object_kind FROM audit.outbox
		UNION ALL SELECT subjects, actor_user_id, object_kind FROM audit.events) e
		WHERE actor_user_id = $1 AND object_kind = 'worklist' LIMIT 1`, f.users["pResp"].userID).Scan(&subjects); err != nil {
		t.Fatalf("the worklist read was not audited: %v", err)
	}
	if !slices.Contains(subjects, willem) || !slices.Contains(subjects, f.a1) || slices.Contains(subjects, olga) {
		t.Errorf("the worklist's event names %v, want Willem and a1, never Olga", subjects)
	}
	// A search narrows the list.
	testenv.Fill(t, ctx, map[string]string{"Zoek op naam of personeelsnummer": "wandel"})
	testenv.Submit(t, ctx, "Zoek")
	testenv.Inspect(t, ctx, "werklijst-zoeken")
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "Willem Wandel") || strings.Contains(text, "Lotte Brief") {
		t.Errorf("searching for wandel shows:\n%s", text)
	}

	// The physician records Willem's problem analysis from the worklist: a
	// date in the future is refused and nothing is written; today is
	// recorded, and Willem leaves the analyses due.
	testenv.Navigate(t, ctx, s.url+"/arts")
	testenv.Fill(t, ctx, map[string]string{"Probleemanalyse van Willem Wandel gedaan op": today.AddDate(0, 0, 3).Format(time.DateOnly)})
	if st := testenv.Submit(t, ctx, "Vastleggen voor Willem Wandel"); st != http.StatusBadRequest {
		t.Errorf("a problem analysis done in the future = %d, want 400", st)
	}
	testenv.Inspect(t, ctx, "werklijst-probleemanalyse-fout")
	wantText(t, ctx, "the refused problem analysis", "De probleemanalyse is niet vastgelegd.", "niet in de toekomst")
	analysisDone := func() (done bool) {
		t.Helper()
		if err := f.owner.QueryRow(bg, `SELECT count(*) > 0 FROM hr.milestones m JOIN hr.absences x ON x.id = m.absence_id
			WHERE x.employee_id = $1 AND m.kind = 'problem_analysis' AND m.done_on IS NOT NULL`, willem).Scan(&done); err != nil {
			t.Fatal(err)
		}
		return done
	}
	if analysisDone() {
		t.Fatalf("a refused problem analysis was written")
	}
	testenv.Fill(t, ctx, map[string]string{"Probleemanalyse van Willem Wandel gedaan op": today.Format(time.DateOnly)})
	if st := testenv.Submit(t, ctx, "Vastleggen voor Willem Wandel"); st != http.StatusOK {
		t.Fatalf("record Willem's problem analysis = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "werklijst-probleemanalyse-gedaan")
	wantText(t, ctx, "the worklist after the analysis", "De probleemanalyse is vastgelegd als gedaan.")
	text = testenv.PageText(t, ctx)
	if analysis := text[strings.Index(text, "Probleemanalyse te doen"):strings.Index(text, "Spreekuur in te plannen")]; strings.Contains(analysis, "Willem Wandel") {
		t.Errorf("Willem's problem analysis is still due after it was recorded:\n%s", analysis)
	}
	if !analysisDone() {
		t.Errorf("Willem's problem analysis is not recorded done")
	}

	// The physician issues Lotte's login by letter from her row.
	testenv.Navigate(t, ctx, s.url+"/arts")
	if st := testenv.Submit(t, ctx, "Inlog uitgeven aan Lotte Brief"); st != http.StatusOK {
		t.Fatalf("open the login form = %d", st)
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/medewerkers/"+lotte.String()+"/inlog")
	testenv.Inspect(t, ctx, "inlog-uitgeven")
	lotteMail := "lotte-" + uuid.NewString() + "@prive.test"
	testenv.Fill(t, ctx, map[string]string{"Eigen e-mailadres van de medewerker": lotteMail, "wijze": "letter"})
	if st := testenv.Submit(t, ctx, "Inlog uitgeven"); st != http.StatusOK {
		t.Fatalf("issue Lotte's login by letter = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "inlog-brief")
	testenv.Fill(t, ctx, map[string]string{"Adres": "Kerkstraat 5\n1234 AB Ergens"})
	name, pdf := testenv.Download(t, ctx, "Activeringsbrief maken (PDF)")
	if name != "activeringsbrief.pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("the letter is %q, starting %q; want activeringsbrief.pdf, a PDF", name, string(pdf[:min(8, len(pdf))]))
	}
	var hasCode bool
	if err := f.owner.QueryRow(bg, `SELECT l.activation_code_hmac IS NOT NULL FROM hr.one_time_links l JOIN hr.employees e ON e.user_id = l.user_id
		WHERE e.id = $1 AND l.purpose = 'invitation'`, lotte).Scan(&hasCode); err != nil || !hasCode {
		t.Errorf("Lotte's invitation has a code after the letter: %v, %v", hasCode, err)
	}
	logoutInBrowser(t, ctx, s)

	// The assistant with a valid statement works for the physician.
	portalLogin(t, ctx, s.url, f.users["asValid"])
	testenv.Inspect(t, ctx, "werklijst-assistent")
	wantText(t, ctx, "the assistant's worklist", "U werkt namens Pieter Verant", "Willem Wandel", "Lotte Brief", "Test Persoon",
		"Inlog uitgeven aan Willem Wandel")
	if text := testenv.PageText(t, ctx); strings.Contains(text, "Inlog uitgeven aan Lotte Brief") {
		t.Errorf("the worklist offers to issue Lotte's login again:\n%s", text)
	}
	if text := testenv.PageText(t, ctx); strings.Contains(text, "Olga Ander") {
		t.Errorf("the assistant's worklist shows Olga:\n%s", text)
	}
	if text := testenv.PageText(t, ctx); strings.Contains(text, "Vastleggen voor") {
		t.Errorf("the assistant's worklist offers to record a problem analysis:\n%s", text)
	}
	logoutInBrowser(t, ctx, s)

	// The assistant whose statement expired sees nobody, and why.
	portalLogin(t, ctx, s.url, f.users["asExpired"])
	testenv.Inspect(t, ctx, "werklijst-verlopen")
	text = testenv.PageText(t, ctx)
	if !strings.Contains(text, "geheimhoudingsverklaring is verlopen") || strings.Contains(text, "Willem") || strings.Contains(text, "Test Persoon") {
		t.Errorf("the assistant with an expired statement sees:\n%s", text)
	}
	logoutInBrowser(t, ctx, s)

	// A's case manager issues Karel's login; the code is shown once.
	portalLogin(t, ctx, s.url, f.users["cmA"])
	testenv.Navigate(t, ctx, s.url+"/medewerkers/"+karel.String()+"/inlog")
	testenv.Inspect(t, ctx, "inlog-casemanager")
	karelMail := "karel-" + uuid.NewString() + "@prive.test"
	testenv.Fill(t, ctx, map[string]string{"Eigen e-mailadres van de medewerker": karelMail, "wijze": "in_person"})
	if st := testenv.Submit(t, ctx, "Inlog uitgeven"); st != http.StatusOK {
		t.Fatalf("issue Karel's login = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "inlog-code")
	m := shownCodeRE.FindStringSubmatch(testenv.PageText(t, ctx))
	if m == nil {
		t.Fatalf("the result page shows no activation code:\n%s", testenv.PageText(t, ctx))
	}
	activation := m[1]
	if loc := testenv.Location(t, ctx); strings.Contains(loc, activation) {
		t.Errorf("the address holds the activation code: %s", loc)
	}
	// Opening the page again shows the form, never the code.
	testenv.Navigate(t, ctx, s.url+"/medewerkers/"+karel.String()+"/inlog")
	if text := testenv.PageText(t, ctx); strings.Contains(text, activation) {
		t.Errorf("the login page shows the code a second time:\n%s", text)
	}
	var stored int
	if err := f.owner.QueryRow(bg, `SELECT count(*) FROM hr.one_time_links WHERE activation_code_hmac = $1 OR activation_code_hmac LIKE '%' || $1 || '%'`,
		activation).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the activation code is stored as it is: %d, %v", stored, err)
	}
	logoutInBrowser(t, ctx, s)

	// Karel accepts the mailed invitation with the code and logs in.
	token := mailedToken(t, sink, karelMail)
	testenv.Navigate(t, ctx, s.url+"/invitation#"+token)
	password := "karel zijn eigen lange wachtwoord"
	testenv.Fill(t, ctx, map[string]string{"Nieuw wachtwoord": password, "Herhaal het wachtwoord": password, "Activeringscode": activation})
	if st := testenv.Submit(t, ctx, "Wachtwoord opslaan"); st != http.StatusOK {
		t.Fatalf("Karel accepts with the code = %d: %s", st, testenv.PageText(t, ctx))
	}
	m = secretRE.FindStringSubmatch(testenv.PageText(t, ctx))
	if m == nil {
		t.Fatalf("the enrolment page shows no secret:\n%s", testenv.PageText(t, ctx))
	}
	testenv.Fill(t, ctx, map[string]string{"Code uit uw app": browserCode(t, m[1])})
	testenv.Submit(t, ctx, "Code controleren")
	testenv.Submit(t, ctx, "Naar inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": karelMail, "Wachtwoord": password, "Code uit uw app": browserCode(t, m[1])})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("Karel's first login = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "start-karel")
	if text := testenv.PageText(t, ctx); !strings.Contains(text, "werknemer") {
		t.Errorf("Karel's start page says:\n%s", text)
	}
	var linked uuid.UUID
	if err := f.owner.QueryRow(bg, `SELECT u.id FROM hr.users u JOIN hr.employees e ON e.user_id = u.id
		WHERE e.id = $1 AND u.email = $2 AND u.status = 'active'`, karel, karelMail).Scan(&linked); err != nil {
		t.Errorf("Karel's login is not active and linked to his record: %v", err)
	}
}
