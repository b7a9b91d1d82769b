package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestReleaseStoreChosen: a release of chosen entries snapshots those
// entries with the versions they correct, nothing else; a chosen working
// note or an entry of another dossier is a field error and writes nothing.
func TestReleaseStoreChosen(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewReleaseStore(w.med)
	entries := postgres.NewDossierStore(w.med)
	employee, other, physician := uuid.New(), uuid.New(), uuid.New()
	d, od := w.dossier(employee, physician), w.dossier(other, physician)
	v1 := sealedEntry(d, physician, dossier.KindConsultation, uuid.Nil)
	v2 := sealedEntry(d, physician, dossier.KindConsultation, v1.ID)
	left := sealedEntry(d, physician, dossier.KindNote, uuid.Nil)
	note := sealedEntry(d, physician, dossier.KindWorkingNote, uuid.Nil)
	elsewhere := sealedEntry(od, physician, dossier.KindNote, uuid.Nil)
	for _, x := range []struct {
		e dossier.SealedEntry
		d dossier.Dossier
	}{{v1, d}, {v2, d}, {left, d}, {note, d}, {elsewhere, od}} {
		if err := entries.InsertEntry(w.ctx, x.e, x.d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
			t.Fatalf("InsertEntry: %v", err)
		}
	}
	release := func(chosen ...uuid.UUID) (rights.Release, audit.Event, error) {
		ev := testEvent(physician, audit.ActionRelease, "release")
		r, err := store.CreateRelease(w.ctx, rights.Release{ID: uuid.New(), EmployeeID: employee, RequestID: uuid.New(),
			ReleasedBy: physician, ReleasedAt: time.Now().UTC().Truncate(time.Microsecond), Chosen: chosen}, ev)
		return r, ev, err
	}
	for name, chosen := range map[string][]uuid.UUID{
		"a working note":              {v2.ID, note.ID},
		"an entry of another dossier": {v2.ID, elsewhere.ID},
		"an unknown id":               {uuid.New()},
	} {
		r, ev, err := release(chosen...)
		var fe derrors.FieldErrors
		if !errors.As(err, &fe) || fe["entry_ids"] == "" {
			t.Errorf("CreateRelease(chosen: %s) = %+v, %v; want a field error on entry_ids", name, r, err)
		}
		if n := w.events(ev.RequestID); n != 0 {
			t.Errorf("CreateRelease(chosen: %s) stored %d events, want none", name, n)
		}
	}
	var n int
	if err := w.owner.QueryRow(w.ctx, `SELECT count(*) FROM medical.releases WHERE employee_id = $1`, employee).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused releases left %d releases (%v), want none", n, err)
	}

	r, ev, err := release(v2.ID, v2.ID)
	if err != nil || r.Entries != 2 {
		t.Fatalf("CreateRelease(chosen: the corrected entry) = %+v, %v; want its 2 versions", r, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("CreateRelease stored %d events, want 1", n)
	}
	_, items, err := store.Release(w.ctx, r.ID, func(rights.Release) (audit.Event, error) {
		return testEvent(employee, audit.ActionRead, "release"), nil
	})
	if got := ids(items, func(e dossier.SealedEntry) uuid.UUID { return e.ID }); err != nil || !equalIDs(got, []uuid.UUID{v1.ID, v2.ID}) {
		t.Errorf("Release(chosen) reads %v, %v; want v1 and v2 only", got, err)
	}
}

// TestRequestStoreEntry: a request reads back with its subject and the
// event check returns; a refusal writes nothing and an unknown request is
// not found.
func TestRequestStoreEntry(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewRequestStore(w.hr)
	a := w.employer()
	emp := w.employee(a)
	physician := w.user(access.RolePhysician, uuid.Nil)
	w.assign(a, physician)
	today := day(time.Now().UTC().Format(time.DateOnly))
	r := rights.Request{ID: uuid.New(), EmployerID: a, EmployeeID: emp, Type: rights.TypeCopy, Status: rights.StatusReceived,
		ReceivedOn: today, DueOn: today.AddDate(0, 1, 0), FiledBy: physician, UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := store.File(w.ctx, r, testEvent(physician, audit.ActionCreate, "request"), rights.Notice{}); err != nil {
		t.Fatalf("File: %v", err)
	}
	ev := testEvent(physician, audit.ActionRead, "request")
	var seen rights.Subject
	got, err := store.Entry(w.ctx, r.ID, func(_ rights.RegisterEntry, s rights.Subject) (audit.Event, error) { seen = s; return ev, nil })
	if err != nil || got.ID != r.ID || got.Type != rights.TypeCopy || seen.EmployeeID != emp || seen.PhysicianID != physician {
		t.Errorf("Entry = %+v (subject %+v), %v; want the request and its subject", got, seen, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Entry stored %d events, want 1", n)
	}
	refused := testEvent(physician, audit.ActionRead, "request")
	if _, err := store.Entry(w.ctx, r.ID, func(rights.RegisterEntry, rights.Subject) (audit.Event, error) {
		return refused, derrors.ErrNotFound
	}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry(refused) = %v, want derrors.ErrNotFound", err)
	}
	if n := w.events(refused.RequestID); n != 0 {
		t.Errorf("Entry(refused) stored %d events, want none", n)
	}
	if _, err := store.Entry(w.ctx, uuid.New(), func(rights.RegisterEntry, rights.Subject) (audit.Event, error) { return ev, nil }); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry(unknown id) = %v, want derrors.ErrNotFound", err)
	}
}

// TestFitnessStorePerson: the person reads back with the employer's
// setting and assigned physician and the event, within scope only.
func TestFitnessStorePerson(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewFitnessStore(w.hr)
	a, b := w.employer(), w.employer()
	emp := w.employee(a)
	physician := w.user(access.RolePhysician, uuid.Nil)
	w.assign(a, physician)
	w.exec(`UPDATE hr.employers SET share_advice_with_employer = true WHERE id = $1`, a)
	ev := testEvent(physician, audit.ActionRead, "advice_recipients")
	p, err := store.Person(w.ctx, only(a), emp, func(fitness.Person) (audit.Event, error) { return ev, nil })
	if err != nil || p.EmployeeID != emp || p.EmployerID != a || !p.ShareAdvice || p.PhysicianID != physician || p.UserID != uuid.Nil {
		t.Errorf("Person = %+v, %v; want the employee of a, sharing advice, with its physician and no login", p, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Person stored %d events, want 1", n)
	}
	if _, err := store.Person(w.ctx, only(b), emp, func(fitness.Person) (audit.Event, error) { return ev, nil }); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Person(scope b) = %v, want derrors.ErrNotFound", err)
	}
}

// TestRequestStoreUnattendedQueue: the unattended queue lists the open
// medical requests of employers whose assigned physician is absent today
// or who have none, never those of an employer whose physician is there,
// nor HR requests.
func TestRequestStoreUnattendedQueue(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewRequestStore(w.hr)
	absentT, presentT, noneT := w.employer(), w.employer(), w.employer()
	absent, present, sub := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil)
	admin, lead := w.user(access.RoleAdmin, uuid.Nil), w.user(access.RoleLeadPhysician, uuid.Nil)
	w.assign(absentT, absent)
	w.assign(presentT, present)
	today := day(time.Now().UTC().Format(time.DateOnly))
	w.exec(`INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, $3, $4, 'active', $5, $6, now())`, absent, sub, today.AddDate(0, 0, -2), today.AddDate(0, 0, 5), admin, lead)
	file := func(tenant uuid.UUID, typ rights.Type) uuid.UUID {
		t.Helper()
		emp := w.employee(tenant)
		r := rights.Request{ID: uuid.New(), EmployerID: tenant, EmployeeID: emp, Type: typ, Status: rights.StatusReceived,
			ReceivedOn: today, DueOn: today.AddDate(0, 1, 0), FiledBy: lead, UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)}
		if err := store.File(w.ctx, r, testEvent(lead, audit.ActionCreate, "request"), rights.Notice{}); err != nil {
			t.Fatalf("File: %v", err)
		}
		return r.ID
	}
	ofAbsent, ofPresent, ofNone := file(absentT, rights.TypeCopy), file(presentT, rights.TypeCopy), file(noneT, rights.TypeDestruction)
	hrOfAbsent := file(absentT, rights.TypeAccess)
	rs, err := store.Queue(w.ctx, rights.QueueFilter{Medical: true, Unattended: true}, 100000,
		func([]rights.Request) []audit.Event { return nil })
	if err != nil {
		t.Fatalf("Queue(unattended): %v", err)
	}
	got := map[uuid.UUID]bool{}
	for _, r := range rs {
		got[r.ID] = true
	}
	for name, c := range map[string]struct {
		id   uuid.UUID
		want bool
	}{
		"of an absent physician": {ofAbsent, true}, "of a present physician": {ofPresent, false},
		"of an employer without a physician": {ofNone, true}, "an HR request": {hrOfAbsent, false},
	} {
		if got[c.id] != c.want {
			t.Errorf("Queue(unattended) lists the request %s: %t, want %t", name, got[c.id], c.want)
		}
	}
}
