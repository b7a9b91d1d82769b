package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// PrivacyRequests is what the privacy officer's portal needs of the
// register (rights.Requests), as the API's request handlers use it.
type PrivacyRequests interface {
	Register(ctx context.Context, a access.Actor, f rights.RegisterFilter) ([]rights.RegisterEntry, error)
	Queue(ctx context.Context, a access.Actor) ([]rights.Request, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (rights.RegisterEntry, error)
	Decide(ctx context.Context, a access.Actor, id uuid.UUID, d rights.Decision) (rights.Request, error)
	Extend(ctx context.Context, a access.Actor, id uuid.UUID, months int, reason string) (rights.Request, error)
	FileFor(ctx context.Context, a access.Actor, employeeID uuid.UUID, f rights.Filing, rep rights.Representative) (rights.Request, error)
}

// PrivacyRecords is what the portal needs of the HR-side decisions
// (rights.Records): erasure with its preview, restriction and its lifting.
type PrivacyRecords interface {
	PreviewErasure(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, []rights.Outcome, error)
	Erase(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
	Restrict(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
	Lift(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
}

// PrivacyAuditLog searches the audit trail (audit.Log): a search is
// audited as a search, an export as an export.
type PrivacyAuditLog interface {
	Search(ctx context.Context, searcher audit.Event, f audit.Filter) ([]audit.Record, error)
	Export(ctx context.Context, searcher audit.Event, f audit.Filter) ([]audit.Record, error)
}

// PrivacyTrail verifies the audit trail as `arbokluis audit verify` does
// (audit.Checker).
type PrivacyTrail interface {
	Verify(ctx context.Context) (audit.Report, error)
	LastCheckpoint(ctx context.Context) (audit.Checkpoint, error)
}

// PrivacyPeople turns what the privacy officer knows of a person into
// the id the audit trail holds (postgres.Directory).
type PrivacyPeople interface {
	// EmployeesByNumber returns the employees, of any employer, with that
	// employee number.
	EmployeesByNumber(ctx context.Context, number string) ([]uuid.UUID, error)
	// UserByEmail returns the user with that e-mail address;
	// derrors.ErrNotFound when none.
	UserByEmail(ctx context.Context, email string) (uuid.UUID, error)
}

// PrivacyServices are the domain services of the privacy officer's portal: the request register, HR-side decisions and the audit trail.
type PrivacyServices struct {
	Requests PrivacyRequests
	Records  PrivacyRecords
	AuditLog PrivacyAuditLog
	Trail    PrivacyTrail
	People   PrivacyPeople
}

// privacyPageNames are the privacy officer's templates.
var privacyPageNames = []string{"privacy_register.html", "privacy_request.html", "privacy_erasure.html",
	"privacy_new.html", "privacy_audit.html"}

func init() {
	pageNames = append(pageNames, privacyPageNames...)
	funcs["kort"] = shortID
}

// shortID is the first 8 characters of an id, for a narrow table; the
// whole id stays in the link it names.
func shortID(id string) string {
	if len(id) <= 9 {
		return id
	}
	return id[:8] + "…"
}

// privacyRoutes registers the privacy officer's portal: the request register, HR-side decisions and the audit trail.
// Each page runs under the resource and action of the API route that does
// the same.
func (s *Server) privacyRoutes() {
	register := s.authorized("requests", "read", nil, s.privacyRegister)
	s.addHome(func(c caller) bool { return hasRole(c, access.RolePrivacyOfficer) }, register)
	s.handle("GET /privacy/verzoeken", s.loggedIn(register))
	s.handle("GET /privacy/verzoeken/nieuw", s.allow("requests", "register", s.privacyNewPage))
	s.handle("POST /privacy/verzoeken", s.allow("requests", "register", s.privacyFileFor))
	s.handle("GET /privacy/verzoeken/{id}", s.allow("requests", "read", s.privacyRequestPage))
	s.handle("POST /privacy/verzoeken/{id}/besluit", s.allow("requests", "decide", s.privacyDecide))
	s.handle("POST /privacy/verzoeken/{id}/verlengen", s.allow("requests", "extend", s.privacyExtend))
	s.handle("POST /privacy/verzoeken/{id}/wissen/voorbeeld", s.allow("requests", "erase", s.privacyErasurePreview))
	s.handle("POST /privacy/verzoeken/{id}/wissen", s.allow("requests", "erase", s.privacyErase))
	s.handle("POST /privacy/verzoeken/{id}/beperken", s.allow("requests", "restrict", s.privacyRestrict))
	s.handle("POST /privacy/verzoeken/{id}/beperking-opheffen", s.allow("requests", "restrict", s.privacyLift))
	s.handle("GET /privacy/audit", s.allow("audit_events", "search", s.privacyAudit))
	s.handle("POST /privacy/audit/controle", s.allow("audit_events", "search", s.privacyVerify))
	s.handle("GET /privacy/audit.csv", s.allow("audit_events", "search", s.privacyAuditCSV))
}

// Dutch names of what the privacy officer reads.
var (
	privacyTypeNames = map[rights.Type]string{
		rights.TypeInspection: "inzage medisch dossier", rights.TypeCopy: "afschrift medisch dossier",
		rights.TypeCorrection: "correctie medisch dossier", rights.TypeOwnStatement: "eigen verklaring",
		rights.TypeDestruction: "vernietiging medisch dossier", rights.TypeAccess: "inzage (AVG)",
		rights.TypeRectification: "rectificatie (AVG)", rights.TypeErasure: "wissen (AVG)",
		rights.TypeRestriction: "beperking (AVG)", rights.TypeObjection: "bezwaar (AVG)",
		rights.TypePortability: "overdraagbaarheid (AVG)",
	}
	privacyCategoryNames = map[string]string{
		rights.CategoryContact: "Contactgegevens (e-mailadres en telefoonnummer)", rights.CategoryBSN: "Burgerservicenummer (BSN)",
		rights.CategoryCases: "Verzuimdossiers", rights.CategoryRecord: "Personeelsgegevens",
		rights.CategoryRegister: "Register van verzoeken", rights.CategoryAuditLog: "Auditspoor (wie deed wat)",
	}
	privacyOutcomeNames = map[string]string{rights.OutcomeErased: "Wordt gewist", rights.OutcomeRetained: "Blijft bewaard",
		rights.OutcomeNone: "Niet aanwezig"}
	privacyDoneNames = map[string]string{rights.OutcomeErased: "Gewist", rights.OutcomeRetained: "Bewaard",
		rights.OutcomeNone: "Niet aanwezig"}
	privacyWhyNames = map[string]string{
		rights.GroundLegalRetention:  "wettelijke bewaarplicht",
		rights.GroundLegalObligation: "nodig voor een lopend verzuimdossier (wettelijke plicht, Wet verbetering poortwachter)",
	}
	privacyOutcomeFilterNames = map[audit.Outcome]string{audit.OutcomeOK: "gelukt", audit.OutcomeDenied: "geweigerd",
		audit.OutcomeError: "fout"}
	privacyActionNames = map[audit.Action]string{
		audit.ActionCreate: "aanmaken", audit.ActionRead: "lezen", audit.ActionUpdate: "wijzigen", audit.ActionDelete: "wissen",
		audit.ActionSearch: "zoeken", audit.ActionExport: "exporteren", audit.ActionPrint: "afdrukken",
		audit.ActionRelease: "vrijgeven", audit.ActionDestroy: "vernietigen", audit.ActionLogin: "inloggen",
		audit.ActionLogout: "uitloggen", audit.ActionEmergencyAccess: "noodtoegang", audit.ActionGrant: "recht toekennen",
	}
	privacyActionOrder = []audit.Action{audit.ActionCreate, audit.ActionRead, audit.ActionUpdate, audit.ActionDelete,
		audit.ActionSearch, audit.ActionExport, audit.ActionPrint, audit.ActionRelease, audit.ActionDestroy,
		audit.ActionLogin, audit.ActionLogout, audit.ActionEmergencyAccess, audit.ActionGrant}
	privacyStatusOrder = []rights.Status{rights.StatusReceived, rights.StatusInReview, rights.StatusGranted,
		rights.StatusPartlyGranted, rights.StatusRefused, rights.StatusDelivered, rights.StatusClosed}
)

// privacyOption is one choice of a select.
type privacyOption struct{ Value, Name string }

// privacyDecider says who decides requests of type t (rights.Type.Medical).
func privacyDecider(t rights.Type) string {
	if t.Medical() {
		return "de bedrijfsarts"
	}
	return "de privacyfunctionaris"
}

// ---- The register ----

// privacyRegisterFilter is the register's query: status ("open", "alle" or
// one status) and type ("" for every type).
type privacyRegisterFilter struct{ Status, Type string }

// parsePrivacyRegisterFilter reads the register's query; a value it does
// not know is a field error, in Dutch.
func parsePrivacyRegisterFilter(q url.Values) (privacyRegisterFilter, rights.RegisterFilter, map[string]string) {
	f := privacyRegisterFilter{Status: q.Get("status"), Type: q.Get("soort")}
	var rf rights.RegisterFilter
	fields := map[string]string{}
	switch st := rights.Status(f.Status); {
	case f.Status == "" || f.Status == "open":
		f.Status, rf.Statuses = "open", rights.OpenStatuses
	case f.Status == "alle":
	case slices.Contains(privacyStatusOrder, st):
		rf.Statuses = []rights.Status{st}
	default:
		fields["status"] = "Kies een status uit de lijst."
		f.Status, rf.Statuses = "open", rights.OpenStatuses
	}
	if f.Type != "" {
		if t := rights.Type(f.Type); t.Valid() {
			rf.Type = t
		} else {
			fields["soort"] = "Kies een soort verzoek uit de lijst."
			f.Type = ""
		}
	}
	return f, rf, fields
}

// privacyRegisterRow is one request of the register.
type privacyRegisterRow struct {
	ID, EmployeeID, Type, Employee, Number, Status, Decider, ExtensionReason string
	ReceivedOn, Due, ExtendedTo                                              time.Time
	Overdue, Open                                                            bool
}

// privacyRegisterData is the register page's data.
type privacyRegisterData struct {
	Rows              []privacyRegisterRow
	Filter            privacyRegisterFilter
	Statuses, Types   []privacyOption
	Limited, Officer  bool
	Open, OverdueOpen int
}

// privacyFilterOptions are the choices of the register's filter.
func privacyFilterOptions() (statuses, types []privacyOption) {
	statuses = []privacyOption{{"open", "Open (nog niet afgehandeld)"}, {"alle", "Alle"}}
	for _, st := range privacyStatusOrder {
		statuses = append(statuses, privacyOption{string(st), requestStatusNames[st]})
	}
	types = []privacyOption{{"", "Alle soorten"}}
	for _, t := range requestTypeOrder {
		types = append(types, privacyOption{string(t), privacyTypeNames[t]})
	}
	return statuses, types
}

// privacyRegister is the privacy officer's start page: the register of
// rights requests across the service, open ones first and overdue first,
// with who must decide each. A grant of another deciding role (a
// physician's) lists its own queue, as the API's GET /requests does. The
// read is list-read limited and audited by the service.
func (s *Server) privacyRegister(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	f, rf, fields := parsePrivacyRegisterFilter(r.URL.Query())
	d := privacyRegisterData{Filter: f}
	d.Statuses, d.Types = privacyFilterOptions()
	v := view{Title: "Register van verzoeken", Data: &d}
	if len(fields) > 0 {
		v.Error, v.Fields = pageErrorOf(derrors.ErrInvalid).message, fields
		s.render(w, r, http.StatusBadRequest, "privacy_register.html", v)
		return nil
	}
	if err := s.takeEmployerListRead(r, "privacy-register"); err != nil {
		return err
	}
	today := s.employerToday()
	seen := map[uuid.UUID]bool{}
	add := func(e rights.RegisterEntry) {
		if seen[e.ID] {
			return
		}
		seen[e.ID] = true
		row := privacyRegisterRow{ID: e.ID.String(), Type: privacyTypeNames[e.Type], Number: e.EmployeeNumber,
			Employee: strings.TrimSpace(e.FirstName + " " + e.LastName), Status: requestStatusNames[e.Status],
			Decider: privacyDecider(e.Type), ReceivedOn: e.ReceivedOn, Due: e.Due(), ExtendedTo: e.ExtendedTo,
			ExtensionReason: groundNames[e.ExtensionReason], Overdue: e.Overdue(today), Open: e.Open()}
		if row.Open {
			d.Open++
			if row.Overdue {
				d.OverdueOpen++
			}
		}
		d.Rows = append(d.Rows, row)
	}
	for _, a := range actors {
		if a.Role == access.RolePrivacyOfficer {
			d.Officer = true
			es, err := s.opts.Privacy.Requests.Register(r.Context(), a, rf)
			if err != nil {
				return err
			}
			d.Limited = d.Limited || len(es) >= rights.MaxRegister
			for _, e := range es {
				add(e)
			}
			continue
		}
		// Another deciding role: its own queue (open requests only).
		rs, err := s.opts.Privacy.Requests.Queue(r.Context(), a)
		if err != nil {
			return err
		}
		for _, q := range rs {
			if (rf.Type == "" || q.Type == rf.Type) && (len(rf.Statuses) == 0 || slices.Contains(rf.Statuses, q.Status)) {
				add(rights.RegisterEntry{Request: q})
			}
		}
	}
	s.render(w, r, http.StatusOK, "privacy_register.html", v)
	return nil
}

// ---- One request ----

// privacyOutcomeRow is what an erasure does (or did) with one category.
type privacyOutcomeRow struct {
	Category, Action, Why string
	Count                 int
	Until                 time.Time
	Erased, Retained      bool
}

// privacyOutcomes turns outcomes into rows; done names the actions as
// applied rather than as planned.
func privacyOutcomes(os []rights.Outcome, done bool) []privacyOutcomeRow {
	names := privacyOutcomeNames
	if done {
		names = privacyDoneNames
	}
	out := make([]privacyOutcomeRow, 0, len(os))
	for _, o := range os {
		out = append(out, privacyOutcomeRow{Category: privacyCategoryNames[o.Category], Action: names[o.Action],
			Why: privacyWhyNames[o.Ground], Count: o.Count, Until: o.Until,
			Erased: o.Action == rights.OutcomeErased, Retained: o.Action == rights.OutcomeRetained})
	}
	return out
}

// privacyRequestData is the request page's data.
type privacyRequestData struct {
	privacyRegisterRow
	Representative             string
	AuthorisationSignedOn      time.Time
	DecidedAt                  time.Time
	Ground                     string
	Fields                     []string
	Outcome                    []privacyOutcomeRow
	Medical, Officer           bool
	Decide, Extend, Preview    bool
	Restrict, Lift             bool
	Moves, Grounds, Extensions []privacyOption
}

// privacyNotices are the messages of a redirect after a post, by its
// klaar parameter.
var privacyNotices = map[string]string{
	"besluit":   "Het besluit is opgeslagen. De medewerker krijgt bericht.",
	"verlengd":  "De termijn is verlengd. De medewerker krijgt bericht.",
	"gewist":    "Het verzoek om wissen is uitgevoerd. Hieronder staat per soort gegevens wat er is gebeurd.",
	"beperkt":   "Het verzoek om beperking is afgehandeld. De medewerker krijgt bericht.",
	"opgeheven": "De beperking is opgeheven. De medewerker krijgt bericht.",
	"ingediend": "Het verzoek is geregistreerd. De medewerker krijgt bericht dat er namens hen een verzoek is ingediend.",
}

// privacyRequest gathers one request as the page shows it, with the forms
// its type and status leave open to the caller's role.
func (s *Server) privacyRequest(ctx context.Context, a access.Actor, id uuid.UUID) (privacyRequestData, error) {
	e, err := s.opts.Privacy.Requests.Get(ctx, a, id)
	if err != nil {
		return privacyRequestData{}, err
	}
	today := s.employerToday()
	d := privacyRequestData{Officer: a.Role == access.RolePrivacyOfficer, privacyRegisterRow: privacyRegisterRow{ID: e.ID.String(),
		EmployeeID: e.EmployeeID.String(), Type: privacyTypeNames[e.Type],
		Employee: strings.TrimSpace(e.FirstName + " " + e.LastName), Number: e.EmployeeNumber, Status: requestStatusNames[e.Status],
		Decider: privacyDecider(e.Type), ReceivedOn: e.ReceivedOn, Due: e.Due(), ExtendedTo: e.ExtendedTo,
		ExtensionReason: groundNames[e.ExtensionReason], Overdue: e.Overdue(today), Open: e.Open()},
		Representative: e.Representative, AuthorisationSignedOn: e.AuthorisationSignedOn, DecidedAt: e.DecidedAt,
		Ground: groundNames[e.Ground], Medical: e.Type.Medical(), Outcome: privacyOutcomes(e.Outcome, true)}
	for _, f := range e.Fields {
		d.Fields = append(d.Fields, fieldNames[f])
	}
	if a.Role != access.RolePrivacyOfficer || e.Type.Medical() {
		return d, nil
	}
	undecided := e.Status == rights.StatusReceived || e.Status == rights.StatusInReview
	d.Extend = undecided && e.ExtendedTo.IsZero()
	d.Preview = undecided && e.Type == rights.TypeErasure
	d.Restrict = undecided && e.Type == rights.TypeRestriction
	d.Lift = e.Type == rights.TypeRestriction && e.Status == rights.StatusGranted
	for _, st := range privacyStatusOrder {
		if e.Decidable(st) {
			d.Moves = append(d.Moves, privacyOption{string(st), requestStatusNames[st]})
		}
	}
	d.Decide = len(d.Moves) > 0
	for _, g := range sortedKeys(rights.Grounds) {
		d.Grounds = append(d.Grounds, privacyOption{g, groundNames[g]})
	}
	for _, g := range sortedKeys(rights.ExtensionGrounds) {
		d.Extensions = append(d.Extensions, privacyOption{g, groundNames[g]})
	}
	return d, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// privacyShowRequest renders the request page with status, the form's
// field errors and kept values.
func (s *Server) privacyShowRequest(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int,
	fields, kept map[string]string) error {
	d, err := s.privacyRequest(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := view{Title: "Verzoek: " + d.Type, Fields: fields, Form: kept, Data: d, Notice: privacyNotices[r.URL.Query().Get("klaar")]}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "privacy_request.html", v)
	return nil
}

// Messages of a decision or extension the request's state does not allow.
const (
	privacyConflict = "Dit besluit kan nu niet. Misschien is het verzoek intussen al besloten; laad de pagina opnieuw. " +
		"Een verzoek om wissen of beperken wijst u toe door het uit te voeren, met de knop daarvoor."
	privacyExtendConflict = "De termijn kan nu niet worden verlengd: dat kan één keer, vóór de eerste termijn verloopt, " +
		"en alleen zolang er nog geen besluit is."
)

// privacyShowRequestError renders the request page with status and the
// message msg for the whole page, and the form's kept values.
func (s *Server) privacyShowRequestError(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int,
	msg string, kept map[string]string) error {
	d, err := s.privacyRequest(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, status, "privacy_request.html", view{Title: "Verzoek: " + d.Type, Error: msg, Form: kept, Data: d})
	return nil
}

// privacyRequestPage shows one request of the register.
func (s *Server) privacyRequestPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.privacyShowRequest(w, r, a, id, http.StatusOK, nil, nil)
}

// privacyDone redirects to the request page after a post, with the notice
// named by done.
func privacyDone(w http.ResponseWriter, r *http.Request, id uuid.UUID, done string) {
	http.Redirect(w, r, "/privacy/verzoeken/"+id.String()+"?klaar="+done, http.StatusSeeOther)
}

// privacyFieldMessages are the Dutch messages of the request forms'
// fields, by the form's field name.
var privacyFieldMessages = map[string]string{
	"status":            "Kies een besluit uit de lijst.",
	"grond":             "Kies bij een afwijzing of een gedeeltelijke toewijzing een grond; bij een toewijzing geen grond.",
	"maanden":           "Kies 1 of 2 maanden. De termijn mag niet langer worden dan 3 maanden na ontvangst.",
	"reden":             "Kies een reden uit de lijst.",
	"medewerker":        "Vul het personeelsnummer of de code van de medewerker in, zoals die in het register of het auditspoor staat.",
	"soort":             "Kies een soort verzoek. Een eigen verklaring of een correctie dient de medewerker zelf in.",
	"vertegenwoordiger": "Vul de naam van de vertegenwoordiger in (hoogstens 200 tekens).",
	"machtiging_datum":  "Vul de datum in waarop de medewerker de machtiging heeft ondertekend: niet in de toekomst en niet ouder dan 6 maanden.",
	"velden":            "Kies alleen gegevens uit de lijst, en alleen bij rectificatie.",
}

// privacyFields puts the service's field errors on the privacy forms.
var privacyFields = fieldTable{messages: privacyFieldMessages}

// privacyDecide records a decision on a request (grant, refuse with a
// ground, or a later step), as POST /requests/{id}/decision.
func (s *Server) privacyDecide(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "status", "grond")
	f.require(map[string]string{"status": privacyFieldMessages["status"]})
	if len(f.fields) == 0 {
		_, err := s.opts.Privacy.Requests.Decide(r.Context(), a, id, rights.Decision{Status: rights.Status(f.get("status")), Ground: f.get("grond")})
		if err == nil {
			privacyDone(w, r, id, "besluit")
			return nil
		}
		if errors.Is(err, derrors.ErrConflict) {
			return s.privacyShowRequestError(w, r, a, id, http.StatusConflict, privacyConflict, f.keep("status", "grond"))
		}
		if !privacyFields.put(err, map[string]string{"status": "status", "ground": "grond"}, f.fields) {
			return err
		}
	}
	return s.privacyShowRequest(w, r, a, id, http.StatusBadRequest, f.fields, f.keep("status", "grond"))
}

// privacyExtend extends a request's term once with a reason, as POST
// /requests/{id}/extension.
func (s *Server) privacyExtend(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "maanden", "reden")
	months, convErr := strconv.Atoi(f.get("maanden"))
	if convErr != nil {
		f.fields["maanden"] = privacyFieldMessages["maanden"]
	}
	f.require(map[string]string{"reden": privacyFieldMessages["reden"]})
	if len(f.fields) == 0 {
		_, err := s.opts.Privacy.Requests.Extend(r.Context(), a, id, months, f.get("reden"))
		if err == nil {
			privacyDone(w, r, id, "verlengd")
			return nil
		}
		if errors.Is(err, derrors.ErrConflict) {
			return s.privacyShowRequestError(w, r, a, id, http.StatusConflict, privacyExtendConflict, f.keep("maanden", "reden"))
		}
		if !privacyFields.put(err, map[string]string{"months": "maanden", "reason": "reden"}, f.fields) {
			return err
		}
	}
	return s.privacyShowRequest(w, r, a, id, http.StatusBadRequest, f.fields, f.keep("maanden", "reden"))
}

// privacyErasureData is the erasure preview's data.
type privacyErasureData struct {
	ID, Type, Employee, Number string
	Outcome                    []privacyOutcomeRow
	Decision, Ground           string
}

// privacyErasurePreview shows what erasing the request would do today,
// per category (rights.Records.PreviewErasure: the plan Erase applies),
// and the form to confirm. Nothing is changed.
func (s *Server) privacyErasurePreview(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	req, outcomes, err := s.opts.Privacy.Records.PreviewErasure(r.Context(), a, id)
	if err != nil {
		return err
	}
	e, err := s.opts.Privacy.Requests.Get(r.Context(), a, req.ID)
	if err != nil {
		return err
	}
	st, ground := rights.ErasureDecision(outcomes)
	d := privacyErasureData{ID: id.String(), Type: privacyTypeNames[req.Type], Employee: strings.TrimSpace(e.FirstName + " " + e.LastName),
		Number: e.EmployeeNumber, Outcome: privacyOutcomes(outcomes, false), Decision: requestStatusNames[st], Ground: groundNames[ground]}
	s.render(w, r, http.StatusOK, "privacy_erasure.html", view{Title: "Wissen: wat gebeurt er?", Data: d})
	return nil
}

// privacyErase applies the erasure, as POST /requests/{id}/erasure; the
// request page then shows the outcome per category.
func (s *Server) privacyErase(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if _, err := s.opts.Privacy.Records.Erase(r.Context(), a, id); err != nil {
		return err
	}
	privacyDone(w, r, id, "gewist")
	return nil
}

// privacyRestrict applies a restriction request, as POST
// /requests/{id}/restriction.
func (s *Server) privacyRestrict(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if _, err := s.opts.Privacy.Records.Restrict(r.Context(), a, id); err != nil {
		return err
	}
	privacyDone(w, r, id, "beperkt")
	return nil
}

// privacyLift lifts a granted restriction, as DELETE
// /requests/{id}/restriction.
func (s *Server) privacyLift(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if _, err := s.opts.Privacy.Records.Lift(r.Context(), a, id); err != nil {
		return err
	}
	privacyDone(w, r, id, "opgeheven")
	return nil
}

// ---- A representative's request ----

// privacyNewData is the representative form's data.
type privacyNewData struct {
	Types  []privacyOption
	Fields []privacyOption
	// Chosen are the rectification fields ticked.
	Chosen map[string]bool
}

// privacyNewFormData lists the types a representative may file for
// (everything but the employee's own words) and the rectifiable fields.
func privacyNewFormData(chosen []string) privacyNewData {
	d := privacyNewData{Chosen: map[string]bool{}}
	for _, t := range requestTypeOrder {
		if t == rights.TypeOwnStatement || t == rights.TypeCorrection {
			continue
		}
		d.Types = append(d.Types, privacyOption{string(t), privacyTypeNames[t]})
	}
	for _, f := range rights.RectifiableFields {
		d.Fields = append(d.Fields, privacyOption{f, fieldNames[f]})
	}
	for _, c := range chosen {
		d.Chosen[c] = true
	}
	return d
}

// privacyNewPage shows the form to register a representative's request.
func (s *Server) privacyNewPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role != access.RolePrivacyOfficer {
		return derrors.ErrNotFound
	}
	form := map[string]string{"medewerker": r.URL.Query().Get("medewerker")}
	if _, ok := access.ParseID(form["medewerker"]); !ok {
		form["medewerker"] = ""
	}
	s.render(w, r, http.StatusOK, "privacy_new.html", view{Title: "Verzoek van een vertegenwoordiger registreren",
		Form: form, Data: privacyNewFormData(nil)})
	return nil
}

// privacyFileFor registers a representative's request for an employee
// with the authorisation's signing date, as POST
// /employees/{id}/requests.
func (s *Server) privacyFileFor(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	names := []string{"medewerker", "soort", "vertegenwoordiger", "machtiging_datum"}
	f := employerForm(r, names...)
	chosen := r.PostForm["velden"]
	code := strings.TrimSpace(f.get("medewerker"))
	employeeID, ok := access.ParseID(code)
	switch {
	case ok:
	case code == "" || len(code) > 64:
		f.fields["medewerker"] = privacyFieldMessages["medewerker"]
	default:
		id, msg, err := s.privacyEmployeeByNumber(r.Context(), code)
		if err != nil {
			return err
		}
		if employeeID = id; msg != "" {
			f.fields["medewerker"] = msg
		}
	}
	f.require(map[string]string{"soort": privacyFieldMessages["soort"], "vertegenwoordiger": privacyFieldMessages["vertegenwoordiger"],
		"machtiging_datum": privacyFieldMessages["machtiging_datum"]})
	signed := employerDate(f, "machtiging_datum", false)
	if f.fields["machtiging_datum"] != "" {
		f.fields["machtiging_datum"] = privacyFieldMessages["machtiging_datum"]
	}
	if len(f.fields) == 0 {
		req, err := s.opts.Privacy.Requests.FileFor(r.Context(), a, employeeID, rights.Filing{Type: rights.Type(f.get("soort")), Fields: chosen},
			rights.Representative{Name: f.get("vertegenwoordiger"), SignedOn: signed})
		switch {
		case err == nil:
			privacyDone(w, r, req.ID, "ingediend")
			return nil
		case errors.Is(err, derrors.ErrNotFound) && a.Role == access.RolePrivacyOfficer:
			// The register is the officer's across the service: an unknown
			// employee is a mistake in the form, not a page not found.
			f.fields["medewerker"] = "Er is geen medewerker met deze code. " + privacyFieldMessages["medewerker"]
		case !privacyFields.put(err, map[string]string{"type": "soort", "representative_name": "vertegenwoordiger",
			"authorisation_signed_on": "machtiging_datum", "fields": "velden", "entry_ids": "soort"}, f.fields):
			return err
		}
	}
	s.render(w, r, http.StatusBadRequest, "privacy_new.html", view{Title: "Verzoek van een vertegenwoordiger registreren",
		Error: pageErrorOf(derrors.ErrInvalid).message, Fields: f.fields, Form: f.keep(names...), Data: privacyNewFormData(chosen)})
	return nil
}
