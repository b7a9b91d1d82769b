package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
)

// DossierDossiers is what the dossier pages need of the dossier service
// (dossier.Service), as the API's dossier handlers use it.
type DossierDossiers interface {
	Get(ctx context.Context, a access.Actor, employeeID uuid.UUID) (dossier.View, error)
	DeclareEmergency(ctx context.Context, a access.Actor, employeeID uuid.UUID, reason string) (dossier.EmergencyAccess, error)
	Emergency(ctx context.Context, a access.Actor, employeeID uuid.UUID) (dossier.Emergency, error)
}

// DossierEntries is what the dossier pages need of the entries service
// (dossier.Entries).
type DossierEntries interface {
	Create(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.NewEntry) (dossier.Entry, error)
	Correct(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID, text string) (dossier.Entry, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID, limit int, after *dossier.EntryCursor) ([]dossier.Entry, error)
	Get(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID) (dossier.Entry, error)
	Prospective(ctx context.Context, a access.Actor, employeeID uuid.UUID) (access.DossierAccess, uuid.UUID, error)
}

// DossierAttachments is what the dossier pages need of the attachments
// service (dossier.Attachments).
type DossierAttachments interface {
	Add(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.Attachment) (dossier.Attachment, error)
	Get(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (dossier.Attachment, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]dossier.Attachment, error)
}

// DossierExposures is what the dossier pages need of the exposures service
// (dossier.Exposures).
type DossierExposures interface {
	Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, x dossier.Exposure) (dossier.Exposure, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]dossier.Exposure, error)
}

// DossierEmployees gives the dossier's header the employee's name where
// the employee service lets the caller read the HR record
// (employee.Service).
type DossierEmployees interface {
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employee.Employee, error)
}

// DossierEmployers gives the dossier's header the employer's name where
// the employer service lets the caller read it (employer.Service).
type DossierEmployers interface {
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employer.Employer, error)
}

// DossierServices are the domain services of the medical dossier pages of
// the physician, lead physician and medical assistant: entries with their
// versions, writing and correcting entries, attachments, exposure flags,
// the employee's own statements and emergency access. Each service decides
// its own object rules and returns the derrors of package dossier.
type DossierServices struct {
	Dossiers    DossierDossiers
	Entries     DossierEntries
	Attachments DossierAttachments
	Exposures   DossierExposures
	Employees   DossierEmployees
	Employers   DossierEmployers
	// MaxAttachmentBytes bounds one uploaded file, as the attachments
	// service does (config MaxAttachmentBytes).
	MaxAttachmentBytes int
}

// dossierPageNames are the dossier pages' templates.
var dossierPageNames = []string{"arts_dossier.html", "arts_dossier_entry_new.html", "arts_dossier_entry.html",
	"arts_dossier_emergency.html"}

func init() {
	pageNames = append(pageNames, dossierPageNames...)
	funcs["artsstuk"] = dossierKindName
}

// dossierRoutes registers the medical dossier pages of the physician, lead
// physician and medical assistant: entries with their versions, writing and
// correcting entries, attachments, exposure flags, the employee's own
// statements and emergency access. Each page is under the resource and
// action of the API route that does the same; the services decide who is in
// the dossier's care (the 404 page otherwise). Without the services the
// pages are not registered.
func (s *Server) dossierRoutes() {
	if s.opts.Dossier.Dossiers == nil {
		return
	}
	s.handle("GET /arts/medewerkers/{id}", s.allow("medical.dossier", "read", s.dossierPage))
	s.handle("GET /arts/medewerkers/{id}/notities/nieuw", s.allow("medical.entries", "create", s.dossierNewEntry))
	s.handle("POST /arts/medewerkers/{id}/notities", s.allow("medical.entries", "create", s.dossierCreateEntry))
	s.handle("GET /arts/medewerkers/{id}/notities/{entry}", s.allow("medical.entries", "read", s.dossierEntryPage))
	s.handle("POST /arts/medewerkers/{id}/notities/{entry}/correctie", s.allow("medical.entries", "correct", s.dossierCorrectEntry))
	s.handle("POST /arts/medewerkers/{id}/bijlagen", s.allow("medical.attachments", "create", s.dossierUpload))
	s.handle("GET /arts/medewerkers/{id}/bijlagen/{attachment}", s.allow("medical.attachments", "read", s.dossierAttachment))
	s.handle("POST /arts/medewerkers/{id}/blootstelling", s.allow("medical.exposures", "create", s.dossierRecordExposure))
	s.handle("GET /arts/medewerkers/{id}/noodtoegang", s.allow("medical.emergency_access", "create", s.dossierEmergencyPage))
	s.handle("POST /arts/medewerkers/{id}/noodtoegang", s.allow("medical.emergency_access", "create", s.dossierDeclareEmergency))
}

// Dutch names of what the dossier pages show.
var (
	dossierKindNames = map[dossier.EntryKind]string{
		dossier.KindConsultation: "Consult", dossier.KindNote: "Aantekening", dossier.KindDiagnosis: "Diagnose",
		dossier.KindTreatingPhysicianInfo: "Informatie van de behandelaar", dossier.KindExamination: "Keuring",
		dossier.KindOwnStatement: "Eigen verklaring van de werknemer", dossier.KindWorkingNote: "Werkaantekening (alleen voor uzelf)",
	}
	dossierAgentNames = map[dossier.Agent]string{
		dossier.AgentCarcinogen: "Kankerverwekkende stof", dossier.AgentBiological: "Biologische agentia",
		dossier.AgentIonisingRadiation: "Ioniserende straling",
	}
	// dossierAgents is the order of the agents in the form.
	dossierAgents = []dossier.Agent{dossier.AgentCarcinogen, dossier.AgentBiological, dossier.AgentIonisingRadiation}
	// dossierFileExtensions name the extension of each attachment type.
	dossierFileExtensions = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
	// dossierFieldMessages are the messages for the services' field
	// errors, by field (the forms use the services' field names).
	dossierFieldMessages = map[string]string{
		"kind":         "Kies een soort uit de lijst.",
		"text":         "Vul een tekst in van hoogstens 20.000 tekens, zonder onzichtbare stuurtekens.",
		"occurred_on":  "Vul een geldige datum in die niet in de toekomst ligt, bijvoorbeeld 2026-01-02.",
		"agent":        "Kies een blootstelling uit de lijst.",
		"from":         "Vul een geldige begindatum in die niet in de toekomst ligt.",
		"to":           "Vul een geldige einddatum in, niet vóór de begindatum.",
		"reason":       "Schrijf in minstens 10 en hoogstens 2000 tekens waarom u in dit dossier moet kijken.",
		"content":      "Kies een PDF-, PNG- of JPEG-bestand dat echt van dat type is en niet te groot is.",
		"content_type": "Kies een PDF-, PNG- of JPEG-bestand.",
		"entry_id":     "Kies een notitie uit dit dossier.",
	}
)

// dossierKindName is the Dutch name of an entry kind.
func dossierKindName(k dossier.EntryKind) string {
	if n, ok := dossierKindNames[k]; ok {
		return n
	}
	return string(k)
}

// dossierFields puts the services' field errors on the dossier forms,
// which use the services' field names.
var dossierFields = fieldTable{messages: dossierFieldMessages}

// dossierPost ends a post on a dossier page: without field errors in
// fields it calls call, and when that succeeds redirects (303) to the path
// call returns. The service's field errors are put on fields; with field
// errors the page is shown again (show). Any other error of call is
// returned.
func dossierPost(w http.ResponseWriter, r *http.Request, fields map[string]string, call func() (string, error), show func() error) error {
	if len(fields) == 0 {
		to, err := call()
		if err == nil {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return nil
		}
		if !dossierFields.put(err, nil, fields) {
			return err
		}
	}
	return show()
}

// dossierLong are the limits of the dossier forms' long fields: an entry's
// text and a reason, as many runes as the services allow.
var dossierLong = map[string]fieldLimit{
	"text":   {max: dossierMaxTextBytes, msg: dossierFieldMessages["text"]},
	"reason": {max: dossierMaxReasonBytes, msg: dossierFieldMessages["reason"]},
}

// The longest texts the dossier's forms take, in bytes: as many runes as
// the services allow, of at most 4 bytes each.
const (
	dossierMaxTextBytes   = dossier.MaxEntryRunes * utf8.UTFMax
	dossierMaxReasonBytes = 2000 * utf8.UTFMax
)

// dossierHead is the top of every dossier page: whose dossier, who is
// responsible, for whom an assistant works, and a running emergency
// access.
type dossierHead struct {
	EmployeeID string
	// Name and Number are "" unless the employee service lets the caller
	// read the HR record, Employer unless the employer service lets them
	// read the employer.
	Name, Number, Employer string
	Physician              string
	// OnBehalfOf names the physician an assistant acts for.
	OnBehalfOf string
	Assistant  bool
	// Emergency: the caller reads under emergency access, with their
	// reason, until EmergencyUntil.
	Emergency       bool
	EmergencyReason string
	EmergencyUntil  time.Time
	// Empty: there is no dossier yet; the caller's first write creates it.
	Empty bool
	// Links the caller's roles may use.
	Links []dossierLink
}

// dossierLink is a link to a sibling page of the dossier.
type dossierLink struct{ Href, Text string }

// dossierLinks are the sibling pages, each with the resource and action of
// its route, shown to callers whose roles may use them.
var dossierLinks = []struct {
	suffix, text, resource, action string
}{
	{"/notities/nieuw", "Notitie schrijven", "medical.entries", "create"},
	{"/oordeel", "Oordeel vastleggen", "verdicts", "create"},
	{"/advies", "Advies over werken", "advice", "publish"},
	{"/toestemmingen", "Toestemmingen", "medical.consents", "read"},
	{"/informatieverzoeken", "Informatieverzoeken", "medical.information_requests", "read"},
	{"/verstrekkingen", "Verstrekkingen", "medical.disclosures", "read"},
	{"/overdrachten", "Overdrachten", "medical.transfers", "read"},
}

// may reports whether any of the caller's grants allows action on
// resource by the policies (the object rules stay with the services): for
// showing a link or a form, never for deciding.
func (s *Server) may(r *http.Request, resource, action string) bool {
	c, ok := callerOf(r)
	if !ok {
		return false
	}
	_, err := s.opts.Authz.Authorize(c.principal, resource, action)
	return err == nil
}

// userName is the display name of a user; "" when unknown.
func (s *Server) userName(ctx context.Context, id uuid.UUID) string {
	if id == uuid.Nil || s.opts.Names == nil {
		return ""
	}
	n, err := s.opts.Names.UserName(ctx, id)
	if err != nil {
		return ""
	}
	return n
}

// dossierHeadOf reads the dossier of employeeID as a (audited; outside
// the caller's care is derrors.ErrNotFound) and builds the page's head.
func (s *Server) dossierHeadOf(r *http.Request, a access.Actor, employeeID uuid.UUID) (dossierHead, error) {
	ctx := r.Context()
	svc := s.opts.Dossier
	v, err := svc.Dossiers.Get(ctx, a, employeeID)
	empty := false
	if errors.Is(err, derrors.ErrNotFound) {
		// No dossier yet, or none in the caller's care: the caller's first
		// write would create it, or it is the 404 page.
		acc, physician, perr := svc.Entries.Prospective(ctx, a, employeeID)
		switch {
		case errors.Is(perr, derrors.ErrNotFound), errors.Is(perr, derrors.ErrForbidden):
			return dossierHead{}, err
		case perr != nil:
			// A failure to tell is that failure, not the 404 page.
			return dossierHead{}, perr
		}
		v, err, empty = dossier.View{Dossier: dossier.Dossier{ResponsiblePhysicianID: physician}, Access: acc}, nil, true
	}
	if err != nil {
		return dossierHead{}, err
	}
	h := dossierHead{EmployeeID: employeeID.String(), Physician: s.userName(ctx, v.ResponsiblePhysicianID), Empty: empty}
	switch v.Access.Capacity {
	case access.CapacityAssistant:
		h.Assistant = true
		h.OnBehalfOf = s.userName(ctx, v.Access.OnBehalfOf)
	case access.CapacityEmergency:
		h.Emergency, h.EmergencyUntil = true, v.EmergencyUntil
		em, err := svc.Dossiers.Emergency(ctx, a, employeeID)
		switch {
		case err == nil:
			h.EmergencyReason, h.EmergencyUntil = em.Reason, em.ExpiresAt
		case !errors.Is(err, derrors.ErrNotFound):
			return dossierHead{}, err
		}
	}
	if err := s.dossierSubject(r, employeeID, &h); err != nil {
		return dossierHead{}, err
	}
	base := "/arts/medewerkers/" + h.EmployeeID
	for _, l := range dossierLinks {
		if s.may(r, l.resource, l.action) {
			h.Links = append(h.Links, dossierLink{Href: base + l.suffix, Text: l.text})
		}
	}
	if s.may(r, "invitations", "create") {
		h.Links = append(h.Links, dossierLink{Href: "/medewerkers/" + h.EmployeeID + "/inlog", Text: "Inlog uitgeven"})
	}
	return h, nil
}

// dossierSubject puts the employee's name and number, and their
// employer's name, into h where the employee and employer services let one
// of the caller's grants read them (as GET /api/v1/employees/{id} and
// /employers/{id}: audited there); a refusal leaves them empty.
func (s *Server) dossierSubject(r *http.Request, employeeID uuid.UUID, h *dossierHead) error {
	svc := s.opts.Dossier
	if svc.Employees == nil {
		return nil
	}
	var employerID uuid.UUID
	err := s.underGrants(r, "employees", "read", func(a access.Actor) error {
		e, err := svc.Employees.Get(r.Context(), a, employeeID)
		if err == nil {
			h.Name, h.Number, employerID = e.FirstName+" "+e.LastName, e.EmployeeNumber, e.EmployerID
		}
		return err
	})
	if err != nil || employerID == uuid.Nil || svc.Employers == nil {
		return err
	}
	return s.underGrants(r, "employers", "read", func(a access.Actor) error {
		e, err := svc.Employers.Get(r.Context(), a, employerID)
		if err == nil {
			h.Employer = e.Name
		}
		return err
	})
}

// underGrants runs fn as the caller under each of their grants that allows
// action on resource, one at a time, until one is not refused
// (derrors.ErrNotFound or ErrForbidden); a caller no grant allows, or whom
// every grant's object rules refuse, is no error: the page shows less.
// Other errors are returned.
func (s *Server) underGrants(r *http.Request, resource, action string, fn func(a access.Actor) error) error {
	c, ok := callerOf(r)
	if !ok {
		return nil
	}
	auths, err := s.opts.Authz.Authorize(c.principal, resource, action)
	if err != nil {
		return nil
	}
	for _, au := range auths {
		a := access.Actor{Principal: c.principal, Role: au.Role, Scope: au.Scope, RequestID: requestIDOf(r), ClientIP: s.clientIP(r)}
		switch err := fn(a); {
		case err == nil:
			return nil
		case errors.Is(err, derrors.ErrNotFound), errors.Is(err, derrors.ErrForbidden):
		default:
			return err
		}
	}
	return nil
}

// dossierEntryRow is one entry on the dossier page.
type dossierEntryRow struct {
	ID         string
	Kind       dossier.EntryKind
	Author     string
	OnBehalfOf string
	OccurredOn time.Time
	CreatedAt  time.Time
	Version    int
	Corrected  bool
	Current    bool
	Text       string
	// Statements are the employee's own statements about this entry.
	Statements []dossierEntryRow
}

// dossierAttachmentRow is one attachment on the dossier page.
type dossierAttachmentRow struct {
	ID, Type, Size, Author string
	CreatedAt              time.Time
}

// dossierExposureRow is one exposure flag on the dossier page.
type dossierExposureRow struct {
	Agent    string
	From, To time.Time
}

// dossierOption is one choice of a select.
type dossierOption struct{ Value, Label string }

// dossierPageData is the dossier page's data.
type dossierPageData struct {
	Head        dossierHead
	Entries     []dossierEntryRow
	Statements  []dossierEntryRow
	Attachments []dossierAttachmentRow
	Exposures   []dossierExposureRow
	Agents      []dossierOption
	// CanUpload and CanRecordExposure show the forms.
	CanUpload, CanRecordExposure bool
	MaxUpload                    string
	Today                        string
}

// dossierMaxPages bounds how many pages of entries one dossier page reads.
const dossierMaxPages = 10

// dossierNames looks up display names once per page.
type dossierNames struct {
	s     *Server
	ctx   context.Context
	known map[uuid.UUID]string
}

func (n *dossierNames) of(id uuid.UUID) string {
	if name, ok := n.known[id]; ok {
		return name
	}
	name := n.s.userName(n.ctx, id)
	n.known[id] = name
	return name
}

// dossierRow makes the page's row of e.
func dossierRow(e dossier.Entry, names *dossierNames) dossierEntryRow {
	row := dossierEntryRow{ID: e.ID.String(), Kind: e.Kind, Author: names.of(e.AuthorID), OccurredOn: e.OccurredOn,
		CreatedAt: e.CreatedAt, Version: e.Version, Corrected: e.Version > 1, Current: e.SupersededBy == uuid.Nil, Text: e.Text}
	if e.OnBehalfOf != uuid.Nil {
		row.OnBehalfOf = names.of(e.OnBehalfOf)
	}
	return row
}

// buildDossierEntries orders the current entries newest first and puts
// each own statement under the entry it concerns (or under the correction
// of the version it concerns); statements about no entry on the page are
// returned apart, newest first.
func buildDossierEntries(es []dossier.Entry, names *dossierNames) (rows, loose []dossierEntryRow) {
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b dossier.Entry) int { return b.CreatedAt.Compare(a.CreatedAt) })
	at := map[uuid.UUID]int{}
	for _, e := range es {
		if e.Kind == dossier.KindOwnStatement && e.Concerns != uuid.Nil {
			continue
		}
		if e.Kind == dossier.KindOwnStatement {
			loose = append(loose, dossierRow(e, names))
			continue
		}
		// A statement about the version this one corrects is about it too.
		at[e.ID] = len(rows)
		if e.Supersedes != uuid.Nil {
			at[e.Supersedes] = len(rows)
		}
		rows = append(rows, dossierRow(e, names))
	}
	for _, e := range es {
		if e.Kind != dossier.KindOwnStatement || e.Concerns == uuid.Nil {
			continue
		}
		if i, ok := at[e.Concerns]; ok {
			rows[i].Statements = append(rows[i].Statements, dossierRow(e, names))
		} else {
			loose = append(loose, dossierRow(e, names))
		}
	}
	slices.SortStableFunc(loose, func(a, b dossierEntryRow) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return rows, loose
}

// dossierView gathers the dossier page under one actor.
func (s *Server) dossierView(r *http.Request, a access.Actor, id uuid.UUID) (dossierPageData, error) {
	ctx := r.Context()
	svc := s.opts.Dossier
	head, err := s.dossierHeadOf(r, a, id)
	if err != nil {
		return dossierPageData{}, err
	}
	names := &dossierNames{s: s, ctx: ctx, known: map[uuid.UUID]string{}}
	d := dossierPageData{Head: head, CanUpload: s.may(r, "medical.attachments", "create"),
		CanRecordExposure: s.may(r, "medical.exposures", "create"), MaxUpload: dossierSize(svc.MaxAttachmentBytes),
		Today: access.Today(s.opts.Now())}
	for _, ag := range dossierAgents {
		d.Agents = append(d.Agents, dossierOption{Value: string(ag), Label: dossierAgentNames[ag]})
	}
	if head.Empty {
		return d, nil
	}
	var all []dossier.Entry
	var after *dossier.EntryCursor
	for range dossierMaxPages {
		page, err := svc.Entries.List(ctx, a, id, dossier.MaxEntriesPage, after)
		if err != nil {
			return dossierPageData{}, err
		}
		all = append(all, page...)
		if len(page) < dossier.MaxEntriesPage {
			break
		}
		last := page[len(page)-1]
		after = &dossier.EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	d.Entries, d.Statements = buildDossierEntries(all, names)
	as, err := svc.Attachments.List(ctx, a, id)
	if err != nil {
		return dossierPageData{}, err
	}
	for i := len(as) - 1; i >= 0; i-- {
		x := as[i]
		d.Attachments = append(d.Attachments, dossierAttachmentRow{ID: x.ID.String(), Type: strings.ToUpper(strings.TrimPrefix(dossierFileExtensions[x.ContentType], ".")),
			Size: dossierSize(x.Size), Author: names.of(x.AuthorID), CreatedAt: x.CreatedAt})
	}
	xs, err := svc.Exposures.List(ctx, a, id)
	if err != nil {
		return dossierPageData{}, err
	}
	for _, x := range xs {
		d.Exposures = append(d.Exposures, dossierExposureRow{Agent: dossierAgentNames[x.Agent], From: x.From, To: x.To})
	}
	return d, nil
}

// dossierSize says a file size in Dutch: "850 kB", "1,5 MB".
func dossierSize(n int) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + " MB"
	case n >= 1<<10:
		return strconv.Itoa((n+1<<10-1)>>10) + " kB"
	}
	return strconv.Itoa(n) + " bytes"
}

// dossierNotices are the messages after a post, by the gedaan parameter.
var dossierNotices = map[string]string{
	"notitie":       "De notitie staat in het dossier.",
	"bijlage":       "De bijlage staat in het dossier.",
	"blootstelling": "De blootstelling staat in het dossier. Zolang die geldt, mag het dossier niet vernietigd worden.",
	"noodtoegang":   "U heeft noodtoegang tot dit dossier. De werknemer ziet dit in het overzicht van wie in zijn of haar gegevens keek.",
	"gecorrigeerd":  "De correctie staat in het dossier. De vorige versie blijft bewaard.",
}

// dossierTitle is the title of a dossier page.
func dossierTitle(h dossierHead, page string) string {
	who := "de werknemer"
	if h.Name != "" {
		who = h.Name
	}
	return page + " van " + who
}

// dossierPage shows the dossier of employee {id}: its entries newest first
// with the employee's own statements, its attachments and exposure flags.
func (s *Server) dossierPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	return s.dossierPageWith(w, r, a, http.StatusOK, nil, nil)
}

// dossierPageWith renders the dossier page with status, the field errors
// of one of its forms and the values to keep (a failed upload or exposure).
func (s *Server) dossierPageWith(w http.ResponseWriter, r *http.Request, a access.Actor, status int, fields, kept map[string]string) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	d, err := s.dossierView(r, a, id)
	if err != nil {
		return err
	}
	v := view{Title: dossierTitle(d.Head, "Medisch dossier"), Data: d, Fields: fields, Form: kept}
	if v.Form == nil {
		v.Form = map[string]string{"from": d.Today}
	}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	if status == http.StatusOK {
		v.Notice = dossierNotices[r.URL.Query().Get("gedaan")]
	}
	s.render(w, r, status, "arts_dossier.html", v)
	return nil
}

// dossierNewEntryData is the entry form's data.
type dossierNewEntryData struct {
	Head  dossierHead
	Kinds []dossierOption
}

// dossierKindsFor are the kinds the form offers: every kind but the
// employee's own statement, and for an assistant only those the domain
// lets an assistant write (dossier.EntryKind.AssistantMayWrite).
func dossierKindsFor(assistant bool) []dossierOption {
	var out []dossierOption
	for _, k := range dossier.EntryKinds {
		if k == dossier.KindOwnStatement || assistant && !k.AssistantMayWrite() {
			continue
		}
		out = append(out, dossierOption{Value: string(k), Label: dossierKindName(k)})
	}
	return out
}

// dossierEntryForm renders the entry form with status, field errors and
// kept values.
func (s *Server) dossierEntryForm(w http.ResponseWriter, r *http.Request, a access.Actor, status int, f form) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	h, err := s.dossierHeadOf(r, a, id)
	if err != nil {
		return err
	}
	v := view{Title: dossierTitle(h, "Notitie schrijven in het dossier"), Fields: f.fields, Form: f.values,
		Data: dossierNewEntryData{Head: h, Kinds: dossierKindsFor(h.Assistant)}}
	if len(f.fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "arts_dossier_entry_new.html", v)
	return nil
}

// dossierNewEntry shows the form to write an entry.
func (s *Server) dossierNewEntry(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	f := form{values: map[string]string{"kind": string(dossier.KindConsultation), "occurred_on": access.Today(s.opts.Now())},
		fields: map[string]string{}}
	return s.dossierEntryForm(w, r, a, http.StatusOK, f)
}

// dossierCreateEntry writes an entry (kind, date, text) and goes back to
// the dossier. Bad input is the form again (400); a kind the caller may
// not write is the service's refusal (403).
func (s *Server) dossierCreateEntry(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f, err := parseFormLimits(w, r, dossierLong, "kind", "occurred_on", "text")
	if err != nil {
		return err
	}
	kind := dossier.EntryKind(f.get("kind"))
	on := employerDate(f, "occurred_on", false)
	f.require(map[string]string{"text": "Vul de tekst van de notitie in."})
	return dossierPost(w, r, f.fields, func() (string, error) {
		e, err := s.opts.Dossier.Entries.Create(r.Context(), a, id, dossier.NewEntry{Kind: kind, Text: f.get("text"), OccurredOn: on})
		return "/arts/medewerkers/" + id.String() + "?gedaan=notitie#stuk-" + e.ID.String(), err
	}, func() error { return s.dossierEntryForm(w, r, a, http.StatusBadRequest, f) })
}

// dossierEntryData is the entry page's data: the version asked for, its
// history newest first, and the head.
type dossierEntryData struct {
	Head    dossierHead
	Entry   dossierEntryRow
	History []dossierEntryRow
}

// dossierMaxVersions bounds the history an entry page follows.
const dossierMaxVersions = 50

// dossierEntryPageWith renders one entry with its versions and the
// correction form.
func (s *Server) dossierEntryPageWith(w http.ResponseWriter, r *http.Request, a access.Actor, status int, f form) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	entryID, ok := access.ParseID(r.PathValue("entry"))
	if !ok {
		return derrors.ErrNotFound
	}
	ctx := r.Context()
	h, err := s.dossierHeadOf(r, a, id)
	if err != nil {
		return err
	}
	get := func(x uuid.UUID) (dossier.Entry, error) { return s.opts.Dossier.Entries.Get(ctx, a, id, x) }
	e, err := get(entryID)
	if err != nil {
		return err
	}
	names := &dossierNames{s: s, ctx: ctx, known: map[uuid.UUID]string{}}
	versions := []dossier.Entry{e}
	for x := e; x.SupersededBy != uuid.Nil && len(versions) < dossierMaxVersions; {
		if x, err = get(x.SupersededBy); err != nil {
			return err
		}
		versions = append([]dossier.Entry{x}, versions...)
	}
	for x := e; x.Supersedes != uuid.Nil && len(versions) < dossierMaxVersions; {
		if x, err = get(x.Supersedes); err != nil {
			return err
		}
		versions = append(versions, x)
	}
	d := dossierEntryData{Head: h, Entry: dossierRow(e, names)}
	for _, x := range versions {
		d.History = append(d.History, dossierRow(x, names))
	}
	if f.values == nil {
		f = form{values: map[string]string{"text": e.Text}, fields: map[string]string{}}
	}
	v := view{Title: dossierKindName(e.Kind) + " in het dossier", Data: d, Fields: f.fields, Form: f.values}
	if len(f.fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	} else if status == http.StatusOK {
		v.Notice = dossierNotices[r.URL.Query().Get("gedaan")]
	}
	s.render(w, r, status, "arts_dossier_entry.html", v)
	return nil
}

// dossierEntryPage shows one entry with its version history.
func (s *Server) dossierEntryPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	return s.dossierEntryPageWith(w, r, a, http.StatusOK, form{})
}

// dossierCorrectEntry writes a corrected version of the entry and shows
// it; the earlier version stays.
func (s *Server) dossierCorrectEntry(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	entryID, ok := access.ParseID(r.PathValue("entry"))
	if !ok {
		return derrors.ErrNotFound
	}
	f, err := parseFormLimits(w, r, dossierLong, "text")
	if err != nil {
		return err
	}
	f.require(map[string]string{"text": "Vul de verbeterde tekst in."})
	return dossierPost(w, r, f.fields, func() (string, error) {
		e, err := s.opts.Dossier.Entries.Correct(r.Context(), a, id, entryID, f.get("text"))
		return "/arts/medewerkers/" + id.String() + "/notities/" + e.ID.String() + "?gedaan=gecorrigeerd", err
	}, func() error { return s.dossierEntryPageWith(w, r, a, http.StatusBadRequest, f) })
}

// dossierUploadField is the file field of the upload form.
const dossierUploadField = "content"

// readUpload reads the one file of a multipart upload form (field
// "content") into memory, at most max bytes, with the content type the
// browser gives it; nothing is spooled to disk. What is not a multipart
// form, has no file or an empty one, or is larger than max, is a field
// error in fields (the read stops there).
func readUpload(r *http.Request, max int) (content []byte, contentType string, fields map[string]string) {
	fields = map[string]string{}
	mr, err := r.MultipartReader()
	if err != nil {
		fields[dossierUploadField] = "Kies een bestand om toe te voegen."
		return nil, "", fields
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fields[dossierUploadField] = "Het bestand kwam niet goed aan, of is te groot. Probeer het opnieuw."
			return nil, "", fields
		}
		if p.FormName() != dossierUploadField || content != nil {
			p.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, int64(max)+1))
		p.Close()
		if err != nil {
			fields[dossierUploadField] = "Het bestand kwam niet goed aan, of is te groot. Probeer het opnieuw."
			return nil, "", fields
		}
		if len(b) > max {
			fields[dossierUploadField] = "Dit bestand is te groot: het mag hoogstens " + dossierSize(max) + " zijn."
			return nil, "", fields
		}
		content = b
		contentType, _, _ = mime.ParseMediaType(p.Header.Get("Content-Type"))
	}
	if len(content) == 0 {
		fields[dossierUploadField] = "Kies een bestand om toe te voegen."
		return nil, "", fields
	}
	return content, contentType, fields
}

// dossierUpload adds an uploaded PDF, PNG or JPEG file to the dossier,
// through the same content check as the API; a bad file is the dossier
// page again with the message (400).
func (s *Server) dossierUpload(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	max := s.opts.Dossier.MaxAttachmentBytes
	// The file and the form around it; a larger body fails the read.
	r.Body = http.MaxBytesReader(w, r.Body, int64(max)+maxFormBytes)
	content, ct, fields := readUpload(r, max)
	return dossierPost(w, r, fields, func() (string, error) {
		_, err := s.opts.Dossier.Attachments.Add(r.Context(), a, id, dossier.Attachment{ContentType: ct, Content: content})
		return "/arts/medewerkers/" + id.String() + "?gedaan=bijlage#bijlagen", err
	}, func() error {
		if m, ok := fields["content_type"]; ok {
			delete(fields, "content_type")
			fields[dossierUploadField] = m
		}
		return s.dossierPageWith(w, r, a, http.StatusBadRequest, fields, nil)
	})
}

// dossierAttachment sends one attachment as a download.
func (s *Server) dossierAttachment(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	attID, ok := access.ParseID(r.PathValue("attachment"))
	if !ok {
		return derrors.ErrNotFound
	}
	x, err := s.opts.Dossier.Attachments.Get(r.Context(), a, id, attID)
	if err != nil {
		return err
	}
	download(w, "bijlage-"+x.ID.String()+dossierFileExtensions[x.ContentType], x.ContentType, x.Content)
	return nil
}

// dossierRecordExposure records an exposure flag (agent, from, to).
func (s *Server) dossierRecordExposure(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f, err := parseForm(w, r, "agent", "from", "to")
	if err != nil {
		return err
	}
	agent := dossier.Agent(f.get("agent"))
	from := employerDate(f, "from", true)
	to := employerDate(f, "to", false)
	return dossierPost(w, r, f.fields, func() (string, error) {
		_, err := s.opts.Dossier.Exposures.Record(r.Context(), a, id, dossier.Exposure{Agent: agent, From: from, To: to})
		return "/arts/medewerkers/" + id.String() + "?gedaan=blootstelling#blootstelling", err
	}, func() error {
		return s.dossierPageWith(w, r, a, http.StatusBadRequest, f.fields, f.keep("agent", "from", "to"))
	})
}

// dossierEmergencyData is the emergency access form's data.
type dossierEmergencyData struct{ EmployeeID string }

// dossierEmergencyForm renders the emergency access form.
func (s *Server) dossierEmergencyForm(w http.ResponseWriter, r *http.Request, status int, f form) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	v := view{Title: "Noodtoegang tot een medisch dossier", Fields: f.fields, Form: f.values,
		Data: dossierEmergencyData{EmployeeID: id.String()}}
	if len(f.fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "arts_dossier_emergency.html", v)
	return nil
}

// dossierEmergencyPage shows a lead physician the form to declare
// emergency access to a dossier outside their care, with a reason.
func (s *Server) dossierEmergencyPage(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
	return s.dossierEmergencyForm(w, r, http.StatusOK, form{values: map[string]string{}, fields: map[string]string{}})
}

// dossierDeclareEmergency declares emergency access with the reason and
// opens the dossier, which shows the banner while the access lasts. No
// dossier is the 404 page.
func (s *Server) dossierDeclareEmergency(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f, err := parseFormLimits(w, r, dossierLong, "reason")
	if err != nil {
		return err
	}
	f.require(map[string]string{"reason": "Schrijf waarom u in dit dossier moet kijken."})
	return dossierPost(w, r, f.fields, func() (string, error) {
		_, err := s.opts.Dossier.Dossiers.DeclareEmergency(r.Context(), a, id, f.get("reason"))
		return "/arts/medewerkers/" + id.String() + "?gedaan=noodtoegang", err
	}, func() error { return s.dossierEmergencyForm(w, r, http.StatusBadRequest, f) })
}
