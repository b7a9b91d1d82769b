package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
)

// EmployeeStore keeps employees in hr.employees, through the hr pool, with
// every transaction scoped to the caller's tenants.
type EmployeeStore struct {
	pool *pgxpool.Pool
	// unaudited skips the read event; only the benchmark build sets it
	// (export_test.go), to measure what auditing costs.
	unaudited bool
}

var _ employee.Store = (*EmployeeStore)(nil)

// NewEmployeeStore returns an EmployeeStore on the hr pool.
func NewEmployeeStore(pool *pgxpool.Pool) *EmployeeStore { return &EmployeeStore{pool: pool} }

// employeeRow is hr.employees as stored.
type employeeRow struct {
	ID              uuid.UUID  `db:"id"`
	EmployerID      uuid.UUID  `db:"employer_id"`
	EmployeeNumber  string     `db:"employee_number"`
	FirstName       string     `db:"first_name"`
	LastName        string     `db:"last_name"`
	DateOfBirth     time.Time  `db:"date_of_birth"`
	EmploymentStart time.Time  `db:"employment_start"`
	EmploymentEnd   *time.Time `db:"employment_end"`
	Email           *string    `db:"email"`
	Phone           *string    `db:"phone"`
	UserID          *uuid.UUID `db:"user_id"`
	CreatedAt       time.Time  `db:"created_at"`
	BSNCiphertext   *string    `db:"bsn_ciphertext"`
	BSNHash         *string    `db:"bsn_hash"`
	RestrictedSince *time.Time `db:"restricted_since"`
	ErasedAt        *time.Time `db:"erased_at"`
}

// employeeColumns are the columns of an employeeRow.
const employeeColumns = `id, employer_id, employee_number, first_name, last_name, date_of_birth,
	employment_start, employment_end, email, phone, user_id, created_at, bsn_ciphertext, bsn_hash,
	restricted_since, erased_at`

func (r employeeRow) domain() employee.Employee {
	return employee.Employee{
		ID: r.ID, EmployerID: r.EmployerID, EmployeeNumber: r.EmployeeNumber,
		FirstName: r.FirstName, LastName: r.LastName, DateOfBirth: r.DateOfBirth,
		EmploymentStart: r.EmploymentStart, EmploymentEnd: deref(r.EmploymentEnd),
		Email: deref(r.Email), Phone: deref(r.Phone), UserID: deref(r.UserID), CreatedAt: r.CreatedAt,
		Sealed:          employee.SealedBSN{Ciphertext: deref(r.BSNCiphertext), Hash: deref(r.BSNHash)},
		RestrictedSince: deref(r.RestrictedSince), ErasedAt: deref(r.ErasedAt),
	}
}

// Create inserts an employee of an employer within scope, with its event.
func (s *EmployeeStore) Create(ctx context.Context, scope access.Scope, e employee.Employee, event audit.Event) (employee.Employee, error) {
	var out employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		// The employer must be visible in scope; the foreign key alone
		// would accept another tenant's employer.
		rows, _ := tx.Query(ctx, `
			INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth,
				employment_start, employment_end, email, phone, bsn_ciphertext, bsn_hash)
			SELECT $1, e.id, $3, $4, $5, $6, $7, $8, $9, $10, $13, $14
			FROM hr.employers e WHERE e.id = $2 AND ($11 OR e.id = ANY ($12::uuid[]))
			RETURNING `+employeeColumns,
			e.ID, e.EmployerID, e.EmployeeNumber, e.FirstName, e.LastName, e.DateOfBirth,
			e.EmploymentStart, nullTime(e.EmploymentEnd), nullString(e.Email), nullString(e.Phone),
			scope.All, scope.Employers, nullString(e.Sealed.Ciphertext), nullString(e.Sealed.Hash))
		created, err := pgx.CollectOneRow(rows, scanAs[employeeRow])
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: employer %s: %w", e.EmployerID, derrors.ErrNotFound)
		}
		if err != nil {
			return Translate(err)
		}
		out = created
		return insertEvent(ctx, tx, event)
	})
	return out, err
}

// CreateMany inserts the employees of one import, each with its event, in
// one transaction. Numbers and BSNs already used at the employer are
// reported per row before anything is written.
func (s *EmployeeStore) CreateMany(ctx context.Context, scope access.Scope, employerID uuid.UUID, es []employee.Employee, events []audit.Event) ([]employee.Employee, error) {
	n := len(es)
	ids, numbers, firsts, lasts := make([]uuid.UUID, n), make([]string, n), make([]string, n), make([]string, n)
	births, starts, ends, emails, phones := make([]time.Time, n), make([]time.Time, n), make([]any, n), make([]any, n), make([]any, n)
	cts, hashes := make([]any, n), make([]any, n)
	for i, e := range es {
		ids[i], numbers[i], firsts[i], lasts[i] = e.ID, e.EmployeeNumber, e.FirstName, e.LastName
		births[i], starts[i], ends[i], emails[i], phones[i] = e.DateOfBirth, e.EmploymentStart, nullTime(e.EmploymentEnd), nullString(e.Email), nullString(e.Phone)
		cts[i], hashes[i] = nullString(e.Sealed.Ciphertext), nullString(e.Sealed.Hash)
	}
	var out []employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if err := requireEmployer(ctx, tx, scope, employerID); err != nil {
			return err
		}
		// Lock the employer's numbering, so two imports cannot both pass
		// the check below with the same number.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7513))`, employerID); err != nil {
			return Translate(err)
		}
		rows, _ := tx.Query(ctx, `SELECT u.ord::int AS ord, e.employee_number = u.number AS number_taken,
				e.bsn_hash IS NOT DISTINCT FROM u.hash AND u.hash IS NOT NULL AS bsn_taken
			FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(number, hash, ord)
			JOIN hr.employees e ON e.employer_id = $1 AND (e.employee_number = u.number OR e.bsn_hash = u.hash)
			ORDER BY u.ord`, employerID, numbers, hashes)
		type clash struct {
			Row    int  `db:"ord"`
			Number bool `db:"number_taken"`
			BSNDup bool `db:"bsn_taken"`
		}
		clashes, err := pgx.CollectRows(rows, pgx.RowToStructByName[clash])
		if err != nil {
			return Translate(err)
		}
		if len(clashes) > 0 {
			fe := derrors.FieldErrors{}
			for _, c := range clashes {
				if c.Number {
					fe.Add(fmt.Sprintf("row %d: employee_number", c.Row), "is already used at this employer")
				}
				if c.BSNDup {
					fe.Add(fmt.Sprintf("row %d: bsn", c.Row), "is already registered at this employer")
				}
			}
			return fe
		}
		rows, _ = tx.Query(ctx, `
			INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth,
				employment_start, employment_end, email, phone, bsn_ciphertext, bsn_hash)
			SELECT u.id, $1, u.number, u.first, u.last, u.born, u.start, u.stop, u.email, u.phone, u.ct, u.hash
			FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::date[], $9::text[],
				$10::text[], $11::text[], $12::text[]) AS u(id, number, first, last, born, start, stop, email, phone, ct, hash)
			RETURNING `+employeeColumns,
			employerID, ids, numbers, firsts, lasts, births, starts, ends, emails, phones, cts, hashes)
		if out, err = collect[employeeRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvents(ctx, tx, events)
	})
	return out, err
}

// Get loads an employee within scope, writes the read event authorize
// returns, and only then returns the employee.
func (s *EmployeeStore) Get(ctx context.Context, scope access.Scope, id uuid.UUID, authorize func(employee.Employee) (audit.Event, error)) (employee.Employee, error) {
	var out employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+employeeColumns+` FROM hr.employees
			WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[]))`, id, scope.All, scope.Employers)
		e, err := pgx.CollectOneRow(rows, scanAs[employeeRow])
		if err != nil {
			return Translate(err)
		}
		ev, err := authorize(e)
		if err != nil {
			return err
		}
		if !s.unaudited {
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		out = e
		return nil
	})
	return out, err
}

// Update changes one employee within scope under a row lock, with its
// event.
func (s *EmployeeStore) Update(ctx context.Context, scope access.Scope, id uuid.UUID, change func(e *employee.Employee) (audit.Event, error)) (employee.Employee, error) {
	var out employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+employeeColumns+` FROM hr.employees
			WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[])) FOR UPDATE`, id, scope.All, scope.Employers)
		e, err := pgx.CollectOneRow(rows, scanAs[employeeRow])
		if err != nil {
			return Translate(err)
		}
		ev, err := change(&e)
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `UPDATE hr.employees SET first_name = $2, last_name = $3, date_of_birth = $4,
			employment_start = $5, employment_end = $6, email = $7, phone = $8, bsn_ciphertext = $9, bsn_hash = $10,
			updated_at = now()
			WHERE id = $1 RETURNING `+employeeColumns,
			e.ID, e.FirstName, e.LastName, e.DateOfBirth, e.EmploymentStart, nullTime(e.EmploymentEnd),
			nullString(e.Email), nullString(e.Phone), nullString(e.Sealed.Ciphertext), nullString(e.Sealed.Hash))
		updated, err := pgx.CollectOneRow(rows, scanAs[employeeRow])
		var ce *ConstraintError
		if err = Translate(err); errors.As(err, &ce) && ce.Constraint == "employees_bsn_key" {
			return derrors.FieldErrors{"bsn": "is already registered for another employee of this employer"}
		}
		if err != nil {
			return err
		}
		out = updated
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// LinkLogin links the employee record employeeID of employerID to the login
// userID, with its audit event, for the console bootstrap (`seed`); through
// the API the link is made by an employee invitation. A record of another
// employer is derrors.ErrNotFound; a record linked to another login is
// derrors.ErrConflict. Linking the same login again changes nothing.
func (s *EmployeeStore) LinkLogin(ctx context.Context, employerID, employeeID, userID uuid.UUID, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := linkEmployee(ctx, tx, employeeID, employerID, userID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
