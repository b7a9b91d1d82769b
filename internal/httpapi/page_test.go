package httpapi

import (
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// pageOf parses query as the query of a paged list under spec.
func pageOf(t *testing.T, query string, spec pageSpec) *page {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/list?"+query, nil)
	return listPage(c, spec)
}

// fieldsOf returns the sorted field names of err, a derrors.FieldErrors, or
// nil when err is nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var fe derrors.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a derrors.FieldErrors", err)
	}
	var out []string
	for k := range fe {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestListPage(t *testing.T) {
	spec := pageSpec{DefaultLimit: 50, MaxLimit: 200, Params: []string{"from"}}
	tests := []struct {
		query      string
		wantLimit  int
		wantSeq    int64
		wantFields []string
	}{
		{"", 50, 0, nil},
		{"limit=1", 1, 0, nil},
		{"limit=200&after=17", 200, 17, nil},
		{"from=2026-05-01", 50, 0, nil},
		{"after=0", 50, 0, nil},
		{"limit=0", 0, 0, []string{"limit"}},
		{"limit=201", 201, 0, []string{"limit"}},
		{"limit=-1", -1, 0, []string{"limit"}},
		{"limit=ten", 0, 0, []string{"limit"}},
		{"after=-1", 50, -1, []string{"after"}},
		{"after=x", 50, 0, []string{"after"}},
		{"page=2", 50, 0, []string{"page"}},
		{"who=x&limit=0&after=x", 0, 0, []string{"after", "limit", "who"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := pageOf(t, tt.query, spec)
			seq := p.afterSeq()
			if p.Limit != tt.wantLimit || seq != tt.wantSeq {
				t.Errorf("listPage(%q): limit %d, afterSeq %d; want %d, %d", tt.query, p.Limit, seq, tt.wantLimit, tt.wantSeq)
			}
			if got := fieldsOf(t, p.err()); !slices.Equal(got, tt.wantFields) {
				t.Errorf("listPage(%q).err() fields = %v, want %v", tt.query, got, tt.wantFields)
			}
		})
	}
}

func TestPageIntParam(t *testing.T) {
	spec := pageSpec{DefaultLimit: 50, MaxLimit: 100, Params: []string{"within_days"}}
	tests := []struct {
		query      string
		want       int
		wantFields []string
	}{
		{"", 14, nil},
		{"within_days=30", 30, nil},
		{"within_days=-1", -1, nil}, // the range is the service's to judge
		{"within_days=soon", 0, []string{"within_days"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := pageOf(t, tt.query, spec)
			got := p.intParam("within_days", 14, "must be a whole number of days")
			if got != tt.want {
				t.Errorf("intParam(within_days) of %q = %d, want %d", tt.query, got, tt.want)
			}
			if fields := fieldsOf(t, p.err()); !slices.Equal(fields, tt.wantFields) {
				t.Errorf("intParam(within_days) of %q: field errors %v, want %v", tt.query, fields, tt.wantFields)
			}
		})
	}
}

// cursorOf returns the base64url form of a hand-made cursor text.
func cursorOf(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

func TestCursorCodec(t *testing.T) {
	sig := absence.Cursor{Due: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		AbsenceID: uuid.MustParse("7d1e4f36-8a43-4c1f-9a55-2f3b0c1d2e3f"), Kind: absence.KindEvaluation, N: 2}
	ent := dossier.EntryCursor{CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC),
		ID: uuid.MustParse("0b7c2f9e-3d4a-4e5b-8c6d-7e8f9a0b1c2d")}
	const id = "7d1e4f36-8a43-4c1f-9a55-2f3b0c1d2e3f"
	signalsPos := `{"due":"2026-03-01","absence_id":"` + id + `","kind":"evaluation","n":2}`
	tests := []struct {
		name        string
		cursor      string
		wantSignals bool // signalsCursor accepts it
		wantEntries bool // entriesCursor accepts it
	}{
		{"a signals cursor", signalsCursor.encode(sig), true, false},
		{"an entries cursor", entriesCursor.encode(ent), false, true},
		{"the hand-made signals form", cursorOf(`{"v":1,"k":"signals","p":` + signalsPos + `}`), true, false},
		{"a signals position under the entries kind", cursorOf(`{"v":1,"k":"entries","p":` + signalsPos + `}`), false, false},
		{"another version", cursorOf(`{"v":2,"k":"signals","p":` + signalsPos + `}`), false, false},
		{"no version", cursorOf(`{"k":"signals","p":` + signalsPos + `}`), false, false},
		{"an unknown field", cursorOf(`{"v":1,"k":"signals","p":` + signalsPos + `,"x":1}`), false, false},
		{"an unknown position field", cursorOf(`{"v":1,"k":"signals","p":{"due":"2026-03-01","absence_id":"` + id + `","kind":"evaluation","n":2,"x":1}}`), false, false},
		{"trailing data", cursorOf(`{"v":1,"k":"signals","p":` + signalsPos + `}{}`), false, false},
		{"an unknown milestone kind", cursorOf(`{"v":1,"k":"signals","p":{"due":"2026-03-01","absence_id":"` + id + `","kind":"x","n":2}}`), false, false},
		{"a non-canonical id", cursorOf(`{"v":1,"k":"signals","p":{"due":"2026-03-01","absence_id":"` + strings.ToUpper(id) + `","kind":"evaluation","n":2}}`), false, false},
		{"a null position", cursorOf(`{"v":1,"k":"entries","p":null}`), false, false},
		{"the old pipe form of a signals cursor", cursorOf("2026-03-01|" + id + "|evaluation|2"), false, false},
		{"the old pipe form of an entries cursor", cursorOf("2026-03-01T10:00:00Z|" + id), false, false},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"v":1,"k":"signals","p":` + signalsPos + `}`)), false, false},
		{"not base64", "not a cursor!", false, false},
		{"too long", strings.Repeat("A", maxCursorLen+1), false, false},
		{"empty", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := signalsCursor.decode(tt.cursor); (err == nil) != tt.wantSignals {
				t.Errorf("signalsCursor.decode(%q) error = %v, want accepted %v", tt.cursor, err, tt.wantSignals)
			} else if err != nil && !errors.Is(err, errBadCursor) {
				t.Errorf("signalsCursor.decode(%q) error = %v, want errBadCursor", tt.cursor, err)
			}
			if _, err := entriesCursor.decode(tt.cursor); (err == nil) != tt.wantEntries {
				t.Errorf("entriesCursor.decode(%q) error = %v, want accepted %v", tt.cursor, err, tt.wantEntries)
			} else if err != nil && !errors.Is(err, errBadCursor) {
				t.Errorf("entriesCursor.decode(%q) error = %v, want errBadCursor", tt.cursor, err)
			}
		})
	}
	if got, err := signalsCursor.decode(signalsCursor.encode(sig)); err != nil || got != sig {
		t.Errorf("signalsCursor round trip of %+v = %+v, %v; want it back", sig, got, err)
	}
	if got, err := entriesCursor.decode(entriesCursor.encode(ent)); err != nil || got != ent {
		t.Errorf("entriesCursor round trip of %+v = %+v, %v; want it back", ent, got, err)
	}
}

// TestCursorAfter checks that a list reads its own cursor from after and
// that another list's cursor is a field error on after.
func TestCursorAfter(t *testing.T) {
	ent := dossier.EntryCursor{CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), ID: uuid.New()}
	sig := absence.Cursor{Due: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), AbsenceID: uuid.New(), Kind: absence.KindEvaluation}
	spec := pageSpec{DefaultLimit: 50, MaxLimit: 200}
	tests := []struct {
		name       string
		query      string
		wantCursor bool
		wantFields []string
	}{
		{"the first page", "", false, nil},
		{"its own cursor", "after=" + entriesCursor.encode(ent), true, nil},
		{"a signals cursor", "after=" + signalsCursor.encode(sig), false, []string{"after"}},
		{"a forged cursor", "after=bm90LWEtY3Vyc29y", false, []string{"after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pageOf(t, tt.query, spec)
			got := entriesCursor.after(p)
			if (got != nil) != tt.wantCursor || (got != nil && *got != ent) {
				t.Errorf("entriesCursor.after(%q) = %+v, want a cursor %v (%+v)", tt.query, got, tt.wantCursor, ent)
			}
			if fields := fieldsOf(t, p.err()); !slices.Equal(fields, tt.wantFields) {
				t.Errorf("entriesCursor.after(%q): field errors %v, want %v", tt.query, fields, tt.wantFields)
			}
		})
	}
}

// FuzzDecodeCursor checks that no text makes the cursor codec panic, that a
// signals cursor is never also an entries cursor, that only known milestone
// kinds pass, and that every accepted signals cursor encodes back to the
// same keyset position.
func FuzzDecodeCursor(f *testing.F) {
	good := signalsCursor.encode(absence.Cursor{Due: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		AbsenceID: uuid.MustParse("7d1e4f36-8a43-4c1f-9a55-2f3b0c1d2e3f"), Kind: absence.KindEvaluation, N: 2})
	for _, s := range []string{good, "", "bm90LWEtY3Vyc29y", "MjAyNi0wMy0wMXx4fHl8MQ", "////",
		cursorOf(`{"v":1,"k":"signals","p":{"due":"2026-03-01","absence_id":"x","kind":"y","n":1}}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cur, err := signalsCursor.decode(s)
		if err != nil {
			if !errors.Is(err, errBadCursor) {
				t.Fatalf("signalsCursor.decode(%q) error = %v, want errBadCursor", s, err)
			}
			return
		}
		if _, err := entriesCursor.decode(s); err == nil {
			t.Fatalf("signals cursor %q is also accepted as an entries cursor", s)
		}
		if !cur.Kind.Valid() || cur.N < 0 {
			t.Fatalf("signalsCursor.decode(%q) = %+v: unknown kind or negative n accepted", s, cur)
		}
		again, err := signalsCursor.decode(signalsCursor.encode(cur))
		if err != nil || again != cur {
			t.Fatalf("signalsCursor.decode(%q) = %+v, re-encoded decodes to %+v, %v", s, cur, again, err)
		}
	})
}

// FuzzDecodeEntryCursor checks that no text makes the cursor codec panic,
// that an entries cursor is never also a signals cursor, and that every
// accepted entries cursor encodes back to the same position.
func FuzzDecodeEntryCursor(f *testing.F) {
	f.Add(entriesCursor.encode(dossier.EntryCursor{CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC), ID: uuid.New()}))
	for _, s := range []string{"", "bogus", "MjAyNi0wMy0wMVQxMDowMDowMFp8eA", "fA",
		cursorOf(`{"v":1,"k":"entries","p":{"created_at":"2026-03-01T10:00:00+01:00","id":"x"}}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cur, err := entriesCursor.decode(s)
		if err != nil {
			if !errors.Is(err, errBadCursor) {
				t.Fatalf("entriesCursor.decode(%q) error = %v, want errBadCursor", s, err)
			}
			return
		}
		if _, err := signalsCursor.decode(s); err == nil {
			t.Fatalf("entries cursor %q is also accepted as a signals cursor", s)
		}
		again, err := entriesCursor.decode(entriesCursor.encode(cur))
		if err != nil || !again.CreatedAt.Equal(cur.CreatedAt) || again.ID != cur.ID {
			t.Fatalf("entriesCursor.decode(%q) = %+v; re-encoded decodes to %+v, %v", s, cur, again, err)
		}
	})
}
