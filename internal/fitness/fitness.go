// Package fitness is what the company doctor tells the HR side: fitness
// verdicts (fit, unfit, partly fit with a work-ability percentage) on a
// sickness absence, outcomes of medical examinations (approved or rejected,
// seen first by the employee and the physician in the dossier's care, and
// by the HR side — employer, case manager, labour expert — only after the
// employee lets them through), and
// the work-ability advice in non-medical terms, published at one moment to
// the employee, the case manager and the labour expert, and to the employer
// only where the employer's contract says so.
//
// Nothing here is medical content: verdicts are outcomes only, and the
// advice speaks of limitations and possibilities for work, never of a
// diagnosis or a treatment.
package fitness

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/text"
)

// Kind is what a verdict is about.
type Kind string

// The verdict kinds.
const (
	KindAbsence     Kind = "absence"
	KindExamination Kind = "examination"
)

// Verdict values of an absence verdict.
const (
	Fit       = "fit"
	Unfit     = "unfit"
	PartlyFit = "partly_fit"
)

// Outcome values of an examination.
const (
	Approved = "approved"
	Rejected = "rejected"
)

// Decision is the employee's say over an examination outcome.
type Decision string

// The employee's decisions.
const (
	DecisionPending  Decision = "pending"
	DecisionReleased Decision = "released"
	DecisionBlocked  Decision = "blocked"
)

// Verdict is a fitness verdict or an examination outcome.
type Verdict struct {
	ID         uuid.UUID
	EmployerID uuid.UUID
	EmployeeID uuid.UUID
	Kind       Kind
	// Verdict and WorkAbilityPercentage (partly_fit only) for an absence
	// verdict, linked to AbsenceID when given.
	Verdict               string
	WorkAbilityPercentage int
	AbsenceID             uuid.UUID
	// Outcome and the employee's Decision for an examination.
	Outcome    string
	Decision   Decision
	Date       time.Time
	RecordedBy uuid.UUID
	RecordedAt time.Time
}

// VisibleTo reports whether a caller reading verdicts in role may see v;
// inCare says whether the caller acts for the physician in whose care the
// employee's dossier is (the employer's assigned physician, their
// substitute during an approved absence; see access.Principal.ActsFor).
//
// Only the roles that read verdicts at all see any: the employer, the case
// manager, the labour expert, the employee (their own; the subject rule is
// checked when the person is loaded), the physician and the lead
// physician. An absence verdict is visible to each of them. An examination
// outcome (Wet op de medische keuringen) is visible to the employee and to
// a physician or lead physician in the dossier's care whatever its
// decision; to everyone else — the HR side (employer, case manager, labour
// expert) and physicians outside the dossier's care — only once the
// employee released it, never while pending or when blocked. An unknown
// kind or decision is visible to nobody who would need it released.
func (v Verdict) VisibleTo(role access.Role, inCare bool) bool {
	switch role {
	case access.RoleEmployer, access.RoleCaseManager, access.RoleLabourExpert,
		access.RoleEmployee, access.RolePhysician, access.RoleLeadPhysician:
	default:
		return false
	}
	switch v.Kind {
	case KindAbsence:
		return true
	case KindExamination:
		medicalInCare := (role == access.RolePhysician || role == access.RoleLeadPhysician) && inCare
		return role == access.RoleEmployee || medicalInCare || v.Decision == DecisionReleased
	}
	return false
}

// Advice is the physician's work-ability advice, in non-medical terms.
type Advice struct {
	ID                    uuid.UUID
	EmployerID            uuid.UUID
	EmployeeID            uuid.UUID
	AbsenceID             uuid.UUID
	Limitations           string
	Possibilities         string
	ExpectedDurationWeeks int
	PublishedBy           uuid.UUID
	PublishedAt           time.Time
}

// Person is what the HR side knows of an employee that fitness needs.
type Person struct {
	EmployeeID uuid.UUID
	EmployerID uuid.UUID
	UserID     uuid.UUID // the employee's login, uuid.Nil when none
	// PhysicianID is the employer's assigned physician, in whose care the
	// employee's dossier is; uuid.Nil when the employer has none.
	PhysicianID uuid.UUID
	// ShareAdvice is the employer's share_advice_with_employer setting.
	ShareAdvice bool
}

// Notice is an inbox notification for a publication; never medical.
type Notice struct {
	Kind, Subject, Body string
}

// Message is a Notice to one user's inbox.
type Message struct {
	To uuid.UUID
	Notice
}

// outcomeNotice tells the employee that an examination outcome, verdict
// id, waits for them: its id only, never the outcome.
func outcomeNotice(id uuid.UUID) Notice {
	return Notice{Kind: "examination_outcome", Subject: "Uitslag van een keuring",
		Body: "Er is een uitslag van een keuring voor u om te bekijken in Arbokluis (kenmerk " + id.String() + "). " +
			"U beslist zelf of uw werkgever de uitslag te zien krijgt."}
}

// Store persists verdicts and advice within a tenant scope. Every method
// writes the events it is given in its transaction.
type Store interface {
	// AddVerdict inserts v with its event and the messages authorize
	// returns, in one transaction, after authorize approves the person; an
	// absence id not of this employee is a derrors.FieldErrors on
	// absence_id.
	AddVerdict(ctx context.Context, scope access.Scope, v Verdict, authorize func(Person) (audit.Event, []Message, error)) (Verdict, error)
	// Verdicts lists the employee's verdicts, newest first, with the event.
	Verdicts(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(Person) (audit.Event, error)) ([]Verdict, error)
	// Decide records the employee's decision on a pending examination
	// outcome; one not pending is derrors.ErrConflict.
	Decide(ctx context.Context, scope access.Scope, verdictID uuid.UUID, d Decision, authorize func(Person, Verdict) (audit.Event, error)) (Verdict, error)
	// Publish inserts the advice, its event and notice n to every recipient
	// in one transaction: the employee's login, the case managers and
	// labour experts whose grants reach the employer, and the employer's
	// users where the employer shares advice.
	Publish(ctx context.Context, scope access.Scope, a Advice, authorize func(Person) (audit.Event, error), n Notice) (Advice, error)
	// Advice lists the employee's published advice, newest first.
	Advice(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(Person) (audit.Event, error)) ([]Advice, error)
	// Person loads the employee as fitness knows them, with the event
	// authorize returns; unknown or outside scope is derrors.ErrNotFound.
	Person(ctx context.Context, scope access.Scope, employeeID uuid.UUID, authorize func(Person) (audit.Event, error)) (Person, error)
}

// Service runs verdicts and advice.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns a Service; now defaults to time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

func (s *Service) today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

func event(a access.Actor, action audit.Action, kind string, id uuid.UUID, p Person) audit.Event {
	return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: p.EmployeeID,
		TenantID: p.EmployerID, Action: action, ObjectKind: kind, ObjectID: id.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
}

// see is the object rule for reading a person's fitness data: within the
// caller's tenants, and an employee only their own.
func see(a access.Actor, p Person) error {
	if err := a.InTenant(p.EmployerID); err != nil {
		return err
	}
	return a.Subject(p.UserID)
}

// Record records a verdict for employeeID as of its date. An absence verdict
// needs fit, unfit or partly_fit (the last with a work-ability percentage
// of 1–99); an examination needs approved or rejected and starts pending
// the employee's decision, and the employee's login (if any) gets an inbox
// notification in the same transaction that names the outcome's id only.
// Bad input is derrors.FieldErrors; an employee outside the caller's
// tenants is derrors.ErrNotFound.
func (s *Service) Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, v Verdict) (Verdict, error) {
	fe := derrors.FieldErrors{}
	switch v.Kind {
	case KindAbsence:
		switch v.Verdict {
		case Fit, Unfit:
			if v.WorkAbilityPercentage != 0 {
				fe.Add("work_ability_percentage", "applies to partly_fit only")
			}
		case PartlyFit:
			if v.WorkAbilityPercentage < 1 || v.WorkAbilityPercentage > 99 {
				fe.Add("work_ability_percentage", "must be between 1 and 99 for partly_fit")
			}
		default:
			fe.Add("verdict", "must be fit, unfit or partly_fit")
		}
		if v.Outcome != "" {
			fe.Add("outcome", "applies to examinations only")
		}
	case KindExamination:
		if v.Outcome != Approved && v.Outcome != Rejected {
			fe.Add("outcome", "must be approved or rejected")
		}
		if v.Verdict != "" || v.WorkAbilityPercentage != 0 || v.AbsenceID != uuid.Nil {
			fe.Add("verdict", "an examination has an outcome only")
		}
		v.Decision = DecisionPending
	default:
		fe.Add("kind", "must be absence or examination")
	}
	switch {
	case v.Date.IsZero():
		fe.Add("date", "is required")
	case v.Date.After(s.today()):
		fe.Add("date", "must not be in the future")
	}
	if err := fe.Err(); err != nil {
		return Verdict{}, err
	}
	v.ID, v.EmployeeID, v.RecordedBy, v.RecordedAt = uuid.New(), employeeID, a.UserID(), s.now().UTC()
	out, err := s.store.AddVerdict(ctx, a.Scope, v, func(p Person) (audit.Event, []Message, error) {
		if err := a.InTenant(p.EmployerID); err != nil {
			return audit.Event{}, nil, err
		}
		var msgs []Message
		if v.Kind == KindExamination && p.UserID != uuid.Nil {
			msgs = append(msgs, Message{To: p.UserID, Notice: outcomeNotice(v.ID)})
		}
		return event(a, audit.ActionCreate, "verdict", v.ID, p), msgs, nil
	})
	if err != nil {
		return Verdict{}, fmt.Errorf("fitness: record verdict: %w", err)
	}
	return out, nil
}

// Verdicts lists employeeID's verdicts as the caller may see them (see
// Verdict.VisibleTo: examination outcomes reach the HR side only once the
// employee released them), audited as one read. An employee outside the
// caller's reach is derrors.ErrNotFound.
func (s *Service) Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Verdict, error) {
	var inCare bool
	vs, err := s.store.Verdicts(ctx, a.Scope, employeeID, func(p Person) (audit.Event, error) {
		if err := see(a, p); err != nil {
			return audit.Event{}, err
		}
		_, _, inCare = a.Principal.ActsFor(p.PhysicianID)
		return event(a, audit.ActionRead, "verdicts", p.EmployeeID, p), nil
	})
	if err != nil {
		return nil, fmt.Errorf("fitness: verdicts: %w", err)
	}
	out := vs[:0]
	for _, v := range vs {
		if v.VisibleTo(a.Role, inCare) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Decide records the employee's decision on their own pending examination
// outcome: released reaches the employer, blocked never does. Another
// person's verdict, or one that is not an examination, is
// derrors.ErrNotFound; a decision already made is derrors.ErrConflict.
func (s *Service) Decide(ctx context.Context, a access.Actor, verdictID uuid.UUID, d Decision) (Verdict, error) {
	if d != DecisionReleased && d != DecisionBlocked {
		return Verdict{}, derrors.FieldErrors{"decision": "must be released or blocked"}
	}
	out, err := s.store.Decide(ctx, a.Scope, verdictID, d, func(p Person, v Verdict) (audit.Event, error) {
		if a.Role != access.RoleEmployee || p.UserID != a.UserID() || v.Kind != KindExamination {
			return audit.Event{}, fmt.Errorf("fitness: not the employee's examination: %w", derrors.ErrNotFound)
		}
		if v.Decision != DecisionPending {
			return audit.Event{}, fmt.Errorf("fitness: already %s: %w", v.Decision, derrors.ErrConflict)
		}
		return event(a, audit.ActionUpdate, "verdict", v.ID, p), nil
	})
	if err != nil {
		return Verdict{}, fmt.Errorf("fitness: decide: %w", err)
	}
	return out, nil
}

// MaxAdviceRunes bounds each text of an advice.
const MaxAdviceRunes = 4000

func adviceText(fe derrors.FieldErrors, field, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		fe.Add(field, "is required")
	case !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxAdviceRunes:
		fe.Add(field, fmt.Sprintf("must be valid text of at most %d characters", MaxAdviceRunes))
	case !text.Valid(v, text.Multiline):
		fe.Add(field, text.ReasonControl)
	}
}

// CheckAdvice validates what Publish takes of an advice: limitations and
// possibilities required, each valid text of at most MaxAdviceRunes
// without control characters, and an expected duration of 0–104 weeks.
// Bad input is derrors.FieldErrors (limitations, possibilities,
// expected_duration_weeks).
func CheckAdvice(adv Advice) error {
	fe := derrors.FieldErrors{}
	adviceText(fe, "limitations", adv.Limitations)
	adviceText(fe, "possibilities", adv.Possibilities)
	if adv.ExpectedDurationWeeks < 0 || adv.ExpectedDurationWeeks > 104 {
		fe.Add("expected_duration_weeks", "must be between 0 and 104")
	}
	return fe.Err()
}

// Publish publishes the physician's work-ability advice for employeeID at
// one moment to the employee, the case managers and labour experts of the
// employer, and its employer users only where the employer shares advice;
// each gets an inbox notification without the advice's text. Bad input is
// derrors.FieldErrors; an employee outside the caller's tenants is
// derrors.ErrNotFound.
func (s *Service) Publish(ctx context.Context, a access.Actor, employeeID uuid.UUID, adv Advice) (Advice, error) {
	if err := CheckAdvice(adv); err != nil {
		return Advice{}, err
	}
	adv.ID, adv.EmployeeID, adv.PublishedBy, adv.PublishedAt = uuid.New(), employeeID, a.UserID(), s.now().UTC()
	out, err := s.store.Publish(ctx, a.Scope, adv, func(p Person) (audit.Event, error) {
		if err := a.InTenant(p.EmployerID); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionCreate, "advice", adv.ID, p), nil
	}, Notice{Kind: "advice_published", Subject: "Nieuw advies van de bedrijfsarts",
		Body: "De bedrijfsarts heeft een advies over werkmogelijkheden uitgebracht. U vindt het in Arbokluis."})
	if err != nil {
		return Advice{}, fmt.Errorf("fitness: publish advice: %w", err)
	}
	return out, nil
}

// AdviceFor lists employeeID's published advice, audited as one read. The
// employer sees it only where the employer shares advice; otherwise, like
// an employee outside the caller's reach, derrors.ErrNotFound.
func (s *Service) AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Advice, error) {
	out, err := s.store.Advice(ctx, a.Scope, employeeID, func(p Person) (audit.Event, error) {
		if err := see(a, p); err != nil {
			return audit.Event{}, err
		}
		if a.Role == access.RoleEmployer && !p.ShareAdvice {
			return audit.Event{}, fmt.Errorf("fitness: the employer does not share advice: %w", derrors.ErrNotFound)
		}
		return event(a, audit.ActionRead, "advice", p.EmployeeID, p), nil
	})
	if err != nil {
		return nil, fmt.Errorf("fitness: advice: %w", err)
	}
	return out, nil
}

// Recipients says who an advice for an employee reaches when it is
// published (see Publish): the employee (in the portal when they have a
// login), the case managers and labour experts, and the employer's users
// only when the employer shares advice.
type Recipients struct {
	EmployeeLogin bool
	ShareAdvice   bool
}

// Recipients returns who an advice published for employeeID by the caller
// would reach, for the preview before publishing, audited as a read. An
// employee outside the caller's tenants is derrors.ErrNotFound, as for
// Publish.
func (s *Service) Recipients(ctx context.Context, a access.Actor, employeeID uuid.UUID) (Recipients, error) {
	p, err := s.store.Person(ctx, a.Scope, employeeID, func(p Person) (audit.Event, error) {
		if err := a.InTenant(p.EmployerID); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "advice_recipients", p.EmployeeID, p), nil
	})
	if err != nil {
		return Recipients{}, fmt.Errorf("fitness: recipients: %w", err)
	}
	return Recipients{EmployeeLogin: p.UserID != uuid.Nil, ShareAdvice: p.ShareAdvice}, nil
}
