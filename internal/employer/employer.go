// Package employer holds the client employers of the service: the tenants
// whose employees Arbokluis guides.
package employer

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

// Employer is a client employer (a tenant).
type Employer struct {
	ID        uuid.UUID
	Name      string
	KvKNumber string // Chamber of Commerce number, 8 digits
	// ShareAdviceWithEmployer sends the physician's work-ability advice to the
	// employer as well (DESIGN §1); off by default.
	ShareAdviceWithEmployer bool
	// MailDomains are the employer's own mail domains; employees are
	// invited at a private address instead.
	MailDomains []string
	CreatedAt   time.Time
}

// Validate checks the fields a caller supplies. It returns
// derrors.FieldErrors (wrapping derrors.ErrInvalid) naming each bad field.
func (e Employer) Validate() error {
	fe := derrors.FieldErrors{}
	name := strings.TrimSpace(e.Name)
	switch {
	case name == "":
		fe.Add("name", "is required")
	case utf8.RuneCountInString(name) > 200:
		fe.Add("name", "must be at most 200 characters")
	case !text.Valid(name, text.Line):
		fe.Add("name", text.ReasonControl)
	}
	if !isKvKNumber(e.KvKNumber) {
		fe.Add("kvk_number", "must be 8 digits")
	}
	if len(e.MailDomains) > 10 {
		fe.Add("mail_domains", "must list at most 10 domains")
	}
	for _, d := range e.MailDomains {
		if !isDomain(d) {
			fe.Add("mail_domains", "must be lowercase domain names such as example.nl")
			break
		}
	}
	return fe.Err()
}

// isDomain reports whether d looks like a lowercase DNS name with a dot.
func isDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return !strings.Contains(d, "..")
}

func isKvKNumber(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Store persists employers.
type Store interface {
	// Ensure inserts e unless an employer with its KvK number exists, and
	// returns the stored employer and whether it was created.
	Ensure(ctx context.Context, e Employer) (Employer, bool, error)
	// Create inserts e with its event; a KvK number already registered is
	// derrors.ErrConflict.
	Create(ctx context.Context, e Employer, event audit.Event) (Employer, error)
	// Get returns the employer with id if it lies in scope;
	// derrors.ErrNotFound otherwise.
	Get(ctx context.Context, scope access.Scope, id uuid.UUID) (Employer, error)
	// List returns every employer ordered by name (then id) and writes
	// event in the same transaction, before returning them.
	List(ctx context.Context, event audit.Event) ([]Employer, error)
	// Update applies p to the employer with id and writes event in the
	// same transaction; an unknown id is derrors.ErrNotFound.
	Update(ctx context.Context, id uuid.UUID, p Patch, event audit.Event) (Employer, error)
}

// Patch changes an employer's contract settings; a nil field stays as it
// is.
type Patch struct {
	Name                    *string
	ShareAdviceWithEmployer *bool
	MailDomains             *[]string
}

// Fields returns the names of the fields p changes, in API spelling.
func (p Patch) Fields() []string {
	var out []string
	if p.Name != nil {
		out = append(out, "name")
	}
	if p.ShareAdviceWithEmployer != nil {
		out = append(out, "share_advice_with_employer")
	}
	if p.MailDomains != nil {
		out = append(out, "mail_domains")
	}
	return out
}

// Service runs employer use cases.
type Service struct {
	store Store
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Ensure creates the employer unless one with the same KvK number exists; it
// is idempotent, for seeding. Invalid input is derrors.ErrInvalid.
func (s *Service) Ensure(ctx context.Context, e Employer) (Employer, bool, error) {
	e.Name = strings.TrimSpace(e.Name)
	if err := e.Validate(); err != nil {
		return Employer{}, false, err
	}
	out, created, err := s.store.Ensure(ctx, e)
	if err != nil {
		return Employer{}, false, fmt.Errorf("employer: ensure: %w", err)
	}
	return out, created, nil
}

// Create registers a new client employer for an admin. Invalid input is
// derrors.FieldErrors; a KvK number already registered is
// derrors.ErrConflict.
func (s *Service) Create(ctx context.Context, a access.Actor, e Employer) (Employer, error) {
	e.Name = strings.TrimSpace(e.Name)
	if err := e.Validate(); err != nil {
		return Employer{}, err
	}
	e.ID = uuid.New()
	out, err := s.store.Create(ctx, e, event(a, audit.ActionCreate, e.ID))
	if err != nil {
		return Employer{}, fmt.Errorf("employer: create: %w", err)
	}
	return out, nil
}

// Get returns an employer within the caller's scope; any other id, existing
// or not, is derrors.ErrNotFound.
func (s *Service) Get(ctx context.Context, a access.Actor, id uuid.UUID) (Employer, error) {
	if err := a.InTenant(id); err != nil {
		return Employer{}, err
	}
	e, err := s.store.Get(ctx, a.Scope, id)
	if err != nil {
		return Employer{}, fmt.Errorf("employer: get: %w", err)
	}
	return e, nil
}

// List returns every client employer, ordered by name, for an admin, with
// one audited list read. Callers who are not admins over all tenants get
// derrors.ErrNotFound.
func (s *Service) List(ctx context.Context, a access.Actor) ([]Employer, error) {
	if a.Role != access.RoleAdmin || !a.Scope.All {
		return nil, fmt.Errorf("employer: list: caller is not an admin: %w", derrors.ErrNotFound)
	}
	out, err := s.store.List(ctx, event(a, audit.ActionRead, uuid.Nil))
	if err != nil {
		return nil, fmt.Errorf("employer: list: %w", err)
	}
	return out, nil
}

// Update changes an employer's contract settings for an admin: its name,
// whether advice is shared with it, and its mail domains (validated as at
// Create). An employer outside the caller's scope, or an unknown one, is
// derrors.ErrNotFound; invalid input, or a patch that changes nothing, is
// derrors.FieldErrors.
func (s *Service) Update(ctx context.Context, a access.Actor, id uuid.UUID, p Patch) (Employer, error) {
	if err := a.InTenant(id); err != nil {
		return Employer{}, err
	}
	if len(p.Fields()) == 0 {
		return Employer{}, derrors.FieldErrors{"fields": "must change at least one field"}
	}
	if p.Name != nil {
		n := strings.TrimSpace(*p.Name)
		p.Name = &n
	}
	cur, err := s.store.Get(ctx, a.Scope, id)
	if err != nil {
		return Employer{}, fmt.Errorf("employer: update: %w", err)
	}
	next := cur
	if p.Name != nil {
		next.Name = *p.Name
	}
	if p.MailDomains != nil {
		next.MailDomains = *p.MailDomains
	}
	if err := next.Validate(); err != nil {
		return Employer{}, err
	}
	out, err := s.store.Update(ctx, id, p, event(a, audit.ActionUpdate, id))
	if err != nil {
		return Employer{}, fmt.Errorf("employer: update: %w", err)
	}
	return out, nil
}

// event is the audit event of a's action on the employer with id, which
// is also its tenant; uuid.Nil for the list of every employer.
func event(a access.Actor, action audit.Action, id uuid.UUID) audit.Event {
	ev := audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), Action: action, ObjectKind: "employer",
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
	if id != uuid.Nil {
		ev.TenantID, ev.ObjectID = id, id.String()
	}
	return ev
}
