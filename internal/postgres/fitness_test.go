package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestFitnessStore: verdicts and advice are stored with their events and
// read back within the employee's tenant, whose assigned physician the
// rules are told; another tenant's scope, an unknown employee or verdict,
// and a case of someone else are refused.
func TestFitnessStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewFitnessStore(w.hr)
	a, b := w.employer(), w.employer()
	emp, someoneElse := w.employee(a), w.employee(a)
	physician := w.user(access.RolePhysician, uuid.Nil)
	w.assign(a, physician)
	otherCase := uuid.New()
	w.exec(`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, created_by)
		VALUES ($1, $2, $3, current_date - 10, 100, $4)`, otherCase, a, someoneElse, physician)
	var person fitness.Person
	write := func(p fitness.Person) (audit.Event, []fitness.Message, error) {
		person = p
		return testEvent(physician, audit.ActionCreate, "verdict"), nil, nil
	}
	read := func(p fitness.Person) (audit.Event, error) {
		return testEvent(physician, audit.ActionRead, "verdicts"), nil
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	verdict := fitness.Verdict{ID: uuid.New(), EmployeeID: emp, Kind: fitness.KindAbsence, Verdict: "partly_fit", WorkAbilityPercentage: 50,
		Date: day("2026-03-02"), RecordedBy: physician, RecordedAt: now}

	if _, err := store.AddVerdict(w.ctx, only(b), verdict, write); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("AddVerdict(employee of a, scope b) = %v, want derrors.ErrNotFound", err)
	}
	wrongCase := verdict
	wrongCase.ID, wrongCase.AbsenceID = uuid.New(), otherCase
	var fe derrors.FieldErrors
	if _, err := store.AddVerdict(w.ctx, only(a), wrongCase, write); !errors.As(err, &fe) || fe["absence_id"] == "" {
		t.Errorf("AddVerdict(a case of someone else) = %v, want a field error on absence_id", err)
	}
	if _, err := store.AddVerdict(w.ctx, only(a), verdict, write); err != nil {
		t.Fatalf("AddVerdict: %v", err)
	}
	if person.EmployeeID != emp || person.EmployerID != a || person.PhysicianID != physician || person.ShareAdvice {
		t.Errorf("AddVerdict told the rules %+v; want employee %s of %s, physician %s, advice not shared", person, emp, a, physician)
	}
	vs, err := store.Verdicts(w.ctx, only(a), emp, read)
	if err != nil || len(vs) != 1 || vs[0].ID != verdict.ID || vs[0].EmployerID != a || vs[0].Verdict != "partly_fit" ||
		vs[0].WorkAbilityPercentage != 50 || !vs[0].Date.Equal(verdict.Date) || !vs[0].RecordedAt.Equal(now) {
		t.Errorf("Verdicts = %+v, %v; want the one verdict", vs, err)
	}
	for name, tc := range map[string]struct {
		scope    access.Scope
		employee uuid.UUID
	}{"another tenant's scope": {only(b), emp}, "an unknown employee": {access.Scope{All: true}, uuid.New()}} {
		if vs, err := store.Verdicts(w.ctx, tc.scope, tc.employee, read); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Verdicts(%s) = %+v, %v; want derrors.ErrNotFound", name, vs, err)
		}
	}

	exam := fitness.Verdict{ID: uuid.New(), EmployeeID: emp, Kind: fitness.KindExamination, Outcome: "approved",
		Decision: fitness.DecisionPending, Date: day("2026-03-03"), RecordedBy: physician, RecordedAt: now}
	if _, err := store.AddVerdict(w.ctx, only(a), exam, write); err != nil {
		t.Fatalf("AddVerdict(examination): %v", err)
	}
	decide := func(scope access.Scope, id uuid.UUID) (fitness.Verdict, error) {
		return store.Decide(w.ctx, scope, id, fitness.DecisionReleased, func(fitness.Person, fitness.Verdict) (audit.Event, error) {
			return testEvent(physician, audit.ActionUpdate, "verdict"), nil
		})
	}
	for name, tc := range map[string]struct {
		scope access.Scope
		id    uuid.UUID
	}{"another tenant's scope": {only(b), exam.ID}, "an unknown verdict": {access.Scope{All: true}, uuid.New()}} {
		if v, err := decide(tc.scope, tc.id); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Decide(%s) = %+v, %v; want derrors.ErrNotFound", name, v, err)
		}
	}
	if v, err := decide(only(a), exam.ID); err != nil || v.Decision != fitness.DecisionReleased || v.Outcome != "approved" {
		t.Errorf("Decide(released) = %+v, %v; want the outcome released", v, err)
	}

	adv := fitness.Advice{ID: uuid.New(), EmployeeID: emp, Limitations: "Niet tillen.", Possibilities: "Administratief werk.",
		ExpectedDurationWeeks: 6, PublishedBy: physician, PublishedAt: now}
	if _, err := store.Publish(w.ctx, only(a), adv, read, fitness.Notice{Kind: "advice", Subject: "Advies", Body: "Er is een advies."}); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	advs, err := store.Advice(w.ctx, only(a), emp, read)
	if err != nil || len(advs) != 1 || advs[0].ID != adv.ID || advs[0].EmployerID != a || advs[0].Limitations != adv.Limitations ||
		advs[0].ExpectedDurationWeeks != 6 || !advs[0].PublishedAt.Equal(now) {
		t.Errorf("Advice = %+v, %v; want the published advice", advs, err)
	}
	if advs, err := store.Advice(w.ctx, only(b), emp, read); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Advice(scope b) = %+v, %v; want derrors.ErrNotFound", advs, err)
	}
}
