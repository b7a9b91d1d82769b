package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// ConsentService is what the physician's consent pages need of the
// consent service (consent.Service), as the API's handlers use it. Each
// method decides its own object rules for the actor it gets: a dossier
// outside the caller's care is derrors.ErrNotFound, a step an assistant may
// not take derrors.ErrForbidden, bad input derrors.FieldErrors, a step the
// consent does not allow a *consent.ConsentError.
type ConsentService interface {
	Prepare(ctx context.Context, a access.Actor, employeeID uuid.UUID, in consent.NewConsent) (consent.Consent, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Consent, error)
	Form(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) ([]byte, error)
	RegisterPaper(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, signedOn time.Time, scan dossier.Attachment) (consent.Consent, error)
	Revoke(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (consent.Consent, error)

	Ask(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID, question string) (consent.InformationRequest, error)
	InformationRequests(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.InformationRequest, error)
	Answer(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, answer string, occurredOn time.Time) (consent.InformationRequest, dossier.Entry, error)

	RegisterDisclosure(ctx context.Context, a access.Actor, employeeID uuid.UUID, in consent.NewDisclosure) (consent.Disclosure, error)
	Disclosures(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Disclosure, error)
	DecideDisclosure(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, grant bool, as consent.Assessment) (consent.Disclosure, error)
	Export(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, f consent.Format) ([]byte, error)

	PrepareTransfer(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID) (consent.Transfer, error)
	Transfers(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Transfer, error)
	Package(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, w io.Writer) error
	HandOver(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, disposal string) (consent.Transfer, error)
}

// ConsentServices are the domain services of the physician's consents,
// information requests, disclosures and transfers.
type ConsentServices struct {
	Consents ConsentService
	// MaxScanBytes bounds the scan of a signed paper form, as the API's
	// attachments (config MaxAttachmentBytes); zero is 1 MiB.
	MaxScanBytes int
}

// consentPageNames are the templates of the consent pages.
var consentPageNames = []string{"arts_toestemmingen.html", "arts_informatieverzoeken.html", "arts_verstrekkingen.html",
	"arts_verstrekking_nieuw.html", "arts_overdrachten.html"}

func init() { pageNames = append(pageNames, consentPageNames...) }

// consentRoutes registers the physician's consents, information requests,
// disclosures and transfers, each page under the resource and action of
// the API route that does the same.
func (s *Server) consentRoutes() {
	if s.opts.Consents.Consents == nil {
		return
	}
	const base = "/arts/medewerkers/{id}/"
	s.handle("GET "+base+"toestemmingen", s.allow("medical.consents", "read", s.consentsPage))
	s.handle("POST "+base+"toestemmingen", s.allow("medical.consents", "create", s.prepareConsent))
	s.handle("GET "+base+"toestemmingen/{consent}/formulier.pdf", s.allow("medical.consents", "print", s.consentFormPDF))
	s.handle("POST "+base+"toestemmingen/{consent}/papier", s.allow("medical.consents", "register_signed", s.registerPaperConsent))
	s.handle("POST "+base+"toestemmingen/{consent}/intrekken", s.allow("medical.consents", "revoke", s.revokeConsentForEmployee))
	s.handle("GET "+base+"informatieverzoeken", s.allow("medical.information_requests", "read", s.consentListPage(s.showInformation, informationNotices)))
	s.handle("POST "+base+"informatieverzoeken", s.allow("medical.information_requests", "create", s.askInformation))
	s.handle("POST "+base+"informatieverzoeken/{verzoek}/antwoord", s.allow("medical.information_requests", "answer", s.answerInformation))
	s.handle("GET "+base+"verstrekkingen", s.allow("medical.disclosures", "read", s.consentListPage(s.showDisclosures, disclosuresNotices)))
	s.handle("GET "+base+"verstrekkingen/nieuw", s.allow("medical.disclosures", "create", s.newDisclosurePage))
	s.handle("POST "+base+"verstrekkingen", s.allow("medical.disclosures", "create", s.registerDisclosure))
	s.handle("POST "+base+"verstrekkingen/{verstrekking}/besluit", s.allow("medical.disclosures", "decide", s.decideDisclosure))
	s.handle("GET "+base+"verstrekkingen/{verstrekking}/export.json", s.allow("medical.disclosures", "export", s.exportDisclosure(consent.FormatJSON)))
	s.handle("GET "+base+"verstrekkingen/{verstrekking}/export.pdf", s.allow("medical.disclosures", "export", s.exportDisclosure(consent.FormatPDF)))
	s.handle("GET "+base+"overdrachten", s.allow("medical.transfers", "read", s.consentListPage(s.showTransfers, transfersNotices)))
	s.handle("POST "+base+"overdrachten", s.allow("medical.transfers", "create", s.prepareTransfer))
	s.handle("GET "+base+"overdrachten/{overdracht}/pakket.zip", s.allow("medical.transfers", "export", s.transferPackage))
	s.handle("POST "+base+"overdrachten/{overdracht}/overgedragen", s.allow("medical.transfers", "hand_over", s.handOver))
}

// Dutch names of what the consent pages show.
var (
	consentRecipientNames = map[consent.RecipientKind]string{
		consent.RecipientTreatingPhysician: "Behandelend arts (huisarts)", consent.RecipientSpecialist: "Medisch specialist",
		consent.RecipientUWV: "Verzekeringsarts van UWV", consent.RecipientOHS: "Andere arbodienst",
	}
	consentRecipientOrder = []consent.RecipientKind{consent.RecipientTreatingPhysician, consent.RecipientSpecialist,
		consent.RecipientUWV, consent.RecipientOHS}
	consentPurposeNames = map[consent.Purpose]string{
		consent.PurposeTreatmentInformation: "Feitelijke informatie over de behandeling opvragen",
		consent.PurposeReintegration:        "Beoordeling van de re-integratie",
		consent.PurposeBenefit:              "Beoordeling van een uitkering (Ziektewet of WIA)",
		consent.PurposeSecondOpinion:        "Second opinion door een andere bedrijfsarts",
		consent.PurposeTransfer:             "Overdracht van het dossier aan een andere arbodienst",
	}
	consentPurposeOrder = []consent.Purpose{consent.PurposeTreatmentInformation, consent.PurposeReintegration,
		consent.PurposeBenefit, consent.PurposeSecondOpinion, consent.PurposeTransfer}
	// consentRefusals say why a consent does not allow a step
	// (consent.ConsentError's reasons).
	consentRefusals = map[string]string{
		"no_valid_consent":        "Er is geen geldige toestemming van de werknemer.",
		"consent_revoked":         "De toestemming is ingetrokken.",
		"consent_not_signed":      "De toestemming is nog niet getekend.",
		"consent_expired":         "De toestemming is verlopen.",
		"consent_other_recipient": "De toestemming geldt voor een andere ontvanger.",
		"consent_other_purpose":   "De toestemming geldt voor een ander doel.",
		"scope_exceeds_consent":   "Er wordt meer gevraagd dan de toestemming toelaat.",
	}
	// consentFieldMessages are the messages for field errors, by field
	// (the forms use the service's field names).
	consentFieldMessages = map[string]string{
		"recipient_kind":             "Kies wie de gegevens krijgt.",
		"recipient_name":             "Vul de naam van de ontvanger in (hoogstens 200 tekens).",
		"recipient_organisation":     "Vul de organisatie van de ontvanger in (hoogstens 200 tekens).",
		"purpose":                    "Kies het doel.",
		"purpose_text":               "Deze toelichting is te lang of bevat tekens die niet mogen.",
		"scope_kinds":                "Kies welke soorten stukken het betreft (nooit werkaantekeningen).",
		"scope_from":                 "Vul een geldige begindatum in, of laat het leeg.",
		"scope_to":                   "Vul een geldige einddatum in, niet vóór de begindatum, of laat het leeg.",
		"expires_on":                 "Vul een einddatum in na vandaag en hoogstens 12 maanden vooruit.",
		"signed_on":                  "Vul de datum in waarop de werknemer tekende: niet in de toekomst en niet vóór de toestemming werd voorbereid.",
		"scan":                       "Kies de scan van het getekende formulier: een PDF (of een foto als PNG of JPEG) van hoogstens 1 MB.",
		"bevestig":                   "Zet een vinkje om te bevestigen dat de werknemer de toestemming heeft ingetrokken.",
		"consent_id":                 "Kies de toestemming waaronder dit gebeurt.",
		"question":                   "Schrijf uw vraag aan de behandelaar (hoogstens 4000 tekens).",
		"text":                       "Vul het antwoord van de behandelaar in.",
		"occurred_on":                "Vul een geldige datum in die niet in de toekomst ligt, of laat het leeg.",
		"requester_name":             "Vul de naam van de aanvrager in (hoogstens 200 tekens).",
		"requester_organisation":     "Vul de organisatie van de aanvrager in (hoogstens 200 tekens).",
		"task":                       "Beschrijf de taak van de aanvrager waarvoor de gegevens nodig zijn.",
		"basis":                      "Kies de grondslag: toestemming van de werknemer of een wettelijke plicht.",
		"legal_ground":               "Noem het wetsartikel van de wettelijke plicht (alleen bij een wettelijke plicht).",
		"medical_motivation":         "Vul de medische motivering in (verplicht bij een verzoek van UWV).",
		"labour_motivation":          "Vul de arbeidskundige motivering in (verplicht bij een verzoek van UWV).",
		"decision":                   "Kies of u het verzoek toekent of weigert.",
		"assessment":                 "Toekennen kan alleen als de eerste drie vragen met ‘ja’ zijn beantwoord. Weigeren kan alleen als u ten minste één vraag met ‘nee’ beantwoordt.",
		"interest_outweighs_privacy": "Beantwoord deze vraag.",
		"within_task_needs":          "Beantwoord deze vraag.",
		"no_risk_of_harm":            "Beantwoord deze vraag.",
		"covered_by_rules":           "Beantwoord deze vraag.",
		"disposal":                   "Kies wat er met het dossier hier gebeurt.",
		"algemeen":                   "Niet alles is goed ingevuld.",
	}
	// consentServiceFields map the service's field names to the forms'.
	consentServiceFields = map[string]string{"content": "scan", "content_type": "scan", "assessment.interest_outweighs_privacy": "interest_outweighs_privacy",
		"assessment.within_task_needs": "within_task_needs", "assessment.no_risk_of_harm": "no_risk_of_harm",
		"assessment.covered_by_rules": "covered_by_rules"}
	// consentFieldNames map the service's field names to the forms': those
	// of consentServiceFields, else the same name where the forms have a
	// message for it; any other field goes under "algemeen".
	consentFieldNames = consentNames()
	// consentFields puts the service's field errors on the consent forms.
	consentFields = fieldTable{messages: consentFieldMessages}
)

// consentNames builds consentFieldNames.
func consentNames() map[string]string {
	names := make(map[string]string, len(consentFieldMessages)+len(consentServiceFields))
	for k := range consentFieldMessages {
		names[k] = k
	}
	for k, v := range consentServiceFields {
		if _, ok := consentFieldMessages[v]; ok {
			names[k] = v
		} else {
			delete(names, k)
		}
	}
	return names
}

// consentAssessmentQuestions are the refusal grounds of seed 004 §7 the
// reporting physician answers before deciding a disclosure.
var consentAssessmentQuestions = []consentOption{
	{Value: "interest_outweighs_privacy", Label: "Weegt het belang van de verstrekking zwaarder dan de privacy van de werknemer?"},
	{Value: "within_task_needs", Label: "Vraagt de aanvrager niet meer dan nodig is voor zijn taak?"},
	{Value: "no_risk_of_harm", Label: "Is redelijkerwijs uitgesloten dat de aanvrager de privacy van de werknemer schaadt?"},
	{Value: "covered_by_rules", Label: "Vallen dit verzoek en deze gegevens onder de regels? (Zo nee, dan beslist de hoofd bedrijfsarts.)"},
}

// consentOption is one choice of a select, radio group or check list.
type consentOption struct {
	Value, Label string
	Checked      bool
}

// consentNav is a link of the pages' navigation.
type consentNav struct {
	Href, Label string
	Current     bool
}

// consentPage is what every consent page shows besides its own data: the
// employee whose dossier it is, the navigation and which object's form
// failed (Target).
type consentPage struct {
	EmployeeID string
	Dossier    string
	Nav        []consentNav
	Target     string
	// Physician: the caller decides and transfers (not an assistant).
	Physician bool
	Today     string
}

// newConsentPage returns the common part of a consent page of employee
// emp for actor a; current is the path of the page shown.
func (s *Server) newConsentPage(a access.Actor, emp uuid.UUID, current string) consentPage {
	base := "/arts/medewerkers/" + emp.String()
	p := consentPage{EmployeeID: emp.String(), Dossier: base, Physician: a.Role != access.RoleMedicalAssistant,
		Today: s.employerToday().Format(time.DateOnly)}
	for _, n := range []consentNav{{base + "/toestemmingen", "Toestemmingen", false}, {base + "/informatieverzoeken", "Informatieverzoeken", false},
		{base + "/verstrekkingen", "Verstrekkingen", false}, {base + "/overdrachten", "Overdrachten", false}} {
		n.Current = n.Href == base+"/"+current
		p.Nav = append(p.Nav, n)
	}
	return p
}

// consentPathIDs returns the employee id ({id}) and the id of the object
// the route names by param; a malformed id is derrors.ErrNotFound.
func consentPathIDs(r *http.Request, param string) (uuid.UUID, uuid.UUID, error) {
	emp, err := pathUUID(r)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	id, ok := access.ParseID(r.PathValue(param))
	if !ok {
		return uuid.Nil, uuid.Nil, derrors.ErrNotFound
	}
	return emp, id, nil
}

// consentState is how a consent page is shown: after a failed post, its
// status, message, field errors, kept values and the object whose form
// failed; else a notice.
type consentState struct {
	status int
	err    string
	notice string
	fields map[string]string
	form   map[string]string
	multi  map[string][]string
	target string
}

// consentFailed turns the error of a service call after a post into the
// page's state: field errors (400), a step the consent does not allow
// (422, with the reason), a state conflict (409) or a refusal to a caller
// who sees the object (403), each with its message; any other error is
// returned as it is (the 404 page, or the internal error).
func consentFailed(err error, st *consentState) error {
	var fe derrors.FieldErrors
	var ce *consent.ConsentError
	switch {
	case errors.As(err, &fe):
		st.status = http.StatusBadRequest
		consentFields.put(err, consentFieldNames, st.fields)
		st.err = pageErrorOf(derrors.ErrInvalid).message + " Er is niets opgeslagen."
	case errors.As(err, &ce):
		st.status = http.StatusUnprocessableEntity
		reason, ok := consentRefusals[ce.Reason]
		if !ok {
			reason = "De toestemming van de werknemer laat dit niet toe."
		}
		st.err = reason + " Er is niets opgeslagen."
	case errors.Is(err, derrors.ErrConflict):
		st.status = http.StatusConflict
		st.err = "Dit kan nu niet meer: de gegevens zijn intussen veranderd (al getekend, al besloten, al ingetrokken of al overgedragen). Laad de pagina opnieuw. Er is niets opgeslagen."
	case errors.Is(err, derrors.ErrForbidden):
		st.status = http.StatusForbidden
		st.err = "Dit mag u niet doen. Een verzoek dat niet onder de regels valt, beslist de hoofd bedrijfsarts. Er is niets opgeslagen."
	default:
		return err
	}
	return nil
}

// newConsentState returns the state of a page after a post with the form
// f (the values to show again).
func newConsentState(f form, target string) consentState {
	return consentState{status: http.StatusBadRequest, fields: f.fields, form: f.values, multi: map[string][]string{}, target: target}
}

// consentView builds the page's view from st.
func (st consentState) view(title string, data any) view {
	v := view{Title: title, Error: st.err, Notice: st.notice, Fields: st.fields, Form: st.form, Data: data}
	if len(st.fields) > 0 && v.Error == "" {
		v.Error = pageErrorOf(derrors.ErrInvalid).message + " Er is niets opgeslagen."
	}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	return v
}

// consentNotice is the notice of a page after a post that succeeded
// (?gedaan=...).
func consentNotice(r *http.Request, notices map[string]string) consentState {
	return consentState{status: http.StatusOK, notice: notices[r.URL.Query().Get("gedaan")]}
}

// redirectDone redirects (303) to the page path of employee emp with the
// notice code done.
func redirectDone(w http.ResponseWriter, r *http.Request, emp uuid.UUID, page, done string, extra url.Values) {
	q := url.Values{"gedaan": {done}}
	for k, v := range extra {
		q[k] = v
	}
	http.Redirect(w, r, "/arts/medewerkers/"+emp.String()+"/"+page+"?"+q.Encode(), http.StatusSeeOther)
}

// consentShow renders a consent page of employee emp in a state.
type consentShow func(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error

// consentListPage is the GET of a consent page of employee {id}: show,
// with the notice of the post that led here (?gedaan=...).
func (s *Server) consentListPage(show consentShow, notices map[string]string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		emp, err := pathUUID(r)
		if err != nil {
			return err
		}
		return show(w, r, a, emp, consentNotice(r, notices))
	}
}

// consentPost ends a post on a consent page of employee emp whose form is
// in st: without field errors it calls call, and when that succeeds
// redirects (303) to page with the notice done. Field errors, or a
// failure of call that consentFailed turns into the page's state, show
// the page again (show); any other error of call is returned.
func (s *Server) consentPost(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState,
	show consentShow, page, done string, call func() error) error {
	if len(st.fields) == 0 {
		err := call()
		if err == nil {
			redirectDone(w, r, emp, page, done, nil)
			return nil
		}
		if err := consentFailed(err, &st); err != nil {
			return err
		}
	}
	return show(w, r, a, emp, st)
}

// consentDate reads an optional or required date field of f.
func consentDate(f form, name string, required bool) time.Time {
	t := employerDate(f, name, required)
	if msg, ok := f.fields[name]; ok && msg != "" {
		f.fields[name] = consentFieldMessages[name]
	}
	return t
}

// scopeOf reads the scope fields of a post (scope_kinds, scope_from,
// scope_to) into f's errors and returns the scope.
func scopeOf(r *http.Request, f form) consent.Scope {
	var sc consent.Scope
	for _, k := range r.PostForm["scope_kinds"] {
		sc.Kinds = append(sc.Kinds, dossier.EntryKind(k))
	}
	sc.From, sc.To = consentDate(f, "scope_from", false), consentDate(f, "scope_to", false)
	return sc
}

// kindOptions are the releasable entry kinds as check boxes, chosen
// checked.
func kindOptions(chosen []string) []consentOption {
	var out []consentOption
	for _, k := range dossier.ReleasableKinds() {
		label, ok := consent.KindLabels[k]
		if !ok {
			continue
		}
		out = append(out, consentOption{Value: string(k), Label: label, Checked: slices.Contains(chosen, string(k))})
	}
	return out
}

func recipientOptions() []consentOption {
	out := make([]consentOption, 0, len(consentRecipientOrder))
	for _, k := range consentRecipientOrder {
		out = append(out, consentOption{Value: string(k), Label: consentRecipientNames[k]})
	}
	return out
}

func purposeOptions() []consentOption {
	out := make([]consentOption, 0, len(consentPurposeOrder))
	for _, p := range consentPurposeOrder {
		out = append(out, consentOption{Value: string(p), Label: consentPurposeNames[p]})
	}
	return out
}

// describeScope says a scope in Dutch with Dutch dates.
func describeScope(sc consent.Scope) string {
	kinds := make([]string, 0, len(sc.Kinds))
	for _, k := range sc.Kinds {
		if l, ok := consent.KindLabels[k]; ok {
			kinds = append(kinds, l)
		} else {
			kinds = append(kinds, string(k))
		}
	}
	out := strings.Join(kinds, ", ")
	switch {
	case !sc.From.IsZero() && !sc.To.IsZero():
		out += " van " + Date(sc.From) + " tot en met " + Date(sc.To)
	case !sc.From.IsZero():
		out += " vanaf " + Date(sc.From)
	case !sc.To.IsZero():
		out += " tot en met " + Date(sc.To)
	}
	return out
}

// partyName writes a party as "name, organisation".
func partyName(p consent.Party) string {
	if p.Organisation == "" {
		return p.Name
	}
	return p.Name + ", " + p.Organisation
}

// ---- Consents ----

// consentRow is one consent on the page.
type consentRow struct {
	ID, Recipient, RecipientKind, Purpose, PurposeText, Scope, Expires, Status string
	Prepared, Signed, Valid                                                    bool
}

// consentsData is the consents page's data.
type consentsData struct {
	consentPage
	Consents   []consentRow
	Kinds      []consentOption
	Recipients []consentOption
	Purposes   []consentOption
	// New is the consent just prepared: its form to download.
	New string
}

// consentRowOf describes consent c on today.
func consentRowOf(c consent.Consent, today time.Time) consentRow {
	row := consentRow{ID: c.ID.String(), Recipient: partyName(c.Recipient), RecipientKind: consentRecipientNames[c.RecipientKind],
		Purpose: consentPurposeNames[c.Purpose], PurposeText: c.PurposeText, Scope: describeScope(c.Scope), Expires: Date(c.ExpiresOn),
		Prepared: c.Status == consent.StatusPrepared, Signed: c.Status == consent.StatusSigned, Valid: c.Valid(today)}
	switch {
	case c.Status == consent.StatusPrepared:
		row.Status = "Voorbereid op " + Day(c.PreparedAt) + ", nog niet getekend"
	case c.Status == consent.StatusRevoked:
		row.Status = "Ingetrokken op " + Day(c.RevokedAt)
	case !row.Valid:
		row.Status = "Verlopen op " + Date(c.ExpiresOn)
	case c.SignedVia == "paper":
		row.Status = "Geldig: op papier getekend op " + Date(c.SignedOn)
	default:
		row.Status = "Geldig: in het portaal getekend op " + Date(c.SignedOn)
	}
	return row
}

// consentsNotices are the consents page's notices after a post.
var consentsNotices = map[string]string{
	"voorbereid":  "De toestemming is voorbereid. Heeft de werknemer een account, dan kan hij of zij de toestemming ook in het portaal geven. Of download het formulier, laat het tekenen en sla hieronder de scan op.",
	"getekend":    "Het getekende formulier is opgeslagen. De toestemming geldt nu.",
	"ingetrokken": "De toestemming is ingetrokken. Vanaf nu wordt er niets meer op verstrekt.",
}

// consentsPage lists the consents of the employee's dossier with the form
// to prepare one.
func (s *Server) consentsPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	st := consentNotice(r, consentsNotices)
	st.form = map[string]string{"expires_on": s.employerToday().AddDate(0, 3, 0).Format(time.DateOnly)}
	return s.showConsents(w, r, a, emp, st)
}

// showConsents renders the consents page in state st.
func (s *Server) showConsents(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error {
	cs, err := s.opts.Consents.Consents.List(r.Context(), a, emp)
	if err != nil {
		return err
	}
	today := s.employerToday()
	d := consentsData{consentPage: s.newConsentPage(a, emp, "toestemmingen"), Kinds: kindOptions(st.multi["scope_kinds"]),
		Recipients: recipientOptions(), Purposes: purposeOptions()}
	d.Target = st.target
	for i := len(cs) - 1; i >= 0; i-- {
		d.Consents = append(d.Consents, consentRowOf(cs[i], today))
	}
	if id, ok := access.ParseID(r.URL.Query().Get("toestemming")); ok && st.status == http.StatusOK {
		for _, c := range cs {
			if c.ID == id && c.Status == consent.StatusPrepared {
				d.New = id.String()
			}
		}
	}
	s.render(w, r, st.status, "arts_toestemmingen.html", st.view("Toestemmingen", d))
	return nil
}

// consentFormNames are the fields of the form that prepares a consent.
var consentFormNames = []string{"recipient_kind", "recipient_name", "recipient_organisation", "purpose", "purpose_text",
	"scope_from", "scope_to", "expires_on"}

// prepareConsent prepares a consent from the posted form and goes to the
// list, where its form can be downloaded.
func (s *Server) prepareConsent(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, consentFormNames...)
	st := newConsentState(f, "")
	st.multi["scope_kinds"] = r.PostForm["scope_kinds"]
	in := consent.NewConsent{RecipientKind: consent.RecipientKind(f.get("recipient_kind")),
		Recipient: consent.Party{Name: strings.TrimSpace(f.get("recipient_name")), Organisation: strings.TrimSpace(f.get("recipient_organisation"))},
		Purpose:   consent.Purpose(f.get("purpose")), PurposeText: strings.TrimSpace(f.get("purpose_text")), Scope: scopeOf(r, f),
		ExpiresOn: consentDate(f, "expires_on", true)}
	f.require(map[string]string{"recipient_kind": consentFieldMessages["recipient_kind"], "purpose": consentFieldMessages["purpose"],
		"recipient_name": consentFieldMessages["recipient_name"], "recipient_organisation": consentFieldMessages["recipient_organisation"]})
	if len(in.Scope.Kinds) == 0 {
		f.fields["scope_kinds"] = consentFieldMessages["scope_kinds"]
	}
	if len(f.fields) == 0 {
		c, err := s.opts.Consents.Consents.Prepare(r.Context(), a, emp, in)
		if err == nil {
			redirectDone(w, r, emp, "toestemmingen", "voorbereid", url.Values{"toestemming": {c.ID.String()}})
			return nil
		}
		if err := consentFailed(err, &st); err != nil {
			return err
		}
	}
	return s.showConsents(w, r, a, emp, st)
}

// consentFormPDF downloads the consent form to print and have signed.
func (s *Server) consentFormPDF(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "consent")
	if err != nil {
		return err
	}
	b, err := s.opts.Consents.Consents.Form(r.Context(), a, emp, id)
	if err != nil {
		return err
	}
	download(w, "toestemming-"+id.String()+".pdf", "application/pdf", b)
	return nil
}

// maxScanBytes is the largest scan of a paper form the portal takes.
func (s *Server) maxScanBytes() int {
	if n := s.opts.Consents.MaxScanBytes; n > 0 {
		return n
	}
	return 1 << 20
}

// paperUpload is a parsed upload of a signed paper form.
type paperUpload struct {
	SignedOn string
	Scan     dossier.Attachment
}

// maxPaperFieldBytes bounds a text part of the paper form.
const maxPaperFieldBytes = 64

// readPaperUpload reads the multipart post of a signed paper form from
// body (of the Content-Type contentType): its signed_on date and its scan
// (the part "scan", at most max bytes, with the content type the browser
// gave it). Everything is read into memory, never to disk. A problem is
// a field error in fields (signed_on, scan); a body that is not a
// multipart form, or too large, is the field error of scan.
func readPaperUpload(body io.Reader, contentType string, max int, fields map[string]string) paperUpload {
	var out paperUpload
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		fields["scan"] = consentFieldMessages["scan"]
		fields["signed_on"] = consentFieldMessages["signed_on"]
		return out
	}
	mr := multipart.NewReader(body, params["boundary"])
	seenScan := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fields["scan"] = consentFieldMessages["scan"]
			return out
		}
		switch p.FormName() {
		case "signed_on":
			b, err := io.ReadAll(io.LimitReader(p, maxPaperFieldBytes+1))
			if err != nil || len(b) > maxPaperFieldBytes {
				fields["signed_on"] = consentFieldMessages["signed_on"]
			} else {
				out.SignedOn = strings.TrimSpace(string(b))
			}
		case "scan":
			if seenScan {
				fields["scan"] = consentFieldMessages["scan"]
				continue
			}
			seenScan = true
			b, err := io.ReadAll(io.LimitReader(p, int64(max)+1))
			if err != nil || len(b) > max {
				fields["scan"] = consentFieldMessages["scan"]
				continue
			}
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			out.Scan = dossier.Attachment{ContentType: ct, Content: b}
		default:
			// Unknown parts are read past, within the body's limit.
			if _, err := io.Copy(io.Discard, p); err != nil {
				fields["scan"] = consentFieldMessages["scan"]
				return out
			}
		}
	}
	if len(out.Scan.Content) == 0 && fields["scan"] == "" {
		fields["scan"] = consentFieldMessages["scan"]
	}
	return out
}

// registerPaperConsent records that the employee signed a prepared consent
// on paper: the date and the scan of the form, a multipart post read into
// memory within a size limit, as the API's paper route.
func (s *Server) registerPaperConsent(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "consent")
	if err != nil {
		return err
	}
	f := form{values: map[string]string{}, fields: map[string]string{}}
	r.Body = http.MaxBytesReader(w, r.Body, int64(s.maxScanBytes())+64<<10)
	up := readPaperUpload(r.Body, r.Header.Get("Content-Type"), s.maxScanBytes(), f.fields)
	f.values["signed_on"] = up.SignedOn
	signedOn := consentDate(f, "signed_on", true)
	st := newConsentState(f, id.String())
	return s.consentPost(w, r, a, emp, st, s.showConsents, "toestemmingen", "getekend", func() error {
		_, err := s.opts.Consents.Consents.RegisterPaper(r.Context(), a, emp, id, signedOn, up.Scan)
		clear(up.Scan.Content)
		return err
	})
}

// revokeConsentForEmployee revokes a consent the employee withdrew (by
// letter or at the consultation), once the physician confirms it.
func (s *Server) revokeConsentForEmployee(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "consent")
	if err != nil {
		return err
	}
	f := employerForm(r, "bevestig")
	st := newConsentState(f, id.String())
	if f.get("bevestig") != "ja" {
		f.fields["bevestig"] = consentFieldMessages["bevestig"]
	}
	return s.consentPost(w, r, a, emp, st, s.showConsents, "toestemmingen", "ingetrokken", func() error {
		_, err := s.opts.Consents.Consents.Revoke(r.Context(), a, emp, id)
		return err
	})
}

// ---- Information requests ----

// informationRow is one information request on the page.
type informationRow struct {
	ID, Question, Consent, AskedAt, AnsweredAt string
	Answered                                   bool
}

// informationData is the information requests page's data.
type informationData struct {
	consentPage
	Requests []informationRow
	// Askable are the consents a request may be sent under.
	Askable []consentOption
}

// consentChoice is consent c as a choice of a form's select: label, and
// the day it ends.
func consentChoice(c consent.Consent, label string) consentOption {
	return consentOption{Value: c.ID.String(), Label: label + " (geldig tot en met " + Date(c.ExpiresOn) + ")"}
}

// askableConsent reports whether c allows an information request today:
// a treating physician or specialist, for treatment information, valid.
// The service decides; this only fills the page's choice.
func askableConsent(c consent.Consent, today time.Time) bool {
	return (c.RecipientKind == consent.RecipientTreatingPhysician || c.RecipientKind == consent.RecipientSpecialist) &&
		c.Purpose == consent.PurposeTreatmentInformation && c.Valid(today)
}

var informationNotices = map[string]string{
	"verstuurd":  "Het informatieverzoek is opgeslagen. Stuur de vraag met het getekende formulier naar de behandelaar.",
	"beantwoord": "Het antwoord is opgeslagen als ‘informatie van behandelaar’ in het dossier.",
}

// showInformation lists the information requests with the form to send
// one under a signed consent and, per open request, the form for the
// answer.
func (s *Server) showInformation(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error {
	svc := s.opts.Consents.Consents
	rs, err := svc.InformationRequests(r.Context(), a, emp)
	if err != nil {
		return err
	}
	cs, err := svc.List(r.Context(), a, emp)
	if err != nil {
		return err
	}
	today := s.employerToday()
	d := informationData{consentPage: s.newConsentPage(a, emp, "informatieverzoeken")}
	d.Target = st.target
	names := map[uuid.UUID]string{}
	for _, c := range cs {
		names[c.ID] = partyName(c.Recipient)
		if askableConsent(c, today) {
			d.Askable = append(d.Askable, consentChoice(c, partyName(c.Recipient)))
		}
	}
	for i := len(rs) - 1; i >= 0; i-- {
		q := rs[i]
		d.Requests = append(d.Requests, informationRow{ID: q.ID.String(), Question: q.Question, Consent: names[q.ConsentID],
			AskedAt: Day(q.AskedAt), AnsweredAt: Day(q.AnsweredAt), Answered: !q.AnsweredAt.IsZero()})
	}
	s.render(w, r, st.status, "arts_informatieverzoeken.html", st.view("Informatieverzoeken", d))
	return nil
}

// askInformation records an information request to the treating physician
// under the chosen consent.
func (s *Server) askInformation(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "consent_id", "question")
	st := newConsentState(f, "")
	f.require(map[string]string{"consent_id": consentFieldMessages["consent_id"], "question": consentFieldMessages["question"]})
	consentID, ok := access.ParseID(f.get("consent_id"))
	if !ok && f.fields["consent_id"] == "" {
		f.fields["consent_id"] = consentFieldMessages["consent_id"]
	}
	return s.consentPost(w, r, a, emp, st, s.showInformation, "informatieverzoeken", "verstuurd", func() error {
		_, err := s.opts.Consents.Consents.Ask(r.Context(), a, emp, consentID, f.get("question"))
		return err
	})
}

// answerInformation files the treating physician's answer to a request.
func (s *Server) answerInformation(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "verzoek")
	if err != nil {
		return err
	}
	f := employerForm(r, "text", "occurred_on")
	st := newConsentState(f, id.String())
	f.require(map[string]string{"text": consentFieldMessages["text"]})
	on := consentDate(f, "occurred_on", false)
	return s.consentPost(w, r, a, emp, st, s.showInformation, "informatieverzoeken", "beantwoord", func() error {
		_, _, err := s.opts.Consents.Consents.Answer(r.Context(), a, emp, id, f.get("text"), on)
		return err
	})
}

// ---- Disclosures ----

// disclosureRow is one disclosure request on the page.
type disclosureRow struct {
	ID, Requester, Task, RecipientKind, Purpose, Scope, Basis, Status string
	MedicalMotivation, LabourMotivation, RegisteredAt, DecidedAt      string
	Received, Granted                                                 bool
	Answers                                                           []consentOption
}

// disclosuresData is the disclosures page's data.
type disclosuresData struct {
	consentPage
	Disclosures []disclosureRow
	Questions   []consentOption
}

var disclosureStatusNames = map[consent.DisclosureStatus]string{
	consent.DisclosureReceived: "Ontvangen, nog niet besloten", consent.DisclosureGranted: "Toegekend",
	consent.DisclosureRefused: "Geweigerd",
}

var disclosuresNotices = map[string]string{
	"geregistreerd": "Het verzoek is geregistreerd. Beoordeel het hieronder en neem een besluit.",
	"toegekend":     "Het verzoek is toegekend. U kunt de gegevens nu exporteren.",
	"geweigerd":     "Het verzoek is geweigerd. Er wordt niets verstrekt.",
}

// yesNo says a boolean answer in Dutch.
func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nee"
}

// showDisclosures lists the disclosure requests, with the checklist to
// decide each one still open, and the exports of those granted.
func (s *Server) showDisclosures(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error {
	svc := s.opts.Consents.Consents
	xs, err := svc.Disclosures(r.Context(), a, emp)
	if err != nil {
		return err
	}
	cs, err := svc.List(r.Context(), a, emp)
	if err != nil {
		return err
	}
	names := map[uuid.UUID]string{}
	for _, c := range cs {
		names[c.ID] = partyName(c.Recipient)
	}
	d := disclosuresData{consentPage: s.newConsentPage(a, emp, "verstrekkingen"), Questions: consentAssessmentQuestions}
	d.Target = st.target
	for i := len(xs) - 1; i >= 0; i-- {
		x := xs[i]
		row := disclosureRow{ID: x.ID.String(), Requester: partyName(x.Requester), Task: x.Task,
			RecipientKind: consentRecipientNames[x.RecipientKind], Purpose: consentPurposeNames[x.Purpose], Scope: describeScope(x.Scope),
			Status: disclosureStatusNames[x.Status], MedicalMotivation: x.MedicalMotivation, LabourMotivation: x.LabourMotivation,
			RegisteredAt: Day(x.RegisteredAt), DecidedAt: Day(x.DecidedAt), Received: x.Status == consent.DisclosureReceived,
			Granted: x.Status == consent.DisclosureGranted}
		if x.Basis == consent.BasisLegalDuty {
			row.Basis = "Wettelijke plicht: " + x.LegalGround
		} else {
			row.Basis = "Toestemming van de werknemer voor " + names[x.ConsentID]
		}
		if as := x.Assessment; as != nil {
			for i, v := range []bool{as.InterestOutweighsPrivacy, as.WithinTaskNeeds, as.NoRiskOfHarm, as.CoveredByRules} {
				row.Answers = append(row.Answers, consentOption{Value: yesNo(v), Label: consentAssessmentQuestions[i].Label})
			}
		}
		d.Disclosures = append(d.Disclosures, row)
	}
	s.render(w, r, st.status, "arts_verstrekkingen.html", st.view("Verstrekkingen", d))
	return nil
}

// newDisclosureData is the data of the form that registers a disclosure
// request.
type newDisclosureData struct {
	consentPage
	Kinds      []consentOption
	Recipients []consentOption
	Purposes   []consentOption
	Consents   []consentOption
}

// newDisclosurePage shows the form to register a third party's request.
func (s *Server) newDisclosurePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.showNewDisclosure(w, r, a, emp, consentState{status: http.StatusOK})
}

func (s *Server) showNewDisclosure(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error {
	cs, err := s.opts.Consents.Consents.List(r.Context(), a, emp)
	if err != nil {
		return err
	}
	today := s.employerToday()
	d := newDisclosureData{consentPage: s.newConsentPage(a, emp, "verstrekkingen"), Kinds: kindOptions(st.multi["scope_kinds"]),
		Recipients: recipientOptions(), Purposes: purposeOptions()}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if c.Valid(today) {
			d.Consents = append(d.Consents, consentChoice(c, partyName(c.Recipient)+" – "+consentPurposeNames[c.Purpose]))
		}
	}
	s.render(w, r, st.status, "arts_verstrekking_nieuw.html", st.view("Verzoek om gegevens registreren", d))
	return nil
}

// disclosureFormNames are the fields of the form that registers a
// disclosure request.
var disclosureFormNames = []string{"requester_name", "requester_organisation", "task", "recipient_kind", "purpose",
	"scope_from", "scope_to", "basis", "consent_id", "legal_ground", "medical_motivation", "labour_motivation"}

// registerDisclosure registers a third party's request for data with its
// basis and goes to the list to decide it.
func (s *Server) registerDisclosure(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, disclosureFormNames...)
	st := newConsentState(f, "")
	st.multi["scope_kinds"] = r.PostForm["scope_kinds"]
	in := consent.NewDisclosure{
		Requester: consent.Party{Name: strings.TrimSpace(f.get("requester_name")), Organisation: strings.TrimSpace(f.get("requester_organisation"))},
		Task:      strings.TrimSpace(f.get("task")), RecipientKind: consent.RecipientKind(f.get("recipient_kind")),
		Purpose: consent.Purpose(f.get("purpose")), Scope: scopeOf(r, f), Basis: consent.Basis(f.get("basis")),
		MedicalMotivation: strings.TrimSpace(f.get("medical_motivation")), LabourMotivation: strings.TrimSpace(f.get("labour_motivation"))}
	f.require(map[string]string{"requester_name": consentFieldMessages["requester_name"],
		"requester_organisation": consentFieldMessages["requester_organisation"], "task": consentFieldMessages["task"],
		"recipient_kind": consentFieldMessages["recipient_kind"], "purpose": consentFieldMessages["purpose"],
		"basis": consentFieldMessages["basis"]})
	if len(in.Scope.Kinds) == 0 {
		f.fields["scope_kinds"] = consentFieldMessages["scope_kinds"]
	}
	// Only the field of the chosen basis counts: the other may hold what
	// was typed before the choice changed.
	switch in.Basis {
	case consent.BasisConsent:
		id, ok := access.ParseID(f.get("consent_id"))
		if !ok {
			f.fields["consent_id"] = consentFieldMessages["consent_id"]
		}
		in.ConsentID = id
	case consent.BasisLegalDuty:
		in.LegalGround = strings.TrimSpace(f.get("legal_ground"))
		if in.LegalGround == "" {
			f.fields["legal_ground"] = consentFieldMessages["legal_ground"]
		}
	}
	return s.consentPost(w, r, a, emp, st, s.showNewDisclosure, "verstrekkingen", "geregistreerd", func() error {
		_, err := s.opts.Consents.Consents.RegisterDisclosure(r.Context(), a, emp, in)
		return err
	})
}

// decideDisclosure records the decision on a request with the answer to
// each refusal ground.
func (s *Server) decideDisclosure(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "verstrekking")
	if err != nil {
		return err
	}
	names := []string{"decision"}
	for _, q := range consentAssessmentQuestions {
		names = append(names, q.Value)
	}
	f := employerForm(r, names...)
	st := newConsentState(f, id.String())
	answers := map[string]bool{}
	for _, q := range consentAssessmentQuestions {
		switch f.get(q.Value) {
		case "ja":
			answers[q.Value] = true
		case "nee":
		default:
			f.fields[q.Value] = consentFieldMessages[q.Value]
		}
	}
	decision := f.get("decision")
	if decision != "grant" && decision != "refuse" {
		f.fields["decision"] = consentFieldMessages["decision"]
	}
	done := "geweigerd"
	if decision == "grant" {
		done = "toegekend"
	}
	return s.consentPost(w, r, a, emp, st, s.showDisclosures, "verstrekkingen", done, func() error {
		as := consent.Assessment{InterestOutweighsPrivacy: answers["interest_outweighs_privacy"], WithinTaskNeeds: answers["within_task_needs"],
			NoRiskOfHarm: answers["no_risk_of_harm"], CoveredByRules: answers["covered_by_rules"]}
		_, err := s.opts.Consents.Consents.DecideDisclosure(r.Context(), a, emp, id, decision == "grant", as)
		return err
	})
}

// exportDisclosure downloads what a granted disclosure releases, as JSON
// or PDF (the service records the export).
func (s *Server) exportDisclosure(f consent.Format) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		emp, id, err := consentPathIDs(r, "verstrekking")
		if err != nil {
			return err
		}
		b, err := s.opts.Consents.Consents.Export(r.Context(), a, emp, id, f)
		if err != nil {
			return err
		}
		ct := "application/json"
		if f == consent.FormatPDF {
			ct = "application/pdf"
		}
		download(w, "verstrekking-"+id.String()+"."+string(f), ct, b)
		return nil
	}
}

// ---- Transfers ----

// transferRow is one transfer on the page.
type transferRow struct {
	ID, Recipient, PreparedAt, ExportedAt, PackageSHA256, HandedOverAt, Disposal string
	Exported, HandedOver                                                         bool
}

// transfersData is the transfers page's data.
type transfersData struct {
	consentPage
	Transfers []transferRow
	// Consents are the valid consents to a transfer.
	Consents []consentOption
}

var transfersNotices = map[string]string{
	"voorbereid":   "De overdracht is voorbereid. Download het pakket en geef het aan de nieuwe arbodienst.",
	"overgedragen": "De overdracht is vastgelegd.",
}

var disposalNames = map[string]string{"close": "het dossier is hier gesloten en blijft bewaard zolang de wet dat vraagt",
	"destroy": "het dossier wordt hier vernietigd"}

// showTransfers lists the transfers of the dossier with the form to
// prepare one under a signed consent to the transfer.
func (s *Server) showTransfers(w http.ResponseWriter, r *http.Request, a access.Actor, emp uuid.UUID, st consentState) error {
	svc := s.opts.Consents.Consents
	ts, err := svc.Transfers(r.Context(), a, emp)
	if err != nil {
		return err
	}
	cs, err := svc.List(r.Context(), a, emp)
	if err != nil {
		return err
	}
	today := s.employerToday()
	d := transfersData{consentPage: s.newConsentPage(a, emp, "overdrachten")}
	d.Target = st.target
	for _, c := range cs {
		if c.RecipientKind == consent.RecipientOHS && c.Purpose == consent.PurposeTransfer && c.Valid(today) {
			d.Consents = append(d.Consents, consentChoice(c, partyName(c.Recipient)))
		}
	}
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		d.Transfers = append(d.Transfers, transferRow{ID: t.ID.String(), Recipient: partyName(t.Recipient), PreparedAt: Day(t.PreparedAt),
			ExportedAt: DateTime(t.ExportedAt), PackageSHA256: t.PackageSHA256, HandedOverAt: Day(t.HandedOverAt),
			Disposal: disposalNames[t.Disposal], Exported: !t.ExportedAt.IsZero(), HandedOver: !t.HandedOverAt.IsZero()})
	}
	s.render(w, r, st.status, "arts_overdrachten.html", st.view("Overdrachten", d))
	return nil
}

// prepareTransfer prepares a transfer under the chosen consent.
func (s *Server) prepareTransfer(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "consent_id")
	st := newConsentState(f, "")
	id, ok := access.ParseID(f.get("consent_id"))
	if !ok {
		f.fields["consent_id"] = consentFieldMessages["consent_id"]
	}
	return s.consentPost(w, r, a, emp, st, s.showTransfers, "overdrachten", "voorbereid", func() error {
		_, err := s.opts.Consents.Consents.PrepareTransfer(r.Context(), a, emp, id)
		return err
	})
}

// transferPackage downloads the transfer's package (ZIP). It is built in
// memory first, so that a package the service could not finish (or
// record) is never sent.
func (s *Server) transferPackage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "overdracht")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.opts.Consents.Consents.Package(r.Context(), a, emp, id, &buf); err != nil {
		return err
	}
	download(w, "overdracht-"+id.String()+".zip", "application/zip", buf.Bytes())
	return nil
}

// handOver records that the package was handed over, and what becomes of
// the dossier here.
func (s *Server) handOver(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	emp, id, err := consentPathIDs(r, "overdracht")
	if err != nil {
		return err
	}
	f := employerForm(r, "disposal")
	st := newConsentState(f, id.String())
	if d := f.get("disposal"); d != "close" && d != "destroy" {
		f.fields["disposal"] = consentFieldMessages["disposal"]
	}
	return s.consentPost(w, r, a, emp, st, s.showTransfers, "overdrachten", "overgedragen", func() error {
		_, err := s.opts.Consents.Consents.HandOver(r.Context(), a, emp, id, f.get("disposal"))
		return err
	})
}
