package employer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		in        Employer
		badFields []string
	}{
		{"valid", Employer{Name: "Bakkerij De Korst BV", KvKNumber: "12345678"}, nil},
		{"empty name", Employer{Name: "  ", KvKNumber: "12345678"}, []string{"name"}},
		{"long name", Employer{Name: strings.Repeat("x", 201), KvKNumber: "12345678"}, []string{"name"}},
		{"control character", Employer{Name: "a\nb", KvKNumber: "12345678"}, []string{"name"}},
		{"short kvk", Employer{Name: "X", KvKNumber: "1234567"}, []string{"kvk_number"}},
		{"letters in kvk", Employer{Name: "X", KvKNumber: "1234567a"}, []string{"kvk_number"}},
		{"both", Employer{}, []string{"name", "kvk_number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.badFields == nil {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", tt.in, err)
				}
				return
			}
			var fe derrors.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("Validate(%+v) = %v, want FieldErrors", tt.in, err)
			}
			if len(fe) != len(tt.badFields) {
				t.Errorf("Validate(%+v) fields = %v, want %v", tt.in, fe, tt.badFields)
			}
			for _, f := range tt.badFields {
				if _, ok := fe[f]; !ok {
					t.Errorf("Validate(%+v) fields = %v, want %q among them", tt.in, fe, f)
				}
			}
		})
	}
}

type fakeStore struct{ calls int }

func (f *fakeStore) Ensure(_ context.Context, e Employer) (Employer, bool, error) {
	f.calls++
	return e, true, nil
}

func (f *fakeStore) Create(_ context.Context, e Employer, _ audit.Event) (Employer, error) {
	f.calls++
	return e, nil
}

func (f *fakeStore) Get(context.Context, access.Scope, uuid.UUID) (Employer, error) {
	f.calls++
	return Employer{}, derrors.ErrNotFound
}

func (f *fakeStore) List(context.Context, audit.Event) ([]Employer, error) {
	f.calls++
	return nil, nil
}

func (f *fakeStore) Update(_ context.Context, id uuid.UUID, _ Patch, _ audit.Event) (Employer, error) {
	f.calls++
	return Employer{ID: id}, nil
}

func TestServiceListIsForAdminsOnly(t *testing.T) {
	for _, a := range []access.Actor{
		{Role: access.RoleEmployer, Scope: access.Scope{All: true}},
		{Role: access.RoleCaseManager, Scope: access.Scope{All: true}},
		{Role: access.RoleAdmin, Scope: access.Scope{Employers: []uuid.UUID{uuid.New()}}},
	} {
		st := &fakeStore{}
		if _, err := NewService(st).List(context.Background(), a); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("List(%s) error = %v, want ErrNotFound", a.Role, err)
		}
		if st.calls != 0 {
			t.Errorf("List(%s) called the store %d times, want 0", a.Role, st.calls)
		}
	}
}

// getStore is fakeStore whose Get finds one employer.
type getStore struct {
	fakeStore
	e Employer
}

func (g *getStore) Get(context.Context, access.Scope, uuid.UUID) (Employer, error) { return g.e, nil }

func TestServiceUpdateRejectsBadInputWithoutWriting(t *testing.T) {
	admin := access.Actor{Role: access.RoleAdmin, Scope: access.Scope{All: true}}
	id := uuid.New()
	empty, bad, long := "  ", []string{"not a domain"}, strings.Repeat("x", 201)
	for _, tc := range []struct {
		name  string
		patch Patch
		field string
	}{
		{"nothing changed", Patch{}, "fields"},
		{"empty name", Patch{Name: &empty}, "name"},
		{"long name", Patch{Name: &long}, "name"},
		{"bad domain", Patch{MailDomains: &bad}, "mail_domains"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &getStore{e: Employer{ID: id, Name: "Demo", KvKNumber: "12345678"}}
			_, err := NewService(st).Update(context.Background(), admin, id, tc.patch)
			var fe derrors.FieldErrors
			if !errors.As(err, &fe) || fe[tc.field] == "" {
				t.Errorf("Update(%s) error = %v, want a %s field error", tc.name, err, tc.field)
			}
			if st.calls != 0 {
				t.Errorf("Update(%s) wrote %d times, want 0", tc.name, st.calls)
			}
		})
	}
}

func TestServiceUpdateWritesOnce(t *testing.T) {
	admin := access.Actor{Role: access.RoleAdmin, Scope: access.Scope{All: true}}
	id := uuid.New()
	st := &getStore{e: Employer{ID: id, Name: "Demo", KvKNumber: "12345678"}}
	ds, share := []string{"example.nl", "b.test"}, true
	if _, err := NewService(st).Update(context.Background(), admin, id, Patch{MailDomains: &ds, ShareAdviceWithEmployer: &share}); err != nil {
		t.Fatalf("Update(%q, share): %v", ds, err)
	}
	if st.calls != 1 {
		t.Errorf("Update wrote %d times, want 1", st.calls)
	}
}

func TestServiceUpdateOutsideScopeIsNotFoundWithoutQuerying(t *testing.T) {
	st := &fakeStore{}
	share := true
	a := access.Actor{Role: access.RoleEmployer, Scope: access.Scope{Employers: []uuid.UUID{uuid.New()}}}
	if _, err := NewService(st).Update(context.Background(), a, uuid.New(), Patch{ShareAdviceWithEmployer: &share}); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Update(other tenant) error = %v, want ErrNotFound", err)
	}
	if st.calls != 0 {
		t.Errorf("Update(other tenant) called the store %d times, want 0", st.calls)
	}
}

func TestServiceGetOutsideScopeIsNotFoundWithoutQuerying(t *testing.T) {
	st := &fakeStore{}
	own, other := uuid.New(), uuid.New()
	a := access.Actor{Role: access.RoleEmployer, Scope: access.Scope{Employers: []uuid.UUID{own}}}
	_, err := NewService(st).Get(context.Background(), a, other)
	if !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Get(other tenant) error = %v, want ErrNotFound", err)
	}
	if st.calls != 0 {
		t.Errorf("Get(other tenant) called the store %d times, want 0", st.calls)
	}
}

func TestServiceCreateRejectsBadMailDomainsWithoutWriting(t *testing.T) {
	st := &fakeStore{}
	_, err := NewService(st).Create(context.Background(), access.Actor{Role: access.RoleAdmin},
		Employer{Name: "Demo", KvKNumber: "12345678", MailDomains: []string{"Example.NL"}})
	var fe derrors.FieldErrors
	if !errors.As(err, &fe) || fe["mail_domains"] == "" {
		t.Errorf("Create(upper-case domain) error = %v, want a mail_domains field error", err)
	}
	if st.calls != 0 {
		t.Errorf("Create(invalid) called the store %d times, want 0", st.calls)
	}
}

func TestServiceEnsureRejectsInvalidWithoutWriting(t *testing.T) {
	st := &fakeStore{}
	_, _, err := NewService(st).Ensure(context.Background(), Employer{Name: "X", KvKNumber: "no"})
	if !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Ensure(invalid) error = %v, want ErrInvalid", err)
	}
	if st.calls != 0 {
		t.Errorf("Ensure(invalid) called the store %d times, want 0", st.calls)
	}
}

func TestServiceEnsureTrimsName(t *testing.T) {
	st := &fakeStore{}
	got, _, err := NewService(st).Ensure(context.Background(), Employer{Name: "  Demo BV ", KvKNumber: "00000001"})
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if got.Name != "Demo BV" {
		t.Errorf("Ensure name = %q, want %q", got.Name, "Demo BV")
	}
}
