package identity

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // "today" is the date in Europe/Amsterdam, on any host

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// GrantStatus is the state of a role grant.
type GrantStatus string

// Grant states.
const (
	GrantProposed GrantStatus = "proposed"
	GrantActive   GrantStatus = "active"
	GrantRevoked  GrantStatus = "revoked"
)

// GrantProposal is an admin's request to give a user a role.
type GrantProposal struct {
	UserID     uuid.UUID
	Role       access.Role
	EmployerID uuid.UUID  // for employer and employee grants
	BIGNumber  string     // required for physician and lead_physician
	Statement  *Statement // required for medical_assistant
}

// Statement is a medical assistant's signed confidentiality statement
// naming the physician they act for. Dates are calendar days.
type Statement struct {
	PhysicianID         uuid.UUID
	SignedOn, ExpiresOn time.Time
}

// GrantRecord is a stored grant.
type GrantRecord struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Role       access.Role
	EmployerID uuid.UUID
	Status     GrantStatus
	ProposedBy uuid.UUID
	ApprovedBy uuid.UUID
	DecidedAt  time.Time
}

// GrantStore persists role grants. Each method writes the event it is given
// in the same transaction.
type GrantStore interface {
	// ProposeGrant stores g (status proposed or active), records bigNumber
	// on the user when set, and the statement when not nil. A user that does
	// not exist is derrors.ErrNotFound; a live grant of the same role and
	// scope is derrors.ErrConflict; a statement naming someone who is not an
	// active physician is derrors.FieldErrors.
	ProposeGrant(ctx context.Context, g GrantRecord, bigNumber string, st *Statement, event audit.Event) error
	// Grant returns a grant; derrors.ErrNotFound when there is none.
	Grant(ctx context.Context, id uuid.UUID) (GrantRecord, error)
	// ApproveGrant makes a proposed grant active; derrors.ErrConflict when it
	// is no longer proposed, derrors.ErrForbidden when approver proposed it
	// or is its subject (the database's two-key check).
	ApproveGrant(ctx context.Context, id, approver uuid.UUID, at time.Time, event audit.Event) error
}

// GrantService runs the two-key rule for role grants.
type GrantService struct {
	store GrantStore
	now   func() time.Time
}

// NewGrantService returns a GrantService; now defaults to time.Now.
func NewGrantService(store GrantStore, now func() time.Time) *GrantService {
	if now == nil {
		now = time.Now
	}
	return &GrantService{store: store, now: now}
}

// Propose lets an admin give a user a role. Non-medical roles are active at
// once; medical roles wait for a lead physician's approval. Callers who are
// not admins get derrors.ErrNotFound (they may not know the route's objects
// exist); proposing a role for oneself is derrors.ErrForbidden; bad input,
// including the employee role (employee logins are issued by staff through
// an invitation with an activation code, never by a grant), is
// derrors.FieldErrors.
func (s *GrantService) Propose(ctx context.Context, actor access.Principal, p GrantProposal, requestID string) (GrantRecord, error) {
	if !actor.Has(access.RoleAdmin) {
		return GrantRecord{}, fmt.Errorf("identity: propose grant: caller is not an admin: %w", derrors.ErrNotFound)
	}
	if p.UserID == actor.UserID {
		return GrantRecord{}, fmt.Errorf("identity: propose grant for oneself: %w", derrors.ErrForbidden)
	}
	fe := derrors.FieldErrors{}
	switch {
	case !p.Role.Valid():
		fe.Add("role", "must be one of the roles")
	case p.Role == access.RoleEmployee:
		fe.Add("role", "employee logins are issued by staff through an invitation with an activation code, not by a grant")
	}
	if msg := scopeProblem(p.Role, p.EmployerID); msg != "" {
		fe.Add("employer_id", msg)
	}
	needsBIG := p.Role == access.RolePhysician || p.Role == access.RoleLeadPhysician
	switch {
	case needsBIG && !validBIG(p.BIGNumber):
		fe.Add("big_number", "must be the 11-digit BIG registration number")
	case !needsBIG && p.BIGNumber != "":
		fe.Add("big_number", "belongs to physician grants only")
	}
	today := s.now().In(amsterdam).Format(time.DateOnly)
	switch st := p.Statement; {
	case p.Role == access.RoleMedicalAssistant && st == nil:
		fe.Add("statement", "is required for a medical assistant: the signed confidentiality statement")
	case p.Role != access.RoleMedicalAssistant && st != nil:
		fe.Add("statement", "belongs to medical assistant grants only")
	case st != nil:
		for field, msg := range validateStatement(*st, p.UserID, today) {
			fe.Add("statement."+field, msg)
		}
	}
	if err := fe.Err(); err != nil {
		return GrantRecord{}, err
	}
	g := GrantRecord{ID: uuid.New(), UserID: p.UserID, Role: p.Role, EmployerID: p.EmployerID,
		Status: GrantActive, ProposedBy: actor.UserID}
	if p.Role.Medical() {
		g.Status = GrantProposed
	} else {
		g.DecidedAt = s.now()
	}
	err := s.store.ProposeGrant(ctx, g, p.BIGNumber, p.Statement, audit.Event{
		ActorUserID: actor.UserID, ActorRole: string(access.RoleAdmin), TenantID: p.EmployerID,
		Action: audit.ActionGrant, ObjectKind: "role_grant", ObjectID: g.ID.String(),
		Outcome: audit.OutcomeOK, RequestID: requestID,
	})
	if err != nil {
		return GrantRecord{}, fmt.Errorf("identity: propose grant: %w", err)
	}
	return g, nil
}

// Approve lets a lead physician activate a proposed medical grant: the
// second key, so proposer, approver and subject are three different
// people. Callers who are not lead physicians get derrors.ErrNotFound;
// approving a grant for oneself, or one the caller proposed (under another
// role), is derrors.ErrForbidden; a grant that is not proposed is
// derrors.ErrConflict.
func (s *GrantService) Approve(ctx context.Context, actor access.Principal, grantID uuid.UUID, requestID string) (GrantRecord, error) {
	if !actor.Has(access.RoleLeadPhysician) {
		return GrantRecord{}, fmt.Errorf("identity: approve grant: caller is not a lead physician: %w", derrors.ErrNotFound)
	}
	g, err := s.store.Grant(ctx, grantID)
	if err != nil {
		return GrantRecord{}, fmt.Errorf("identity: approve grant: %w", err)
	}
	if g.UserID == actor.UserID {
		return GrantRecord{}, fmt.Errorf("identity: approve own grant: %w", derrors.ErrForbidden)
	}
	if g.ProposedBy == actor.UserID {
		return GrantRecord{}, fmt.Errorf("identity: approve grant: second key must be someone other than the proposer: %w", derrors.ErrForbidden)
	}
	if g.Status != GrantProposed {
		return GrantRecord{}, fmt.Errorf("identity: approve grant in status %s: %w", g.Status, derrors.ErrConflict)
	}
	now := s.now()
	err = s.store.ApproveGrant(ctx, grantID, actor.UserID, now, audit.Event{
		ActorUserID: actor.UserID, ActorRole: string(access.RoleLeadPhysician), TenantID: g.EmployerID,
		Action: audit.ActionGrant, ObjectKind: "role_grant", ObjectID: grantID.String(),
		Outcome: audit.OutcomeOK, RequestID: requestID,
	})
	if err != nil {
		return GrantRecord{}, fmt.Errorf("identity: approve grant: %w", err)
	}
	g.Status, g.ApprovedBy, g.DecidedAt = GrantActive, actor.UserID, now
	return g, nil
}

// amsterdam is the zone in which "today" is decided.
var amsterdam = mustLoadLocation("Europe/Amsterdam")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // cannot happen: time/tzdata embeds the zone database
	}
	return loc
}

func validBIG(s string) bool {
	return len(s) == 11 && strings.Trim(s, "0123456789") == ""
}
