package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestRoleSegregation proves DESIGN §2 over real connections: each login
// role reaches exactly its own schema, and the audit trail is append-only.
func TestRoleSegregation(t *testing.T) {
	env := testenv.Load(t)
	pools := map[string]string{
		"hr":    env.HRURL,
		"med":   env.MedURL,
		"audit": env.AuditURL,
	}
	const (
		allowed = ""
		denied  = "42501" // insufficient_privilege
	)
	outboxRow := `INSERT INTO audit.outbox (action, object_kind, outcome) VALUES ('read', 'employee', 'ok')`
	eventRow := `INSERT INTO audit.events (seq, occurred_at, action, object_kind, outcome, prev_hash, hash)
		VALUES (9000000000000, now(), 'read', 'employee', 'ok', '\x` + zeros32 + `', '\x` + zeros32 + `')`
	tests := []struct {
		role, stmt string
		want       string
	}{
		// hr: hr schema yes, medical no, audit outbox insert only.
		{"hr", `SELECT count(*) FROM hr.employers`, allowed},
		{"hr", `INSERT INTO hr.employers (name, kvk_number) VALUES ('T', '10000001')`, allowed},
		{"hr", `SELECT count(*) FROM medical.dossiers`, denied},
		{"hr", `INSERT INTO medical.dossiers (employee_id) VALUES (gen_random_uuid())`, denied},
		{"hr", `DELETE FROM medical.dossiers`, denied},
		{"hr", `SELECT count(*) FROM medical.entries`, denied},
		{"hr", `SELECT count(*) FROM medical.attachments`, denied},
		{"hr", `SELECT count(*) FROM medical.exposures`, denied},
		{"hr", `SELECT count(*) FROM medical.emergency_accesses`, denied},
		{"hr", outboxRow, allowed},
		{"hr", `SELECT count(*) FROM audit.outbox`, denied},
		{"hr", `UPDATE audit.outbox SET outcome = 'ok'`, denied},
		{"hr", `DELETE FROM audit.outbox`, denied},
		{"hr", `SELECT count(*) FROM audit.events`, denied},
		{"hr", eventRow, denied},
		{"hr", `CREATE TABLE hr.extra (id int)`, denied},
		{"hr", `CREATE TABLE public.extra (id int)`, denied},
		// med: medical schema yes, hr no, audit outbox insert only.
		{"med", `SELECT count(*) FROM medical.dossiers`, allowed},
		{"med", `INSERT INTO medical.dossiers (employee_id) VALUES (gen_random_uuid())`, allowed},
		{"med", `SELECT count(*) FROM medical.entries`, allowed},
		// Entries are never updated in place, except the ciphertext by a
		// rewrap; never deleted by the application role.
		{"med", `UPDATE medical.entries SET kind = 'note'`, denied},
		{"med", `UPDATE medical.entries SET author_id = gen_random_uuid()`, denied},
		{"med", `UPDATE medical.entries SET ciphertext = ciphertext, key_version = key_version`, allowed},
		// Destruction deletes the rows of a destroyed dossier (after its key);
		// nothing else does. WHERE false: the grant is what is tested.
		{"med", `DELETE FROM medical.entries WHERE false`, allowed},
		{"med", `UPDATE medical.destructions SET counts = counts`, denied},
		{"med", `DELETE FROM medical.destructions`, denied},
		{"med", `UPDATE medical.consents SET recipient_kind = recipient_kind`, denied},
		{"hr", `SELECT count(*) FROM medical.consents`, denied},
		{"hr", `SELECT count(*) FROM medical.disclosures`, denied},
		{"med", `UPDATE medical.attachments SET content = content`, denied},
		{"med", `SELECT count(*) FROM hr.employers`, denied},
		{"med", `SELECT count(*) FROM hr.verdicts`, denied},
		{"med", `INSERT INTO hr.employers (name, kvk_number) VALUES ('T', '10000002')`, denied},
		{"med", `UPDATE hr.employers SET name = 'x'`, denied},
		{"med", outboxRow, allowed},
		{"med", `SELECT count(*) FROM audit.outbox`, denied},
		{"med", `DELETE FROM audit.outbox`, denied},
		{"med", `SELECT count(*) FROM audit.events`, denied},
		{"med", eventRow, denied},
		{"med", `CREATE TABLE medical.extra (id int)`, denied},
		// audit: reads and drains the outbox, appends events, never rewrites them.
		{"audit", `SELECT count(*) FROM audit.outbox`, allowed},
		{"audit", `DELETE FROM audit.outbox WHERE id < 0`, allowed},
		{"audit", outboxRow, denied},
		{"audit", `UPDATE audit.outbox SET outcome = 'ok'`, denied},
		{"audit", `SELECT count(*) FROM audit.events`, allowed},
		{"audit", eventRow, allowed},
		{"audit", `UPDATE audit.events SET outcome = 'denied'`, denied},
		{"audit", `DELETE FROM audit.events`, denied},
		{"audit", `TRUNCATE audit.events`, denied},
		{"audit", `SELECT count(*) FROM hr.employers`, denied},
		{"audit", `SELECT count(*) FROM medical.dossiers`, denied},
		{"audit", `SELECT count(*) FROM medical.entries`, denied},
	}
	ctx := context.Background()
	for role, url := range pools {
		pool := testenv.Pool(t, url)
		for _, tt := range tests {
			if tt.role != role {
				continue
			}
			t.Run(role+"/"+tt.stmt, func(t *testing.T) {
				tx := testenv.Tx(t, pool)
				if role == "hr" {
					// Service-wide scope, so row-level security does not
					// mask the privilege under test.
					if _, err := tx.Exec(ctx, `SELECT set_config('arbokluis.employer_ids', '*', true)`); err != nil {
						t.Fatalf("set scope: %v", err)
					}
				}
				_, err := tx.Exec(ctx, tt.stmt)
				got := sqlState(err)
				if err != nil && got == "" {
					t.Fatalf("as %s, Exec(%q) = %v, want SQLSTATE %q", role, tt.stmt, err, tt.want)
				}
				if got != tt.want {
					t.Errorf("as %s, Exec(%q) SQLSTATE = %q (err %v), want %q", role, tt.stmt, got, err, tt.want)
				}
			})
		}
	}
}

// TestAuditEventsAppendOnlyForOwner proves that even the owner role, which
// owns the table, cannot rewrite an event: a trigger refuses it.
func TestAuditEventsAppendOnlyForOwner(t *testing.T) {
	env := testenv.Load(t)
	pool := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE audit.events SET outcome = 'denied' WHERE seq = 9000000000001`,
		`DELETE FROM audit.events WHERE seq = 9000000000001`,
		`TRUNCATE audit.events`,
	} {
		t.Run(stmt, func(t *testing.T) {
			tx := testenv.Tx(t, pool)
			if _, err := tx.Exec(ctx, `INSERT INTO audit.events (seq, occurred_at, action, object_kind, outcome, prev_hash, hash)
				VALUES (9000000000001, now(), 'read', 'employee', 'ok', '\x`+zeros32+`', '\x`+zeros32+`')`); err != nil {
				t.Fatalf("insert event as owner: %v", err)
			}
			_, err := tx.Exec(ctx, stmt)
			if got := sqlState(err); got != "42501" {
				t.Errorf("as owner, Exec(%q) SQLSTATE = %q (err %v), want 42501", stmt, got, err)
			}
		})
	}
}

const zeros32 = "0000000000000000000000000000000000000000000000000000000000000000"

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
