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

// TestRequestStore: a filed request reads back with its subject, in the
// employee's own list and in the queue of its tenant, changes under a
// lock with its event and notice; another tenant's queue does not list
// it, and an unknown request, employee or login is not found.
func TestRequestStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewRequestStore(w.hr)
	a, b := w.employer(), w.employer()
	emp := w.employee(a)
	login := w.user(access.RoleEmployee, a)
	w.exec(`UPDATE hr.employees SET user_id = $1 WHERE id = $2`, login, emp)
	physician, privacy := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePrivacyOfficer, uuid.Nil)
	w.assign(a, physician)
	today := day(time.Now().UTC().Format(time.DateOnly))
	r := rights.Request{ID: uuid.New(), EmployerID: a, EmployeeID: emp, Type: rights.TypeAccess, Status: rights.StatusReceived,
		ReceivedOn: today, DueOn: today.AddDate(0, 1, 0), FiledBy: login, UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	ev := testEvent(login, audit.ActionCreate, "request")
	if err := store.File(w.ctx, r, ev, rights.Notice{Kind: "request", Subject: "Verzoek ontvangen", Body: "Uw verzoek is ontvangen."}); err != nil {
		t.Fatalf("File: %v", err)
	}
	var notices int
	if err := w.owner.QueryRow(w.ctx, `SELECT count(*) FROM hr.notifications WHERE user_id = $1`, login).Scan(&notices); err != nil || notices != 1 {
		t.Errorf("File left %d notices for the employee (%v), want 1", notices, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("File stored %d events, want 1", n)
	}

	mine, err := store.Mine(w.ctx, emp, testEvent(login, audit.ActionRead, "requests"))
	if err != nil || len(mine) != 1 || mine[0].ID != r.ID || mine[0].Type != rights.TypeAccess || !mine[0].DueOn.Equal(r.DueOn) ||
		mine[0].FiledBy != login || mine[0].Status != rights.StatusReceived {
		t.Errorf("Mine = %+v, %v; want the filed request", mine, err)
	}
	got, subj, err := store.Request(w.ctx, r.ID)
	if err != nil || got.ID != r.ID || subj.EmployeeID != emp || subj.EmployerID != a || subj.UserID != login ||
		subj.PhysicianID != physician || subj.PhysicianAbsent || !subj.DateOfBirth.Equal(day("1980-01-01")) {
		t.Errorf("Request = %+v, subject %+v, %v; want the request and its subject", got, subj, err)
	}
	if s, err := store.SubjectOf(w.ctx, login); err != nil || s.EmployeeID != emp {
		t.Errorf("SubjectOf(the employee's login) = %+v, %v; want employee %s", s, err, emp)
	}
	for name, read := range map[string]func() error{
		"Request(unknown id)":     func() error { _, _, err := store.Request(w.ctx, uuid.New()); return err },
		"Subject(unknown id)":     func() error { _, err := store.Subject(w.ctx, uuid.New()); return err },
		"SubjectOf(a staff user)": func() error { _, err := store.SubjectOf(w.ctx, physician); return err },
	} {
		if err := read(); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("%s = %v, want derrors.ErrNotFound", name, err)
		}
	}

	queue := func(scope access.Scope) []uuid.UUID {
		rs, err := store.Queue(w.ctx, rights.QueueFilter{Scope: scope}, 500, func([]rights.Request) []audit.Event { return nil })
		if err != nil {
			t.Fatalf("Queue(%+v): %v", scope, err)
		}
		return ids(rs, func(r rights.Request) uuid.UUID { return r.ID })
	}
	if q := queue(only(a)); !sameIDs(q, r.ID) {
		t.Errorf("Queue(scope a) = %v, want [%s]", q, r.ID)
	}
	if q := queue(only(b)); len(q) != 0 {
		t.Errorf("Queue(scope b) = %v, want none", q)
	}

	updated, err := store.Update(w.ctx, r.ID, func(x *rights.Request, s rights.Subject) (audit.Event, rights.Notice, error) {
		x.Status, x.DecidedBy, x.DecidedAt = rights.StatusInReview, privacy, time.Now().UTC()
		return testEvent(privacy, audit.ActionUpdate, "request"), rights.Notice{Kind: "request", Subject: "In behandeling", Body: "."}, nil
	})
	if err != nil || updated.Status != rights.StatusInReview {
		t.Errorf("Update(in review) = %+v, %v; want status in_review", updated, err)
	}
	if got, _, err := store.Request(w.ctx, r.ID); err != nil || got.Status != rights.StatusInReview || got.DecidedBy != privacy {
		t.Errorf("Request after Update = %+v, %v; want it in review", got, err)
	}
	if _, err := store.Update(w.ctx, uuid.New(), func(*rights.Request, rights.Subject) (audit.Event, rights.Notice, error) {
		return audit.Event{}, rights.Notice{}, errors.New("must not be called")
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Update(unknown id) = %v, want derrors.ErrNotFound", err)
	}
}
