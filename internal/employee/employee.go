// Package employee holds the HR record of the people a client employer
// reports: who they are, how to reach them, and when they are employed.
// Nothing medical is ever stored here.
package employee

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/text"
)

// Employee is an employee of a client employer.
type Employee struct {
	ID              uuid.UUID
	EmployerID      uuid.UUID
	EmployeeNumber  string
	FirstName       string
	LastName        string
	DateOfBirth     time.Time
	EmploymentStart time.Time
	EmploymentEnd   time.Time // zero while employed
	Email           string
	Phone           string
	// BSN is the optional citizen service number, canonical 9 digits. It is
	// stored encrypted (Sealed) and never logged.
	BSN string
	// UserID is the employee's own login, when they have one.
	UserID uuid.UUID
	// Sealed is the stored form of the BSN; BSN itself is set only on the
	// way in and, as the caller may see it, on the way out.
	Sealed    SealedBSN
	CreatedAt time.Time
	// RestrictedSince is when the employee had processing restricted (AVG
	// art. 18): the record is kept, and changed only to rectify it.
	RestrictedSince time.Time
	// ErasedAt is when the record was anonymised after its retention term.
	ErasedAt time.Time
}

var (
	numberPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,32}$`)
	emailPattern  = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phonePattern  = regexp.MustCompile(`^\+?[0-9 ()-]{6,20}$`)
)

// Validate checks the fields a caller supplies against today (in
// Europe/Amsterdam). It returns derrors.FieldErrors naming each bad field.
func (e Employee) Validate(today time.Time) error {
	fe := derrors.FieldErrors{}
	if !numberPattern.MatchString(e.EmployeeNumber) {
		fe.Add("employee_number", "must be 1-32 letters, digits or . _ / -")
	}
	for field, v := range map[string]string{"first_name": e.FirstName, "last_name": e.LastName} {
		switch {
		case strings.TrimSpace(v) == "":
			fe.Add(field, "is required")
		case utf8.RuneCountInString(v) > 100:
			fe.Add(field, "must be at most 100 characters")
		case !text.Valid(v, text.Line):
			fe.Add(field, text.ReasonControl)
		}
	}
	switch {
	case e.DateOfBirth.IsZero():
		fe.Add("date_of_birth", "is required")
	case e.DateOfBirth.After(today.AddDate(-14, 0, 0)):
		fe.Add("date_of_birth", "must be at least 14 years ago")
	case e.DateOfBirth.Before(today.AddDate(-120, 0, 0)):
		fe.Add("date_of_birth", "must be within the last 120 years")
	}
	if e.EmploymentStart.IsZero() {
		fe.Add("employment_start", "is required")
	} else if !e.DateOfBirth.IsZero() && !e.EmploymentStart.After(e.DateOfBirth) {
		fe.Add("employment_start", "must be after date_of_birth")
	}
	if !e.EmploymentEnd.IsZero() && e.EmploymentEnd.Before(e.EmploymentStart) {
		fe.Add("employment_end", "must not be before employment_start")
	}
	if e.Email != "" && (len(e.Email) > 254 || !emailPattern.MatchString(e.Email) || e.Email != strings.ToLower(e.Email)) {
		fe.Add("email", "must be a lowercase email address")
	}
	if e.Phone != "" && !phonePattern.MatchString(e.Phone) {
		fe.Add("phone", "must be a phone number of 6-20 digits, spaces, ( ) - and an optional leading +")
	}
	if e.BSN != "" && !ValidBSN(e.BSN) {
		fe.Add("bsn", "must be a valid citizen service number (9 digits, eleven-test)")
	}
	return fe.Err()
}

// Store persists employees, within a tenant scope. Each method writes the
// event it is given in the same transaction.
type Store interface {
	// Create inserts e with its event. An employer outside scope, or
	// unknown, is derrors.ErrNotFound; an employee number already used at
	// the employer is derrors.ErrConflict.
	Create(ctx context.Context, scope access.Scope, e Employee, event audit.Event) (Employee, error)
	// Get loads the employee with id within scope, asks authorize for the
	// read event (or a denial), writes the event and only then returns the
	// employee. Outside scope or unknown is derrors.ErrNotFound; the error of
	// authorize is returned as it is and nothing is written.
	Get(ctx context.Context, scope access.Scope, id uuid.UUID, authorize func(Employee) (audit.Event, error)) (Employee, error)
	// CreateMany inserts all of es, each with its event, in one
	// transaction, or none. Employee numbers or BSNs already used at the
	// employer are derrors.FieldErrors keyed "row N: field" (N = index + 1).
	CreateMany(ctx context.Context, scope access.Scope, employerID uuid.UUID, es []Employee, events []audit.Event) ([]Employee, error)
	// Update locks the employee with id within scope, applies change
	// (whose error is returned as it is, nothing written), and stores the
	// result with the event change returns. Outside scope or unknown is
	// derrors.ErrNotFound; a BSN registered for another employee of the
	// employer is derrors.FieldErrors for "bsn".
	Update(ctx context.Context, scope access.Scope, id uuid.UUID, change func(e *Employee) (audit.Event, error)) (Employee, error)
}

// Service runs the employee use cases.
type Service struct {
	store  Store
	sealer Sealer
	now    func() time.Time
}

// NewService returns a Service; now defaults to time.Now.
func NewService(store Store, sealer Sealer, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, sealer: sealer, now: now}
}

// seal encrypts e's BSN, if any, outside any transaction.
func (s *Service) seal(ctx context.Context, e *Employee) error {
	if e.BSN == "" {
		return nil
	}
	sealed, err := s.sealer.SealBSN(ctx, e.BSN)
	if err != nil {
		return fmt.Errorf("employee: seal bsn: %w", err)
	}
	e.Sealed, e.BSN = sealed, ""
	return nil
}

// reveal sets e.BSN to what role may see of the stored BSN.
func (s *Service) reveal(ctx context.Context, role access.Role, e *Employee) error {
	e.BSN = ""
	full, masked := SeesBSN(role)
	if e.Sealed.IsZero() || (!full && !masked) {
		return nil
	}
	bsn, err := s.sealer.OpenBSN(ctx, e.Sealed)
	if err != nil {
		return fmt.Errorf("employee: open bsn: %w", err)
	}
	if masked {
		bsn = MaskBSN(bsn)
	}
	e.BSN = bsn
	return nil
}

func event(a access.Actor, action audit.Action, e Employee) audit.Event {
	return audit.Event{
		ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: e.ID, TenantID: e.EmployerID,
		Action: action, ObjectKind: "employee", ObjectID: e.ID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
	}
}

// Create registers an employee of employer e.EmployerID. An employer outside
// the caller's scope is derrors.ErrNotFound; invalid input is
// derrors.FieldErrors; a used employee number is derrors.ErrConflict.
func (s *Service) Create(ctx context.Context, a access.Actor, e Employee) (Employee, error) {
	if err := a.InTenant(e.EmployerID); err != nil {
		return Employee{}, err
	}
	today, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	e.FirstName, e.LastName = strings.TrimSpace(e.FirstName), strings.TrimSpace(e.LastName)
	if err := e.Validate(today); err != nil {
		return Employee{}, err
	}
	e.ID, e.UserID = uuid.New(), uuid.Nil
	if err := s.seal(ctx, &e); err != nil {
		return Employee{}, err
	}
	out, err := s.store.Create(ctx, a.Scope, e, event(a, audit.ActionCreate, e))
	if err != nil {
		return Employee{}, fmt.Errorf("employee: create: %w", err)
	}
	return out, s.reveal(ctx, a.Role, &out)
}

// Get returns an employee's HR record, audited as a read before it is
// returned. An employee outside the caller's tenants, or (for an employee
// caller) anyone but themselves, is derrors.ErrNotFound.
func (s *Service) Get(ctx context.Context, a access.Actor, id uuid.UUID) (Employee, error) {
	e, err := s.store.Get(ctx, a.Scope, id, func(e Employee) (audit.Event, error) {
		if err := a.InTenant(e.EmployerID); err != nil {
			return audit.Event{}, err
		}
		if err := a.Subject(e.UserID); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, e), nil
	})
	if err != nil {
		return Employee{}, fmt.Errorf("employee: get: %w", err)
	}
	return e, s.reveal(ctx, a.Role, &e)
}

// Patch is a change of an HR record: each field that is set replaces the
// stored value. An empty Email, Phone or BSN, or a zero EmploymentEnd,
// clears that optional field. The employee number and the employer never
// change.
type Patch struct {
	FirstName, LastName          *string
	DateOfBirth, EmploymentStart *time.Time
	EmploymentEnd                *time.Time
	Email, Phone, BSN            *string
}

// Fields names the fields p changes, in a fixed order.
func (p Patch) Fields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"first_name", p.FirstName != nil}, {"last_name", p.LastName != nil}, {"date_of_birth", p.DateOfBirth != nil},
		{"employment_start", p.EmploymentStart != nil}, {"employment_end", p.EmploymentEnd != nil},
		{"email", p.Email != nil}, {"phone", p.Phone != nil}, {"bsn", p.BSN != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// apply sets the fields of p on e; a BSN is applied as sealed.
func (p Patch) apply(e *Employee, sealed SealedBSN) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&e.FirstName, p.FirstName)
	set(&e.LastName, p.LastName)
	set(&e.Email, p.Email)
	set(&e.Phone, p.Phone)
	if p.DateOfBirth != nil {
		e.DateOfBirth = *p.DateOfBirth
	}
	if p.EmploymentStart != nil {
		e.EmploymentStart = *p.EmploymentStart
	}
	if p.EmploymentEnd != nil {
		e.EmploymentEnd = *p.EmploymentEnd
	}
	if p.BSN != nil {
		e.Sealed = sealed
	}
}

// Rectification is how an update comes about.
type Rectification struct {
	// RequestID is the employee's rectification request the update
	// answers (uuid.Nil: ordinary upkeep by the owning role). It lets a
	// restricted record be rectified: restriction while accuracy is
	// contested must not prevent the correction (AVG art. 18(1)(a)).
	RequestID uuid.UUID
}

// Update rectifies an HR record for the owning role (the employer's HR
// users and its case managers), audited as an update naming the changed
// fields, never their values. An employee outside the caller's tenants is
// derrors.ErrNotFound; an empty patch or invalid values are
// derrors.FieldErrors; a record whose processing is restricted (unless the
// update answers a rectification request) or that was erased is
// derrors.ErrConflict; a BSN registered for someone else at the employer is
// derrors.FieldErrors.
func (s *Service) Update(ctx context.Context, a access.Actor, id uuid.UUID, p Patch, why Rectification) (Employee, error) {
	fields := p.Fields()
	if len(fields) == 0 {
		return Employee{}, derrors.FieldErrors{"body": "names no field to change"}
	}
	var sealed SealedBSN
	if p.BSN != nil && *p.BSN != "" {
		bsn := NormalizeBSN(*p.BSN)
		if !ValidBSN(bsn) {
			return Employee{}, derrors.FieldErrors{"bsn": "must be a valid citizen service number (9 digits, eleven-test)"}
		}
		// Sealed before the transaction: no Vault call inside it.
		tmp := Employee{BSN: bsn}
		if err := s.seal(ctx, &tmp); err != nil {
			return Employee{}, err
		}
		sealed = tmp.Sealed
	}
	today, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	out, err := s.store.Update(ctx, a.Scope, id, func(e *Employee) (audit.Event, error) {
		if err := a.InTenant(e.EmployerID); err != nil {
			return audit.Event{}, err
		}
		switch {
		case !e.ErasedAt.IsZero():
			return audit.Event{}, fmt.Errorf("employee: the record was erased: %w", derrors.ErrConflict)
		case !e.RestrictedSince.IsZero() && why.RequestID == uuid.Nil:
			return audit.Event{}, fmt.Errorf("employee: processing of the record is restricted: %w", derrors.ErrConflict)
		}
		p.apply(e, sealed)
		check := *e
		check.BSN = "" // sealed already, validated above
		if err := check.Validate(today); err != nil {
			return audit.Event{}, err
		}
		ev := event(a, audit.ActionUpdate, *e)
		if obj := e.ID.String() + "#fields=" + strings.Join(fields, ","); len(obj) <= 128 {
			ev.ObjectID = obj
		} else {
			ev.ObjectID = e.ID.String() + "#fields=" + fmt.Sprint(len(fields))
		}
		if why.RequestID != uuid.Nil {
			ev.ObjectKind = "employee_rectification"
		}
		return ev, nil
	})
	if err != nil {
		return Employee{}, fmt.Errorf("employee: update: %w", err)
	}
	return out, s.reveal(ctx, a.Role, &out)
}
