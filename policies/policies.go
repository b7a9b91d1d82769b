// Package policies embeds the reviewed policy files: the Casbin model and
// role rules, and the Vault token policies.
package policies

import _ "embed"

// CasbinModel is the Casbin model: role x resource x action, deny overrides.
//
//go:embed model.conf
var CasbinModel string

// CasbinPolicy lists which roles may try which action on which resource.
//
//go:embed policy.csv
var CasbinPolicy string
