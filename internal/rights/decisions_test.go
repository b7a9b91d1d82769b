package rights

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// TestReleaseEntriesRefusesABadChoice: a release of chosen entries names
// one to MaxReleaseEntries real ids, or is a field error on entry_ids
// before anything is read or written.
func TestReleaseEntriesRefusesABadChoice(t *testing.T) {
	s := &Releases{} // no store: a bad choice must not reach it
	a := access.Actor{Role: access.RolePhysician}
	for name, chosen := range map[string][]uuid.UUID{
		"none":     {},
		"nil id":   {uuid.New(), uuid.Nil},
		"too many": make([]uuid.UUID, MaxReleaseEntries+1),
	} {
		_, err := s.ReleaseEntries(context.Background(), a, uuid.New(), chosen)
		var fe derrors.FieldErrors
		if !errors.As(err, &fe) || fe["entry_ids"] == "" {
			t.Errorf("ReleaseEntries(%s) = %v, want a field error on entry_ids", name, err)
		}
	}
}

// TestUnattendedIsTheLeadPhysiciansOnly: any role but the lead physician
// is not found, before the store is asked.
func TestUnattendedIsTheLeadPhysiciansOnly(t *testing.T) {
	s := &Requests{} // no store
	for _, role := range []access.Role{access.RolePhysician, access.RolePrivacyOfficer, access.RoleMedicalAssistant, access.RoleEmployee} {
		if _, err := s.Unattended(context.Background(), access.Actor{Role: role}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Unattended as %s = %v, want derrors.ErrNotFound", role, err)
		}
	}
}
