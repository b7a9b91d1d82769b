package authz_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/util"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/policies"
)

// policyLine is one line of policies/policy.csv, read here without Casbin so
// that the test's expectations do not come from the code under test.
type policyLine struct{ role, res, act, eft string }

func readPolicy(t *testing.T) []policyLine {
	t.Helper()
	var out []policyLine
	for _, raw := range strings.Split(policies.CasbinPolicy, "\n") {
		raw = strings.TrimSpace(raw)
		if raw == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		f := strings.Split(raw, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 5 || f[0] != "p" {
			t.Fatalf("policy line %q: want p, role, resource, action, effect", raw)
		}
		out = append(out, policyLine{f[1], f[2], f[3], f[4]})
	}
	return out
}

// permissions lists every resource and action the policy names, with
// wildcards expanded to the concrete names other lines use.
func permissions(lines []policyLine) [][2]string {
	var resources, actions []string
	for _, l := range lines {
		if !strings.Contains(l.res, "*") && !slices.Contains(resources, l.res) {
			resources = append(resources, l.res)
		}
		if l.act != "*" && !slices.Contains(actions, l.act) {
			actions = append(actions, l.act)
		}
	}
	var out [][2]string
	for _, res := range resources {
		for _, act := range actions {
			for _, l := range lines {
				if util.KeyMatch(res, l.res) && (l.act == act || l.act == "*") {
					out = append(out, [2]string{res, act})
					break
				}
			}
		}
	}
	return out
}

// lineSays reports whether a line with effect eft for role matches res and
// act.
func lineSays(lines []policyLine, role access.Role, res, act, eft string) bool {
	for _, l := range lines {
		if l.role == string(role) && l.eft == eft && util.KeyMatch(res, l.res) && (l.act == act || l.act == "*") {
			return true
		}
	}
	return false
}

// TestOneGrantDecides checks, over every pair of grants (and every set of
// three), every tenant combination and every permission the policy names,
// that a set of grants allows exactly what one of its grants allows by
// itself, that a deny line of any grant's role still overrides, and that
// each allowing grant is reported with its own role and its own scope
// only:
//
//	allowed(set, req) == any(allowed({g}, req)) && !any(denied(g, req))
func TestOneGrantDecides(t *testing.T) {
	e := newEnforcer(t)
	lines := readPolicy(t)
	perms := permissions(lines)
	if len(perms) < 50 {
		t.Fatalf("permissions(policy) = %d, want the policy's many resource × action pairs", len(perms))
	}
	own, other := uuid.New(), uuid.New()
	var grants []access.Grant
	for _, r := range access.Roles {
		for _, tenant := range []uuid.UUID{own, other, uuid.Nil} {
			grants = append(grants, access.Grant{Role: r, EmployerID: tenant})
		}
	}
	// A physician in the set is assigned to the own tenant, as physicians
	// are.
	principalOf := func(set []access.Grant) access.Principal {
		return access.Principal{UserID: uuid.New(), Grants: set, AssignedEmployers: []uuid.UUID{own}}
	}
	// wantScope is what one grant alone reaches (DESIGN §1): its tenant, or
	// every tenant for a service-wide grant; a physician's HR reach follows
	// assignments plus the grant's own tenant.
	wantScope := func(g access.Grant) access.Scope {
		switch {
		case g.Role == access.RolePhysician || g.Role == access.RoleLeadPhysician:
			if g.EmployerID == uuid.Nil || g.EmployerID == own {
				return access.Scope{Employers: []uuid.UUID{own}}
			}
			return access.Scope{Employers: []uuid.UUID{own, g.EmployerID}}
		case g.EmployerID == uuid.Nil:
			return access.Scope{All: true}
		}
		return access.Scope{Employers: []uuid.UUID{g.EmployerID}}
	}
	// What each role's lines say of each permission, read once.
	type says struct{ allow, deny bool }
	oracle := map[access.Role][]says{}
	for _, r := range access.Roles {
		for _, perm := range perms {
			oracle[r] = append(oracle[r], says{lineSays(lines, r, perm[0], perm[1], "allow"), lineSays(lines, r, perm[0], perm[1], "deny")})
		}
	}
	check := func(set []access.Grant) {
		for i, perm := range perms {
			res, act := perm[0], perm[1]
			var want []access.Authority
			denied := false
			for _, g := range set {
				o := oracle[g.Role][i]
				denied = denied || o.deny
				if o.allow && !o.deny {
					a := access.Authority{Role: g.Role, Scope: wantScope(g)}
					if !slices.ContainsFunc(want, a.Equal) {
						want = append(want, a)
					}
				}
			}
			if denied {
				want = nil
			}
			got, err := e.Authorize(principalOf(set), res, act)
			if (err == nil) != (len(want) > 0) {
				t.Errorf("Authorize(%s, %s, %s) error = %v, want allowed = %v", grantsString(set), res, act, err, len(want) > 0)
				continue
			}
			if !sameAuthorities(got, want) {
				t.Errorf("Authorize(%s, %s, %s) = %s, want %s", grantsString(set), res, act, authString(got), authString(want))
			}
		}
	}
	for i, g := range grants {
		for _, h := range grants[i:] {
			check([]access.Grant{g, h})
		}
	}
	if testing.Short() {
		return
	}
	// Triples: every three roles, each grant for the own tenant or
	// service-wide (the other tenant adds nothing the pairs do not show).
	var third []access.Grant
	for _, g := range grants {
		if g.EmployerID != other {
			third = append(third, g)
		}
	}
	for i := range third {
		for j := i + 1; j < len(third); j++ {
			for k := j + 1; k < len(third); k++ {
				check([]access.Grant{third[i], third[j], third[k]})
			}
		}
	}
}

// TestOneGrantRealisticPairs names the pairs the review found, with the
// authority each request is decided under.
func TestOneGrantRealisticPairs(t *testing.T) {
	e := newEnforcer(t)
	a, b := uuid.New(), uuid.New()
	tests := []struct {
		name     string
		grants   []access.Grant
		res, act string
		want     []access.Authority
	}{
		{"case manager of B who is an employee of A reads employees of B as case manager and of A as employee",
			[]access.Grant{{Role: access.RoleCaseManager, EmployerID: b}, {Role: access.RoleEmployee, EmployerID: a}},
			"employees", "read", []access.Authority{
				{Role: access.RoleCaseManager, Scope: access.Scope{Employers: []uuid.UUID{b}}},
				{Role: access.RoleEmployee, Scope: access.Scope{Employers: []uuid.UUID{a}}}}},
		{"employer of A who is a case manager of B reads verdicts of A as employer only",
			[]access.Grant{{Role: access.RoleEmployer, EmployerID: a}, {Role: access.RoleCaseManager, EmployerID: b}},
			"verdicts", "read", []access.Authority{
				{Role: access.RoleEmployer, Scope: access.Scope{Employers: []uuid.UUID{a}}},
				{Role: access.RoleCaseManager, Scope: access.Scope{Employers: []uuid.UUID{b}}}}},
		{"the employee grant adds nothing to a case manager's advice reads",
			[]access.Grant{{Role: access.RoleEmployee, EmployerID: a}, {Role: access.RoleCaseManager, EmployerID: b}},
			"advice", "read", []access.Authority{
				{Role: access.RoleEmployee, Scope: access.Scope{Employers: []uuid.UUID{a}}},
				{Role: access.RoleCaseManager, Scope: access.Scope{Employers: []uuid.UUID{b}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Authorize(access.Principal{UserID: uuid.New(), Grants: tt.grants}, tt.res, tt.act)
			if err != nil {
				t.Fatalf("Authorize(%s, %s, %s) = %v, want allowed", grantsString(tt.grants), tt.res, tt.act, err)
			}
			if !slices.EqualFunc(got, tt.want, access.Authority.Equal) {
				t.Errorf("Authorize(%s, %s, %s) = %s, want %s", grantsString(tt.grants), tt.res, tt.act, authString(got), authString(tt.want))
			}
		})
	}
}

func sameAuthorities(got, want []access.Authority) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g access.Authority) bool { return sameAuthority(g, w) }) {
			return false
		}
	}
	return true
}

// sameAuthority compares role and tenants, the tenants in any order.
func sameAuthority(x, y access.Authority) bool {
	if x.Role != y.Role || x.Scope.All != y.Scope.All || len(x.Scope.Employers) != len(y.Scope.Employers) {
		return false
	}
	for _, id := range x.Scope.Employers {
		if !slices.Contains(y.Scope.Employers, id) {
			return false
		}
	}
	return true
}

func grantsString(gs []access.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%s@%s", g.Role, shortID(g.EmployerID))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func authString(as []access.Authority) string {
	parts := make([]string, len(as))
	for i, a := range as {
		tenants := "all"
		if !a.Scope.All {
			ids := make([]string, len(a.Scope.Employers))
			for j, id := range a.Scope.Employers {
				ids[j] = shortID(id)
			}
			tenants = strings.Join(ids, ",")
		}
		parts[i] = fmt.Sprintf("%s@[%s]", a.Role, tenants)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func shortID(id uuid.UUID) string {
	if id == uuid.Nil {
		return "service"
	}
	return id.String()[:8]
}
