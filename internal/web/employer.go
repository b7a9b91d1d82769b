package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/fitness"
)

// EmployerEmployees is what the employer's portal needs of the employee
// service (employee.Service), as the API's handlers use it.
type EmployerEmployees interface {
	Create(ctx context.Context, a access.Actor, e employee.Employee) (employee.Employee, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employee.Employee, error)
	Import(ctx context.Context, a access.Actor, employerID uuid.UUID, r io.Reader) ([]employee.Employee, error)
	Update(ctx context.Context, a access.Actor, id uuid.UUID, p employee.Patch, why employee.Rectification) (employee.Employee, error)
}

// EmployerAbsences is what the employer's portal needs of the absence
// service (absence.Service).
type EmployerAbsences interface {
	Report(ctx context.Context, a access.Actor, employeeID uuid.UUID, r absence.Report) (absence.Absence, bool, error)
	Change(ctx context.Context, a access.Actor, id uuid.UUID, date time.Time, percentage int) (absence.Absence, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Absence, error)
	ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]absence.Absence, error)
	Plan(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Plan, []absence.Evaluation, error)
	PlanPDF(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
	Signals(ctx context.Context, a access.Actor, withinDays, limit int, after *absence.Cursor) ([]absence.Signal, error)
	Overview(ctx context.Context, a access.Actor, employerID uuid.UUID) ([]absence.OverviewRow, error)
	Settings() absence.Settings
	Today() time.Time
}

// EmployerFitness is what the employer's portal needs of the fitness
// service (fitness.Service): verdicts as the caller may see them, and
// advice, which the service refuses (derrors.ErrNotFound) unless the
// employer's contract shares it.
type EmployerFitness interface {
	Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
	AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
}

// EmployerServices are the domain services of the employer's portal.
type EmployerServices struct {
	Employees EmployerEmployees
	Absences  EmployerAbsences
	Fitness   EmployerFitness
}

// employerPageNames are the employer portal's templates.
var employerPageNames = []string{"employer_overview.html", "employer_signals.html", "employer_employee.html",
	"employer_employee_form.html", "employer_case.html", "employer_import.html"}

func init() { pageNames = append(pageNames, employerPageNames...) }

// employerRoutes registers the employer's portal, each page under the
// resource and action of the API route that does the same.
func (s *Server) employerRoutes() {
	s.employerHome = s.authorized("employer_overview", "read", nil, s.employerOverview)
	s.handle("GET /werkgever", s.loggedIn(s.employerHome))
	s.handle("GET /werkgever/signalen", s.allowAll("signals", "read", s.employerSignals))
	s.handle("GET /werkgever/medewerkers/nieuw", s.allow("employees", "create", s.employerNewEmployee))
	s.handle("POST /werkgever/medewerkers", s.allow("employees", "create", s.employerCreateEmployee))
	s.handle("GET /werkgever/medewerkers/{id}", s.allow("employees", "read", s.employerEmployeePage))
	s.handle("GET /werkgever/medewerkers/{id}/wijzigen", s.allow("employees", "update", s.employerEditEmployee))
	s.handle("POST /werkgever/medewerkers/{id}/wijzigen", s.allow("employees", "update", s.employerUpdateEmployee))
	s.handle("POST /werkgever/medewerkers/{id}/ziekmelding", s.allow("absences", "report", s.employerReportSick))
	s.handle("GET /werkgever/verzuim/{id}", s.allow("absences", "read", s.employerCasePage))
	s.handle("POST /werkgever/verzuim/{id}/herstel", s.allow("absences", "change", s.employerChangeCase))
	s.handle("GET /werkgever/verzuim/{id}/plan.pdf", s.allow("plans", "print", s.employerPlanPDF))
	s.handle("GET /werkgever/import", s.allow("employees", "import", s.employerImportPage))
	s.handle("POST /werkgever/import", s.allow("employees", "import", s.employerImportPreview))
	s.handle("POST /werkgever/import/bevestigen", s.allow("employees", "import", s.employerImportEmployees))
}

// Dutch names of what the employer sees.
var (
	employerStepNames = map[absence.Kind]string{
		absence.KindProblemAnalysis:       "Probleemanalyse door de bedrijfsarts",
		absence.KindPlanOfAction:          "Plan van aanpak",
		absence.KindEvaluation:            "Evaluatie van het plan van aanpak",
		absence.KindUWVReport42:           "Ziekmelding bij UWV (week 42)",
		absence.KindFirstYearEvaluation:   "Eerstejaarsevaluatie",
		absence.KindWIAApplication:        "WIA-aanvraag",
		absence.KindEndOfWageContinuation: "Einde loondoorbetaling",
		absence.KindUWVReportVangnet:      "Melding bij UWV",
	}
	employerStatusNames = map[absence.Status]string{
		absence.StatusOpen: "Nog te doen", absence.StatusDone: "Gedaan",
		absence.StatusOverdue: "Te laat", absence.StatusCancelled: "Vervallen",
	}
)

// employerStepName is the Dutch name of a Poortwachter step.
func employerStepName(k absence.Kind, n int) string {
	name, ok := employerStepNames[k]
	if !ok {
		name = "Volgende stap"
	}
	if k == absence.KindEvaluation && n > 1 {
		name += " " + strconv.Itoa(n)
	}
	return name
}

// employerVerdictText says a verdict in plain words, without medical detail.
func employerVerdictText(verdict string, workAbility int) string {
	switch verdict {
	case "fit":
		return "Kan werken (arbeidsgeschikt)"
	case "unfit":
		return "Kan nu niet werken (arbeidsongeschikt)"
	case "partly_fit":
		return fmt.Sprintf("Kan gedeeltelijk werken: %d%% (gedeeltelijk arbeidsgeschikt)", workAbility)
	}
	return ""
}

// employerVerdictLine says a verdict of the fitness service in plain words.
func employerVerdictLine(v fitness.Verdict) string {
	if v.Kind == fitness.KindExamination {
		switch v.Outcome {
		case "approved":
			return "Keuring: goedgekeurd"
		case "rejected":
			return "Keuring: afgekeurd"
		}
		return "Keuring"
	}
	return employerVerdictText(v.Verdict, v.WorkAbilityPercentage)
}

// employerTenants returns the tenants the actor's grant reaches by name; a
// grant over all tenants names none.
func employerTenants(a access.Actor) []uuid.UUID {
	if a.Scope.All {
		return nil
	}
	return a.Scope.Employers
}

// employerPageSize is the number of employees on one overview page.
const employerPageSize = 50

// employerOverviewRow is one employee on the overview page.
type employerOverviewRow struct {
	ID, Number, Name, Status, Since, Verdict, Next, NextDue, NextStatus string
	CaseID                                                              string
	Overdue                                                             bool
}

// employerOverviewData is the overview page's data.
type employerOverviewData struct {
	Rows                       []employerOverviewRow
	Total, Absent, Page, Pages int
	Prev, Next                 string
	Filter                     employerOverviewFilter
	// Part: only the list is rendered (an htmx request), so a page
	// message goes into the list.
	Part bool
	// CaseWork: every grant behind the list is a case manager's or labour
	// expert's, whose cases open in their own portal.
	CaseWork bool
}

// employerOverviewFilter is the overview's query: search text, who, order and
// page.
type employerOverviewFilter struct {
	Q, Who, Sort string
	Page         int
}

// parseEmployerOverviewFilter reads the overview's query; a value it does not
// know is a field error, in Dutch.
func parseEmployerOverviewFilter(r *http.Request) (employerOverviewFilter, map[string]string) {
	q := r.URL.Query()
	f := employerOverviewFilter{Q: strings.TrimSpace(q.Get("zoek")), Who: q.Get("wie"), Sort: q.Get("sorteer"), Page: 1}
	fields := map[string]string{}
	if len(f.Q) > 100 {
		fields["zoek"] = "Zoek op een naam of personeelsnummer van hoogstens 100 tekens."
		f.Q = ""
	}
	if !slices.Contains([]string{"", "ziek", "niet-ziek"}, f.Who) {
		fields["wie"] = "Kies wie u wilt zien uit de lijst."
		f.Who = ""
	}
	if !slices.Contains([]string{"", "naam", "nummer", "ziek"}, f.Sort) {
		fields["sorteer"] = "Kies een volgorde uit de lijst."
		f.Sort = ""
	}
	if v := q.Get("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			fields["pagina"] = "Het paginanummer moet een heel getal vanaf 1 zijn."
		} else {
			f.Page = n
		}
	}
	return f, fields
}

// query returns the filter as a query string for page n.
func (f employerOverviewFilter) query(n int) string {
	v := make([]string, 0, 4)
	add := func(k, val string) {
		if val != "" {
			v = append(v, k+"="+url.QueryEscape(val))
		}
	}
	add("zoek", f.Q)
	add("wie", f.Who)
	add("sorteer", f.Sort)
	add("pagina", strconv.Itoa(n))
	return "/werkgever?" + strings.Join(v, "&")
}

// buildEmployerOverview filters, sorts and pages the rows of the employer overview
// service into the page's data. It is the overview's whole server-side
// work besides the service call and the template.
func buildEmployerOverview(rows []absence.OverviewRow, f employerOverviewFilter) employerOverviewData {
	needle := strings.ToLower(f.Q)
	// Each kept row with its lower-case name, computed once for the sort.
	type keyed struct {
		absence.OverviewRow
		last, first string
	}
	kept := make([]keyed, 0, len(rows))
	absent := 0
	for _, r := range rows {
		if r.Absent() {
			absent++
		}
		if f.Who == "ziek" && !r.Absent() || f.Who == "niet-ziek" && r.Absent() {
			continue
		}
		k := keyed{r, strings.ToLower(r.LastName), strings.ToLower(r.FirstName)}
		if needle != "" && !strings.Contains(k.first+" "+k.last, needle) && !strings.Contains(strings.ToLower(r.EmployeeNumber), needle) {
			continue
		}
		kept = append(kept, k)
	}
	byName := func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.last, b.last), strings.Compare(a.first, b.first), strings.Compare(a.EmployeeNumber, b.EmployeeNumber))
	}
	switch f.Sort {
	case "nummer":
		slices.SortFunc(kept, func(a, b keyed) int { return strings.Compare(a.EmployeeNumber, b.EmployeeNumber) })
	case "ziek":
		slices.SortFunc(kept, func(a, b keyed) int {
			return cmp.Or(cmp.Compare(b.Percentage, a.Percentage), a.FirstSickDay.Compare(b.FirstSickDay), byName(a, b))
		})
	default:
		slices.SortFunc(kept, byName)
	}
	d := employerOverviewData{Total: len(rows), Absent: absent, Filter: f}
	d.Pages = max(1, (len(kept)+employerPageSize-1)/employerPageSize)
	d.Page = min(f.Page, d.Pages)
	start := (d.Page - 1) * employerPageSize
	end := min(start+employerPageSize, len(kept))
	for _, k := range kept[start:end] {
		r := k.OverviewRow
		o := employerOverviewRow{ID: r.EmployeeID.String(), Number: r.EmployeeNumber, Name: r.FirstName + " " + r.LastName,
			Status: "Aan het werk", Verdict: employerVerdictText(r.LastVerdict, r.LastWorkAbility)}
		if r.Absent() {
			o.CaseID = r.AbsenceID.String()
			o.Status = fmt.Sprintf("Ziek voor %d%%", r.Percentage)
			if r.Percentage < 100 {
				o.Status = fmt.Sprintf("Gedeeltelijk ziek: %d%%", r.Percentage)
			}
			o.Since = Date(r.FirstSickDay)
		}
		if m := r.NextMilestone; m != nil {
			o.Next, o.NextDue, o.NextStatus = employerStepName(m.Kind, m.N), Date(m.Due), employerStatusNames[m.Status]
			o.Overdue = m.Status == absence.StatusOverdue
		}
		d.Rows = append(d.Rows, o)
	}
	if d.Page > 1 {
		d.Prev = f.query(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = f.query(d.Page + 1)
	}
	return d
}

// isEmployer reports whether the caller has an employer grant.
func isEmployer(c caller) bool {
	return slices.ContainsFunc(c.principal.Grants, func(g access.Grant) bool { return g.Role == access.RoleEmployer })
}

// employerHomeFor shows the employer's overview when the caller of the
// home page is an employer, and reports whether it did. The overview runs
// under its own authorisation, as at /werkgever, without authenticating
// again.
func (s *Server) employerHomeFor(w http.ResponseWriter, r *http.Request) bool {
	c, ok := callerOf(r)
	if !ok || !isEmployer(c) {
		return false
	}
	s.employerHome(w, r)
	return true
}

// employerOverview is the employer's overview: every employee of every
// tenant the caller's grants reach, with the open case and the latest
// verdict, filtered, sorted and paged. Nothing medical is in the
// service's rows.
//
// A request from htmx on the overview itself (HX-Request: true, not a
// history restore) gets only the list, the template part "employer_list";
// any other request the whole page, whose CSP lets htmx fetch from the
// portal itself. Both pass the same authorisation and
// list-read limit, and the answer varies by HX-Request.
func (s *Server) employerOverview(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	w.Header().Add("Vary", "HX-Request")
	w.Header().Set("Content-Security-Policy", cspFetch)
	part := ""
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true" {
		part = "employer_list"
	}
	f, fields := parseEmployerOverviewFilter(r)
	if len(fields) > 0 {
		s.renderPart(w, r, http.StatusBadRequest, "employer_overview.html", part, view{Title: "Mijn medewerkers",
			Error: pageErrorOf(derrors.ErrInvalid).message, Fields: fields, Data: employerOverviewData{Filter: f, Page: 1, Pages: 1, Part: part != ""}})
		return nil
	}
	if err := s.takeEmployerListRead(r, "overview"); err != nil {
		return err
	}
	var rows []absence.OverviewRow
	seen := map[uuid.UUID]bool{}
	for _, a := range actors {
		for _, id := range employerTenants(a) {
			if seen[id] {
				continue
			}
			seen[id] = true
			part, err := s.opts.Employer.Absences.Overview(r.Context(), a, id)
			if err != nil {
				return err
			}
			rows = append(rows, part...)
		}
	}
	d := buildEmployerOverview(rows, f)
	d.Part = part != ""
	d.CaseWork = !slices.ContainsFunc(actors, func(a access.Actor) bool {
		return a.Role != access.RoleCaseManager && a.Role != access.RoleLabourExpert
	})
	s.renderPart(w, r, http.StatusOK, "employer_overview.html", part, view{Title: "Mijn medewerkers", Data: d})
	return nil
}

// employerSignalRow is one signal on the signals page.
type employerSignalRow struct {
	EmployeeID, CaseID, Name, Number, Step, Due, Status string
	Overdue                                             bool
}

// employerMaxSignalDays bounds the signals page's look-ahead.
const employerMaxSignalDays = 365

// employerSignals lists the Poortwachter steps that are due within the
// chosen number of days, or overdue, for the caller's employees, oldest
// first: the merge of what each grant lists, as the API does.
func (s *Server) employerSignals(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
	days := 14
	v := view{Title: "Wat moet er gebeuren", Form: map[string]string{"dagen": strconv.Itoa(days)}}
	if q := r.URL.Query().Get("dagen"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 || n > employerMaxSignalDays {
			v.Form["dagen"] = q
			v.Error = pageErrorOf(derrors.ErrInvalid).message
			v.Fields = map[string]string{"dagen": fmt.Sprintf("Vul een heel aantal dagen in, van 0 tot en met %d.", employerMaxSignalDays)}
			s.render(w, r, http.StatusBadRequest, "employer_signals.html", v)
			return nil
		}
		days = n
		v.Form["dagen"] = q
	}
	if err := s.takeEmployerListRead(r, "signals"); err != nil {
		return err
	}
	var sigs []absence.Signal
	for _, a := range actors {
		part, err := s.opts.Employer.Absences.Signals(r.Context(), a, days, absence.MaxSignalsPage, nil)
		if err != nil {
			return err
		}
		sigs = append(sigs, part...)
	}
	slices.SortFunc(sigs, func(x, y absence.Signal) int {
		return cmp.Or(x.Due.Compare(y.Due), strings.Compare(x.AbsenceID.String(), y.AbsenceID.String()),
			strings.Compare(string(x.Kind), string(y.Kind)), x.N-y.N)
	})
	sigs = slices.CompactFunc(sigs, func(x, y absence.Signal) bool {
		return x.AbsenceID == y.AbsenceID && x.Kind == y.Kind && x.N == y.N
	})
	rows := make([]employerSignalRow, 0, len(sigs))
	for _, x := range sigs {
		rows = append(rows, employerSignalRow{EmployeeID: x.EmployeeID.String(), CaseID: x.AbsenceID.String(), Name: x.EmployeeName,
			Number: x.EmployeeNumber, Step: employerStepName(x.Kind, x.N), Due: Date(x.Due), Status: employerStatusNames[x.Status],
			Overdue: x.Status == absence.StatusOverdue})
	}
	v.Data = map[string]any{"Rows": rows, "Days": days, "Limited": len(sigs) >= absence.MaxSignalsPage}
	s.render(w, r, http.StatusOK, "employer_signals.html", v)
	return nil
}

// employerCaseRow is one case on the employee page.
type employerCaseRow struct {
	ID, FirstSickDay, Status string
	Open                     bool
}

// employerEmployeeData is what the employee page shows.
type employerEmployeeData struct {
	Employee employee.Employee
	Born     string
	Started  string
	Ended    string
	Cases    []employerCaseRow
	Verdicts []employerLine
	// Advice is nil unless the employer's contract shares it.
	Advice []employerAdviceRow
	// OpenCase is the open case, for the recovery form; "" when none.
	OpenCase string
}

type employerLine struct{ Date, Text string }

type employerAdviceRow struct {
	Date, Limitations, Possibilities string
	Weeks                            int
}

// employerEmployeeView gathers the employee page under one actor.
func (s *Server) employerEmployeeView(ctx context.Context, a access.Actor, id uuid.UUID) (employerEmployeeData, error) {
	svc := s.opts.Employer
	e, err := svc.Employees.Get(ctx, a, id)
	if err != nil {
		return employerEmployeeData{}, err
	}
	d := employerEmployeeData{Employee: e, Born: Date(e.DateOfBirth), Started: Date(e.EmploymentStart), Ended: Date(e.EmploymentEnd)}
	cases, err := svc.Absences.ListForEmployee(ctx, a, id)
	if err != nil {
		return employerEmployeeData{}, err
	}
	for _, c := range cases {
		row := employerCaseRow{ID: c.ID.String(), FirstSickDay: Date(c.FirstSickDay), Open: c.Status == absence.CaseOpen}
		if row.Open {
			row.Status = fmt.Sprintf("Loopt: ziek voor %d%%", c.Percentage)
			d.OpenCase = row.ID
		} else {
			row.Status = "Afgesloten op " + Date(c.ClosedOn)
		}
		d.Cases = append(d.Cases, row)
	}
	vs, err := svc.Fitness.Verdicts(ctx, a, id)
	if err != nil {
		return employerEmployeeData{}, err
	}
	d.Verdicts = employerVerdicts(vs)
	adv, err := svc.Fitness.AdviceFor(ctx, a, id)
	switch {
	case errors.Is(err, derrors.ErrNotFound), errors.Is(err, derrors.ErrForbidden):
		// Not shared with this employer: show nothing, say nothing.
	case err != nil:
		return employerEmployeeData{}, err
	default:
		d.Advice = []employerAdviceRow{}
		for _, x := range adv {
			d.Advice = append(d.Advice, employerAdviceRow{Date: Date(x.PublishedAt.In(employerZone)), Limitations: x.Limitations,
				Possibilities: x.Possibilities, Weeks: x.ExpectedDurationWeeks})
		}
	}
	return d, nil
}

// employerVerdicts lists verdicts newest first, in plain words.
func employerVerdicts(vs []fitness.Verdict) []employerLine {
	vs = slices.Clone(vs)
	slices.SortStableFunc(vs, func(a, b fitness.Verdict) int { return b.Date.Compare(a.Date) })
	out := make([]employerLine, 0, len(vs))
	for _, v := range vs {
		out = append(out, employerLine{Date: Date(v.Date), Text: employerVerdictLine(v)})
	}
	return out
}

// employerZone is the zone in which the portal shows dates.
var employerZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return l
}()

// employerEmployeePage shows one employee: the HR record, the cases, the
// verdicts, advice where shared, and the sick-report form.
func (s *Server) employerEmployeePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	d, err := s.employerEmployeeView(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "employer_employee.html", view{Title: d.Employee.FirstName + " " + d.Employee.LastName,
		Form: map[string]string{"eerste_ziektedag": s.employerToday().Format(time.DateOnly), "percentage": "100"}, Data: d})
	return nil
}

// employerToday is the date employerToday in Europe/Amsterdam, at midnight UTC, as the
// services compare dates.
func (s *Server) employerToday() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.opts.Now()))
	return t
}

// employerDate reads a date field (YYYY-MM-DD, as a date input sends it);
// empty is the zero time when not required. A bad value is a field error.
func employerDate(f form, name string, required bool) time.Time {
	v := strings.TrimSpace(f.get(name))
	if v == "" {
		if required && f.fields[name] == "" {
			f.fields[name] = "Vul een datum in."
		}
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.fields[name] = "Vul een geldige datum in, bijvoorbeeld 2026-01-02."
	}
	return t
}

// employerPercent reads a whole percentage from lo to hi.
func employerPercent(f form, name string, lo, hi int, msg string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.get(name)))
	if err != nil || n < lo || n > hi {
		if f.fields[name] == "" {
			f.fields[name] = msg
		}
		return 0
	}
	return n
}

// employerSickFields maps the service's field names to the sick-report form's.
var employerSickFields = map[string]string{"first_sick_day": "eerste_ziektedag", "percentage": "percentage",
	"date": "datum", "leave_days": "verlofdagen"}

// employerFields puts the service's field errors on the employer's forms.
var employerFields = fieldTable{messages: employerFieldMessages}

// employerFieldMessages are the messages for the service's field errors, by
// the form's field name.
var employerFieldMessages = map[string]string{
	"eerste_ziektedag":   "Vul een eerste ziektedag in die niet in de toekomst ligt en binnen het dienstverband valt.",
	"percentage":         "Vul een percentage van 1 tot en met 100 in.",
	"datum":              "Vul een datum in op of na de eerste ziektedag, en niet in de toekomst.",
	"employee_number":    "Vul een personeelsnummer in van hoogstens 32 letters, cijfers of . _ / - (uniek binnen uw bedrijf).",
	"first_name":         "Vul de voornaam in (hoogstens 100 tekens).",
	"last_name":          "Vul de achternaam in (hoogstens 100 tekens).",
	"date_of_birth":      "Vul een geldige geboortedatum in.",
	"employment_start":   "Vul een geldige datum van indiensttreding in.",
	"employment_end":     "Vul een geldige einddatum in, na de datum van indiensttreding, of laat het leeg.",
	"email":              "Vul een geldig e-mailadres in, of laat het leeg.",
	"phone":              "Vul een geldig telefoonnummer in (6 tot 20 cijfers), of laat het leeg.",
	"bsn":                "Vul een geldig BSN in (9 cijfers), of laat het leeg. Een BSN komt maar één keer voor binnen uw bedrijf.",
	"algemeen":           "Niet alles is goed ingevuld.",
	"reden_wijziging":    "Zeg kort waarom u dit wijzigt.",
	"verlofdagen":        "Vul een heel aantal dagen in.",
	"csv":                "Plak de regels uit uw bestand.",
	"herstel_percentage": "Vul een percentage van 0 tot en met 100 in.",
}

// employerReportSick takes a sick report (ziekmelding) for an employee and shows
// the case; when the report reopens the previous case (28-day rule), the
// page says so and why.
func (s *Server) employerReportSick(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "eerste_ziektedag", "percentage")
	first := employerDate(f, "eerste_ziektedag", true)
	pct := employerPercent(f, "percentage", 1, 100, employerFieldMessages["percentage"])
	if len(f.fields) == 0 {
		x, merged, err := s.opts.Employer.Absences.Report(r.Context(), a, id, absence.Report{FirstSickDay: first, Percentage: pct})
		if err == nil {
			notice := "De ziekmelding is opgeslagen."
			if merged {
				notice = "De ziekmelding is opgeslagen. Let op: de medewerker was minder dan 4 weken (28 dagen) beter. " +
					"Daarom telt dit als dezelfde ziekteperiode als de vorige: de eerste ziektedag blijft " + Date(x.FirstSickDay) +
					", en alle termijnen schuiven op met het aantal dagen dat de medewerker beter was."
			}
			return s.employerShowCase(w, r, a, x.ID, http.StatusOK, notice, nil, nil)
		}
		if !employerFields.put(err, employerSickFields, f.fields) {
			return err
		}
	}
	d, err := s.employerEmployeeView(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusBadRequest, "employer_employee.html", view{Title: d.Employee.FirstName + " " + d.Employee.LastName,
		Error: pageErrorOf(derrors.ErrInvalid).message, Fields: f.fields, Form: f.keep("eerste_ziektedag", "percentage"), Data: d})
	return nil
}

// employerForm reads the fields of a form allowAll has parsed; a field longer
// than maxFieldBytes is a field error.
func employerForm(r *http.Request, names ...string) form {
	return readForm(r, nil, names...)
}

// readForm reads the fields names of the parsed post of r; a field longer
// than its limit in long, or than maxFieldBytes, is a field error (and
// read as empty).
func readForm(r *http.Request, long map[string]fieldLimit, names ...string) form {
	f := form{values: map[string]string{}, fields: map[string]string{}}
	for _, n := range names {
		v := r.PostForm.Get(n)
		limit := fieldLimit{max: maxFieldBytes, msg: "Dit is te lang."}
		if l, ok := long[n]; ok {
			limit = l
		}
		if len(v) > limit.max {
			f.fields[n] = limit.msg
			v = ""
		}
		f.values[n] = v
	}
	return f
}

// employerMilestoneRow is one step of the Poortwachter timeline.
type employerMilestoneRow struct {
	Step, Due, Done, Status string
	Overdue, IsDone         bool
}

// employerCaseData is what the case page shows.
type employerCaseData struct {
	ID, EmployeeID, FirstSickDay, ClosedOn string
	Open                                   bool
	Percentage                             int
	Milestones                             []employerMilestoneRow
	Changes                                []employerLine
	Plan                                   *employerPlanView
	Verdict                                string
	VerdictDate                            string
}

type employerPlanView struct {
	Version                   int
	Goals, EmployerView       string
	EmployeeView, RecordedOn  string
	EmployerSigned, EmpSigned string
	Activities                []employerActivityRow
	Evaluations               []employerEvaluationRow
}

// employerPlanOf is the plan with its evaluations as the case pages show
// them (the employer's and the case manager's).
func employerPlanOf(p absence.Plan, evs []absence.Evaluation) *employerPlanView {
	pv := &employerPlanView{Version: p.Version, Goals: p.Goals, EmployerView: p.EmployerView, EmployeeView: p.EmployeeView,
		RecordedOn: Date(p.RecordedAt.In(employerZone)), EmployerSigned: Date(p.EmployerSignedOn), EmpSigned: Date(p.EmployeeSignedOn)}
	for _, ac := range p.Activities {
		pv.Activities = append(pv.Activities, employerActivityRow{Description: ac.Description, Who: ac.Who, ByWhen: Date(ac.ByWhen)})
	}
	for _, ev := range evs {
		kind := "Evaluatie"
		if ev.Kind == absence.EvaluationFirstYear {
			kind = "Eerstejaarsevaluatie"
		}
		pv.Evaluations = append(pv.Evaluations, employerEvaluationRow{Kind: kind, HeldOn: Date(ev.HeldOn), Summary: ev.Summary,
			EmployerView: ev.EmployerView, EmployeeView: ev.EmployeeView})
	}
	return pv
}

type employerActivityRow struct{ Description, Who, ByWhen string }

type employerEvaluationRow struct{ Kind, HeldOn, Summary, EmployerView, EmployeeView string }

// employerCase gathers a case under one actor: the case, its visible
// milestones, the plan and evaluations, and the latest verdict.
func (s *Server) employerCase(ctx context.Context, a access.Actor, id uuid.UUID) (employerCaseData, error) {
	svc := s.opts.Employer
	x, err := svc.Absences.Get(ctx, a, id)
	if err != nil {
		return employerCaseData{}, err
	}
	x = x.ForRole(a.Role)
	d := employerCaseData{ID: x.ID.String(), EmployeeID: x.EmployeeID.String(), FirstSickDay: Date(x.FirstSickDay),
		ClosedOn: Date(x.ClosedOn), Open: x.Status == absence.CaseOpen, Percentage: x.Percentage}
	for _, m := range x.VisibleMilestones(a.Role, svc.Absences.Settings(), svc.Absences.Today()) {
		d.Milestones = append(d.Milestones, employerMilestoneRow{Step: employerStepName(m.Kind, m.N), Due: Date(m.Due), Done: Date(m.DoneOn),
			Status: employerStatusNames[m.Status], Overdue: m.Status == absence.StatusOverdue, IsDone: m.Status == absence.StatusDone})
	}
	for _, c := range x.Changes {
		text := fmt.Sprintf("Ziek voor %d%%", c.Percentage)
		switch {
		case c.Kind == absence.ChangeReport:
			text = fmt.Sprintf("Ziekmelding: ziek voor %d%%", c.Percentage)
		case c.Percentage == 0:
			text = "Hersteld: weer volledig aan het werk"
		}
		d.Changes = append(d.Changes, employerLine{Date: Date(c.EffectiveOn), Text: text})
	}
	p, evs, err := svc.Absences.Plan(ctx, a, id)
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		// No plan yet.
	case err != nil:
		return employerCaseData{}, err
	default:
		d.Plan = employerPlanOf(p, evs)
	}
	vs, err := svc.Fitness.Verdicts(ctx, a, x.EmployeeID)
	if err != nil {
		return employerCaseData{}, err
	}
	if rows := employerVerdicts(vs); len(rows) > 0 {
		d.Verdict, d.VerdictDate = rows[0].Text, rows[0].Date
	}
	return d, nil
}

// employerShowCase renders the case page with status, a notice, and the recovery
// form's errors and values.
func (s *Server) employerShowCase(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int, notice string,
	fields, kept map[string]string) error {
	d, err := s.employerCase(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := view{Title: "Verzuim sinds " + d.FirstSickDay, Notice: notice, Fields: fields, Form: kept, Data: d}
	if v.Form == nil {
		v.Form = map[string]string{"datum": s.employerToday().Format(time.DateOnly), "herstel_percentage": "0"}
	}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "employer_case.html", v)
	return nil
}

// employerCasePage shows one case.
func (s *Server) employerCasePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.employerShowCase(w, r, a, id, http.StatusOK, "", nil, nil)
}

// employerChangeCase takes a (partial) recovery (hersteldmelding): the new
// percentage from a date; 0 is full recovery and closes the case.
func (s *Server) employerChangeCase(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "datum", "herstel_percentage")
	date := employerDate(f, "datum", true)
	pct := employerPercent(f, "herstel_percentage", 0, 100, employerFieldMessages["herstel_percentage"])
	if len(f.fields) == 0 {
		x, err := s.opts.Employer.Absences.Change(r.Context(), a, id, date, pct)
		if err == nil {
			notice := fmt.Sprintf("De wijziging is opgeslagen: vanaf %s ziek voor %d%%.", Date(date), pct)
			if x.Status == absence.CaseClosed {
				notice = "De hersteldmelding is opgeslagen: de medewerker is vanaf " + Date(date) + " weer volledig aan het werk. Het verzuim is afgesloten."
			}
			return s.employerShowCase(w, r, a, x.ID, http.StatusOK, notice, nil, nil)
		}
		if !employerFields.put(err, map[string]string{"date": "datum", "percentage": "herstel_percentage"}, f.fields) {
			return err
		}
	}
	return s.employerShowCase(w, r, a, id, http.StatusBadRequest, "", f.fields, f.keep("datum", "herstel_percentage"))
}

// employerPlanPDF serves the employer's copy of the plan of action as a PDF.
func (s *Server) employerPlanPDF(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	pdf, err := s.opts.Employer.Absences.PlanPDF(r.Context(), a, id)
	if err != nil {
		return err
	}
	download(w, "plan-van-aanpak.pdf", "application/pdf", pdf)
	return nil
}

// employerFormNames are the fields of the employee form.
var employerFormNames = []string{"employee_number", "first_name", "last_name", "date_of_birth", "employment_start",
	"employment_end", "email", "phone", "bsn"}

// employerFormData says which employee form is shown.
type employerFormData struct {
	Action string
	Edit   bool
}

// employerNewEmployee shows the form to add an employee.
func (s *Server) employerNewEmployee(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if len(employerTenants(a)) == 0 {
		return fmt.Errorf("web: no tenant to add to: %w", derrors.ErrNotFound)
	}
	s.render(w, r, http.StatusOK, "employer_employee_form.html", view{Title: "Medewerker toevoegen", Form: map[string]string{},
		Data: employerFormData{Action: "/werkgever/medewerkers"}})
	return nil
}

// employerCreateEmployee adds an employee to the caller's (first) tenant.
func (s *Server) employerCreateEmployee(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	tenants := employerTenants(a)
	if len(tenants) == 0 {
		return fmt.Errorf("web: no tenant to add to: %w", derrors.ErrNotFound)
	}
	f := employerForm(r, employerFormNames...)
	e := employee.Employee{EmployerID: tenants[0], EmployeeNumber: strings.TrimSpace(f.get("employee_number")),
		FirstName: strings.TrimSpace(f.get("first_name")), LastName: strings.TrimSpace(f.get("last_name")),
		DateOfBirth: employerDate(f, "date_of_birth", true), EmploymentStart: employerDate(f, "employment_start", true),
		EmploymentEnd: employerDate(f, "employment_end", false), Email: strings.TrimSpace(f.get("email")),
		Phone: strings.TrimSpace(f.get("phone")), BSN: employee.NormalizeBSN(f.get("bsn"))}
	v := view{Title: "Medewerker toevoegen", Data: employerFormData{Action: "/werkgever/medewerkers"}}
	if len(f.fields) == 0 {
		out, err := s.opts.Employer.Employees.Create(r.Context(), a, e)
		if err == nil {
			http.Redirect(w, r, "/werkgever/medewerkers/"+out.ID.String(), http.StatusSeeOther)
			return nil
		}
		if !employerFieldErrors(err, f.fields) {
			if errors.Is(err, derrors.ErrConflict) {
				f.fields["employee_number"] = employerFieldMessages["employee_number"]
			} else {
				return err
			}
		}
	}
	v.Error, v.Fields, v.Form = pageErrorOf(derrors.ErrInvalid).message, f.fields, f.keep(employerFormNames...)
	s.render(w, r, http.StatusBadRequest, "employer_employee_form.html", v)
	return nil
}

// employerFieldErrors puts the service's field errors on the employee
// form, in Dutch; false when err has none.
func employerFieldErrors(err error, fields map[string]string) bool {
	names := map[string]string{}
	for _, n := range employerFormNames {
		names[n] = n
	}
	return employerFields.put(err, names, fields)
}

// employerEditEmployee shows the form to rectify an employee's record.
func (s *Server) employerEditEmployee(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	e, err := s.opts.Employer.Employees.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "employer_employee_form.html", view{Title: "Gegevens wijzigen",
		Form: map[string]string{"employee_number": e.EmployeeNumber, "first_name": e.FirstName, "last_name": e.LastName,
			"date_of_birth": isoDate(e.DateOfBirth), "employment_start": isoDate(e.EmploymentStart), "employment_end": isoDate(e.EmploymentEnd),
			"email": e.Email, "phone": e.Phone, "bsn": e.BSN},
		Data: employerFormData{Action: "/werkgever/medewerkers/" + id.String() + "/wijzigen", Edit: true}})
	return nil
}

// employerUpdateEmployee rectifies an employee's record: every field of the form
// replaces the stored one (the employee number is fixed).
func (s *Server) employerUpdateEmployee(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	// The record must be reachable before a bad form is shown again.
	cur, err := s.opts.Employer.Employees.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	f := employerForm(r, employerFormNames...)
	// Only what differs from the record is changed (and audited).
	str := func(n, was string) *string {
		if v := strings.TrimSpace(f.get(n)); v != was {
			return &v
		}
		return nil
	}
	date := func(n string, required bool, was time.Time) *time.Time {
		if t := employerDate(f, n, required); !t.Equal(was) {
			return &t
		}
		return nil
	}
	var bsn *string
	if b := employee.NormalizeBSN(f.get("bsn")); b != cur.BSN {
		bsn = &b
	}
	p := employee.Patch{FirstName: str("first_name", cur.FirstName), LastName: str("last_name", cur.LastName),
		DateOfBirth: date("date_of_birth", true, cur.DateOfBirth), EmploymentStart: date("employment_start", true, cur.EmploymentStart),
		EmploymentEnd: date("employment_end", false, cur.EmploymentEnd), Email: str("email", cur.Email), Phone: str("phone", cur.Phone), BSN: bsn}
	if len(f.fields) == 0 && len(p.Fields()) == 0 {
		f.fields["algemeen"] = "U heeft niets gewijzigd."
	}
	action := "/werkgever/medewerkers/" + id.String() + "/wijzigen"
	if len(f.fields) == 0 {
		_, err := s.opts.Employer.Employees.Update(r.Context(), a, id, p, employee.Rectification{})
		if err == nil {
			http.Redirect(w, r, "/werkgever/medewerkers/"+id.String(), http.StatusSeeOther)
			return nil
		}
		if !employerFieldErrors(err, f.fields) {
			return err
		}
	}
	kept := f.keep(employerFormNames...)
	kept["employee_number"] = cur.EmployeeNumber
	s.render(w, r, http.StatusBadRequest, "employer_employee_form.html", view{Title: "Gegevens wijzigen",
		Error: pageErrorOf(derrors.ErrInvalid).message, Fields: f.fields, Form: kept,
		Data: employerFormData{Action: action, Edit: true}})
	return nil
}

// employerListReadsThrottled is a list read over the limit; it says when
// to try again.
type employerListReadsThrottled struct{ wait time.Duration }

func (employerListReadsThrottled) Error() string { return "web: too many list reads" }
func (employerListReadsThrottled) Unwrap() error { return derrors.ErrThrottled }

// RetryAfter is how long the caller must wait before the next read.
func (e employerListReadsThrottled) RetryAfter() time.Duration { return e.wait }

// takeEmployerListRead takes one list read of page for the caller from the
// limiter the API's list reads use too (Options.ListReads). It returns nil,
// or an error wrapping derrors.ErrThrottled that says how long to wait.
func (s *Server) takeEmployerListRead(r *http.Request, page string) error {
	c, _ := callerOf(r)
	if wait, ok := s.lists.Take(c.principal.UserID, page, s.opts.Now()); !ok {
		return employerListReadsThrottled{wait: wait}
	}
	return nil
}
