package postgres_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// kvk is a fresh chamber-of-commerce number.
func kvk() string {
	k, _ := rand.Int(rand.Reader, big.NewInt(80_000_000))
	return fmt.Sprintf("%08d", k.Int64()+10_000_000)
}

// TestEmployerStore: an employer created with its event reads back as
// stored within a scope that names it or is service-wide; another
// tenant's scope, and an unknown id, find nothing.
func TestEmployerStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewEmployerStore(w.hr)
	ev := testEvent(uuid.New(), audit.ActionCreate, "employer")
	in := employer.Employer{ID: uuid.New(), Name: "Bakkerij Test", KvKNumber: kvk(), ShareAdviceWithEmployer: true,
		MailDomains: []string{"bakkerij.test"}}
	created, err := store.Create(w.ctx, in, ev)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Create stored %d events, want 1", n)
	}
	other := w.employer()
	for _, tc := range []struct {
		name  string
		scope access.Scope
		id    uuid.UUID
		found bool
	}{
		{"its own scope", only(in.ID), in.ID, true},
		{"service-wide", access.Scope{All: true}, in.ID, true},
		{"another tenant's scope", only(other), in.ID, false},
		{"no scope", access.Scope{}, in.ID, false},
		{"an unknown id", access.Scope{All: true}, uuid.New(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.Get(w.ctx, tc.scope, tc.id)
			switch {
			case !tc.found && !errors.Is(err, derrors.ErrNotFound):
				t.Errorf("Get(%+v, %s) = %+v, %v; want derrors.ErrNotFound", tc.scope, tc.id, got, err)
			case tc.found && (err != nil || got.ID != in.ID || got.Name != in.Name || got.KvKNumber != in.KvKNumber ||
				!got.ShareAdviceWithEmployer || !slices.Equal(got.MailDomains, in.MailDomains) || !got.CreatedAt.Equal(created.CreatedAt)):
				t.Errorf("Get(%+v, %s) = %+v, %v; want %+v", tc.scope, tc.id, got, err, created)
			}
		})
	}
}
