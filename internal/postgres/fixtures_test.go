package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// world is what a store test writes its fixtures with and reads through:
// the owner pool, which row-level security does not govern, for the
// fixtures, and the hr and med pools the stores run on. Every test makes
// its own tenants and people, so tests never share data.
type world struct {
	t              *testing.T
	ctx            context.Context
	owner, hr, med *pgxpool.Pool
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, testenv.Load(t))
}

// newWorldOn is newWorld on env, for a test whose leftovers others must
// not meet (a database of its own from testenv.FreshDatabase).
func newWorldOn(t *testing.T, env testenv.Env) *world {
	t.Helper()
	return &world{t: t, ctx: context.Background(), owner: testenv.Pool(t, env.MigrateURL),
		hr: testenv.Pool(t, env.HRURL), med: testenv.Pool(t, env.MedURL)}
}

// exec runs a fixture statement as the owner.
func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.owner.Exec(w.ctx, sql, args...); err != nil {
		w.t.Fatalf("fixture %q: %v", sql, err)
	}
}

// employer adds a tenant without employees.
func (w *world) employer() uuid.UUID {
	w.t.Helper()
	return addTenant(w.t, w.owner, 0)
}

// employee adds an employee of employer.
func (w *world) employee(employer uuid.UUID) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	w.exec(`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, $3, 'Anna', 'Jansen', '1980-01-01', '2020-01-01')`, id, employer, "E-"+id.String()[:8])
	return id
}

// user adds an active user with one active grant of role (at employer,
// uuid.Nil for none).
func (w *world) user(role access.Role, employer uuid.UUID) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	w.exec(`INSERT INTO hr.users (id, email, display_name, status, password_hash, totp_secret_ciphertext)
		VALUES ($1, $2, 'Test Gebruiker', 'active', 'x', 'vault:v1:x')`, id, "u-"+id.String()+"@example.test")
	w.exec(`INSERT INTO hr.role_grants (user_id, role, employer_id) VALUES ($1, $2, $3)`, id, string(role), nullID(employer))
	return id
}

// assign makes physician the employer's active assigned physician.
func (w *world) assign(employer, physician uuid.UUID) {
	w.t.Helper()
	w.exec(`INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by) VALUES ($1, $2, 'active', $2)`,
		employer, physician)
}

// dossier opens the dossier of employee with physician responsible.
func (w *world) dossier(employee, physician uuid.UUID) dossier.Dossier {
	w.t.Helper()
	d, err := postgres.NewDossierStore(w.med).Open(w.ctx, employee, physician)
	if err != nil {
		w.t.Fatalf("open dossier: %v", err)
	}
	return d
}

// events counts the audit events of request rid (see eventsOf).
func (w *world) events(rid string) int {
	w.t.Helper()
	return eventsOf(w.t, w.owner, rid)
}

// testEvent is an event of action on kind by actor, with a request id of
// its own to count it by.
func testEvent(actor uuid.UUID, action audit.Action, kind string) audit.Event {
	return audit.Event{ActorUserID: actor, ActorRole: "test", Action: action, ObjectKind: kind, Outcome: audit.OutcomeOK,
		RequestID: "store-" + uuid.NewString()}
}

// allowDossier is a dossier.Authorize that allows and returns ev.
func allowDossier(ev audit.Event) dossier.Authorize {
	return func(dossier.Dossier, time.Time) (audit.Event, error) { return ev, nil }
}

// only is the scope of the employers named.
func only(employers ...uuid.UUID) access.Scope { return access.Scope{Employers: employers} }

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// day is a date in UTC.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
