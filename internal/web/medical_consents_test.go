package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// paperBody builds a multipart body with the fields and, when scanType is
// not "", the part scan with that content type.
func paperBody(t testing.TB, fields map[string]string, scanType string, scan []byte) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if scanType != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="scan"; filename="scan.pdf"`)
		h.Set("Content-Type", scanType)
		p, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(scan) //nolint:errcheck // a bytes.Buffer
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

func TestReadPaperUpload(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for _, c := range []struct {
		name       string
		fields     map[string]string
		scanType   string
		scan       []byte
		plain      string // a Content-Type that is no multipart form
		max        int
		wantFields []string
		want       paperUpload
	}{
		{name: "date and scan", fields: map[string]string{"signed_on": " 2026-01-02 "}, scanType: "application/pdf", scan: pdf, max: 100,
			want: paperUpload{SignedOn: "2026-01-02", Scan: dossier.Attachment{ContentType: "application/pdf", Content: pdf}}},
		{name: "type with parameters", fields: map[string]string{"signed_on": "2026-01-02"}, scanType: "image/png; name=x", scan: []byte("png"),
			max: 100, want: paperUpload{SignedOn: "2026-01-02", Scan: dossier.Attachment{ContentType: "image/png", Content: []byte("png")}}},
		{name: "other parts are read past", fields: map[string]string{"signed_on": "2026-01-02", "extra": "x"}, scanType: "application/pdf",
			scan: pdf, max: 100, want: paperUpload{SignedOn: "2026-01-02", Scan: dossier.Attachment{ContentType: "application/pdf", Content: pdf}}},
		{name: "no scan", fields: map[string]string{"signed_on": "2026-01-02"}, max: 100, wantFields: []string{"scan"},
			want: paperUpload{SignedOn: "2026-01-02"}},
		{name: "empty scan", fields: map[string]string{"signed_on": "2026-01-02"}, scanType: "application/pdf", scan: nil, max: 100,
			wantFields: []string{"scan"}, want: paperUpload{SignedOn: "2026-01-02", Scan: dossier.Attachment{ContentType: "application/pdf", Content: []byte{}}}},
		{name: "scan too large", fields: map[string]string{"signed_on": "2026-01-02"}, scanType: "application/pdf", scan: pdf, max: len(pdf) - 1,
			wantFields: []string{"scan"}, want: paperUpload{SignedOn: "2026-01-02"}},
		{name: "scan of exactly max", fields: map[string]string{}, scanType: "application/pdf", scan: pdf, max: len(pdf),
			want: paperUpload{Scan: dossier.Attachment{ContentType: "application/pdf", Content: pdf}}},
		{name: "date too long", fields: map[string]string{"signed_on": strings.Repeat("1", maxPaperFieldBytes+1)}, scanType: "application/pdf",
			scan: pdf, max: 100, wantFields: []string{"signed_on"}, want: paperUpload{Scan: dossier.Attachment{ContentType: "application/pdf", Content: pdf}}},
		{name: "not multipart", plain: "application/x-www-form-urlencoded", max: 100, wantFields: []string{"scan", "signed_on"}},
		{name: "no boundary", plain: "multipart/form-data", max: 100, wantFields: []string{"scan", "signed_on"}},
		{name: "no content type", plain: " ", max: 100, wantFields: []string{"scan", "signed_on"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, ct := paperBody(t, c.fields, c.scanType, c.scan)
			if c.plain != "" {
				ct = c.plain
			}
			fields := map[string]string{}
			got := readPaperUpload(bytes.NewReader(body), ct, c.max, fields)
			var gotFields []string
			for _, name := range []string{"scan", "signed_on"} {
				if fields[name] != "" {
					gotFields = append(gotFields, name)
				}
			}
			if fmt.Sprint(gotFields) != fmt.Sprint(c.wantFields) {
				t.Errorf("readPaperUpload(%s) field errors = %v, want %v", c.name, gotFields, c.wantFields)
			}
			if got.SignedOn != c.want.SignedOn || got.Scan.ContentType != c.want.Scan.ContentType ||
				!bytes.Equal(got.Scan.Content, c.want.Scan.Content) {
				t.Errorf("readPaperUpload(%s) = %q %q %d bytes, want %q %q %d bytes", c.name, got.SignedOn, got.Scan.ContentType,
					len(got.Scan.Content), c.want.SignedOn, c.want.Scan.ContentType, len(c.want.Scan.Content))
			}
		})
	}
}

// FuzzReadPaperUpload holds readPaperUpload to its contract on any body:
// no panic, never more than max bytes of scan, and a scan or a field error
// for it.
func FuzzReadPaperUpload(f *testing.F) {
	body, ct := paperBody(f, map[string]string{"signed_on": "2026-01-02"}, "application/pdf", []byte("%PDF-1.4"))
	f.Add(body, ct)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"scan\"\r\n\r\nabc\r\n--x--\r\n"), "multipart/form-data; boundary=x")
	f.Add([]byte("signed_on=2026-01-02"), "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		const max = 64
		fields := map[string]string{}
		got := readPaperUpload(bytes.NewReader(body), ct, max, fields)
		if len(got.Scan.Content) > max {
			t.Fatalf("readPaperUpload took a scan of %d bytes, more than %d", len(got.Scan.Content), max)
		}
		if len(got.Scan.Content) == 0 && fields["scan"] == "" {
			t.Fatalf("readPaperUpload gave no scan and no field error for it")
		}
		if len(got.SignedOn) > maxPaperFieldBytes {
			t.Fatalf("readPaperUpload took a date of %d bytes", len(got.SignedOn))
		}
	})
}

func TestConsentFailed(t *testing.T) {
	for _, c := range []struct {
		name       string
		err        error
		wantStatus int
		wantField  string
		wantText   string
		passed     bool
	}{
		{name: "field errors", err: derrors.FieldErrors{"recipient_name": "is required"}, wantStatus: http.StatusBadRequest,
			wantField: "recipient_name", wantText: "Niet alles is goed ingevuld"},
		{name: "service's scan field", err: derrors.FieldErrors{"content": "is empty"}, wantStatus: http.StatusBadRequest, wantField: "scan"},
		{name: "assessment field", err: derrors.FieldErrors{"assessment.no_risk_of_harm": "is required"}, wantStatus: http.StatusBadRequest,
			wantField: "no_risk_of_harm"},
		{name: "unknown field", err: derrors.FieldErrors{"format": "bad"}, wantStatus: http.StatusBadRequest, wantField: "algemeen"},
		{name: "consent refusal", err: fmt.Errorf("wrapped: %w", &consent.ConsentError{Reason: "consent_expired"}),
			wantStatus: http.StatusUnprocessableEntity, wantText: "De toestemming is verlopen."},
		{name: "unknown refusal", err: &consent.ConsentError{Reason: "new_reason"}, wantStatus: http.StatusUnprocessableEntity,
			wantText: "laat dit niet toe"},
		{name: "conflict", err: fmt.Errorf("x: %w", derrors.ErrConflict), wantStatus: http.StatusConflict, wantText: "Dit kan nu niet meer"},
		{name: "forbidden", err: derrors.ErrForbidden, wantStatus: http.StatusForbidden, wantText: "hoofd bedrijfsarts"},
		{name: "not found passes", err: derrors.ErrNotFound, passed: true},
		{name: "internal passes", err: errors.New("boom"), passed: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := consentState{fields: map[string]string{}}
			err := consentFailed(c.err, &st)
			if c.passed {
				if !errors.Is(err, c.err) {
					t.Errorf("consentFailed(%v) = %v, want the error passed on", c.err, err)
				}
				return
			}
			if err != nil || st.status != c.wantStatus || !strings.Contains(st.err, c.wantText) {
				t.Errorf("consentFailed(%v) = %v, status %d %q; want nil, %d saying %q", c.err, err, st.status, st.err, c.wantStatus, c.wantText)
			}
			if c.wantField != "" && st.fields[c.wantField] == "" {
				t.Errorf("consentFailed(%v) fields = %v, want one for %s", c.err, st.fields, c.wantField)
			}
		})
	}
}

func TestDescribeScope(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	for _, c := range []struct {
		scope consent.Scope
		want  string
	}{
		{consent.Scope{Kinds: []dossier.EntryKind{dossier.KindConsultation, dossier.KindNote}}, "consulten, aantekeningen"},
		{consent.Scope{Kinds: []dossier.EntryKind{dossier.KindNote}, From: d("2026-01-02")}, "aantekeningen vanaf 2 januari 2026"},
		{consent.Scope{Kinds: []dossier.EntryKind{dossier.KindNote}, To: d("2026-03-31")}, "aantekeningen tot en met 31 maart 2026"},
		{consent.Scope{Kinds: []dossier.EntryKind{dossier.KindNote}, From: d("2026-01-02"), To: d("2026-03-31")},
			"aantekeningen van 2 januari 2026 tot en met 31 maart 2026"},
	} {
		if got := describeScope(c.scope); got != c.want {
			t.Errorf("describeScope(%+v) = %q, want %q", c.scope, got, c.want)
		}
	}
}
