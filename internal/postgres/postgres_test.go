package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/migrations"
)

func TestTranslate(t *testing.T) {
	env := testenv.Load(t)
	pool := testenv.Pool(t, env.HRURL)
	ctx := context.Background()
	const secretValue = "Jansen-4711"

	tests := []struct {
		name       string
		setup      string
		stmt       string
		want       error
		constraint string
	}{
		{"no rows", "", `SELECT name FROM hr.employers WHERE kvk_number = 'none'`, derrors.ErrNotFound, ""},
		{"unique", `INSERT INTO hr.employers (name, kvk_number) VALUES ('A', '20000001')`,
			`INSERT INTO hr.employers (name, kvk_number) VALUES ('` + secretValue + `', '20000001')`,
			derrors.ErrConflict, "employers_kvk_number_key"},
		{"check", "", `INSERT INTO hr.employers (name, kvk_number) VALUES ('` + secretValue + `', 'abc')`,
			derrors.ErrInvalid, "employers_kvk_number_check"},
		{"not null", "", `INSERT INTO hr.employers (name, kvk_number) VALUES (NULL, '20000002')`, derrors.ErrInvalid, ""},
		{"malformed value", "", `SELECT '` + secretValue + `'::uuid`, derrors.ErrInvalid, ""},
		{"division by zero", "", `SELECT 1/0`, derrors.ErrInvalid, ""},
		{"unknown column is internal", "", `SELECT nope FROM hr.employers`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := testenv.Tx(t, pool)
			// Service-wide scope: the row-level security policies admit
			// every tenant, so the statements reach the constraints.
			if _, err := tx.Exec(ctx, `SELECT set_config('arbokluis.employer_ids', '*', true)`); err != nil {
				t.Fatalf("set scope: %v", err)
			}
			if tt.setup != "" {
				if _, err := tx.Exec(ctx, tt.setup); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			var s string
			err := postgres.Translate(tx.QueryRow(ctx, tt.stmt).Scan(&s))
			if err == nil {
				t.Fatalf("Translate(%q) = nil, want an error", tt.stmt)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Translate(%q) = %v, want %v", tt.stmt, err, tt.want)
			}
			if tt.want == nil {
				for _, domain := range []error{derrors.ErrNotFound, derrors.ErrInvalid, derrors.ErrConflict, derrors.ErrUnavailable} {
					if errors.Is(err, domain) {
						t.Errorf("Translate(%q) = %v, want an internal error", tt.stmt, err)
					}
				}
			}
			if strings.Contains(err.Error(), secretValue) {
				t.Errorf("Translate(%q) = %q repeats a row value", tt.stmt, err)
			}
			if tt.constraint != "" {
				var ce *postgres.ConstraintError
				if !errors.As(err, &ce) || ce.Constraint != tt.constraint {
					t.Errorf("Translate(%q) = %v, want ConstraintError on %s", tt.stmt, err, tt.constraint)
				}
			}
		})
	}
}

func TestTranslateUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://nobody:pw@127.0.0.1:1/none?connect_timeout=2", 1)
	if !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Open(closed port) = %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), "pw@") {
		t.Errorf("Open(closed port) = %q repeats the URL's password", err)
	}
}

func TestTranslateSQLStates(t *testing.T) {
	tests := []struct {
		code string
		want error
	}{
		{"23505", derrors.ErrConflict},
		{"23P01", derrors.ErrConflict},
		{"23514", derrors.ErrInvalid},
		{"23503", derrors.ErrInvalid},
		{"23502", derrors.ErrInvalid},
		{"22P02", derrors.ErrInvalid},
		{"40001", derrors.ErrConflict},
		{"40P01", derrors.ErrConflict},
		{"53300", derrors.ErrUnavailable},
		{"57P01", derrors.ErrUnavailable},
		{"08006", derrors.ErrUnavailable},
		{"42501", nil},
		{"XX000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			in := fmt.Errorf("query: %w", &pgconn.PgError{Code: tt.code, Message: "value 'secret' here", Detail: "Key (x)=(secret)"})
			got := postgres.Translate(in)
			if tt.want != nil && !errors.Is(got, tt.want) {
				t.Errorf("Translate(SQLSTATE %s) = %v, want %v", tt.code, got, tt.want)
			}
			if tt.want == nil && (errors.Is(got, derrors.ErrInvalid) || errors.Is(got, derrors.ErrConflict) || errors.Is(got, derrors.ErrUnavailable)) {
				t.Errorf("Translate(SQLSTATE %s) = %v, want an internal error", tt.code, got)
			}
			if strings.Contains(got.Error(), "secret") {
				t.Errorf("Translate(SQLSTATE %s) = %q carries the message or detail", tt.code, got)
			}
		})
	}
	if got := postgres.Translate(pgx.ErrNoRows); !errors.Is(got, derrors.ErrNotFound) {
		t.Errorf("Translate(ErrNoRows) = %v, want ErrNotFound", got)
	}
	if got := postgres.Translate(nil); got != nil {
		t.Errorf("Translate(nil) = %v, want nil", got)
	}
}

// TestMigrationsDownUp applies every migration, reverts them all and applies
// them again, in a database of its own.
func TestMigrationsDownUp(t *testing.T) {
	env := testenv.EmptyDatabase(t)
	m, err := postgres.NewMigrator(migrations.FS, env.MigrateURL)
	if err != nil {
		t.Fatalf("NewMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	pool := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	schemas := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname IN ('hr', 'medical', 'audit')`).Scan(&n); err != nil {
			t.Fatalf("count schemas: %v", err)
		}
		return n
	}

	if err := m.Up(); err != nil {
		t.Fatalf("Up: %v", err)
	}
	st, err := m.Status()
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if len(st.Available) == 0 || st.Version != st.Available[len(st.Available)-1] || st.Dirty {
		t.Fatalf("Status after Up = %+v, want the last available version, clean", st)
	}
	if got := schemas(); got != 3 {
		t.Fatalf("schemas after Up = %d, want 3", got)
	}
	if err := m.Up(); err != nil {
		t.Errorf("second Up = %v, want nil (nothing to do)", err)
	}
	if err := m.Down(0); err != nil {
		t.Fatalf("Down(all): %v", err)
	}
	if st, _ := m.Status(); st.Version != 0 {
		t.Errorf("version after Down(all) = %d, want 0", st.Version)
	}
	if got := schemas(); got != 0 {
		t.Errorf("schemas after Down(all) = %d, want 0", got)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("Up after Down: %v", err)
	}
	if got := schemas(); got != 3 {
		t.Errorf("schemas after Down then Up = %d, want 3", got)
	}
	// The role grants come back with the schemas.
	hr := testenv.Pool(t, env.HRURL)
	if _, err := hr.Exec(ctx, `INSERT INTO audit.outbox (action, object_kind, outcome) VALUES ('read', 'employee', 'ok')`); err != nil {
		t.Errorf("hr insert into audit.outbox after Down then Up: %v", err)
	}
}

func TestEmployerStoreEnsure(t *testing.T) {
	env := testenv.FreshDatabase(t)
	store := postgres.NewEmployerStore(testenv.Pool(t, env.HRURL))
	ctx := context.Background()
	in := employer.Employer{Name: "Garage Van Dijk", KvKNumber: "30000001"}

	first, created, err := store.Ensure(ctx, in)
	if err != nil || !created {
		t.Fatalf("Ensure(new) = %v, created %v; want created", err, created)
	}
	if first.ID.String() == "" || first.Name != in.Name || first.CreatedAt.IsZero() {
		t.Errorf("Ensure(new) = %+v, want the stored employer", first)
	}
	second, created, err := store.Ensure(ctx, employer.Employer{Name: "Other name", KvKNumber: in.KvKNumber})
	if err != nil || created {
		t.Fatalf("Ensure(existing) = %v, created %v; want not created", err, created)
	}
	if second.ID != first.ID || second.Name != in.Name {
		t.Errorf("Ensure(existing) = %+v, want the first employer %+v", second, first)
	}
	_, _, err = store.Ensure(ctx, employer.Employer{Name: "", KvKNumber: "30000002"})
	var ce *postgres.ConstraintError
	if !errors.As(err, &ce) || ce.Constraint != "employers_name_check" || !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Ensure(empty name) = %v, want ErrInvalid on employers_name_check", err)
	}
}
