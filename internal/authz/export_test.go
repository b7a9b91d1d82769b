package authz

import "github.com/arbokluis/arbokluis/internal/access"

// AllowedUncached asks Casbin without the decision cache, for benchmarks.
func (e *Enforcer) AllowedUncached(roles []access.Role, res, act string) bool {
	return e.enforce(joinRoles(roles), res, act)
}
