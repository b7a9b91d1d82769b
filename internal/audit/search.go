package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Filter selects events of the trail for the privacy officer. Zero fields
// do not filter. From and To are instants (From inclusive, To exclusive).
type Filter struct {
	// EmployeeID selects the events about that employee: with them as
	// SubjectEmployeeID or among a list read's Subjects.
	EmployeeID uuid.UUID
	ActorID    uuid.UUID
	From, To   time.Time
	Action     Action
	Outcome    Outcome
	// After is the last seq of the previous page; Limit the page size.
	After int64
	Limit int
}

// Valid reports whether a is one of the actions of DESIGN §6.
func (a Action) Valid() bool {
	switch a {
	case ActionCreate, ActionRead, ActionUpdate, ActionDelete, ActionSearch, ActionExport, ActionPrint,
		ActionRelease, ActionDestroy, ActionLogin, ActionLogout, ActionEmergencyAccess, ActionGrant:
		return true
	}
	return false
}

// Valid reports whether o is one of the outcomes of DESIGN §6.
func (o Outcome) Valid() bool { return o == OutcomeOK || o == OutcomeDenied || o == OutcomeError }

// EventReader reads appended events.
type EventReader interface {
	// Events returns the events matching f in seq order, at most f.Limit.
	Events(ctx context.Context, f Filter) ([]Record, error)
}

// Recorder writes events into the outbox in a transaction of its own.
type Recorder interface {
	// Record writes one event.
	Record(ctx context.Context, e Event) error
}

// Log answers searches of the trail.
type Log struct {
	events EventReader
	rec    Recorder
}

// NewLog returns a Log reading events from events and recording searches
// with rec.
func NewLog(events EventReader, rec Recorder) *Log { return &Log{events: events, rec: rec} }

// Search lists audit events for a privacy officer. Before any event is
// returned it records the search (no event, no access): one search event
// listing every person the returned events are about (their subject and
// the people their list reads listed), or without a subject when none is.
// An outbox that cannot be written is derrors.ErrUnavailable and nothing
// is returned.
func (l *Log) Search(ctx context.Context, searcher Event, f Filter) ([]Record, error) {
	return l.read(ctx, searcher, f, ActionSearch)
}

// Export is Search for a search taken away as a file: the same events,
// recorded as an export (ActionExport) instead of a search.
func (l *Log) Export(ctx context.Context, searcher Event, f Filter) ([]Record, error) {
	return l.read(ctx, searcher, f, ActionExport)
}

// read returns the events of f after recording searcher's reading of
// them as action (Search's rule).
func (l *Log) read(ctx context.Context, searcher Event, f Filter, action Action) ([]Record, error) {
	out, err := l.events.Events(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("audit: search: %w", err)
	}
	searcher.Action, searcher.ObjectKind, searcher.Outcome = action, "audit_events", OutcomeOK
	var people []uuid.UUID
	for _, r := range out {
		if r.SubjectEmployeeID != uuid.Nil {
			people = append(people, r.SubjectEmployeeID)
		}
		people = append(people, r.Subjects...)
	}
	if len(people) > 0 {
		searcher = searcher.Listed(people)
	}
	if err := l.rec.Record(ctx, searcher); err != nil {
		return nil, fmt.Errorf("audit: search: %w", err)
	}
	return out, nil
}
