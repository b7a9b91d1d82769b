package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestDecisionChoicesFor: every medical request type is offered in review
// and grant; an own statement is never refused or partly granted (BW
// 7:454 lid 2), the others may be.
func TestDecisionChoicesFor(t *testing.T) {
	for _, tc := range []struct {
		typ  rights.Type
		want []rights.Status
	}{
		{rights.TypeCopy, []rights.Status{rights.StatusInReview, rights.StatusGranted, rights.StatusPartlyGranted, rights.StatusRefused}},
		{rights.TypeInspection, []rights.Status{rights.StatusInReview, rights.StatusGranted, rights.StatusPartlyGranted, rights.StatusRefused}},
		{rights.TypeOwnStatement, []rights.Status{rights.StatusInReview, rights.StatusGranted}},
	} {
		var got []rights.Status
		for _, c := range decisionChoicesFor(tc.typ) {
			got = append(got, c.Status)
			if c.Label == "" {
				t.Errorf("decisionChoicesFor(%s): %s has no label", tc.typ, c.Status)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("decisionChoicesFor(%s) = %v, want %v", tc.typ, got, tc.want)
		}
	}
}

// TestDecisionRow: an open request past its due date (extension included)
// is overdue, one due within a week is due soon, a decided one is neither.
func TestDecisionRow(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return today.AddDate(0, 0, d) }
	for _, tc := range []struct {
		name             string
		r                rights.Request
		overdue, dueSoon bool
	}{
		{"open, due yesterday", rights.Request{Status: rights.StatusReceived, DueOn: day(-1)}, true, false},
		{"open, due today", rights.Request{Status: rights.StatusInReview, DueOn: day(0)}, false, true},
		{"open, due in 7 days", rights.Request{Status: rights.StatusReceived, DueOn: day(7)}, false, true},
		{"open, due in 8 days", rights.Request{Status: rights.StatusReceived, DueOn: day(8)}, false, false},
		{"open, extended past today", rights.Request{Status: rights.StatusReceived, DueOn: day(-3), ExtendedTo: day(20)}, false, false},
		{"granted, due yesterday", rights.Request{Status: rights.StatusGranted, DueOn: day(-1)}, false, false},
	} {
		got := decisionRow(tc.r, today)
		if got.Overdue != tc.overdue || got.DueSoon != tc.dueSoon {
			t.Errorf("decisionRow(%s) = overdue %t, due soon %t; want %t, %t", tc.name, got.Overdue, got.DueSoon, tc.overdue, tc.dueSoon)
		}
	}
}

// TestDecisionFieldsOf: the service's field errors land on the form's
// fields with their Dutch messages; an unknown field is "algemeen"; an
// error without fields is not taken.
func TestDecisionFieldsOf(t *testing.T) {
	names := map[string][2]string{"ground": {"grond", "Kies een grond."}}
	fields := map[string]string{}
	if !decisionFieldsOf(derrors.FieldErrors{"ground": "x", "other": "y"}, names, fields) {
		t.Fatalf("decisionFieldsOf(field errors) = false, want true")
	}
	if fields["grond"] != "Kies een grond." || fields["algemeen"] == "" || len(fields) != 2 {
		t.Errorf("decisionFieldsOf(ground, other) fields = %v, want grond's message and algemeen", fields)
	}
	if decisionFieldsOf(derrors.ErrConflict, names, map[string]string{}) {
		t.Errorf("decisionFieldsOf(ErrConflict) = true, want false")
	}
}

// TestDecisionExcerpt: an excerpt is one line of at most
// decisionExcerptRunes runes, cut with "…".
func TestDecisionExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"Kort.":                       "Kort.",
		"Twee\nregels  met\tspaties ": "Twee regels met spaties",
		strings.Repeat("é", 100):      strings.Repeat("é", decisionExcerptRunes) + "…",
	} {
		if got := decisionExcerpt(in); got != want {
			t.Errorf("decisionExcerpt(%q) = %q, want %q", in, got, want)
		}
	}
}

// chosenOf runs decisionChosen on a form post of values.
func chosenOf(values url.Values) ([]uuid.UUID, form) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ParseForm() //nolint:errcheck // a bad body leaves the form empty
	f := form{values: map[string]string{}, fields: map[string]string{}}
	return decisionChosen(r, f), f
}

// TestDecisionChosen: the chosen entries are parsed once each, in order;
// none, or an id that does not parse, is a field error on stukken.
func TestDecisionChosen(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	got, f := chosenOf(url.Values{"stuk": {a.String(), b.String(), a.String()}})
	if !slices.Equal(got, []uuid.UUID{a, b}) || len(f.fields) != 0 {
		t.Errorf("decisionChosen(a, b, a) = %v, fields %v; want [a b] and no error", got, f.fields)
	}
	for name, values := range map[string]url.Values{
		"none":         {},
		"empty":        {"stuk": {""}},
		"not an id":    {"stuk": {a.String(), "alles"}},
		"the nil uuid": {"stuk": {uuid.Nil.String()}},
	} {
		if _, f := chosenOf(values); f.fields["stukken"] == "" {
			t.Errorf("decisionChosen(%s) has no field error on stukken", name)
		}
	}
}

// FuzzDecisionChosen: whatever is posted, decisionChosen never panics,
// returns distinct non-nil ids that were posted, and says why when it
// returns none.
func FuzzDecisionChosen(f *testing.F) {
	f.Add(uuid.NewString(), "")
	f.Add("x", uuid.NewString())
	f.Add("00000000-0000-0000-0000-000000000000", "{"+uuid.NewString()+"}")
	f.Fuzz(func(t *testing.T, one, two string) {
		got, fm := chosenOf(url.Values{"stuk": {one, two}})
		if len(got) == 0 && fm.fields["stukken"] == "" {
			t.Errorf("decisionChosen(%q, %q) returned nothing without a field error", one, two)
		}
		seen := map[uuid.UUID]bool{}
		for _, id := range got {
			if id == uuid.Nil || seen[id] {
				t.Errorf("decisionChosen(%q, %q) = %v: nil or repeated id", one, two, got)
			}
			seen[id] = true
		}
		if msg := fm.fields["stukken"]; msg != "" && !utf8.ValidString(msg) {
			t.Errorf("decisionChosen(%q, %q) message is not UTF-8", one, two)
		}
	})
}
