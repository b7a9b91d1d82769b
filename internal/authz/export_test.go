package authz

import "github.com/arbokluis/arbokluis/internal/identity"

// AllowedUncached asks Casbin without the decision cache, for benchmarks.
func (e *Enforcer) AllowedUncached(roles []identity.Role, res, act string) bool {
	return e.enforce(joinRoles(roles), res, act)
}
