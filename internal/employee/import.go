package employee

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
)

// Import registers the employees of a CSV bulk import (ImportColumns) for
// employerID: every row is validated, and either all are created or none.
// Invalid rows, and employee numbers or BSNs already used at the employer,
// are derrors.FieldErrors keyed "row N: field"; an employer outside the
// caller's scope is derrors.ErrNotFound.
func (s *Service) Import(ctx context.Context, a access.Actor, employerID uuid.UUID, r io.Reader) ([]Employee, error) {
	if err := a.InTenant(employerID); err != nil {
		return nil, err
	}
	today, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	es, err := ParseImport(r, employerID, today)
	if err != nil {
		return nil, err
	}
	events := make([]audit.Event, len(es))
	given := make([]string, len(es))
	for i := range es {
		es[i].ID, given[i] = uuid.New(), es[i].BSN
		if err := s.seal(ctx, &es[i]); err != nil {
			return nil, err
		}
		events[i] = event(a, audit.ActionCreate, es[i])
	}
	out, err := s.store.CreateMany(ctx, a.Scope, employerID, es, events)
	if err != nil {
		return nil, fmt.Errorf("employee: import: %w", err)
	}
	// The importer gave these BSNs; answer with them as the role may see
	// them, without decrypting what was just encrypted.
	full, masked := SeesBSN(a.Role)
	for i := range out {
		switch {
		case full:
			out[i].BSN = given[i]
		case masked && given[i] != "":
			out[i].BSN = MaskBSN(given[i])
		}
	}
	return out, nil
}
