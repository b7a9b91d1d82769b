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

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Employer is a client employer (a tenant).
type Employer struct {
	ID        uuid.UUID
	Name      string
	KvKNumber string // Chamber of Commerce number, 8 digits
	// ShareAdviceWithEmployer sends the physician's work-ability advice to the
	// employer as well (DESIGN §1); off by default.
	ShareAdviceWithEmployer bool
	CreatedAt               time.Time
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
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		fe.Add("name", "must not contain control characters")
	}
	if !isKvKNumber(e.KvKNumber) {
		fe.Add("kvk_number", "must be 8 digits")
	}
	return fe.Err()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

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
