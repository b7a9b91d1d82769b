package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/identity"
)

var _ identity.AdminReadStore = (*IdentityStore)(nil)

// proposalRow is one two-key record as the read models list it.
type proposalRow struct {
	Kind          string     `db:"kind"`
	ID            uuid.UUID  `db:"id"`
	Status        string     `db:"status"`
	Role          *string    `db:"role"`
	Action        *string    `db:"action"`
	SubjectID     uuid.UUID  `db:"subject_id"`
	SubjectName   string     `db:"subject_name"`
	ProposedBy    *uuid.UUID `db:"proposed_by"`
	Proposer      *string    `db:"proposer"`
	EmployerID    *uuid.UUID `db:"employer_id"`
	EmployerName  *string    `db:"employer_name"`
	PhysicianID   *uuid.UUID `db:"physician_id"`
	PhysicianName *string    `db:"physician_name"`
	StartsOn      *time.Time `db:"starts_on"`
	EndsOn        *time.Time `db:"ends_on"`
	ProposedAt    time.Time  `db:"proposed_at"`
}

func (r proposalRow) domain() identity.Proposal {
	return identity.Proposal{Kind: identity.ProposalKind(r.Kind), ID: r.ID, Status: r.Status,
		Role: access.Role(deref(r.Role)), Action: identity.AccountActionKind(deref(r.Action)),
		SubjectID: r.SubjectID, SubjectName: r.SubjectName, ProposedBy: deref(r.ProposedBy), Proposer: deref(r.Proposer),
		EmployerID: deref(r.EmployerID), EmployerName: deref(r.EmployerName),
		PhysicianID: deref(r.PhysicianID), PhysicianName: deref(r.PhysicianName),
		StartsOn: deref(r.StartsOn), EndsOn: deref(r.EndsOn), ProposedAt: r.ProposedAt}
}

// The selects of proposalRow per kind, each with its own WHERE, are
// combined under proposalColumns.
const (
	proposalColumns = `kind, id, status, role, action, subject_id, subject_name, proposed_by, proposer,
		employer_id, employer_name, physician_id, physician_name, starts_on, ends_on, proposed_at`
	proposalGrants = `
		SELECT 'grant' AS kind, g.id, g.status, g.role, NULL::text AS action,
			g.user_id AS subject_id, su.display_name AS subject_name, g.proposed_by, pu.display_name AS proposer,
			g.employer_id, e.name AS employer_name, NULL::uuid AS physician_id, NULL::text AS physician_name,
			NULL::date AS starts_on, NULL::date AS ends_on, g.created_at AS proposed_at
		FROM hr.role_grants g JOIN hr.users su ON su.id = g.user_id
		LEFT JOIN hr.users pu ON pu.id = g.proposed_by LEFT JOIN hr.employers e ON e.id = g.employer_id`
	proposalActions = `
		SELECT 'account_action', x.id, x.status, gr.role, x.kind,
			x.user_id, su.display_name, x.proposed_by, pu.display_name,
			NULL::uuid, NULL::text, NULL::uuid, NULL::text, NULL::date, NULL::date, x.created_at
		FROM hr.account_actions x JOIN hr.users su ON su.id = x.user_id
		LEFT JOIN hr.users pu ON pu.id = x.proposed_by LEFT JOIN hr.role_grants gr ON gr.id = x.grant_id`
	proposalAssignments = `
		SELECT 'physician_assignment', x.id, x.status, NULL::text, NULL::text,
			x.physician_id, su.display_name, x.proposed_by, pu.display_name,
			x.employer_id, e.name, NULL::uuid, NULL::text, NULL::date, NULL::date, x.created_at
		FROM hr.physician_assignments x JOIN hr.users su ON su.id = x.physician_id
		LEFT JOIN hr.users pu ON pu.id = x.proposed_by JOIN hr.employers e ON e.id = x.employer_id`
	proposalSubstitutions = `
		SELECT 'substitution', x.id, x.status, NULL::text, NULL::text,
			x.substitute_id, su.display_name, x.proposed_by, pu.display_name,
			NULL::uuid, NULL::text, x.absent_physician_id, ap.display_name, x.starts_on, x.ends_on, x.created_at
		FROM hr.substitutions x JOIN hr.users su ON su.id = x.substitute_id
		LEFT JOIN hr.users pu ON pu.id = x.proposed_by JOIN hr.users ap ON ap.id = x.absent_physician_id`
	proposalStatements = `
		SELECT 'confidentiality_statement', x.id, x.status, NULL::text, NULL::text,
			x.assistant_user_id, su.display_name, x.recorded_by, pu.display_name,
			NULL::uuid, NULL::text, x.physician_user_id, ph.display_name, x.signed_on, x.expires_on, x.created_at
		FROM hr.confidentiality_statements x JOIN hr.users su ON su.id = x.assistant_user_id
		LEFT JOIN hr.users pu ON pu.id = x.recorded_by JOIN hr.users ph ON ph.id = x.physician_user_id`
)

// PendingProposals returns every proposal waiting for its second key,
// service-wide, oldest first, and writes the list read's event in the same
// transaction.
func (s *IdentityStore) PendingProposals(ctx context.Context, event func([]identity.Proposal) audit.Event) ([]identity.Proposal, error) {
	var out []identity.Proposal
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT * FROM (`+
			proposalGrants+` WHERE g.status = 'proposed' UNION ALL`+
			proposalActions+` WHERE x.status = 'proposed' UNION ALL`+
			proposalAssignments+` WHERE x.status = 'proposed' UNION ALL`+
			proposalSubstitutions+` WHERE x.status = 'proposed' UNION ALL`+
			proposalStatements+` WHERE x.status = 'proposed'
			) p (`+proposalColumns+`) ORDER BY proposed_at, id`)
		var err error
		if out, err = collect[proposalRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// User returns one user with every grant and the other proposals about
// them, service-wide, and writes the read's event in the same transaction.
func (s *IdentityStore) User(ctx context.Context, id uuid.UUID, event func(identity.UserSummary) audit.Event) (identity.UserSummary, error) {
	var out identity.UserSummary
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, email, display_name, status FROM hr.users WHERE id = $1`, id)
		u, err := pgx.CollectOneRow(rows, scanAs[userRow])
		if err != nil {
			return Translate(err)
		}
		rows, _ = tx.Query(ctx, `SELECT `+grantColumns+` FROM hr.role_grants WHERE user_id = $1 ORDER BY created_at, id`, id)
		if u.Grants, err = collect[grantRow](rows); err != nil {
			return Translate(err)
		}
		var employee *uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT (SELECT id FROM hr.employees WHERE user_id = $1 LIMIT 1)`, id).Scan(&employee); err != nil {
			return Translate(err)
		}
		u.EmployeeID = deref(employee)
		rows, _ = tx.Query(ctx, `SELECT * FROM (`+
			proposalActions+` WHERE x.status = 'proposed' AND x.user_id = $1 UNION ALL`+
			proposalAssignments+` WHERE x.status = 'proposed' AND x.physician_id = $1 UNION ALL`+
			proposalSubstitutions+` WHERE x.status = 'proposed' AND x.substitute_id = $1 UNION ALL`+
			proposalStatements+` WHERE x.status = 'proposed' AND x.assistant_user_id = $1
			) p (`+proposalColumns+`) ORDER BY proposed_at, id`, id)
		if u.Proposals, err = collect[proposalRow](rows); err != nil {
			return Translate(err)
		}
		out = u
		return insertEvent(ctx, tx, event(u))
	})
	return out, err
}

// Staffing returns the employer's proposed and active assignments and the
// live substitutions of the physicians in them.
func (s *IdentityStore) Staffing(ctx context.Context, employerID uuid.UUID, today string) ([]identity.Proposal, error) {
	var out []identity.Proposal
	err := InScope(ctx, s.pool, access.Scope{Employers: []uuid.UUID{employerID}}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT * FROM (`+
			proposalAssignments+` WHERE x.employer_id = $1 AND x.status IN ('proposed', 'active') UNION ALL`+
			proposalSubstitutions+` WHERE x.status IN ('proposed', 'active') AND x.ends_on >= $2::date
				AND x.absent_physician_id IN (SELECT physician_id FROM hr.physician_assignments
					WHERE employer_id = $1 AND status IN ('proposed', 'active'))
			) p (`+proposalColumns+`) ORDER BY kind, proposed_at, id`, employerID, today)
		var err error
		if out, err = collect[proposalRow](rows); err != nil {
			return Translate(err)
		}
		return nil
	})
	return out, err
}

// ActivePhysicians returns the active users with an active physician or
// lead physician grant, by display name.
func (s *IdentityStore) ActivePhysicians(ctx context.Context) ([]identity.UserSummary, error) {
	var out []identity.UserSummary
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT u.id, u.email, u.display_name, u.status FROM hr.users u
			WHERE u.status = 'active' AND `+fmt.Sprintf(activePhysician, "u.id")+`
			ORDER BY u.display_name, u.id`)
		var err error
		if out, err = collect[userRow](rows); err != nil {
			return Translate(err)
		}
		return nil
	})
	return out, err
}
