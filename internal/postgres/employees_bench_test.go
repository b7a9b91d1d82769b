package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// BenchmarkEmployeeRead measures one employee read as the service does it
// (scoped transaction, load, object rule, read event in the outbox) against
// the same read with auditing switched off, in the same run. Report the
// ratio of the two ns/op (requests/s = 1e9 / ns/op).
func BenchmarkEmployeeRead(b *testing.B) {
	env := testenv.FreshDatabase(b)
	owner := testenv.Pool(b, env.MigrateURL)
	hr := testenv.Pool(b, env.HRURL)
	ctx := context.Background()
	var tenant, id uuid.UUID
	if err := owner.QueryRow(ctx, `INSERT INTO hr.employers (name, kvk_number) VALUES ('Bench', '12345670') RETURNING id`).Scan(&tenant); err != nil {
		b.Fatal(err)
	}
	if err := owner.QueryRow(ctx, `INSERT INTO hr.employees (employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, 'B1', 'Anna', 'Jansen', '1980-01-01', '2020-01-01') RETURNING id`, tenant).Scan(&id); err != nil {
		b.Fatal(err)
	}
	scope := access.Scope{Employers: []uuid.UUID{tenant}}
	authorize := func(e employee.Employee) (audit.Event, error) {
		return audit.Event{ActorUserID: id, ActorRole: "employer", SubjectEmployeeID: e.ID, TenantID: e.EmployerID,
			Action: audit.ActionRead, ObjectKind: "employee", ObjectID: e.ID.String(), Outcome: audit.OutcomeOK}, nil
	}
	for _, tt := range []struct {
		name  string
		store *postgres.EmployeeStore
	}{
		{"audited", postgres.NewEmployeeStore(hr)},
		{"auditing_off", postgres.NewUnauditedEmployeeStore(hr)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tt.store.Get(ctx, scope, id, authorize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
