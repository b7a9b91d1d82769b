package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// BenchmarkTenantListQuery measures a typical list query — one tenant's
// first page of 50 employees by name, out of 200 tenants with 100 employees
// each — run through InScope as the hr role (row-level security on) and as
// the table owner (the policy does not apply), with the same explicit
// tenant filter. The difference is the latency RLS adds.
func BenchmarkTenantListQuery(b *testing.B) {
	env := testenv.FreshDatabase(b)
	owner := testenv.Pool(b, env.MigrateURL)
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `
		INSERT INTO hr.employers (name, kvk_number)
		SELECT 'Bench ' || g, lpad((10000000 + g)::text, 8, '0') FROM generate_series(1, 200) g;
		INSERT INTO hr.employees (employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		SELECT e.id, 'E' || g, 'Voornaam', 'Achternaam ' || g, '1980-01-01', '2020-01-01'
		FROM hr.employers e CROSS JOIN generate_series(1, 100) g;
		ANALYZE hr.employers; ANALYZE hr.employees;`); err != nil {
		b.Fatal(err)
	}
	var tenant uuid.UUID
	if err := owner.QueryRow(ctx, `SELECT id FROM hr.employers ORDER BY kvk_number LIMIT 1 OFFSET 100`).Scan(&tenant); err != nil {
		b.Fatal(err)
	}
	scope := access.Scope{Employers: []uuid.UUID{tenant}}
	list := func(b *testing.B, pool *pgxpool.Pool) {
		var n int
		err := postgres.InScope(ctx, pool, scope, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT id, last_name FROM hr.employees
				WHERE employer_id = ANY ($1::uuid[]) ORDER BY last_name, id LIMIT 50`, scope.Employers)
			got, err := pgx.CollectRows(rows, pgx.RowToMap)
			n = len(got)
			return err
		})
		if err != nil || n != 50 {
			b.Fatalf("list = %d rows, %v; want 50", n, err)
		}
	}
	for name, url := range map[string]string{"rls_on_hr_role": env.HRURL, "rls_off_owner": env.MigrateURL} {
		pool := testenv.Pool(b, url)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				list(b, pool)
			}
		})
	}
}
