package rights

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/text"
)

// Type is the kind of a rights request.
type Type string

// The request types: on the medical dossier, and on HR data (AVG).
const (
	TypeInspection   Type = "inspection"
	TypeCopy         Type = "copy"
	TypeCorrection   Type = "correction"
	TypeOwnStatement Type = "own_statement"
	TypeDestruction  Type = "destruction"

	TypeAccess        Type = "access"
	TypeRectification Type = "rectification"
	TypeErasure       Type = "erasure"
	TypeRestriction   Type = "restriction"
	TypeObjection     Type = "objection"
	TypePortability   Type = "portability"
)

var types = map[Type]bool{TypeInspection: true, TypeCopy: true, TypeCorrection: true, TypeOwnStatement: true,
	TypeDestruction: true, TypeAccess: true, TypeRectification: true, TypeErasure: true, TypeRestriction: true,
	TypeObjection: true, TypePortability: true}

// Valid reports whether t is one of the request types.
func (t Type) Valid() bool { return types[t] }

// Medical reports whether t is about the medical dossier: decided by the
// responsible physician (or, when absent, a lead physician), not by the
// privacy officer.
func (t Type) Medical() bool {
	switch t {
	case TypeInspection, TypeCopy, TypeCorrection, TypeOwnStatement, TypeDestruction:
		return true
	}
	return false
}

// Status is where a request stands.
type Status string

// The statuses, in order.
const (
	StatusReceived      Status = "received"
	StatusInReview      Status = "in_review"
	StatusGranted       Status = "granted"
	StatusPartlyGranted Status = "partly_granted"
	StatusRefused       Status = "refused"
	StatusDelivered     Status = "delivered"
	StatusClosed        Status = "closed"
)

// next lists the statuses a request may move to from each status.
var next = map[Status][]Status{
	StatusReceived:      {StatusInReview, StatusGranted, StatusPartlyGranted, StatusRefused},
	StatusInReview:      {StatusGranted, StatusPartlyGranted, StatusRefused},
	StatusGranted:       {StatusDelivered, StatusClosed},
	StatusPartlyGranted: {StatusDelivered, StatusClosed},
	StatusRefused:       {StatusClosed},
	StatusDelivered:     {StatusClosed},
}

// CanMove reports whether a request of type t may move from one status to
// another: along the state machine, and an own statement is never refused
// (BW 7:454 lid 2).
func CanMove(t Type, from, to Status) bool {
	if t == TypeOwnStatement && (to == StatusRefused || to == StatusPartlyGranted) {
		return false
	}
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Decided reports whether s is a decision (granted, partly granted or
// refused), which needs a ground when it is not a full grant.
func (s Status) Decided() bool {
	return s == StatusGranted || s == StatusPartlyGranted || s == StatusRefused
}

// AddMonths returns d plus n months: the same day number, or the last day
// of the month that has no such day (DESIGN §4).
func AddMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// Grounds are the recorded grounds of a refusal or partial grant; the
// register holds no free text that could carry medical content.
var Grounds = map[string]bool{
	"legal_retention_duty": true, "substantial_interest_of_another": true, "not_a_factual_error": true,
	"manifestly_unfounded": true, "identity_not_established": true, "no_data_held": true,
	"overriding_legitimate_grounds": true,
}

// Request is one rights request in the register: metadata only.
type Request struct {
	ID         uuid.UUID
	EmployerID uuid.UUID
	EmployeeID uuid.UUID
	Type       Type
	Status     Status
	ReceivedOn time.Time
	DueOn      time.Time
	// ExtendedOn is the extension's new due date (zero: not extended),
	// with its reason (a fixed ground, as refusals).
	ExtendedTo      time.Time
	ExtensionReason string
	FiledBy         uuid.UUID
	// ContentEntry is the dossier entry holding the request's medical
	// content (the employee's statement), Concerns the entry it is about;
	// ids only, the text lives encrypted in the dossier.
	ContentEntry uuid.UUID
	Concerns     uuid.UUID
	DecidedBy    uuid.UUID
	DecidedAt    time.Time
	Ground       string
	UpdatedAt    time.Time
	// Representative files for the employee under a signed, dated
	// authorisation on record ("" when the employee filed).
	Representative        string
	AuthorisationSignedOn time.Time
	// Fields are the HR fields a rectification request is about.
	Fields []string
	// Outcome is what an erasure or restriction did, per category.
	Outcome []Outcome
	// EntryIDs are the entries a destruction request is about (none: the
	// whole dossier); ids only.
	EntryIDs []uuid.UUID
}

// Due returns the date the answer is due, extension included.
func (r Request) Due() time.Time {
	if !r.ExtendedTo.IsZero() {
		return r.ExtendedTo
	}
	return r.DueOn
}

// Subject is the employee a request is about, as the HR side knows it.
type Subject struct {
	EmployeeID  uuid.UUID
	EmployerID  uuid.UUID
	UserID      uuid.UUID
	PhysicianID uuid.UUID // the employer's assigned physician
	// PhysicianAbsent: the assigned physician is away today (an active
	// substitution period), so a lead physician may act for them.
	PhysicianAbsent bool
	// DateOfBirth weighs in the retention duty of ionising radiation.
	DateOfBirth time.Time
}

// Notice is an inbox notification to the employee; never medical.
type Notice struct {
	Kind, Subject, Body string
}

// RequestStore persists the register in schema hr.
type RequestStore interface {
	// SubjectOf returns the employee record linked to a login;
	// derrors.ErrNotFound when none.
	SubjectOf(ctx context.Context, userID uuid.UUID) (Subject, error)
	// Subject returns the employee employeeID as a subject of requests;
	// derrors.ErrNotFound when unknown.
	Subject(ctx context.Context, employeeID uuid.UUID) (Subject, error)
	// File inserts r with its event and a notice to the employee's login,
	// if they have one.
	File(ctx context.Context, r Request, ev audit.Event, n Notice) error
	// Mine lists the requests of an employee, newest first, with the
	// event.
	Mine(ctx context.Context, employeeID uuid.UUID, ev audit.Event) ([]Request, error)
	// Update locks the request, applies change (whose error is returned as
	// it is), and stores the result with the event and notice change
	// returns. An unknown request is derrors.ErrNotFound.
	Update(ctx context.Context, id uuid.UUID, change func(r *Request, s Subject) (audit.Event, Notice, error)) (Request, error)
	// Queue lists the open requests f selects, overdue and soonest due
	// first, at most limit, with one read event per person.
	Queue(ctx context.Context, f QueueFilter, limit int, events func([]Request) []audit.Event) ([]Request, error)
	// Register lists the requests f selects across the service with the
	// name of the employee each is about: open ones first, then by due
	// date (extension included), at most limit, with the events that
	// events returns for them, in one transaction.
	Register(ctx context.Context, f RegisterFilter, limit int, events func([]RegisterEntry) []audit.Event) ([]RegisterEntry, error)
	// Entry loads request id with its subject and the employee's name,
	// asks check for the read's event (whose error is returned as it is,
	// and then nothing is written) and stores it. An unknown request is
	// derrors.ErrNotFound.
	Entry(ctx context.Context, id uuid.UUID, check func(e RegisterEntry, s Subject) (audit.Event, error)) (RegisterEntry, error)
}

// OpenStatuses are the statuses of a request that still asks something of
// whoever decides it: undecided, or granted and not yet delivered.
var OpenStatuses = []Status{StatusReceived, StatusInReview, StatusGranted, StatusPartlyGranted}

// Open reports whether r is one of OpenStatuses.
func (r Request) Open() bool { return slices.Contains(OpenStatuses, r.Status) }

// Overdue reports whether r is undecided after its due date (extension
// included) on day today.
func (r Request) Overdue(today time.Time) bool {
	return (r.Status == StatusReceived || r.Status == StatusInReview) && today.After(r.Due())
}

// RegisterFilter selects requests of the register: of one of Statuses
// (none: every status) and of Type ("" every type).
type RegisterFilter struct {
	Statuses []Status
	Type     Type
}

// RegisterEntry is a request of the register with the name and number of
// the employee it is about, as the HR record has them (an erased record's
// placeholders once it is anonymised); metadata only, never content.
type RegisterEntry struct {
	Request
	FirstName, LastName, EmployeeNumber string
}

// QueueFilter selects the open requests of a deciding role's queue: those
// of the given medical-ness of employees of an employer in Scope, of an
// employer whose assigned physician is one of StandingInFor, or, with
// Unattended, of an employer whose assigned physician is absent today or
// who has none.
type QueueFilter struct {
	Medical       bool
	Scope         access.Scope
	StandingInFor []uuid.UUID
	Unattended    bool
}

// StatementWriter adds the employee's own statement to their dossier as
// an encrypted entry (see dossier.Entries.AddStatement).
type StatementWriter interface {
	AddStatement(ctx context.Context, st dossier.Statement, ev audit.Event) (dossier.Entry, error)
}

// EntryChecker checks entry ids a destruction request names against the
// employee's dossier.
type EntryChecker interface {
	// CheckEntries returns derrors.FieldErrors unless every id is an entry
	// of employeeID's dossier of a releasable kind (never a working note,
	// dossier.EntryKind.Releasable); no dossier is
	// derrors.ErrConflict.
	CheckEntries(ctx context.Context, employeeID uuid.UUID, ids []uuid.UUID) error
}

// RequestOptions configures the register.
type RequestOptions struct {
	// Statements adds own statements to the dossier; Entries checks the
	// entries a destruction request names.
	Statements StatementWriter
	Entries    EntryChecker
	// DestructionTargetMonths is the term of a destruction request and
	// DestructionLimitMonths the legal limit an extension may reach
	// (defaults 1 and 3).
	DestructionTargetMonths, DestructionLimitMonths int
	// Now defaults to time.Now.
	Now func() time.Time
}

// Requests runs the register.
type Requests struct {
	store      RequestStore
	statements StatementWriter
	entries    EntryChecker
	target     int
	limit      int
	now        func() time.Time
}

// NewRequests returns the register.
func NewRequests(store RequestStore, o RequestOptions) *Requests {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DestructionTargetMonths < 1 {
		o.DestructionTargetMonths = 1
	}
	if o.DestructionLimitMonths < o.DestructionTargetMonths {
		o.DestructionLimitMonths = max(3, o.DestructionTargetMonths)
	}
	return &Requests{store: store, statements: o.Statements, entries: o.Entries, target: o.DestructionTargetMonths,
		limit: o.DestructionLimitMonths, now: o.Now}
}

// due returns when a request of type t received on is due: one month,
// or the destruction term for a destruction request.
func (s *Requests) due(t Type, received time.Time) time.Time {
	if t == TypeDestruction {
		return AddMonths(received, s.target)
	}
	return AddMonths(received, 1)
}

// MaxDestructionEntries bounds the entries one destruction request names.
const MaxDestructionEntries = 200

func (s *Requests) today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

func requestEvent(a access.Actor, action audit.Action, r Request) audit.Event {
	return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: r.EmployeeID,
		TenantID: r.EmployerID, Action: action, ObjectKind: "request", ObjectID: r.ID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
}

var typeNames = map[Type]string{
	TypeInspection: "inzage", TypeCopy: "afschrift", TypeCorrection: "correctie", TypeOwnStatement: "eigen verklaring",
	TypeDestruction: "vernietiging", TypeAccess: "inzage (AVG)", TypeRectification: "rectificatie", TypeErasure: "wissing",
	TypeRestriction: "beperking", TypeObjection: "bezwaar", TypePortability: "overdraagbaarheid",
}

// Filing is what the employee sends with a request: for own_statement the
// statement and optionally the entry it concerns; for correction the entry
// to correct (required) and what is wrong with it; for rectification the
// HR fields that are wrong (names only: the owning role asks for the right
// values and rectifies).
type Filing struct {
	Type     Type
	Text     string
	Concerns uuid.UUID
	Fields   []string
	// EntryIDs are the entries a destruction request is about (empty: the
	// whole dossier).
	EntryIDs []uuid.UUID
}

// RectifiableFields are the HR fields a rectification may be about.
var RectifiableFields = []string{"first_name", "last_name", "date_of_birth", "employment_start", "employment_end",
	"email", "phone", "bsn"}

// check validates the parts of f that depend on its type alone and
// returns the fields, deduplicated in a fixed order.
func (f Filing) check() ([]string, error) {
	t := f.Type
	if !t.Valid() {
		return nil, derrors.FieldErrors{"type": "must be one of inspection, copy, correction, own_statement, destruction, access, rectification, erasure, restriction, objection, portability"}
	}
	withText := t == TypeOwnStatement || t == TypeCorrection
	switch {
	case !withText && (f.Text != "" || f.Concerns != uuid.Nil):
		return nil, derrors.FieldErrors{"text": "applies to own_statement and correction only"}
	case t == TypeCorrection && f.Concerns == uuid.Nil:
		return nil, derrors.FieldErrors{"entry_id": "is required: the entry to correct"}
	case t != TypeRectification && len(f.Fields) > 0:
		return nil, derrors.FieldErrors{"fields": "applies to rectification only"}
	case t != TypeDestruction && len(f.EntryIDs) > 0:
		return nil, derrors.FieldErrors{"entry_ids": "applies to destruction only"}
	case len(f.EntryIDs) > MaxDestructionEntries:
		return nil, derrors.FieldErrors{"entry_ids": fmt.Sprintf("must name at most %d entries", MaxDestructionEntries)}
	case slices.Contains(f.EntryIDs, uuid.Nil):
		return nil, derrors.FieldErrors{"entry_ids": "must be entry ids"}
	}
	var fields []string
	for _, name := range RectifiableFields {
		if slices.Contains(f.Fields, name) {
			fields = append(fields, name)
		}
	}
	for _, name := range f.Fields {
		if !slices.Contains(RectifiableFields, name) {
			return nil, derrors.FieldErrors{"fields": "must name HR fields: " + strings.Join(RectifiableFields, ", ")}
		}
	}
	return fields, nil
}

// File registers a request of the caller's own, due one month after today.
// The text of an own statement or a correction is added to the dossier at
// once, as the employee's encrypted statement beside the entry concerned,
// and the register refers to it by id: an own statement is a right that is
// never refused, and a disputed entry keeps the employee's view even when
// the physician declines to correct it. The physician accepts a correction
// by correcting the entry (a new version) and granting the request. An
// unknown type, text with another type, or a correction without its entry
// is derrors.FieldErrors; a login without an employee record is
// derrors.ErrNotFound; a statement without a dossier is derrors.ErrConflict.
func (s *Requests) File(ctx context.Context, a access.Actor, f Filing) (Request, error) {
	fields, err := f.check()
	if err != nil {
		return Request{}, err
	}
	t := f.Type
	withText := t == TypeOwnStatement || t == TypeCorrection
	subj, err := s.store.SubjectOf(ctx, a.UserID())
	if err != nil {
		return Request{}, fmt.Errorf("rights: file: %w", err)
	}
	if len(f.EntryIDs) > 0 {
		if s.entries == nil {
			return Request{}, fmt.Errorf("rights: file: no entry checker: %w", derrors.ErrUnavailable)
		}
		if err := s.entries.CheckEntries(ctx, subj.EmployeeID, f.EntryIDs); err != nil {
			return Request{}, fmt.Errorf("rights: file: %w", err)
		}
	}
	today := s.today()
	r := Request{ID: uuid.New(), EmployerID: subj.EmployerID, EmployeeID: subj.EmployeeID, Type: t, Status: StatusReceived,
		ReceivedOn: today, DueOn: s.due(t, today), FiledBy: a.UserID(), UpdatedAt: s.now().UTC(), Fields: fields,
		EntryIDs: f.EntryIDs}
	if withText {
		// The disputed text of a correction, like an own statement, is
		// the employee's own words about an entry: stored as their
		// statement in the dossier, beside that entry.
		if s.statements == nil {
			return Request{}, fmt.Errorf("rights: file: no statement writer: %w", derrors.ErrUnavailable)
		}
		// The dossier first: the statement exists even if the register
		// write then fails, and a retry adds it again, never loses it.
		e, err := s.statements.AddStatement(ctx, dossier.Statement{EmployeeID: subj.EmployeeID, AuthorID: a.UserID(),
			Concerns: f.Concerns, Text: f.Text}, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role),
			Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP})
		if err != nil {
			return Request{}, fmt.Errorf("rights: file: %w", err)
		}
		r.ContentEntry, r.Concerns = e.ID, f.Concerns
	}
	n := Notice{Kind: "request_received", Subject: "Uw verzoek is ontvangen",
		Body: fmt.Sprintf("Uw verzoek (%s) is ontvangen op %s. U krijgt uiterlijk %s antwoord.", typeNames[t],
			today.Format(time.DateOnly), r.DueOn.Format(time.DateOnly))}
	if err := s.store.File(ctx, r, requestEvent(a, audit.ActionCreate, r), n); err != nil {
		return Request{}, fmt.Errorf("rights: file: %w", err)
	}
	return r, nil
}

// Representative is who files for an employee, under an authorisation the
// employee signed and dated (WGBO 7:456; seed 004 §11).
type Representative struct {
	Name     string
	SignedOn time.Time
}

// AuthorisationMonths bounds the age of the authorisation a representative
// files under.
const AuthorisationMonths = 6

// FileFor registers, as the privacy officer, a request a representative
// filed for employeeID (by letter or at the desk), with the signed, dated
// authorisation on record. It is due, decided and notified as the
// employee's own: the employee is told a request was filed in their name.
// The employee's own words (own statement, correction) are filed by the
// employee in the portal, so those types are derrors.FieldErrors here, as
// is an authorisation that is missing, undated, from the future or older
// than AuthorisationMonths; an unknown employee is derrors.ErrNotFound.
func (s *Requests) FileFor(ctx context.Context, a access.Actor, employeeID uuid.UUID, f Filing, rep Representative) (Request, error) {
	if a.Role != access.RolePrivacyOfficer {
		return Request{}, fmt.Errorf("rights: only the privacy officer registers a representative's request: %w", derrors.ErrNotFound)
	}
	fields, err := f.check()
	if err != nil {
		return Request{}, err
	}
	today := s.today()
	fe := derrors.FieldErrors{}
	if f.Type == TypeOwnStatement || f.Type == TypeCorrection {
		fe.Add("type", "an own statement or correction is filed by the employee in the portal")
	}
	rep.Name = strings.TrimSpace(rep.Name)
	switch {
	case rep.Name == "":
		fe.Add("representative_name", "is required")
	case utf8.RuneCountInString(rep.Name) > 200 || !text.Valid(rep.Name, text.Line):
		fe.Add("representative_name", "must be at most 200 characters without control characters")
	}
	switch {
	case rep.SignedOn.IsZero():
		fe.Add("authorisation_signed_on", "is required: the date the employee signed the authorisation")
	case rep.SignedOn.After(today):
		fe.Add("authorisation_signed_on", "must not be in the future")
	case rep.SignedOn.Before(AddMonths(today, -AuthorisationMonths)):
		fe.Add("authorisation_signed_on", fmt.Sprintf("must be within the last %d months", AuthorisationMonths))
	}
	if err := fe.Err(); err != nil {
		return Request{}, err
	}
	subj, err := s.store.Subject(ctx, employeeID)
	if err != nil {
		return Request{}, fmt.Errorf("rights: file for: %w", err)
	}
	if len(f.EntryIDs) > 0 {
		return Request{}, derrors.FieldErrors{"entry_ids": "are named by the employee in the portal, from their released entries"}
	}
	r := Request{ID: uuid.New(), EmployerID: subj.EmployerID, EmployeeID: subj.EmployeeID, Type: f.Type, Status: StatusReceived,
		ReceivedOn: today, DueOn: s.due(f.Type, today), FiledBy: a.UserID(), UpdatedAt: s.now().UTC(), Fields: fields,
		Representative: rep.Name, AuthorisationSignedOn: rep.SignedOn}
	n := Notice{Kind: "request_received", Subject: "Er is namens u een verzoek ingediend",
		Body: fmt.Sprintf("%s heeft met uw machtiging van %s namens u een verzoek (%s) ingediend, ontvangen op %s. U krijgt uiterlijk %s antwoord. Herkent u dit niet, neem dan contact op met de functionaris gegevensbescherming.",
			rep.Name, rep.SignedOn.Format(time.DateOnly), typeNames[f.Type], today.Format(time.DateOnly), r.DueOn.Format(time.DateOnly))}
	if err := s.store.File(ctx, r, requestEvent(a, audit.ActionCreate, r), n); err != nil {
		return Request{}, fmt.Errorf("rights: file for: %w", err)
	}
	return r, nil
}

// selfDecision reports whether a would decide a request about or by
// themselves: the employee it is about, or whoever filed it (a privacy
// officer who registered a representative's request excepted: they filed
// nothing of their own).
func selfDecision(a access.Actor, r *Request, subj Subject) bool {
	return a.UserID() == subj.UserID || (a.UserID() == r.FiledBy && r.Representative == "")
}

// Mine lists the caller's own requests, audited as a read. A login without
// an employee record is derrors.ErrNotFound.
func (s *Requests) Mine(ctx context.Context, a access.Actor) ([]Request, error) {
	subj, err := s.store.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: my requests: %w", err)
	}
	ev := requestEvent(a, audit.ActionRead, Request{EmployeeID: subj.EmployeeID, EmployerID: subj.EmployerID})
	ev.ObjectKind, ev.ObjectID = "requests", subj.EmployeeID.String()
	out, err := s.store.Mine(ctx, subj.EmployeeID, ev)
	if err != nil {
		return nil, fmt.Errorf("rights: my requests: %w", err)
	}
	return out, nil
}

// mayDecide reports whether a may decide requests of type t about subj:
// the privacy officer for HR requests; for medical requests the employer's
// assigned (responsible) physician or a substitute standing in for them,
// and a lead physician only while the responsible one is absent (or when
// the employer has none), as seed 004 §7 has it.
func mayDecide(a access.Actor, t Type, subj Subject) bool {
	if !t.Medical() {
		return a.Role == access.RolePrivacyOfficer
	}
	if a.Role != access.RolePhysician && a.Role != access.RoleLeadPhysician {
		return false
	}
	if _, _, ok := a.Principal.ActsFor(subj.PhysicianID); ok {
		return true
	}
	return a.Role == access.RoleLeadPhysician && (subj.PhysicianAbsent || subj.PhysicianID == uuid.Nil)
}

// Decision moves a request along its state machine.
type Decision struct {
	Status Status
	// Ground is required for a refusal or partial grant (one of Grounds).
	Ground string
}

// Decide records a decision or a later step (delivered, closed) on a
// request. Someone who may not decide requests of its type is
// derrors.ErrNotFound (the requester deciding their own request
// included); a move the state machine does not allow (deciding twice,
// refusing an own statement) is derrors.ErrConflict; a missing or unknown
// ground is derrors.FieldErrors. The employee is notified.
func (s *Requests) Decide(ctx context.Context, a access.Actor, id uuid.UUID, d Decision) (Request, error) {
	fe := derrors.FieldErrors{}
	switch d.Status {
	case StatusInReview, StatusGranted, StatusPartlyGranted, StatusRefused, StatusDelivered, StatusClosed:
	default:
		fe.Add("status", "must be in_review, granted, partly_granted, refused, delivered or closed")
	}
	needGround := d.Status == StatusRefused || d.Status == StatusPartlyGranted
	switch {
	case needGround && !Grounds[d.Ground]:
		fe.Add("ground", "is required for a refusal or partial grant: one of the recorded grounds")
	case !needGround && d.Ground != "":
		fe.Add("ground", "applies to a refusal or partial grant only")
	}
	if err := fe.Err(); err != nil {
		return Request{}, err
	}
	now := s.now().UTC()
	out, err := s.store.Update(ctx, id, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if selfDecision(a, r, subj) || !mayDecide(a, r.Type, subj) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: may not decide this request: %w", derrors.ErrNotFound)
		}
		if !CanMove(r.Type, r.Status, d.Status) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: %s request cannot move from %s to %s: %w", r.Type, r.Status, d.Status, derrors.ErrConflict)
		}
		if ownRoute(r, d) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: a %s request moves to %s only on its own route: %w", r.Type, d.Status, derrors.ErrConflict)
		}
		r.Status, r.UpdatedAt = d.Status, now
		action := audit.ActionUpdate
		if d.Status.Decided() {
			r.DecidedBy, r.DecidedAt, r.Ground = a.UserID(), now, d.Ground
		}
		return requestEvent(a, action, *r), Notice{Kind: "request_" + string(d.Status), Subject: "Uw verzoek is bijgewerkt",
			Body: fmt.Sprintf("Uw verzoek (%s) heeft nu de status: %s.", typeNames[r.Type], statusNames[d.Status])}, nil
	})
	if err != nil {
		return Request{}, fmt.Errorf("rights: decide: %w", err)
	}
	return out, nil
}

// ownRoute reports whether moving r as d says is done on the request
// type's own route, which carries out what the decision means, and never
// by a bare decision: granting an erasure or restriction (Records applies
// it) or closing a granted restriction (lifting it), and granting a
// destruction or refusing it on one of DestructionGrounds (Destructions
// checks the ground or keeps its reason).
func ownRoute(r *Request, d Decision) bool {
	grant := d.Status == StatusGranted || d.Status == StatusPartlyGranted
	switch r.Type {
	case TypeErasure:
		return grant
	case TypeRestriction:
		return grant || (r.Status == StatusGranted && d.Status == StatusClosed)
	case TypeDestruction:
		return grant || (d.Status == StatusRefused && DestructionGrounds[d.Ground])
	}
	return false
}

// Decidable reports whether Decide may move r to status to: along the
// state machine (CanMove), and not a move that only the type's own route
// makes (granting an erasure or a restriction, closing a granted
// restriction, granting a destruction). A refusal of a destruction is
// decidable here on every ground but DestructionGrounds.
func (r Request) Decidable(to Status) bool {
	return CanMove(r.Type, r.Status, to) && !ownRoute(&r, Decision{Status: to})
}

var statusNames = map[Status]string{StatusInReview: "in behandeling", StatusGranted: "toegewezen",
	StatusPartlyGranted: "gedeeltelijk toegewezen", StatusRefused: "afgewezen", StatusDelivered: "geleverd",
	StatusClosed: "afgesloten"}

// ExtensionGrounds are the reasons a request's term may be extended.
var ExtensionGrounds = map[string]bool{"complex_request": true, "number_of_requests": true}

// Extend extends a request's term once, by one or two months from its
// original due date, with a reason, before that date passes; the employee
// is told at once, within the first month as the AVG requires. A second
// extension, one after the due date, or of a decided request is
// derrors.ErrConflict; who may not decide is derrors.ErrNotFound.
func (s *Requests) Extend(ctx context.Context, a access.Actor, id uuid.UUID, months int, reason string) (Request, error) {
	fe := derrors.FieldErrors{}
	if months != 1 && months != 2 {
		fe.Add("months", "must be 1 or 2")
	}
	reason = strings.TrimSpace(reason)
	if !ExtensionGrounds[reason] || utf8.RuneCountInString(reason) > 64 {
		fe.Add("reason", "must be complex_request or number_of_requests")
	}
	if err := fe.Err(); err != nil {
		return Request{}, err
	}
	today, now := s.today(), s.now().UTC()
	out, err := s.store.Update(ctx, id, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if selfDecision(a, r, subj) || !mayDecide(a, r.Type, subj) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: may not extend this request: %w", derrors.ErrNotFound)
		}
		switch {
		case !r.ExtendedTo.IsZero():
			return audit.Event{}, Notice{}, fmt.Errorf("rights: extended once already: %w", derrors.ErrConflict)
		case today.After(r.DueOn):
			return audit.Event{}, Notice{}, fmt.Errorf("rights: the first term has passed: %w", derrors.ErrConflict)
		case r.Status != StatusReceived && r.Status != StatusInReview:
			return audit.Event{}, Notice{}, fmt.Errorf("rights: the request is %s: %w", r.Status, derrors.ErrConflict)
		}
		limit := AddMonths(r.ReceivedOn, 3)
		if r.Type == TypeDestruction {
			limit = AddMonths(r.ReceivedOn, s.limit)
		}
		if AddMonths(r.DueOn, months).After(limit) {
			return audit.Event{}, Notice{}, derrors.FieldErrors{"months": "would pass the legal limit of " + limit.Format(time.DateOnly)}
		}
		r.ExtendedTo, r.ExtensionReason, r.UpdatedAt = AddMonths(r.DueOn, months), reason, now
		return requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_extended", Subject: "De termijn van uw verzoek is verlengd",
			Body: fmt.Sprintf("De termijn van uw verzoek (%s) is verlengd tot %s, omdat het verzoek %s.", typeNames[r.Type],
				r.ExtendedTo.Format(time.DateOnly), extensionNames[reason])}, nil
	})
	if err != nil {
		return Request{}, fmt.Errorf("rights: extend: %w", err)
	}
	return out, nil
}

var extensionNames = map[string]string{"complex_request": "ingewikkeld is", "number_of_requests": "deel is van veel verzoeken"}

// MaxQueue bounds the deciding role's queue.
const MaxQueue = 500

// Queue lists the open requests the caller decides, overdue and soonest due
// first: every HR request for the privacy officer; for a physician the
// medical requests of the employers they are assigned to and of those
// whose physician they stand in for; for a lead physician also those of
// employers whose physician is absent or who have none (see mayDecide).
// Metadata only, never content; the queue is audited with one read event
// listing every person whose request it shows.
func (s *Requests) Queue(ctx context.Context, a access.Actor) ([]Request, error) {
	f := QueueFilter{Medical: true, Scope: a.Scope, StandingInFor: a.Principal.Substitutes,
		Unattended: a.Role == access.RoleLeadPhysician}
	if a.Role == access.RolePrivacyOfficer {
		f = QueueFilter{Scope: access.Scope{All: true}}
	}
	out, err := s.store.Queue(ctx, f, MaxQueue, func(rs []Request) []audit.Event {
		return listedRead(a, "request_queue", rs, func(r Request) Request { return r })
	})
	if err != nil {
		return nil, fmt.Errorf("rights: queue: %w", err)
	}
	return out, nil
}

// listedRead returns the one read event of a list of requests shown to a,
// of object kind kind, listing every person the list shows, and naming the
// tenant when every request shown is of one; none for an empty list.
func listedRead[T any](a access.Actor, kind string, items []T, request func(T) Request) []audit.Event {
	if len(items) == 0 {
		return nil
	}
	ev := requestEvent(a, audit.ActionRead, request(items[0]))
	ev.ObjectKind, ev.ObjectID = kind, ""
	people := make([]uuid.UUID, len(items))
	for i, it := range items {
		r := request(it)
		people[i] = r.EmployeeID
		if r.EmployerID != ev.TenantID {
			ev.TenantID = uuid.Nil
		}
	}
	return []audit.Event{ev.Listed(people)}
}

// MaxRegister bounds one reading of the register.
const MaxRegister = 500

// Register lists the register across the service for the privacy officer:
// every request f selects, of every type and tenant, with the name of the
// employee it is about, open requests first and then by due date, at most
// MaxRegister. Metadata only, never content (no statement, no entry); the
// read is audited with one event listing every person it shows. A caller
// who is not the privacy officer is derrors.ErrNotFound; an unknown status
// or type in f is derrors.FieldErrors.
func (s *Requests) Register(ctx context.Context, a access.Actor, f RegisterFilter) ([]RegisterEntry, error) {
	if a.Role != access.RolePrivacyOfficer {
		return nil, fmt.Errorf("rights: only the privacy officer reads the register: %w", derrors.ErrNotFound)
	}
	fe := derrors.FieldErrors{}
	for _, st := range f.Statuses {
		if _, ok := next[st]; !ok && st != StatusClosed {
			fe.Add("status", "must be one of the request statuses")
			break
		}
	}
	if f.Type != "" && !f.Type.Valid() {
		fe.Add("type", "must be one of the request types")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	out, err := s.store.Register(ctx, f, MaxRegister, func(es []RegisterEntry) []audit.Event {
		return listedRead(a, "request_register", es, func(e RegisterEntry) Request { return e.Request })
	})
	if err != nil {
		return nil, fmt.Errorf("rights: register: %w", err)
	}
	return out, nil
}

// Get returns one request of the register with the employee's name, for
// the privacy officer (any request: the register holds metadata only) or
// for whoever may decide it (mayDecide); audited as a read of the request.
// Anyone else, and an unknown request, is derrors.ErrNotFound.
func (s *Requests) Get(ctx context.Context, a access.Actor, id uuid.UUID) (RegisterEntry, error) {
	out, err := s.store.Entry(ctx, id, func(e RegisterEntry, subj Subject) (audit.Event, error) {
		if a.Role != access.RolePrivacyOfficer && (selfDecision(a, &e.Request, subj) || !mayDecide(a, e.Type, subj)) {
			return audit.Event{}, fmt.Errorf("rights: may not read this request: %w", derrors.ErrNotFound)
		}
		return requestEvent(a, audit.ActionRead, e.Request), nil
	})
	if err != nil {
		return RegisterEntry{}, fmt.Errorf("rights: get request: %w", err)
	}
	return out, nil
}

// Unattended lists, for a lead physician, the open medical requests that
// no physician attends: of employers whose assigned physician is absent
// today, or who have none (a lead physician decides those, see
// mayDecide), overdue and soonest due first, audited as Queue is. Any
// other role is derrors.ErrNotFound.
func (s *Requests) Unattended(ctx context.Context, a access.Actor) ([]Request, error) {
	if a.Role != access.RoleLeadPhysician {
		return nil, fmt.Errorf("rights: only a lead physician has the unattended queue: %w", derrors.ErrNotFound)
	}
	out, err := s.store.Queue(ctx, QueueFilter{Medical: true, Unattended: true}, MaxQueue, func(rs []Request) []audit.Event {
		return listedRead(a, "request_queue", rs, func(r Request) Request { return r })
	})
	if err != nil {
		return nil, fmt.Errorf("rights: unattended queue: %w", err)
	}
	return out, nil
}
