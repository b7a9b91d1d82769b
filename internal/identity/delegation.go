package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// DelegationKind names a record that gives someone medical access and
// therefore needs two keys: proposed by one person, approved by a lead
// physician who is neither the proposer nor the person gaining access.
type DelegationKind string

// The delegations.
const (
	// KindAssignment makes a physician the assigned physician of a client
	// employer: responsible for its employees' dossiers.
	KindAssignment DelegationKind = "physician_assignment"
	// KindSubstitution lets a physician stand in for an absent one.
	KindSubstitution DelegationKind = "substitution"
	// KindStatement is a renewed confidentiality statement of a medical
	// assistant.
	KindStatement DelegationKind = "confidentiality_statement"
)

// DelegationStatus is the state of a delegation.
type DelegationStatus string

// Delegation states.
const (
	DelegationProposed DelegationStatus = "proposed"
	DelegationActive   DelegationStatus = "active"
)

// Delegation is a stored delegation as the two-key rule sees it.
type Delegation struct {
	Kind   DelegationKind
	ID     uuid.UUID
	Status DelegationStatus
	// Grantee is the user who gains medical access by it.
	Grantee    uuid.UUID
	ProposedBy uuid.UUID
	ApprovedBy uuid.UUID
	// EmployerID is set for physician assignments.
	EmployerID uuid.UUID
}

// Assignment proposes physician PhysicianID for employer EmployerID.
type Assignment struct {
	EmployerID, PhysicianID uuid.UUID
}

// Substitution proposes that SubstituteID stands in for AbsentPhysicianID
// from StartsOn through EndsOn (calendar days, inclusive).
type Substitution struct {
	AbsentPhysicianID, SubstituteID uuid.UUID
	StartsOn, EndsOn                time.Time
}

// DelegationStore persists delegations. Each method writes the event it is
// given in the same transaction.
type DelegationStore interface {
	// ProposeAssignment stores a proposed assignment; an unknown employer
	// is derrors.ErrNotFound; a physician id that is not an active
	// physician is derrors.FieldErrors.
	ProposeAssignment(ctx context.Context, d Delegation, a Assignment, event audit.Event) error
	// ProposeSubstitution stores a proposed substitution; ids that are not
	// active physicians are derrors.FieldErrors.
	ProposeSubstitution(ctx context.Context, d Delegation, s Substitution, event audit.Event) error
	// ProposeStatement stores a proposed statement for assistant d.Grantee;
	// a user without a live medical_assistant grant is derrors.ErrNotFound,
	// a physician id that is not an active physician derrors.FieldErrors.
	ProposeStatement(ctx context.Context, d Delegation, st Statement, event audit.Event) error
	// Delegation returns a delegation; derrors.ErrNotFound when there is none.
	Delegation(ctx context.Context, kind DelegationKind, id uuid.UUID) (Delegation, error)
	// ApproveDelegation activates a proposed delegation (an assignment ends
	// the employer's previous one); derrors.ErrConflict when it is no
	// longer proposed.
	ApproveDelegation(ctx context.Context, kind DelegationKind, id, approver uuid.UUID, at time.Time, event audit.Event) error
}

// Delegations runs the two-key rule for physician assignments, substitution
// periods and confidentiality statements. Callers have been authorised for
// the action (authz); the services check what the policy cannot know.
type Delegations struct {
	store DelegationStore
	now   func() time.Time
}

// NewDelegations returns Delegations; now defaults to time.Now.
func NewDelegations(store DelegationStore, now func() time.Time) *Delegations {
	if now == nil {
		now = time.Now
	}
	return &Delegations{store: store, now: now}
}

func delegationEvent(a access.Actor, kind DelegationKind, id uuid.UUID, tenant uuid.UUID) audit.Event {
	return audit.Event{
		ActorUserID: a.UserID(), ActorRole: string(a.Role), TenantID: tenant,
		Action: audit.ActionGrant, ObjectKind: string(kind), ObjectID: id.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
	}
}

// ProposeAssignment proposes a physician for an employer. Bad input is
// derrors.FieldErrors; an unknown employer is derrors.ErrNotFound.
func (s *Delegations) ProposeAssignment(ctx context.Context, a access.Actor, in Assignment) (Delegation, error) {
	if in.PhysicianID == uuid.Nil {
		return Delegation{}, derrors.FieldErrors{"physician_id": "is required"}
	}
	if in.PhysicianID == a.UserID() {
		return Delegation{}, fmt.Errorf("identity: propose own assignment: %w", derrors.ErrForbidden)
	}
	d := Delegation{Kind: KindAssignment, ID: uuid.New(), Status: DelegationProposed,
		Grantee: in.PhysicianID, ProposedBy: a.UserID(), EmployerID: in.EmployerID}
	if err := s.store.ProposeAssignment(ctx, d, in, delegationEvent(a, d.Kind, d.ID, in.EmployerID)); err != nil {
		return Delegation{}, fmt.Errorf("identity: propose assignment: %w", err)
	}
	return d, nil
}

// ProposeSubstitution proposes a substitution period. Bad input (including
// a period that has already ended or runs over a year) is
// derrors.FieldErrors; proposing oneself as the substitute is
// derrors.ErrForbidden.
func (s *Delegations) ProposeSubstitution(ctx context.Context, a access.Actor, in Substitution) (Delegation, error) {
	fe := derrors.FieldErrors{}
	if in.AbsentPhysicianID == uuid.Nil {
		fe.Add("absent_physician_id", "is required")
	}
	if in.SubstituteID == uuid.Nil {
		fe.Add("substitute_id", "is required")
	} else if in.SubstituteID == in.AbsentPhysicianID {
		fe.Add("substitute_id", "must differ from the absent physician")
	}
	today := access.Today(s.now())
	switch {
	case in.EndsOn.Before(in.StartsOn):
		fe.Add("ends_on", "must not be before starts_on")
	case in.EndsOn.Format(time.DateOnly) < today:
		fe.Add("ends_on", "must not be in the past")
	case in.EndsOn.Sub(in.StartsOn) > 366*24*time.Hour:
		fe.Add("ends_on", "must be within a year of starts_on")
	}
	if err := fe.Err(); err != nil {
		return Delegation{}, err
	}
	if in.SubstituteID == a.UserID() {
		return Delegation{}, fmt.Errorf("identity: propose oneself as substitute: %w", derrors.ErrForbidden)
	}
	d := Delegation{Kind: KindSubstitution, ID: uuid.New(), Status: DelegationProposed,
		Grantee: in.SubstituteID, ProposedBy: a.UserID()}
	if err := s.store.ProposeSubstitution(ctx, d, in, delegationEvent(a, d.Kind, d.ID, uuid.Nil)); err != nil {
		return Delegation{}, fmt.Errorf("identity: propose substitution: %w", err)
	}
	return d, nil
}

// ProposeStatement records a renewed confidentiality statement of medical
// assistant assistantID, to take effect when a lead physician approves it.
// Bad input is derrors.FieldErrors; a user who is not a medical assistant is
// derrors.ErrNotFound.
func (s *Delegations) ProposeStatement(ctx context.Context, a access.Actor, assistantID uuid.UUID, st Statement) (Delegation, error) {
	if assistantID == a.UserID() {
		return Delegation{}, fmt.Errorf("identity: propose own statement: %w", derrors.ErrForbidden)
	}
	if err := validateStatement(st, assistantID, access.Today(s.now())).Err(); err != nil {
		return Delegation{}, err
	}
	d := Delegation{Kind: KindStatement, ID: uuid.New(), Status: DelegationProposed,
		Grantee: assistantID, ProposedBy: a.UserID()}
	if err := s.store.ProposeStatement(ctx, d, st, delegationEvent(a, d.Kind, d.ID, uuid.Nil)); err != nil {
		return Delegation{}, fmt.Errorf("identity: propose statement: %w", err)
	}
	return d, nil
}

// validateStatement checks a confidentiality statement of assistantID
// against today (YYYY-MM-DD); field names are prefixed "statement." by the
// grant API and plain here.
func validateStatement(st Statement, assistantID uuid.UUID, today string) derrors.FieldErrors {
	fe := derrors.FieldErrors{}
	if st.PhysicianID == uuid.Nil || st.PhysicianID == assistantID {
		fe.Add("physician_id", "must name the physician the assistant acts for")
	}
	if st.SignedOn.Format(time.DateOnly) > today {
		fe.Add("signed_on", "must not be in the future")
	}
	if st.ExpiresOn.Format(time.DateOnly) <= today {
		fe.Add("expires_on", "must be after today")
	}
	return fe
}

// Approve lets a lead physician activate a proposed delegation. The
// approver may be neither its proposer nor the person gaining access
// (derrors.ErrForbidden); an unknown delegation is derrors.ErrNotFound; one
// that is no longer proposed is derrors.ErrConflict.
func (s *Delegations) Approve(ctx context.Context, a access.Actor, kind DelegationKind, id uuid.UUID) (Delegation, error) {
	d, err := s.store.Delegation(ctx, kind, id)
	if err != nil {
		return Delegation{}, fmt.Errorf("identity: approve %s: %w", kind, err)
	}
	if d.ProposedBy == a.UserID() || d.Grantee == a.UserID() {
		return Delegation{}, fmt.Errorf("identity: approve %s: second key must be someone else: %w", kind, derrors.ErrForbidden)
	}
	if d.Status != DelegationProposed {
		return Delegation{}, fmt.Errorf("identity: approve %s in status %s: %w", kind, d.Status, derrors.ErrConflict)
	}
	now := s.now()
	if err := s.store.ApproveDelegation(ctx, kind, id, a.UserID(), now, delegationEvent(a, kind, id, d.EmployerID)); err != nil {
		return Delegation{}, fmt.Errorf("identity: approve %s: %w", kind, err)
	}
	d.Status, d.ApprovedBy = DelegationActive, a.UserID()
	return d, nil
}
