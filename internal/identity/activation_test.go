package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestNewActivationCode(t *testing.T) {
	seen := map[string]bool{}
	chars := map[rune]bool{}
	for range 2000 {
		code, err := NewActivationCode()
		if err != nil {
			t.Fatalf("NewActivationCode: %v", err)
		}
		norm, ok := NormalizeActivationCode(code)
		if len(code) != 11 || code[5] != '-' || !ok || norm != code[:5]+code[6:] {
			t.Fatalf("NewActivationCode = %q (normalised %q, %v), want XXXXX-XXXXX of the activation alphabet", code, norm, ok)
		}
		if seen[code] {
			t.Fatalf("NewActivationCode repeated %q", code)
		}
		seen[code] = true
		for _, r := range norm {
			chars[r] = true
		}
	}
	if len(chars) != len(activationAlphabet) {
		t.Errorf("2000 codes used %d characters, want all %d of %q", len(chars), len(activationAlphabet), activationAlphabet)
	}
	for _, ambiguous := range "01ILOU" {
		if chars[ambiguous] {
			t.Errorf("a code contains %q, which is read or typed ambiguously", ambiguous)
		}
	}
}

func TestNormalizeActivationCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ABCDE-FGH23", "ABCDEFGH23", true},
		{"abcde fgh23", "ABCDEFGH23", true},
		{" ABCDEFGH23 ", "ABCDEFGH23", true},
		{"AB-CD-EF-GH-23", "ABCDEFGH23", true},
		{"ABCDE-FGH2", "", false},
		{"ABCDE-FGH234", "", false},
		{"ABCDE-FGH01", "", false}, // 0 and 1 are not in the alphabet
		{"ABCDE-FGHIO", "", false},
		{"", "", false},
		{"ÅBCDE-FGH23", "", false},
		{strings.Repeat("A", 1000), "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeActivationCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeActivationCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestActivationInputBindsTheInvitation(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	if string(activationInput(a, "ABCDEFGH23")) == string(activationInput(b, "ABCDEFGH23")) {
		t.Errorf("activationInput gives two invitations the same input for one code")
	}
	if string(activationInput(a, "ABCDEFGH23")) == string(activationInput(a, "ABCDEFGH24")) {
		t.Errorf("activationInput gives two codes the same input")
	}
}

// assignments is an InvitationStore that knows physician assignments only.
type assignments struct {
	InvitationStore
	byPhysician map[uuid.UUID][]uuid.UUID
}

func (a assignments) AssignedEmployersOf(_ context.Context, physicians []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	for _, p := range physicians {
		out = append(out, a.byPhysician[p]...)
	}
	return out, nil
}

func TestMayIssueEmployeeLogin(t *testing.T) {
	own, other := uuid.New(), uuid.New()
	physician := uuid.New()
	s := &Invitations{store: assignments{byPhysician: map[uuid.UUID][]uuid.UUID{physician: {own}}}}
	grants := func(gs ...access.Grant) access.Principal { return access.Principal{UserID: uuid.New(), Grants: gs} }
	tests := []struct {
		name     string
		actor    access.Principal
		employer uuid.UUID
		want     error // nil: may issue
	}{
		{"employer of the tenant", grants(access.Grant{Role: access.RoleEmployer, EmployerID: own}), own, derrors.ErrForbidden},
		{"employer of another tenant", grants(access.Grant{Role: access.RoleEmployer, EmployerID: other}), own, derrors.ErrNotFound},
		{"admin", grants(access.Grant{Role: access.RoleAdmin, EmployerID: uuid.Nil}), own, derrors.ErrNotFound},
		{"labour expert of the tenant", grants(access.Grant{Role: access.RoleLabourExpert, EmployerID: own}), own, derrors.ErrNotFound},
		{"privacy officer", grants(access.Grant{Role: access.RolePrivacyOfficer, EmployerID: uuid.Nil}), own, derrors.ErrNotFound},
		{"employee of the tenant", grants(access.Grant{Role: access.RoleEmployee, EmployerID: own}), own, derrors.ErrNotFound},
		{"case manager of the tenant", grants(access.Grant{Role: access.RoleCaseManager, EmployerID: own}), own, nil},
		{"service-wide case manager", grants(access.Grant{Role: access.RoleCaseManager, EmployerID: uuid.Nil}), own, nil},
		{"case manager of another tenant", grants(access.Grant{Role: access.RoleCaseManager, EmployerID: other}), own, derrors.ErrNotFound},
		{"employer of the tenant and case manager elsewhere", grants(access.Grant{Role: access.RoleEmployer, EmployerID: own}, access.Grant{Role: access.RoleCaseManager, EmployerID: other}), own, derrors.ErrForbidden},
		{"case manager without a tenant asks for none", grants(access.Grant{Role: access.RoleCaseManager, EmployerID: uuid.Nil}), uuid.Nil, nil},
		{"employer asks for no tenant", grants(access.Grant{Role: access.RoleEmployer, EmployerID: own}), uuid.Nil, derrors.ErrNotFound},
		{"assigned physician", access.Principal{Grants: []access.Grant{{Role: access.RolePhysician, EmployerID: uuid.Nil}}, AssignedEmployers: []uuid.UUID{own}}, own, nil},
		{"assigned lead physician", access.Principal{Grants: []access.Grant{{Role: access.RoleLeadPhysician, EmployerID: uuid.Nil}}, AssignedEmployers: []uuid.UUID{own}}, own, nil},
		{"physician assigned elsewhere", access.Principal{Grants: []access.Grant{{Role: access.RolePhysician, EmployerID: uuid.Nil}}, AssignedEmployers: []uuid.UUID{other}}, own, derrors.ErrNotFound},
		{"unassigned service-wide physician", grants(access.Grant{Role: access.RolePhysician, EmployerID: uuid.Nil}), own, derrors.ErrNotFound},
		{"physician granted for the tenant", grants(access.Grant{Role: access.RolePhysician, EmployerID: own}), own, nil},
		{"physician standing in for the assigned one", access.Principal{Grants: []access.Grant{{Role: access.RolePhysician, EmployerID: uuid.Nil}}, Substitutes: []uuid.UUID{physician}}, own, nil},
		{"lead physician with emergency access only", grants(access.Grant{Role: access.RoleLeadPhysician, EmployerID: uuid.Nil}), own, derrors.ErrNotFound},
		{"assistant of the assigned physician", access.Principal{Grants: []access.Grant{{Role: access.RoleMedicalAssistant, EmployerID: uuid.Nil}}, ActsForPhysicians: []uuid.UUID{physician}}, own, nil},
		{"assistant without a valid statement", grants(access.Grant{Role: access.RoleMedicalAssistant, EmployerID: uuid.Nil}), own, derrors.ErrNotFound},
		{"assistant of the assigned physician, another tenant", access.Principal{Grants: []access.Grant{{Role: access.RoleMedicalAssistant, EmployerID: uuid.Nil}}, ActsForPhysicians: []uuid.UUID{physician}}, other, derrors.ErrNotFound},
		// Assignments and statements count for physicians and assistants only.
		{"case manager with someone's assignments", access.Principal{Grants: []access.Grant{{Role: access.RoleCaseManager, EmployerID: other}}, AssignedEmployers: []uuid.UUID{own},
			ActsForPhysicians: []uuid.UUID{physician}}, own, derrors.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.mayIssueEmployeeLogin(context.Background(), tt.actor, tt.employer)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("mayIssueEmployeeLogin(%s) = %v, want %v", tt.name, err, tt.want)
			}
		})
	}
	if !slices.Contains(issuesEmployeeLogins, access.RoleLeadPhysician) || slices.Contains(issuesEmployeeLogins, access.RoleEmployer) ||
		slices.Contains(issuesEmployeeLogins, access.RoleAdmin) {
		t.Errorf("issuesEmployeeLogins = %v, want staff who meet the employee only", issuesEmployeeLogins)
	}
}
