package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/worklist"
)

// WorklistDossiers reads the medical side of the company doctor's
// worklist on the med pool: ids and dates only, never content.
type WorklistDossiers struct {
	pool *pgxpool.Pool
}

var _ worklist.DossierStore = (*WorklistDossiers)(nil)

// NewWorklistDossiers returns the worklist's dossier store on the med pool.
func NewWorklistDossiers(pool *pgxpool.Pool) *WorklistDossiers { return &WorklistDossiers{pool: pool} }

// worklistDossierRow is one open dossier in care with its facts.
type worklistDossierRow struct {
	ID               uuid.UUID  `db:"id"`
	EmployeeID       uuid.UUID  `db:"employee_id"`
	PhysicianID      uuid.UUID  `db:"responsible_physician_id"`
	LastConsultation *time.Time `db:"last_consultation"`
}

// worklistEventRow is an answer or a disclosure of a dossier.
type worklistEventRow struct {
	DossierID uuid.UUID `db:"dossier_id"`
	ID        uuid.UUID `db:"id"`
	At        time.Time `db:"at"`
}

// InCare lists the open dossiers whose responsible physician is one of
// physicians, at most limit, oldest first, with the date of their newest
// consultation entry (occurred_on, else the Amsterdam date it was
// written), the information-request answers received at or after
// answersSince and the disclosures awaiting a decision.
func (s *WorklistDossiers) InCare(ctx context.Context, physicians []uuid.UUID, answersSince time.Time, limit int) ([]worklist.Dossier, error) {
	if len(physicians) == 0 {
		return nil, nil
	}
	var out []worklist.Dossier
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT d.id, d.employee_id, d.responsible_physician_id,
				(SELECT max(coalesce(e.occurred_on, (e.created_at AT TIME ZONE 'Europe/Amsterdam')::date))
				 FROM medical.entries e WHERE e.dossier_id = d.id AND e.kind = 'consultation') AS last_consultation
			FROM medical.dossiers d
			WHERE d.status = 'open' AND d.responsible_physician_id = ANY ($1::uuid[])
			ORDER BY d.created_at, d.id
			LIMIT $2`, physicians, limit)
		ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[worklistDossierRow])
		if err != nil {
			return Translate(err)
		}
		if len(ds) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, len(ds))
		index := make(map[uuid.UUID]int, len(ds))
		out = make([]worklist.Dossier, len(ds))
		for i, d := range ds {
			ids[i], index[d.ID] = d.ID, i
			out[i] = worklist.Dossier{EmployeeID: d.EmployeeID, DossierID: d.ID, PhysicianID: d.PhysicianID, LastConsultation: deref(d.LastConsultation)}
		}
		rows, _ = tx.Query(ctx, `
			SELECT dossier_id, id, answered_at AS at FROM medical.information_requests
			WHERE dossier_id = ANY ($1::uuid[]) AND answered_at IS NOT NULL AND answered_at >= $2
			ORDER BY answered_at DESC, id`, ids, answersSince)
		answers, err := pgx.CollectRows(rows, pgx.RowToStructByName[worklistEventRow])
		if err != nil {
			return Translate(err)
		}
		for _, a := range answers {
			d := &out[index[a.DossierID]]
			d.Answers = append(d.Answers, worklist.Answer{InformationRequestID: a.ID, AnsweredAt: a.At})
		}
		rows, _ = tx.Query(ctx, `
			SELECT dossier_id, id, registered_at AS at FROM medical.disclosures
			WHERE dossier_id = ANY ($1::uuid[]) AND status = 'received'
			ORDER BY registered_at, id`, ids)
		disclosures, err := pgx.CollectRows(rows, pgx.RowToStructByName[worklistEventRow])
		if err != nil {
			return Translate(err)
		}
		for _, x := range disclosures {
			d := &out[index[x.DossierID]]
			d.Disclosures = append(d.Disclosures, worklist.Disclosure{ID: x.ID, RegisteredAt: x.At})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WorklistPeople reads the HR side of the company doctor's worklist on the
// hr pool.
type WorklistPeople struct {
	pool *pgxpool.Pool
}

var _ worklist.PeopleStore = (*WorklistPeople)(nil)

// NewWorklistPeople returns the worklist's HR store on the hr pool.
func NewWorklistPeople(pool *pgxpool.Pool) *WorklistPeople { return &WorklistPeople{pool: pool} }

// worklistPersonRow is an employee with the open case, if any.
type worklistPersonRow struct {
	EmployeeID     uuid.UUID  `db:"employee_id"`
	EmployerID     uuid.UUID  `db:"employer_id"`
	EmployerName   string     `db:"employer_name"`
	EmployeeNumber string     `db:"employee_number"`
	FirstName      string     `db:"first_name"`
	LastName       string     `db:"last_name"`
	HasLogin       bool       `db:"has_login"`
	AbsenceID      *uuid.UUID `db:"absence_id"`
	FirstSickDay   *time.Time `db:"first_sick_day"`
	Percentage     *int       `db:"percentage"`
	ProblemDue     *time.Time `db:"problem_due"`
}

// worklistRequestRow is an open medical rights request.
type worklistRequestRow struct {
	ID         uuid.UUID `db:"id"`
	EmployeeID uuid.UUID `db:"employee_id"`
	Type       string    `db:"type"`
	Status     string    `db:"status"`
	Due        time.Time `db:"due"`
}

// People returns the employees employeeIDs with their open case (and its
// pending problem analysis) and the open medical rights requests about
// them, and writes the events made of the people returned in the same
// transaction. The set of ids is the tenant rule here: the worklist
// service derives it from the dossiers in the caller's care, which may lie
// with any employer (a substitute's, an assistant's), so the transaction
// runs service-wide and every query is bound to exactly those ids.
func (s *WorklistPeople) People(ctx context.Context, employeeIDs []uuid.UUID, events func([]worklist.Person) []audit.Event) ([]worklist.Person, []worklist.Request, error) {
	if len(employeeIDs) == 0 {
		return nil, nil, nil
	}
	var (
		people   []worklist.Person
		requests []worklist.Request
	)
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT e.id AS employee_id, e.employer_id, r.name AS employer_name, e.employee_number, e.first_name, e.last_name,
				e.user_id IS NOT NULL AS has_login, a.id AS absence_id, a.first_sick_day, a.percentage,
				(SELECT min(m.due) FROM hr.milestones m
				 WHERE m.absence_id = a.id AND m.kind = 'problem_analysis' AND m.state = 'pending') AS problem_due
			FROM hr.employees e
			JOIN hr.employers r ON r.id = e.employer_id
			LEFT JOIN hr.absences a ON a.employee_id = e.id AND a.status = 'open'
			WHERE e.id = ANY ($1::uuid[])
			ORDER BY e.last_name, e.first_name, e.id`, employeeIDs)
		ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[worklistPersonRow])
		if err != nil {
			return Translate(err)
		}
		people = make([]worklist.Person, 0, len(ps))
		for _, p := range ps {
			wp := worklist.Person{EmployeeID: p.EmployeeID, EmployerID: p.EmployerID, EmployerName: p.EmployerName,
				EmployeeNumber: p.EmployeeNumber, FirstName: p.FirstName, LastName: p.LastName, HasLogin: p.HasLogin}
			if p.AbsenceID != nil {
				wp.Case = &worklist.Case{ID: *p.AbsenceID, FirstSickDay: deref(p.FirstSickDay), Percentage: deref(p.Percentage),
					ProblemAnalysisDue: deref(p.ProblemDue)}
			}
			people = append(people, wp)
		}
		rows, _ = tx.Query(ctx, `
			SELECT id, employee_id, type, status, coalesce(extended_to, due_on) AS due FROM hr.requests
			WHERE employee_id = ANY ($1::uuid[]) AND status IN ('received', 'in_review', 'granted', 'partly_granted')
				AND type IN ('inspection', 'copy', 'correction', 'own_statement', 'destruction')
			ORDER BY coalesce(extended_to, due_on), id`, employeeIDs)
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[worklistRequestRow])
		if err != nil {
			return Translate(err)
		}
		for _, r := range rs {
			requests = append(requests, worklist.Request(r))
		}
		if evs := events(people); len(evs) > 0 {
			return insertEvents(ctx, tx, evs)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return people, requests, nil
}

// Statement returns the physician and end date of the assistant's latest
// active confidentiality statement (by end date); found is false when
// there is none.
func (s *WorklistPeople) Statement(ctx context.Context, assistantID uuid.UUID) (uuid.UUID, time.Time, bool, error) {
	var (
		physician uuid.UUID
		expires   time.Time
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			SELECT physician_user_id, expires_on FROM hr.confidentiality_statements
			WHERE assistant_user_id = $1 AND status = 'active'
			ORDER BY expires_on DESC, created_at DESC LIMIT 1`, assistantID).Scan(&physician, &expires)
	})
	switch err := Translate(err); {
	case err == nil:
		return physician, expires, true, nil
	case errors.Is(err, derrors.ErrNotFound):
		return uuid.Nil, time.Time{}, false, nil
	default:
		return uuid.Nil, time.Time{}, false, err
	}
}

// Names returns the display names of users; unknown ones are left out.
func (s *WorklistPeople) Names(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(userIDs) == 0 {
		return out, nil
	}
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, display_name FROM hr.users WHERE id = ANY ($1::uuid[])`, userIDs)
		var (
			id   uuid.UUID
			name string
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			out[id] = name
			return nil
		})
		return err
	})
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// OpenCases returns the employees with an open absence case at the
// employers one of physicians is actively assigned to, at most limit: the
// sick employees whose dossier may not exist yet.
func (s *WorklistPeople) OpenCases(ctx context.Context, physicians []uuid.UUID, limit int) ([]uuid.UUID, error) {
	if len(physicians) == 0 {
		return nil, nil
	}
	var out []uuid.UUID
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT DISTINCT a.employee_id FROM hr.absences a
			JOIN hr.physician_assignments pa ON pa.employer_id = a.employer_id
			WHERE a.status = 'open' AND pa.status = 'active' AND pa.physician_id = ANY ($1::uuid[])
			ORDER BY a.employee_id LIMIT $2`, physicians, limit)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return Translate(err)
	})
	return out, err
}
