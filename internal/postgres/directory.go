package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// Directory answers who is who for the access log, on the hr pool.
type Directory struct {
	pool *pgxpool.Pool
}

var _ rights.Directory = (*Directory)(nil)

// NewDirectory returns a Directory on the hr pool.
func NewDirectory(pool *pgxpool.Pool) *Directory { return &Directory{pool: pool} }

// People returns display names and, for employer users, their employer.
func (d *Directory) People(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]rights.Person, error) {
	out := map[uuid.UUID]rights.Person{}
	if len(userIDs) == 0 {
		return out, nil
	}
	err := InScope(ctx, d.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT u.id, u.display_name, coalesce((
				SELECT r.name FROM hr.role_grants g JOIN hr.employers r ON r.id = g.employer_id
				WHERE g.user_id = u.id AND g.role = 'employer' ORDER BY g.created_at LIMIT 1), '') AS employer_name
			FROM hr.users u WHERE u.id = ANY ($1::uuid[])`, userIDs)
		people, err := pgx.CollectRows(rows, pgx.RowToStructByName[personNameRow])
		for _, p := range people {
			out[p.ID] = rights.Person{Name: p.DisplayName, EmployerName: p.EmployerName}
		}
		return err
	})
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// personNameRow is a user's display name and, for an employer user, the
// employer's name ("" otherwise).
type personNameRow struct {
	ID           uuid.UUID `db:"id"`
	DisplayName  string    `db:"display_name"`
	EmployerName string    `db:"employer_name"`
}

// EmployeeName returns an employee's first and last name.
func (d *Directory) EmployeeName(ctx context.Context, employeeID uuid.UUID) (string, error) {
	var name string
	err := InScope(ctx, d.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT first_name || ' ' || last_name FROM hr.employees WHERE id = $1`, employeeID).Scan(&name)
	})
	if err != nil {
		return "", Translate(err)
	}
	return name, nil
}

// UserName returns a user's display name (empty for an unknown user), for
// consent texts and documents.
func (d *Directory) UserName(ctx context.Context, userID uuid.UUID) (string, error) {
	m, err := d.People(ctx, []uuid.UUID{userID})
	if err != nil {
		return "", err
	}
	return m[userID].Name, nil
}

// EmployeesByNumber returns the ids of the employees, of any employer,
// whose employee number is number (at most one per employer).
func (d *Directory) EmployeesByNumber(ctx context.Context, number string) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := InScope(ctx, d.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id FROM hr.employees WHERE employee_number = $1 ORDER BY id LIMIT 10`, number)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// UserByEmail returns the id of the user with e-mail address email (case
// does not matter); derrors.ErrNotFound when there is none.
func (d *Directory) UserByEmail(ctx context.Context, email string) (uuid.UUID, error) {
	var id uuid.UUID
	err := InScope(ctx, d.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM hr.users WHERE lower(email) = lower($1)`, email).Scan(&id)
	})
	if err != nil {
		return uuid.Nil, Translate(err)
	}
	return id, nil
}
