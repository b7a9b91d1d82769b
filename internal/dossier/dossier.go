// Package dossier is the company doctor's medical dossier: kept in schema
// medical, reached only through the med pool, and visible only to the
// physician responsible for it, the physician standing in for them, a
// medical assistant acting for them under a valid confidentiality
// statement, or a lead physician who declared emergency access.
package dossier

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/text"
)

// Dossier is the medical dossier of one employee. Only ids, status and
// times are plaintext; content lives in encrypted entries.
type Dossier struct {
	ID                     uuid.UUID
	EmployeeID             uuid.UUID
	ResponsiblePhysicianID uuid.UUID
	Status                 string
	CreatedAt              time.Time
	// KeyName is the dossier's current Vault transit key,
	// dossier-<id>-g<generation>; KeyReadyAt is when it was created in
	// Vault (zero: not yet).
	KeyName    string
	KeyReadyAt time.Time
}

// View is a dossier as one caller may see it, with how they come to see it.
type View struct {
	Dossier
	Access access.DossierAccess
	// EmergencyUntil is when the caller's emergency access ends, for a
	// lead physician who reads under it (Access.Capacity emergency); zero
	// otherwise.
	EmergencyUntil time.Time
}

// EmergencyAccess is a lead physician's declared emergency access to a
// dossier. The reason is stored as Vault ciphertext only.
type EmergencyAccess struct {
	ID               uuid.UUID
	DossierID        uuid.UUID
	PhysicianID      uuid.UUID
	ReasonCiphertext string
	ExpiresAt        time.Time
}

// Store persists dossiers in schema medical. Each method writes its audit
// event in the same transaction as the read or change.
type Store interface {
	// Read loads the dossier of employeeID and the end of callerID's
	// emergency access to it (zero: none), asks authorize for the read
	// event (or a denial), writes it, and only then returns the dossier.
	// No dossier is derrors.ErrNotFound; the error of authorize is returned
	// as it is and nothing is written.
	Read(ctx context.Context, employeeID, callerID uuid.UUID, authorize func(d Dossier, emergencyUntil time.Time) (audit.Event, error)) (Dossier, error)
	// Close locks the dossier of employeeID (with callerID's emergency
	// access), asks authorize for the event, and closes it to writes; no
	// dossier is derrors.ErrNotFound, one not open derrors.ErrConflict.
	Close(ctx context.Context, employeeID, callerID uuid.UUID, authorize func(d Dossier, emergencyUntil time.Time) (audit.Event, error)) error
	// DeclareEmergency stores ea for the dossier of employeeID with the
	// event made from the dossier; no dossier is derrors.ErrNotFound.
	DeclareEmergency(ctx context.Context, employeeID uuid.UUID, ea EmergencyAccess, event func(Dossier) audit.Event) (Dossier, error)
	// RunningEmergency returns callerID's emergency access to the dossier
	// of employeeID that runs longest after now, with its reason
	// ciphertext; none running is derrors.ErrNotFound.
	RunningEmergency(ctx context.Context, employeeID, callerID uuid.UUID, now time.Time) (EmergencyAccess, error)
}

// Cipher encrypts with a Vault transit key.
type Cipher interface {
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
	Decrypt(ctx context.Context, key, ciphertext string, associatedData []byte) ([]byte, error)
}

// reasonKey is the Vault transit key for emergency-access reasons.
const reasonKey = "pii"

// Service runs the dossier use cases.
type Service struct {
	store        Store
	cipher       Cipher
	now          func() time.Time
	emergencyTTL time.Duration
}

// NewService returns a Service. Emergency access lasts emergencyTTL
// (default 4 hours); now defaults to time.Now.
func NewService(store Store, cipher Cipher, emergencyTTL time.Duration, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if emergencyTTL <= 0 {
		emergencyTTL = 4 * time.Hour
	}
	return &Service{store: store, cipher: cipher, now: now, emergencyTTL: emergencyTTL}
}

// Get returns the dossier of employeeID as the caller may see it, audited
// as a read (with the physician an assistant acts for) before it is
// returned. No dossier, or one outside the caller's care, is
// derrors.ErrNotFound: the caller cannot tell the two apart.
func (s *Service) Get(ctx context.Context, a access.Actor, employeeID uuid.UUID) (View, error) {
	var (
		acc   access.DossierAccess
		until time.Time
	)
	now := s.now()
	d, err := s.store.Read(ctx, employeeID, a.UserID(), func(d Dossier, emergencyUntil time.Time) (audit.Event, error) {
		var err error
		if acc, err = a.Dossier(d.ResponsiblePhysicianID, emergencyUntil, now); err != nil {
			return audit.Event{}, err
		}
		if acc.Capacity == access.CapacityEmergency {
			until = emergencyUntil
		}
		return audit.Event{
			ActorUserID: a.UserID(), ActorRole: string(a.Role), OnBehalfOf: acc.OnBehalfOf,
			SubjectEmployeeID: d.EmployeeID, Action: audit.ActionRead, ObjectKind: "dossier",
			ObjectID: d.ID.String(), Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
		}, nil
	})
	if err != nil {
		return View{}, fmt.Errorf("dossier: get: %w", err)
	}
	return View{Dossier: d, Access: acc, EmergencyUntil: until}, nil
}

// Close closes the dossier of employeeID to further writes (after its
// transfer to another service, say), by the physician in its care: the
// responsible or substituting physician, or a lead physician in emergency;
// audited. It stays readable and is kept for its retention term. A dossier
// outside the caller's care is derrors.ErrNotFound; an assistant is
// derrors.ErrForbidden; a dossier not open derrors.ErrConflict.
func (s *Service) Close(ctx context.Context, a access.Actor, employeeID uuid.UUID) error {
	now := s.now()
	err := s.store.Close(ctx, employeeID, a.UserID(), func(d Dossier, until time.Time) (audit.Event, error) {
		acc, err := a.Dossier(d.ResponsiblePhysicianID, until, now)
		if err != nil {
			return audit.Event{}, err
		}
		if acc.Capacity == access.CapacityAssistant {
			return audit.Event{}, fmt.Errorf("dossier: an assistant does not close dossiers: %w", derrors.ErrForbidden)
		}
		return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: d.EmployeeID,
			Action: audit.ActionUpdate, ObjectKind: "dossier", ObjectID: d.ID.String(), Outcome: audit.OutcomeOK,
			RequestID: a.RequestID, ClientIP: a.ClientIP}, nil
	})
	if err != nil {
		return fmt.Errorf("dossier: close: %w", err)
	}
	return nil
}

// DeclareEmergency lets a lead physician open the dossier of employeeID for
// a limited time, with a reason. The reason is encrypted before anything is
// stored and never appears in logs or events; the declaration is audited as
// emergency_access with the employee as subject, so it shows in their access
// log. A missing or overlong reason is derrors.FieldErrors; no dossier is
// derrors.ErrNotFound; Vault down is derrors.ErrUnavailable.
func (s *Service) DeclareEmergency(ctx context.Context, a access.Actor, employeeID uuid.UUID, reason string) (EmergencyAccess, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n < 10:
		return EmergencyAccess{}, derrors.FieldErrors{"reason": "is required: say why, in at least 10 characters"}
	case n > 2000 || !utf8.ValidString(reason):
		return EmergencyAccess{}, derrors.FieldErrors{"reason": "must be valid text of at most 2000 characters"}
	case !text.Valid(reason, text.Multiline):
		return EmergencyAccess{}, derrors.FieldErrors{"reason": text.ReasonControl}
	}
	ea := EmergencyAccess{ID: uuid.New(), PhysicianID: a.UserID(), ExpiresAt: s.now().Add(s.emergencyTTL)}
	// Vault first: no Vault call inside a database transaction.
	ct, err := s.cipher.Encrypt(ctx, reasonKey, []byte(reason), []byte(ea.ID.String()))
	if err != nil {
		return EmergencyAccess{}, fmt.Errorf("dossier: emergency access: encrypt reason: %w", err)
	}
	ea.ReasonCiphertext = ct
	d, err := s.store.DeclareEmergency(ctx, employeeID, ea, func(d Dossier) audit.Event {
		return audit.Event{
			ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: d.EmployeeID,
			Action: audit.ActionEmergencyAccess, ObjectKind: "dossier", ObjectID: d.ID.String(),
			Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
		}
	})
	if err != nil {
		return EmergencyAccess{}, fmt.Errorf("dossier: emergency access: %w", err)
	}
	ea.DossierID = d.ID
	return ea, nil
}

// Emergency is a running emergency access as its lead physician sees it:
// the reason they gave and when it ends.
type Emergency struct {
	ExpiresAt time.Time
	Reason    string
}

// Emergency returns the caller's own running emergency access to the
// dossier of employeeID with the reason they gave, decrypted, for the
// banner that shows while it lasts. It writes no event of its own: it is
// shown beside a dossier read (Get) that is audited, and only to the lead
// physician who wrote the reason. No running access of the caller's (or no
// dossier) is derrors.ErrNotFound; Vault down is derrors.ErrUnavailable.
func (s *Service) Emergency(ctx context.Context, a access.Actor, employeeID uuid.UUID) (Emergency, error) {
	if !a.Principal.Has(access.RoleLeadPhysician) {
		return Emergency{}, fmt.Errorf("dossier: emergency access of a caller who is no lead physician: %w", derrors.ErrNotFound)
	}
	ea, err := s.store.RunningEmergency(ctx, employeeID, a.UserID(), s.now())
	if err != nil {
		return Emergency{}, fmt.Errorf("dossier: emergency access: %w", err)
	}
	reason, err := s.cipher.Decrypt(ctx, reasonKey, ea.ReasonCiphertext, []byte(ea.ID.String()))
	if err != nil {
		return Emergency{}, fmt.Errorf("dossier: emergency access: decrypt reason: %w", err)
	}
	return Emergency{ExpiresAt: ea.ExpiresAt, Reason: string(reason)}, nil
}
