package app

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// noTextInLog fails when a line of the server's log holds the canary, the
// emoji, or the emoji's code point in decimal or hexadecimal (a Go index
// error names the rune as a number).
func noTextInLog(t *testing.T, s *stack, canary, emoji string) {
	t.Helper()
	r, _ := utf8.DecodeRuneInString(emoji)
	quotes := []string{canary, emoji, strconv.Itoa(int(r)), strconv.FormatInt(int64(r), 16)}
	for _, line := range strings.Split(s.logs.String(), "\n") {
		for _, q := range quotes {
			if strings.Contains(strings.ToLower(line), q) {
				t.Errorf("the server log quotes the text (%q): %s", q, line)
			}
		}
	}
}

// TestReleaseCopyOfAnEmployeeWithAnEmoji: an employee whose name, and an
// entry released to them, hold an emoji still gets their copy of the
// dossier, the emoji shown as U+FFFD, and nothing of the text reaches
// the server's log.
func TestReleaseCopyOfAnEmployeeWithAnEmoji(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	canary := "kanarie" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	const emoji = "😀"
	if _, err := w.owner.Exec(t.Context(), `UPDATE hr.employees SET first_name = $2, last_name = 'Özdemir' WHERE id = $1`,
		w.employee, "Gérard "+emoji); err != nil {
		t.Fatal(err)
	}
	pTok, ee := w.tokens["physician"], w.tokens["employee"]
	if r := w.s.do("POST", w.entries(), pTok, map[string]any{"kind": "consultation",
		"text": "Spreekuur " + canary + ": werknemer voelt zich " + emoji + " beter."}); r.status != http.StatusCreated {
		t.Fatalf("write the entry = %d %s", r.status, r.raw)
	}
	req := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "inspection"})
	if req.status != http.StatusCreated {
		t.Fatalf("file the inspection request = %d %s", req.status, req.raw)
	}
	id := req.body["id"].(string)
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/decision", pTok, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant = %d %s", r.status, r.raw)
	}
	rel := w.s.do("POST", "/api/v1/requests/"+id+"/release", pTok, nil)
	if rel.status != http.StatusCreated {
		t.Fatalf("release = %d %s", rel.status, rel.raw)
	}

	r := w.s.do("GET", "/api/v1/me/releases/"+rel.body["id"].(string)+"/copy.pdf", ee, nil)
	noTextInLog(t, w.s, canary, emoji)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET copy.pdf for an employee named %q = %d %q %.300s; want 200 application/pdf", "Gérard "+emoji, r.status,
			r.header.Get("Content-Type"), r.raw)
	}
	text := testenv.PDFText(t, []byte(r.raw))
	for _, want := range []string{"Gérard \uFFFD Özdemir", "Spreekuur " + canary + ": werknemer voelt zich \uFFFD beter."} {
		if !strings.Contains(text, want) {
			t.Errorf("copy.pdf text lacks %q:\n%s", want, text)
		}
	}
}

// TestPlanOfActionOfAnEmployeeWithAnEmoji: the employer's plan of action
// of an employee whose name, and the plan's goals, hold an emoji renders,
// the emoji shown as U+FFFD, and nothing of the text reaches the log.
func TestPlanOfActionOfAnEmployeeWithAnEmoji(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	canary := "kanarie" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	const emoji = "😀"
	emp := w.employee(t, "Gérard "+emoji, "Özdemir")
	id, _ := w.report(t, emp, w.today.AddDate(0, 0, -50), 100, http.StatusCreated).body["id"].(string)
	if r := w.s.do("POST", "/api/v1/absences/"+id+"/plans", w.cm, map[string]any{
		"goals":         "Terugkeer " + canary + " in het eigen werk " + emoji + ".",
		"activities":    []map[string]any{{"description": "Opbouw " + emoji, "who": "Werknemer", "by_when": day(w.today.AddDate(0, 0, 21))}},
		"employer_view": "Positief.", "employee_view": "Ik wil graag " + emoji + " aangepast werk doen.",
	}); r.status != http.StatusCreated {
		t.Fatalf("record plan = %d %s", r.status, r.raw)
	}
	r := w.s.do("GET", "/api/v1/absences/"+id+"/plan.pdf", w.er, nil)
	noTextInLog(t, w.s, canary, emoji)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET plan.pdf for an employee named %q = %d %q %.300s; want 200 application/pdf", "Gérard "+emoji, r.status,
			r.header.Get("Content-Type"), r.raw)
	}
	text := testenv.PDFText(t, []byte(r.raw))
	for _, want := range []string{"Gérard \uFFFD Özdemir", "Terugkeer " + canary + " in het eigen werk \uFFFD.", "Opbouw \uFFFD",
		"Ik wil graag \uFFFD aangepast werk doen."} {
		if !strings.Contains(text, want) {
			t.Errorf("plan.pdf text lacks %q:\n%s", want, text)
		}
	}
}
