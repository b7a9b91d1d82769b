package app

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// The administrator's portal and the lead physician's second key in the
// professionals' portal matrix. The /beheer pages are the admin's: every
// other caller gets the 404 page, whatever their grants allow elsewhere.
// The queue of second keys is the lead physicians'. Forms are posted empty
// (400 for the admin) or, for the account actions and the approvals, on an
// object whose state refuses the action (409 for the caller who may act),
// so that the matrix never changes its own world.
func init() {
	adminOnly := func(status int) map[string]int { return pexpect(s404, map[string]int{"admin": status}) }
	leadsOnly := func(status int) map[string]int {
		return pexpect(s404, map[string]int{"lead": status, "leadE": status})
	}
	tenC := func(suffix string) func(*matrixFixture) string {
		return func(f *matrixFixture) string { return "/beheer/werkgevers/" + f.tenC.String() + suffix }
	}
	// The account actions' buttons confirm them; a form posted empty
	// changes nothing (TestPortalAdminBadInput).
	confirmed := func(*matrixFixture) url.Values { return url.Values{"bevestigen": {"ja"}} }
	user := func(suffix string) func(*matrixFixture) string {
		return func(f *matrixFixture) string { return "/beheer/gebruikers/" + f.users["cmA"].userID.String() + suffix }
	}
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: "/beheer/werkgevers", path: staticPath("/beheer/werkgevers"), want: adminOnly(s200)},
		portalProRow{method: "POST", route: "/beheer/werkgevers", path: staticPath("/beheer/werkgevers"), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "GET", route: "/beheer/werkgevers/{id}", path: tenC(""), want: adminOnly(s200)},
		portalProRow{method: "GET", route: "/beheer/werkgevers/{id}", path: staticPath("/beheer/werkgevers/" + noSuchID), want: adminOnly(s404)},
		portalProRow{method: "POST", route: "/beheer/werkgevers/{id}", path: tenC(""), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "POST", route: "/beheer/werkgevers/{id}/bedrijfsarts", path: tenC("/bedrijfsarts"), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "POST", route: "/beheer/werkgevers/{id}/vervanging", path: tenC("/vervanging"), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "GET", route: "/beheer/gebruikers", path: staticPath("/beheer/gebruikers"), want: adminOnly(s200)},
		portalProRow{method: "GET", route: "/beheer/gebruikers/{id}", path: user(""), want: adminOnly(s200)},
		portalProRow{method: "GET", route: "/beheer/gebruikers/{id}", path: staticPath("/beheer/gebruikers/" + noSuchID), want: adminOnly(s404)},
		portalProRow{method: "POST", route: "/beheer/gebruikers/{id}/rollen", path: user("/rollen"), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "POST", route: "/beheer/gebruikers/{id}/verklaring", path: user("/verklaring"), want: adminOnly(http.StatusBadRequest)},
		// Blocking a blocked user, unblocking an active one, resetting the
		// second factor of one who never enrolled, revoking a revoked
		// grant: the state refuses (409), shown on the user's page.
		portalProRow{method: "POST", route: "/beheer/gebruikers/{id}/blokkeren",
			path: func(f *matrixFixture) string {
				return "/beheer/gebruikers/" + f.adminUserIn("blocked").String() + "/blokkeren"
			},
			form: confirmed, want: adminOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/beheer/gebruikers/{id}/deblokkeren",
			path: func(f *matrixFixture) string {
				return "/beheer/gebruikers/" + f.adminUserIn("active").String() + "/deblokkeren"
			},
			form: confirmed, want: adminOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/beheer/gebruikers/{id}/tweede-factor",
			path: func(f *matrixFixture) string {
				return "/beheer/gebruikers/" + f.adminUserIn("invited").String() + "/tweede-factor"
			},
			form: confirmed, want: adminOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/beheer/rollen/{id}/intrekken",
			path: func(f *matrixFixture) string {
				_, grant := f.adminRevokedGrant()
				return "/beheer/rollen/" + grant.String() + "/intrekken"
			},
			form: confirmed, want: adminOnly(http.StatusConflict)},
		portalProRow{method: "GET", route: "/beheer/uitnodigingen", path: staticPath("/beheer/uitnodigingen"), want: adminOnly(s200)},
		portalProRow{method: "POST", route: "/beheer/uitnodigingen", path: staticPath("/beheer/uitnodigingen"), want: adminOnly(http.StatusBadRequest)},
		portalProRow{method: "GET", route: "/goedkeuringen", path: staticPath("/goedkeuringen"), want: leadsOnly(s200)},
		// Approving what was decided already: 409 for the lead physicians.
		portalProRow{method: "POST", route: "/goedkeuringen/rollen/{id}",
			path: func(f *matrixFixture) string { return "/goedkeuringen/rollen/" + f.adminActiveGrant().String() },
			want: leadsOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/goedkeuringen/rollen/{id}", path: staticPath("/goedkeuringen/rollen/" + noSuchID),
			want: leadsOnly(s404)},
		portalProRow{method: "POST", route: "/goedkeuringen/accountacties/{id}",
			path: func(f *matrixFixture) string { return "/goedkeuringen/accountacties/" + f.adminDoneAction().String() },
			want: leadsOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/goedkeuringen/toewijzingen/{id}",
			path: func(f *matrixFixture) string {
				return "/goedkeuringen/toewijzingen/" + f.adminQueryID(`SELECT id FROM hr.physician_assignments WHERE employer_id = $1`, f.tenantA).String()
			},
			want: leadsOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/goedkeuringen/vervangingen/{id}",
			path: func(f *matrixFixture) string {
				return "/goedkeuringen/vervangingen/" + f.adminQueryID(`SELECT id FROM hr.substitutions WHERE substitute_id = $1`, f.users["pSub"].userID).String()
			},
			want: leadsOnly(http.StatusConflict)},
		portalProRow{method: "POST", route: "/goedkeuringen/verklaringen/{id}",
			path: func(f *matrixFixture) string {
				return "/goedkeuringen/verklaringen/" + f.adminQueryID(`SELECT id FROM hr.confidentiality_statements WHERE assistant_user_id = $1`, f.users["asValid"].userID).String()
			},
			want: leadsOnly(http.StatusConflict)},
	)
}

// adminQueryID returns the one id query finds in the fixture's world.
func (f *matrixFixture) adminQueryID(query string, args ...any) uuid.UUID {
	var id uuid.UUID
	if err := f.owner.QueryRow(context.Background(), query, args...).Scan(&id); err != nil {
		panic("portal admin matrix: " + query + ": " + err.Error())
	}
	return id
}

// adminUserIn returns a fresh case manager of tenant A whose account is in
// status (invited, active or blocked).
func (f *matrixFixture) adminUserIn(status string) uuid.UUID {
	u := f.s.addUser(access.RoleCaseManager, f.tenantA)
	return f.adminQueryID(`UPDATE hr.users SET status = $2 WHERE id = $1 RETURNING id`, u.userID, status)
}

// adminRevokedGrant returns a fresh user of tenant A and their grant,
// revoked.
func (f *matrixFixture) adminRevokedGrant() (user, grant uuid.UUID) {
	u := f.s.addUser(access.RoleCaseManager, f.tenantA)
	return u.userID, f.adminQueryID(`UPDATE hr.role_grants SET status = 'revoked', decided_at = now() WHERE user_id = $1 RETURNING id`, u.userID)
}

// adminActiveGrant returns the active physician grant of pResp.
func (f *matrixFixture) adminActiveGrant() uuid.UUID {
	return f.adminQueryID(`SELECT id FROM hr.role_grants WHERE user_id = $1 AND status = 'active'`, f.users["pResp"].userID)
}

// adminDoneAction returns an account action that is done: a block of a
// fresh user by the admin.
func (f *matrixFixture) adminDoneAction() uuid.UUID {
	u := f.s.addUser(access.RoleCaseManager, f.tenantA)
	return f.adminQueryID(`INSERT INTO hr.account_actions (kind, user_id, status, proposed_by, decided_at)
		VALUES ('block', $1, 'done', $2, now()) RETURNING id`, u.userID, f.users["admin"].userID)
}
