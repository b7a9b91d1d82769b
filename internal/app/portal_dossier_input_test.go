package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// postUpload posts content as the dossier upload form's file, with
// contentType as the part's type ("" for none), as the session token.
func postUpload(t *testing.T, s *stack, path, token, contentType string, content []byte) portalResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="content"; filename="brief"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(content) //nolint:errcheck // a buffer
	mw.Close()        //nolint:errcheck // a buffer
	req, _ := http.NewRequest("POST", s.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return portalResponse{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// TestPortalDossierBadInput posts bad input to every form of the dossier
// pages and checks that each answers 400 with a readable Dutch message
// and writes nothing: the dossier's entries, attachments, exposures and
// emergency accesses are the same before and after.
func TestPortalDossierBadInput(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	s := w.s
	entry := w.writeOn(t, "consultation", "Spreekuur.", nowNL())
	base := "/arts/medewerkers/" + w.employee.String()
	physician, lead := w.tokens["physician"], w.tokens["lead"]
	snapshot := func() string {
		t.Helper()
		var out string
		err := w.owner.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1)::text || '/' ||
			(SELECT count(*) FROM medical.attachments x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1)::text || '/' ||
			(SELECT count(*) FROM medical.exposures x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1)::text || '/' ||
			(SELECT count(*) FROM medical.emergency_accesses x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1)::text`,
			w.employee).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	today := nowNL().Format(time.DateOnly)
	tomorrow := nowNL().AddDate(0, 0, 1).Format(time.DateOnly)
	check := func(t *testing.T, name string, r portalResponse, want, before string) {
		t.Helper()
		if r.status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", name, r.status)
		}
		if !strings.Contains(r.body, want) || !strings.Contains(r.body, "Niet alles is goed ingevuld") {
			t.Errorf("%s: the page does not say %q", name, want)
		}
		if after := snapshot(); after != before {
			t.Errorf("%s changed the dossier: got %s, want %s", name, after, before)
		}
	}
	for _, tc := range []struct {
		name, path, token string
		form              url.Values
		want              string
	}{
		{"entry without text", base + "/notities", physician,
			url.Values{"kind": {"consultation"}, "occurred_on": {today}, "text": {"  "}}, "Vul de tekst van de notitie in."},
		{"entry with a bad date", base + "/notities", physician,
			url.Values{"kind": {"consultation"}, "occurred_on": {"31-02-2026"}, "text": {"Spreekuur."}}, "Vul een geldige datum in"},
		{"entry dated tomorrow", base + "/notities", physician,
			url.Values{"kind": {"consultation"}, "occurred_on": {tomorrow}, "text": {"Spreekuur."}}, "niet in de toekomst"},
		{"entry of an unknown kind", base + "/notities", physician,
			url.Values{"kind": {"roddel"}, "occurred_on": {today}, "text": {"Spreekuur."}}, "Kies een soort uit de lijst."},
		{"entry with a control character", base + "/notities", physician,
			url.Values{"kind": {"note"}, "text": {"Spreek\x07uur."}}, "zonder onzichtbare stuurtekens"},
		{"entry that is too long", base + "/notities", physician,
			url.Values{"kind": {"note"}, "text": {strings.Repeat("a", 20001)}}, "hoogstens 20.000 tekens"},
		{"entry far too long", base + "/notities", physician,
			url.Values{"kind": {"note"}, "text": {strings.Repeat("a", 80001)}}, "hoogstens 20.000 tekens"},
		{"correction without text", base + "/notities/" + entry + "/correctie", physician,
			url.Values{"text": {""}}, "Vul de verbeterde tekst in."},
		{"exposure of an unknown agent", base + "/blootstelling", physician,
			url.Values{"agent": {"lawaai"}, "from": {"2020-01-01"}}, "Kies een blootstelling uit de lijst."},
		{"exposure without a start", base + "/blootstelling", physician,
			url.Values{"agent": {"carcinogen"}}, "Vul een datum in."},
		{"exposure ending before it starts", base + "/blootstelling", physician,
			url.Values{"agent": {"carcinogen"}, "from": {"2020-01-01"}, "to": {"2019-01-01"}}, "niet vóór de begindatum"},
		{"exposure with a bad date", base + "/blootstelling", physician,
			url.Values{"agent": {"carcinogen"}, "from": {"2020-13-01"}}, "Vul een geldige datum in"},
		{"emergency access without a reason", base + "/noodtoegang", lead, url.Values{"reason": {""}}, "Schrijf waarom"},
		{"emergency access with a short reason", base + "/noodtoegang", lead, url.Values{"reason": {"spoed"}}, "minstens 10"},
		{"upload that is no file", base + "/bijlagen", physician, url.Values{}, "Kies een bestand om toe te voegen."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			check(t, "POST "+tc.path+" ("+tc.name+")", s.portal("POST", tc.path, tc.token, tc.form), tc.want, before)
		})
	}
	for _, tc := range []struct {
		name, contentType string
		content           []byte
		want              string
	}{
		{"an empty file", "application/pdf", nil, "Kies een bestand om toe te voegen."},
		{"text that claims to be a PDF", "application/pdf", []byte("Dit is geen PDF maar gewone tekst."), "dat echt van dat type is"},
		{"a PNG that claims to be a PDF", "application/pdf", testenv.PNG(""), "dat echt van dat type is"},
		{"a text file", "text/plain", []byte("Gewone tekst."), "Kies een PDF-, PNG- of JPEG-bestand."},
		{"a file without a type", "", testenv.PDF(""), "Kies een PDF-, PNG- of JPEG-bestand."},
		{"a file over the limit", "application/pdf", bytes.Repeat([]byte("%"), 1<<20+1), "Dit bestand is te groot"},
	} {
		t.Run("upload of "+tc.name, func(t *testing.T) {
			before := snapshot()
			check(t, "upload of "+tc.name, postUpload(t, s, base+"/bijlagen", physician, tc.contentType, tc.content), tc.want, before)
		})
	}
	// The same forms with good input write.
	before := snapshot()
	if r := postUpload(t, s, base+"/bijlagen", physician, "application/pdf", testenv.PDF("")); r.status != http.StatusSeeOther {
		t.Errorf("a good upload = %d, want 303", r.status)
	}
	// A long entry (more than a short form field takes) is written whole.
	long := strings.Repeat("Een lange notitie. ", 1000)
	if r := s.portal("POST", base+"/notities", physician, url.Values{"kind": {"note"}, "occurred_on": {today}, "text": {long}}); r.status != http.StatusSeeOther {
		t.Errorf("a good long entry = %d, want 303: %s", r.status, r.body)
	}
	if r := s.portal("GET", base, physician, nil); r.status != http.StatusOK || !strings.Contains(r.body, long) {
		t.Errorf("the dossier after a long entry = %d, want 200 with the whole text", r.status)
	}
	if after := snapshot(); after == before {
		t.Errorf("good posts changed nothing: %s", after)
	}
}
