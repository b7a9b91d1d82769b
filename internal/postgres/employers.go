package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/employer"
)

// EmployerStore keeps employers in hr.employers, through the hr pool.
type EmployerStore struct {
	pool *pgxpool.Pool
}

var _ employer.Store = (*EmployerStore)(nil)

// NewEmployerStore returns an EmployerStore on the hr pool.
func NewEmployerStore(pool *pgxpool.Pool) *EmployerStore { return &EmployerStore{pool: pool} }

// employerRow is hr.employers as stored.
type employerRow struct {
	ID                      uuid.UUID `db:"id"`
	Name                    string    `db:"name"`
	KvKNumber               string    `db:"kvk_number"`
	ShareAdviceWithEmployer bool      `db:"share_advice_with_employer"`
	MailDomains             []string  `db:"mail_domains"`
	CreatedAt               time.Time `db:"created_at"`
}

func (r employerRow) domain() employer.Employer {
	return employer.Employer{
		ID: r.ID, Name: r.Name, KvKNumber: r.KvKNumber,
		ShareAdviceWithEmployer: r.ShareAdviceWithEmployer, MailDomains: r.MailDomains, CreatedAt: r.CreatedAt,
	}
}

// employerColumns are the columns of an employerRow.
const employerColumns = "id, name, kvk_number, share_advice_with_employer, mail_domains, created_at"

// Ensure inserts e unless its KvK number is taken, and returns the stored
// row and whether this call created it.
func (s *EmployerStore) Ensure(ctx context.Context, e employer.Employer) (employer.Employer, bool, error) {
	var (
		out     employer.Employer
		created bool
	)
	// Seeding works service-wide.
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			INSERT INTO hr.employers (name, kvk_number, share_advice_with_employer)
			VALUES ($1, $2, $3)
			ON CONFLICT ON CONSTRAINT employers_kvk_number_key DO NOTHING
			RETURNING `+employerColumns,
			e.Name, e.KvKNumber, e.ShareAdviceWithEmployer)
		inserted, err := pgx.CollectOneRow(rows, scanAs[employerRow])
		if err == nil {
			out, created = inserted, true
			return nil
		}
		if err != pgx.ErrNoRows {
			return Translate(err)
		}
		rows, _ = tx.Query(ctx, `SELECT `+employerColumns+` FROM hr.employers WHERE kvk_number = $1`, e.KvKNumber)
		if out, err = pgx.CollectOneRow(rows, scanAs[employerRow]); err != nil {
			return Translate(err)
		}
		return nil
	})
	return out, created, err
}

// Create inserts a new employer with its event.
func (s *EmployerStore) Create(ctx context.Context, e employer.Employer, event audit.Event) (employer.Employer, error) {
	var out employer.Employer
	domains := e.MailDomains
	if domains == nil {
		domains = []string{}
	}
	err := InScope(ctx, s.pool, access.Scope{Employers: []uuid.UUID{e.ID}}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			INSERT INTO hr.employers (id, name, kvk_number, share_advice_with_employer, mail_domains)
			VALUES ($1, $2, $3, $4, $5)
			RETURNING `+employerColumns,
			e.ID, e.Name, e.KvKNumber, e.ShareAdviceWithEmployer, domains)
		var err error
		if out, err = pgx.CollectOneRow(rows, scanAs[employerRow]); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
	return out, err
}

// Get returns the employer with id when it lies in scope.
func (s *EmployerStore) Get(ctx context.Context, scope access.Scope, id uuid.UUID) (employer.Employer, error) {
	var out employer.Employer
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+employerColumns+` FROM hr.employers
			WHERE id = $1 AND ($2 OR id = ANY ($3::uuid[]))`, id, scope.All, scope.Employers)
		var err error
		if out, err = pgx.CollectOneRow(rows, scanAs[employerRow]); err != nil {
			return Translate(err)
		}
		return nil
	})
	return out, err
}

// List returns every employer by name, service-wide, and writes the list
// read's event in the same transaction.
func (s *EmployerStore) List(ctx context.Context, event audit.Event) ([]employer.Employer, error) {
	var out []employer.Employer
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+employerColumns+` FROM hr.employers ORDER BY lower(name), id`)
		var err error
		if out, err = pgx.CollectRows(rows, scanAs[employerRow]); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update applies p to the employer with id and writes event in the same
// transaction.
func (s *EmployerStore) Update(ctx context.Context, id uuid.UUID, p employer.Patch, event audit.Event) (employer.Employer, error) {
	var out employer.Employer
	var domains []string
	if p.MailDomains != nil {
		domains = *p.MailDomains
		if domains == nil {
			domains = []string{}
		}
	}
	err := InScope(ctx, s.pool, access.Scope{Employers: []uuid.UUID{id}}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			UPDATE hr.employers SET
				name = COALESCE($2, name),
				share_advice_with_employer = COALESCE($3, share_advice_with_employer),
				mail_domains = CASE WHEN $4 THEN $5::text[] ELSE mail_domains END
			WHERE id = $1
			RETURNING `+employerColumns,
			id, p.Name, p.ShareAdviceWithEmployer, p.MailDomains != nil, domains)
		var err error
		if out, err = pgx.CollectOneRow(rows, scanAs[employerRow]); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
	return out, err
}
