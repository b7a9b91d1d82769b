package web

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

func TestParseDomains(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"   ", []string{}},
		{"example.nl", []string{"example.nl"}},
		{"Example.NL, b.test", []string{"example.nl", "b.test"}},
		{"a.nl;b.nl\nc.nl\td.nl", []string{"a.nl", "b.nl", "c.nl", "d.nl"}},
		{",,a.nl,, ,", []string{"a.nl"}},
		{"niet_een domein!", []string{"niet_een", "domein!"}},
	} {
		if got := parseDomains(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("parseDomains(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParseDomains: every part is non-empty, lower case, without a
// separator, and the parts in order are the input's words.
func FuzzParseDomains(f *testing.F) {
	for _, s := range []string{"", "a.nl, B.NL", "x;y\nz", "\t,;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseDomains(s)
		for _, d := range got {
			if d == "" || strings.ContainsAny(d, ",; \t\n\r") || d != strings.ToLower(d) {
				t.Fatalf("parseDomains(%q) has part %q", s, d)
			}
		}
		if again := parseDomains(strings.Join(got, ",")); !slices.Equal(again, got) {
			t.Fatalf("parseDomains(%q) = %q, but of its own join %q", s, got, again)
		}
	})
}

func TestAdminConflictMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&identity.OffboardingError{Dossiers: 1}, "verantwoordelijk voor 1 dossier."},
		{&identity.OffboardingError{Dossiers: 3}, "verantwoordelijk voor 3 dossiers."},
		{fmt.Errorf("wrapped: %w", &identity.OffboardingError{Dossiers: 2}), "verantwoordelijk voor 2 dossiers."},
		{derrors.ErrConflict, "staat al zo"},
	} {
		if got := adminConflictMessage(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("adminConflictMessage(%v) = %q, want it to contain %q", tc.err, got, tc.want)
		}
	}
}

func TestAdminProposalText(t *testing.T) {
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		p    identity.Proposal
		want string
	}{
		{identity.Proposal{Kind: identity.ProposalGrant, Role: access.RolePhysician}, "Rol geven: bedrijfsarts"},
		{identity.Proposal{Kind: identity.ProposalGrant, Role: access.RoleEmployer, EmployerName: "Bakker BV"}, "Rol geven: werkgever bij Bakker BV"},
		{identity.Proposal{Kind: identity.ProposalAccountAction, Action: identity.ActionRevokeGrant, Role: access.RoleLeadPhysician},
			"Rol intrekken (hoofd bedrijfsarts)"},
		{identity.Proposal{Kind: identity.ProposalAccountAction, Action: identity.ActionBlock}, "Blokkeren"},
		{identity.Proposal{Kind: identity.ProposalAssignment, EmployerName: "Bakker BV"}, "Bedrijfsarts worden van Bakker BV"},
		{identity.Proposal{Kind: identity.ProposalSubstitution, PhysicianName: "Dr. A", StartsOn: day, EndsOn: day.AddDate(0, 0, 6)},
			"Vervangen van Dr. A van 2 januari 2026 tot en met 8 januari 2026"},
		{identity.Proposal{Kind: identity.ProposalStatement, PhysicianName: "Dr. A", StartsOn: day, EndsOn: day.AddDate(1, 0, 0)},
			"Geheimhoudingsverklaring: werkt voor Dr. A, getekend op 2 januari 2026, geldig tot 2 januari 2027"},
	} {
		if got := adminProposalText(tc.p); got != tc.want {
			t.Errorf("adminProposalText(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
