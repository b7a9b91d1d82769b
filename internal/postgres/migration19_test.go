package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/migrations"
)

// TestMigration19RevokesPendingEmployeeInvitations builds, in a database of
// its own at schema version 18, the invitations that existed before
// employee logins needed an activation code — employee invitations by an
// employer user, by an admin and by a case manager, pending or expired
// unused, one accepted, and a pending staff invitation — then applies
// 000019. Every employee invitation not accepted is revoked (link ended,
// employee grant revoked, record unlinked) with one audit event by ids
// each; the accepted one and the staff invitation are untouched.
func TestMigration19RevokesPendingEmployeeInvitations(t *testing.T) {
	env := testenv.EmptyDatabase(t)
	m, err := postgres.NewMigrator(migrations.FS, env.MigrateURL)
	if err != nil {
		t.Fatalf("NewMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.To(18); err != nil {
		t.Fatalf("migrate to 18: %v", err)
	}
	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	tenant := uuid.New()
	exec(`INSERT INTO hr.employers (id, name, kvk_number) VALUES ($1, 'Werkgever BV', '12345678')`, tenant)
	user := func(status string) uuid.UUID {
		t.Helper()
		id := uuid.New()
		if status == "active" {
			exec(`INSERT INTO hr.users (id, email, display_name, status, password_hash, totp_secret_ciphertext)
				VALUES ($1, $2, 'X', 'active', 'argon2id-hash', 'vault:v1:x')`, id, "u-"+id.String()+"@example.test")
		} else {
			exec(`INSERT INTO hr.users (id, email, display_name, status) VALUES ($1, $2, 'X', 'invited')`, id, "u-"+id.String()+"@example.test")
		}
		return id
	}
	grant := func(userID uuid.UUID, role string, employer any, by any) {
		t.Helper()
		exec(`INSERT INTO hr.role_grants (user_id, role, employer_id, status, proposed_by, decided_at)
			VALUES ($1, $2, $3, 'active', $4, now())`, userID, role, employer, by)
	}
	employer, admin, cm := user("active"), user("active"), user("active")
	grant(employer, "employer", tenant, nil)
	grant(admin, "admin", nil, nil)
	grant(cm, "case_manager", tenant, nil)

	type invitation struct {
		name           string
		userID, record uuid.UUID
		token          []byte
		revoked        bool
	}
	// invite stores an invitation as CreateInvitation did before 000019.
	invite := func(name string, by uuid.UUID, role string, expires time.Time, accepted bool) invitation {
		t.Helper()
		in := invitation{name: name, userID: user(map[bool]string{true: "active", false: "invited"}[accepted]), token: make([]byte, 32)}
		rand.Read(in.token) //nolint:errcheck // never fails
		if role == "employee" {
			grant(in.userID, "employee", tenant, by)
			in.record = uuid.New()
			exec(`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
				VALUES ($1, $2, $3, 'Lotte', 'Koppel', '1984-05-06', '2012-02-01', $4)`, in.record, tenant, "E"+in.record.String()[:8], in.userID)
		} else {
			grant(in.userID, role, nil, by)
		}
		var used any
		if accepted {
			used = time.Now().Add(-time.Hour)
		}
		exec(`INSERT INTO hr.one_time_links (token_hash, user_id, purpose, created_by, expires_at, used_at)
			VALUES ($1, $2, 'invitation', $3, $4, $5)`, in.token, in.userID, by, expires, used)
		return in
	}
	later, earlier := time.Now().Add(48*time.Hour), time.Now().Add(-time.Hour)
	invitations := []invitation{
		invite("employee invitation by the employer", employer, "employee", later, false),
		invite("expired unused employee invitation by the employer", employer, "employee", earlier, false),
		invite("employee invitation by an admin", admin, "employee", later, false),
		invite("employee invitation by a case manager (no code: it cannot be accepted either)", cm, "employee", later, false),
		invite("accepted employee invitation", employer, "employee", earlier, true),
		invite("staff invitation by an admin", admin, "case_manager", later, false),
	}
	for i := range invitations[:4] {
		invitations[i].revoked = true
	}

	if err := m.To(19); err != nil {
		t.Fatalf("migrate to 19: %v", err)
	}
	for _, in := range invitations {
		t.Run(in.name, func(t *testing.T) {
			var (
				revokedAt, usedAt *time.Time
				grants            string
				linked            *uuid.UUID
				events            int
				eventShape        string
			)
			if err := owner.QueryRow(ctx, `SELECT revoked_at, used_at FROM hr.one_time_links WHERE token_hash = $1`, in.token).
				Scan(&revokedAt, &usedAt); err != nil {
				t.Fatal(err)
			}
			if err := owner.QueryRow(ctx, `SELECT string_agg(role || ':' || status, ',') FROM hr.role_grants WHERE user_id = $1`, in.userID).
				Scan(&grants); err != nil {
				t.Fatal(err)
			}
			if in.record != uuid.Nil {
				if err := owner.QueryRow(ctx, `SELECT user_id FROM hr.employees WHERE id = $1`, in.record).Scan(&linked); err != nil {
					t.Fatal(err)
				}
			}
			if err := owner.QueryRow(ctx, `
				SELECT count(*), coalesce(max(concat_ws('|', action, outcome, request_id, subject_employee_id, tenant_id,
					coalesce(actor_user_id::text, 'no actor'))), '')
				FROM audit.outbox WHERE object_kind = 'invitation' AND object_id = $1`, in.userID.String()).Scan(&events, &eventShape); err != nil {
				t.Fatal(err)
			}
			if !in.revoked {
				if revokedAt != nil || events != 0 || (in.record != uuid.Nil && (linked == nil || *linked != in.userID)) {
					t.Errorf("migration 000019 touched %s: revoked_at %v, %d events, record linked to %v", in.name, revokedAt, events, linked)
				}
				return
			}
			if revokedAt == nil || usedAt == nil {
				t.Errorf("migration 000019 left %s working: revoked_at %v, used_at %v; want both set", in.name, revokedAt, usedAt)
			}
			if grants != "employee:revoked" {
				t.Errorf("migration 000019: grants of %s = %s, want employee:revoked", in.name, grants)
			}
			if linked != nil {
				t.Errorf("migration 000019: the record of %s is still linked to %v, want unlinked", in.name, linked)
			}
			want := fmt.Sprintf("update|ok|migration-000019|%s|%s|no actor", in.record, tenant)
			if events != 1 || eventShape != want {
				t.Errorf("migration 000019: %d audit events for %s (%s), want 1 (%s)", events, in.name, eventShape, want)
			}
		})
	}
	var ids int
	if err := owner.QueryRow(ctx, `SELECT count(DISTINCT id) FROM hr.one_time_links`).Scan(&ids); err != nil || ids != len(invitations) {
		t.Errorf("invitation ids after 000019 = %d distinct (%v), want %d", ids, err, len(invitations))
	}
}
