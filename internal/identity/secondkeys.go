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

// The read models of the two-key rule: what waits for a lead physician's
// second key, one user as the account administration shows them, and who
// is (or is proposed to be) a client employer's physician.

// ProposalKind names a kind of record that needs a second key.
type ProposalKind string

// The kinds of proposals; the delegations use their DelegationKind names.
const (
	ProposalGrant         ProposalKind = "grant"
	ProposalAccountAction ProposalKind = "account_action"
	ProposalAssignment    ProposalKind = ProposalKind(KindAssignment)
	ProposalSubstitution  ProposalKind = ProposalKind(KindSubstitution)
	ProposalStatement     ProposalKind = ProposalKind(KindStatement)
)

// Proposal is one two-key record with the names a person needs to decide
// on it; nothing of anyone's HR record or dossier.
type Proposal struct {
	Kind ProposalKind
	ID   uuid.UUID
	// Status is proposed, or active for a decided delegation (Staffing).
	Status string
	// Role is the proposed grant's role, or the role of the grant a
	// revoke_grant action revokes.
	Role access.Role
	// Action is the account action's kind.
	Action AccountActionKind
	// Subject is who the proposal is about: the grantee, the account's
	// user, the physician assigned, the substitute, or the assistant.
	SubjectID   uuid.UUID
	SubjectName string
	ProposedBy  uuid.UUID
	Proposer    string
	// Employer is the grant's tenant or the assignment's employer.
	EmployerID   uuid.UUID
	EmployerName string
	// Physician is the absent physician of a substitution or the
	// physician an assistant's statement names.
	PhysicianID   uuid.UUID
	PhysicianName string
	// StartsOn and EndsOn are a substitution's period, or a statement's
	// signing and expiry dates.
	StartsOn, EndsOn time.Time
	ProposedAt       time.Time
}

// AdminReadStore reads the two-key records.
type AdminReadStore interface {
	// PendingProposals returns every proposal still waiting for its second
	// key, oldest first, and writes the event event makes of them in the
	// same transaction, before returning them.
	PendingProposals(ctx context.Context, event func([]Proposal) audit.Event) ([]Proposal, error)
	// User returns one user with every grant and the other proposals
	// about them waiting for their second key, and writes the event event
	// makes of them in the same transaction; derrors.ErrNotFound for an
	// unknown user.
	User(ctx context.Context, id uuid.UUID, event func(UserSummary) audit.Event) (UserSummary, error)
	// Staffing returns the employer's proposed and active physician
	// assignments and the proposed and active substitutions, not ended
	// before today (YYYY-MM-DD), of the physicians in them.
	Staffing(ctx context.Context, employerID uuid.UUID, today string) ([]Proposal, error)
	// SearchUsers is AccountStore.Users restricted to the users whose
	// display name or address contains q, case-insensitively.
	SearchUsers(ctx context.Context, q string, after uuid.UUID, limit int, event func([]UserSummary) audit.Event) ([]UserSummary, error)
	// ActivePhysicians returns the active users with an active physician
	// or lead physician grant, by display name, without their grants.
	ActivePhysicians(ctx context.Context) ([]UserSummary, error)
}

// AdminReads are the read models of the account administration and the
// second key.
type AdminReads struct {
	store AdminReadStore
	now   func() time.Time
}

// NewAdminReads returns AdminReads over store; now defaults to time.Now.
func NewAdminReads(store AdminReadStore, now func() time.Time) *AdminReads {
	if now == nil {
		now = time.Now
	}
	return &AdminReads{store: store, now: now}
}

// Pending lists every proposal waiting for a lead physician's second key,
// oldest first, with one audited list read. Callers who are neither lead
// physicians nor admins get derrors.ErrNotFound.
func (s *AdminReads) Pending(ctx context.Context, a access.Actor) ([]Proposal, error) {
	if a.Role != access.RoleLeadPhysician && a.Role != access.RoleAdmin {
		return nil, fmt.Errorf("identity: pending proposals: caller is no lead physician or admin: %w", derrors.ErrNotFound)
	}
	out, err := s.store.PendingProposals(ctx, func([]Proposal) audit.Event {
		return adminEvent(a, audit.ActionRead, "proposal", uuid.Nil)
	})
	if err != nil {
		return nil, fmt.Errorf("identity: pending proposals: %w", err)
	}
	return out, nil
}

// User returns one user with their grants, status and the other proposals
// about them that wait for a second key, for an admin, with
// an audited read that names the linked employee record, if any. Callers
// who are not admins, and unknown users, get derrors.ErrNotFound.
func (s *AdminReads) User(ctx context.Context, a access.Actor, id uuid.UUID) (UserSummary, error) {
	if a.Role != access.RoleAdmin {
		return UserSummary{}, fmt.Errorf("identity: user: caller is not an admin: %w", derrors.ErrNotFound)
	}
	u, err := s.store.User(ctx, id, func(u UserSummary) audit.Event {
		ev := adminEvent(a, audit.ActionRead, "user", id)
		ev.SubjectEmployeeID = u.EmployeeID
		return ev
	})
	if err != nil {
		return UserSummary{}, fmt.Errorf("identity: user: %w", err)
	}
	return u, nil
}

// Staffing returns who is, or is proposed to be, the physician of an
// employer and who stands in for them, for an admin or lead physician.
// Other callers get derrors.ErrNotFound.
func (s *AdminReads) Staffing(ctx context.Context, a access.Actor, employerID uuid.UUID) ([]Proposal, error) {
	if a.Role != access.RoleLeadPhysician && a.Role != access.RoleAdmin {
		return nil, fmt.Errorf("identity: staffing: caller is no lead physician or admin: %w", derrors.ErrNotFound)
	}
	if err := a.InTenant(employerID); err != nil {
		return nil, err
	}
	out, err := s.store.Staffing(ctx, employerID, access.Today(s.now()))
	if err != nil {
		return nil, fmt.Errorf("identity: staffing: %w", err)
	}
	return out, nil
}

// Physicians returns the active physicians and lead physicians, by name,
// for an admin or lead physician to choose from when proposing an
// assignment, a substitution or a statement. Other callers get
// derrors.ErrNotFound.
func (s *AdminReads) Physicians(ctx context.Context, a access.Actor) ([]UserSummary, error) {
	if a.Role != access.RoleLeadPhysician && a.Role != access.RoleAdmin {
		return nil, fmt.Errorf("identity: physicians: caller is no lead physician or admin: %w", derrors.ErrNotFound)
	}
	out, err := s.store.ActivePhysicians(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: physicians: %w", err)
	}
	return out, nil
}

// MaxSearchLength bounds the text SearchUsers looks for.
const MaxSearchLength = 100

// SearchUsers lists, as Accounts.Users does (a page at a time by id, one
// audited list read naming the employees whose logins are listed), the
// users whose display name or address contains q. Callers who are not
// admins get derrors.ErrNotFound; a limit outside 1 to MaxUsersPage, or a
// q longer than MaxSearchLength, is derrors.FieldErrors.
func (s *AdminReads) SearchUsers(ctx context.Context, a access.Actor, q string, after uuid.UUID, limit int) ([]UserSummary, error) {
	if a.Role != access.RoleAdmin {
		return nil, fmt.Errorf("identity: search users: caller is not an admin: %w", derrors.ErrNotFound)
	}
	fe := derrors.FieldErrors{}
	if limit < 1 || limit > MaxUsersPage {
		fe.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxUsersPage))
	}
	if len(q) > MaxSearchLength {
		fe.Add("q", fmt.Sprintf("must be at most %d bytes", MaxSearchLength))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	users, err := s.store.SearchUsers(ctx, q, after, limit, usersListed(a, audit.ActionSearch))
	if err != nil {
		return nil, fmt.Errorf("identity: search users: %w", err)
	}
	return users, nil
}
