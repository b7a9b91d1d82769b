package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// EmployeeServices are the domain services of the employee's own pages,
// the same the API's /me routes use; internal/app wires them. Each method
// decides its own object rules for the actor it gets and returns the
// derrors of its package.
type EmployeeServices struct {
	// Subjects finds the employee record of a login (rights.Subject).
	Subjects interface {
		SubjectOf(ctx context.Context, userID uuid.UUID) (rights.Subject, error)
	}
	// Inbox lists a user's in-app notifications.
	Inbox interface {
		Inbox(ctx context.Context, userID uuid.UUID) ([]notify.Notification, error)
	}
	// Absences lists an employee's sickness-absence cases.
	Absences interface {
		ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]absence.Absence, error)
	}
	// Fitness lists verdicts and advice, and takes the employee's decision
	// on an examination outcome.
	Fitness interface {
		Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
		Decide(ctx context.Context, a access.Actor, verdictID uuid.UUID, d fitness.Decision) (fitness.Verdict, error)
		AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
	}
	// Requests files and lists the employee's own rights requests.
	Requests interface {
		File(ctx context.Context, a access.Actor, f rights.Filing) (rights.Request, error)
		Mine(ctx context.Context, a access.Actor) ([]rights.Request, error)
	}
	// Releases reads the dossier as released and renders its PDF copy.
	Releases interface {
		Mine(ctx context.Context, a access.Actor) ([]rights.Release, error)
		Read(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Release, []dossier.Entry, error)
		Copy(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
	}
	// Consents lists, signs and revokes the employee's own consents.
	Consents interface {
		Mine(ctx context.Context, a access.Actor) ([]consent.Own, error)
		Sign(ctx context.Context, a access.Actor, id uuid.UUID, textSHA256 string) (consent.Consent, error)
		RevokeMine(ctx context.Context, a access.Actor, id uuid.UUID) (consent.Consent, error)
	}
	// AccessLog reads who looked at the employee's data.
	AccessLog interface {
		Of(ctx context.Context, a access.Actor, from, to time.Time, after int64, limit int) ([]rights.AccessEntry, error)
	}
	// Destructions lists destructions and serves their statements.
	Destructions interface {
		Mine(ctx context.Context, a access.Actor) ([]dossier.Destruction, error)
		Statement(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
	}
	// Exporter exports the employee's own HR data (AVG access).
	Exporter interface {
		Mine(ctx context.Context, a access.Actor) (rights.Export, error)
	}
}

// employeePages are the templates of the employee's pages.
var employeePages = []string{"employee_home.html", "employee_requests.html", "employee_request_new.html",
	"employee_releases.html", "employee_release.html", "employee_consents.html", "employee_accesslog.html",
	"employee_destructions.html"}

func init() {
	pageNames = append(pageNames, employeePages...)
	funcs["soort"] = func(t rights.Type) string { return requestTypeNames[t] }
	funcs["status"] = func(s rights.Status) string { return requestStatusNames[s] }
	funcs["stuk"] = func(k dossier.EntryKind) string { return entryKindNames[k] }
	funcs["handeling"] = func(a audit.Action) string { return actionName(a) }
	funcs["tijd"] = DateTime
	funcs["dag"] = Day
	funcs["grond"] = func(g string) string {
		if n, ok := groundNames[g]; ok {
			return n
		}
		return strings.ReplaceAll(g, "_", " ")
	}
	funcs["rol"] = func(r string) string { return RoleName(access.Role(r)) }
	funcs["wat"] = func(k string) string {
		if n, ok := objectKindNames[k]; ok {
			return n
		}
		return strings.ReplaceAll(k, "_", " ")
	}
}

// groundNames say in plain Dutch why a request was refused, partly
// granted or extended (rights.Grounds, rights.ExtensionGrounds).
var groundNames = map[string]string{
	"legal_retention_duty":            "de wet zegt dat deze gegevens bewaard moeten blijven",
	"substantial_interest_of_another": "een ander heeft er een groot belang bij dat de gegevens blijven",
	"not_a_factual_error":             "het gaat niet om een feitelijke fout, maar om een oordeel van de arts",
	"manifestly_unfounded":            "het verzoek is duidelijk ongegrond",
	"identity_not_established":        "we konden niet vaststellen dat u het bent",
	"no_data_held":                    "we hebben deze gegevens niet",
	"overriding_legitimate_grounds":   "er zijn zwaarwegende redenen om de gegevens toch te gebruiken",
	"complex_request":                 "het verzoek is ingewikkeld",
	"number_of_requests":              "er zijn veel verzoeken tegelijk",
}

// objectKindNames say in Dutch what an access-log line is about.
var objectKindNames = map[string]string{
	"dossier_entry": "een stuk in uw medisch dossier", "dossier_entries": "stukken in uw medisch dossier",
	"dossier": "uw medisch dossier", "dossier_release": "de vrijgave van uw dossier", "dossier_copy": "een kopie van uw dossier",
	"absence": "uw ziekmelding", "absence_list": "uw ziekmeldingen", "advice": "advies van de bedrijfsarts",
	"verdict": "een oordeel van de bedrijfsarts", "verdicts": "oordelen van de bedrijfsarts", "request": "een verzoek van u",
	"requests": "uw verzoeken", "consent": "een toestemming", "consents": "uw toestemmingen", "employee": "uw persoonsgegevens",
	"hr_export": "al uw gegevens (download)", "access_log": "deze lijst",
	"dossier_attachment": "een bijlage in uw medisch dossier", "dossier_attachments": "de bijlagen in uw medisch dossier",
	"dossier_exposure": "een blootstelling in uw medisch dossier", "dossier_exposures": "de blootstellingen in uw medisch dossier",
	"emergency_access": "noodtoegang tot uw medisch dossier", "dossier_destruction": "vernietiging van (een deel van) uw dossier",
	"dossier_transfer": "overdracht van uw dossier", "transfer_package": "het overdrachtspakket van uw dossier",
	"disclosure": "verstrekking van medische gegevens", "disclosure_export": "verstrekking van medische gegevens (export)",
	"information_request": "een vraag aan uw behandelaar", "worklist": "de werklijst van de bedrijfsarts",
	"employer_overview": "het overzicht van uw werkgever", "signals": "de lijst met Poortwachter-stappen",
	"invitation": "uw uitnodiging voor Arbokluis", "activation_letter": "uw activeringsbrief",
	"plan_of_action": "uw plan van aanpak", "contact_log": "het contactlogboek", "notes": "procesaantekeningen",
}

// employeeRoutes registers the employee's own pages: every one is the 404
// page for a login that is not an employee, and decides under the
// employee's grant as the API's /me routes do.
func (s *Server) employeeRoutes() {
	s.employeeHome = s.mineAuthenticated("self", "read", s.myHome)
	s.handle("GET /mijn", s.loggedIn(s.employeeHome))
	s.handle("POST /mijn/keuringen/{id}", s.mine("verdicts", "decide", s.decideExamination))
	s.handle("GET /mijn/verzoeken", s.mine("my_requests", "read", s.myRequests))
	s.handle("GET /mijn/verzoeken/nieuw/{soort}", s.mine("my_requests", "create", s.newRequestPage))
	s.handle("POST /mijn/verzoeken", s.mine("my_requests", "create", s.fileRequest))
	s.handle("GET /mijn/dossier", s.mine("my_releases", "read", s.myReleases))
	s.handle("GET /mijn/dossier/{id}", s.mine("my_releases", "read", s.readRelease))
	s.handle("GET /mijn/dossier/{id}/afschrift.pdf", s.mine("my_releases", "read", s.releaseCopy))
	s.handle("GET /mijn/toestemmingen", s.mine("my_consents", "read", s.myConsents))
	s.handle("POST /mijn/toestemmingen/{id}/ondertekenen", s.mine("my_consents", "sign", s.signConsent))
	s.handle("POST /mijn/toestemmingen/{id}/intrekken", s.mine("my_consents", "revoke", s.revokeConsent))
	s.handle("GET /mijn/inzage", s.mine("access_log", "read", s.myAccessLog))
	s.handle("GET /mijn/vernietigingen", s.mine("my_destructions", "read", s.myDestructions))
	s.handle("GET /mijn/vernietigingen/{id}/verklaring.pdf", s.mine("my_destructions", "read", s.destructionStatement))
	s.handle("GET /mijn/gegevens.json", s.mine("my_export", "export", s.myExport))
}

// isEmployee reports whether the caller has an employee grant.
func isEmployee(c caller) bool {
	return slices.ContainsFunc(c.principal.Grants, func(g access.Grant) bool { return g.Role == access.RoleEmployee })
}

// mine is allow for the employee's own pages: a logged-in caller without
// an employee grant gets the 404 page (audited as a denied attempt), as a
// page of someone else's would answer; the employee's grant then decides
// as allow does, and the page's service refuses another employee's object
// with derrors.ErrNotFound. The caller is authenticated once.
func (s *Server) mine(resource, action string, h pageFunc) http.HandlerFunc {
	return s.loggedIn(s.mineAuthenticated(resource, action, h))
}

// mineAuthenticated is mine for a request whose caller loggedIn has put in
// its context already.
func (s *Server) mineAuthenticated(resource, action string, h pageFunc) http.HandlerFunc {
	return s.authorized(resource, action, isEmployee, oneGrantAtATime(func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		if a.Role != access.RoleEmployee {
			return derrors.ErrNotFound
		}
		return h(w, r, a)
	}))
}

// homeFor shows the employee's start page when the caller of the home
// page is an employee, and reports whether it did.
func (s *Server) homeFor(w http.ResponseWriter, r *http.Request) bool {
	c, ok := callerOf(r)
	if !ok || !isEmployee(c) {
		return false
	}
	// The caller is authenticated already: run the employee's page under
	// its own authorisation only.
	s.employeeHome(w, r)
	return true
}

// DateTime writes t as a Dutch date and time in Europe/Amsterdam, as
// "2 januari 2026 om 14:05"; the zero time is "".
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(access.Amsterdam)
	return Date(t) + " om " + t.Format("15:04")
}

// Day writes the calendar date of the moment t in Europe/Amsterdam, as
// "2 januari 2026" (Date of a time of day elsewhere may be the day before
// or after); the zero time is "".
func Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Date(t.In(access.Amsterdam))
}

// Dutch names of request types, statuses, entry kinds and actions.
var (
	requestTypeNames = map[rights.Type]string{
		rights.TypeInspection: "inzage in mijn medisch dossier", rights.TypeCopy: "kopie van mijn medisch dossier",
		rights.TypeCorrection: "correctie van een stuk", rights.TypeOwnStatement: "eigen verklaring toevoegen",
		rights.TypeDestruction: "vernietiging van mijn medisch dossier", rights.TypeAccess: "inzage in mijn gegevens bij de werkgever (AVG)",
		rights.TypeRectification: "gegevens verbeteren (AVG)", rights.TypeErasure: "gegevens wissen (AVG)",
		rights.TypeRestriction: "gebruik van gegevens beperken (AVG)", rights.TypeObjection: "bezwaar tegen gebruik (AVG)",
		rights.TypePortability: "gegevens meenemen (AVG)",
	}
	requestTypeOrder = []rights.Type{rights.TypeInspection, rights.TypeCopy, rights.TypeCorrection, rights.TypeOwnStatement,
		rights.TypeDestruction, rights.TypeAccess, rights.TypeRectification, rights.TypeErasure, rights.TypeRestriction,
		rights.TypeObjection, rights.TypePortability}
	requestTypeHelp = map[rights.Type]string{
		rights.TypeInspection:    "U leest uw medisch dossier online, nadat de bedrijfsarts het heeft vrijgegeven.",
		rights.TypeCopy:          "U krijgt een kopie van uw medisch dossier als PDF. De eerste kopie is gratis.",
		rights.TypeCorrection:    "Klopt er iets niet in een stuk van uw dossier? Zeg wat er niet klopt. Uw tekst komt altijd bij het stuk in uw dossier.",
		rights.TypeOwnStatement:  "U schrijft uw eigen kijk op de zaak. Die komt altijd in uw dossier; dat is uw recht.",
		rights.TypeDestruction:   "U vraagt om uw medisch dossier te vernietigen. Soms moet de arbodienst gegevens bewaren; dan hoort u waarom.",
		rights.TypeAccess:        "U krijgt te zien welke gegevens uw werkgever en de arbodienst over u hebben (niet medisch).",
		rights.TypeRectification: "Kies welke gegevens niet kloppen. Daarna vraagt iemand u wat het goede gegeven is.",
		rights.TypeErasure:       "U vraagt om gegevens te wissen. Wat de wet laat bewaren, blijft bewaard.",
		rights.TypeRestriction:   "U vraagt om uw gegevens een tijd niet te gebruiken.",
		rights.TypeObjection:     "U maakt bezwaar tegen het gebruik van uw gegevens.",
		rights.TypePortability:   "U krijgt uw gegevens in een bestand dat u kunt meenemen.",
	}
	requestStatusNames = map[rights.Status]string{
		rights.StatusReceived: "ontvangen", rights.StatusInReview: "in behandeling", rights.StatusGranted: "toegekend",
		rights.StatusPartlyGranted: "deels toegekend", rights.StatusRefused: "afgewezen", rights.StatusDelivered: "geleverd",
		rights.StatusClosed: "afgesloten",
	}
	entryKindNames = map[dossier.EntryKind]string{
		dossier.KindConsultation: "gesprek", dossier.KindNote: "aantekening", dossier.KindDiagnosis: "diagnose",
		dossier.KindTreatingPhysicianInfo: "informatie van uw behandelaar", dossier.KindExamination: "keuring",
		dossier.KindOwnStatement: "uw eigen verklaring",
	}
	fieldNames = map[string]string{
		"first_name": "voornaam", "last_name": "achternaam", "date_of_birth": "geboortedatum",
		"employment_start": "begin dienstverband", "employment_end": "einde dienstverband", "email": "e-mailadres",
		"phone": "telefoonnummer", "bsn": "burgerservicenummer",
	}
	actionNames = map[audit.Action]string{
		audit.ActionCreate: "heeft iets toegevoegd", audit.ActionRead: "heeft gelezen", audit.ActionUpdate: "heeft iets gewijzigd",
		audit.ActionDelete: "heeft iets verwijderd", audit.ActionSearch: "heeft gezocht", audit.ActionExport: "heeft gegevens opgevraagd",
		audit.ActionPrint: "heeft een PDF gemaakt", audit.ActionRelease: "heeft vrijgegeven", audit.ActionDestroy: "heeft vernietigd",
		audit.ActionEmergencyAccess: "heeft met spoed ingekeken",
	}
)

func actionName(a audit.Action) string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return string(a)
}

// ---- 1. Home ----

// examinationView is an examination outcome waiting for the employee.
type examinationView struct {
	ID       uuid.UUID
	Date     time.Time
	Approved bool
}

type homeData struct {
	Absence       *absence.Absence
	Notifications []notify.Notification
	Advice        []fitness.Advice
	Examinations  []examinationView
}

// myHome is the employee's start page: the open absence, notifications,
// published advice and examination outcomes still to decide on.
func (s *Server) myHome(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	sv := s.opts.Employee
	subj, err := sv.Subjects.SubjectOf(r.Context(), a.UserID())
	if err != nil {
		return err
	}
	var d homeData
	if d.Notifications, err = sv.Inbox.Inbox(r.Context(), a.UserID()); err != nil {
		return err
	}
	abs, err := sv.Absences.ListForEmployee(r.Context(), a, subj.EmployeeID)
	if err != nil {
		return err
	}
	for i := range abs {
		if abs[i].Status == absence.CaseOpen {
			d.Absence = &abs[i]
			break
		}
	}
	if d.Advice, err = sv.Fitness.AdviceFor(r.Context(), a, subj.EmployeeID); err != nil {
		return err
	}
	vs, err := sv.Fitness.Verdicts(r.Context(), a, subj.EmployeeID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.Kind == fitness.KindExamination && v.Decision == fitness.DecisionPending {
			d.Examinations = append(d.Examinations, examinationView{ID: v.ID, Date: v.Date, Approved: v.Outcome == "approved"})
		}
	}
	v := view{Title: "Mijn overzicht", Data: d}
	switch r.URL.Query().Get("gedaan") {
	case "doorgegeven":
		v.Notice = "De uitslag is doorgegeven aan uw werkgever."
	case "tegengehouden":
		v.Notice = "De uitslag is tegengehouden. Uw werkgever krijgt hem niet te zien."
	}
	s.render(w, r, http.StatusOK, "employee_home.html", v)
	return nil
}

// decideExamination takes the employee's choice on an examination
// outcome: "doorgeven" releases it to the employer, "tegenhouden" blocks
// it. Any other choice is the 400 page and changes nothing.
func (s *Server) decideExamination(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	var d fitness.Decision
	var done string
	switch r.PostForm.Get("keuze") {
	case "doorgeven":
		d, done = fitness.DecisionReleased, "doorgegeven"
	case "tegenhouden":
		d, done = fitness.DecisionBlocked, "tegengehouden"
	default:
		s.render(w, r, http.StatusBadRequest, "error.html", view{Title: "Dat lukte niet",
			Error: "Kies of u de uitslag doorgeeft of tegenhoudt. Er is niets veranderd."})
		return nil
	}
	if _, err := s.opts.Employee.Fitness.Decide(r.Context(), a, id, d); err != nil {
		return err
	}
	http.Redirect(w, r, "/mijn?gedaan="+done, http.StatusSeeOther)
	return nil
}

// ---- 2. Requests ----

type requestTypeView struct {
	Type rights.Type
	Name string
}

type requestsData struct {
	Requests []rights.Request
	Types    []requestTypeView
	Today    time.Time
}

// myRequests lists the employee's requests and the kinds to file.
func (s *Server) myRequests(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	rs, err := s.opts.Employee.Requests.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	d := requestsData{Requests: rs, Today: s.opts.Now()}
	for _, t := range requestTypeOrder {
		d.Types = append(d.Types, requestTypeView{t, requestTypeNames[t]})
	}
	v := view{Title: "Mijn verzoeken", Data: d}
	if r.URL.Query().Get("gedaan") == "ingediend" {
		v.Notice = "Uw verzoek is ontvangen. U ziet het hieronder, met de datum waarop u uiterlijk antwoord krijgt."
	}
	s.render(w, r, http.StatusOK, "employee_requests.html", v)
	return nil
}

type fieldView struct{ Name, Label string }

type newRequestData struct {
	Type   rights.Type
	Name   string
	Help   string
	Fields []fieldView
	Chosen map[string]bool
}

func newRequestView(t rights.Type) view {
	d := newRequestData{Type: t, Name: requestTypeNames[t], Help: requestTypeHelp[t], Chosen: map[string]bool{}}
	if t == rights.TypeRectification {
		for _, f := range rights.RectifiableFields {
			d.Fields = append(d.Fields, fieldView{f, fieldNames[f]})
		}
	}
	return view{Title: "Nieuw verzoek: " + d.Name, Data: d, Form: map[string]string{}, Fields: map[string]string{}}
}

// newRequestPage shows the short form of one request type; an unknown
// type is the 404 page.
func (s *Server) newRequestPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	t := rights.Type(r.PathValue("soort"))
	if !t.Valid() {
		return derrors.ErrNotFound
	}
	v := newRequestView(t)
	v.Form["stuk"] = r.URL.Query().Get("stuk")
	s.render(w, r, http.StatusOK, "employee_request_new.html", v)
	return nil
}

// fileRequest files the posted request and goes to the list; bad input is
// the form again with a message per field, and nothing is filed.
func (s *Server) fileRequest(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	t := rights.Type(r.PostForm.Get("soort"))
	if !t.Valid() {
		s.render(w, r, http.StatusBadRequest, "error.html", view{Title: "Dat lukte niet",
			Error: "Kies eerst welk verzoek u wilt indienen. Er is niets ingediend."})
		return nil
	}
	v := newRequestView(t)
	d := v.Data.(newRequestData)
	f := rights.Filing{Type: t}
	text := strings.TrimSpace(r.PostForm.Get("tekst"))
	stuk := strings.TrimSpace(r.PostForm.Get("stuk"))
	v.Form["tekst"], v.Form["stuk"] = r.PostForm.Get("tekst"), stuk
	switch t {
	case rights.TypeOwnStatement, rights.TypeCorrection:
		switch {
		case text == "":
			v.Fields["tekst"] = "Schrijf hier uw tekst."
		case len(text) > maxFieldBytes:
			v.Fields["tekst"] = "Deze tekst is te lang. Maak hem korter."
		}
		f.Text = text
		if stuk != "" || t == rights.TypeCorrection {
			id, ok := access.ParseID(stuk)
			if !ok {
				v.Fields["stuk"] = "Vul het nummer van het stuk in, zoals het bij het stuk in uw dossier staat."
			}
			f.Concerns = id
		}
	case rights.TypeRectification:
		for _, name := range r.PostForm["velden"] {
			if !slices.Contains(rights.RectifiableFields, name) {
				v.Fields["velden"] = "Kies alleen gegevens uit de lijst."
				break
			}
			d.Chosen[name] = true
			f.Fields = append(f.Fields, name)
		}
		if len(f.Fields) == 0 && v.Fields["velden"] == "" {
			v.Fields["velden"] = "Kies welke gegevens niet kloppen."
		}
	}
	v.Data = d
	if len(v.Fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message + " Er is nog niets ingediend."
		s.render(w, r, http.StatusBadRequest, "employee_request_new.html", v)
		return nil
	}
	if _, err := s.opts.Employee.Requests.File(r.Context(), a, f); err != nil {
		if errors.Is(err, derrors.ErrNotFound) && f.Concerns != uuid.Nil {
			v.Fields["stuk"] = "Dit stuk staat niet in uw dossier. Kijk het nummer na."
			v.Error = pageErrorOf(derrors.ErrInvalid).message + " Er is nog niets ingediend."
			s.render(w, r, http.StatusBadRequest, "employee_request_new.html", v)
			return nil
		}
		if errors.Is(err, derrors.ErrInvalid) {
			s.formFailed(w, r, "employee_request_new.html", v, err, nil)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/mijn/verzoeken?gedaan=ingediend", http.StatusSeeOther)
	return nil
}

// ---- 3. Dossier as released ----

// myReleases lists what the physician released for inspection or copy.
func (s *Server) myReleases(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	rs, err := s.opts.Employee.Releases.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "employee_releases.html", view{Title: "Mijn dossier", Data: rs})
	return nil
}

type releaseData struct {
	Release rights.Release
	Entries []dossier.Entry
}

// readRelease shows one release's entries; another employee's release is
// the 404 page.
func (s *Server) readRelease(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	rel, es, err := s.opts.Employee.Releases.Read(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "employee_release.html", view{Title: "Mijn dossier, vrijgegeven op " + Day(rel.ReleasedAt),
		Data: releaseData{rel, es}})
	return nil
}

// releaseCopy downloads the PDF copy of a release.
func (s *Server) releaseCopy(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	b, err := s.opts.Employee.Releases.Copy(r.Context(), a, id)
	if err != nil {
		return err
	}
	download(w, "afschrift-"+id.String()+".pdf", "application/pdf", b)
	return nil
}

// ---- 4. Consents ----

// myConsents shows the employee's consents, each with its full text.
func (s *Server) myConsents(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	cs, err := s.opts.Employee.Consents.Mine(r.Context(), a)
	if errors.Is(err, derrors.ErrNotFound) {
		// No dossier yet: no consents either.
		cs, err = nil, nil
	}
	if err != nil {
		return err
	}
	v := view{Title: "Mijn toestemmingen", Data: cs}
	switch r.URL.Query().Get("gedaan") {
	case "ondertekend":
		v.Notice = "U hebt de toestemming gegeven."
	case "ingetrokken":
		v.Notice = "U hebt de toestemming ingetrokken. Vanaf nu geldt ze niet meer."
	}
	s.render(w, r, http.StatusOK, "employee_consents.html", v)
	return nil
}

// signConsent signs a consent with the SHA-256 of the text the page showed
// (the form carries it): when the text changed since, the service refuses
// and nothing is signed.
func (s *Server) signConsent(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	sum := r.PostForm.Get("tekst_sha256")
	if r.PostForm.Get("gelezen") != "ja" || sum == "" {
		s.render(w, r, http.StatusBadRequest, "error.html", view{Title: "Dat lukte niet",
			Error: "Lees de tekst en zet een vinkje bij ‘Ik heb de tekst gelezen’. Er is niets ondertekend."})
		return nil
	}
	if _, err := s.opts.Employee.Consents.Sign(r.Context(), a, id, sum); err != nil {
		if errors.Is(err, derrors.ErrInvalid) || errors.Is(err, derrors.ErrConflict) {
			s.render(w, r, pageErrorOf(err).status, "error.html", view{Title: "Dat lukte niet",
				Error: "De tekst is veranderd sinds u hem las, of de toestemming is al gegeven. Laad de pagina opnieuw. Er is niets ondertekend."})
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/mijn/toestemmingen?gedaan=ondertekend", http.StatusSeeOther)
	return nil
}

// revokeConsent revokes a signed consent.
func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	if _, err := s.opts.Employee.Consents.RevokeMine(r.Context(), a, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/mijn/toestemmingen?gedaan=ingetrokken", http.StatusSeeOther)
	return nil
}

// ---- 5. Access log ----

type accessLogData struct {
	Entries []rights.AccessEntry
	More    int64
	From    string
	To      string
}

// myAccessLog shows who looked at the employee's data, optionally within
// a period (van, tot: dates, "tot" includes its day); a date that does not
// parse is the form again with its message.
func (s *Server) myAccessLog(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	v := view{Title: "Wie keek in mijn gegevens", Fields: map[string]string{},
		Form: map[string]string{"van": q.Get("van"), "tot": q.Get("tot")}}
	day := func(name string) time.Time {
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, access.Amsterdam)
		if err != nil {
			v.Fields[name] = "Vul een datum in als 2026-01-31, of laat het leeg."
		}
		return d
	}
	from, to := day("van"), day("tot")
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	var after int64
	if n := q.Get("na"); n != "" {
		var err error
		if after, err = strconv.ParseInt(n, 10, 64); err != nil || after < 0 {
			v.Fields["na"] = "bad"
		}
	}
	if len(v.Fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
		v.Data = accessLogData{From: q.Get("van"), To: q.Get("tot")}
		s.render(w, r, http.StatusBadRequest, "employee_accesslog.html", v)
		return nil
	}
	const page = 100
	es, err := s.opts.Employee.AccessLog.Of(r.Context(), a, from, to, after, page)
	if err != nil {
		return err
	}
	d := accessLogData{Entries: es, From: q.Get("van"), To: q.Get("tot")}
	if len(es) == page {
		d.More = es[len(es)-1].Seq
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "employee_accesslog.html", v)
	return nil
}

// ---- 6. Destructions and export ----

// myDestructions lists the destructions of the employee's dossier.
func (s *Server) myDestructions(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	ds, err := s.opts.Employee.Destructions.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "employee_destructions.html", view{Title: "Vernietiging en mijn gegevens", Data: ds})
	return nil
}

// destructionStatement downloads a destruction statement PDF.
func (s *Server) destructionStatement(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	b, err := s.opts.Employee.Destructions.Statement(r.Context(), a, id)
	if err != nil {
		return err
	}
	download(w, "verklaring-vernietiging-"+id.String()+".pdf", "application/pdf", b)
	return nil
}

// exportJSON is the AVG export as a file: HR data only.
type exportJSON struct {
	GeneratedAt string           `json:"generated_at"`
	Employee    map[string]any   `json:"employee"`
	Absences    []map[string]any `json:"absences"`
	Verdicts    []map[string]any `json:"verdicts"`
	Advice      []map[string]any `json:"advice"`
	Requests    []map[string]any `json:"requests"`
	Purposes    []map[string]any `json:"purposes"`
	Medical     string           `json:"medical_dossier"`
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// myExport downloads the employee's own HR data as JSON (the service
// audits the export).
func (s *Server) myExport(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	x, err := s.opts.Employee.Exporter.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	e := x.Employee
	out := exportJSON{GeneratedAt: x.GeneratedAt.UTC().Format(time.RFC3339),
		Employee: map[string]any{"id": e.ID.String(), "employee_number": e.EmployeeNumber, "first_name": e.FirstName,
			"last_name": e.LastName, "date_of_birth": isoDate(e.DateOfBirth), "employment_start": isoDate(e.EmploymentStart),
			"employment_end": isoDate(e.EmploymentEnd), "email": e.Email, "phone": e.Phone},
		Absences: []map[string]any{}, Verdicts: []map[string]any{}, Advice: []map[string]any{}, Requests: []map[string]any{},
		Purposes: []map[string]any{},
		Medical:  "Niet in dit bestand: vraag inzage in of een kopie van uw medisch dossier aan (Mijn verzoeken)."}
	for _, ab := range x.Absences {
		out.Absences = append(out.Absences, map[string]any{"id": ab.ID.String(), "first_sick_day": isoDate(ab.FirstSickDay),
			"percentage": ab.Percentage, "status": string(ab.Status), "closed_on": isoDate(ab.ClosedOn)})
	}
	for _, v := range x.Verdicts {
		out.Verdicts = append(out.Verdicts, map[string]any{"id": v.ID.String(), "kind": string(v.Kind), "verdict": v.Verdict,
			"work_ability_percentage": v.WorkAbilityPercentage, "outcome": v.Outcome, "employee_decision": string(v.Decision),
			"date": isoDate(v.Date)})
	}
	for _, ad := range x.Advice {
		out.Advice = append(out.Advice, map[string]any{"id": ad.ID.String(), "limitations": ad.Limitations,
			"possibilities": ad.Possibilities, "expected_duration_weeks": ad.ExpectedDurationWeeks,
			"published_at": ad.PublishedAt.UTC().Format(time.RFC3339)})
	}
	for _, rq := range x.Requests {
		out.Requests = append(out.Requests, map[string]any{"id": rq.ID.String(), "type": string(rq.Type), "status": string(rq.Status),
			"received_on": isoDate(rq.ReceivedOn), "due_on": isoDate(rq.Due()), "ground": rq.Ground})
	}
	for _, p := range x.Purposes {
		out.Purposes = append(out.Purposes, map[string]any{"category": p.Category, "purpose": p.Purpose,
			"legal_basis": p.LegalBasis, "retention": p.Retention})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	download(w, "mijn-gegevens.json", "application/json", b)
	return nil
}
