package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestRequestRegister: the register lists requests of every tenant with
// the employee's name, filtered by status and type, open ones before
// decided ones, and stores the read's events in the same transaction; one
// entry reads back with its subject and its event, and a refused read or
// an unknown id stores none. Facts reads a request's record facts without
// changing anything, with the read's event.
func TestRequestRegister(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewRequestStore(w.hr)
	a, b := w.employer(), w.employer()
	empA, empB := w.employee(a), w.employee(b)
	w.exec(`UPDATE hr.employees SET first_name = 'Register', email = 'r@example.test' WHERE id = $1`, empB)
	privacy := w.user(access.RolePrivacyOfficer, uuid.Nil)
	today := day(time.Now().UTC().Format(time.DateOnly))
	file := func(emp, employer uuid.UUID, typ rights.Type, status rights.Status, due time.Time) rights.Request {
		t.Helper()
		r := rights.Request{ID: uuid.New(), EmployerID: employer, EmployeeID: emp, Type: typ, Status: rights.StatusReceived,
			ReceivedOn: due.AddDate(0, -1, 0), DueOn: due, FiledBy: privacy, UpdatedAt: time.Now().UTC()}
		if err := store.File(w.ctx, r, testEvent(privacy, audit.ActionCreate, "request"), rights.Notice{}); err != nil {
			t.Fatalf("File: %v", err)
		}
		ground := any(nil)
		if status == rights.StatusRefused {
			ground = rights.GroundLegalRetention
		}
		w.exec(`UPDATE hr.requests SET status = $2, ground = $3 WHERE id = $1`, r.ID, string(status), ground)
		r.Status = status
		return r
	}
	open := file(empA, a, rights.TypeErasure, rights.StatusReceived, today.AddDate(0, 1, 0))
	// Decided, and due long before: still listed after every open request.
	decided := file(empB, b, rights.TypeErasure, rights.StatusRefused, today.AddDate(-5, 0, 0))
	access_ := file(empB, b, rights.TypeAccess, rights.StatusInReview, today.AddDate(0, 1, 0))

	register := func(f rights.RegisterFilter) ([]rights.RegisterEntry, string) {
		t.Helper()
		ev := testEvent(privacy, audit.ActionRead, "request_register")
		es, err := store.Register(w.ctx, f, 100_000, func(es []rights.RegisterEntry) []audit.Event {
			if len(es) == 0 {
				return nil
			}
			return []audit.Event{ev}
		})
		if err != nil {
			t.Fatalf("Register(%+v): %v", f, err)
		}
		return es, ev.RequestID
	}
	pos := func(es []rights.RegisterEntry, id uuid.UUID) int {
		for i, e := range es {
			if e.ID == id {
				return i
			}
		}
		return -1
	}
	all, rid := register(rights.RegisterFilter{Type: rights.TypeErasure})
	if i, j := pos(all, open.ID), pos(all, decided.ID); i < 0 || j < 0 || j < i || pos(all, access_.ID) >= 0 {
		t.Errorf("Register(erasure) lists the open request at %d and the decided one at %d (access at %d); want both, open first, no access",
			i, j, pos(all, access_.ID))
	}
	for i, e := range all {
		if i > 0 && e.Open() && !all[i-1].Open() {
			t.Errorf("Register(erasure) lists open request %s after a decided one", e.ID)
		}
	}
	if i := pos(all, decided.ID); i >= 0 && (all[i].FirstName != "Register" || all[i].LastName != "Jansen" || all[i].EmployerID != b) {
		t.Errorf("Register entry = %+v, want the employee's name of tenant b", all[i])
	}
	if n := w.events(rid); n != 1 {
		t.Errorf("Register stored %d events, want 1", n)
	}
	openOnly, _ := register(rights.RegisterFilter{Statuses: rights.OpenStatuses})
	if pos(openOnly, open.ID) < 0 || pos(openOnly, access_.ID) < 0 || pos(openOnly, decided.ID) >= 0 {
		t.Errorf("Register(open) = %d entries; want the open erasure and access, not the refused one", len(openOnly))
	}

	ev := testEvent(privacy, audit.ActionRead, "request")
	e, err := store.Entry(w.ctx, access_.ID, func(e rights.RegisterEntry, s rights.Subject) (audit.Event, error) {
		if s.EmployeeID != empB || s.EmployerID != b {
			t.Errorf("Entry's subject = %+v, want employee %s of %s", s, empB, b)
		}
		return ev, nil
	})
	if err != nil || e.ID != access_.ID || e.FirstName != "Register" || e.Status != rights.StatusInReview || w.events(ev.RequestID) != 1 {
		t.Errorf("Entry = %+v, %v, %d events; want the request with the name and one event", e, err, w.events(ev.RequestID))
	}
	refused := testEvent(privacy, audit.ActionRead, "request")
	if _, err := store.Entry(w.ctx, access_.ID, func(rights.RegisterEntry, rights.Subject) (audit.Event, error) {
		return refused, derrors.ErrNotFound
	}); !errors.Is(err, derrors.ErrNotFound) || w.events(refused.RequestID) != 0 {
		t.Errorf("Entry refused by check = %v with %d events, want derrors.ErrNotFound and none", err, w.events(refused.RequestID))
	}
	if _, err := store.Entry(w.ctx, uuid.New(), func(rights.RegisterEntry, rights.Subject) (audit.Event, error) {
		return audit.Event{}, errors.New("must not be called")
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry(unknown id) = %v, want derrors.ErrNotFound", err)
	}

	fev := testEvent(privacy, audit.ActionRead, "request")
	var facts rights.RecordFacts
	got, err := store.Facts(w.ctx, decided.ID, func(r rights.Request, _ rights.Subject, f rights.RecordFacts) (audit.Event, error) {
		facts = f
		return fev, nil
	})
	if err != nil || got.ID != decided.ID || !facts.HasContact || facts.Erased || w.events(fev.RequestID) != 1 {
		t.Errorf("Facts = %+v, %+v, %v, %d events; want the request, contact details held, one event", got, facts, err, w.events(fev.RequestID))
	}
	if _, err := store.Facts(w.ctx, uuid.New(), func(rights.Request, rights.Subject, rights.RecordFacts) (audit.Event, error) {
		return audit.Event{}, errors.New("must not be called")
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Facts(unknown id) = %v, want derrors.ErrNotFound", err)
	}
}

// TestDirectoryLookups: an employee number names the employees that have
// it, at any employer; an e-mail address names its user whatever its
// case, and an unknown one is not found.
func TestDirectoryLookups(t *testing.T) {
	w := newWorld(t)
	dir := postgres.NewDirectory(w.hr)
	a, b := w.employer(), w.employer()
	one, two := w.employee(a), w.employee(b)
	number := "N-" + uuid.NewString()[:8]
	w.exec(`UPDATE hr.employees SET employee_number = $1 WHERE id = ANY ($2::uuid[])`, number, []uuid.UUID{one, two})
	if got, err := dir.EmployeesByNumber(w.ctx, number); err != nil || len(got) != 2 || !sameIDs(got, one, two) {
		t.Errorf("EmployeesByNumber(%q) = %v, %v; want %s and %s", number, got, err, one, two)
	}
	if got, err := dir.EmployeesByNumber(w.ctx, "GEEN-"+number); err != nil || len(got) != 0 {
		t.Errorf("EmployeesByNumber(unknown) = %v, %v; want none", got, err)
	}
	user := w.user(access.RolePrivacyOfficer, uuid.Nil)
	email := "u-" + user.String() + "@example.test"
	if got, err := dir.UserByEmail(w.ctx, strings.ToUpper(email)); err != nil || got != user {
		t.Errorf("UserByEmail(%q) = %s, %v; want %s", strings.ToUpper(email), got, err, user)
	}
	if _, err := dir.UserByEmail(w.ctx, "niemand-"+email); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("UserByEmail(unknown) = %v, want derrors.ErrNotFound", err)
	}
}
