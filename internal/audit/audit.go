// Package audit defines the events of the NEN 7513 audit trail. Services
// write an Event into the outbox in the same transaction as the change it
// records (or, for reads, before data is returned); events never carry
// medical content or request bodies, only ids.
package audit

import (
	"bytes"
	"net/netip"
	"slices"

	"github.com/google/uuid"
)

// Action is what was done (DESIGN §6).
type Action string

// The actions of DESIGN §6.
const (
	ActionCreate          Action = "create"
	ActionRead            Action = "read"
	ActionUpdate          Action = "update"
	ActionDelete          Action = "delete"
	ActionSearch          Action = "search"
	ActionExport          Action = "export"
	ActionPrint           Action = "print"
	ActionRelease         Action = "release"
	ActionDestroy         Action = "destroy"
	ActionLogin           Action = "login"
	ActionLogout          Action = "logout"
	ActionEmergencyAccess Action = "emergency_access"
	ActionGrant           Action = "grant"
)

// Outcome is how the attempt ended.
type Outcome string

// The outcomes of DESIGN §6.
const (
	OutcomeOK     Outcome = "ok"
	OutcomeDenied Outcome = "denied"
	OutcomeError  Outcome = "error"
)

// Event is one audited action. Zero ids mean "none" (for example no actor on
// a failed login for an unknown address).
type Event struct {
	ActorUserID       uuid.UUID
	ActorRole         string
	OnBehalfOf        uuid.UUID
	SubjectEmployeeID uuid.UUID
	TenantID          uuid.UUID
	Action            Action
	ObjectKind        string
	ObjectID          string
	Outcome           Outcome
	RequestID         string
	ClientIP          netip.Addr
	// Subjects are the employees a list read listed, one event for the
	// whole list (SubjectEmployeeID is then zero): ascending, each once,
	// as Listed returns them. Empty for an event about one person or none.
	Subjects []uuid.UUID
}

// Listed returns e as the one event of a list read that listed the given
// employees: Subjects holds each non-nil id once, in ascending order (the
// stored and hashed order), and SubjectEmployeeID is cleared. The event is
// about every person listed, so each one's access log finds it.
func (e Event) Listed(employees []uuid.UUID) Event {
	ids := make([]uuid.UUID, 0, len(employees))
	for _, id := range employees {
		if id != uuid.Nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	e.Subjects, e.SubjectEmployeeID = slices.Compact(ids), uuid.Nil
	return e
}
