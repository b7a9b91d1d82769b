// Package authz is the one entry point for authorization decisions. It hides
// Casbin, which decides role × resource × action from the reviewed policy
// files (deny overrides allow), and turns a decision into the domain's
// errors: derrors.ErrNotFound where the caller may not know the object
// exists, derrors.ErrForbidden where they may see it but not do this.
//
// The caller's roles come from the access.Principal resolved from
// PostgreSQL on every request; the enforcer holds only the policy lines and
// never a user or role assignment, so a revoked grant takes effect on the
// next request. Object rules — this object lies in the caller's tenants,
// this employee is the subject, this physician is responsible or
// substituting, this assistant's statement is valid, emergency access was
// declared — are checked by the services after they load the object, with
// the methods of access.Actor; the scope of the one grant a request is
// decided under is what they and the row-level security policies filter on.
package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// medicalPrefix marks medical resources: a caller denied one gets 404, as
// if it did not exist.
const medicalPrefix = "medical."

// Enforcer decides role × resource × action. It is safe for concurrent use.
type Enforcer struct {
	e      *casbin.SyncedEnforcer
	policy [][]string
	// decisions caches Casbin's answer per role set, resource and action.
	// The policy is fixed at start-up, so a decision never goes stale; the
	// roles themselves are never cached here; they come with each request.
	decisions sync.Map // string -> bool
}

// New returns an Enforcer for the Casbin model and policy texts (the
// contents of policies/model.conf and policies/policy.csv). It returns an
// error when either does not parse or a policy line names an unknown role.
func New(modelText, policyText string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		return nil, fmt.Errorf("authz: policy: %w", err)
	}
	e.AddFunction("hasRole", hasRole)
	policy, err := e.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("authz: policy: %w", err)
	}
	if len(policy) == 0 {
		return nil, errors.New("authz: policy: no lines")
	}
	for _, line := range policy {
		if len(line) != 4 {
			return nil, fmt.Errorf("authz: policy line %q: want role, resource, action, effect", strings.Join(line, ", "))
		}
		if !access.Role(line[0]).Valid() {
			return nil, fmt.Errorf("authz: policy line %q: unknown role %q", strings.Join(line, ", "), line[0])
		}
		if line[3] != "allow" && line[3] != "deny" {
			return nil, fmt.Errorf("authz: policy line %q: effect must be allow or deny", strings.Join(line, ", "))
		}
	}
	return &Enforcer{e: e, policy: policy}, nil
}

// Knows reports whether some policy line names resource and action (or
// "*" for it). The HTTP layer checks every route against it at start-up, so
// a misspelt resource cannot silently deny everyone.
func (e *Enforcer) Knows(resource, action string) bool {
	for _, line := range e.policy {
		if line[1] == resource && (line[2] == action || line[2] == "*") && line[3] == "allow" {
			return true
		}
	}
	return false
}

// hasRole is the matcher function: whether the policy line's role (args[1])
// is among the caller's space-separated roles (args[0]).
func hasRole(args ...any) (any, error) {
	if len(args) != 2 {
		return false, errors.New("hasRole: want 2 arguments")
	}
	roles, _ := args[0].(string)
	role, _ := args[1].(string)
	for roles != "" {
		var r string
		r, roles, _ = strings.Cut(roles, " ")
		if r == role {
			return true, nil
		}
	}
	return false, nil
}

// Allowed reports whether any of roles may do act on res, with no deny line
// for any of them.
func (e *Enforcer) Allowed(roles []access.Role, res, act string) bool {
	if len(roles) == 0 {
		return false
	}
	subject := joinRoles(roles)
	key := subject + "|" + res + "|" + act
	if ok, hit := e.decisions.Load(key); hit {
		return ok.(bool)
	}
	ok := e.enforce(subject, res, act)
	e.decisions.Store(key, ok)
	return ok
}

// enforce asks Casbin, without the decision cache.
func (e *Enforcer) enforce(subject, res, act string) bool {
	ok, err := e.e.Enforce(subject, res, act)
	return err == nil && ok
}

func joinRoles(roles []access.Role) string {
	var b strings.Builder
	for i, r := range roles {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(r))
	}
	return b.String()
}

// Authorize decides whether p may do act on res, grant by grant: it
// returns one access.Authority for every grant of p whose role by itself
// may do it, in the order of p's grants, each with that grant's role and the
// tenants that grant alone reaches. A request is then decided under one of
// them; their roles and scopes are never merged, so a user holding two
// grants gets no more than either grant gives (DESIGN §1). A deny line for
// any of p's roles still overrides every allow, as policies/model.conf says.
//
// A service-wide grant reaches every tenant, except for physicians and lead
// physicians, who reach the employers they are assigned to or granted for.
//
// A denied caller gets derrors.ErrNotFound for a medical resource, and for a
// resource whose objects the caller may not even read (they may not learn
// that an object exists); otherwise derrors.ErrForbidden.
func (e *Enforcer) Authorize(p access.Principal, res, act string) ([]access.Authority, error) {
	roles := rolesOf(p)
	if !e.Allowed(roles, res, act) {
		return nil, e.denied(roles, res, act)
	}
	var out []access.Authority
	for _, g := range p.Grants {
		if !e.Allowed([]access.Role{g.Role}, res, act) {
			continue
		}
		a := access.Authority{Role: g.Role, Scope: grantScope(p, g)}
		if !slices.ContainsFunc(out, a.Equal) {
			out = append(out, a)
		}
	}
	return out, nil
}

// grantScope is the set of tenants grant g of p reaches by itself.
func grantScope(p access.Principal, g access.Grant) access.Scope {
	switch {
	case g.Role == access.RolePhysician || g.Role == access.RoleLeadPhysician:
		// Medical responsibility follows dossiers; HR data follows the
		// employers a physician is assigned to (or granted for), never a
		// service-wide grant alone.
		s := access.Scope{Employers: slices.Clone(p.AssignedEmployers)}
		if g.EmployerID != uuid.Nil {
			s = s.Union(access.Scope{Employers: []uuid.UUID{g.EmployerID}})
		}
		return s
	case g.EmployerID == uuid.Nil:
		return access.Scope{All: true}
	default:
		return access.Scope{Employers: []uuid.UUID{g.EmployerID}}
	}
}

func (e *Enforcer) denied(roles []access.Role, res, act string) error {
	err := fmt.Errorf("authz: %s %s denied", act, res)
	if strings.HasPrefix(res, medicalPrefix) || act == "read" || !e.Allowed(roles, res, "read") {
		return fmt.Errorf("%w: %w", err, derrors.ErrNotFound)
	}
	return fmt.Errorf("%w: %w", err, derrors.ErrForbidden)
}

// rolesOf lists p's roles once each.
func rolesOf(p access.Principal) []access.Role {
	out := make([]access.Role, 0, len(p.Grants))
	for _, g := range p.Grants {
		dup := false
		for _, r := range out {
			if r == g.Role {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, g.Role)
		}
	}
	return out
}
