package web

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// multipartRequest builds a POST whose multipart body has one part per
// name/content pair; the part named "content" is a file of type ct.
func multipartRequest(t testing.TB, ct string, parts ...string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(parts); i += 2 {
		h := textproto.MIMEHeader{}
		if parts[i] == dossierUploadField {
			h.Set("Content-Disposition", `form-data; name="content"; filename="f"`)
			if ct != "" {
				h.Set("Content-Type", ct)
			}
		} else {
			h.Set("Content-Disposition", `form-data; name="`+parts[i]+`"`)
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(parts[i+1])) //nolint:errcheck // a buffer
	}
	mw.Close() //nolint:errcheck // a buffer
	r := httptest.NewRequest("POST", "/arts/medewerkers/x/bijlagen", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestReadUpload(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r         func(t *testing.T) *http.Request
		max       int
		content   string
		ct        string
		wantError string
	}{
		{"one file", func(t *testing.T) *http.Request { return multipartRequest(t, "application/pdf", "content", "%PDF-1.4") },
			100, "%PDF-1.4", "application/pdf", ""},
		{"a type with parameters", func(t *testing.T) *http.Request {
			return multipartRequest(t, "image/png; name=x", "content", "png")
		}, 100, "png", "image/png", ""},
		{"other fields around it", func(t *testing.T) *http.Request {
			return multipartRequest(t, "image/jpeg", "x", "1", "content", "jpg", "y", "2")
		}, 100, "jpg", "image/jpeg", ""},
		{"exactly the limit", func(t *testing.T) *http.Request { return multipartRequest(t, "application/pdf", "content", "12345") },
			5, "12345", "application/pdf", ""},
		{"over the limit", func(t *testing.T) *http.Request { return multipartRequest(t, "application/pdf", "content", "123456") },
			5, "", "", "te groot"},
		{"an empty file", func(t *testing.T) *http.Request { return multipartRequest(t, "application/pdf", "content", "") },
			5, "", "", "Kies een bestand"},
		{"no file field", func(t *testing.T) *http.Request { return multipartRequest(t, "", "x", "1") },
			5, "", "", "Kies een bestand"},
		{"not multipart", func(*testing.T) *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("content=x"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 5, "", "", "Kies een bestand"},
		{"a broken body", func(*testing.T) *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nabc"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			return r
		}, 50, "", "", "kwam niet goed aan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content, ct, fields := readUpload(tc.r(t), tc.max)
			msg := fields[dossierUploadField]
			if tc.wantError == "" {
				if string(content) != tc.content || ct != tc.ct || len(fields) != 0 {
					t.Errorf("readUpload(%s) = %q, %q, %v; want %q, %q, no error", tc.name, content, ct, fields, tc.content, tc.ct)
				}
				return
			}
			if !strings.Contains(msg, tc.wantError) || content != nil {
				t.Errorf("readUpload(%s) = %q, %v; want no content and an error saying %q", tc.name, content, fields, tc.wantError)
			}
		})
	}
}

// FuzzReadUpload: whatever the body, readUpload returns either content of
// at most max bytes and no error, or no content and a message.
func FuzzReadUpload(f *testing.F) {
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"content\"; filename=\"f\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\n"))
	f.Add([]byte("--b\r\n\r\n--b--"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		const max = 16
		content, _, fields := readUpload(r, max)
		switch {
		case len(fields) == 0 && (len(content) == 0 || len(content) > max):
			t.Errorf("readUpload = %d bytes and no error; want 1 to %d bytes", len(content), max)
		case len(fields) > 0 && (content != nil || fields[dossierUploadField] == ""):
			t.Errorf("readUpload = %d bytes and %v; want no content and a message", len(content), fields)
		}
	})
}

func TestBuildDossierEntries(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 2, h, 0, 0, 0, time.UTC) }
	consult := dossier.Entry{ID: uuid.New(), Kind: dossier.KindConsultation, CreatedAt: at(9), Version: 1}
	firstNote := uuid.New()
	note := dossier.Entry{ID: uuid.New(), Kind: dossier.KindNote, CreatedAt: at(11), Version: 2, Supersedes: firstNote}
	aboutFirst := dossier.Entry{ID: uuid.New(), Kind: dossier.KindOwnStatement, CreatedAt: at(14), Concerns: firstNote}
	about := dossier.Entry{ID: uuid.New(), Kind: dossier.KindOwnStatement, CreatedAt: at(12), Concerns: consult.ID}
	loose := dossier.Entry{ID: uuid.New(), Kind: dossier.KindOwnStatement, CreatedAt: at(10)}
	gone := dossier.Entry{ID: uuid.New(), Kind: dossier.KindOwnStatement, CreatedAt: at(13), Concerns: uuid.New()}
	names := &dossierNames{s: &Server{}, ctx: context.Background(), known: map[uuid.UUID]string{}}
	rows, apart := buildDossierEntries([]dossier.Entry{consult, loose, note, about, gone, aboutFirst}, names)
	if len(rows) != 2 || rows[0].ID != note.ID.String() || rows[1].ID != consult.ID.String() {
		t.Fatalf("buildDossierEntries rows = %+v; want the note, then the consultation", rows)
	}
	if !rows[0].Corrected || rows[1].Corrected {
		t.Errorf("buildDossierEntries: corrected = %v, %v; want the second version only", rows[0].Corrected, rows[1].Corrected)
	}
	if len(rows[1].Statements) != 1 || rows[1].Statements[0].ID != about.ID.String() ||
		len(rows[0].Statements) != 1 || rows[0].Statements[0].ID != aboutFirst.ID.String() {
		t.Errorf("buildDossierEntries: statements under the entries = %+v, %+v; want the one about the note's first version "+
			"under the note, the one about the consultation under it", rows[0].Statements, rows[1].Statements)
	}
	if len(apart) != 2 || apart[0].ID != gone.ID.String() || apart[1].ID != loose.ID.String() {
		t.Errorf("buildDossierEntries: statements apart = %+v; want the one about no listed entry, then the one about none", apart)
	}
}

func TestDossierSize(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1 kB"}, {1025, "2 kB"}, {1 << 20, "1,0 MB"}, {3 << 19, "1,5 MB"}} {
		if got := dossierSize(tc.n); got != tc.want {
			t.Errorf("dossierSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestDossierKindsFor(t *testing.T) {
	has := func(opts []dossierOption, k dossier.EntryKind) bool {
		for _, o := range opts {
			if o.Value == string(k) {
				return true
			}
		}
		return false
	}
	for _, k := range dossier.EntryKinds {
		physician, assistant := has(dossierKindsFor(false), k), has(dossierKindsFor(true), k)
		if wantP := k != dossier.KindOwnStatement; physician != wantP {
			t.Errorf("dossierKindsFor(physician) offers %s = %v, want %v", k, physician, wantP)
		}
		if wantA := k != dossier.KindOwnStatement && k.AssistantMayWrite(); assistant != wantA {
			t.Errorf("dossierKindsFor(assistant) offers %s = %v, want %v", k, assistant, wantA)
		}
	}
}

// headDossiers finds no dossier; headEntries answers Prospective with err.
type headDossiers struct{ DossierDossiers }

func (headDossiers) Get(context.Context, access.Actor, uuid.UUID) (dossier.View, error) {
	return dossier.View{}, derrors.ErrNotFound
}

type headEntries struct {
	DossierEntries
	err error
}

func (e headEntries) Prospective(context.Context, access.Actor, uuid.UUID) (access.DossierAccess, uuid.UUID, error) {
	return access.DossierAccess{}, uuid.Nil, e.err
}

// TestDossierHeadOfProspectiveFailure: with no dossier yet, a refusal of
// the prospective access is the 404 page, but a failure to read it (the
// database down) is that failure, not a 404 that hides it.
func TestDossierHeadOfProspectiveFailure(t *testing.T) {
	for _, tc := range []struct {
		err, want error
	}{
		{derrors.ErrNotFound, derrors.ErrNotFound},
		{derrors.ErrUnavailable, derrors.ErrUnavailable},
	} {
		s := &Server{opts: Options{Dossier: DossierServices{Dossiers: headDossiers{}, Entries: headEntries{err: tc.err}}}}
		r := httptest.NewRequest(http.MethodGet, "/arts/medewerkers/x", nil)
		_, err := s.dossierHeadOf(r, access.Actor{}, uuid.New())
		if !errors.Is(err, tc.want) {
			t.Errorf("Prospective %v: dossierHeadOf error %v, want %v", tc.err, err, tc.want)
		}
	}
}
