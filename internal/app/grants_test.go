package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// session logs u in and returns its bearer token.
func (s *stack) session(u login) string {
	s.t.Helper()
	r := s.login(u.email, u.password, code(s.t, u.secret, time.Now()))
	token, _ := r.body["token"].(string)
	if r.status != http.StatusOK || token == "" {
		s.t.Fatalf("login %s = %d %s, want a session", u.email, r.status, r.raw)
	}
	return token
}

// TestMedicalGrantNeedsTwoKeys: an admin proposes a medical role, a lead
// physician approves it; nobody grants or approves for themselves.
func TestMedicalGrantNeedsTwoKeys(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	lead := s.addUser(access.RoleLeadPhysician, uuid.Nil)
	target := s.addUser(access.RoleCaseManager, uuid.Nil)
	adminTok, leadTok, targetTok := s.session(admin), s.session(lead), s.session(target)
	propose := func(token string, user uuid.UUID, body map[string]any) response {
		return s.do("POST", "/api/v1/users/"+user.String()+"/grants", token, body)
	}
	physician := map[string]any{"role": "physician", "big_number": "12345678901"}

	r := propose(adminTok, target.userID, physician)
	if r.status != http.StatusCreated || r.body["status"] != "proposed" {
		t.Fatalf("admin proposes physician = %d %s, want 201 proposed", r.status, r.raw)
	}
	grantID, _ := r.body["id"].(string)
	if me := s.do("GET", "/api/v1/me", targetTok, nil); strings.Contains(me.raw, `"physician"`) {
		t.Errorf("a proposed grant is already active: %s", me.raw)
	}

	refusals := []struct {
		name string
		do   func() response
		want int
	}{
		{"admin proposes for self", func() response { return propose(adminTok, admin.userID, physician) }, http.StatusForbidden},
		{"case manager proposes", func() response { return propose(targetTok, lead.userID, physician) }, http.StatusNotFound},
		{"lead physician proposes", func() response { return propose(leadTok, target.userID, physician) }, http.StatusNotFound},
		{"physician without BIG", func() response {
			return propose(adminTok, target.userID, map[string]any{"role": "physician"})
		}, http.StatusBadRequest},
		{"unknown role", func() response {
			return propose(adminTok, target.userID, map[string]any{"role": "superuser"})
		}, http.StatusBadRequest},
		{"unknown user", func() response { return propose(adminTok, uuid.New(), physician) }, http.StatusNotFound},
		{"malformed user id", func() response {
			return s.do("POST", "/api/v1/users/not-a-uuid/grants", adminTok, physician)
		}, http.StatusNotFound},
		{"unknown field", func() response {
			return propose(adminTok, target.userID, map[string]any{"role": "labour_expert", "password": "x"})
		}, http.StatusBadRequest},
		{"no session", func() response { return propose("", target.userID, physician) }, http.StatusUnauthorized},
		{"admin approves", func() response {
			return s.do("POST", "/api/v1/grants/"+grantID+"/approve", adminTok, nil)
		}, http.StatusNotFound},
		{"grantee approves", func() response {
			return s.do("POST", "/api/v1/grants/"+grantID+"/approve", targetTok, nil)
		}, http.StatusNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.do(); r.status != tt.want {
				t.Errorf("%s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
		})
	}

	// A lead physician cannot approve a grant for themselves.
	own := propose(adminTok, lead.userID, physician)
	ownID, _ := own.body["id"].(string)
	if r := s.do("POST", "/api/v1/grants/"+ownID+"/approve", leadTok, nil); r.status != http.StatusForbidden {
		t.Errorf("lead physician approves own grant = %d %s, want 403", r.status, r.raw)
	}

	r = s.do("POST", "/api/v1/grants/"+grantID+"/approve", leadTok, nil)
	if r.status != http.StatusOK || r.body["status"] != "active" || r.body["approved_by"] != lead.userID.String() {
		t.Fatalf("lead physician approves = %d %s, want 200 active approved by the lead", r.status, r.raw)
	}
	if me := s.do("GET", "/api/v1/me", targetTok, nil); !strings.Contains(me.raw, `"role":"physician"`) {
		t.Errorf("after approval /me = %s, want the physician role in the live session", me.raw)
	}
	if r := s.do("POST", "/api/v1/grants/"+grantID+"/approve", leadTok, nil); r.status != http.StatusConflict {
		t.Errorf("approve twice = %d %s, want 409", r.status, r.raw)
	}
	if r := propose(adminTok, target.userID, physician); r.status != http.StatusConflict {
		t.Errorf("propose a role the user holds = %d %s, want 409", r.status, r.raw)
	}

	// A non-medical role needs one key; staff may be scoped to an employer.
	r = propose(adminTok, target.userID, map[string]any{"role": "labour_expert"})
	if r.status != http.StatusCreated || r.body["status"] != "active" {
		t.Errorf("admin grants labour_expert = %d %s, want 201 active", r.status, r.raw)
	}
	tenant := s.addEmployer()
	r = propose(adminTok, target.userID, map[string]any{"role": "case_manager", "employer_id": tenant.String()})
	if r.status != http.StatusCreated || r.body["employer_id"] != tenant.String() {
		t.Errorf("admin scopes case_manager to an employer = %d %s, want 201 with the employer", r.status, r.raw)
	}
	if r := propose(adminTok, target.userID, map[string]any{"role": "admin", "employer_id": tenant.String()}); r.status != http.StatusBadRequest {
		t.Errorf("admin grant scoped to an employer = %d %s, want 400", r.status, r.raw)
	}
}

// TestAssistantGrantNeedsStatement: a medical assistant is proposed only
// with a signed, unexpired confidentiality statement naming an active
// physician.
func TestAssistantGrantNeedsStatement(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	physician := s.addUser(access.RolePhysician, uuid.Nil)
	notPhysician := s.addUser(access.RoleCaseManager, uuid.Nil)
	assistant := s.addUser(access.RoleLabourExpert, uuid.Nil)
	today := nowNL()
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	statement := func(physicianID uuid.UUID, signed, expires string) map[string]any {
		return map[string]any{"role": "medical_assistant",
			"statement": map[string]any{"physician_id": physicianID.String(), "signed_on": signed, "expires_on": expires}}
	}
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"no statement", map[string]any{"role": "medical_assistant"}, http.StatusBadRequest},
		{"names a non-physician", statement(notPhysician.userID, day(-1), day(365)), http.StatusBadRequest},
		{"names the assistant", statement(assistant.userID, day(-1), day(365)), http.StatusBadRequest},
		{"expired", statement(physician.userID, day(-400), day(-35)), http.StatusBadRequest},
		{"signed in the future", statement(physician.userID, day(5), day(365)), http.StatusBadRequest},
		{"malformed date", statement(physician.userID, "01-02-2026", day(365)), http.StatusBadRequest},
		{"statement on another role", map[string]any{"role": "labour_expert",
			"statement": map[string]any{"physician_id": physician.userID.String(), "signed_on": day(-1), "expires_on": day(365)}}, http.StatusBadRequest},
		{"valid", statement(physician.userID, day(-2), day(365)), http.StatusCreated},
	}
	owner := testenv.Pool(t, s.env.MigrateURL)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/users/"+assistant.userID.String()+"/grants", adminTok, tt.body)
			if r.status != tt.want {
				t.Fatalf("%s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
			var grants, statements int
			owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.role_grants WHERE user_id = $1 AND role = 'medical_assistant'`, assistant.userID).Scan(&grants) //nolint:errcheck
			owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.confidentiality_statements WHERE assistant_user_id = $1`, assistant.userID).Scan(&statements)   //nolint:errcheck
			wantRows := 0
			if tt.want == http.StatusCreated {
				wantRows = 1
			}
			if grants != wantRows || statements != wantRows {
				t.Errorf("%s left %d grants and %d statements, want %d of each (a refusal writes nothing)", tt.name, grants, statements, wantRows)
			}
		})
	}
}

// TestGrantKeysAreThreePeople: proposer, approver and subject of a role
// grant are three different people. A user who holds both admin and
// lead_physician proposes a physician grant under the one role and may not
// approve it under the other; the employee role is never granted through
// the grants route (staff issue employee logins by invitation, with an
// activation code). Each refusal changes nothing.
func TestGrantKeysAreThreePeople(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	both := s.addUser(access.RoleAdmin, uuid.Nil)
	if _, err := owner.Exec(ctx, `INSERT INTO hr.role_grants (user_id, role, status, decided_at) VALUES ($1, 'lead_physician', 'active', now())`,
		both.userID); err != nil {
		t.Fatal(err)
	}
	bothTok := s.session(both)
	leadTok := s.session(s.addUser(access.RoleLeadPhysician, uuid.Nil))
	tenant := s.addEmployer()
	physician := map[string]any{"role": "physician", "big_number": "12345678901"}

	target := s.addUser(access.RoleCaseManager, uuid.Nil)
	r := s.do("POST", "/api/v1/users/"+target.userID.String()+"/grants", bothTok, physician)
	grantID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || r.body["status"] != "proposed" {
		t.Fatalf("admin+lead proposes a physician grant = %d %s, want 201 proposed", r.status, r.raw)
	}
	status := func() string {
		var st string
		if err := owner.QueryRow(ctx, `SELECT status FROM hr.role_grants WHERE id = $1`, grantID).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	tests := []struct {
		name       string
		do         func() response
		want       int
		wantStatus string // of the proposed grant afterwards
	}{
		{"the proposer approves under their lead_physician grant", func() response {
			return s.do("POST", "/api/v1/grants/"+grantID+"/approve", bothTok, nil)
		}, http.StatusForbidden, "proposed"},
		{"the employee role through the grants route", func() response {
			return s.do("POST", "/api/v1/users/"+s.addUser(access.RoleCaseManager, uuid.Nil).userID.String()+"/grants", bothTok,
				map[string]any{"role": "employee", "employer_id": tenant.String()})
		}, http.StatusBadRequest, "proposed"},
		{"an admin grants themselves a role", func() response {
			return s.do("POST", "/api/v1/users/"+both.userID.String()+"/grants", bothTok, map[string]any{"role": "labour_expert"})
		}, http.StatusForbidden, "proposed"},
		{"another lead physician approves", func() response {
			return s.do("POST", "/api/v1/grants/"+grantID+"/approve", leadTok, nil)
		}, http.StatusOK, "active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.do(); r.status != tt.want {
				t.Errorf("%s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
			if got := status(); got != tt.wantStatus {
				t.Errorf("after %s the grant is %s, want %s", tt.name, got, tt.wantStatus)
			}
		})
	}
	var employeeGrants int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM hr.role_grants WHERE role = 'employee' AND employer_id = $1`, tenant).Scan(&employeeGrants); err != nil || employeeGrants != 0 {
		t.Errorf("employee grants of the tenant = %d (%v), want 0", employeeGrants, err)
	}
}
