package rights

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
)

// Retention holds the retention terms of HR data (domain.md, seed 004 §9);
// they are settings.
type Retention struct {
	// EmployeeYears: the HR record, counted from the end of employment.
	EmployeeYears int
	// CaseYears: an absence case and what belongs to it, counted from the
	// end of the reintegration (the case's closing date).
	CaseYears int
}

// DefaultRetention is the retention of domain.md.
var DefaultRetention = Retention{EmployeeYears: 5, CaseYears: 2}

// The categories of HR data an erasure weighs, as recorded in its outcome.
const (
	CategoryContact  = "contact_details" // email address and phone number
	CategoryBSN      = "bsn"
	CategoryCases    = "absence_cases" // cases with their changes, plans, notes, verdicts and advice
	CategoryRecord   = "employee_record"
	CategoryRegister = "requests"   // this register: kept as the account of how requests were handled
	CategoryAuditLog = "access_log" // the audit trail: kept at least five years (NEN 7513)
)

// The actions an outcome records.
const (
	OutcomeErased   = "erased"
	OutcomeRetained = "retained"
	OutcomeNone     = "none_held"
)

// Outcome is what an erasure did with one category: erased it, retained it
// (with the legal ground and, where it ends, the date the term ends), or
// found nothing held. Category names and dates only, never data.
type Outcome struct {
	Category string
	Action   string
	Count    int
	Until    time.Time
	Ground   string
}

// CaseFact is one absence case of the record.
type CaseFact struct {
	ID       uuid.UUID
	Open     bool
	ClosedOn time.Time
}

// RecordFacts is what the HR side holds about a person, as far as an
// erasure or restriction must know it.
type RecordFacts struct {
	EmploymentEnd time.Time // zero while employed
	HasContact    bool
	HasBSN        bool
	Cases         []CaseFact
	Restricted    bool
	Erased        bool
}

func (f RecordFacts) openCase() bool {
	return slices.ContainsFunc(f.Cases, func(c CaseFact) bool { return c.Open })
}

// Effect is the change an erasure or restriction makes to the record.
type Effect struct {
	EraseContact bool
	EraseBSN     bool
	DeleteCases  []uuid.UUID
	// Anonymise replaces the record's identifying fields and deletes what
	// still belongs to it (verdicts and advice not tied to a case, such as
	// examination outcomes).
	Anonymise bool
	Restrict  bool
	Lift      bool
}

// Ground names of AVG decisions made by the rules.
const (
	GroundLegalRetention  = "legal_retention_duty"
	GroundLegalObligation = "legal_obligation"
)

// PlanErasure decides what of a record may be erased today: contact details
// and the BSN unless an open case still needs them (the Poortwachter
// process and UWV reports are legal duties); each closed case once its
// term after closing has passed; the record itself (anonymised) once its
// term after the end of employment has passed and no case is kept. The
// register and the audit trail are always kept. It returns the effect and
// the outcome per category; the decision follows from them (Decision).
func PlanErasure(f RecordFacts, today time.Time, ret Retention) (Effect, []Outcome) {
	var eff Effect
	var out []Outcome
	open := f.openCase()
	personal := func(cat string, held bool, erase *bool) {
		switch {
		case !held:
			out = append(out, Outcome{Category: cat, Action: OutcomeNone})
		case open:
			out = append(out, Outcome{Category: cat, Action: OutcomeRetained, Ground: GroundLegalObligation})
		default:
			*erase = true
			out = append(out, Outcome{Category: cat, Action: OutcomeErased, Count: 1})
		}
	}
	personal(CategoryContact, f.HasContact, &eff.EraseContact)
	personal(CategoryBSN, f.HasBSN, &eff.EraseBSN)

	kept, keptUntil := 0, time.Time{}
	for _, c := range f.Cases {
		if c.Open {
			kept++
			continue
		}
		until := c.ClosedOn.AddDate(ret.CaseYears, 0, 0)
		if today.Before(until) {
			kept++
			if until.After(keptUntil) {
				keptUntil = until
			}
			continue
		}
		eff.DeleteCases = append(eff.DeleteCases, c.ID)
	}
	switch {
	case len(f.Cases) == 0:
		out = append(out, Outcome{Category: CategoryCases, Action: OutcomeNone})
	default:
		if n := len(eff.DeleteCases); n > 0 {
			out = append(out, Outcome{Category: CategoryCases, Action: OutcomeErased, Count: n})
		}
		if kept > 0 {
			o := Outcome{Category: CategoryCases, Action: OutcomeRetained, Count: kept, Ground: GroundLegalRetention, Until: keptUntil}
			if open {
				o.Until = time.Time{} // runs until the open case ends, then its term
			}
			out = append(out, o)
		}
	}

	switch {
	case f.Erased:
		out = append(out, Outcome{Category: CategoryRecord, Action: OutcomeNone})
	case f.EmploymentEnd.IsZero():
		out = append(out, Outcome{Category: CategoryRecord, Action: OutcomeRetained, Ground: GroundLegalRetention})
	case kept > 0 || today.Before(f.EmploymentEnd.AddDate(ret.EmployeeYears, 0, 0)):
		until := f.EmploymentEnd.AddDate(ret.EmployeeYears, 0, 0)
		if keptUntil.After(until) {
			until = keptUntil
		}
		out = append(out, Outcome{Category: CategoryRecord, Action: OutcomeRetained, Ground: GroundLegalRetention, Until: until})
	default:
		eff.Anonymise = true
		out = append(out, Outcome{Category: CategoryRecord, Action: OutcomeErased, Count: 1})
	}
	out = append(out,
		Outcome{Category: CategoryRegister, Action: OutcomeRetained, Ground: GroundLegalRetention},
		Outcome{Category: CategoryAuditLog, Action: OutcomeRetained, Ground: GroundLegalRetention})
	return eff, out
}

// ErasureDecision turns the outcomes of an erasure into the request's
// decision: granted when nothing the request is about was retained,
// refused when nothing was erased, partly granted otherwise; the register
// and the audit trail, kept in every case, do not count.
func ErasureDecision(outcomes []Outcome) (Status, string) {
	erased, retained := false, false
	for _, o := range outcomes {
		if o.Category == CategoryRegister || o.Category == CategoryAuditLog {
			continue
		}
		switch o.Action {
		case OutcomeErased:
			erased = true
		case OutcomeRetained:
			retained = true
		}
	}
	switch {
	case !retained:
		return StatusGranted, ""
	case !erased:
		return StatusRefused, GroundLegalRetention
	}
	return StatusPartlyGranted, GroundLegalRetention
}

// RecordStore applies AVG decisions to the HR record.
type RecordStore interface {
	// Apply locks request id, loads its subject and the facts of their
	// record, asks decide for the effect, event and notice, applies the
	// effect to the record and stores the request, all in one transaction.
	// An unknown request is derrors.ErrNotFound; the error of decide is
	// returned as it is and nothing is written.
	Apply(ctx context.Context, id uuid.UUID, decide func(r *Request, s Subject, f RecordFacts) (Effect, audit.Event, Notice, error)) (Request, error)
	// Facts loads request id, its subject and the facts of their record
	// without a lock, asks look for the read's event (whose error is
	// returned as it is, and then nothing is written) and stores it. An
	// unknown request is derrors.ErrNotFound.
	Facts(ctx context.Context, id uuid.UUID, look func(r Request, s Subject, f RecordFacts) (audit.Event, error)) (Request, error)
}

// Records applies erasure and restriction to the HR record for the privacy
// officer: the rules decide what the law allows, and the outcome is
// recorded with the request.
type Records struct {
	store     RecordStore
	retention Retention
	now       func() time.Time
}

// NewRecords returns the service; a zero retention is DefaultRetention and
// now defaults to time.Now.
func NewRecords(store RecordStore, retention Retention, now func() time.Time) *Records {
	if retention == (Retention{}) {
		retention = DefaultRetention
	}
	if now == nil {
		now = time.Now
	}
	return &Records{store: store, retention: retention, now: now}
}

func (s *Records) today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

// undecided checks that a may decide r (mayDecide, never about
// themselves; derrors.ErrNotFound otherwise) and that r is of type t and
// still undecided (derrors.ErrConflict otherwise).
func undecided(a access.Actor, r *Request, subj Subject, t Type) error {
	if selfDecision(a, r, subj) || !mayDecide(a, r.Type, subj) {
		return fmt.Errorf("rights: may not decide this request: %w", derrors.ErrNotFound)
	}
	if r.Type != t {
		return fmt.Errorf("rights: a %s request is not a %s request: %w", r.Type, t, derrors.ErrConflict)
	}
	if r.Status != StatusReceived && r.Status != StatusInReview {
		return fmt.Errorf("rights: the request is %s: %w", r.Status, derrors.ErrConflict)
	}
	return nil
}

var outcomeNames = map[string]string{OutcomeErased: "gewist", OutcomeRetained: "bewaard", OutcomeNone: "niet aanwezig"}

var categoryNames = map[string]string{
	CategoryContact: "contactgegevens", CategoryBSN: "BSN", CategoryCases: "verzuimdossiers",
	CategoryRecord: "personeelsgegevens", CategoryRegister: "register van verzoeken", CategoryAuditLog: "toegangslog",
}

// Erase decides an erasure request by applying it: what the retention
// terms allow is erased at once and the rest is kept with its legal
// ground; the request is granted, partly granted or refused accordingly,
// with the outcome per category, and the employee is told. Who may not
// decide is derrors.ErrNotFound; a request of another type or decided
// already is derrors.ErrConflict.
func (s *Records) Erase(ctx context.Context, a access.Actor, id uuid.UUID) (Request, error) {
	today, now := s.today(), s.now().UTC()
	out, err := s.store.Apply(ctx, id, func(r *Request, subj Subject, f RecordFacts) (Effect, audit.Event, Notice, error) {
		eff, outcomes, err := s.planErasure(a, r, subj, f, today)
		if err != nil {
			return Effect{}, audit.Event{}, Notice{}, err
		}
		r.Status, r.Ground = ErasureDecision(outcomes)
		r.Outcome, r.DecidedBy, r.DecidedAt, r.UpdatedAt = outcomes, a.UserID(), now, now
		ev := requestEvent(a, audit.ActionDelete, *r)
		body := "Uw verzoek om wissing is afgehandeld."
		for _, o := range outcomes {
			body += fmt.Sprintf(" %s: %s.", categoryNames[o.Category], outcomeNames[o.Action])
		}
		return eff, ev, Notice{Kind: "request_" + string(r.Status), Subject: "Uw verzoek om wissing", Body: body}, nil
	})
	if err != nil {
		return Request{}, fmt.Errorf("rights: erase: %w", err)
	}
	return out, nil
}

// planErasure checks that a may decide erasure request r now (undecided)
// and returns what erasing it on day today would do: PlanErasure over the
// facts of the record under the service's retention terms.
func (s *Records) planErasure(a access.Actor, r *Request, subj Subject, f RecordFacts, today time.Time) (Effect, []Outcome, error) {
	if err := undecided(a, r, subj, TypeErasure); err != nil {
		return Effect{}, nil, err
	}
	eff, outcomes := PlanErasure(f, today, s.retention)
	return eff, outcomes, nil
}

// PreviewErasure returns what Erase would do today with erasure request
// id, without doing it: the outcome per category (erased, or retained with
// its ground and the date its term ends), from the same plan Erase
// applies (ErasureDecision gives the decision that would follow); the
// request is returned as it stands. Reading the facts
// of the record is audited as a read of the request. Who may not decide is
// derrors.ErrNotFound; a request of another type or decided already is
// derrors.ErrConflict.
func (s *Records) PreviewErasure(ctx context.Context, a access.Actor, id uuid.UUID) (Request, []Outcome, error) {
	today := s.today()
	var outcomes []Outcome
	r, err := s.store.Facts(ctx, id, func(r Request, subj Subject, f RecordFacts) (audit.Event, error) {
		var err error
		if _, outcomes, err = s.planErasure(a, &r, subj, f, today); err != nil {
			return audit.Event{}, err
		}
		return requestEvent(a, audit.ActionRead, r), nil
	})
	if err != nil {
		return Request{}, nil, fmt.Errorf("rights: preview erasure: %w", err)
	}
	return r, outcomes, nil
}

// Restrict decides a restriction request by applying it: the record is
// marked restricted (kept, but not changed) unless an open absence case
// needs it for the legal duties of the Poortwachter process, when the
// request is refused with that ground. Lift ends a granted restriction and
// closes its request. Who may not decide is derrors.ErrNotFound; a request
// of another type or in another state is derrors.ErrConflict.
func (s *Records) Restrict(ctx context.Context, a access.Actor, id uuid.UUID) (Request, error) {
	now := s.now().UTC()
	out, err := s.store.Apply(ctx, id, func(r *Request, subj Subject, f RecordFacts) (Effect, audit.Event, Notice, error) {
		if err := undecided(a, r, subj, TypeRestriction); err != nil {
			return Effect{}, audit.Event{}, Notice{}, err
		}
		var eff Effect
		r.DecidedBy, r.DecidedAt, r.UpdatedAt = a.UserID(), now, now
		switch {
		case f.openCase():
			r.Status, r.Ground = StatusRefused, GroundLegalObligation
			r.Outcome = []Outcome{{Category: CategoryRecord, Action: OutcomeRetained, Ground: GroundLegalObligation}}
		default:
			// Restricting a record restricted already (by an earlier request)
			// is granted too: it stays restricted until both are lifted.
			r.Status, eff.Restrict = StatusGranted, !f.Restricted
		}
		body := "Uw verzoek om beperking van de verwerking is toegewezen: uw gegevens worden bewaard maar niet gewijzigd."
		if r.Status == StatusRefused {
			body = "Uw verzoek om beperking van de verwerking is afgewezen: uw lopende verzuimdossier moet volgens de wet worden bijgehouden."
		}
		return eff, requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_" + string(r.Status),
			Subject: "Uw verzoek om beperking", Body: body}, nil
	})
	if err != nil {
		return Request{}, fmt.Errorf("rights: restrict: %w", err)
	}
	return out, nil
}

// Lift ends the restriction a granted restriction request applied, and
// closes the request. Who may not decide is derrors.ErrNotFound; a request
// that is not a granted restriction is derrors.ErrConflict.
func (s *Records) Lift(ctx context.Context, a access.Actor, id uuid.UUID) (Request, error) {
	now := s.now().UTC()
	out, err := s.store.Apply(ctx, id, func(r *Request, subj Subject, f RecordFacts) (Effect, audit.Event, Notice, error) {
		if selfDecision(a, r, subj) || !mayDecide(a, r.Type, subj) {
			return Effect{}, audit.Event{}, Notice{}, fmt.Errorf("rights: may not decide this request: %w", derrors.ErrNotFound)
		}
		if r.Type != TypeRestriction || r.Status != StatusGranted {
			return Effect{}, audit.Event{}, Notice{}, fmt.Errorf("rights: only a granted restriction is lifted: %w", derrors.ErrConflict)
		}
		r.Status, r.UpdatedAt = StatusClosed, now
		return Effect{Lift: f.Restricted}, requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_closed",
			Subject: "De beperking van de verwerking is opgeheven",
			Body:    "De beperking van de verwerking van uw gegevens is opgeheven."}, nil
	})
	if err != nil {
		return Request{}, fmt.Errorf("rights: lift restriction: %w", err)
	}
	return out, nil
}

// RecordUpdater rectifies HR records for their owning role (see
// employee.Service.Update).
type RecordUpdater interface {
	Update(ctx context.Context, a access.Actor, id uuid.UUID, p employee.Patch, why employee.Rectification) (employee.Employee, error)
}

// Rectifier lets the owning role answer a granted rectification request by
// rectifying the record.
type Rectifier struct {
	requests RequestReader
	records  RecordUpdater
	now      func() time.Time
}

// NewRectifier returns the service; now defaults to time.Now.
func NewRectifier(requests RequestReader, records RecordUpdater, now func() time.Time) *Rectifier {
	if now == nil {
		now = time.Now
	}
	return &Rectifier{requests: requests, records: records, now: now}
}

// Rectify rectifies the record of employeeID as the owning role (the
// employer's HR users or its case managers) in answer to rectification
// request requestID, which the privacy officer granted; the request is then
// delivered and the employee told. The record is updated first: if marking
// the request fails, the record stands rectified and the request stays
// granted for the privacy officer to deliver. A request about someone else, of another type, or a record outside
// the caller's tenants is derrors.ErrNotFound; a request not granted is
// derrors.ErrConflict; the errors of the update apply otherwise.
func (s *Rectifier) Rectify(ctx context.Context, a access.Actor, requestID, employeeID uuid.UUID, p employee.Patch) (employee.Employee, Request, error) {
	// The request is checked first, the record (whose BSN may be sealed in
	// Vault) updated outside any transaction, and the request delivered
	// last, checked again under its lock.
	check := func(r *Request, subj Subject) error {
		if r.Type != TypeRectification || r.EmployeeID != employeeID || a.UserID() == subj.UserID {
			return fmt.Errorf("rights: no such rectification request: %w", derrors.ErrNotFound)
		}
		if r.Status != StatusGranted && r.Status != StatusPartlyGranted {
			return fmt.Errorf("rights: the rectification request is %s, not granted: %w", r.Status, derrors.ErrConflict)
		}
		return nil
	}
	r, subj, err := s.requests.Request(ctx, requestID)
	if err != nil {
		return employee.Employee{}, Request{}, fmt.Errorf("rights: rectify: %w", err)
	}
	if err := check(&r, subj); err != nil {
		return employee.Employee{}, Request{}, fmt.Errorf("rights: rectify: %w", err)
	}
	out, err := s.records.Update(ctx, a, employeeID, p, employee.Rectification{RequestID: r.ID})
	if err != nil {
		return employee.Employee{}, Request{}, fmt.Errorf("rights: rectify: %w", err)
	}
	r, err = s.requests.Update(ctx, requestID, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if err := check(r, subj); err != nil {
			return audit.Event{}, Notice{}, err
		}
		r.Status, r.UpdatedAt = StatusDelivered, s.now().UTC()
		return requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_delivered", Subject: "Uw gegevens zijn gerectificeerd",
			Body: "Uw personeelsgegevens zijn aangepast naar aanleiding van uw verzoek om rectificatie (" +
				strings.Join(p.Fields(), ", ") + "). U kunt ze inzien in Arbokluis."}, nil
	})
	if err != nil {
		return employee.Employee{}, Request{}, fmt.Errorf("rights: rectify: %w", err)
	}
	return out, r, nil
}
