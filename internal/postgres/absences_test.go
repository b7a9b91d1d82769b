package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestAbsenceStore: a reported case reads back with its facts, its notes
// and its work-list milestone within the tenant's scope; another tenant's
// scope finds neither the case, its employee, its employer's overview nor
// its milestone, and an unknown case is not found.
func TestAbsenceStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewAbsenceStore(w.hr)
	a, b := w.employer(), w.employer()
	emp := w.employee(a)
	cm := w.user(access.RoleCaseManager, a)
	firstDay := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -30)
	allow := func(action audit.Action) func(absence.Absence) (audit.Event, error) {
		return func(absence.Absence) (audit.Event, error) { return testEvent(cm, action, "absence"), nil }
	}
	report := func(e absence.Employee, latest *absence.Absence) (absence.Absence, absence.Mutation, error) {
		c := absence.Absence{ID: uuid.New(), EmployerID: e.EmployerID, EmployeeID: e.ID, FirstSickDay: firstDay, Percentage: 100,
			Status: absence.CaseOpen}
		return c, absence.Mutation{New: true,
			Changes:    []absence.Change{{ID: uuid.New(), Kind: absence.ChangeReport, EffectiveOn: firstDay, Percentage: 100}},
			Milestones: []absence.Milestone{{Kind: absence.KindProblemAnalysis, Due: firstDay.AddDate(0, 0, 41), Status: absence.StatusOpen}},
			Event:      testEvent(cm, audit.ActionCreate, "absence")}, nil
	}

	if _, err := store.Report(w.ctx, only(b), emp, report); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Report(employee of a, scope b) = %v, want derrors.ErrNotFound", err)
	}
	reported, err := store.Report(w.ctx, only(a), emp, report)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	got, err := store.Get(w.ctx, only(a), reported.ID, allow(audit.ActionRead))
	if err != nil || got.EmployeeID != emp || got.EmployerID != a || !got.FirstSickDay.Equal(firstDay) || got.Percentage != 100 ||
		got.Status != absence.CaseOpen || len(got.Changes) != 1 || got.Changes[0].Kind != absence.ChangeReport ||
		!got.EmploymentStart.Equal(day("2020-01-01")) || got.CreatedAt.IsZero() {
		t.Errorf("Get(reported case) = %+v, %v; want the case as reported", got, err)
	}
	for _, tc := range []struct {
		name  string
		scope access.Scope
		id    uuid.UUID
	}{
		{"another tenant's scope", only(b), reported.ID},
		{"an unknown case", access.Scope{All: true}, uuid.New()},
	} {
		if got, err := store.Get(w.ctx, tc.scope, tc.id, allow(audit.ActionRead)); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Get(%s) = %+v, %v; want derrors.ErrNotFound", tc.name, got, err)
		}
	}
	if cases, err := store.ListForEmployee(w.ctx, only(b), emp, func(absence.Employee) (audit.Event, error) {
		return testEvent(cm, audit.ActionRead, "absence"), nil
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("ListForEmployee(employee of a, scope b) = %v, %v; want derrors.ErrNotFound", cases, err)
	}

	// Notes: added, listed, and redacted once.
	note := absence.Note{ID: uuid.New(), AbsenceID: reported.ID, Body: "Gebeld, volgende week weer contact.", AuthorID: cm,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if _, err := store.AddNote(w.ctx, only(a), note, allow(audit.ActionCreate)); err != nil {
		t.Fatalf("AddNote: %v", err)
	}
	notes, err := store.Notes(w.ctx, only(a), reported.ID, allow(audit.ActionRead))
	if err != nil || len(notes) != 1 || notes[0].Body != note.Body || notes[0].AuthorID != cm {
		t.Errorf("Notes = %+v, %v; want the one note", notes, err)
	}
	redacted, err := store.RedactNote(w.ctx, only(a), note.ID, cm, "medisch detail", note.CreatedAt, allow(audit.ActionUpdate))
	if err != nil || redacted.Body != "" || redacted.RedactionReason != "medisch detail" || redacted.RedactedBy != cm {
		t.Errorf("RedactNote = %+v, %v; want the text gone, who and why kept", redacted, err)
	}
	if _, err := store.RedactNote(w.ctx, only(a), note.ID, cm, "again", note.CreatedAt, allow(audit.ActionUpdate)); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("RedactNote(redacted note) = %v, want derrors.ErrConflict", err)
	}
	if _, err := store.RedactNote(w.ctx, only(b), note.ID, cm, "other tenant", note.CreatedAt, allow(audit.ActionUpdate)); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("RedactNote(scope b) = %v, want derrors.ErrNotFound", err)
	}

	// The work list and the overview.
	noEvents := func([]absence.Signal) []audit.Event { return nil }
	until := firstDay.AddDate(0, 0, 60)
	if sigs, err := store.Signals(w.ctx, only(a), until, nil, 50, nil, noEvents); err != nil || len(sigs) != 1 ||
		sigs[0].AbsenceID != reported.ID || sigs[0].Kind != absence.KindProblemAnalysis || sigs[0].EmployeeName != "Anna Jansen" {
		t.Errorf("Signals(scope a) = %+v, %v; want the case's problem analysis", sigs, err)
	}
	if sigs, err := store.Signals(w.ctx, only(b), until, nil, 50, nil, noEvents); err != nil || len(sigs) != 0 {
		t.Errorf("Signals(scope b) = %+v, %v; want none", sigs, err)
	}
	noRowEvents := func([]absence.OverviewRow) []audit.Event { return nil }
	rows, err := store.Overview(w.ctx, only(a), a, nil, noRowEvents)
	if err != nil || len(rows) != 1 || rows[0].EmployeeID != emp || rows[0].AbsenceID != reported.ID || rows[0].Percentage != 100 ||
		rows[0].NextMilestone == nil || rows[0].NextMilestone.Kind != absence.KindProblemAnalysis {
		t.Errorf("Overview(a) = %+v, %v; want the employee with the open case and its next milestone", rows, err)
	}
	if rows, err := store.Overview(w.ctx, only(b), a, nil, noRowEvents); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Overview(a, scope b) = %+v, %v; want derrors.ErrNotFound", rows, err)
	}
}
