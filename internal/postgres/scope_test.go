package postgres

import (
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// TestScopeValue: the setting the row-level security policies read is "*"
// for service-wide, the array of the employers named, and empty (no
// tenant at all) for a scope that names none.
func TestScopeValue(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	tests := []struct {
		name  string
		scope access.Scope
		want  string
	}{
		{"service-wide", access.Scope{All: true}, "*"},
		{"service-wide naming employers too", access.Scope{All: true, Employers: []uuid.UUID{a}}, "*"},
		{"one employer", access.Scope{Employers: []uuid.UUID{a}}, "{" + a.String() + "}"},
		{"two employers", access.Scope{Employers: []uuid.UUID{a, b}}, "{" + a.String() + "," + b.String() + "}"},
		{"none", access.Scope{}, ""},
	}
	for _, tt := range tests {
		if got := scopeValue(tt.scope); got != tt.want {
			t.Errorf("scopeValue(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
