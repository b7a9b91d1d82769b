package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/worklist"
)

// WorklistReader is what the company doctor's worklist needs of the
// worklist service (worklist.Service).
type WorklistReader interface {
	// List returns the worklist of the actor's one grant, audited as one
	// list read.
	List(ctx context.Context, a access.Actor) (worklist.Worklist, error)
}

// LoginIssuer is what issuing an employee's login needs of the invitation
// service (identity.Invitations), as the API's invite and activationLetter
// handlers use it.
type LoginIssuer interface {
	EmployeeForLogin(ctx context.Context, actor access.Principal, employeeID uuid.UUID, requestID string) (identity.EmployeeRecord, error)
	Invite(ctx context.Context, actor access.Principal, req identity.InvitationRequest, requestID string) (identity.Invited, error)
	IssueLetter(ctx context.Context, actor access.Principal, req identity.LetterRequest, requestID string) ([]byte, error)
}

// WorklistServices are the domain services of the company doctor's worklist (physician, lead physician, medical assistant): their own dossiers, consultations to plan, open medical requests, answers received and problem analyses due, scoped to the dossiers in their care; and issuing an employee's login from a page.
type WorklistServices struct {
	Worklist WorklistReader
	Logins   LoginIssuer
	// Analyses records the problem analysis done (absence.Service).
	Analyses ProblemAnalyses
}

// ProblemAnalyses is what the worklist needs of the absence service to
// record the physician's problem analysis, as the API's milestone route.
type ProblemAnalyses interface {
	RecordMilestone(ctx context.Context, a access.Actor, id uuid.UUID, kind absence.Kind, doneOn time.Time, lateOnset bool) (absence.Absence, error)
}

// worklistPageNames are the worklist's and the login pages' templates.
var worklistPageNames = []string{"arts_worklist.html", "issue_login.html", "issue_login_code.html", "issue_login_letter.html"}

func init() { pageNames = append(pageNames, worklistPageNames...) }

// worklistRoutes registers the company doctor's worklist (physician, lead physician, medical assistant): their own dossiers, consultations to plan, open medical requests, answers received and problem analyses due, scoped to the dossiers in their care; and issuing an employee's login from a page.
func (s *Server) worklistRoutes() {
	if s.opts.Worklist.Worklist != nil {
		home := s.authorized("medical.dossier", "read", nil, s.worklistPage)
		s.handle("GET /arts", s.loggedIn(home))
		s.addHome(func(c caller) bool {
			return hasRole(c, access.RolePhysician, access.RoleLeadPhysician, access.RoleMedicalAssistant)
		}, home)
		if s.opts.Worklist.Analyses != nil {
			s.handle("POST /arts/verzuim/{id}/probleemanalyse", s.physicianOnly("absences", "record_milestone", s.worklistRecordAnalysis))
		}
	}
	if s.opts.Worklist.Logins != nil {
		s.handle("GET /medewerkers/{id}/inlog", s.allow("invitations", "create", s.issueLoginPage))
		s.handle("POST /medewerkers/{id}/inlog", s.allow("invitations", "create", s.issueLogin))
		s.handle("POST /medewerkers/{id}/inlog/{invitation}/brief", s.allow("invitations", "letter", s.issueLoginLetter))
	}
}

// worklistPerson is one employee on the worklist page.
type worklistPerson struct {
	ID, CaseID, Name, Employer, Number string
	Absence, LastConsultation          string
	CaseFirstDay, AnalysisDue          string
	AnalysisOverdue, CanInvite         bool
}

// worklistRequest is one open request on the worklist page.
type worklistRequest struct {
	ID, EmployeeID, Name, Type, Status, Due string
	Overdue                                 bool
}

// worklistItem is a disclosure or an answer: whose dossier and when.
type worklistItem struct{ EmployeeID, Name, Date string }

// worklistData is the worklist page's data.
type worklistData struct {
	// OnBehalfOf names the physicians an assistant acts for.
	OnBehalfOf string
	// Blocked says why an assistant sees nothing.
	Blocked                         string
	Q                               string
	People, Consultations, Analyses []worklistPerson
	Requests                        []worklistRequest
	Disclosures, Answers            []worklistItem
	Limited, Filtered               bool
	AnswerDays                      int
	// CanRecordAnalysis shows the form that records a problem analysis
	// done (a physician's or lead physician's grant); Today is its default.
	CanRecordAnalysis bool
	Today             string
}

// worklistTypeNames are the Dutch names of the medical request types.
var worklistTypeNames = map[string]string{
	"inspection": "Inzage in het dossier", "copy": "Afschrift van het dossier", "correction": "Correctie",
	"own_statement": "Eigen verklaring toevoegen", "destruction": "Vernietiging",
}

// worklistStatusNames are the Dutch names of a request's status.
var worklistStatusNames = map[string]string{
	"received": "Ontvangen", "in_review": "In behandeling", "granted": "Toegewezen, nog leveren",
	"partly_granted": "Deels toegewezen, nog leveren",
}

// worklistMaxQuery bounds the search text.
const worklistMaxQuery = 100

// worklistPage is the company doctor's start page: the dossiers in the
// caller's care and what needs doing for them, merged over the caller's
// medical grants (each lists only what it alone reaches). An optional
// search (zoek) narrows every list to the employees whose name or
// employee number contains it. It is a list read: it takes one read from
// the list-read limit, and the service audits everyone it lists.
func (s *Server) worklistPage(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	q := strings.TrimSpace(r.URL.Query().Get("zoek"))
	if len(q) > worklistMaxQuery {
		s.render(w, r, http.StatusBadRequest, "arts_worklist.html", view{Title: "Mijn werklijst",
			Error: pageErrorOf(derrors.ErrInvalid).message, Data: worklistData{AnswerDays: worklist.AnswerDays},
			Fields: map[string]string{"zoek": "Zoek op een naam of personeelsnummer van hoogstens 100 tekens."}})
		return nil
	}
	if err := s.takeEmployerListRead(r, "worklist"); err != nil {
		return err
	}
	notice := worklistNotices[r.URL.Query().Get("klaar")]
	return s.worklistShow(w, r, actors, q, http.StatusOK, view{Notice: notice})
}

// worklistNotices are the messages of the klaar parameter of the redirect
// after a form on the worklist.
var worklistNotices = map[string]string{
	"probleemanalyse": "De probleemanalyse is vastgelegd als gedaan. De termijn van het plan van aanpak loopt vanaf die datum.",
}

// worklistShow renders the worklist of actors, narrowed to q, with status
// and v's message.
func (s *Server) worklistShow(w http.ResponseWriter, r *http.Request, actors []access.Actor, q string, status int, v view) error {
	var lists []worklist.Worklist
	for _, a := range actors {
		wl, err := s.opts.Worklist.Worklist.List(r.Context(), a)
		if err != nil {
			return err
		}
		lists = append(lists, wl)
	}
	d := buildWorklist(lists, q, s.employerToday())
	for _, a := range actors {
		d.CanRecordAnalysis = d.CanRecordAnalysis || (s.opts.Worklist.Analyses != nil && s.roleMay(a.Role, "absences", "record_milestone"))
	}
	d.Today = s.employerToday().Format(time.DateOnly)
	v.Title, v.Data = "Mijn werklijst", d
	s.render(w, r, status, "arts_worklist.html", v)
	return nil
}

// worklistRecordAnalysis records the problem analysis of case {id} done on
// the posted date (datum), with late onset when ticked (laat: the long
// absence only became foreseeable later), as the API's milestone route:
// the absence service refuses a physician outside the employer and a date
// before the first sick day or in the future. Done, it goes back to the
// worklist; bad input shows the worklist again with the message (400, or
// 409 when it was recorded already).
func (s *Server) worklistRecordAnalysis(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "datum", "laat")
	done := employerDate(f, "datum", true)
	late := f.get("laat") == "ja"
	if f.get("laat") != "" && !late {
		f.fields["laat"] = "Kies ja of laat het vakje leeg."
	}
	status, msg := http.StatusBadRequest, ""
	if len(f.fields) == 0 {
		_, err := s.opts.Worklist.Analyses.RecordMilestone(r.Context(), a, id, absence.KindProblemAnalysis, done, late)
		var fe derrors.FieldErrors
		switch {
		case err == nil:
			http.Redirect(w, r, "/arts?klaar=probleemanalyse#probleemanalyse", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.ErrConflict):
			status, msg = http.StatusConflict, "Deze probleemanalyse is al als gedaan vastgelegd."
		case errors.As(err, &fe):
			msg = "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst."
		default:
			return err
		}
	}
	if msg == "" {
		msg = cmp.Or(f.fields["datum"], f.fields["laat"])
	}
	return s.worklistShow(w, r, []access.Actor{a}, "", status, view{Error: "De probleemanalyse is niet vastgelegd. " + msg})
}

// buildWorklist merges the worklists of the caller's grants into the page's
// data, each person, request and item once, narrowed to the search text q
// (name or employee number, case-insensitive).
func buildWorklist(lists []worklist.Worklist, q string, today time.Time) worklistData {
	d := worklistData{Q: q, Filtered: q != "", AnswerDays: worklist.AnswerDays}
	needle := strings.ToLower(q)
	match := func(p worklist.Person) bool {
		return needle == "" || strings.Contains(strings.ToLower(p.Name()), needle) ||
			strings.Contains(strings.ToLower(p.EmployeeNumber), needle)
	}
	var (
		onBehalf []string
		blocked  []string
		shown    = map[uuid.UUID]bool{}
		seen     = map[string]bool{}
	)
	once := func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		return true
	}
	person := func(row worklist.Row) worklistPerson {
		p := worklistPerson{ID: row.EmployeeID.String(), Name: row.Name(), Employer: row.EmployerName, Number: row.EmployeeNumber,
			Absence: "Niet ziek gemeld", LastConsultation: Date(row.LastConsultation), CanInvite: !row.HasLogin}
		if c := row.Case; c != nil {
			p.CaseID = c.ID.String()
			p.Absence = fmt.Sprintf("Ziek voor %d%% sinds %s", c.Percentage, Date(c.FirstSickDay))
			p.CaseFirstDay, p.AnalysisDue = Date(c.FirstSickDay), Date(c.ProblemAnalysisDue)
			p.AnalysisOverdue = !c.ProblemAnalysisDue.IsZero() && today.After(c.ProblemAnalysisDue)
		}
		return p
	}
	for _, wl := range lists {
		onBehalf = append(onBehalf, wl.OnBehalfOf...)
		d.Limited = d.Limited || wl.Limited
		switch wl.Blocked {
		case worklist.BlockedExpired:
			blocked = append(blocked, "Uw geheimhoudingsverklaring is verlopen op "+Date(wl.StatementExpired)+
				". Daarom ziet u geen dossiers. Vraag de beheerder om een nieuwe verklaring.")
		case worklist.BlockedMissing:
			blocked = append(blocked, "Er is geen geldige geheimhoudingsverklaring van u. Daarom ziet u geen dossiers. "+
				"Vraag de beheerder om een verklaring die de bedrijfsarts noemt voor wie u werkt.")
		}
		for _, row := range wl.People {
			if match(row.Person) && once("p"+row.EmployeeID.String()) {
				d.People = append(d.People, person(row))
				shown[row.EmployeeID] = true
			}
		}
		for _, row := range wl.Consultations {
			if shown[row.EmployeeID] && once("c"+row.EmployeeID.String()) {
				d.Consultations = append(d.Consultations, person(row))
			}
		}
		for _, row := range wl.ProblemAnalyses {
			if shown[row.EmployeeID] && once("a"+row.EmployeeID.String()) {
				d.Analyses = append(d.Analyses, person(row))
			}
		}
		for _, x := range wl.Requests {
			if shown[x.EmployeeID] && once("r"+x.ID.String()) {
				d.Requests = append(d.Requests, worklistRequest{ID: x.ID.String(), EmployeeID: x.EmployeeID.String(), Name: x.Name,
					Type: worklistTypeName(x.Type), Status: worklistStatusNames[x.Status], Due: Date(x.Due), Overdue: x.Overdue})
			}
		}
		for _, x := range wl.Disclosures {
			if shown[x.EmployeeID] && once("d"+x.ID.String()) {
				d.Disclosures = append(d.Disclosures, worklistItem{EmployeeID: x.EmployeeID.String(), Name: x.Name,
					Date: Date(x.RegisteredAt.In(access.Amsterdam))})
			}
		}
		for _, x := range wl.Answers {
			if shown[x.EmployeeID] && once("i"+x.InformationRequestID.String()) {
				d.Answers = append(d.Answers, worklistItem{EmployeeID: x.EmployeeID.String(), Name: x.Name,
					Date: Date(x.AnsweredAt.In(access.Amsterdam))})
			}
		}
	}
	if len(d.People) == 0 && len(blocked) > 0 {
		d.Blocked = blocked[0]
	}
	slices.Sort(onBehalf)
	d.OnBehalfOf = strings.Join(slices.Compact(onBehalf), ", ")
	if len(lists) > 1 {
		// Each grant's lists are sorted; merged, overdue requests still go first.
		slices.SortStableFunc(d.Requests, func(a, b worklistRequest) int {
			switch {
			case a.Overdue == b.Overdue:
				return 0
			case a.Overdue:
				return -1
			}
			return 1
		})
	}
	return d
}

// worklistTypeName is the Dutch name of a medical request type.
func worklistTypeName(t string) string {
	if n, ok := worklistTypeNames[t]; ok {
		return n
	}
	return "Verzoek"
}

// Issuing an employee's login.

// issueLoginData is the login pages' data.
type issueLoginData struct {
	EmployeeID, Name, Number, Employer string
	HasLogin                           bool
	// Code is the activation code, shown once (in person).
	Code string
	// Invitation is the letter invitation's id; Expires when it ends.
	Invitation, Expires string
}

// issueLoginFields are the issuing form's fields.
var issueLoginFields = []string{"email", "wijze"}

// issueLoginMessages are the form's messages per field.
var issueLoginMessages = map[string]string{
	"email": "Vul het eigen e-mailadres in dat de medewerker u gaf (geen adres van de werkgever).",
	"wijze": "Kies hoe de medewerker de activeringscode krijgt.",
	"naam":  "Vul de naam in zoals die op de brief moet komen (hoogstens 200 tekens, op één regel).",
	"adres": "Vul het adres in op 2 tot 6 regels: straat en huisnummer, postcode en plaats, en zo nodig het land. Elke regel hoogstens 100 tekens.",
}

// issueLoginErrors puts the invitation service's field errors on the login
// forms: every one under the field the form has for it.
var issueLoginErrors = fieldTable{messages: issueLoginMessages}

// issueLoginRecord returns the employee record for the login pages, under
// the invitation service's rule (403 for the employer, 404 for others).
func (s *Server) issueLoginRecord(r *http.Request, a access.Actor) (identity.EmployeeRecord, issueLoginData, error) {
	id, err := pathUUID(r)
	if err != nil {
		return identity.EmployeeRecord{}, issueLoginData{}, err
	}
	rec, err := s.opts.Worklist.Logins.EmployeeForLogin(r.Context(), a.Principal, id, requestIDOf(r))
	if err != nil {
		return identity.EmployeeRecord{}, issueLoginData{}, err
	}
	return rec, issueLoginData{EmployeeID: rec.ID.String(), Name: strings.TrimSpace(rec.FirstName + " " + rec.LastName),
		Number: rec.EmployeeNumber, Employer: rec.EmployerName, HasLogin: rec.HasLogin}, nil
}

// issueLoginPage shows the form to issue an employee's login: the address
// the employee gives, and how the activation code reaches them.
func (s *Server) issueLoginPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	_, d, err := s.issueLoginRecord(r, a)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "issue_login.html", view{Title: "Inlog uitgeven", Form: map[string]string{"wijze": "in_person"}, Data: d})
	return nil
}

// issueLogin issues the employee's login with the invitation service (its
// mail goes through the outbox, as from the API), then shows the
// activation code once (in person) or the form for the activation letter.
// The code is in this answer only: never in an address, never stored by
// the portal.
func (s *Server) issueLogin(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	rec, d, err := s.issueLoginRecord(r, a)
	if err != nil {
		return err
	}
	f := employerForm(r, issueLoginFields...)
	email := strings.TrimSpace(f.get("email"))
	if email == "" && f.fields["email"] == "" {
		f.fields["email"] = issueLoginMessages["email"]
	}
	how := identity.Activation(f.get("wijze"))
	if !how.Valid() {
		f.fields["wijze"] = issueLoginMessages["wijze"]
	}
	v := view{Title: "Inlog uitgeven", Form: f.keep(issueLoginFields...), Data: d}
	if len(f.fields) > 0 {
		s.invalid(w, r, "issue_login.html", v, f)
		return nil
	}
	inv, err := s.opts.Worklist.Logins.Invite(r.Context(), a.Principal, identity.InvitationRequest{Email: email, DisplayName: d.Name,
		Role: access.RoleEmployee, EmployerID: rec.EmployerID, EmployeeID: rec.ID, Activation: how}, requestIDOf(r))
	switch {
	case issueLoginErrors.put(err, map[string]string{"*": "email"}, f.fields):
		s.invalid(w, r, "issue_login.html", v, f)
		return nil
	case errors.Is(err, derrors.ErrConflict):
		s.formFailed(w, r, "issue_login.html", v, err, map[error]string{derrors.ErrConflict: "Dit lukt niet: dit e-mailadres " +
			"hoort al bij een account, of de medewerker heeft al een inlog. Een inlog die nog niet is geactiveerd, geeft u opnieuw uit met hetzelfde e-mailadres."})
		return nil
	case err != nil:
		return err
	}
	d.Expires = Date(inv.ExpiresAt.In(access.Amsterdam))
	if inv.Activation == identity.ActivationInPerson {
		d.Code = inv.ActivationCode
		s.render(w, r, http.StatusOK, "issue_login_code.html", view{Title: "Activeringscode voor " + d.Name, Data: d})
		return nil
	}
	d.Invitation = inv.InvitationID.String()
	s.render(w, r, http.StatusOK, "issue_login_letter.html", view{Title: "Activeringsbrief voor " + d.Name,
		Form: map[string]string{"naam": d.Name}, Data: d})
	return nil
}

// issueLoginLetter makes the activation letter of a letter invitation the
// caller issued, once, to the name and address the employee gave, and
// sends it as a PDF. Bad lines show the form again (400).
func (s *Server) issueLoginLetter(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if _, err := pathUUID(r); err != nil {
		return err
	}
	invID, ok := access.ParseID(r.PathValue("invitation"))
	if !ok {
		return fmt.Errorf("web: invitation id: %w", derrors.ErrNotFound)
	}
	f := employerForm(r, "naam", "adres")
	var lines []string
	for l := range strings.Lines(f.get("adres")) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	pdf, err := s.opts.Worklist.Logins.IssueLetter(r.Context(), a.Principal, identity.LetterRequest{InvitationID: invID,
		Name: f.get("naam"), Address: lines}, requestIDOf(r))
	switch {
	case issueLoginErrors.put(err, map[string]string{"name": "naam", "*": "adres"}, f.fields):
		_, d, err := s.issueLoginRecord(r, a)
		if err != nil {
			return err
		}
		d.Invitation = invID.String()
		s.invalid(w, r, "issue_login_letter.html", view{Title: "Activeringsbrief voor " + d.Name, Form: f.keep("naam", "adres"), Data: d}, f)
		return nil
	case err != nil:
		return err
	}
	download(w, "activeringsbrief.pdf", "application/pdf", pdf)
	return nil
}
