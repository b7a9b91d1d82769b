package access

import "github.com/google/uuid"

// ParseID parses an id as both front doors accept it: the canonical
// lower-case hyphenated form only, and never the nil id (which would name
// "any" to a store). ok is false for anything else.
func ParseID(s string) (id uuid.UUID, ok bool) {
	if len(s) != 36 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil || id.String() != s {
		return uuid.Nil, false
	}
	return id, true
}
