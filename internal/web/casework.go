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
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/fitness"
)

// CaseWorkAbsences is what the case manager's portal needs of the absence
// service (absence.Service), as the API's case handlers use it.
type CaseWorkAbsences interface {
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Absence, error)
	RecordMilestone(ctx context.Context, a access.Actor, id uuid.UUID, kind absence.Kind, doneOn time.Time, lateOnset bool) (absence.Absence, error)
	RecordPlan(ctx context.Context, a access.Actor, id uuid.UUID, p absence.Plan) (absence.Plan, error)
	Plan(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Plan, []absence.Evaluation, error)
	PlanPDF(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
	RecordEvaluation(ctx context.Context, a access.Actor, id uuid.UUID, e absence.Evaluation) (absence.Evaluation, error)
	AddContact(ctx context.Context, a access.Actor, id uuid.UUID, c absence.Contact) (absence.Contact, error)
	Contacts(ctx context.Context, a access.Actor, id uuid.UUID) ([]absence.Contact, error)
	AddNote(ctx context.Context, a access.Actor, id uuid.UUID, body string) (absence.Note, error)
	Notes(ctx context.Context, a access.Actor, id uuid.UUID) ([]absence.Note, error)
	RedactNote(ctx context.Context, a access.Actor, noteID uuid.UUID, reason string) (absence.Note, error)
	Signals(ctx context.Context, a access.Actor, withinDays, limit int, after *absence.Cursor) ([]absence.Signal, error)
	Settings() absence.Settings
	Today() time.Time
}

// CaseWorkEmployees is what the case manager's portal needs of the
// employee service (employee.Service): the name on a case.
type CaseWorkEmployees interface {
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employee.Employee, error)
}

// CaseWorkEmployers is what the case manager's portal needs of the
// employer service (employer.Service): the names the signals are grouped
// by.
type CaseWorkEmployers interface {
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employer.Employer, error)
}

// CaseWorkFitness is what the case manager's portal needs of the fitness
// service (fitness.Service): verdicts and advice as the caller may see
// them, never more.
type CaseWorkFitness interface {
	Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
	AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
}

// CaseWorkServices are the domain services of the case manager's and labour expert's portal: signals as the start page, the case with its timeline, plan of action, contact log, process notes and the physician's advice.
type CaseWorkServices struct {
	Absences  CaseWorkAbsences
	Employees CaseWorkEmployees
	Employers CaseWorkEmployers
	Fitness   CaseWorkFitness
}

// caseWorkPageNames are the case manager portal's templates.
var caseWorkPageNames = []string{"casemanager_signals.html", "casemanager_case.html"}

func init() { pageNames = append(pageNames, caseWorkPageNames...) }

// caseWorkRoutes registers the case manager's and labour expert's portal: signals as the start page, the case with its timeline, plan of action, contact log, process notes and the physician's advice.
// Each page runs under the resource and action of the API route that
// does the same; without the services the pages are not registered.
func (s *Server) caseWorkRoutes() {
	if s.opts.CaseWork.Absences == nil {
		return
	}
	home := s.authorized("signals", "read", isCaseWorker, s.caseWorkSignals)
	s.addHome(isCaseWorker, home)
	s.handle("GET /casemanager", s.loggedIn(home))
	s.handle("POST /casemanager/verzuim/{id}/stappen", s.allow("absences", "record_milestone", s.caseWorkRecordStep))
	// The case page reads the service's own records (contact log, notes):
	// it is open to whoever may read those, as the API's listContacts.
	s.handle("GET /casemanager/verzuim/{id}", s.allow("contacts", "read", s.caseWorkCasePage))
	s.handle("POST /casemanager/verzuim/{id}/plan", s.allow("plans", "create", s.caseWorkRecordPlan))
	s.handle("POST /casemanager/verzuim/{id}/evaluaties", s.allow("evaluations", "create", s.caseWorkRecordEvaluation))
	s.handle("GET /casemanager/verzuim/{id}/plan.pdf", s.allow("plans", "print", s.caseWorkPlanPDF))
	s.handle("POST /casemanager/verzuim/{id}/contacten", s.allow("contacts", "create", s.caseWorkAddContact))
	s.handle("POST /casemanager/verzuim/{id}/notities", s.allow("notes", "create", s.caseWorkAddNote))
	s.handle("POST /casemanager/notities/{id}/verwijderen", s.allow("notes", "redact", s.caseWorkRedactNote))
}

// isCaseWorker reports whether the caller holds a case manager or labour
// expert grant: the callers whose start page the signals are.
func isCaseWorker(c caller) bool { return hasRole(c, access.RoleCaseManager, access.RoleLabourExpert) }

// roleMay reports whether the policy lets role do action on resource: which
// forms a page shows the actor. The route of each form decides again.
func (s *Server) roleMay(role access.Role, resource, action string) bool {
	_, err := s.opts.Authz.Authorize(access.Principal{Grants: []access.Grant{{Role: role}}}, resource, action)
	return err == nil
}

// caseWorkSteps are the steps a case manager records done with one click.
// The problem analysis is the physician's; the end of wage continuation is
// not an act.
var caseWorkSteps = map[absence.Kind]bool{
	absence.KindPlanOfAction: true, absence.KindEvaluation: true, absence.KindUWVReport42: true,
	absence.KindFirstYearEvaluation: true, absence.KindWIAApplication: true, absence.KindUWVReportVangnet: true,
}

// caseWorkNotices are the messages of the klaar parameter of the redirect
// after a form.
var caseWorkNotices = map[string]string{
	"stap":       "De stap is vastgelegd als gedaan.",
	"plan":       "Het plan van aanpak is opgeslagen als nieuwe versie.",
	"evaluatie":  "De evaluatie is opgeslagen.",
	"contact":    "Het contact is vastgelegd in het contactlogboek.",
	"notitie":    "De notitie is opgeslagen.",
	"verwijderd": "De tekst van de notitie is verwijderd. Wie het deed, wanneer en waarom blijft bewaard.",
}

// caseWorkMaxDays bounds the signals page's look-ahead, as the service.
const caseWorkMaxDays = 365

// caseWorkSignalRow is one step on the signals page.
type caseWorkSignalRow struct {
	Key, CaseID, EmployeeName, Number, Step, Kind, Due, Status string
	Overdue, CanRecord                                         bool
}

// caseWorkSignalGroup is one employer's steps, oldest first.
type caseWorkSignalGroup struct {
	Employer string
	Rows     []caseWorkSignalRow
}

// caseWorkSignalsData is the signals page's data.
type caseWorkSignalsData struct {
	Groups  []caseWorkSignalGroup
	Days    int
	Today   string
	Limited bool
}

// parseCaseWorkDays reads the look-ahead in days ("" is def); anything
// else than a whole number from 0 to caseWorkMaxDays is false.
func parseCaseWorkDays(v string, def int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > caseWorkMaxDays {
		return 0, false
	}
	return n, true
}

// caseWorkSignals is the case manager's and labour expert's start page: the
// Poortwachter steps due within the chosen days or overdue, of the
// employers their case-work grants reach, grouped per employer with the
// group of the oldest step first, each with a one-click "done on" form
// where the grant may record it. Each grant lists its own tenants; a
// caller's other grants (an employer's) are not this page's.
func (s *Server) caseWorkSignals(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	days := 14
	v := view{Title: "Signalen: wat moet er gebeuren", Notice: caseWorkNotices[r.URL.Query().Get("klaar")],
		Form: map[string]string{"dagen": strconv.Itoa(days)}}
	svc := s.opts.CaseWork
	today := svc.Absences.Today()
	if q := r.URL.Query().Get("dagen"); q != "" {
		n, ok := parseCaseWorkDays(q, days)
		v.Form["dagen"] = q
		if !ok {
			v.Error = pageErrorOf(derrors.ErrInvalid).message
			v.Fields = map[string]string{"dagen": fmt.Sprintf("Vul een heel aantal dagen in, van 0 tot en met %d.", caseWorkMaxDays)}
			v.Notice = ""
			v.Data = caseWorkSignalsData{Today: isoDate(today)}
			s.render(w, r, http.StatusBadRequest, "casemanager_signals.html", v)
			return nil
		}
		days = n
	}
	if err := s.takeEmployerListRead(r, "casework-signals"); err != nil {
		return err
	}
	type listed struct {
		absence.Signal
		actor access.Actor
	}
	var all []listed
	for _, a := range actors {
		if a.Role != access.RoleCaseManager && a.Role != access.RoleLabourExpert {
			continue
		}
		part, err := svc.Absences.Signals(r.Context(), a, days, absence.MaxSignalsPage, nil)
		if err != nil {
			return err
		}
		for _, x := range part {
			all = append(all, listed{x, a})
		}
	}
	key := func(x listed) string { return x.AbsenceID.String() + "-" + string(x.Kind) + "-" + strconv.Itoa(x.N) }
	may := func(x listed) bool { return s.roleMay(x.actor.Role, "absences", "record_milestone") }
	// Oldest first; of a step two grants list, the one that may record it.
	slices.SortStableFunc(all, func(x, y listed) int {
		return cmp.Or(x.Due.Compare(y.Due), strings.Compare(key(x), key(y)), compareBool(may(y), may(x)))
	})
	all = slices.CompactFunc(all, func(x, y listed) bool { return key(x) == key(y) })
	d := caseWorkSignalsData{Days: days, Today: isoDate(today), Limited: len(all) >= absence.MaxSignalsPage}
	index := map[uuid.UUID]int{}
	for _, x := range all {
		i, ok := index[x.EmployerID]
		if !ok {
			e, err := svc.Employers.Get(r.Context(), x.actor, x.EmployerID)
			if err != nil {
				return err
			}
			i = len(d.Groups)
			index[x.EmployerID] = i
			d.Groups = append(d.Groups, caseWorkSignalGroup{Employer: e.Name})
		}
		d.Groups[i].Rows = append(d.Groups[i].Rows, caseWorkSignalRow{Key: key(x), CaseID: x.AbsenceID.String(),
			EmployeeName: x.EmployeeName, Number: x.EmployeeNumber, Step: employerStepName(x.Kind, x.N), Kind: string(x.Kind),
			Due: Date(x.Due), Status: employerStatusNames[x.Status], Overdue: x.Status == absence.StatusOverdue,
			CanRecord: caseWorkSteps[x.Kind] && may(x)})
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "casemanager_signals.html", v)
	return nil
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// caseWorkMilestone is one step of the case's timeline.
type caseWorkMilestone struct {
	Key, Kind, Step, Due, Done, Status string
	Overdue, IsDone, CanRecord         bool
}

// caseWorkContact is one entry of the contact log.
type caseWorkContact struct {
	Date, Channel, Participants, Summary string
}

// caseWorkNote is one process note; a removed note has no text.
type caseWorkNote struct {
	ID, Written, Text       string
	Redacted                bool
	RedactedOn, Reason      string
	RedactError, ReasonKept string
}

// caseWorkCan says which forms and links the case page shows the actor:
// what the policy lets the actor's role do (each route decides again).
type caseWorkCan struct {
	Record, Plan, Evaluate, Print, Contact, Note, Redact, Login, Change bool
	// ReadPlan, ReadNotes, ReadAdvice and ReadVerdicts: the sections the
	// role may read.
	ReadPlan, ReadNotes, ReadAdvice, ReadVerdicts bool
}

// caseWorkCaseData is what the case page shows.
type caseWorkCaseData struct {
	ID, EmployeeID, EmployeeName, EmployeeNumber, FirstSickDay, ClosedOn string
	Open, HasLogin                                                       bool
	Percentage                                                           int
	Milestones                                                           []caseWorkMilestone
	Plan                                                                 *employerPlanView
	PlanRows                                                             []int
	Contacts                                                             []caseWorkContact
	Notes                                                                []caseWorkNote
	Advice                                                               []employerAdviceRow
	Verdict, VerdictDate                                                 string
	Can                                                                  caseWorkCan
	Channels                                                             []caseWorkOption
	Today                                                                string
	// StepError is the message of the step form that failed, at its key.
	StepKey, StepError string
	// plan is the plan on record (zero when none), for the plan form.
	plan absence.Plan
}

// caseWorkOption is one option of a select.
type caseWorkOption struct{ Value, Label string }

// caseWorkChannels are the contact log's channels, in Dutch; a call is
// never recorded.
var caseWorkChannels = []caseWorkOption{
	{string(absence.ChannelPhone), "Telefoon"}, {string(absence.ChannelEmail), "E-mail"},
	{string(absence.ChannelMeeting), "Gesprek"}, {string(absence.ChannelVideo), "Videobellen"},
	{string(absence.ChannelLetter), "Brief"},
}

// caseWorkChannelName is the Dutch name of a channel.
func caseWorkChannelName(c absence.Channel) string {
	for _, o := range caseWorkChannels {
		if o.Value == string(c) {
			return o.Label
		}
	}
	return string(c)
}

// caseWorkMaxActivities bounds the plan's agreed activities, as the
// service does.
const caseWorkMaxActivities = 50

// caseWorkCase gathers the case page under one actor: the case and its
// timeline, and each section the actor's role may read. A case the actor
// may not see is derrors.ErrNotFound.
func (s *Server) caseWorkCase(ctx context.Context, a access.Actor, id uuid.UUID) (caseWorkCaseData, error) {
	svc := s.opts.CaseWork
	x, err := svc.Absences.Get(ctx, a, id)
	if err != nil {
		return caseWorkCaseData{}, err
	}
	can := caseWorkCan{
		Record: s.roleMay(a.Role, "absences", "record_milestone"), Plan: s.roleMay(a.Role, "plans", "create"),
		Evaluate: s.roleMay(a.Role, "evaluations", "create"), Print: s.roleMay(a.Role, "plans", "print"),
		Contact: s.roleMay(a.Role, "contacts", "create"), Note: s.roleMay(a.Role, "notes", "create"),
		Redact: s.roleMay(a.Role, "notes", "redact"), Login: s.roleMay(a.Role, "invitations", "create"),
		Change:   s.roleMay(a.Role, "absences", "change"),
		ReadPlan: s.roleMay(a.Role, "plans", "read"), ReadNotes: s.roleMay(a.Role, "notes", "read"),
		ReadAdvice: s.roleMay(a.Role, "advice", "read"), ReadVerdicts: s.roleMay(a.Role, "verdicts", "read"),
	}
	open := x.Status == absence.CaseOpen
	if !open {
		can.Record, can.Plan, can.Evaluate, can.Change = false, false, false, false
	}
	e, err := svc.Employees.Get(ctx, a, x.EmployeeID)
	if err != nil {
		return caseWorkCaseData{}, err
	}
	d := caseWorkCaseData{ID: x.ID.String(), EmployeeID: x.EmployeeID.String(), EmployeeName: e.FirstName + " " + e.LastName,
		EmployeeNumber: e.EmployeeNumber, FirstSickDay: Date(x.FirstSickDay), ClosedOn: Date(x.ClosedOn), Open: open,
		HasLogin: e.UserID != uuid.Nil, Percentage: x.Percentage, Can: can, Channels: caseWorkChannels,
		Today: isoDate(svc.Absences.Today())}
	nextEvaluation := true
	for _, m := range x.VisibleMilestones(a.Role, svc.Absences.Settings(), svc.Absences.Today()) {
		pending := m.Status == absence.StatusOpen || m.Status == absence.StatusOverdue
		row := caseWorkMilestone{Key: d.ID + "-" + string(m.Kind) + "-" + strconv.Itoa(m.N), Kind: string(m.Kind),
			Step: employerStepName(m.Kind, m.N), Due: Date(m.Due), Done: Date(m.DoneOn), Status: employerStatusNames[m.Status],
			Overdue: m.Status == absence.StatusOverdue, IsDone: m.Status == absence.StatusDone,
			CanRecord: can.Record && pending && caseWorkSteps[m.Kind]}
		if m.Kind == absence.KindEvaluation && row.CanRecord {
			// Only the next evaluation can be recorded.
			row.CanRecord, nextEvaluation = nextEvaluation, false
		}
		d.Milestones = append(d.Milestones, row)
	}
	if can.ReadPlan {
		p, evs, err := svc.Absences.Plan(ctx, a, id)
		switch {
		case errors.Is(err, derrors.ErrNotFound):
			// No plan yet.
		case err != nil:
			return caseWorkCaseData{}, err
		default:
			d.Plan, d.plan = employerPlanOf(p, evs), p
		}
	}
	cs, err := svc.Absences.Contacts(ctx, a, id)
	if err != nil {
		return caseWorkCaseData{}, err
	}
	for _, c := range slices.Backward(cs) {
		d.Contacts = append(d.Contacts, caseWorkContact{Date: Date(c.OccurredOn), Channel: caseWorkChannelName(c.Channel),
			Participants: strings.Join(c.Participants, ", "), Summary: c.Summary})
	}
	if can.ReadNotes {
		ns, err := svc.Absences.Notes(ctx, a, id)
		if err != nil {
			return caseWorkCaseData{}, err
		}
		for _, n := range slices.Backward(ns) {
			d.Notes = append(d.Notes, caseWorkNote{ID: n.ID.String(), Written: Date(n.CreatedAt.In(employerZone)), Text: n.Body,
				Redacted: !n.RedactedAt.IsZero(), RedactedOn: Date(n.RedactedAt.In(employerZone)), Reason: n.RedactionReason})
		}
	}
	if can.ReadVerdicts {
		vs, err := svc.Fitness.Verdicts(ctx, a, x.EmployeeID)
		if err != nil {
			return caseWorkCaseData{}, err
		}
		if rows := employerVerdicts(vs); len(rows) > 0 {
			d.Verdict, d.VerdictDate = rows[0].Text, rows[0].Date
		}
	}
	if can.ReadAdvice {
		adv, err := svc.Fitness.AdviceFor(ctx, a, x.EmployeeID)
		if err != nil {
			return caseWorkCaseData{}, err
		}
		for _, ad := range slices.Backward(adv) {
			d.Advice = append(d.Advice, employerAdviceRow{Date: Date(ad.PublishedAt.In(employerZone)), Limitations: ad.Limitations,
				Possibilities: ad.Possibilities, Weeks: ad.ExpectedDurationWeeks})
		}
	}
	return d, nil
}

// caseWorkPlanForm returns the plan form's values from the plan on record
// (a new version starts from the current one); none for no plan.
func caseWorkPlanForm(p absence.Plan) map[string]string {
	out := map[string]string{}
	if p.ID == uuid.Nil {
		return out
	}
	out["plan_doel"], out["plan_werkgever"], out["plan_werknemer"] = p.Goals, p.EmployerView, p.EmployeeView
	out["plan_getekend_werkgever"], out["plan_getekend_werknemer"] = isoDate(p.EmployerSignedOn), isoDate(p.EmployeeSignedOn)
	for i, ac := range p.Activities {
		n := strconv.Itoa(i + 1)
		out["plan_afspraak_"+n+"_wat"], out["plan_afspraak_"+n+"_wie"], out["plan_afspraak_"+n+"_datum"] =
			ac.Description, ac.Who, isoDate(ac.ByWhen)
	}
	return out
}

// caseWorkPlanRows returns the numbers of the plan form's activity rows:
// every filled row and two empty ones (at least three, at most
// caseWorkMaxActivities).
func caseWorkPlanRows(form map[string]string) []int {
	last := 0
	for i := 1; i <= caseWorkMaxActivities; i++ {
		n := strconv.Itoa(i)
		if form["plan_afspraak_"+n+"_wat"] != "" || form["plan_afspraak_"+n+"_wie"] != "" || form["plan_afspraak_"+n+"_datum"] != "" {
			last = i
		}
	}
	rows := make([]int, 0, caseWorkMaxActivities)
	for i := 1; i <= min(caseWorkMaxActivities, max(3, last+2)); i++ {
		rows = append(rows, i)
	}
	return rows
}

// caseWorkShowCase renders the case page with status, a notice, and a
// form's errors and kept values (nil: the plan form starts from the plan
// on record).
func (s *Server) caseWorkShowCase(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int, v view,
	edit func(*caseWorkCaseData)) error {
	d, err := s.caseWorkCase(r.Context(), a, id)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	if v.Form == nil {
		v.Form = map[string]string{}
		if d.Can.Plan {
			v.Form = caseWorkPlanForm(d.plan)
		}
	}
	for k, def := range map[string]string{"ev_datum": d.Today, "contact_datum": d.Today, "ev_soort": string(absence.EvaluationPlan),
		"contact_kanaal": string(absence.ChannelPhone)} {
		if _, ok := v.Form[k]; !ok {
			v.Form[k] = def
		}
	}
	d.PlanRows = caseWorkPlanRows(v.Form)
	if len(v.Fields) > 0 && v.Error == "" {
		// A field the form does not show says its message at the top.
		v.Error = cmp.Or(v.Fields["algemeen"], pageErrorOf(derrors.ErrInvalid).message)
	}
	v.Title = "Verzuim van " + d.EmployeeName
	v.Data = d
	s.render(w, r, status, "casemanager_case.html", v)
	return nil
}

// caseWorkCasePage shows one case.
func (s *Server) caseWorkCasePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.caseWorkShowCase(w, r, a, id, http.StatusOK, view{Notice: caseWorkNotices[r.URL.Query().Get("klaar")]}, nil)
}

// caseWorkDone redirects after a form to the case page's section, saying
// what was done (klaar).
func caseWorkDone(w http.ResponseWriter, r *http.Request, caseID uuid.UUID, klaar, section string) {
	http.Redirect(w, r, "/casemanager/verzuim/"+caseID.String()+"?klaar="+klaar+"#"+section, http.StatusSeeOther)
}

// caseWorkFieldMessages are the messages of the case page's fields, by the
// form's field name.
var caseWorkFieldMessages = map[string]string{
	"stap_soort":              "Kies een stap die u als gedaan kunt vastleggen.",
	"stap_datum":              "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst.",
	"plan_doel":               "Vul het doel in (hoogstens 4000 tekens, zonder stuurtekens).",
	"plan_werkgever":          "Vul in wat de werkgever van de re-integratie vindt (hoogstens 4000 tekens, zonder stuurtekens).",
	"plan_werknemer":          "Vul in wat de medewerker van de re-integratie vindt (hoogstens 4000 tekens, zonder stuurtekens).",
	"plan_afspraken":          "Vul minstens één afspraak in: wat er gebeurt, wie het doet en uiterlijk wanneer.",
	"plan_getekend_werkgever": "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst, of laat het leeg.",
	"plan_getekend_werknemer": "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst, of laat het leeg.",
	"ev_soort":                "Kies wat voor evaluatie het is.",
	"ev_datum":                "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst.",
	"ev_samenvatting":         "Vul een samenvatting in (hoogstens 4000 tekens, zonder stuurtekens).",
	"ev_werkgever":            "Vul in wat de werkgever ervan vindt (hoogstens 4000 tekens, zonder stuurtekens).",
	"ev_werknemer":            "Vul in wat de medewerker ervan vindt (hoogstens 4000 tekens, zonder stuurtekens).",
	"contact_datum":           "Vul een datum in die niet in de toekomst ligt.",
	"contact_kanaal":          "Kies hoe het contact was uit de lijst.",
	"contact_wie":             "Vul in wie er meededen: 1 tot 20 namen of rollen, gescheiden door komma’s (hoogstens 200 tekens per naam).",
	"contact_samenvatting":    "Vul een korte samenvatting in (hoogstens 4000 tekens, zonder stuurtekens).",
	"notitie_tekst":           "Vul de notitie in (hoogstens 4000 tekens, zonder stuurtekens).",
	"reden":                   "Zeg kort waarom de tekst weg moet (hoogstens 1000 tekens, zonder stuurtekens).",
	"algemeen":                "Niet alles is goed ingevuld. Controleer het formulier en probeer het opnieuw.",
}

// caseWorkFields puts the service's field errors on the case page's forms.
var caseWorkFields = fieldTable{messages: caseWorkFieldMessages, message: caseWorkActivityMessage}

// caseWorkActivityMessage is the message of an activity field of the plan
// form (plan_afspraak_<n>_wat, _wie, _datum), by the form's field name.
func caseWorkActivityMessage(_, name string) string {
	switch {
	case strings.HasSuffix(name, "_wat"):
		return "Vul in wat er gebeurt (hoogstens 1000 tekens, zonder stuurtekens)."
	case strings.HasSuffix(name, "_wie"):
		return "Vul in wie het doet (hoogstens 200 tekens, zonder stuurtekens)."
	case strings.HasSuffix(name, "_datum"):
		return "Vul een datum in, bijvoorbeeld 2026-01-02."
	}
	return "Dit is niet goed ingevuld."
}

// caseWorkRecordStep records a Poortwachter step done on a date (the API's
// recordMilestone), from the signals list (terug=signalen: back to the
// list) or the case's timeline. Bad input shows the case page again.
func (s *Server) caseWorkRecordStep(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "stap_soort", "stap_datum", "terug", "dagen")
	kind := absence.Kind(f.get("stap_soort"))
	if !caseWorkSteps[kind] {
		f.fields["stap_soort"] = caseWorkFieldMessages["stap_soort"]
	}
	done := employerDate(f, "stap_datum", true)
	status := http.StatusBadRequest
	var failure string
	if len(f.fields) == 0 {
		_, err := s.opts.CaseWork.Absences.RecordMilestone(r.Context(), a, id, kind, done, false)
		switch {
		case err == nil:
			if f.get("terug") == "signalen" {
				dagen := ""
				if n, ok := parseCaseWorkDays(f.get("dagen"), -1); ok && n >= 0 {
					dagen = "dagen=" + strconv.Itoa(n) + "&"
				}
				http.Redirect(w, r, "/casemanager?"+dagen+"klaar=stap", http.StatusSeeOther)
				return nil
			}
			caseWorkDone(w, r, id, "stap", "tijdlijn")
			return nil
		case errors.Is(err, derrors.ErrConflict):
			status, failure = http.StatusConflict, "Deze stap is al als gedaan vastgelegd."
		case !caseWorkFields.put(err, map[string]string{"kind": "stap_soort", "done_on": "stap_datum", "*": "stap_datum"}, f.fields):
			return err
		}
	}
	if failure == "" {
		failure = cmp.Or(f.fields["stap_datum"], f.fields["stap_soort"])
	}
	key := id.String() + "-" + string(kind) + "-"
	return s.caseWorkShowCase(w, r, a, id, status, view{Error: failure}, func(d *caseWorkCaseData) {
		for _, m := range d.Milestones {
			if strings.HasPrefix(m.Key, key) && m.CanRecord {
				d.StepKey, d.StepError = m.Key, failure
				return
			}
		}
	})
}

// caseWorkPlanFields are the plan form's fields besides the activities.
var caseWorkPlanFields = []string{"plan_doel", "plan_werkgever", "plan_werknemer", "plan_getekend_werkgever", "plan_getekend_werknemer"}

// caseWorkRecordPlan records a new version of the plan of action (the
// API's recordPlan): goals, the agreed activities (rows left empty are
// skipped), both views on reintegration and the signature dates.
func (s *Server) caseWorkRecordPlan(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	names := slices.Clone(caseWorkPlanFields)
	for i := 1; i <= caseWorkMaxActivities; i++ {
		n := strconv.Itoa(i)
		names = append(names, "plan_afspraak_"+n+"_wat", "plan_afspraak_"+n+"_wie", "plan_afspraak_"+n+"_datum")
	}
	f := employerForm(r, names...)
	p := absence.Plan{Goals: f.get("plan_doel"), EmployerView: f.get("plan_werkgever"), EmployeeView: f.get("plan_werknemer"),
		EmployerSignedOn: employerDate(f, "plan_getekend_werkgever", false),
		EmployeeSignedOn: employerDate(f, "plan_getekend_werknemer", false)}
	// The service's activities[i] is the form's row rows[i].
	service := map[string]string{"goals": "plan_doel", "employer_view": "plan_werkgever", "employee_view": "plan_werknemer",
		"employer_signed_on": "plan_getekend_werkgever", "employee_signed_on": "plan_getekend_werknemer", "activities": "plan_afspraken"}
	for i := 1; i <= caseWorkMaxActivities; i++ {
		n := "plan_afspraak_" + strconv.Itoa(i)
		what, who, by := f.get(n+"_wat"), f.get(n+"_wie"), strings.TrimSpace(f.get(n+"_datum"))
		if strings.TrimSpace(what) == "" && strings.TrimSpace(who) == "" && by == "" {
			continue
		}
		j := strconv.Itoa(len(p.Activities))
		service["activities["+j+"].description"], service["activities["+j+"].who"], service["activities["+j+"].by_when"] =
			n+"_wat", n+"_wie", n+"_datum"
		p.Activities = append(p.Activities, absence.Activity{Description: what, Who: who, ByWhen: employerDate(f, n+"_datum", true)})
	}
	if len(p.Activities) == 0 {
		f.fields["plan_afspraken"] = caseWorkFieldMessages["plan_afspraken"]
	}
	if len(f.fields) == 0 {
		_, err := s.opts.CaseWork.Absences.RecordPlan(r.Context(), a, id, p)
		if err == nil {
			caseWorkDone(w, r, id, "plan", "plan")
			return nil
		}
		if !caseWorkFields.put(err, service, f.fields) {
			return err
		}
	}
	return s.caseWorkShowCase(w, r, a, id, http.StatusBadRequest, view{Fields: f.fields, Form: f.keep(names...)}, nil)
}

// caseWorkEvaluationFields are the evaluation form's fields.
var caseWorkEvaluationFields = []string{"ev_soort", "ev_datum", "ev_samenvatting", "ev_werkgever", "ev_werknemer"}

// caseWorkRecordEvaluation records an evaluation of the plan, or the
// first-year evaluation (the API's recordEvaluation).
func (s *Server) caseWorkRecordEvaluation(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, caseWorkEvaluationFields...)
	kind := absence.EvaluationKind(f.get("ev_soort"))
	if kind != absence.EvaluationPlan && kind != absence.EvaluationFirstYear {
		f.fields["ev_soort"] = caseWorkFieldMessages["ev_soort"]
	}
	e := absence.Evaluation{Kind: kind, HeldOn: employerDate(f, "ev_datum", true), Summary: f.get("ev_samenvatting"),
		EmployerView: f.get("ev_werkgever"), EmployeeView: f.get("ev_werknemer")}
	if len(f.fields) == 0 {
		_, err := s.opts.CaseWork.Absences.RecordEvaluation(r.Context(), a, id, e)
		switch {
		case err == nil:
			caseWorkDone(w, r, id, "evaluatie", "plan")
			return nil
		case errors.Is(err, derrors.ErrConflict):
			f.fields["ev_soort"] = "De eerstejaarsevaluatie is al vastgelegd."
		case !caseWorkFields.put(err, map[string]string{"kind": "ev_soort", "held_on": "ev_datum", "summary": "ev_samenvatting",
			"employer_view": "ev_werkgever", "employee_view": "ev_werknemer"}, f.fields):
			return err
		}
	}
	return s.caseWorkShowCase(w, r, a, id, http.StatusBadRequest, view{Fields: f.fields, Form: f.keep(caseWorkEvaluationFields...)}, nil)
}

// caseWorkPlanPDF serves the plan of action as a PDF (the API's planPDF).
func (s *Server) caseWorkPlanPDF(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	pdf, err := s.opts.CaseWork.Absences.PlanPDF(r.Context(), a, id)
	if err != nil {
		return err
	}
	download(w, "plan-van-aanpak.pdf", "application/pdf", pdf)
	return nil
}

// caseWorkContactFields are the contact form's fields.
var caseWorkContactFields = []string{"contact_datum", "contact_kanaal", "contact_wie", "contact_samenvatting"}

// caseWorkParticipants splits the participants field at commas, leaving
// out empty names.
func caseWorkParticipants(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// caseWorkAddContact adds an entry to the contact log (the API's
// addContact): date, channel, who took part and a summary. Nothing is ever
// recorded but these.
func (s *Server) caseWorkAddContact(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, caseWorkContactFields...)
	channel := absence.Channel(f.get("contact_kanaal"))
	if !slices.ContainsFunc(caseWorkChannels, func(o caseWorkOption) bool { return o.Value == string(channel) }) {
		f.fields["contact_kanaal"] = caseWorkFieldMessages["contact_kanaal"]
	}
	c := absence.Contact{OccurredOn: employerDate(f, "contact_datum", true), Channel: channel,
		Participants: caseWorkParticipants(f.get("contact_wie")), Summary: f.get("contact_samenvatting")}
	if len(f.fields) == 0 {
		_, err := s.opts.CaseWork.Absences.AddContact(r.Context(), a, id, c)
		if err == nil {
			caseWorkDone(w, r, id, "contact", "contacten")
			return nil
		}
		names := map[string]string{"occurred_on": "contact_datum", "channel": "contact_kanaal", "participants": "contact_wie",
			"summary": "contact_samenvatting"}
		for i := range c.Participants {
			names["participants["+strconv.Itoa(i)+"]"] = "contact_wie"
		}
		if !caseWorkFields.put(err, names, f.fields) {
			return err
		}
	}
	return s.caseWorkShowCase(w, r, a, id, http.StatusBadRequest, view{Fields: f.fields, Form: f.keep(caseWorkContactFields...)}, nil)
}

// caseWorkAddNote adds a process note (the API's addNote).
func (s *Server) caseWorkAddNote(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "notitie_tekst")
	if len(f.fields) == 0 {
		_, err := s.opts.CaseWork.Absences.AddNote(r.Context(), a, id, f.get("notitie_tekst"))
		if err == nil {
			caseWorkDone(w, r, id, "notitie", "notities")
			return nil
		}
		if !caseWorkFields.put(err, map[string]string{"text": "notitie_tekst"}, f.fields) {
			return err
		}
	}
	return s.caseWorkShowCase(w, r, a, id, http.StatusBadRequest, view{Fields: f.fields, Form: f.keep("notitie_tekst")}, nil)
}

// caseWorkRedactNote removes the text of a process note in which medical
// detail was typed by mistake (the API's redactNote: one step, with a
// reason; who, when and why stay). Bad input shows the case page of the
// form's verzuim field again, with the message at the note.
func (s *Server) caseWorkRedactNote(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	noteID, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "reden", "verzuim")
	if len(f.fields) == 0 {
		n, err := s.opts.CaseWork.Absences.RedactNote(r.Context(), a, noteID, f.get("reden"))
		if err == nil {
			caseWorkDone(w, r, n.AbsenceID, "verwijderd", "notities")
			return nil
		}
		if errors.Is(err, derrors.ErrConflict) {
			f.fields["reden"] = "De tekst van deze notitie is al verwijderd."
		} else if !caseWorkFields.put(err, map[string]string{"reason": "reden"}, f.fields) {
			return err
		}
	}
	caseID, ok := access.ParseID(f.get("verzuim"))
	if !ok {
		return fmt.Errorf("web: redact note: no case to show: %w", derrors.ErrInvalid)
	}
	msg := f.fields["reden"]
	return s.caseWorkShowCase(w, r, a, caseID, http.StatusBadRequest, view{Fields: f.fields}, func(d *caseWorkCaseData) {
		for i := range d.Notes {
			if d.Notes[i].ID == noteID.String() {
				d.Notes[i].RedactError, d.Notes[i].ReasonKept = msg, f.get("reden")
			}
		}
	})
}
