package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
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
)

// Sizes of the audit trail's pages and exports.
const (
	// privacyAuditPage is the number of events on one page.
	privacyAuditPage = 50
	// privacyAuditExport bounds the events of one CSV export.
	privacyAuditExport = 10000
)

// privacyAuditQuery is the audit search as the form has it.
type privacyAuditQuery struct {
	Employee, Actor, Action, Outcome, From, To string
}

// privacyAuditParams are the query parameters of the audit search.
var privacyAuditParams = []string{"medewerker", "gebruiker", "handeling", "uitkomst", "van", "tot", "na"}

// privacyIDMessages say what the person fields of the audit search take.
var privacyIDMessages = map[string]string{
	"medewerker": "Vul een personeelsnummer in, of de code van de medewerker zoals die in het register of het spoor staat (0b7e5c1a-…).",
	"gebruiker":  "Vul een e-mailadres in, of de code van de gebruiker zoals die in het spoor staat (0b7e5c1a-…).",
}

// parsePrivacyAuditFilter reads the audit search from q, as the API's
// GET /audit/events reads its query: ids, an audit action and outcome,
// a period of whole days in Amsterdam ("tot" includes its day), and na,
// the seq of the last event of the previous page. Every value it does
// not know is a field error, in Dutch, and an unknown parameter too; the
// filter's Limit is left zero.
func parsePrivacyAuditFilter(q url.Values) (audit.Filter, privacyAuditQuery, map[string]string) {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	p := privacyAuditQuery{Employee: get("medewerker"), Actor: get("gebruiker"), Action: get("handeling"),
		Outcome: get("uitkomst"), From: get("van"), To: get("tot")}
	var f audit.Filter
	fields := map[string]string{}
	for k := range q {
		if !slices.Contains(privacyAuditParams, k) {
			fields["algemeen"] = "Deze zoekopdracht kent de zoekvraag niet. Gebruik het formulier."
		}
	}
	id := func(name, v string) uuid.UUID {
		if v == "" {
			return uuid.Nil
		}
		u, ok := access.ParseID(v)
		if !ok {
			fields[name] = privacyIDMessages[name]
		}
		return u
	}
	f.EmployeeID, f.ActorID = id("medewerker", p.Employee), id("gebruiker", p.Actor)
	if p.Action != "" {
		if f.Action = audit.Action(p.Action); !f.Action.Valid() {
			fields["handeling"] = "Kies een handeling uit de lijst."
			f.Action = ""
		}
	}
	if p.Outcome != "" {
		if f.Outcome = audit.Outcome(p.Outcome); !f.Outcome.Valid() {
			fields["uitkomst"] = "Kies een uitkomst uit de lijst."
			f.Outcome = ""
		}
	}
	day := func(name, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, v, access.Amsterdam)
		if err != nil {
			fields[name] = "Vul een geldige datum in, bijvoorbeeld 2026-01-02."
		}
		return d
	}
	if d := day("van", p.From); !d.IsZero() {
		f.From = d
	}
	if d := day("tot", p.To); !d.IsZero() {
		f.To = d.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fields["tot"] = "De datum ‘tot en met’ mag niet voor de datum ‘van’ liggen."
	}
	if v := get("na"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fields["na"] = "Deze vervolgpagina bestaat niet. Begin de zoekopdracht opnieuw."
		} else {
			f.After = n
		}
	}
	return f, p, fields
}

// query returns the search as a query string, continuing after seq when
// after > 0.
func (p privacyAuditQuery) query(after int64) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("medewerker", p.Employee)
	set("gebruiker", p.Actor)
	set("handeling", p.Action)
	set("uitkomst", p.Outcome)
	set("van", p.From)
	set("tot", p.To)
	if after > 0 {
		v.Set("na", strconv.FormatInt(after, 10))
	}
	return v.Encode()
}

// privacyResolve turns an employee number (medewerker) and an e-mail
// address (gebruiker) in q into the ids the trail holds, in place, and
// returns a field error for one that names nobody, or more than one
// employee; ids and empty values are left as they are.
func (s *Server) privacyResolve(ctx context.Context, q url.Values) (map[string]string, error) {
	fields := map[string]string{}
	if v := strings.TrimSpace(q.Get("medewerker")); v != "" && len(v) <= 64 {
		if _, ok := access.ParseID(v); !ok {
			id, msg, err := s.privacyEmployeeByNumber(ctx, v)
			switch {
			case err != nil:
				return nil, err
			case msg != "":
				fields["medewerker"] = msg
			default:
				q.Set("medewerker", id.String())
			}
		}
	}
	if v := strings.TrimSpace(q.Get("gebruiker")); strings.Contains(v, "@") && len(v) <= 254 {
		id, err := s.opts.Privacy.People.UserByEmail(ctx, v)
		switch {
		case errors.Is(err, derrors.ErrNotFound):
			fields["gebruiker"] = "Er is geen gebruiker met dit e-mailadres. Vul een e-mailadres of de code van de gebruiker in."
		case err != nil:
			return nil, err
		default:
			q.Set("gebruiker", id.String())
		}
	}
	return fields, nil
}

// privacyEmployeeByNumber returns the one employee with employee number
// number, or a message for the form when none or more than one (at
// different employers) has it.
func (s *Server) privacyEmployeeByNumber(ctx context.Context, number string) (uuid.UUID, string, error) {
	ids, err := s.opts.Privacy.People.EmployeesByNumber(ctx, number)
	switch {
	case err != nil:
		return uuid.Nil, "", err
	case len(ids) > 1:
		return uuid.Nil, "Meer dan één medewerker (bij verschillende werkgevers) heeft dit personeelsnummer. Vul de code van de medewerker in.", nil
	case len(ids) == 0:
		return uuid.Nil, "Er is geen medewerker met dit personeelsnummer. Vul een personeelsnummer of de code van de medewerker in.", nil
	}
	return ids[0], "", nil
}

// privacyAuditFilter reads the audit search of r: names resolved to ids
// (privacyResolve), then parsed (parsePrivacyAuditFilter); the query keeps
// what the officer typed.
func (s *Server) privacyAuditFilter(r *http.Request) (audit.Filter, privacyAuditQuery, map[string]string, error) {
	typed := r.URL.Query()
	q := r.URL.Query()
	resolved, err := s.privacyResolve(r.Context(), q)
	if err != nil {
		return audit.Filter{}, privacyAuditQuery{}, nil, err
	}
	f, p, fields := parsePrivacyAuditFilter(q)
	for k, v := range resolved {
		fields[k] = v
	}
	p.Employee, p.Actor = strings.TrimSpace(typed.Get("medewerker")), strings.TrimSpace(typed.Get("gebruiker"))
	return f, p, fields, nil
}

// privacyAuditRow is one event of the trail, as the page shows it: ids,
// never content.
type privacyAuditRow struct {
	Seq                                          int64
	Time                                         time.Time
	Actor, Role, OnBehalfOf, Employee, Tenant    string
	Action, Object, ObjectID, Outcome, RequestID string
	Listed                                       int
	Denied                                       bool
}

// privacyVerifyView is the outcome of a verification of the trail.
type privacyVerifyView struct {
	OK          bool
	Events      int64
	Checkpoints int
	BrokenSeq   int64
	Reason      string
}

// privacyAuditData is the audit page's data.
type privacyAuditData struct {
	Query             privacyAuditQuery
	Searched          bool
	Rows              []privacyAuditRow
	Next, CSV         string
	Actions, Outcomes []privacyOption
	CheckpointSeq     int64
	CheckpointAt      time.Time
	Verify            *privacyVerifyView
	VerifyUnavailable bool
}

// privacyAuditOptions are the choices of the search's selects.
func privacyAuditOptions() (actions, outcomes []privacyOption) {
	actions = []privacyOption{{"", "Alle handelingen"}}
	for _, a := range privacyActionOrder {
		actions = append(actions, privacyOption{string(a), privacyActionNames[a]})
	}
	outcomes = []privacyOption{{"", "Alle uitkomsten"}}
	for _, o := range []audit.Outcome{audit.OutcomeOK, audit.OutcomeDenied, audit.OutcomeError} {
		outcomes = append(outcomes, privacyOption{string(o), privacyOutcomeFilterNames[o]})
	}
	return actions, outcomes
}

// privacySearcher is the audit event of a's search of the trail.
func privacySearcher(a access.Actor) audit.Event {
	return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), RequestID: a.RequestID, ClientIP: a.ClientIP}
}

// privacyAuditView builds the audit page: the last checkpoint always, and
// the search's page when the query asks for one (any parameter). It
// returns the status to render with: 400 with field errors for a query
// that does not parse, and then nothing is searched.
func (s *Server) privacyAuditView(r *http.Request, a access.Actor) (int, view, error) {
	f, q, fields, err := s.privacyAuditFilter(r)
	if err != nil {
		return 0, view{}, err
	}
	d := &privacyAuditData{Query: q}
	d.Actions, d.Outcomes = privacyAuditOptions()
	v := view{Title: "Auditspoor", Data: d, Form: map[string]string{}}
	cp, err := s.opts.Privacy.Trail.LastCheckpoint(r.Context())
	if err != nil {
		return 0, v, err
	}
	d.CheckpointSeq, d.CheckpointAt = cp.Seq, cp.CreatedAt
	if len(fields) > 0 {
		v.Error, v.Fields = pageErrorOf(derrors.ErrInvalid).message, fields
		return http.StatusBadRequest, v, nil
	}
	if r.Method != http.MethodGet || len(r.URL.Query()) == 0 {
		return http.StatusOK, v, nil
	}
	if err := s.takeEmployerListRead(r, "privacy-audit"); err != nil {
		return 0, v, err
	}
	f.Limit = privacyAuditPage
	recs, err := s.opts.Privacy.AuditLog.Search(r.Context(), privacySearcher(a), f)
	if err != nil {
		return 0, v, err
	}
	d.Searched = true
	for _, rec := range recs {
		d.Rows = append(d.Rows, privacyAuditRowOf(rec))
	}
	if len(recs) == f.Limit {
		d.Next = "/privacy/audit?" + q.query(recs[len(recs)-1].Seq)
	}
	d.CSV = "/privacy/audit.csv?" + q.query(0)
	return http.StatusOK, v, nil
}

// privacyAuditRowOf is one record as the page shows it.
func privacyAuditRowOf(rec audit.Record) privacyAuditRow {
	return privacyAuditRow{Seq: rec.Seq, Time: rec.Time, Actor: optUUID(rec.ActorUserID), Role: RoleName(access.Role(rec.ActorRole)),
		OnBehalfOf: optUUID(rec.OnBehalfOf), Employee: optUUID(rec.SubjectEmployeeID), Tenant: optUUID(rec.TenantID),
		Action: privacyActionName(rec.Action), Object: strings.ReplaceAll(rec.ObjectKind, "_", " "), ObjectID: rec.ObjectID,
		Outcome: privacyOutcomeFilterNames[rec.Outcome], RequestID: rec.RequestID, Listed: len(rec.Subjects),
		Denied: rec.Outcome != audit.OutcomeOK}
}

// privacyActionName is the Dutch name of an audit action.
func privacyActionName(a audit.Action) string {
	if n, ok := privacyActionNames[a]; ok {
		return n
	}
	return string(a)
}

// optUUID is id as text, "" for none.
func optUUID(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// privacyAudit is the audit trail page: the search form, a page of events
// when searched (audited as a search by the service), the last signed
// checkpoint, and the button that verifies the trail.
func (s *Server) privacyAudit(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	status, v, err := s.privacyAuditView(r, a)
	if err != nil {
		return err
	}
	s.render(w, r, status, "privacy_audit.html", v)
	return nil
}

// privacyVerify verifies the whole trail as `arbokluis audit verify`
// does (audit.Verify: every hash and checkpoint signature) and shows the
// outcome on the audit page. It is expensive, so it runs on a button press
// only and takes a list read of its own from the caller's limit.
func (s *Server) privacyVerify(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if a.Role != access.RolePrivacyOfficer {
		return derrors.ErrNotFound
	}
	if err := s.takeEmployerListRead(r, "privacy-verify"); err != nil {
		return err
	}
	status, v, err := s.privacyAuditView(r, a)
	if err != nil {
		return err
	}
	d := v.Data.(*privacyAuditData)
	rep, err := s.opts.Privacy.Trail.Verify(r.Context())
	switch {
	case err != nil:
		s.log.WarnContext(r.Context(), "audit verification could not run", "request_id", requestIDOf(r), "error_type", fmt.Sprintf("%T", err))
		d.VerifyUnavailable = true
	case rep.Break != nil:
		d.Verify = &privacyVerifyView{Events: rep.Events, Checkpoints: rep.Checkpoints, BrokenSeq: rep.Break.Seq, Reason: rep.Break.Reason}
	default:
		d.Verify = &privacyVerifyView{OK: true, Events: rep.Events, Checkpoints: rep.Checkpoints}
	}
	s.render(w, r, status, "privacy_audit.html", v)
	return nil
}

// privacyAuditCSV exports the current search as CSV (at most
// privacyAuditExport events), audited by the service as an export.
func (s *Server) privacyAuditCSV(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	f, _, fields, err := s.privacyAuditFilter(r)
	if err != nil {
		return err
	}
	if len(fields) > 0 || f.After != 0 {
		return derrors.ErrInvalid
	}
	if err := s.takeEmployerListRead(r, "privacy-audit"); err != nil {
		return err
	}
	f.Limit = privacyAuditExport
	recs, err := s.opts.Privacy.AuditLog.Export(r.Context(), privacySearcher(a), f)
	if err != nil {
		return err
	}
	download(w, "auditspoor.csv", "text/csv; charset=utf-8", privacyAuditCSVBytes(recs))
	return nil
}

// privacyCSVHeader is the header row of the audit export.
var privacyCSVHeader = []string{"volgnummer", "tijd", "gebruiker", "rol", "namens", "medewerker", "werkgever",
	"handeling", "soort", "object", "uitkomst", "verzoek", "ip", "vermelde_medewerkers"}

// privacyAuditCSVBytes writes recs as CSV with privacyCSVHeader: times in
// RFC 3339 (UTC), ids as text, every cell made safe for a spreadsheet
// (csvSafe).
func privacyAuditCSVBytes(recs []audit.Record) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	write := func(cells []string) {
		for i, c := range cells {
			cells[i] = csvSafe(c)
		}
		cw.Write(cells) //nolint:errcheck // a bytes.Buffer does not fail; Flush reports the rest
	}
	write(append([]string(nil), privacyCSVHeader...))
	for _, rec := range recs {
		ip := ""
		if rec.ClientIP.IsValid() {
			ip = rec.ClientIP.String()
		}
		subjects := make([]string, len(rec.Subjects))
		for i, id := range rec.Subjects {
			subjects[i] = id.String()
		}
		write([]string{strconv.FormatInt(rec.Seq, 10), rec.Time.UTC().Format(time.RFC3339), optUUID(rec.ActorUserID),
			rec.ActorRole, optUUID(rec.OnBehalfOf), optUUID(rec.SubjectEmployeeID), optUUID(rec.TenantID), string(rec.Action),
			rec.ObjectKind, rec.ObjectID, string(rec.Outcome), rec.RequestID, ip, strings.Join(subjects, " ")})
	}
	cw.Flush()
	return buf.Bytes()
}

// csvSafe returns cell so that a spreadsheet never reads it as a formula:
// a cell starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before one) gets a leading apostrophe.
func csvSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
