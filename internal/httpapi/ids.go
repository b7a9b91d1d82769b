package httpapi

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// parseID parses s as the id of an object: only the canonical form
// Arbokluis itself writes (36 characters, lower-case hex, hyphens at 8, 13,
// 18 and 23) of an id other than the nil UUID. Every other spelling that
// uuid.Parse would accept — upper case, "urn:uuid:", braces, 32 bare hex
// digits — and the nil UUID in any spelling name no object: ok is false.
// It is the one parser for ids in paths, bodies, queries and cursors.
func parseID(s string) (id uuid.UUID, ok bool) { return access.ParseID(s) }

// pathID parses the :id path parameter (see pathParam).
func pathID(c *gin.Context) (uuid.UUID, error) { return pathParam(c, "id") }

// pathParam parses the path parameter name as an id with parseID. A
// malformed id, one in another spelling, and the nil UUID name nothing that
// exists: derrors.ErrNotFound, before any store is asked.
func pathParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, ok := parseID(c.Param(name))
	if !ok {
		return uuid.Nil, derrors.ErrNotFound
	}
	return id, nil
}
