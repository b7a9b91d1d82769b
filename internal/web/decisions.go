package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// DecisionServices are the domain services of the physician's decisions: verdicts, examination outcomes and work-ability advice with a preview per audience; deciding, releasing and extending requests; destruction; the lead physician's release for an absent physician and the unattended request queue.
type DecisionServices struct {
	// Names names the employees a page shows (postgres.Directory). A page
	// asks only after a read of that person that its service audited (the
	// verdicts, the advice, the request, or the queue's list read, which
	// lists every person shown).
	Names interface {
		EmployeeName(ctx context.Context, employeeID uuid.UUID) (string, error)
	}
	// Absences lists the employee's cases, to link a verdict or an advice
	// to the open one (absence.Service).
	Absences interface {
		ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]absence.Absence, error)
	}
	// Fitness records verdicts and publishes advice (fitness.Service).
	Fitness interface {
		Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, v fitness.Verdict) (fitness.Verdict, error)
		Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
		Publish(ctx context.Context, a access.Actor, employeeID uuid.UUID, adv fitness.Advice) (fitness.Advice, error)
		AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
		Recipients(ctx context.Context, a access.Actor, employeeID uuid.UUID) (fitness.Recipients, error)
	}
	// Requests is the register of rights requests (rights.Requests).
	Requests interface {
		Queue(ctx context.Context, a access.Actor) ([]rights.Request, error)
		Unattended(ctx context.Context, a access.Actor) ([]rights.Request, error)
		Get(ctx context.Context, a access.Actor, id uuid.UUID) (rights.RegisterEntry, error)
		Decide(ctx context.Context, a access.Actor, id uuid.UUID, d rights.Decision) (rights.Request, error)
		Extend(ctx context.Context, a access.Actor, id uuid.UUID, months int, reason string) (rights.Request, error)
	}
	// Releases releases a snapshot of the dossier (rights.Releases).
	Releases interface {
		ReleaseEntries(ctx context.Context, a access.Actor, requestID uuid.UUID, chosen []uuid.UUID) (rights.Release, error)
	}
	// Entries reads the dossier's entries to choose and preview a release
	// (dossier.Entries).
	Entries interface {
		List(ctx context.Context, a access.Actor, employeeID uuid.UUID, limit int, after *dossier.EntryCursor) ([]dossier.Entry, error)
	}
	// Destructions reviews and decides destruction requests
	// (rights.Destructions).
	Destructions interface {
		Review(ctx context.Context, a access.Actor, requestID uuid.UUID) (rights.DestructionReview, error)
		DecidedStatement(ctx context.Context, a access.Actor, requestID uuid.UUID) ([]byte, error)
		Decide(ctx context.Context, a access.Actor, requestID uuid.UUID, d rights.DestructionDecision) (rights.Request, dossier.Destruction, error)
	}
}

// decisionPageNames are the templates of the physician's decisions.
var decisionPageNames = []string{"arts_besluit_oordeel.html", "arts_besluit_advies.html", "arts_besluit_advies_voorbeeld.html",
	"arts_verzoek_lijst.html", "arts_verzoek.html", "arts_verzoek_vrijgave.html"}

func init() {
	pageNames = append(pageNames, decisionPageNames...)
	funcs["blootstelling"] = func(a dossier.Agent) string {
		if n, ok := decisionAgentNames[a]; ok {
			return n
		}
		return string(a)
	}
}

// decisionAgentNames are the exposures that carry a retention duty, in
// Dutch.
var decisionAgentNames = map[dossier.Agent]string{
	dossier.AgentCarcinogen: "Kankerverwekkende stoffen", dossier.AgentBiological: "Biologische agentia",
	dossier.AgentIonisingRadiation: "Ioniserende straling",
}

// decisionRoutes registers the physician's decisions: verdicts, examination outcomes and work-ability advice with a preview per audience; deciding, releasing and extending requests; destruction; the lead physician's release for an absent physician and the unattended request queue.
func (s *Server) decisionRoutes() {
	if s.opts.Decisions.Fitness == nil || s.opts.Decisions.Requests == nil {
		return
	}
	s.handle("GET /arts/medewerkers/{id}/oordeel", s.allow("verdicts", "create", s.decisionVerdictPage))
	s.handle("POST /arts/medewerkers/{id}/oordeel", s.allow("verdicts", "create", s.decisionRecordVerdict))
	s.handle("GET /arts/medewerkers/{id}/advies", s.allow("advice", "publish", s.decisionAdvicePage))
	s.handle("POST /arts/medewerkers/{id}/advies/voorbeeld", s.allow("advice", "publish", s.decisionAdvicePreview))
	s.handle("POST /arts/medewerkers/{id}/advies", s.allow("advice", "publish", s.decisionPublishAdvice))
	s.handle("GET /arts/verzoeken", s.loggedIn(s.authorized("requests", "read", decisionPhysician, s.decisionQueue)))
	s.handle("GET /arts/verzoeken/{id}", s.physicianOnly("requests", "read", s.decisionRequestPage))
	s.handle("POST /arts/verzoeken/{id}/besluit", s.physicianOnly("requests", "decide", s.decisionDecide))
	s.handle("POST /arts/verzoeken/{id}/verlenging", s.physicianOnly("requests", "extend", s.decisionExtend))
	s.handle("POST /arts/verzoeken/{id}/vrijgeven/voorbeeld", s.allow("requests", "release", s.decisionReleasePreview))
	s.handle("POST /arts/verzoeken/{id}/vrijgeven", s.allow("requests", "release", s.decisionRelease))
	s.handle("POST /arts/verzoeken/{id}/vernietiging", s.allow("requests", "destroy", s.decisionDestroy))
	s.handle("GET /arts/verzoeken/{id}/verklaring.pdf", s.physicianOnly("requests", "read", s.decisionStatement))
}

// physicianOnly is allowFor the deciding physician's pages: the privacy
// officer reads, decides and extends requests too, on its own pages
// (/privacy/verzoeken/{id}); these are the 404 page for every role but the
// physicians'.
func (s *Server) physicianOnly(resource, action string, h pageFunc) http.HandlerFunc {
	return s.allowFor(decisionPhysician, resource, action, h)
}

// decisionPhysician admits the callers with a physician's or a lead
// physician's grant: the roles that decide medical requests.
func decisionPhysician(c caller) bool {
	return hasRole(c, access.RolePhysician, access.RoleLeadPhysician)
}

// decisionFieldsOf puts the service's field errors on the form, with the
// form's field name and Dutch message per service field (names); false
// when err has none.
func decisionFieldsOf(err error, names map[string][2]string, fields map[string]string) bool {
	form := make(map[string]string, len(names))
	t := fieldTable{messages: make(map[string]string, len(names))}
	for k, n := range names {
		form[k] = n[0]
		t.messages[n[0]] = n[1]
	}
	return t.put(err, form, fields)
}

// decisionEmployeeName returns the name of employee id, whom the page has
// read already (an audited read), or "" when unknown.
func (s *Server) decisionEmployeeName(ctx context.Context, id uuid.UUID) (string, error) {
	if s.opts.Decisions.Names == nil {
		return "", nil
	}
	name, err := s.opts.Decisions.Names.EmployeeName(ctx, id)
	if errors.Is(err, derrors.ErrNotFound) {
		return "", nil
	}
	return name, err
}

// ---- Verdicts ----

// decisionCase is an open case to link a verdict or an advice to.
type decisionCase struct {
	ID           string
	FirstSickDay time.Time
	Percentage   int
}

// decisionVerdictData is the verdict page.
type decisionVerdictData struct {
	EmployeeID string
	Name       string
	Cases      []decisionCase
	// Verdicts are the recorded verdicts, newest first, with what the
	// employer reads of each.
	Verdicts []decisionVerdictRow
}

type decisionVerdictRow struct {
	Date     time.Time
	Text     string
	Employer string
}

// decisionVerdictFields maps the service's verdict fields to the form's.
var decisionVerdictFields = map[string][2]string{
	"kind":                    {"soort", "Kies of het om verzuim of om een keuring gaat."},
	"verdict":                 {"oordeel", "Kies een oordeel: arbeidsgeschikt, arbeidsongeschikt of gedeeltelijk arbeidsgeschikt."},
	"work_ability_percentage": {"percentage", "Vul bij gedeeltelijk arbeidsgeschikt een percentage van 1 tot en met 99 in, en alleen dan."},
	"outcome":                 {"uitslag", "Kies bij een keuring goedgekeurd of afgekeurd."},
	"absence_id":              {"verzuim", "Kies een verzuim van deze medewerker."},
	"date":                    {"datum", "Vul een datum in die niet in de toekomst ligt."},
}

// decisionVerdictView gathers the verdict page under one actor.
func (s *Server) decisionVerdictView(ctx context.Context, a access.Actor, id uuid.UUID) (decisionVerdictData, error) {
	sv := s.opts.Decisions
	d := decisionVerdictData{EmployeeID: id.String()}
	vs, err := sv.Fitness.Verdicts(ctx, a, id)
	if err != nil {
		return d, err
	}
	if d.Name, err = s.decisionEmployeeName(ctx, id); err != nil {
		return d, err
	}
	if d.Cases, err = s.decisionOpenCases(ctx, a, id); err != nil {
		return d, err
	}
	for _, v := range vs {
		row := decisionVerdictRow{Date: v.Date, Text: decisionVerdictText(v), Employer: employerVerdictLine(v)}
		if v.Kind == fitness.KindExamination && v.Decision != fitness.DecisionReleased {
			row.Employer = "niets (de werknemer heeft de uitslag nog niet doorgegeven)"
		}
		d.Verdicts = append(d.Verdicts, row)
	}
	return d, nil
}

// decisionOpenCases lists the employee's open cases, newest first.
func (s *Server) decisionOpenCases(ctx context.Context, a access.Actor, id uuid.UUID) ([]decisionCase, error) {
	if s.opts.Decisions.Absences == nil {
		return nil, nil
	}
	xs, err := s.opts.Decisions.Absences.ListForEmployee(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var out []decisionCase
	for _, x := range xs {
		if x.Status == absence.CaseOpen {
			out = append(out, decisionCase{ID: x.ID.String(), FirstSickDay: x.FirstSickDay, Percentage: x.Percentage})
		}
	}
	slices.SortFunc(out, func(x, y decisionCase) int { return y.FirstSickDay.Compare(x.FirstSickDay) })
	return out, nil
}

// decisionVerdictText says a verdict as the physician recorded it.
func decisionVerdictText(v fitness.Verdict) string {
	if v.Kind == fitness.KindExamination {
		text := "Keuring: " + map[string]string{fitness.Approved: "goedgekeurd", fitness.Rejected: "afgekeurd"}[v.Outcome]
		switch v.Decision {
		case fitness.DecisionPending:
			return text + " (de werknemer beslist nog of de werkgever dit ziet)"
		case fitness.DecisionBlocked:
			return text + " (de werknemer heeft de uitslag tegengehouden)"
		}
		return text + " (doorgegeven aan de werkgever)"
	}
	return employerVerdictText(v.Verdict, v.WorkAbilityPercentage)
}

// decisionVerdictPage shows the form to record a verdict or an examination
// outcome, with what each audience will see, and the verdicts so far.
func (s *Server) decisionVerdictPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	d, err := s.decisionVerdictView(r.Context(), a, id)
	if err != nil {
		return err
	}
	form := map[string]string{"soort": "absence", "datum": s.employerToday().Format(time.DateOnly)}
	if len(d.Cases) > 0 {
		form["verzuim"] = d.Cases[0].ID
	}
	v := view{Title: decisionTitle("Oordeel vastleggen", d.Name), Form: form, Fields: map[string]string{}, Data: d}
	if r.URL.Query().Get("gedaan") == "oordeel" {
		v.Notice = "Het oordeel is vastgelegd."
	}
	s.render(w, r, http.StatusOK, "arts_besluit_oordeel.html", v)
	return nil
}

// decisionTitle is a page title with the employee's name when known.
func decisionTitle(title, name string) string {
	if name == "" {
		return title
	}
	return title + ": " + name
}

// decisionRecordVerdict records the posted verdict or examination outcome
// and shows the page again with it; bad input is the form again (400) and
// records nothing.
func (s *Server) decisionRecordVerdict(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "soort", "oordeel", "percentage", "uitslag", "verzuim", "datum")
	v := fitness.Verdict{Kind: fitness.Kind(f.get("soort")), Date: employerDate(f, "datum", true)}
	switch v.Kind {
	case fitness.KindAbsence:
		v.Verdict = f.get("oordeel")
		if v.Verdict == fitness.PartlyFit || strings.TrimSpace(f.get("percentage")) != "" {
			// A percentage with another verdict is the domain's to refuse.
			v.WorkAbilityPercentage = employerPercent(f, "percentage", 1, 99, decisionVerdictFields["work_ability_percentage"][1])
		}
		if c := f.get("verzuim"); c != "" {
			cid, ok := access.ParseID(c)
			if !ok {
				f.fields["verzuim"] = decisionVerdictFields["absence_id"][1]
			}
			v.AbsenceID = cid
		}
	case fitness.KindExamination:
		v.Outcome = f.get("uitslag")
	default:
		f.fields["soort"] = decisionVerdictFields["kind"][1]
	}
	if len(f.fields) == 0 {
		_, err := s.opts.Decisions.Fitness.Record(r.Context(), a, id, v)
		if err == nil {
			http.Redirect(w, r, "/arts/medewerkers/"+id.String()+"/oordeel?gedaan=oordeel", http.StatusSeeOther)
			return nil
		}
		if !decisionFieldsOf(err, decisionVerdictFields, f.fields) {
			return err
		}
	}
	d, err := s.decisionVerdictView(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusBadRequest, "arts_besluit_oordeel.html", view{Title: decisionTitle("Oordeel vastleggen", d.Name),
		Error: pageErrorOf(derrors.ErrInvalid).message + " Er is niets vastgelegd.", Fields: f.fields,
		Form: f.keep("soort", "oordeel", "percentage", "uitslag", "verzuim", "datum"), Data: d})
	return nil
}

// ---- Advice ----

// decisionAdviceFields maps the service's advice fields to the form's.
var decisionAdviceFields = map[string][2]string{
	"limitations":             {"beperkingen", "Beschrijf wat de medewerker (nog) niet kan, in gewone woorden en zonder medische details (hoogstens 4000 tekens)."},
	"possibilities":           {"mogelijkheden", "Beschrijf wat de medewerker wel kan, in gewone woorden en zonder medische details (hoogstens 4000 tekens)."},
	"expected_duration_weeks": {"weken", "Vul een verwachte duur van 0 tot en met 104 weken in."},
	"absence_id":              {"verzuim", "Kies een verzuim van deze medewerker."},
}

// decisionAdviceNames are the advice form's fields.
var decisionAdviceNames = []string{"beperkingen", "mogelijkheden", "weken", "verzuim"}

// decisionAdviceData is the advice form and its preview.
type decisionAdviceData struct {
	EmployeeID string
	Name       string
	Cases      []decisionCase
	Advice     []fitness.Advice
	// The preview: the advice as it would go out, who gets it, and what
	// the employer reads instead when the employer does not share advice.
	Preview    fitness.Advice
	Recipients fitness.Recipients
	Verdict    string
}

// decisionAdviceView gathers the advice page under one actor.
func (s *Server) decisionAdviceView(ctx context.Context, a access.Actor, id uuid.UUID) (decisionAdviceData, error) {
	d := decisionAdviceData{EmployeeID: id.String()}
	var err error
	if d.Advice, err = s.opts.Decisions.Fitness.AdviceFor(ctx, a, id); err != nil {
		return d, err
	}
	if d.Name, err = s.decisionEmployeeName(ctx, id); err != nil {
		return d, err
	}
	if d.Cases, err = s.decisionOpenCases(ctx, a, id); err != nil {
		return d, err
	}
	return d, nil
}

// decisionAdvicePage shows the advice form and the advice published so
// far.
func (s *Server) decisionAdvicePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	d, err := s.decisionAdviceView(r.Context(), a, id)
	if err != nil {
		return err
	}
	form := map[string]string{"weken": "0"}
	if len(d.Cases) > 0 {
		form["verzuim"] = d.Cases[0].ID
	}
	v := view{Title: decisionTitle("Advies over werken", d.Name), Form: form, Fields: map[string]string{}, Data: d}
	if r.URL.Query().Get("gedaan") == "advies" {
		v.Notice = "Het advies is verstuurd."
	}
	s.render(w, r, http.StatusOK, "arts_besluit_advies.html", v)
	return nil
}

// decisionAdviceForm reads the advice form into an advice, with field
// errors in f for what does not parse or the domain refuses
// (fitness.CheckAdvice).
func decisionAdviceForm(r *http.Request) (form, fitness.Advice) {
	f := employerForm(r, decisionAdviceNames...)
	adv := fitness.Advice{Limitations: strings.TrimSpace(f.get("beperkingen")), Possibilities: strings.TrimSpace(f.get("mogelijkheden"))}
	if w := strings.TrimSpace(f.get("weken")); w != "" {
		adv.ExpectedDurationWeeks = employerPercent(f, "weken", 0, 104, decisionAdviceFields["expected_duration_weeks"][1])
	}
	if c := f.get("verzuim"); c != "" {
		cid, ok := access.ParseID(c)
		if !ok {
			f.fields["verzuim"] = decisionAdviceFields["absence_id"][1]
		}
		adv.AbsenceID = cid
	}
	if err := fitness.CheckAdvice(adv); err != nil {
		decisionFieldsOf(err, decisionAdviceFields, f.fields)
	}
	return f, adv
}

// decisionAdviceInvalid shows the advice form again with its errors
// (400); nothing is sent.
func (s *Server) decisionAdviceInvalid(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, f form) error {
	d, err := s.decisionAdviceView(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusBadRequest, "arts_besluit_advies.html", view{Title: decisionTitle("Advies over werken", d.Name),
		Error: pageErrorOf(derrors.ErrInvalid).message + " Er is niets verstuurd.", Fields: f.fields,
		Form: f.keep(decisionAdviceNames...), Data: d})
	return nil
}

// decisionAdvicePreview shows exactly what the employer, the case manager
// and labour expert, and the employee will each see of the posted advice,
// with the form to send it (the previewed text in hidden fields). With
// "aanpassen" it shows the form again, filled in.
func (s *Server) decisionAdvicePreview(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f, adv := decisionAdviceForm(r)
	if len(f.fields) > 0 {
		return s.decisionAdviceInvalid(w, r, a, id, f)
	}
	if r.PostForm.Get("aanpassen") != "" {
		d, err := s.decisionAdviceView(r.Context(), a, id)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "arts_besluit_advies.html", view{Title: decisionTitle("Advies over werken", d.Name),
			Form: f.keep(decisionAdviceNames...), Fields: map[string]string{}, Data: d})
		return nil
	}
	sv := s.opts.Decisions
	d := decisionAdviceData{EmployeeID: id.String(), Preview: adv}
	if d.Recipients, err = sv.Fitness.Recipients(r.Context(), a, id); err != nil {
		return err
	}
	if d.Name, err = s.decisionEmployeeName(r.Context(), id); err != nil {
		return err
	}
	if !d.Recipients.ShareAdvice {
		vs, err := sv.Fitness.Verdicts(r.Context(), a, id)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Kind == fitness.KindAbsence {
				d.Verdict = employerVerdictLine(v)
				break
			}
		}
	}
	s.render(w, r, http.StatusOK, "arts_besluit_advies_voorbeeld.html", view{Title: decisionTitle("Controleer het advies", d.Name),
		Form: f.keep(decisionAdviceNames...), Data: d})
	return nil
}

// decisionPublishAdvice publishes the advice the preview showed (carried in
// hidden fields) to everyone it goes to at once, and goes back to the
// advice page; bad input is the form again (400) and sends nothing.
func (s *Server) decisionPublishAdvice(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f, adv := decisionAdviceForm(r)
	if len(f.fields) == 0 {
		_, err := s.opts.Decisions.Fitness.Publish(r.Context(), a, id, adv)
		if err == nil {
			http.Redirect(w, r, "/arts/medewerkers/"+id.String()+"/advies?gedaan=advies", http.StatusSeeOther)
			return nil
		}
		if !decisionFieldsOf(err, decisionAdviceFields, f.fields) {
			return err
		}
	}
	return s.decisionAdviceInvalid(w, r, a, id, f)
}

// ---- Requests ----

// decisionTypeNames are the request types as the physician reads them.
var decisionTypeNames = map[rights.Type]string{
	rights.TypeInspection: "Inzage in het medisch dossier", rights.TypeCopy: "Kopie van het medisch dossier",
	rights.TypeCorrection: "Correctie van een stuk", rights.TypeOwnStatement: "Eigen verklaring",
	rights.TypeDestruction: "Vernietiging van het medisch dossier",
}

// decisionGroundLabels are the recorded grounds of a refusal or partial
// grant as the physician chooses them, in the order offered
// (rights.Grounds).
var decisionGroundLabels = []struct{ Ground, Label string }{
	{"identity_not_established", "De identiteit van de aanvrager is niet vastgesteld"},
	{"manifestly_unfounded", "Het verzoek is kennelijk ongegrond"},
	{"no_data_held", "Er zijn geen gegevens (meer)"},
	{"not_a_factual_error", "Geen feitelijke fout, maar een oordeel van de arts"},
	{"substantial_interest_of_another", "Een aanmerkelijk belang van een ander"},
	{"legal_retention_duty", "Een wettelijke bewaarplicht"},
	{"overriding_legitimate_grounds", "Zwaarwegende gerechtvaardigde gronden"},
}

// decisionExtensionLabels are the reasons for an extension
// (rights.ExtensionGrounds).
var decisionExtensionLabels = []struct{ Ground, Label string }{
	{"complex_request", "Het verzoek is ingewikkeld"},
	{"number_of_requests", "Er zijn veel verzoeken tegelijk"},
}

// decisionQueueRow is one request in the queue.
type decisionQueueRow struct {
	ID, Type, Name     string
	Status             rights.Status
	ReceivedOn, Due    time.Time
	ExtendedTo         time.Time
	Overdue            bool
	DueSoon            bool
	ExtensionReasonTxt string
}

// decisionQueueData is the queue page.
type decisionQueueData struct {
	Mine       []decisionQueueRow
	Unattended []decisionQueueRow
	Lead       bool
}

// decisionRow is r as a row of the queue on today.
func decisionRow(r rights.Request, today time.Time) decisionQueueRow {
	open := r.Status == rights.StatusReceived || r.Status == rights.StatusInReview
	return decisionQueueRow{ID: r.ID.String(), Type: decisionTypeNames[r.Type], Status: r.Status, ReceivedOn: r.ReceivedOn,
		Due: r.Due(), ExtendedTo: r.ExtendedTo, Overdue: open && today.After(r.Due()),
		DueSoon: open && !today.After(r.Due()) && !today.AddDate(0, 0, 7).Before(r.Due())}
}

// decisionQueue is the physician's request queue: the open medical
// requests of the dossiers in their care (each allowing grant's queue,
// merged, as the API's), overdue first, then by due date; for a lead
// physician also the unattended queue (requests whose physician is absent
// or who have none). It is a list read, limited as the others.
func (s *Server) decisionQueue(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	if err := s.takeEmployerListRead(r, "arts-verzoeken"); err != nil {
		return err
	}
	today := s.employerToday()
	var d decisionQueueData
	seen := map[uuid.UUID]bool{}
	var mine, unattended []rights.Request
	for _, a := range actors {
		if a.Role != access.RolePhysician && a.Role != access.RoleLeadPhysician {
			continue
		}
		if a.Role == access.RoleLeadPhysician {
			d.Lead = true
			un, err := s.opts.Decisions.Requests.Unattended(r.Context(), a)
			if err != nil {
				return err
			}
			for _, x := range un {
				if !seen[x.ID] {
					seen[x.ID] = true
					unattended = append(unattended, x)
				}
			}
		}
		q, err := s.opts.Decisions.Requests.Queue(r.Context(), a)
		if err != nil {
			return err
		}
		mine = append(mine, q...)
	}
	var own []rights.Request
	for _, x := range mine {
		if !seen[x.ID] {
			seen[x.ID] = true
			own = append(own, x)
		}
	}
	for _, list := range []struct {
		in  []rights.Request
		out *[]decisionQueueRow
	}{{own, &d.Mine}, {unattended, &d.Unattended}} {
		for _, x := range list.in {
			row := decisionRow(x, today)
			// The queue's read event lists every person shown.
			name, err := s.decisionEmployeeName(r.Context(), x.EmployeeID)
			if err != nil {
				return err
			}
			row.Name = name
			*list.out = append(*list.out, row)
		}
		slices.SortStableFunc(*list.out, func(x, y decisionQueueRow) int {
			if x.Overdue != y.Overdue {
				if x.Overdue {
					return -1
				}
				return 1
			}
			return cmp.Or(x.Due.Compare(y.Due), strings.Compare(x.ID, y.ID))
		})
	}
	s.render(w, r, http.StatusOK, "arts_verzoek_lijst.html", view{Title: "Verzoeken van werknemers", Data: d})
	return nil
}

// decisionEntry is a dossier entry as the release form and preview show it.
type decisionEntry struct {
	ID         string
	Kind       dossier.EntryKind
	OccurredOn time.Time
	CreatedAt  time.Time
	Version    int
	Text       string
	// Excerpt is the start of Text, to recognise the entry by.
	Excerpt string
	Chosen  bool
}

// decisionExcerptRunes bounds an entry's excerpt on the release form.
const decisionExcerptRunes = 80

// decisionExcerpt returns the first decisionExcerptRunes runes of text on
// one line, with "…" when cut.
func decisionExcerpt(text string) string {
	line := strings.Join(strings.Fields(text), " ")
	if r := []rune(line); len(r) > decisionExcerptRunes {
		return string(r[:decisionExcerptRunes]) + "…"
	}
	return line
}

// decisionRequestData is one request's page.
type decisionRequestData struct {
	ID, EmployeeID, Name, Type string
	Request                    rights.Request
	Row                        decisionQueueRow
	Open, Releasable           bool
	CanExtend                  bool
	Destruction                bool
	// Choices are the statuses the physician may decide.
	Choices []decisionChoice
	Grounds []struct{ Ground, Label string }
	Reasons []struct{ Ground, Label string }
	// Entries are the releasable entries to choose from (nil when the
	// caller may not read the dossier: EntriesHidden).
	Entries       []decisionEntry
	EntriesHidden bool
	Review        rights.DestructionReview
	JobDone       bool
	Delivered     bool
}

type decisionChoice struct {
	Status rights.Status
	Label  string
}

// decisionChoicesFor are the decisions offered for a request of type t.
func decisionChoicesFor(t rights.Type) []decisionChoice {
	all := []decisionChoice{{rights.StatusInReview, "In behandeling nemen"}, {rights.StatusGranted, "Toewijzen"},
		{rights.StatusPartlyGranted, "Gedeeltelijk toewijzen (met een grond)"}, {rights.StatusRefused, "Afwijzen (met een grond)"}}
	var out []decisionChoice
	for _, c := range all {
		if c.Status == rights.StatusInReview || rights.CanMove(t, rights.StatusReceived, c.Status) {
			out = append(out, c)
		}
	}
	return out
}

// decisionRequestView gathers one medical request's page under one actor.
// A request of the HR side, or one the caller may not decide, is
// derrors.ErrNotFound.
func (s *Server) decisionRequestView(ctx context.Context, a access.Actor, id uuid.UUID) (decisionRequestData, error) {
	sv := s.opts.Decisions
	entry, err := sv.Requests.Get(ctx, a, id)
	if err != nil {
		return decisionRequestData{}, err
	}
	req := entry.Request
	if !req.Type.Medical() {
		return decisionRequestData{}, fmt.Errorf("web: not a medical request: %w", derrors.ErrNotFound)
	}
	d := decisionRequestData{ID: req.ID.String(), EmployeeID: req.EmployeeID.String(), Type: decisionTypeNames[req.Type],
		Request: req, Row: decisionRow(req, s.employerToday()), Grounds: decisionGroundLabels, Reasons: decisionExtensionLabels,
		Open: req.Status == rights.StatusReceived || req.Status == rights.StatusInReview, Delivered: req.Status == rights.StatusDelivered,
		Destruction: req.Type == rights.TypeDestruction}
	d.CanExtend = d.Open && req.ExtendedTo.IsZero() && !s.employerToday().After(req.DueOn)
	d.Choices = decisionChoicesFor(req.Type)
	if req.Status == rights.StatusInReview {
		d.Choices = d.Choices[1:]
	}
	if d.Name, err = s.decisionEmployeeName(ctx, req.EmployeeID); err != nil {
		return d, err
	}
	if d.Destruction {
		if sv.Destructions == nil {
			return d, fmt.Errorf("web: no destruction service: %w", derrors.ErrUnavailable)
		}
		if d.Review, err = sv.Destructions.Review(ctx, a, id); err != nil {
			return d, err
		}
		d.JobDone = d.Review.Job.State == dossier.StateDone
		d.Grounds = nil
		for _, g := range decisionGroundLabels {
			if rights.DestructionGrounds[g.Ground] || decisionOtherDestructionGrounds[g.Ground] {
				d.Grounds = append(d.Grounds, g)
			}
		}
	}
	granted := req.Status == rights.StatusGranted || req.Status == rights.StatusPartlyGranted
	d.Releasable = granted && (req.Type == rights.TypeInspection || req.Type == rights.TypeCopy)
	if d.Releasable {
		es, err := s.decisionEntries(ctx, a, req.EmployeeID)
		switch {
		case errors.Is(err, derrors.ErrNotFound):
			d.EntriesHidden = true
		case err != nil:
			return d, err
		default:
			d.Entries = es
		}
	}
	return d, nil
}

// decisionEntries lists the releasable entries of the employee's dossier
// (never a working note), oldest first, each chosen.
func (s *Server) decisionEntries(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]decisionEntry, error) {
	if s.opts.Decisions.Entries == nil {
		return nil, fmt.Errorf("web: no entry service: %w", derrors.ErrNotFound)
	}
	var out []decisionEntry
	var after *dossier.EntryCursor
	for range rights.MaxReleaseEntries / dossier.MaxEntriesPage {
		es, err := s.opts.Decisions.Entries.List(ctx, a, employeeID, dossier.MaxEntriesPage, after)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Kind.Releasable() {
				out = append(out, decisionEntry{ID: e.ID.String(), Kind: e.Kind, OccurredOn: e.OccurredOn, CreatedAt: e.CreatedAt,
					Version: e.Version, Text: e.Text, Excerpt: decisionExcerpt(e.Text), Chosen: true})
			}
		}
		if len(es) < dossier.MaxEntriesPage {
			break
		}
		last := es[len(es)-1]
		after = &dossier.EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return out, nil
}

// decisionShowRequest renders one request's page with status, a notice and
// the forms' errors and values.
func (s *Server) decisionShowRequest(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int, notice string, f *form) error {
	d, err := s.decisionRequestView(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.decisionRenderRequest(w, r, d, status, notice, f)
	return nil
}

// decisionNotReleasable says why nothing can be released (yet or again).
const decisionNotReleasable = "Vrijgeven kan pas als het verzoek om inzage of een kopie is toegewezen, en één keer."

// decisionRenderRequest renders the request's page from data already read
// (d), so that a handler which read it does not read it again.
func (s *Server) decisionRenderRequest(w http.ResponseWriter, r *http.Request, d decisionRequestData, status int, notice string, f *form) {
	v := view{Title: d.Type, Notice: notice, Fields: map[string]string{}, Form: map[string]string{"maanden": "1"}, Data: d}
	if d.Name != "" {
		v.Title += " van " + d.Name
	}
	if f != nil {
		v.Fields, v.Form = f.fields, f.keep("besluit", "grond", "maanden", "reden", "toelichting")
		v.Error = pageErrorOf(derrors.ErrInvalid).message + " Er is niets veranderd."
		if msg := f.fields["algemeen"]; msg != "" {
			v.Error = msg + " Er is niets veranderd."
		}
	}
	s.render(w, r, status, "arts_verzoek.html", v)
}

// decisionDone are the notices after an action, by the ?gedaan= value.
var decisionDone = map[string]string{
	"besluit":      "Het besluit is vastgelegd. De werknemer heeft bericht gekregen.",
	"verlenging":   "De termijn is verlengd. De werknemer heeft bericht gekregen, met de reden.",
	"vrijgegeven":  "De stukken zijn vrijgegeven. De werknemer kan ze nu lezen en een kopie downloaden.",
	"vernietiging": "Het besluit over de vernietiging is vastgelegd. De werknemer heeft bericht gekregen.",
}

// decisionRequestPage shows one medical request with what may be done
// with it now: decide, extend, release, or decide the destruction and
// follow its job.
func (s *Server) decisionRequestPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.decisionShowRequest(w, r, a, id, http.StatusOK, decisionDone[r.URL.Query().Get("gedaan")], nil)
}

// decisionRefused is an action the request's state does not allow now
// (derrors.ErrConflict): the page again, with the reason.
func (s *Server) decisionRefused(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, f form, msg string) error {
	f.fields["algemeen"] = msg
	return s.decisionShowRequest(w, r, a, id, http.StatusConflict, "", &f)
}

// decisionDecide records a decision on a medical request other than a
// destruction: a status from the list, with a ground for a refusal or a
// partial grant.
func (s *Server) decisionDecide(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "besluit", "grond")
	d := rights.Decision{Status: rights.Status(f.get("besluit"))}
	switch d.Status {
	case rights.StatusInReview, rights.StatusGranted:
	case rights.StatusPartlyGranted, rights.StatusRefused:
		d.Ground = f.get("grond")
		if d.Ground == "" {
			f.fields["grond"] = "Kies de grond van het besluit."
		}
	default:
		f.fields["besluit"] = "Kies een besluit."
	}
	if len(f.fields) == 0 {
		_, err = s.opts.Decisions.Requests.Decide(r.Context(), a, id, d)
		switch {
		case err == nil:
			http.Redirect(w, r, "/arts/verzoeken/"+id.String()+"?gedaan=besluit", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.ErrConflict):
			return s.decisionRefused(w, r, a, id, f, "Dit besluit kan nu niet: het verzoek is al besloten, of dit soort verzoek "+
				"krijgt dit besluit niet (een eigen verklaring wordt nooit afgewezen; een vernietiging beslist u hieronder).")
		case !decisionFieldsOf(err, map[string][2]string{"status": {"besluit", "Kies een besluit."},
			"ground": {"grond", "Kies een grond uit de lijst, alleen bij afwijzen of gedeeltelijk toewijzen."}}, f.fields):
			return err
		}
	}
	return s.decisionShowRequest(w, r, a, id, http.StatusBadRequest, "", &f)
}

// decisionExtend extends the request's term once, by one or two months,
// with a reason from the list.
func (s *Server) decisionExtend(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "maanden", "reden")
	months, err := strconv.Atoi(f.get("maanden"))
	if err != nil || (months != 1 && months != 2) {
		f.fields["maanden"] = "Kies 1 of 2 maanden."
	}
	if f.get("reden") == "" {
		f.fields["reden"] = "Kies de reden van de verlenging. De werknemer krijgt die te horen."
	}
	if len(f.fields) == 0 {
		_, err = s.opts.Decisions.Requests.Extend(r.Context(), a, id, months, f.get("reden"))
		switch {
		case err == nil:
			http.Redirect(w, r, "/arts/verzoeken/"+id.String()+"?gedaan=verlenging", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.ErrConflict):
			return s.decisionRefused(w, r, a, id, f, "Verlengen kan nu niet: een verzoek wordt één keer verlengd, "+
				"vóór de eerste termijn voorbij is, en alleen zolang het nog niet is besloten.")
		case !decisionFieldsOf(err, map[string][2]string{"months": {"maanden", "Zo lang mag het niet: de wettelijke termijn zou voorbij gaan."},
			"reason": {"reden", "Kies een reden uit de lijst."}}, f.fields):
			return err
		}
	}
	return s.decisionShowRequest(w, r, a, id, http.StatusBadRequest, "", &f)
}

// decisionChosen reads the chosen entry ids ("stuk", repeated); none is a
// field error.
func decisionChosen(r *http.Request, f form) []uuid.UUID {
	var out []uuid.UUID
	for _, v := range r.PostForm["stuk"] {
		id, ok := access.ParseID(v)
		if !ok {
			f.fields["stukken"] = "Kies alleen stukken uit de lijst."
			return nil
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		f.fields["stukken"] = "Kies minstens één stuk om vrij te geven."
	}
	if len(out) > rights.MaxReleaseEntries {
		f.fields["stukken"] = fmt.Sprintf("Kies hoogstens %d stukken.", rights.MaxReleaseEntries)
	}
	return out
}

// decisionReleasePreview shows the chosen entries exactly as the employee
// will read them, with the form to release them. A lead physician who may
// not read the dossier releases every releasable entry ("alles").
func (s *Server) decisionReleasePreview(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r)
	chosen := decisionChosen(r, f)
	d, err := s.decisionRequestView(r.Context(), a, id)
	if err != nil {
		return err
	}
	// The page read above is shown again on a refusal: no second read of
	// the request, its review and the decrypted entries.
	if !d.Releasable {
		f.fields["algemeen"] = decisionNotReleasable
		s.decisionRenderRequest(w, r, d, http.StatusConflict, "", &f)
		return nil
	}
	if len(f.fields) > 0 {
		s.decisionRenderRequest(w, r, d, http.StatusBadRequest, "", &f)
		return nil
	}
	var preview []decisionEntry
	for _, e := range d.Entries {
		if slices.ContainsFunc(chosen, func(c uuid.UUID) bool { return c.String() == e.ID }) {
			preview = append(preview, e)
		}
	}
	if len(preview) != len(chosen) {
		f.fields["stukken"] = "Kies alleen stukken uit de lijst."
		s.decisionRenderRequest(w, r, d, http.StatusBadRequest, "", &f)
		return nil
	}
	d.Entries = preview
	s.render(w, r, http.StatusOK, "arts_verzoek_vrijgave.html", view{Title: "Controleer wat de werknemer te zien krijgt", Data: d})
	return nil
}

// decisionRelease releases the entries the preview showed (or, with
// "alles", every releasable entry) and marks the request delivered; the
// service decides who may (the responsible physician, their substitute, a
// lead physician while the responsible one is absent).
func (s *Server) decisionRelease(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "alles")
	var chosen []uuid.UUID
	if f.get("alles") != "ja" {
		if chosen = decisionChosen(r, f); len(f.fields) > 0 {
			return s.decisionShowRequest(w, r, a, id, http.StatusBadRequest, "", &f)
		}
	}
	_, err = s.opts.Decisions.Releases.ReleaseEntries(r.Context(), a, id, chosen)
	switch {
	case err == nil:
		http.Redirect(w, r, "/arts/verzoeken/"+id.String()+"?gedaan=vrijgegeven", http.StatusSeeOther)
		return nil
	case errors.Is(err, derrors.ErrConflict):
		return s.decisionRefused(w, r, a, id, f, decisionNotReleasable)
	case decisionFieldsOf(err, map[string][2]string{"entry_ids": {"stukken", "Kies alleen stukken uit de lijst."}}, f.fields):
		return s.decisionShowRequest(w, r, a, id, http.StatusBadRequest, "", &f)
	}
	return err
}

// decisionOtherDestructionGrounds are the grounds, besides the legal ones
// of BW 7:455 (rights.DestructionGrounds), on which a destruction request
// is refused with a plain decision: nothing to destroy, or the requester
// not identified.
var decisionOtherDestructionGrounds = map[string]bool{"no_data_held": true, "identity_not_established": true}

// decisionDestroy decides a destruction request: grant (the job is
// recorded; the destruction worker carries it out), or refuse on a legal
// ground (a running retention duty; someone else's substantial interest,
// with a written reason), or, with a plain decision, because there is no
// dossier or the requester is not identified. A grant the law forbids
// shows the duties again.
func (s *Server) decisionDestroy(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "besluit", "grond", "toelichting")
	var dec rights.DestructionDecision
	switch f.get("besluit") {
	case "toekennen":
		dec.Grant = true
	case "afwijzen":
		dec.Ground = f.get("grond")
		if dec.Ground == "" {
			f.fields["grond"] = "Kies de wettelijke grond van de afwijzing."
		}
		dec.Reason = strings.TrimSpace(f.get("toelichting"))
	default:
		f.fields["besluit"] = "Kies of u de vernietiging toekent of afwijst."
	}
	if decisionOtherDestructionGrounds[dec.Ground] && dec.Reason != "" {
		f.fields["toelichting"] = "Schrijf alleen een toelichting bij een belang van een ander."
	}
	if len(f.fields) == 0 {
		if decisionOtherDestructionGrounds[dec.Ground] {
			_, err = s.opts.Decisions.Requests.Decide(r.Context(), a, id, rights.Decision{Status: rights.StatusRefused, Ground: dec.Ground})
		} else {
			_, _, err = s.opts.Decisions.Destructions.Decide(r.Context(), a, id, dec)
		}
		switch {
		case err == nil:
			http.Redirect(w, r, "/arts/verzoeken/"+id.String()+"?gedaan=vernietiging", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.ErrRefused):
			return s.decisionRefused(w, r, a, id, f, "Vernietigen mag niet: er loopt een wettelijke bewaarplicht (zie hieronder). "+
				"Wijs het verzoek af op die grond.")
		case errors.Is(err, derrors.ErrConflict):
			return s.decisionRefused(w, r, a, id, f, "Dit besluit kan nu niet: het verzoek is al besloten, er is geen dossier "+
				"(wijs dan af), of er loopt geen bewaarplicht om op af te wijzen.")
		case !decisionFieldsOf(err, map[string][2]string{"decision": {"besluit", "Kies of u de vernietiging toekent of afwijst."},
			"ground": {"grond", "Kies een wettelijke grond uit de lijst."},
			"reason": {"toelichting", "Schrijf bij een belang van een ander waarom (hoogstens 4000 tekens), en alleen dan."}}, f.fields):
			return err
		}
	}
	return s.decisionShowRequest(w, r, a, id, http.StatusBadRequest, "", &f)
}

// decisionStatement sends the statement of the completed destruction that
// answered request {id}, for who may decide it: the document the employee
// got.
func (s *Server) decisionStatement(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	b, err := s.opts.Decisions.Destructions.DecidedStatement(r.Context(), a, id)
	if err != nil {
		return err
	}
	download(w, "verklaring-vernietiging.pdf", "application/pdf", b)
	return nil
}
