package postgres_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestEmployeeStore: an employee created in scope reads back and updates
// as stored, each with its event; another tenant's scope can neither
// create at, read nor change the employer's employees, and an unknown id
// is not found.
func TestEmployeeStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewEmployeeStore(w.hr)
	a, b := w.employer(), w.employer()
	actor := uuid.New()
	in := employee.Employee{ID: uuid.New(), EmployerID: a, EmployeeNumber: "P-1", FirstName: "Piet", LastName: "de Vries",
		DateOfBirth: day("1985-03-04"), EmploymentStart: day("2021-05-01"), Email: "piet@example.test",
		Sealed: employee.SealedBSN{Ciphertext: "vault:v1:bsn", Hash: "hash-" + uuid.NewString()}}

	if _, err := store.Create(w.ctx, only(b), in, testEvent(actor, audit.ActionCreate, "employee")); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Create(at tenant a, scope b) = %v, want derrors.ErrNotFound", err)
	}
	ev := testEvent(actor, audit.ActionCreate, "employee")
	created, err := store.Create(w.ctx, only(a), in, ev)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Create stored %d events, want 1", n)
	}
	read := func(scope access.Scope, id uuid.UUID) (employee.Employee, string, error) {
		ev := testEvent(actor, audit.ActionRead, "employee")
		e, err := store.Get(w.ctx, scope, id, func(employee.Employee) (audit.Event, error) { return ev, nil })
		return e, ev.RequestID, err
	}
	got, rid, err := read(only(a), in.ID)
	if err != nil || got.ID != in.ID || got.EmployerID != a || got.EmployeeNumber != in.EmployeeNumber || got.LastName != in.LastName ||
		!got.DateOfBirth.Equal(in.DateOfBirth) || got.Email != in.Email || got.Sealed != in.Sealed || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("Get(scope a, %s) = %+v, %v; want %+v", in.ID, got, err, created)
	}
	if n := w.events(rid); n != 1 {
		t.Errorf("Get stored %d events, want 1", n)
	}
	for _, tc := range []struct {
		name  string
		scope access.Scope
		id    uuid.UUID
	}{
		{"another tenant's scope", only(b), in.ID},
		{"an unknown id", access.Scope{All: true}, uuid.New()},
	} {
		got, rid, err := read(tc.scope, tc.id)
		if !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Get(%s) = %+v, %v; want derrors.ErrNotFound", tc.name, got, err)
		}
		if n := w.events(rid); n != 0 {
			t.Errorf("Get(%s) stored %d events, want none", tc.name, n)
		}
		if _, err := store.Update(w.ctx, tc.scope, tc.id, func(e *employee.Employee) (audit.Event, error) {
			return audit.Event{}, errors.New("must not be called")
		}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Update(%s) = %v, want derrors.ErrNotFound", tc.name, err)
		}
	}

	updated, err := store.Update(w.ctx, only(a), in.ID, func(e *employee.Employee) (audit.Event, error) {
		e.LastName, e.Phone = "de Vries-Bakker", "0612345678"
		return testEvent(actor, audit.ActionUpdate, "employee"), nil
	})
	if err != nil || updated.LastName != "de Vries-Bakker" || updated.Phone != "0612345678" || updated.Email != in.Email {
		t.Errorf("Update(last name, phone) = %+v, %v; want them changed and the rest kept", updated, err)
	}
	if got, _, err := read(only(a), in.ID); err != nil || got.LastName != updated.LastName || got.Phone != updated.Phone {
		t.Errorf("Get after Update = %+v, %v; want %+v", got, err, updated)
	}
}

// TestEmployeeStoreCreateMany: an import creates every employee with its
// event, only at an employer in scope, and reports numbers already used
// at the employer per row without writing anything.
func TestEmployeeStoreCreateMany(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewEmployeeStore(w.hr)
	a, b := w.employer(), w.employer()
	actor := uuid.New()
	person := func(number string) employee.Employee {
		return employee.Employee{ID: uuid.New(), EmployerID: a, EmployeeNumber: number, FirstName: "Import", LastName: number,
			DateOfBirth: day("1990-01-01"), EmploymentStart: day("2022-01-01")}
	}
	events := func(n int) ([]audit.Event, string) {
		rid := "store-" + uuid.NewString()
		evs := make([]audit.Event, n)
		for i := range evs {
			evs[i] = audit.Event{ActorUserID: actor, Action: audit.ActionCreate, ObjectKind: "employee", Outcome: audit.OutcomeOK, RequestID: rid}
		}
		return evs, rid
	}
	batch := []employee.Employee{person("I-1"), person("I-2")}

	evs, rid := events(2)
	if _, err := store.CreateMany(w.ctx, only(b), a, batch, evs); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("CreateMany(at a, scope b) = %v, want derrors.ErrNotFound", err)
	}
	if _, err := store.CreateMany(w.ctx, access.Scope{All: true}, uuid.New(), batch, evs); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("CreateMany(at an unknown employer) = %v, want derrors.ErrNotFound", err)
	}
	got, err := store.CreateMany(w.ctx, only(a), a, batch, evs)
	if err != nil || len(got) != 2 || got[0].ID != batch[0].ID || got[1].EmployeeNumber != "I-2" || got[1].EmployerID != a {
		t.Fatalf("CreateMany(2 employees) = %+v, %v; want both stored", got, err)
	}
	if n := w.events(rid); n != 2 {
		t.Errorf("CreateMany stored %d events, want 2", n)
	}

	evs, rid = events(2)
	_, err = store.CreateMany(w.ctx, only(a), a, []employee.Employee{person("I-3"), person("I-1")}, evs)
	var fe derrors.FieldErrors
	if !errors.As(err, &fe) || fe["row 2: employee_number"] == "" || len(fe) != 1 {
		t.Errorf("CreateMany(a number in use at row 2) = %v, want a field error on row 2's employee_number only", err)
	}
	if n := w.events(rid); n != 0 {
		t.Errorf("CreateMany(refused) stored %d events, want none", n)
	}
}
