package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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

// loadPerson loads an employee within scope (explicitly, and through
// row-level security), with the employer's assigned physician, locking the
// employee's row when lock is set.
func loadPerson(ctx context.Context, tx pgx.Tx, scope identity.Scope, employeeID uuid.UUID, lock bool) (fitness.Person, error) {
	q := `SELECT e.id, e.employer_id, e.user_id, r.share_advice_with_employer,
			(SELECT pa.physician_id FROM hr.physician_assignments pa WHERE pa.employer_id = e.employer_id AND pa.status = 'active')
		FROM hr.employees e JOIN hr.employers r ON r.id = e.employer_id
		WHERE e.id = $1 AND ($2 OR e.employer_id = ANY ($3::uuid[]))`
	if lock {
		q += ` FOR SHARE OF e`
	}
	var (
		p               fitness.Person
		user, physician *uuid.UUID
	)
	err := tx.QueryRow(ctx, q, employeeID, scope.All, scope.Employers).Scan(&p.EmployeeID, &p.EmployerID, &user, &p.ShareAdvice, &physician)
	if err != nil {
		return fitness.Person{}, Translate(err)
	}
	p.UserID, p.PhysicianID = deref(user), deref(physician)
	return p, nil
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

type verdictRow struct {
	ID                    uuid.UUID
	EmployerID            uuid.UUID
	EmployeeID            uuid.UUID
	Kind                  string
	Verdict               *string
	WorkAbilityPercentage *int
	AbsenceID             *uuid.UUID
	Outcome               *string
	EmployeeDecision      *string
	DecidedOn             time.Time
	RecordedBy            uuid.UUID
	RecordedAt            time.Time
}

const verdictColumns = `id, employer_id, employee_id, kind, verdict, work_ability_percentage, absence_id, outcome,
	employee_decision, decided_on, recorded_by, recorded_at`

func (r verdictRow) domain() fitness.Verdict {
	return fitness.Verdict{ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, Kind: fitness.Kind(r.Kind),
		Verdict: deref(r.Verdict), WorkAbilityPercentage: deref(r.WorkAbilityPercentage), AbsenceID: deref(r.AbsenceID),
		Outcome: deref(r.Outcome), Decision: fitness.Decision(deref(r.EmployeeDecision)), Date: r.DecidedOn,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

// AddVerdict inserts a verdict with its event and messages.
func (s *FitnessStore) AddVerdict(ctx context.Context, scope identity.Scope, v fitness.Verdict,
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
func (s *FitnessStore) Verdicts(ctx context.Context, scope identity.Scope, employeeID uuid.UUID, authorize func(fitness.Person) (audit.Event, error)) ([]fitness.Verdict, error) {
	var out []fitness.Verdict
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, err := loadPerson(ctx, tx, scope, employeeID, false)
		if err != nil {
			return err
		}
		ev, err := authorize(p)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+verdictColumns+` FROM hr.verdicts WHERE employee_id = $1
			ORDER BY decided_on DESC, recorded_at DESC LIMIT 500`, employeeID)
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[verdictRow])
		if err != nil {
			return Translate(err)
		}
		out = make([]fitness.Verdict, len(rs))
		for i, r := range rs {
			out[i] = r.domain()
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// Decide records the employee's decision on an examination outcome.
func (s *FitnessStore) Decide(ctx context.Context, scope identity.Scope, verdictID uuid.UUID, d fitness.Decision,
	authorize func(fitness.Person, fitness.Verdict) (audit.Event, error)) (fitness.Verdict, error) {
	var out fitness.Verdict
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+verdictColumns+` FROM hr.verdicts
			WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[])) FOR UPDATE`, verdictID, scope.All, scope.Employers)
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[verdictRow])
		if err != nil {
			return Translate(err)
		}
		v := r.domain()
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
func (s *FitnessStore) Publish(ctx context.Context, scope identity.Scope, a fitness.Advice, authorize func(fitness.Person) (audit.Event, error), n fitness.Notice) (fitness.Advice, error) {
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, err := loadPerson(ctx, tx, scope, a.EmployeeID, true)
		if err != nil {
			return err
		}
		ev, err := authorize(p)
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

type adviceRow struct {
	ID                    uuid.UUID
	EmployerID            uuid.UUID
	EmployeeID            uuid.UUID
	AbsenceID             *uuid.UUID
	Limitations           string
	Possibilities         string
	ExpectedDurationWeeks int
	PublishedBy           uuid.UUID
	PublishedAt           time.Time
}

// Advice lists an employee's published advice, newest first, with the event.
func (s *FitnessStore) Advice(ctx context.Context, scope identity.Scope, employeeID uuid.UUID, authorize func(fitness.Person) (audit.Event, error)) ([]fitness.Advice, error) {
	var out []fitness.Advice
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		p, err := loadPerson(ctx, tx, scope, employeeID, false)
		if err != nil {
			return err
		}
		ev, err := authorize(p)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, employer_id, employee_id, absence_id, limitations, possibilities,
			expected_duration_weeks, published_by, published_at FROM hr.advices WHERE employee_id = $1
			ORDER BY published_at DESC LIMIT 200`, employeeID)
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[adviceRow])
		if err != nil {
			return Translate(err)
		}
		out = make([]fitness.Advice, len(rs))
		for i, r := range rs {
			out[i] = fitness.Advice{ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, AbsenceID: deref(r.AbsenceID),
				Limitations: r.Limitations, Possibilities: r.Possibilities, ExpectedDurationWeeks: r.ExpectedDurationWeeks,
				PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt}
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}
