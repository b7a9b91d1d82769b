package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestRecordStore: applying a request shows the decision the facts of the
// subject's record (its cases among them) and applies the effect in the
// same transaction as the request's change; an unknown request is not
// found and applies nothing.
func TestRecordStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewRequestStore(w.hr)
	a := w.employer()
	emp := w.employee(a)
	privacy := w.user(access.RolePrivacyOfficer, uuid.Nil)
	closedCase := uuid.New()
	w.exec(`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, status, closed_on, close_reason, created_by)
		VALUES ($1, $2, $3, '2025-01-06', 0, 'closed', '2025-02-03', 'recovered', $4)`, closedCase, a, emp, privacy)
	w.exec(`UPDATE hr.employees SET email = 'anna@example.test' WHERE id = $1`, emp)
	today := day(time.Now().UTC().Format(time.DateOnly))
	r := rights.Request{ID: uuid.New(), EmployerID: a, EmployeeID: emp, Type: rights.TypeRestriction, Status: rights.StatusReceived,
		ReceivedOn: today, DueOn: today.AddDate(0, 1, 0), FiledBy: privacy, UpdatedAt: time.Now().UTC()}
	if err := store.File(w.ctx, r, testEvent(privacy, audit.ActionCreate, "request"), rights.Notice{}); err != nil {
		t.Fatalf("File: %v", err)
	}
	decider := w.user(access.RolePrivacyOfficer, uuid.Nil)
	var facts rights.RecordFacts
	applied, err := store.Apply(w.ctx, r.ID, func(x *rights.Request, _ rights.Subject, f rights.RecordFacts) (rights.Effect, audit.Event, rights.Notice, error) {
		facts = f
		x.Status, x.DecidedBy, x.DecidedAt = rights.StatusGranted, decider, time.Now().UTC()
		return rights.Effect{Restrict: true}, testEvent(privacy, audit.ActionUpdate, "request"), rights.Notice{}, nil
	})
	if err != nil || applied.Status != rights.StatusGranted {
		t.Fatalf("Apply(restrict) = %+v, %v; want it granted", applied, err)
	}
	if !facts.HasContact || facts.HasBSN || facts.Restricted || facts.Erased || len(facts.Cases) != 1 ||
		facts.Cases[0].ID != closedCase || facts.Cases[0].Open || !facts.Cases[0].ClosedOn.Equal(day("2025-02-03")) {
		t.Errorf("Apply showed the facts %+v; want contact details, no BSN, one closed case", facts)
	}
	var restricted bool
	if err := w.owner.QueryRow(w.ctx, `SELECT restricted_since IS NOT NULL FROM hr.employees WHERE id = $1`, emp).Scan(&restricted); err != nil || !restricted {
		t.Errorf("after Apply(restrict) the record is restricted: %v (%v), want true", restricted, err)
	}
	if _, err := store.Apply(w.ctx, uuid.New(), func(*rights.Request, rights.Subject, rights.RecordFacts) (rights.Effect, audit.Event, rights.Notice, error) {
		return rights.Effect{}, audit.Event{}, rights.Notice{}, errors.New("must not be called")
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Apply(unknown id) = %v, want derrors.ErrNotFound", err)
	}
}
