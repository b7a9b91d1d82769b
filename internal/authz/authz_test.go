package authz_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/authz"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/policies"
)

func newEnforcer(t testing.TB) *authz.Enforcer {
	t.Helper()
	e, err := authz.New(policies.CasbinModel, policies.CasbinPolicy)
	if err != nil {
		t.Fatalf("authz.New(reviewed policy): %v", err)
	}
	return e
}

func principal(grants ...access.Grant) access.Principal {
	return access.Principal{UserID: uuid.New(), Grants: grants}
}

func TestAuthorizeDecisionsAndErrors(t *testing.T) {
	e := newEnforcer(t)
	tenant := uuid.New()
	tests := []struct {
		name     string
		p        access.Principal
		res, act string
		want     error // nil: allowed
		wantRole access.Role
	}{
		{"admin creates employers", principal(access.Grant{Role: access.RoleAdmin}), "employers", "create", nil, access.RoleAdmin},
		{"employer may not create employers but reads them", principal(access.Grant{Role: access.RoleEmployer, EmployerID: tenant}), "employers", "create", derrors.ErrForbidden, ""},
		{"employee creating employers learns nothing", principal(access.Grant{Role: access.RoleEmployee, EmployerID: tenant}), "employers", "create", derrors.ErrNotFound, ""},
		{"admin never reads employees", principal(access.Grant{Role: access.RoleAdmin}), "employees", "read", derrors.ErrNotFound, ""},
		{"case manager reads employees", principal(access.Grant{Role: access.RoleCaseManager}), "employees", "read", nil, access.RoleCaseManager},
		{"labour expert may not create employees", principal(access.Grant{Role: access.RoleLabourExpert}), "employees", "create", derrors.ErrForbidden, ""},
		{"physician reads dossiers", principal(access.Grant{Role: access.RolePhysician}), "medical.dossier", "read", nil, access.RolePhysician},
		{"case manager gets 404 on medical", principal(access.Grant{Role: access.RoleCaseManager}), "medical.dossier", "read", derrors.ErrNotFound, ""},
		{"privacy officer gets 404 on medical", principal(access.Grant{Role: access.RolePrivacyOfficer}), "medical.dossier", "read", derrors.ErrNotFound, ""},
		{"physician may not declare emergency", principal(access.Grant{Role: access.RolePhysician}), "medical.emergency_access", "create", derrors.ErrNotFound, ""},
		{"lead physician declares emergency", principal(access.Grant{Role: access.RoleLeadPhysician}), "medical.emergency_access", "create", nil, access.RoleLeadPhysician},
		{"deny overrides allow across roles", principal(access.Grant{Role: access.RolePhysician}, access.Grant{Role: access.RoleCaseManager}), "medical.dossier", "read", derrors.ErrNotFound, ""},
		{"unknown resource", principal(access.Grant{Role: access.RoleAdmin}), "nothing", "read", derrors.ErrNotFound, ""},
		{"no roles", principal(), "self", "read", derrors.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auths, err := e.Authorize(tt.p, tt.res, tt.act)
			var role access.Role
			if len(auths) > 0 {
				role = auths[0].Role
			}
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Authorize(%v, %s, %s) = %v, want allowed", tt.p.Grants, tt.res, tt.act, err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Authorize(%v, %s, %s) = %v, want %v", tt.p.Grants, tt.res, tt.act, err, tt.want)
			}
			if role != tt.wantRole {
				t.Errorf("Authorize(%v, %s, %s) role = %q, want %q", tt.p.Grants, tt.res, tt.act, role, tt.wantRole)
			}
		})
	}
}

func TestAuthorizeScope(t *testing.T) {
	e := newEnforcer(t)
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	tests := []struct {
		name    string
		p       access.Principal
		wantAll bool
		want    []uuid.UUID
		notIn   []uuid.UUID
	}{
		{"employer: own tenant", principal(access.Grant{Role: access.RoleEmployer, EmployerID: a}), false, []uuid.UUID{a}, []uuid.UUID{b}},
		{"service-wide case manager", principal(access.Grant{Role: access.RoleCaseManager}), true, nil, nil},
		{"physician through assignments", access.Principal{UserID: uuid.New(),
			Grants: []access.Grant{{Role: access.RolePhysician, EmployerID: a}}, AssignedEmployers: []uuid.UUID{c}},
			false, []uuid.UUID{a, c}, []uuid.UUID{b}},
		{"service-wide physician reaches assigned employers only", access.Principal{UserID: uuid.New(),
			Grants: []access.Grant{{Role: access.RolePhysician}}, AssignedEmployers: []uuid.UUID{c}},
			false, []uuid.UUID{c}, []uuid.UUID{a, b}},
		// The employer grant reads employees of a; a medical assistant grant
		// for b does not widen the read of employees to b.
		{"only grants whose role allows the action", principal(access.Grant{Role: access.RoleEmployer, EmployerID: a},
			access.Grant{Role: access.RoleMedicalAssistant, EmployerID: b}), false, []uuid.UUID{a}, []uuid.UUID{b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auths, err := e.Authorize(tt.p, "employees", "read")
			if err != nil {
				t.Fatalf("Authorize(%v, employees, read): %v", tt.p.Grants, err)
			}
			if len(auths) != 1 {
				t.Fatalf("Authorize(%v, employees, read) = %d authorities, want 1", tt.p.Grants, len(auths))
			}
			scope := auths[0].Scope
			if scope.All != tt.wantAll {
				t.Errorf("Authorize(%v) scope.All = %v, want %v", tt.p.Grants, scope.All, tt.wantAll)
			}
			for _, id := range tt.want {
				if !scope.Contains(id) {
					t.Errorf("Authorize(%v) scope %v lacks %s", tt.p.Grants, scope, id)
				}
			}
			for _, id := range tt.notIn {
				if scope.Contains(id) {
					t.Errorf("Authorize(%v) scope %v contains %s, want not", tt.p.Grants, scope, id)
				}
			}
		})
	}
}

func TestNewRejectsBadPolicies(t *testing.T) {
	tests := map[string]string{
		"unknown role":   "p, superuser, employers, read, allow\n",
		"unknown effect": "p, admin, employers, read, maybe\n",
		"empty":          "# nothing\n",
	}
	for name, policy := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := authz.New(policies.CasbinModel, policy); err == nil {
				t.Errorf("authz.New(policy %q) = nil error, want one", strings.TrimSpace(policy))
			}
		})
	}
}

func TestKnows(t *testing.T) {
	e := newEnforcer(t)
	if !e.Knows("employers", "create") || !e.Knows("self", "logout") {
		t.Error("Knows(employers, create) or Knows(self, logout) = false, want true")
	}
	if e.Knows("employers", "destroy") || e.Knows("employes", "read") {
		t.Error("Knows(employers, destroy) or Knows(employes, read) = true, want false")
	}
}

// BenchmarkAuthorize measures one decision for a principal already
// resolved for the request: "cached" when the role set was seen before (the
// decision cache answers), "fresh" when Casbin evaluates the policy.
func BenchmarkAuthorize(b *testing.B) {
	e := newEnforcer(b)
	p := principal(access.Grant{Role: access.RoleCaseManager, EmployerID: uuid.New()},
		access.Grant{Role: access.RoleLabourExpert, EmployerID: uuid.New()})
	b.Run("cached_role_set", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e.Authorize(p, "employees", "read")
		}
	})
	roles := []access.Role{access.RoleCaseManager, access.RoleLabourExpert}
	b.Run("fresh_role_set", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = e.AllowedUncached(roles, "employees", "read")
		}
	})
}

func TestDecisionCacheAgreesWithCasbin(t *testing.T) {
	e := newEnforcer(t)
	for _, r := range access.Roles {
		for _, res := range []string{"self", "employers", "employees", "grants", "medical.dossier", "medical.emergency_access"} {
			for _, act := range []string{"read", "create", "propose", "approve"} {
				roles := []access.Role{r}
				first, second, raw := e.Allowed(roles, res, act), e.Allowed(roles, res, act), e.AllowedUncached(roles, res, act)
				if first != raw || second != raw {
					t.Errorf("Allowed(%s, %s, %s) = %v then %v (cached), Casbin says %v", r, res, act, first, second, raw)
				}
			}
		}
	}
}
