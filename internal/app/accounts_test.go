package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// auditedAs returns the actions, object kinds and subjects of the audit
// events of request rid, wherever the appender has got to with them.
func auditedAs(t *testing.T, owner *pgxpool.Pool, rid string) (events int, kinds string, subjects []uuid.UUID) {
	t.Helper()
	rows, err := owner.Query(context.Background(), `
		SELECT action || ':' || object_kind, coalesce(subjects, '{}') FROM audit.outbox WHERE request_id = $1
		UNION ALL
		SELECT action || ':' || object_kind, coalesce(subjects, '{}') FROM audit.events WHERE request_id = $1`, rid)
	if err != nil {
		t.Fatalf("read the audit events of %s: %v", rid, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var kind string
		var subs []uuid.UUID
		if err := rows.Scan(&kind, &subs); err != nil {
			t.Fatal(err)
		}
		events++
		names = append(names, kind)
		subjects = append(subjects, subs...)
	}
	return events, strings.Join(names, ","), subjects
}

// TestAdminListsUsers: an admin pages through every user account with its
// grants and status, and nothing of the person behind it; each page is one
// audited list read naming the employee record of each employee login on
// it. A service-wide list, so the test has a database of its own.
func TestAdminListsUsers(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, func(*config.Config) {})
	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	tenant := s.addEmployer()
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	ee := s.addUser(access.RoleEmployee, tenant)
	employeeID := uuid.New()
	if _, err := owner.Exec(ctx, `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
		VALUES ($1, $2, 'L-1', 'Lijst', 'Persoon', '1980-01-01', '2020-01-01', $3)`, employeeID, tenant, ee.userID); err != nil {
		t.Fatal(err)
	}
	physician := s.addUser(access.RolePhysician, uuid.Nil)
	if _, err := owner.Exec(ctx, `UPDATE hr.users SET status = 'blocked' WHERE id = $1`, physician.userID); err != nil {
		t.Fatal(err)
	}
	adminTok := s.session(admin)

	seen := map[string]map[string]any{}
	after, pages := "", 0
	for {
		rid := "users-" + uuid.NewString()
		path := "/api/v1/users?limit=2"
		if after != "" {
			path += "&after=" + after
		}
		r := s.do("GET", path, adminTok, nil, "X-Request-ID", rid)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d %s, want 200", path, r.status, r.raw)
		}
		pages++
		users, _ := r.body["users"].([]any)
		var listedEmployee bool
		for _, u := range users {
			m := u.(map[string]any)
			seen[m["id"].(string)] = m
			listedEmployee = listedEmployee || m["id"] == ee.userID.String()
		}
		events, kinds, subjects := auditedAs(t, owner, rid)
		if events != 1 || kinds != "read:user" {
			t.Errorf("page %d is audited as %d events %q, want one read:user", pages, events, kinds)
		}
		if listedEmployee != (len(subjects) == 1 && subjects[0] == employeeID) {
			t.Errorf("page %d (employee login listed: %v) names subjects %v, want exactly the employee record %s when listed", pages, listedEmployee, subjects, employeeID)
		}
		next, _ := r.body["next_after"].(string)
		if next == "" {
			if len(users) == 2 {
				t.Errorf("a full page has no next_after")
			}
			break
		}
		if len(users) != 2 {
			t.Errorf("page %d has %d users and a next_after, want 2", pages, len(users))
		}
		after = next
	}
	if len(seen) != 3 || pages != 2 {
		t.Fatalf("listed %d users over %d pages, want the 3 users over 2 pages", len(seen), pages)
	}
	tests := []struct {
		user       login
		wantStatus string
		wantRole   string
	}{
		{admin, "active", "admin"},
		{ee, "active", "employee"},
		{physician, "blocked", "physician"},
	}
	for _, tt := range tests {
		t.Run(tt.wantRole, func(t *testing.T) {
			m := seen[tt.user.userID.String()]
			grants, _ := m["grants"].([]any)
			if m["status"] != tt.wantStatus || m["email"] != tt.user.email || len(grants) != 1 ||
				grants[0].(map[string]any)["role"] != tt.wantRole {
				t.Errorf("GET /api/v1/users lists %s as %v, want status %s with one %s grant", tt.user.email, m, tt.wantStatus, tt.wantRole)
			}
		})
	}
	for _, bad := range []string{"?limit=0", "?limit=201", "?after=nonsense", "?role=admin"} {
		if r := s.do("GET", "/api/v1/users"+bad, adminTok, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET /api/v1/users%s = %d %s, want 400", bad, r.status, r.raw)
		}
	}
}

// freshAccount returns a new case manager's account in status (active or
// blocked), for an account route of the matrix to act on.
func (f *matrixFixture) freshAccount(t *testing.T, status string) uuid.UUID {
	t.Helper()
	u := f.s.addUser(access.RoleCaseManager, uuid.Nil)
	if status != "active" {
		if _, err := f.owner.Exec(context.Background(), `UPDATE hr.users SET status = $2 WHERE id = $1`, u.userID, status); err != nil {
			t.Fatalf("fixture: account %s: %v", status, err)
		}
	}
	return u.userID
}

// freshGrant returns the id of a new case manager's grant.
func (f *matrixFixture) freshGrant(t *testing.T) string {
	t.Helper()
	var id string
	if err := f.owner.QueryRow(context.Background(), `SELECT id FROM hr.role_grants WHERE user_id = $1`,
		f.freshAccount(t, "active")).Scan(&id); err != nil {
		t.Fatalf("fixture: grant: %v", err)
	}
	return id
}

// proposedAccountAction returns the admin's proposal to block a new
// physician (a medical account: two keys).
func (f *matrixFixture) proposedAccountAction(t *testing.T) string {
	t.Helper()
	p := f.s.addUser(access.RolePhysician, uuid.Nil)
	r := f.s.do("POST", "/api/v1/users/"+p.userID.String()+"/block", f.tokens["admin"], nil)
	id, _ := r.body["id"].(string)
	if r.status != s202 || id == "" {
		t.Fatalf("fixture: propose to block a physician = %d %s", r.status, r.raw)
	}
	return id
}

// grantOf returns the id of the user's live grant of role.
func grantOf(t *testing.T, owner *pgxpool.Pool, user uuid.UUID, role access.Role) string {
	t.Helper()
	var id string
	if err := owner.QueryRow(context.Background(), `SELECT id FROM hr.role_grants WHERE user_id = $1 AND role = $2 AND status <> 'revoked'`,
		user, string(role)).Scan(&id); err != nil {
		t.Fatalf("grant %s of %s: %v", role, user, err)
	}
	return id
}

// addGrant gives user an active grant of role besides the one it has.
func addGrant(t *testing.T, owner *pgxpool.Pool, user uuid.UUID, role access.Role) {
	t.Helper()
	if _, err := owner.Exec(context.Background(), `INSERT INTO hr.role_grants (user_id, role, status, decided_at) VALUES ($1, $2, 'active', now())`,
		user, string(role)); err != nil {
		t.Fatalf("add grant %s: %v", role, err)
	}
}

// TestAdminRevokesGrant: an admin revokes a grant, which ends the role at
// the user's next request. A medical grant is only proposed for
// revocation, and a lead physician who did not propose it approves it.
func TestAdminRevokesGrant(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	both := s.addUser(access.RoleAdmin, uuid.Nil)
	addGrant(t, owner, both.userID, access.RoleLeadPhysician)
	target := s.addUser(access.RoleCaseManager, uuid.Nil)
	addGrant(t, owner, target.userID, access.RoleLabourExpert)
	physician, physician2 := s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RolePhysician, uuid.Nil)
	adminTok, bothTok, leadTok := s.session(admin), s.session(both), s.session(s.addUser(access.RoleLeadPhysician, uuid.Nil))
	targetTok, physicianTok := s.session(target), s.session(physician)
	labour := grantOf(t, owner, target.userID, access.RoleLabourExpert)
	medical, medical2 := grantOf(t, owner, physician.userID, access.RolePhysician), grantOf(t, owner, physician2.userID, access.RolePhysician)
	revoke := func(tok, grant string) func() response {
		return func() response { return s.do("POST", "/api/v1/grants/"+grant+"/revoke", tok, nil) }
	}
	var proposal, bothProposal string
	approve := func(tok string, id *string) func() response {
		return func() response { return s.do("POST", "/api/v1/account-actions/"+*id+"/approve", tok, nil) }
	}
	tests := []struct {
		name   string
		do     func() response
		want   int
		keep   *string // stores the answer's id
		check  func() response
		wantMe int // of check: the affected user's next request
	}{
		{"a non-medical grant is revoked at once", revoke(adminTok, labour), http.StatusOK, nil,
			func() response { return s.do("GET", "/api/v1/me", targetTok, nil) }, http.StatusOK},
		{"a revoked grant again", revoke(adminTok, labour), http.StatusConflict, nil, nil, 0},
		{"one's own grant", revoke(adminTok, grantOf(t, owner, admin.userID, access.RoleAdmin)), http.StatusForbidden, nil, nil, 0},
		{"an unknown grant", revoke(adminTok, uuid.NewString()), http.StatusNotFound, nil, nil, 0},
		{"a lead physician revokes", revoke(leadTok, medical), http.StatusNotFound, nil, nil, 0},
		{"a medical grant is proposed", revoke(adminTok, medical), http.StatusAccepted, &proposal,
			func() response { return s.do("GET", "/api/v1/me", physicianTok, nil) }, http.StatusOK},
		{"the same proposal again", revoke(adminTok, medical), http.StatusConflict, nil, nil, 0},
		{"proposed by an admin who is also a lead physician", revoke(bothTok, medical2), http.StatusAccepted, &bothProposal, nil, 0},
		{"its proposer approves", approve(bothTok, &bothProposal), http.StatusForbidden, nil, nil, 0},
		{"the admin approves", approve(adminTok, &proposal), http.StatusNotFound, nil, nil, 0},
		{"a lead physician approves", approve(leadTok, &proposal), http.StatusOK, nil,
			func() response { return s.do("GET", "/api/v1/me", physicianTok, nil) }, http.StatusUnauthorized},
		{"approved again", approve(leadTok, &proposal), http.StatusConflict, nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.do()
			if r.status != tt.want {
				t.Fatalf("%s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
			if tt.keep != nil {
				*tt.keep, _ = r.body["id"].(string)
			}
			if tt.check != nil {
				if me := tt.check(); me.status != tt.wantMe || strings.Contains(me.raw, `"labour_expert"`) {
					t.Errorf("after %s the user's next request = %d %s, want %d without the revoked role", tt.name, me.status, me.raw, tt.wantMe)
				}
			}
		})
	}
	var live int
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.role_grants WHERE id = ANY ($1) AND status <> 'revoked'`,
		[]string{labour, medical, medical2}).Scan(&live); err != nil || live != 1 {
		t.Errorf("live grants among the three = %d (%v), want 1 (the one its proposer could not approve)", live, err)
	}
}

// mailsTo counts the mails the sink holds for to.
func mailsTo(sink *testenv.SMTPSink, to string) int {
	n := 0
	for _, m := range sink.Mails() {
		if m.To == to {
			n++
		}
	}
	return n
}

// TestBlockedUserIsLockedOut: a blocked user's session ends at its next
// request, and they can neither log in, nor ask for or complete a password
// reset, nor accept an invitation, until an admin unblocks them. Blocking
// is audited.
func TestBlockedUserIsLockedOut(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	adminTok := s.session(admin)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	session := s.session(u)
	if r := s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.email}); r.status != http.StatusAccepted {
		t.Fatalf("request a reset = %d %s", r.status, r.raw)
	}
	resetLink := resetToken(t, sink, u.email)
	invitee := "inv-" + uuid.NewString() + "@example.test"
	inv := s.do("POST", "/api/v1/invitations", adminTok, map[string]any{"email": invitee, "name": "Nieuwe Collega", "role": "case_manager"})
	if inv.status != http.StatusAccepted {
		t.Fatalf("invite = %d %s", inv.status, inv.raw)
	}
	invitation := mailedToken(t, sink, invitee)
	invitedID, _ := uuid.Parse(inv.body["user_id"].(string))

	rid := "block-" + uuid.NewString()
	if r := s.do("POST", "/api/v1/users/"+u.userID.String()+"/block", adminTok, nil, "X-Request-ID", rid); r.status != http.StatusOK || r.body["status"] != "done" {
		t.Fatalf("admin blocks a labour expert = %d %s, want 200 done", r.status, r.raw)
	}
	if events, kinds, _ := auditedAs(t, owner, rid); events != 1 || kinds != "update:user" {
		t.Errorf("the block is audited as %d events %q, want one update:user", events, kinds)
	}
	if r := s.do("POST", "/api/v1/users/"+invitedID.String()+"/block", adminTok, nil); r.status != http.StatusOK {
		t.Fatalf("admin blocks an invited user = %d %s, want 200", r.status, r.raw)
	}
	mailsBefore := mailsTo(sink, u.email)
	step := time.Now()
	tests := []struct {
		name string
		do   func() response
		want int
	}{
		{"the session at its next request", func() response { return s.do("GET", "/api/v1/me", session, nil) }, http.StatusUnauthorized},
		{"log in", func() response { return s.login(u.email, u.password, code(t, u.secret, step)) }, http.StatusUnauthorized},
		{"complete a reset asked for before the block", func() response {
			return s.do("POST", "/api/v1/auth/password-reset/complete", "", map[string]string{"token": resetLink, "password": "een ander lang wachtwoord"})
		}, http.StatusNotFound},
		{"accept an invitation", func() response {
			return s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": invitation, "password": "mijn eigen lange wachtwoord"})
		}, http.StatusNotFound},
		{"block again", func() response { return s.do("POST", "/api/v1/users/"+u.userID.String()+"/block", adminTok, nil) }, http.StatusConflict},
		{"block oneself", func() response { return s.do("POST", "/api/v1/users/"+admin.userID.String()+"/block", adminTok, nil) }, http.StatusForbidden},
		{"block an unknown user", func() response { return s.do("POST", "/api/v1/users/"+uuid.NewString()+"/block", adminTok, nil) }, http.StatusNotFound},
		{"unblock oneself", func() response {
			return s.do("POST", "/api/v1/users/"+admin.userID.String()+"/unblock", adminTok, nil)
		}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.do(); r.status != tt.want {
				t.Errorf("blocked: %s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
		})
	}
	if r := s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.email}); r.status != http.StatusAccepted {
		t.Errorf("a blocked user asks for a reset = %d, want 202 as for anyone", r.status)
	}
	if n := mailsTo(sink, u.email); n != mailsBefore {
		t.Errorf("a blocked user's reset request sent %d mails, want none", n-mailsBefore)
	}

	// Unblocked, the account works again: the invited one as invited.
	for _, id := range []uuid.UUID{u.userID, invitedID} {
		if r := s.do("POST", "/api/v1/users/"+id.String()+"/unblock", adminTok, nil); r.status != http.StatusOK {
			t.Fatalf("unblock = %d %s, want 200", r.status, r.raw)
		}
	}
	if r := s.do("POST", "/api/v1/users/"+u.userID.String()+"/unblock", adminTok, nil); r.status != http.StatusConflict {
		t.Errorf("unblock a user who is not blocked = %d %s, want 409", r.status, r.raw)
	}
	if r := s.login(u.email, u.password, code(t, u.secret, step.Add(30*time.Second))); r.status != http.StatusOK {
		t.Errorf("log in after unblocking = %d %s, want 200", r.status, r.raw)
	}
	if r := s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": invitation, "password": "mijn eigen lange wachtwoord"}); r.status != http.StatusOK {
		t.Errorf("accept the invitation after unblocking = %d %s, want 200", r.status, r.raw)
	}
}

// TestOffboardingIsRefusedWhileResponsible: a physician who is still the
// responsible physician of dossiers is neither blocked nor stripped of
// their last physician grant — refused with the number of dossiers, at the
// proposal and again at the approval — until a lead physician has made
// someone else responsible.
func TestOffboardingIsRefusedWhileResponsible(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	adminTok, leadTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil)), s.session(s.addUser(access.RoleLeadPhysician, uuid.Nil))
	responsible := func(p uuid.UUID, n int) {
		t.Helper()
		for range n {
			if _, err := owner.Exec(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, uuid.New(), p); err != nil {
				t.Fatal(err)
			}
		}
	}
	busy := s.addUser(access.RolePhysician, uuid.Nil)
	responsible(busy.userID, 2)
	dual := s.addUser(access.RolePhysician, uuid.Nil)
	addGrant(t, owner, dual.userID, access.RoleLeadPhysician)
	responsible(dual.userID, 1)
	later := s.addUser(access.RolePhysician, uuid.Nil)
	var laterProposal string

	tests := []struct {
		name       string
		do         func() response
		want       int
		wantDetail string
	}{
		{"block a physician responsible for two dossiers", func() response {
			return s.do("POST", "/api/v1/users/"+busy.userID.String()+"/block", adminTok, nil)
		}, http.StatusConflict, "responsible for 2 dossier(s)"},
		{"revoke their only physician grant", func() response {
			return s.do("POST", "/api/v1/grants/"+grantOf(t, owner, busy.userID, access.RolePhysician)+"/revoke", adminTok, nil)
		}, http.StatusConflict, "responsible for 2 dossier(s)"},
		{"revoke one of two physician grants", func() response {
			return s.do("POST", "/api/v1/grants/"+grantOf(t, owner, dual.userID, access.RoleLeadPhysician)+"/revoke", adminTok, nil)
		}, http.StatusAccepted, ""},
		{"propose to block a physician without dossiers", func() response {
			r := s.do("POST", "/api/v1/users/"+later.userID.String()+"/block", adminTok, nil)
			laterProposal, _ = r.body["id"].(string)
			return r
		}, http.StatusAccepted, ""},
		{"approve it once they have become responsible for one", func() response {
			responsible(later.userID, 1)
			return s.do("POST", "/api/v1/account-actions/"+laterProposal+"/approve", leadTok, nil)
		}, http.StatusConflict, "responsible for 1 dossier(s)"},
		{"block once the dossiers have another physician", func() response {
			if _, err := owner.Exec(ctx, `UPDATE medical.dossiers SET responsible_physician_id = $2 WHERE responsible_physician_id = $1`,
				busy.userID, dual.userID); err != nil {
				t.Fatal(err)
			}
			return s.do("POST", "/api/v1/users/"+busy.userID.String()+"/block", adminTok, nil)
		}, http.StatusAccepted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.do()
			detail, _ := r.body["detail"].(string)
			if r.status != tt.want || !strings.Contains(detail, tt.wantDetail) {
				t.Errorf("%s = %d %s, want %d with detail %q", tt.name, r.status, r.raw, tt.want, tt.wantDetail)
			}
		})
	}
	var blocked, revoked int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM hr.users WHERE id = ANY ($1) AND status = 'blocked'),
		(SELECT count(*) FROM hr.role_grants WHERE user_id = ANY ($1) AND status = 'revoked')`,
		[]uuid.UUID{busy.userID, dual.userID, later.userID}).Scan(&blocked, &revoked); err != nil || blocked+revoked != 0 {
		t.Errorf("blocked users %d and revoked grants %d (%v), want none: refusals and proposals change nothing", blocked, revoked, err)
	}
}

// TestMedicalAccountActionsNeedTwoKeys: on a user with a medical role, the
// admin's block and unblock are proposals; the user keeps working until a
// lead physician who is neither the proposer nor the user approves.
func TestMedicalAccountActionsNeedTwoKeys(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	adminTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	subject := s.addUser(access.RoleLeadPhysician, uuid.Nil)
	subjectTok, leadTok := s.session(subject), s.session(s.addUser(access.RoleLeadPhysician, uuid.Nil))
	assistant := s.addUser(access.RoleMedicalAssistant, uuid.Nil)
	status := func(id uuid.UUID) func() string {
		return func() string {
			var st string
			if err := owner.QueryRow(context.Background(), `SELECT status FROM hr.users WHERE id = $1`, id).Scan(&st); err != nil {
				t.Fatal(err)
			}
			return st
		}
	}
	var proposal string
	tests := []struct {
		name       string
		do         func() response
		want       int
		wantStatus func() string
		want2      string
	}{
		{"block a lead physician", func() response {
			r := s.do("POST", "/api/v1/users/"+subject.userID.String()+"/block", adminTok, nil)
			proposal, _ = r.body["id"].(string)
			return r
		}, http.StatusAccepted, status(subject.userID), "active"},
		{"the proposed user still works", func() response { return s.do("GET", "/api/v1/me", subjectTok, nil) }, http.StatusOK, status(subject.userID), "active"},
		{"the user approves their own block", func() response {
			return s.do("POST", "/api/v1/account-actions/"+proposal+"/approve", subjectTok, nil)
		}, http.StatusForbidden, status(subject.userID), "active"},
		{"the admin approves", func() response {
			return s.do("POST", "/api/v1/account-actions/"+proposal+"/approve", adminTok, nil)
		}, http.StatusNotFound, status(subject.userID), "active"},
		{"another lead physician approves", func() response {
			return s.do("POST", "/api/v1/account-actions/"+proposal+"/approve", leadTok, nil)
		}, http.StatusOK, status(subject.userID), "blocked"},
		{"the blocked user's session", func() response { return s.do("GET", "/api/v1/me", subjectTok, nil) }, http.StatusUnauthorized, status(subject.userID), "blocked"},
		{"unblock them", func() response {
			r := s.do("POST", "/api/v1/users/"+subject.userID.String()+"/unblock", adminTok, nil)
			proposal, _ = r.body["id"].(string)
			return r
		}, http.StatusAccepted, status(subject.userID), "blocked"},
		{"a lead physician approves the unblock", func() response {
			return s.do("POST", "/api/v1/account-actions/"+proposal+"/approve", leadTok, nil)
		}, http.StatusOK, status(subject.userID), "active"},
		{"block a medical assistant", func() response {
			return s.do("POST", "/api/v1/users/"+assistant.userID.String()+"/block", adminTok, nil)
		}, http.StatusAccepted, status(assistant.userID), "active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.do(); r.status != tt.want {
				t.Errorf("%s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
			if got := tt.wantStatus(); got != tt.want2 {
				t.Errorf("after %s the account is %s, want %s", tt.name, got, tt.want2)
			}
		})
	}
}

// TestSecondFactorReset: an admin resets a lost second factor: the
// user's sessions and credentials end, and a fresh one-time enrolment link
// goes to the account's address. Accepting it needs an activation code for
// an employee login, as an employee invitation does; on a medical account
// the reset waits for a lead physician, and the link goes out then.
func TestSecondFactorReset(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	tenant := s.addEmployer()
	adminTok, leadTok := s.session(s.addUser(access.RoleAdmin, uuid.Nil)), s.session(s.addUser(access.RoleLeadPhysician, uuid.Nil))
	reset := func(u login, body any) response {
		return s.do("POST", "/api/v1/users/"+u.userID.String()+"/second-factor-reset", adminTok, body)
	}
	accept := func(u login, code string) response {
		return s.do("POST", "/api/v1/invitations/accept", "", map[string]string{"token": mailedToken(t, sink, u.email),
			"password": "een nieuw lang wachtwoord", "activation_code": code})
	}
	employee := func() login {
		u := s.addUser(access.RoleEmployee, tenant)
		if _, err := owner.Exec(context.Background(), `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
			VALUES ($1, $2, $3, 'Reset', 'Persoon', '1980-01-01', '2020-01-01', $4)`, uuid.New(), tenant, "R-"+uuid.NewString()[:8], u.userID); err != nil {
			t.Fatal(err)
		}
		return u
	}

	t.Run("a staff login is reset and re-enrolled", func(t *testing.T) {
		u := s.addUser(access.RoleLabourExpert, uuid.Nil)
		session := s.session(u)
		rid := "reset-" + uuid.NewString()
		r := s.do("POST", "/api/v1/users/"+u.userID.String()+"/second-factor-reset", adminTok, nil, "X-Request-ID", rid)
		if r.status != http.StatusOK || r.body["status"] != "done" || r.body["invitation_id"] == nil || r.body["activation_code"] != nil {
			t.Fatalf("reset a labour expert's second factor = %d %s, want 200 done with the link's invitation id and no code", r.status, r.raw)
		}
		if events, kinds, _ := auditedAs(t, owner, rid); events != 1 || kinds != "update:user" {
			t.Errorf("the reset is audited as %d events %q, want one update:user", events, kinds)
		}
		if me := s.do("GET", "/api/v1/me", session, nil); me.status != http.StatusUnauthorized {
			t.Errorf("a session from before the reset = %d, want 401", me.status)
		}
		if r := s.login(u.email, u.password, code(t, u.secret, time.Now())); r.status != http.StatusUnauthorized {
			t.Errorf("login with the old password and authenticator = %d, want 401", r.status)
		}
		a := accept(u, "")
		secret, _ := a.body["totp_secret"].(string)
		if a.status != http.StatusOK || secret == "" || secret == u.secret {
			t.Fatalf("accept the enrolment link = %d %s, want 200 with a new TOTP secret", a.status, a.raw)
		}
		if r := s.login(u.email, "een nieuw lang wachtwoord", code(t, secret, time.Now())); r.status != http.StatusOK {
			t.Errorf("login with the new password and authenticator = %d %s, want 200", r.status, r.raw)
		}
	})

	t.Run("an employee login needs the activation code", func(t *testing.T) {
		u := employee()
		r := reset(u, map[string]any{"activation": "in_person"})
		codeGiven, _ := r.body["activation_code"].(string)
		if r.status != http.StatusOK || codeGiven == "" {
			t.Fatalf("reset an employee's second factor in person = %d %s, want 200 with the activation code", r.status, r.raw)
		}
		if a := accept(u, ""); a.status != http.StatusNotFound {
			t.Errorf("accept without the code = %d %s, want 404", a.status, a.raw)
		}
		if a := accept(u, codeGiven); a.status != http.StatusOK {
			t.Errorf("accept with the code = %d %s, want 200", a.status, a.raw)
		}
	})

	t.Run("an employee's code by letter", func(t *testing.T) {
		u := employee()
		r := reset(u, map[string]any{"activation": "letter"})
		inv, _ := r.body["invitation_id"].(string)
		if r.status != http.StatusOK || inv == "" || r.body["activation_code"] != nil {
			t.Fatalf("reset an employee's second factor by letter = %d %s, want 200 with the invitation id and no code", r.status, r.raw)
		}
		letter := s.do("POST", "/api/v1/invitations/"+inv+"/letter", adminTok,
			map[string]any{"name": "Reset Persoon", "address": []string{"Dorpsstraat 1", "1234 AB Ergens"}})
		if letter.status != http.StatusOK {
			t.Errorf("the admin makes the activation letter = %d %s, want 200", letter.status, letter.raw)
		}
	})

	refusals := []struct {
		name string
		do   func() response
		want int
	}{
		{"an employee without activation", func() response { return reset(employee(), nil) }, http.StatusBadRequest},
		{"activation for a staff login", func() response {
			return reset(s.addUser(access.RoleCaseManager, uuid.Nil), map[string]any{"activation": "in_person"})
		}, http.StatusBadRequest},
		{"an unknown field", func() response {
			return reset(s.addUser(access.RoleCaseManager, uuid.Nil), map[string]any{"email": "x@example.test"})
		}, http.StatusBadRequest},
		{"a blocked user", func() response {
			u := s.addUser(access.RoleCaseManager, uuid.Nil)
			if _, err := owner.Exec(context.Background(), `UPDATE hr.users SET status = 'blocked' WHERE id = $1`, u.userID); err != nil {
				t.Fatal(err)
			}
			return reset(u, nil)
		}, http.StatusConflict},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.do(); r.status != tt.want {
				t.Errorf("reset %s = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
			}
		})
	}

	t.Run("a physician's reset waits for a lead physician", func(t *testing.T) {
		p := s.addUser(access.RolePhysician, uuid.Nil)
		session := s.session(p)
		r := reset(p, nil)
		id, _ := r.body["id"].(string)
		if r.status != http.StatusAccepted || id == "" {
			t.Fatalf("reset a physician's second factor = %d %s, want 202 proposed", r.status, r.raw)
		}
		if n := mailsTo(sink, p.email); n != 0 || s.do("GET", "/api/v1/me", session, nil).status != http.StatusOK {
			t.Errorf("a proposed reset sent %d mails or ended the session; want neither", n)
		}
		if a := s.do("POST", "/api/v1/account-actions/"+id+"/approve", leadTok, nil); a.status != http.StatusOK || a.body["invitation_id"] == nil {
			t.Fatalf("a lead physician approves = %d %s, want 200 with the link's invitation id", a.status, a.raw)
		}
		if me := s.do("GET", "/api/v1/me", session, nil); me.status != http.StatusUnauthorized {
			t.Errorf("the physician's session after the approved reset = %d, want 401", me.status)
		}
		if a := accept(p, ""); a.status != http.StatusOK {
			t.Errorf("accept the enrolment link = %d %s, want 200", a.status, a.raw)
		}
	})
}
