package app

import (
	"net/http"
)

// The physician's consent pages in the professionals' portal matrix. As in
// the API's matrix (DESIGN §1, §5): the dossier's consents, information
// requests and disclosure requests are for those in its care — the
// responsible physician, the substitute, the assistant with a valid
// statement and the lead physician under emergency access; deciding and
// exporting disclosures and everything about transfers but reading them
// is for the physicians alone. Everyone else, the unassigned physician and
// the lead physician without emergency access included, may not know the
// pages exist (404). A form posted empty is the form again (400) for a
// caller who may post it, before anything is written.

// consentsPage returns the path of a1's consent page suffix.
func consentsPage(suffix string) func(f *matrixFixture) string {
	return func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a1.String() + "/" + suffix }
}

// consentsInformationRequest asks the treating physician under a1's
// consent through the API and returns the request's id.
func (f *matrixFixture) consentsInformationRequest() string {
	r := f.s.do("POST", dossierOf(f.a1, "information-requests"), f.tokens["pResp"],
		map[string]any{"consent_id": f.treatmentConsentA1, "question": "Welke behandeling loopt er?"})
	id, _ := r.body["id"].(string)
	if r.status != s201 || id == "" {
		f.s.t.Fatalf("fixture: information request = %d %s", r.status, r.raw)
	}
	return id
}

func init() {
	const s400 = http.StatusBadRequest
	inCare := pexpect(s404, map[string]int{"pResp": s200, "pSub": s200, "asValid": s200, "leadE": s200})
	inCarePost := pexpect(s404, map[string]int{"pResp": s400, "pSub": s400, "asValid": s400, "leadE": s400})
	physicians := pexpect(s404, map[string]int{"pResp": s200, "pSub": s200, "leadE": s200})
	physiciansPost := pexpect(s404, map[string]int{"pResp": s400, "pSub": s400, "leadE": s400})
	const base = "/arts/medewerkers/{id}/"
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: base + "toestemmingen", path: consentsPage("toestemmingen"), want: inCare},
		portalProRow{method: "POST", route: base + "toestemmingen", path: consentsPage("toestemmingen"), want: inCarePost},
		portalProRow{method: "GET", route: base + "toestemmingen/{consent}/formulier.pdf",
			path: func(f *matrixFixture) string {
				return consentsPage("toestemmingen/" + f.treatmentConsentA1 + "/formulier.pdf")(f)
			},
			want: inCare},
		portalProRow{method: "POST", route: base + "toestemmingen/{consent}/papier",
			path: func(f *matrixFixture) string {
				return consentsPage("toestemmingen/" + f.treatmentConsentA1 + "/papier")(f)
			},
			want: inCarePost},
		portalProRow{method: "POST", route: base + "toestemmingen/{consent}/intrekken",
			path: func(f *matrixFixture) string {
				return consentsPage("toestemmingen/" + f.treatmentConsentA1 + "/intrekken")(f)
			},
			want: inCarePost},
		portalProRow{method: "GET", route: base + "informatieverzoeken", path: consentsPage("informatieverzoeken"), want: inCare},
		portalProRow{method: "POST", route: base + "informatieverzoeken", path: consentsPage("informatieverzoeken"), want: inCarePost},
		portalProRow{method: "POST", route: base + "informatieverzoeken/{verzoek}/antwoord",
			path: func(f *matrixFixture) string {
				return consentsPage("informatieverzoeken/" + f.consentsInformationRequest() + "/antwoord")(f)
			},
			want: inCarePost},
		portalProRow{method: "GET", route: base + "verstrekkingen", path: consentsPage("verstrekkingen"), want: inCare},
		// Those in the dossier's care register requests, an assistant for
		// the physician as well.
		portalProRow{method: "GET", route: base + "verstrekkingen/nieuw", path: consentsPage("verstrekkingen/nieuw"), want: inCare},
		portalProRow{method: "POST", route: base + "verstrekkingen", path: consentsPage("verstrekkingen"), want: inCarePost},
		// Physicians decide and export; an assistant never does.
		portalProRow{method: "POST", route: base + "verstrekkingen/{verstrekking}/besluit",
			path: func(f *matrixFixture) string { return consentsPage("verstrekkingen/" + f.disclosureA1 + "/besluit")(f) },
			want: physiciansPost},
		portalProRow{method: "GET", route: base + "verstrekkingen/{verstrekking}/export.json",
			path: func(f *matrixFixture) string {
				return consentsPage("verstrekkingen/" + f.disclosureA1 + "/export.json")(f)
			},
			want: physicians},
		portalProRow{method: "GET", route: base + "verstrekkingen/{verstrekking}/export.pdf",
			path: func(f *matrixFixture) string {
				return consentsPage("verstrekkingen/" + f.disclosureA1 + "/export.pdf")(f)
			},
			want: physicians},
		// Those in the dossier's care read the transfers; physicians
		// prepare them, download the package and record the hand-over.
		portalProRow{method: "GET", route: base + "overdrachten", path: consentsPage("overdrachten"), want: inCare},
		portalProRow{method: "POST", route: base + "overdrachten", path: consentsPage("overdrachten"), want: physiciansPost},
		portalProRow{method: "GET", route: base + "overdrachten/{overdracht}/pakket.zip",
			path: func(f *matrixFixture) string { return consentsPage("overdrachten/" + f.transferA1 + "/pakket.zip")(f) },
			want: physicians},
		portalProRow{method: "POST", route: base + "overdrachten/{overdracht}/overgedragen",
			path: func(f *matrixFixture) string {
				return consentsPage("overdrachten/" + f.transferA1 + "/overgedragen")(f)
			},
			want: physiciansPost},
	)
}
