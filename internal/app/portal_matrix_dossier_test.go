package app

import "net/http"

// The medical dossier pages in the professionals' portal matrix (DESIGN
// §1): those in a1's dossier's care (the responsible physician, the
// substitute, the assistant with a valid statement and the lead physician
// under emergency access) get its pages; everyone else, the unassigned
// physician, the lead physician without emergency access, the assistants
// with an expired or no statement, every HR role and the employees
// themselves, the 404 page. Forms posted empty are the form again (400)
// for those who may post. Only physicians in the dossier's care record an
// exposure; only lead physicians declare emergency access.
func init() {
	inCare := pexpect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})
	inCarePost := pexpect(s404, map[string]int{"pResp": http.StatusBadRequest, "pSub": http.StatusBadRequest, "asValid": http.StatusBadRequest, "leadE": http.StatusBadRequest})
	a1 := func(suffix string) func(*matrixFixture) string {
		return func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a1.String() + suffix }
	}
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}", path: a1(""), want: inCare},
		// a3 has no dossier yet: those whose first write would create it
		// (A's physician, the substitute, the assistant for the physician)
		// see it empty; nobody can have emergency access to it.
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}",
			path: func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a3.String() },
			want: pexpect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200})},
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}/notities/nieuw", path: a1("/notities/nieuw"), want: inCare},
		portalProRow{method: "POST", route: "/arts/medewerkers/{id}/notities", path: a1("/notities"), want: inCarePost},
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}/notities/{entry}",
			path: func(f *matrixFixture) string { return a1("/notities/" + f.entryA1)(f) }, want: inCare},
		portalProRow{method: "POST", route: "/arts/medewerkers/{id}/notities/{entry}/correctie",
			path: func(f *matrixFixture) string { return a1("/notities/" + f.entryA1 + "/correctie")(f) }, want: inCarePost},
		portalProRow{method: "POST", route: "/arts/medewerkers/{id}/bijlagen", path: a1("/bijlagen"), want: inCarePost},
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}/bijlagen/{attachment}",
			path: func(f *matrixFixture) string { return a1("/bijlagen/" + f.attachmentA1)(f) }, want: inCare},
		portalProRow{method: "POST", route: "/arts/medewerkers/{id}/blootstelling", path: a1("/blootstelling"),
			want: pexpect(s404, map[string]int{"pResp": http.StatusBadRequest, "pSub": http.StatusBadRequest, "leadE": http.StatusBadRequest})},
		// The form is the lead physicians' only; declaring is for a2's
		// dossier, outside everyone's emergency access.
		portalProRow{method: "GET", route: "/arts/medewerkers/{id}/noodtoegang",
			path: func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a2.String() + "/noodtoegang" },
			want: pexpect(s404, map[string]int{"lead": s200, "leadE": s200})},
		portalProRow{method: "POST", route: "/arts/medewerkers/{id}/noodtoegang",
			path: func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a2.String() + "/noodtoegang" },
			want: pexpect(s404, map[string]int{"lead": http.StatusBadRequest, "leadE": http.StatusBadRequest})},
	)
}
