package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

var _ identity.DelegationStore = (*IdentityStore)(nil)

// activePhysician is true when the user $n is active and holds an active
// physician or lead physician grant.
const activePhysician = `EXISTS (SELECT 1 FROM hr.role_grants pg JOIN hr.users pu ON pu.id = pg.user_id
	WHERE pg.user_id = %s AND pg.status = 'active' AND pu.status = 'active'
	  AND pg.role IN ('physician', 'lead_physician'))`

// requirePhysicians returns field errors for the ids (by field name) that
// are not active physicians.
func requirePhysicians(ctx context.Context, tx pgx.Tx, ids map[string]uuid.UUID) error {
	fe := derrors.FieldErrors{}
	for field, id := range ids {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT `+fmt.Sprintf(activePhysician, "$1"), id).Scan(&ok); err != nil {
			return Translate(err)
		}
		if !ok {
			fe.Add(field, "must name an active physician")
		}
	}
	return fe.Err()
}

// ProposeAssignment stores a proposed physician assignment with its event.
func (s *IdentityStore) ProposeAssignment(ctx context.Context, d identity.Delegation, a identity.Assignment, event audit.Event) error {
	scope := access.Scope{Employers: []uuid.UUID{a.EmployerID}}
	return InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if err := requireEmployer(ctx, tx, scope, a.EmployerID); err != nil {
			return err
		}
		if err := requirePhysicians(ctx, tx, map[string]uuid.UUID{"physician_id": a.PhysicianID}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.physician_assignments (id, employer_id, physician_id, proposed_by)
			VALUES ($1, $2, $3, $4)`, d.ID, a.EmployerID, a.PhysicianID, d.ProposedBy); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
}

// ProposeSubstitution stores a proposed substitution period with its event.
func (s *IdentityStore) ProposeSubstitution(ctx context.Context, d identity.Delegation, sub identity.Substitution, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := requirePhysicians(ctx, tx, map[string]uuid.UUID{
			"absent_physician_id": sub.AbsentPhysicianID, "substitute_id": sub.SubstituteID,
		}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.substitutions (id, absent_physician_id, substitute_id, starts_on, ends_on, proposed_by)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			d.ID, sub.AbsentPhysicianID, sub.SubstituteID, sub.StartsOn, sub.EndsOn, d.ProposedBy); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
}

// ProposeStatement stores a proposed confidentiality statement with its
// event.
func (s *IdentityStore) ProposeStatement(ctx context.Context, d identity.Delegation, st identity.Statement, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var assistant bool
		if err := tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM hr.role_grants
				WHERE user_id = $1 AND role = 'medical_assistant' AND status <> 'revoked')`, d.Grantee).Scan(&assistant); err != nil {
			return Translate(err)
		}
		if !assistant {
			return fmt.Errorf("postgres: user %s is no medical assistant: %w", d.Grantee, derrors.ErrNotFound)
		}
		if err := requirePhysicians(ctx, tx, map[string]uuid.UUID{"physician_id": st.PhysicianID}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.confidentiality_statements
				(id, assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'proposed')`,
			d.ID, d.Grantee, st.PhysicianID, st.SignedOn, st.ExpiresOn, d.ProposedBy); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
}

// delegationQueries are the lookup and approval statements per kind; each
// lookup reads a delegationRow.
var delegationQueries = map[identity.DelegationKind]struct{ get, approve string }{
	identity.KindAssignment: {
		get: `SELECT status, physician_id AS grantee, proposed_by, approved_by, employer_id
			FROM hr.physician_assignments WHERE id = $1`,
		approve: `UPDATE hr.physician_assignments SET status = 'active', approved_by = $2, decided_at = $3
			WHERE id = $1 AND status = 'proposed'`,
	},
	identity.KindSubstitution: {
		get: `SELECT status, substitute_id AS grantee, proposed_by, approved_by, NULL::uuid AS employer_id
			FROM hr.substitutions WHERE id = $1`,
		approve: `UPDATE hr.substitutions SET status = 'active', approved_by = $2, decided_at = $3
			WHERE id = $1 AND status = 'proposed'`,
	},
	identity.KindStatement: {
		get: `SELECT status, assistant_user_id AS grantee, recorded_by AS proposed_by, approved_by, NULL::uuid AS employer_id
			FROM hr.confidentiality_statements WHERE id = $1`,
		approve: `UPDATE hr.confidentiality_statements SET status = 'active', approved_by = $2, decided_at = $3
			WHERE id = $1 AND status = 'proposed'`,
	},
}

// Delegation returns the delegation of kind with id.
func (s *IdentityStore) Delegation(ctx context.Context, kind identity.DelegationKind, id uuid.UUID) (identity.Delegation, error) {
	q, ok := delegationQueries[kind]
	if !ok {
		return identity.Delegation{}, fmt.Errorf("postgres: delegation kind %q: %w", kind, derrors.ErrInvalid)
	}
	rows, _ := s.pool.Query(ctx, q.get, id)
	r, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[delegationRow])
	if err != nil {
		return identity.Delegation{}, Translate(err)
	}
	return identity.Delegation{Kind: kind, ID: id, Status: identity.DelegationStatus(r.Status), Grantee: r.Grantee,
		ProposedBy: deref(r.ProposedBy), ApprovedBy: deref(r.ApprovedBy), EmployerID: deref(r.EmployerID)}, nil
}

// delegationRow is a delegation of any kind as read.
type delegationRow struct {
	Status     string     `db:"status"`
	Grantee    uuid.UUID  `db:"grantee"`
	ProposedBy *uuid.UUID `db:"proposed_by"`
	ApprovedBy *uuid.UUID `db:"approved_by"`
	EmployerID *uuid.UUID `db:"employer_id"` // an assignment's employer; NULL for the others
}

// ApproveDelegation activates a proposed delegation with its event; an
// assignment ends the employer's previous active assignment.
func (s *IdentityStore) ApproveDelegation(ctx context.Context, kind identity.DelegationKind, id, approver uuid.UUID, at time.Time, event audit.Event) error {
	q, ok := delegationQueries[kind]
	if !ok {
		return fmt.Errorf("postgres: delegation kind %q: %w", kind, derrors.ErrInvalid)
	}
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if kind == identity.KindAssignment {
			if _, err := tx.Exec(ctx, `
				UPDATE hr.physician_assignments SET status = 'ended', ended_at = $2
				WHERE status = 'active' AND employer_id = (SELECT employer_id FROM hr.physician_assignments WHERE id = $1)`,
				id, at); err != nil {
				return Translate(err)
			}
		}
		tag, err := tx.Exec(ctx, q.approve, id, approver, at)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: %s %s is not proposed: %w", kind, id, derrors.ErrConflict)
		}
		return insertEvent(ctx, tx, event)
	})
}
