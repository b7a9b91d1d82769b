// Package access is the shared vocabulary of who acts and how far they
// reach: the roles of DESIGN §1, a caller's grants and capacities
// (Principal), the one grant a request is decided under (Authority, Actor),
// the tenants it reaches (Scope) and how a caller comes to act on a medical
// dossier (DossierAccess). Every domain package speaks it; the login
// services that establish a Principal live in package identity.
package access

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
	_ "time/tzdata" // "today" is the date in Europe/Amsterdam, on any host

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Amsterdam is the zone in which "today" is decided and in which the
// portal shows times.
var Amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Role is one of the roles of DESIGN §1.
type Role string

// The roles of DESIGN §1.
const (
	RolePhysician        Role = "physician"
	RoleLeadPhysician    Role = "lead_physician"
	RoleMedicalAssistant Role = "medical_assistant"
	RoleCaseManager      Role = "case_manager"
	RoleLabourExpert     Role = "labour_expert"
	RoleEmployer         Role = "employer"
	RoleEmployee         Role = "employee"
	RolePrivacyOfficer   Role = "privacy_officer"
	RoleAdmin            Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RolePhysician, RoleLeadPhysician, RoleMedicalAssistant, RoleCaseManager,
	RoleLabourExpert, RoleEmployer, RoleEmployee, RolePrivacyOfficer, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// TenantBound reports whether the role belongs to exactly one employer.
func (r Role) TenantBound() bool { return r == RoleEmployer || r == RoleEmployee }

// Grant is an active role of a user; EmployerID is uuid.Nil for service-wide.
type Grant struct {
	Role       Role
	EmployerID uuid.UUID
}

// Principal is the authenticated caller of a request, read from PostgreSQL
// on every request: the active grants and, for medical staff, whom they
// may act for today.
type Principal struct {
	UserID uuid.UUID
	Grants []Grant
	// AssignedEmployers are the employers whose assigned physician the
	// caller is (approved physician assignments).
	AssignedEmployers []uuid.UUID
	// Substitutes are the physicians the caller stands in for today
	// (approved substitution periods).
	Substitutes []uuid.UUID
	// ActsForPhysicians are the physicians a medical assistant acts for
	// today: named on an active, signed, unexpired confidentiality
	// statement of an active physician.
	ActsForPhysicians []uuid.UUID
}

// Medical reports whether the role gives access to medical data; such grants
// need two keys: an admin proposes, a lead physician approves.
func (r Role) Medical() bool {
	return r == RolePhysician || r == RoleLeadPhysician || r == RoleMedicalAssistant
}

// Has reports whether p holds role (in any scope).
func (p Principal) Has(role Role) bool {
	for _, g := range p.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// Scope is the set of client employers (tenants) a caller may reach with
// one action. All means service-wide. The zero Scope reaches no tenant.
type Scope struct {
	All       bool
	Employers []uuid.UUID
}

// Contains reports whether employerID lies in the scope.
func (s Scope) Contains(employerID uuid.UUID) bool {
	return s.All || (employerID != uuid.Nil && slices.Contains(s.Employers, employerID))
}

// Empty reports whether the scope reaches no tenant.
func (s Scope) Empty() bool { return !s.All && len(s.Employers) == 0 }

// Union returns the scope reaching what s or o reaches.
func (s Scope) Union(o Scope) Scope {
	if s.All || o.All {
		return Scope{All: true}
	}
	out := Scope{Employers: slices.Clone(s.Employers)}
	for _, id := range o.Employers {
		if !slices.Contains(out.Employers, id) {
			out.Employers = append(out.Employers, id)
		}
	}
	return out
}

// Authority is what one grant of a caller allows for one action: the
// grant's role and the tenants that grant alone reaches. A request is
// decided under one Authority, never under a merge of several.
type Authority struct {
	Role  Role
	Scope Scope
}

// Equal reports whether a and o name the same role and the same tenants.
func (a Authority) Equal(o Authority) bool {
	return a.Role == o.Role && a.Scope.All == o.Scope.All && slices.Equal(a.Scope.Employers, o.Scope.Employers)
}

// Actor is an authorised caller performing one action: who, in which role,
// within which tenants, and where the request came from (for the audit
// trail).
type Actor struct {
	Principal Principal
	// Role is the role of the one grant the action is decided under, and
	// Scope the tenants that grant reaches.
	Role      Role
	Scope     Scope
	RequestID string
	ClientIP  netip.Addr
}

// UserID returns the caller's user id.
func (a Actor) UserID() uuid.UUID { return a.Principal.UserID }

// Today returns the calendar date of now in Europe/Amsterdam, the zone in
// which "today" is decided, as YYYY-MM-DD.
func Today(now time.Time) string { return now.In(Amsterdam).Format(time.DateOnly) }

// ActsFor says whether p may act as the responsible physician of a dossier
// whose responsible physician is physicianID, and on whose behalf: a
// physician or lead physician for their own dossiers (on behalf of nobody
// else), a substitute during an approved substitution period, a medical
// assistant for the physician named on a valid, unexpired confidentiality
// statement (on behalf of that physician). It reports false otherwise.
func (p Principal) ActsFor(physicianID uuid.UUID) (onBehalfOf uuid.UUID, how Capacity, ok bool) {
	if physicianID == uuid.Nil {
		return uuid.Nil, "", false
	}
	isPhysician := p.Has(RolePhysician) || p.Has(RoleLeadPhysician)
	switch {
	case isPhysician && physicianID == p.UserID:
		return uuid.Nil, CapacityResponsible, true
	case isPhysician && slices.Contains(p.Substitutes, physicianID):
		return uuid.Nil, CapacitySubstitute, true
	case p.Has(RoleMedicalAssistant) && slices.Contains(p.ActsForPhysicians, physicianID):
		return physicianID, CapacityAssistant, true
	}
	return uuid.Nil, "", false
}

// Capacity is how a caller comes to act on a medical dossier.
type Capacity string

// The capacities of DESIGN §1 and §5.
const (
	CapacityResponsible Capacity = "responsible"
	CapacitySubstitute  Capacity = "substitute"
	CapacityAssistant   Capacity = "assistant"
	CapacityEmergency   Capacity = "emergency"
)

// InTenant checks the tenant rule after an object is loaded: the object's
// employer must lie in the actor's scope for this action. Outside it the
// object does not exist for the caller: derrors.ErrNotFound.
func (a Actor) InTenant(employerID uuid.UUID) error {
	if !a.Scope.Contains(employerID) {
		return fmt.Errorf("identity: employer outside the caller's scope: %w", derrors.ErrNotFound)
	}
	return nil
}

// Subject checks the rule for an employee acting as themselves: an actor
// whose role is employee reaches only the record linked to their own login
// (linkedUserID). Other roles pass. A record about someone else is
// derrors.ErrNotFound.
func (a Actor) Subject(linkedUserID uuid.UUID) error {
	if a.Role == RoleEmployee && (linkedUserID == uuid.Nil || linkedUserID != a.UserID()) {
		return fmt.Errorf("identity: employee record of someone else: %w", derrors.ErrNotFound)
	}
	return nil
}

// DossierAccess is how an actor comes to act on one medical dossier.
type DossierAccess struct {
	Capacity Capacity
	// OnBehalfOf is the physician a medical assistant acts for; uuid.Nil
	// for physicians acting themselves.
	OnBehalfOf uuid.UUID
}

// Dossier checks the object rules of a medical dossier whose responsible
// physician is responsible: the responsible physician, the physician
// standing in for them during an approved substitution period, a medical
// assistant with a valid statement naming them (on behalf of that
// physician), or a lead physician whose declared emergency access to this
// dossier runs until emergencyUntil (zero: none), later than now. Anyone
// else is outside the dossier's care and gets derrors.ErrNotFound.
func (a Actor) Dossier(responsible uuid.UUID, emergencyUntil, now time.Time) (DossierAccess, error) {
	if onBehalf, how, ok := a.Principal.ActsFor(responsible); ok {
		return DossierAccess{Capacity: how, OnBehalfOf: onBehalf}, nil
	}
	if a.Principal.Has(RoleLeadPhysician) && emergencyUntil.After(now) {
		return DossierAccess{Capacity: CapacityEmergency}, nil
	}
	return DossierAccess{}, fmt.Errorf("identity: dossier outside the caller's care: %w", derrors.ErrNotFound)
}
