// Package notify is the in-app inbox: notifications to a user, listed by
// that user only. Notification text never carries medical content or a
// secret link. Emails go out through the mail outbox (Mail, Outbox) and a
// Sender that delivers them with retries.
package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Notification is one inbox item.
type Notification struct {
	ID        uuid.UUID
	Kind      string
	Subject   string
	Body      string
	CreatedAt time.Time
	Read      bool
}

// Store reads inboxes.
type Store interface {
	// Notifications returns the user's notifications, newest first, at most
	// limit.
	Notifications(ctx context.Context, userID uuid.UUID, limit int) ([]Notification, error)
}

// Service lists inboxes.
type Service struct {
	store Store
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Inbox returns the newest 100 notifications of userID. A user sees only
// their own inbox: the caller passes its own id.
func (s *Service) Inbox(ctx context.Context, userID uuid.UUID) ([]Notification, error) {
	return s.store.Notifications(ctx, userID, 100)
}
