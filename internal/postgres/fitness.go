package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// FitnessStore keeps verdicts and advice in schema hr.
type FitnessStore struct {
	pool *pgxpool.Pool
}

var _ fitness.Store = (*FitnessStore)(nil)

// NewFitnessStore returns a FitnessStore on the hr pool.
func NewFitnessStore(pool *pgxpool.Pool) *FitnessStore { return &FitnessStore{pool: pool} }

// authorizedPerson loads employeeID as fitness knows them (as loadPerson,
// locked when lock) and asks authorize for the event of the caller's
// access. It returns the person and the event, or the error of either
// step unchanged.
func authorizedPerson(ctx context.Context, tx pgx.Tx, scope access.Scope, employeeID uuid.UUID, lock bool,
	authorize func(fitness.Person) (audit.Event, error)) (fitness.Person, audit.Event, error) {
	p, err := loadPerson(ctx, tx, scope, employeeID, lock)
	if err != nil {
		return fitness.Person{}, audit.Event{}, err
	}
	ev, err := authorize(p)
	if err != nil {
		return fitness.Person{}, audit.Event{}, err
	}
	return p, ev, nil
}

// loadPerson loads an employee within scope (explicitly, and through
// row-level security), with the employer's assigned physician, locking the
// employee's row when lock is set.
func loadPerson(ctx context.Context, tx pgx.Tx, scope access.Scope, employeeID uuid.UUID, lock bool) (fitness.Person, error) {
	q := `SELECT e.id AS employee_id, e.employer_id, e.user_id, r.share_advice_with_employer,
			(SELECT pa.physician_id FROM hr.physician_assignments pa WHERE pa.employer_id = e.employer_id AND pa.status = 'active') AS physician_id
		FROM hr.employees e JOIN hr.employers r ON r.id = e.employer_id
		WHERE e.id = $1 AND ($2 OR e.employer_id = ANY ($3::uuid[]))`
	if lock {
		q += ` FOR SHARE OF e`
	}
	rows, _ := tx.Query(ctx, q, employeeID, scope.All, scope.Employers)
	p, err := pgx.CollectOneRow(rows, scanAs[personRow])
	if err != nil {
		return fitness.Person{}, Translate(err)
	}
	return p, nil
}

// personRow is an employee as fitness needs them, with their employer's
// setting and assigned physician.
type personRow struct {
	EmployeeID  uuid.UUID  `db:"employee_id"`
	EmployerID  uuid.UUID  `db:"employer_id"`
	UserID      *uuid.UUID `db:"user_id"`
	ShareAdvice bool       `db:"share_advice_with_employer"`
	PhysicianID *uuid.UUID `db:"physician_id"`
}

func (r personRow) domain() fitness.Person {
	return fitness.Person{EmployeeID: r.EmployeeID, EmployerID: r.EmployerID, UserID: deref(r.UserID), PhysicianID: deref(r.PhysicianID),
		ShareAdvice: r.ShareAdvice}
}

// checkCaseOf checks that absenceID (when set) is a case of employeeID; a
// case of someone else is a field error on absence_id.
func checkCaseOf(ctx context.Context, tx pgx.Tx, absenceID, employeeID uuid.UUID) error {
	if absenceID == uuid.Nil {
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM hr.absences WHERE id = $1 AND employee_id = $2`,
		absenceID, employeeID).Scan(&n); err != nil {
		return Translate(err)
	}
	if n != 1 {
		return derrors.FieldErrors{"absence_id": "is not a case of this employee"}
	}
	return nil
}

// verdictRow is hr.verdicts as stored.
type verdictRow struct {
	ID                    uuid.UUID  `db:"id"`
	EmployerID            uuid.UUID  `db:"employer_id"`
	EmployeeID            uuid.UUID  `db:"employee_id"`
	Kind                  string     `db:"kind"`
	Verdict               *string    `db:"verdict"`
	WorkAbilityPercentage *int       `db:"work_ability_percentage"`
	AbsenceID             *uuid.UUID `db:"absence_id"`
	Outcome               *string    `db:"outcome"`
	EmployeeDecision      *string    `db:"employee_decision"`
	DecidedOn             time.Time  `db:"decided_on"`
	RecordedBy            uuid.UUID  `db:"recorded_by"`
	RecordedAt            time.Time  `db:"recorded_at"`
}

// verdictColumns are the columns of a verdictRow, in the order AddVerdict
// inserts them.
const verdictColumns = `id, employer_id, employee_id, kind, verdict, work_ability_percentage, absence_id, outcome,
	employee_decision, decided_on, recorded_by, recorded_at`

func (r verdictRow) domain() fitness.Verdict {
	return fitness.Verdict{ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, Kind: fitness.Kind(r.Kind),
		Verdict: deref(r.Verdict), WorkAbilityPercentage: deref(r.WorkAbilityPercentage), AbsenceID: deref(r.AbsenceID),
		Outcome: deref(r.Outcome), Decision: fitness.Decision(deref(r.EmployeeDecision)), Date: r.DecidedOn,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

// AddVerdict inserts a verdict with its event and messages.
func (s *FitnessStore) AddVerdict(ctx context.Context, scope access.Scope, v fitness.Verdict,
	authorize func(fitness.Person) (audit.Event, []fitness.Message, error)) (fitness.Verdict, error) {
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, err := loadPerson(ctx, tx, scope, v.EmployeeID, true)
		if err != nil {
			return err
		}
		ev, msgs, err := authorize(p)
		if err != nil {
			return err
		}
		v.EmployerID = p.EmployerID
		if err := checkCaseOf(ctx, tx, v.AbsenceID, v.EmployeeID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO hr.verdicts (`+verdictColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			v.ID, v.EmployerID, v.EmployeeID, string(v.Kind), nullString(v.Verdict), nullInt(v.WorkAbilityPercentage),
			nullUUID(v.AbsenceID), nullString(v.Outcome), nullString(string(v.Decision)), v.Date, v.RecordedBy, v.RecordedAt); err != nil {
			return Translate(err)
		}
		for _, m := range msgs {
			if err := insertNotice(ctx, tx, m.To, identity.Notice{Kind: m.Kind, Subject: m.Subject, Body: m.Body}); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
	return v, err
}

// Verdicts lists an employee's verdicts, newest first, with the event.
func (s *FitnessStore) Verdicts(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(fitness.Person) (audit.Event, error)) ([]fitness.Verdict, error) {
	var out []fitness.Verdict
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		_, ev, err := authorizedPerson(ctx, tx, scope, employeeID, false, authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+verdictColumns+` FROM hr.verdicts WHERE employee_id = $1
			ORDER BY decided_on DESC, recorded_at DESC LIMIT 500`, employeeID)
		if out, err = collect[verdictRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// Decide records the employee's decision on an examination outcome.
func (s *FitnessStore) Decide(ctx context.Context, scope access.Scope, verdictID uuid.UUID, d fitness.Decision,
	authorize func(fitness.Person, fitness.Verdict) (audit.Event, error)) (fitness.Verdict, error) {
	var out fitness.Verdict
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+verdictColumns+` FROM hr.verdicts
			WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[])) FOR UPDATE`, verdictID, scope.All, scope.Employers)
		v, err := pgx.CollectExactlyOneRow(rows, scanAs[verdictRow])
		if err != nil {
			return Translate(err)
		}
		p, err := loadPerson(ctx, tx, scope, v.EmployeeID, false)
		if err != nil {
			return err
		}
		ev, err := authorize(p, v)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE hr.verdicts SET employee_decision = $2, employee_decided_at = now() WHERE id = $1`,
			v.ID, string(d)); err != nil {
			return Translate(err)
		}
		v.Decision = d
		out = v
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// Publish inserts the advice with its event and the inbox notices: the
// employee's login, the case managers and labour experts whose grants reach
// the employer, and the employer's users where the employer shares advice.
func (s *FitnessStore) Publish(ctx context.Context, scope access.Scope, a fitness.Advice, authorize func(fitness.Person) (audit.Event, error), n fitness.Notice) (fitness.Advice, error) {
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, ev, err := authorizedPerson(ctx, tx, scope, a.EmployeeID, true, authorize)
		if err != nil {
			return err
		}
		a.EmployerID = p.EmployerID
		if err := checkCaseOf(ctx, tx, a.AbsenceID, a.EmployeeID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO hr.advices (id, employer_id, employee_id, absence_id, limitations,
			possibilities, expected_duration_weeks, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.ID, a.EmployerID, a.EmployeeID, nullUUID(a.AbsenceID), a.Limitations, a.Possibilities,
			a.ExpectedDurationWeeks, a.PublishedBy, a.PublishedAt); err != nil {
			return Translate(err)
		}
		// One statement, one moment: every recipient's notice.
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.notifications (user_id, kind, subject, body)
			SELECT DISTINCT u.id, $4, $5, $6 FROM hr.users u
			WHERE u.status = 'active' AND (u.id = $1 OR EXISTS (
				SELECT 1 FROM hr.role_grants g WHERE g.user_id = u.id AND g.status = 'active'
				  AND (g.employer_id = $2 OR (g.employer_id IS NULL AND g.role <> 'employer'))
				  AND (g.role IN ('case_manager', 'labour_expert') OR (g.role = 'employer' AND $3))))`,
			nullUUID(p.UserID), p.EmployerID, p.ShareAdvice, n.Kind, n.Subject, n.Body); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return fitness.Advice{}, fmt.Errorf("postgres: publish advice: %w", err)
	}
	return a, nil
}

// adviceRow is hr.advices as stored.
type adviceRow struct {
	ID                    uuid.UUID  `db:"id"`
	EmployerID            uuid.UUID  `db:"employer_id"`
	EmployeeID            uuid.UUID  `db:"employee_id"`
	AbsenceID             *uuid.UUID `db:"absence_id"`
	Limitations           string     `db:"limitations"`
	Possibilities         string     `db:"possibilities"`
	ExpectedDurationWeeks int        `db:"expected_duration_weeks"`
	PublishedBy           uuid.UUID  `db:"published_by"`
	PublishedAt           time.Time  `db:"published_at"`
}

func (r adviceRow) domain() fitness.Advice {
	return fitness.Advice{ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, AbsenceID: deref(r.AbsenceID),
		Limitations: r.Limitations, Possibilities: r.Possibilities, ExpectedDurationWeeks: r.ExpectedDurationWeeks,
		PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt}
}

// Advice lists an employee's published advice, newest first, with the event.
func (s *FitnessStore) Advice(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(fitness.Person) (audit.Event, error)) ([]fitness.Advice, error) {
	var out []fitness.Advice
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		_, ev, err := authorizedPerson(ctx, tx, scope, employeeID, false, authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, employer_id, employee_id, absence_id, limitations, possibilities,
			expected_duration_weeks, published_by, published_at FROM hr.advices WHERE employee_id = $1
			ORDER BY published_at DESC LIMIT 200`, employeeID)
		if out, err = collect[adviceRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// Person loads an employee as fitness knows them, with the event.
func (s *FitnessStore) Person(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(fitness.Person) (audit.Event, error)) (fitness.Person, error) {
	var out fitness.Person
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, ev, err := authorizedPerson(ctx, tx, scope, employeeID, false, authorize)
		if err != nil {
			return err
		}
		out = p
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}
