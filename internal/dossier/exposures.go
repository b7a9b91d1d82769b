package dossier

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Agent is an occupational exposure that carries a legal retention duty for
// the dossier (and so stands against its destruction on request).
type Agent string

// The agents.
const (
	AgentCarcinogen        Agent = "carcinogen"
	AgentBiological        Agent = "biological_agent"
	AgentIonisingRadiation Agent = "ionising_radiation"
)

// Exposure is a period of exposure to an agent; To is zero while it runs.
type Exposure struct {
	ID         uuid.UUID
	DossierID  uuid.UUID
	Agent      Agent
	From, To   time.Time
	RecordedBy uuid.UUID
	RecordedAt time.Time
}

// ExposureStore persists exposures in schema medical.
type ExposureStore interface {
	// InsertExposure stores x with its event while the dossier still
	// matches expect (derrors.ErrConflict otherwise).
	InsertExposure(ctx context.Context, x Exposure, expect Dossier, ev audit.Event) error
	// Exposures lists the exposures of employeeID's dossier, oldest first,
	// writing the event authorize returns before returning them.
	Exposures(ctx context.Context, employeeID, callerID uuid.UUID, authorize Authorize) ([]Exposure, error)
}

// Exposures runs the exposure flags of dossiers, with the dossier rules of
// entries.
type Exposures struct {
	entries *Entries
	store   ExposureStore
}

// NewExposures returns the exposures service.
func NewExposures(entries *Entries, store ExposureStore) *Exposures {
	return &Exposures{entries: entries, store: store}
}

// Record records an exposure period in employeeID's dossier (creating the
// dossier on the first medical write). An unknown agent, a period that
// ends before it starts, or one starting in the future is
// derrors.FieldErrors; the dossier errors are those of Entries.Create.
func (s *Exposures) Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, x Exposure) (Exposure, error) {
	today, _ := time.Parse(time.DateOnly, access.Today(s.entries.now()))
	fe := derrors.FieldErrors{}
	switch x.Agent {
	case AgentCarcinogen, AgentBiological, AgentIonisingRadiation:
	default:
		fe.Add("agent", "must be carcinogen, biological_agent or ionising_radiation")
	}
	switch {
	case x.From.IsZero():
		fe.Add("from", "is required")
	case x.From.After(today):
		fe.Add("from", "must not be in the future")
	case !x.To.IsZero() && x.To.Before(x.From):
		fe.Add("to", "must not be before from")
	}
	if err := fe.Err(); err != nil {
		return Exposure{}, err
	}
	d, acc, err := s.entries.ensureDossier(ctx, a, employeeID, KindNote)
	if err != nil {
		return Exposure{}, fmt.Errorf("dossier: record exposure: %w", err)
	}
	x.ID, x.DossierID, x.RecordedBy, x.RecordedAt = uuid.New(), d.ID, a.UserID(), s.entries.now().UTC()
	if err := s.store.InsertExposure(ctx, x, d, entryEvent(a, acc, audit.ActionCreate, d, "dossier_exposure", x.ID)); err != nil {
		return Exposure{}, fmt.Errorf("dossier: record exposure: %w", err)
	}
	return x, nil
}

// List returns the exposures of employeeID's dossier, audited as a read.
// A dossier outside the caller's care is derrors.ErrNotFound.
func (s *Exposures) List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Exposure, error) {
	now := s.entries.now()
	xs, err := s.store.Exposures(ctx, employeeID, a.UserID(), func(d Dossier, until time.Time) (audit.Event, error) {
		acc, err := accessOf(a, d, until, now, false, "")
		if err != nil {
			return audit.Event{}, err
		}
		return entryEvent(a, acc, audit.ActionRead, d, "dossier_exposures", d.ID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("dossier: exposures: %w", err)
	}
	return xs, nil
}
