// Package migrations holds the numbered up/down SQL migrations of the
// Arbokluis database, embedded into the binary and applied by
// `arbokluis migrate`.
//
// The login roles arbokluis_hr, arbokluis_med and arbokluis_audit are
// cluster-wide and must exist before the first migration runs (make deps
// creates them; docker-compose creates them in its init SQL). Each migration
// grants exactly what DESIGN §2 allows on the objects it creates.
package migrations

import "embed"

// FS holds the *.up.sql and *.down.sql files.
//
//go:embed *.sql
var FS embed.FS
