package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// addTenant inserts an employer with n employees through the owner pool,
// which row-level security does not govern, and returns its id.
func addTenant(t *testing.T, owner *pgxpool.Pool, n int) uuid.UUID {
	t.Helper()
	k, _ := rand.Int(rand.Reader, big.NewInt(80_000_000))
	ctx := context.Background()
	var id uuid.UUID
	if err := owner.QueryRow(ctx, `INSERT INTO hr.employers (name, kvk_number) VALUES ('RLS test', $1) RETURNING id`,
		fmt.Sprintf("%08d", k.Int64()+10_000_000)).Scan(&id); err != nil {
		t.Fatalf("insert employer: %v", err)
	}
	for i := range n {
		if _, err := owner.Exec(ctx, `
			INSERT INTO hr.employees (employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
			VALUES ($1, $2, 'Test', 'Persoon', '1980-01-01', '2020-01-01')`, id, fmt.Sprintf("E%d", i)); err != nil {
			t.Fatalf("insert employee: %v", err)
		}
	}
	return id
}

// visibleEmployers runs a query that forgets its WHERE clause through the
// services' transaction helper and returns the employer ids it saw.
func visibleEmployers(t *testing.T, pool *pgxpool.Pool, scope access.Scope, table, column string) map[uuid.UUID]int {
	t.Helper()
	seen := map[uuid.UUID]int{}
	err := postgres.InScope(context.Background(), pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(context.Background(), `SELECT `+column+` FROM hr.`+table)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		for _, id := range ids {
			seen[id]++
		}
		return err
	})
	if err != nil {
		t.Fatalf("InScope(%+v, SELECT %s FROM hr.%s): %v", scope, column, table, err)
	}
	return seen
}

// TestRowLevelSecurityStopsUnscopedQueries proves the second line of tenant
// isolation: a query without any tenant filter, run through InScope, sees
// only the rows of the tenants in scope, and nothing at all without a scope.
func TestRowLevelSecurityStopsUnscopedQueries(t *testing.T) {
	env := testenv.Load(t)
	owner := testenv.Pool(t, env.MigrateURL)
	hr := testenv.Pool(t, env.HRURL)
	a, b := addTenant(t, owner, 3), addTenant(t, owner, 2)

	tests := []struct {
		name          string
		scope         access.Scope
		wantA, wantB  int // rows of tenant a and b seen
		onlyThoseSeen bool
	}{
		{"tenant a", access.Scope{Employers: []uuid.UUID{a}}, 3, 0, true},
		{"tenant b", access.Scope{Employers: []uuid.UUID{b}}, 0, 2, true},
		{"both", access.Scope{Employers: []uuid.UUID{a, b}}, 3, 2, true},
		{"service-wide", access.Scope{All: true}, 3, 2, false},
		{"no scope", access.Scope{}, 0, 0, true},
		{"another tenant", access.Scope{Employers: []uuid.UUID{uuid.New()}}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := visibleEmployers(t, hr, tt.scope, "employees", "employer_id")
			if seen[a] != tt.wantA || seen[b] != tt.wantB {
				t.Errorf("SELECT employer_id FROM hr.employees in scope %+v: saw %d of a, %d of b; want %d, %d",
					tt.scope, seen[a], seen[b], tt.wantA, tt.wantB)
			}
			if tt.onlyThoseSeen {
				for id, n := range seen {
					if !tt.scope.Contains(id) {
						t.Errorf("SELECT employer_id FROM hr.employees in scope %+v: saw %d rows of tenant %s outside it", tt.scope, n, id)
					}
				}
				for id := range visibleEmployers(t, hr, tt.scope, "employers", "id") {
					if !tt.scope.Contains(id) {
						t.Errorf("SELECT id FROM hr.employers in scope %+v: saw tenant %s outside it", tt.scope, id)
					}
				}
			}
		})
	}

	t.Run("no transaction-local scope at all", func(t *testing.T) {
		var n int
		if err := hr.QueryRow(context.Background(), `SELECT count(*) FROM hr.employees`).Scan(&n); err != nil {
			t.Fatalf("count: %v", err)
		}
		if n != 0 {
			t.Errorf("SELECT count(*) FROM hr.employees outside InScope = %d, want 0", n)
		}
	})

	t.Run("scope does not outlive its transaction", func(t *testing.T) {
		// One connection, so the next query reuses it.
		conn, err := hr.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		tx, err := conn.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(context.Background(), `SELECT set_config('arbokluis.employer_ids', '*', true)`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM hr.employees WHERE employer_id = $1`, a).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("after the scoped transaction, the same connection sees %d rows of tenant a, want 0", n)
		}
	})

	t.Run("writing into another tenant is refused", func(t *testing.T) {
		err := postgres.InScope(context.Background(), hr, access.Scope{Employers: []uuid.UUID{a}}, func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), `
				INSERT INTO hr.employees (employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
				VALUES ($1, 'X1', 'Test', 'Persoon', '1980-01-01', '2020-01-01')`, b)
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("insert into tenant b in scope a: error = %v, want SQLSTATE 42501 (row-level security)", err)
		}
		seen := visibleEmployers(t, hr, access.Scope{Employers: []uuid.UUID{b}}, "employees", "employer_id")
		if seen[b] != 2 {
			t.Errorf("tenant b has %d employees after the refused insert, want 2", seen[b])
		}
	})
}
