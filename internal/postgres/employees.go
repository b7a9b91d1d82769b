package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/identity"
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
	ID              uuid.UUID
	EmployerID      uuid.UUID
	EmployeeNumber  string
	FirstName       string
	LastName        string
	DateOfBirth     time.Time
	EmploymentStart time.Time
	EmploymentEnd   *time.Time
	Email           *string
	Phone           *string
	UserID          *uuid.UUID
	CreatedAt       time.Time
}

const employeeColumns = `id, employer_id, employee_number, first_name, last_name, date_of_birth,
	employment_start, employment_end, email, phone, user_id, created_at`

func (r employeeRow) domain() employee.Employee {
	return employee.Employee{
		ID: r.ID, EmployerID: r.EmployerID, EmployeeNumber: r.EmployeeNumber,
		FirstName: r.FirstName, LastName: r.LastName, DateOfBirth: r.DateOfBirth,
		EmploymentStart: r.EmploymentStart, EmploymentEnd: deref(r.EmploymentEnd),
		Email: deref(r.Email), Phone: deref(r.Phone), UserID: deref(r.UserID), CreatedAt: r.CreatedAt,
	}
}

// Create inserts an employee of an employer within scope, with its event.
func (s *EmployeeStore) Create(ctx context.Context, scope identity.Scope, e employee.Employee, event audit.Event) (employee.Employee, error) {
	var out employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		// The employer must be visible in scope; the foreign key alone
		// would accept another tenant's employer.
		rows, _ := tx.Query(ctx, `
			INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth,
				employment_start, employment_end, email, phone)
			SELECT $1, e.id, $3, $4, $5, $6, $7, $8, $9, $10
			FROM hr.employers e WHERE e.id = $2 AND ($11 OR e.id = ANY ($12::uuid[]))
			RETURNING `+employeeColumns,
			e.ID, e.EmployerID, e.EmployeeNumber, e.FirstName, e.LastName, e.DateOfBirth,
			e.EmploymentStart, nullTime(e.EmploymentEnd), nullString(e.Email), nullString(e.Phone),
			scope.All, scope.Employers)
		row, err := pgx.CollectOneRow(rows, pgx.RowToStructByPos[employeeRow])
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: employer %s: %w", e.EmployerID, derrors.ErrNotFound)
		}
		if err != nil {
			return Translate(err)
		}
		out = row.domain()
		return insertEvent(ctx, tx, event)
	})
	return out, err
}

// Get loads an employee within scope, writes the read event authorize
// returns, and only then returns the employee.
func (s *EmployeeStore) Get(ctx context.Context, scope identity.Scope, id uuid.UUID, authorize func(employee.Employee) (audit.Event, error)) (employee.Employee, error) {
	var out employee.Employee
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+employeeColumns+` FROM hr.employees
			WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[]))`, id, scope.All, scope.Employers)
		row, err := pgx.CollectOneRow(rows, pgx.RowToStructByPos[employeeRow])
		if err != nil {
			return Translate(err)
		}
		e := row.domain()
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
