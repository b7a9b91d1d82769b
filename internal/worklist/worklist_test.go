package worklist

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
)

// fakeDossiers answers InCare from a map of physician to dossiers and
// remembers whom it was asked about.
type fakeDossiers struct {
	by    map[uuid.UUID][]Dossier
	asked []uuid.UUID
}

func (f *fakeDossiers) InCare(_ context.Context, physicians []uuid.UUID, _ time.Time, limit int) ([]Dossier, error) {
	f.asked = slices.Clone(physicians)
	var out []Dossier
	for _, p := range physicians {
		out = append(out, f.by[p]...)
	}
	return out[:min(len(out), limit)], nil
}

// fakePeople answers from a map of people and records the events.
type fakePeople struct {
	people    map[uuid.UUID]Person
	requests  []Request
	statement *time.Time
	events    []audit.Event
	// sick are the employees with an open case at each physician's
	// employers (OpenCases).
	sick map[uuid.UUID][]uuid.UUID
}

func (f *fakePeople) People(_ context.Context, ids []uuid.UUID, events func([]Person) []audit.Event) ([]Person, []Request, error) {
	var out []Person
	for _, id := range ids {
		if p, ok := f.people[id]; ok {
			out = append(out, p)
		}
	}
	f.events = append(f.events, events(out)...)
	return out, f.requests, nil
}

func (f *fakePeople) Statement(context.Context, uuid.UUID) (uuid.UUID, time.Time, bool, error) {
	if f.statement == nil {
		return uuid.Nil, time.Time{}, false, nil
	}
	return uuid.New(), *f.statement, true, nil
}

func (f *fakePeople) OpenCases(_ context.Context, physicians []uuid.UUID, limit int) ([]uuid.UUID, error) {
	var out []uuid.UUID
	for _, p := range physicians {
		out = append(out, f.sick[p]...)
	}
	return out[:min(len(out), limit)], nil
}

func (f *fakePeople) Names(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	for _, id := range ids {
		out[id] = "Dokter " + id.String()[:4]
	}
	return out, nil
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestList: each grant reaches the dossiers of the physicians it acts for
// (own and stood in for; an assistant's named physician), the lists are
// derived as documented, one event names everyone listed, and an assistant
// without a valid statement sees nothing and is told why.
func TestList(t *testing.T) {
	me, absent, named, other := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	tenant := uuid.New()
	a1, a2, a3, a4 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	ds := &fakeDossiers{by: map[uuid.UUID][]Dossier{
		me:     {{EmployeeID: a1, LastConsultation: date("2026-03-10")}},
		absent: {{EmployeeID: a2, Answers: []Answer{{InformationRequestID: uuid.New(), AnsweredAt: date("2026-04-01")}}}},
		named:  {{EmployeeID: a3}},
		other:  {{EmployeeID: a4}},
	}}
	ps := &fakePeople{people: map[uuid.UUID]Person{
		a1: {EmployeeID: a1, EmployerID: tenant, FirstName: "Bram", LastName: "Bos", Case: &Case{FirstSickDay: date("2026-03-01")}},
		a2: {EmployeeID: a2, EmployerID: tenant, FirstName: "Anna", LastName: "Aal",
			Case: &Case{FirstSickDay: date("2026-03-01"), ProblemAnalysisDue: date("2026-04-11")}},
		a3: {EmployeeID: a3, EmployerID: tenant, FirstName: "Cor", LastName: "Cas"},
		a4: {EmployeeID: a4, EmployerID: tenant, FirstName: "Dirk", LastName: "Dam"},
	}, requests: []Request{{ID: uuid.New(), EmployeeID: a2, Due: date("2026-04-01")}, {ID: uuid.New(), EmployeeID: a4, Due: date("2026-04-01")}}}
	now := func() time.Time { return date("2026-04-20").Add(12 * time.Hour) }
	svc := NewService(ds, ps, now)
	actor := func(role access.Role, p access.Principal) access.Actor {
		p.UserID = me
		return access.Actor{Principal: p, Role: role, RequestID: "rid"}
	}
	names := func(rows []Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Name())
		}
		return out
	}

	t.Run("physician standing in", func(t *testing.T) {
		ps.events = nil
		w, err := svc.List(context.Background(), actor(access.RolePhysician, access.Principal{Substitutes: []uuid.UUID{absent}}))
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if got := names(w.People); !slices.Equal(got, []string{"Anna Aal", "Bram Bos"}) {
			t.Errorf("List(physician standing in for absent).People = %v, want [Anna Aal Bram Bos]", got)
		}
		// Bram had a consultation after his first sick day; Anna none.
		if got := names(w.Consultations); !slices.Equal(got, []string{"Anna Aal"}) {
			t.Errorf("List.Consultations = %v, want [Anna Aal]", got)
		}
		if got := names(w.ProblemAnalyses); !slices.Equal(got, []string{"Anna Aal"}) {
			t.Errorf("List.ProblemAnalyses = %v, want [Anna Aal]", got)
		}
		if len(w.Requests) != 1 || w.Requests[0].EmployeeID != a2 || !w.Requests[0].Overdue {
			t.Errorf("List.Requests = %+v, want Anna's overdue request only (never one of someone not listed)", w.Requests)
		}
		if len(w.Answers) != 1 || w.Answers[0].Name != "Anna Aal" {
			t.Errorf("List.Answers = %+v, want Anna's answer", w.Answers)
		}
		if len(ps.events) != 1 || !slices.Contains(ps.events[0].Subjects, a1) || !slices.Contains(ps.events[0].Subjects, a2) ||
			len(ps.events[0].Subjects) != 2 || ps.events[0].ObjectKind != "worklist" || ps.events[0].TenantID != tenant {
			t.Errorf("List events = %+v, want one worklist event naming a1 and a2 in the tenant", ps.events)
		}
	})
	t.Run("assistant with a statement", func(t *testing.T) {
		ps.events = nil
		w, err := svc.List(context.Background(), actor(access.RoleMedicalAssistant, access.Principal{ActsForPhysicians: []uuid.UUID{named}}))
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if got := names(w.People); !slices.Equal(got, []string{"Cor Cas"}) || len(w.OnBehalfOf) != 1 || w.Blocked != BlockedNone {
			t.Errorf("List(assistant) = %v on behalf of %v (%q), want [Cor Cas] on behalf of one physician", got, w.OnBehalfOf, w.Blocked)
		}
		if len(ps.events) != 1 || ps.events[0].OnBehalfOf != named {
			t.Errorf("List(assistant) events = %+v, want one on behalf of %s", ps.events, named)
		}
	})
	for _, tc := range []struct {
		name      string
		statement *time.Time
		want      Blocked
	}{{"assistant with an expired statement", new(date("2026-04-19")), BlockedExpired}, {"assistant without a statement", nil, BlockedMissing}} {
		t.Run(tc.name, func(t *testing.T) {
			ps.events, ps.statement, ds.asked = nil, tc.statement, nil
			w, err := svc.List(context.Background(), actor(access.RoleMedicalAssistant, access.Principal{}))
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if w.Blocked != tc.want || len(w.People) != 0 || len(ps.events) != 0 || ds.asked != nil {
				t.Errorf("List(%s) = %q with %d people, %d events, dossiers asked %v; want %q, nothing read", tc.name, w.Blocked,
					len(w.People), len(ps.events), ds.asked, tc.want)
			}
		})
	}
	t.Run("a sick employee without a dossier yet", func(t *testing.T) {
		// a5 is newly sick at an employer of mine and has no dossier; a6
		// at another physician's employer.
		a5, a6 := uuid.New(), uuid.New()
		ps.people[a5] = Person{EmployeeID: a5, EmployerID: tenant, FirstName: "Eva", LastName: "Eik",
			Case: &Case{FirstSickDay: date("2026-04-18"), ProblemAnalysisDue: date("2026-05-29")}}
		ps.people[a6] = Person{EmployeeID: a6, EmployerID: tenant, FirstName: "Fer", LastName: "Flo", Case: &Case{FirstSickDay: date("2026-04-18")}}
		ps.sick = map[uuid.UUID][]uuid.UUID{me: {a5, a1}, other: {a6}}
		defer func() { ps.sick = nil; delete(ps.people, a5); delete(ps.people, a6) }()
		ps.events = nil
		w, err := svc.List(context.Background(), actor(access.RolePhysician, access.Principal{}))
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if got := names(w.People); !slices.Equal(got, []string{"Bram Bos", "Eva Eik"}) {
			t.Errorf("List(physician with a new sick report).People = %v, want [Bram Bos Eva Eik] (Bram once)", got)
		}
		if got := names(w.Consultations); !slices.Equal(got, []string{"Eva Eik"}) {
			t.Errorf("List.Consultations = %v, want [Eva Eik]", got)
		}
		if got := names(w.ProblemAnalyses); !slices.Equal(got, []string{"Eva Eik"}) {
			t.Errorf("List.ProblemAnalyses = %v, want [Eva Eik]", got)
		}
		if len(ps.events) != 1 || !slices.Contains(ps.events[0].Subjects, a5) || slices.Contains(ps.events[0].Subjects, a6) {
			t.Errorf("List events = %+v, want one naming a5 and never a6", ps.events)
		}
	})
	t.Run("another role", func(t *testing.T) {
		ds.asked = []uuid.UUID{uuid.New()}
		w, err := svc.List(context.Background(), actor(access.RoleCaseManager, access.Principal{}))
		if err != nil || len(w.People) != 0 || len(ds.asked) != 0 {
			t.Errorf("List(case manager) = %+v, %v, asked %v; want nothing", w, err, ds.asked)
		}
	})
}
