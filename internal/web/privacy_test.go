package web

import (
	"encoding/csv"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/rights"
)

func TestCSVSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"read", "read"},
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+31 6", "'+31 6"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=b", "a=b"},
		{"0b7e5c1a-0000-4000-8000-000000000001", "0b7e5c1a-0000-4000-8000-000000000001"},
	} {
		if got := csvSafe(c.in); got != c.want {
			t.Errorf("csvSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPrivacyAuditCSVBytes(t *testing.T) {
	actor, subject, listed := uuid.New(), uuid.New(), uuid.New()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	recs := []audit.Record{{Seq: 7, Time: at, Event: audit.Event{ActorUserID: actor, ActorRole: "privacy_officer",
		SubjectEmployeeID: subject, Action: audit.ActionRead, ObjectKind: "request", ObjectID: "=cmd|' /C calc'!A0",
		Outcome: audit.OutcomeOK, RequestID: "@req", ClientIP: netip.MustParseAddr("192.0.2.1"), Subjects: []uuid.UUID{listed}}}}
	got, err := csv.NewReader(strings.NewReader(string(privacyAuditCSVBytes(recs)))).ReadAll()
	if err != nil {
		t.Fatalf("privacyAuditCSVBytes is not CSV: %v", err)
	}
	if len(got) != 2 || !slices.Equal(got[0], privacyCSVHeader) {
		t.Fatalf("privacyAuditCSVBytes = %q, want the header and one row", got)
	}
	want := []string{"7", "2026-03-02T09:30:00Z", actor.String(), "privacy_officer", "", subject.String(), "", "read", "request",
		"'=cmd|' /C calc'!A0", "ok", "'@req", "192.0.2.1", listed.String()}
	if !slices.Equal(got[1], want) {
		t.Errorf("privacyAuditCSVBytes row = %q, want %q", got[1], want)
	}
}

func TestParsePrivacyAuditFilter(t *testing.T) {
	emp := uuid.New()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, access.Amsterdam) }
	for _, c := range []struct {
		name   string
		query  string
		want   audit.Filter
		fields []string
	}{
		{"empty", "", audit.Filter{}, nil},
		{"everything", "medewerker=" + emp.String() + "&handeling=read&uitkomst=denied&van=2026-03-01&tot=2026-03-02&na=40",
			audit.Filter{EmployeeID: emp, Action: audit.ActionRead, Outcome: audit.OutcomeDenied, From: day(2026, 3, 1),
				To: day(2026, 3, 3), After: 40}, nil},
		{"one day", "van=2026-03-01&tot=2026-03-01", audit.Filter{From: day(2026, 3, 1), To: day(2026, 3, 2)}, nil},
		{"bad ids", "medewerker=jan&gebruiker=42", audit.Filter{}, []string{"medewerker", "gebruiker"}},
		{"unknown action", "handeling=stelen", audit.Filter{}, []string{"handeling"}},
		{"unknown outcome", "uitkomst=misschien", audit.Filter{}, []string{"uitkomst"}},
		{"bad dates", "van=gisteren&tot=2026-13-01", audit.Filter{}, []string{"van", "tot"}},
		{"period backwards", "van=2026-03-05&tot=2026-03-01", audit.Filter{From: day(2026, 3, 5), To: day(2026, 3, 2)}, []string{"tot"}},
		{"negative page", "na=-1", audit.Filter{}, []string{"na"}},
		{"unknown parameter", "limit=5", audit.Filter{}, []string{"algemeen"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			f, _, fields := parsePrivacyAuditFilter(q)
			var names []string
			for k := range fields {
				names = append(names, k)
			}
			slices.Sort(names)
			slices.Sort(c.fields)
			if !slices.Equal(names, c.fields) {
				t.Errorf("parsePrivacyAuditFilter(%q) field errors on %q, want %q", c.query, names, c.fields)
			}
			if len(c.fields) == 0 && (f.EmployeeID != c.want.EmployeeID || f.Action != c.want.Action || f.Outcome != c.want.Outcome ||
				!f.From.Equal(c.want.From) || !f.To.Equal(c.want.To) || f.After != c.want.After) {
				t.Errorf("parsePrivacyAuditFilter(%q) = %+v, want %+v", c.query, f, c.want)
			}
		})
	}
}

// FuzzParsePrivacyAuditFilter: any query either parses into a filter the
// audit search accepts (valid action and outcome, a period forwards, a
// page from 0) and that its own query string gives back, or is refused
// with field errors.
func FuzzParsePrivacyAuditFilter(f *testing.F) {
	f.Add("medewerker=" + uuid.NewString() + "&handeling=read&van=2026-03-01&tot=2026-03-02&na=3")
	f.Add("uitkomst=ok&na=99999999999999999999")
	f.Add("van=2026-02-30&handeling=%00")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, p, fields := parsePrivacyAuditFilter(q)
		if len(fields) > 0 {
			return
		}
		if fl.Action != "" && !fl.Action.Valid() || fl.Outcome != "" && !fl.Outcome.Valid() || fl.After < 0 ||
			!fl.From.IsZero() && !fl.To.IsZero() && !fl.To.After(fl.From) {
			t.Fatalf("parsePrivacyAuditFilter(%q) = %+v without field errors", raw, fl)
		}
		again, err := url.ParseQuery(p.query(fl.After))
		if err != nil {
			t.Fatalf("query of %q = %q does not parse: %v", raw, p.query(fl.After), err)
		}
		fl2, _, fields2 := parsePrivacyAuditFilter(again)
		if len(fields2) > 0 || fl2.EmployeeID != fl.EmployeeID || fl2.ActorID != fl.ActorID || fl2.Action != fl.Action ||
			fl2.Outcome != fl.Outcome || !fl2.From.Equal(fl.From) || !fl2.To.Equal(fl.To) || fl2.After != fl.After {
			t.Fatalf("parsePrivacyAuditFilter(%q) = %+v; its query %q gives %+v %v", raw, fl, p.query(fl.After), fl2, fields2)
		}
	})
}

func TestParsePrivacyRegisterFilter(t *testing.T) {
	for _, c := range []struct {
		query    string
		statuses []rights.Status
		typ      rights.Type
		fields   []string
	}{
		{"", rights.OpenStatuses, "", nil},
		{"status=open&soort=erasure", rights.OpenStatuses, rights.TypeErasure, nil},
		{"status=alle", nil, "", nil},
		{"status=refused", []rights.Status{rights.StatusRefused}, "", nil},
		{"status=weg&soort=alles", rights.OpenStatuses, "", []string{"soort", "status"}},
	} {
		q, _ := url.ParseQuery(c.query)
		_, rf, fields := parsePrivacyRegisterFilter(q)
		var names []string
		for k := range fields {
			names = append(names, k)
		}
		slices.Sort(names)
		if !slices.Equal(rf.Statuses, c.statuses) || rf.Type != c.typ || !slices.Equal(names, c.fields) {
			t.Errorf("parsePrivacyRegisterFilter(%q) = %v %q, errors on %q; want %v %q, errors on %q",
				c.query, rf.Statuses, rf.Type, names, c.statuses, c.typ, c.fields)
		}
	}
}

func TestShortID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"abc", "abc"}, {"0b7e5c1a-0000-4000-8000-000000000001", "0b7e5c1a…"},
	} {
		if got := shortID(c.in); got != c.want {
			t.Errorf("shortID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
