// Package derrors defines the closed set of domain errors that every service
// returns, and the field-level detail carried by invalid input.
//
// Adapters translate their own failures into these values (wrapped with %w so
// the cause stays available to logs); the HTTP layer maps them to status codes
// in one table. An error that wraps none of them is an internal error.
package derrors

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	// ErrNotFound means the object does not exist or the caller may not know
	// that it exists.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input is malformed or fails validation.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the request conflicts with the current state.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller may see the object but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means the caller is not (or no longer) logged in.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable means a dependency (PostgreSQL, Vault) cannot be reached.
	ErrUnavailable = errors.New("unavailable")
	// ErrThrottled means the caller must wait before trying again (failed
	// logins back off).
	ErrThrottled = errors.New("throttled")
	// ErrRefused means a legal rule refuses the request although it is
	// well-formed and the caller may make it (a destruction the law
	// forbids).
	ErrRefused = errors.New("refused on legal grounds")
)

// FieldErrors is invalid input described per field. It wraps ErrInvalid, so
// errors.Is(err, ErrInvalid) holds for it. Messages must not echo the input:
// it may hold personal data.
type FieldErrors map[string]string

// Error returns the fields and their messages in a stable order.
func (fe FieldErrors) Error() string {
	names := make([]string, 0, len(fe))
	for name := range fe {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s: %s", name, fe[name]))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrInvalid.
func (fe FieldErrors) Unwrap() error { return ErrInvalid }

// Add records msg for field, keeping the first message when called twice.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when no field failed.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
