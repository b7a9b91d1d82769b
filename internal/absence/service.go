package absence

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

// Employee is what a sick report needs to know of the employee.
type Employee struct {
	ID              uuid.UUID
	EmployerID      uuid.UUID
	UserID          uuid.UUID
	EmploymentStart time.Time
	EmploymentEnd   time.Time
}

// Mutation is what one use case changes on a case. The store applies it in
// one transaction: the case row (inserted when New), the new child rows, the
// milestone projection (rewritten from Milestones) and the audit event.
type Mutation struct {
	New        bool
	Changes    []Change
	Done       []DoneRecord
	Extensions []ExtensionRecord
	Plan       *Plan
	Evaluation *Evaluation
	Milestones []Milestone
	Event      audit.Event
}

// Store persists cases within a tenant scope. Every method runs in one
// transaction and writes the audit event it is given (or that its callback
// returns) in it. Unknown objects, or objects outside scope, are
// derrors.ErrNotFound; a second open case for an employee, or a milestone
// recorded twice, is derrors.ErrConflict.
type Store interface {
	// Report locks the employee, loads their latest case (nil when none) and
	// applies what decide returns; decide's error is returned as it is.
	Report(ctx context.Context, scope access.Scope, employeeID uuid.UUID,
		decide func(e Employee, latest *Absence) (Absence, Mutation, error)) (Absence, error)
	// Update locks the case and applies what decide returns.
	Update(ctx context.Context, scope access.Scope, id uuid.UUID,
		decide func(a Absence) (Absence, Mutation, error)) (Absence, error)
	// Get loads a case, writes the event authorize returns, and only then
	// returns the case.
	Get(ctx context.Context, scope access.Scope, id uuid.UUID,
		authorize func(a Absence) (audit.Event, error)) (Absence, error)
	// ListForEmployee loads the employee's cases, newest first, and writes
	// the event authorize returns.
	ListForEmployee(ctx context.Context, scope access.Scope, employeeID uuid.UUID,
		authorize func(e Employee) (audit.Event, error)) ([]Absence, error)
	// Plan loads the case with its latest plan (zero Plan when none) and
	// evaluations, and writes the event authorize returns.
	Plan(ctx context.Context, scope access.Scope, id uuid.UUID,
		authorize func(a Absence) (audit.Event, error)) (Absence, Plan, []Evaluation, error)
	// PlanDocument is Plan with the names the employer's copy shows.
	PlanDocument(ctx context.Context, scope access.Scope, id uuid.UUID,
		authorize func(a Absence) (audit.Event, error)) (PlanDocument, error)
	// AddContact and AddNote insert into the case's contact log or notes;
	// authorize checks the loaded case and returns the event.
	AddContact(ctx context.Context, scope access.Scope, c Contact, authorize func(a Absence) (audit.Event, error)) (Contact, error)
	AddNote(ctx context.Context, scope access.Scope, n Note, authorize func(a Absence) (audit.Event, error)) (Note, error)
	// Contacts and Notes list a case's contact log or notes, oldest first.
	Contacts(ctx context.Context, scope access.Scope, absenceID uuid.UUID, authorize func(a Absence) (audit.Event, error)) ([]Contact, error)
	Notes(ctx context.Context, scope access.Scope, absenceID uuid.UUID, authorize func(a Absence) (audit.Event, error)) ([]Note, error)
	// RedactNote removes a note's text, keeping who, when and why. A note
	// already redacted is derrors.ErrConflict.
	RedactNote(ctx context.Context, scope access.Scope, noteID uuid.UUID, by uuid.UUID, reason string, at time.Time,
		authorize func(a Absence) (audit.Event, error)) (Note, error)
	// Signals lists pending milestones due on or before until, oldest
	// first, after the cursor, hiding the kinds in hide, and writes the
	// events events returns for the listed rows (one per person).
	Signals(ctx context.Context, scope access.Scope, until time.Time, after *Cursor, limit int, hide []Kind,
		events func([]Signal) []audit.Event) ([]Signal, error)
	// Overview lists the employees of an employer with their open case and
	// next milestone, and writes the events events returns (one per person).
	Overview(ctx context.Context, scope access.Scope, employerID uuid.UUID, hide []Kind,
		events func([]OverviewRow) []audit.Event) ([]OverviewRow, error)
}

// PlanRenderer renders the employer's copy of a plan of action as a PDF.
type PlanRenderer interface {
	PlanOfAction(doc PlanDocument) ([]byte, error)
}

// Service runs the absence use cases.
type Service struct {
	store    Store
	render   PlanRenderer
	settings Settings
	now      func() time.Time
}

// NewService returns a Service; now defaults to time.Now.
func NewService(store Store, render PlanRenderer, settings Settings, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, render: render, settings: settings, now: now}
}

// Settings returns the calendar settings the service uses.
func (s *Service) Settings() Settings { return s.settings }

// Today returns today's date in Europe/Amsterdam, at midnight UTC.
func (s *Service) Today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

func event(a access.Actor, action audit.Action, kind string, objectID uuid.UUID, employerID, employeeID uuid.UUID) audit.Event {
	return audit.Event{
		ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: employeeID, TenantID: employerID,
		Action: action, ObjectKind: kind, ObjectID: objectID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
	}
}

// see is the object rule for reading a case: within the caller's tenants,
// and for an employee only their own.
func see(a access.Actor, x Absence) error {
	if err := a.InTenant(x.EmployerID); err != nil {
		return err
	}
	return a.Subject(x.EmployeeUserID)
}

// Report is a sick report.
type Report struct {
	FirstSickDay time.Time
	Percentage   int
	// Vangnet says that a safety-net rule applies (not which).
	Vangnet bool
	Details Details
	// LeaveDays counts the pregnancy or maternity leave days since the
	// previous case's recovery; they do not count as gap.
	LeaveDays int
}

const maxDaysAhead = 30

func validDetails(fe derrors.FieldErrors, d Details) {
	if d.ExpectedDurationWeeks != 0 && (d.ExpectedDurationWeeks < 1 || d.ExpectedDurationWeeks > 104) {
		fe.Add("expected_duration_weeks", "must be between 1 and 104")
	}
}

// Report records a sick report for an employee and answers with the case: a
// new one, or (merged true) the previous case reopened under the 28-day
// rule. Invalid input is derrors.FieldErrors; an employee outside the
// caller's tenants is derrors.ErrNotFound; an open case already running, or
// a report overlapping the previous case, is derrors.ErrConflict.
func (s *Service) Report(ctx context.Context, a access.Actor, employeeID uuid.UUID, r Report) (Absence, bool, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	switch {
	case r.FirstSickDay.IsZero():
		fe.Add("first_sick_day", "is required")
	case r.FirstSickDay.After(today.AddDate(0, 0, maxDaysAhead)):
		fe.Add("first_sick_day", "must not be more than 30 days ahead")
	}
	if r.Percentage < 1 || r.Percentage > 100 {
		fe.Add("percentage", "must be between 1 and 100")
	}
	if r.LeaveDays < 0 || r.LeaveDays > 366 {
		fe.Add("leave_days", "must be between 0 and 366")
	}
	validDetails(fe, r.Details)
	if err := fe.Err(); err != nil {
		return Absence{}, false, err
	}
	merged := false
	out, err := s.store.Report(ctx, a.Scope, employeeID, func(e Employee, latest *Absence) (Absence, Mutation, error) {
		if err := a.InTenant(e.EmployerID); err != nil {
			return Absence{}, Mutation{}, err
		}
		fe := derrors.FieldErrors{}
		if r.FirstSickDay.Before(e.EmploymentStart) {
			fe.Add("first_sick_day", "must not be before employment_start")
		}
		if !e.EmploymentEnd.IsZero() && r.FirstSickDay.After(e.EmploymentEnd) {
			fe.Add("first_sick_day", "must not be after employment_end")
		}
		if err := fe.Err(); err != nil {
			return Absence{}, Mutation{}, err
		}
		report := Change{ID: uuid.New(), Kind: ChangeReport, EffectiveOn: r.FirstSickDay, Percentage: r.Percentage}
		if latest != nil {
			switch {
			case latest.Status == CaseOpen:
				return Absence{}, Mutation{}, fmt.Errorf("absence: the employee has an open case: %w", derrors.ErrConflict)
			case r.FirstSickDay.Before(latest.ClosedOn):
				return Absence{}, Mutation{}, fmt.Errorf("absence: the report overlaps the previous case: %w", derrors.ErrConflict)
			case latest.CloseReason == CloseRecovered && Merges(latest.ClosedOn, r.FirstSickDay, r.LeaveDays):
				if r.LeaveDays > daysBetween(latest.ClosedOn, r.FirstSickDay) {
					return Absence{}, Mutation{}, derrors.FieldErrors{"leave_days": "must not exceed the days since the recovery"}
				}
				x := *latest
				report.LeaveDays = r.LeaveDays
				x.Changes = append(x.Changes, report)
				x.Percentage, x.Status, x.ClosedOn, x.CloseReason = r.Percentage, CaseOpen, time.Time{}, ""
				x.Vangnet = x.Vangnet || r.Vangnet
				x.Details = mergeDetails(x.Details, r.Details)
				merged = true
				return x, Mutation{Changes: []Change{report}, Milestones: x.Milestones(s.settings, today),
					Event: event(a, audit.ActionUpdate, "absence", x.ID, x.EmployerID, x.EmployeeID)}, nil
			}
		}
		x := Absence{
			ID: uuid.New(), EmployerID: e.EmployerID, EmployeeID: e.ID, FirstSickDay: r.FirstSickDay,
			Percentage: r.Percentage, Status: CaseOpen, Vangnet: r.Vangnet, Details: r.Details,
			Changes: []Change{report}, EmployeeUserID: e.UserID, EmploymentStart: e.EmploymentStart, EmploymentEnd: e.EmploymentEnd,
		}
		return x, Mutation{New: true, Changes: []Change{report}, Milestones: x.Milestones(s.settings, today),
			Event: event(a, audit.ActionCreate, "absence", x.ID, x.EmployerID, x.EmployeeID)}, nil
	})
	if err != nil {
		return Absence{}, false, fmt.Errorf("absence: report: %w", err)
	}
	return out, merged, nil
}

func mergeDetails(old, new Details) Details {
	if new.ExpectedDurationWeeks != 0 {
		old.ExpectedDurationWeeks = new.ExpectedDurationWeeks
	}
	if new.WorkAccident != nil {
		old.WorkAccident = new.WorkAccident
	}
	if new.LiableThirdParty != nil {
		old.LiableThirdParty = new.LiableThirdParty
	}
	return old
}

// update runs decide on an open case within the caller's tenants.
func (s *Service) update(ctx context.Context, a access.Actor, id uuid.UUID, op string, mustBeOpen bool,
	decide func(x *Absence, m *Mutation) error) (Absence, error) {
	today := s.Today()
	out, err := s.store.Update(ctx, a.Scope, id, func(x Absence) (Absence, Mutation, error) {
		if err := see(a, x); err != nil {
			return Absence{}, Mutation{}, err
		}
		if mustBeOpen && x.Status != CaseOpen {
			return Absence{}, Mutation{}, fmt.Errorf("absence: the case is closed: %w", derrors.ErrConflict)
		}
		m := Mutation{Event: event(a, audit.ActionUpdate, "absence", x.ID, x.EmployerID, x.EmployeeID)}
		if err := decide(&x, &m); err != nil {
			return Absence{}, Mutation{}, err
		}
		m.Milestones = x.Milestones(s.settings, today)
		return x, m, nil
	})
	if err != nil {
		return Absence{}, fmt.Errorf("absence: %s: %w", op, err)
	}
	return out, nil
}

// Change records a change of the absence percentage from date on; 0 is the
// recovery and closes the case. A date before the latest report or change,
// or more than 30 days ahead, or a percentage outside 0–100, is
// derrors.FieldErrors; a closed case is derrors.ErrConflict.
func (s *Service) Change(ctx context.Context, a access.Actor, id uuid.UUID, date time.Time, percentage int) (Absence, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	switch {
	case date.IsZero():
		fe.Add("date", "is required")
	case date.After(today.AddDate(0, 0, maxDaysAhead)):
		fe.Add("date", "must not be more than 30 days ahead")
	}
	if percentage < 0 || percentage > 100 {
		fe.Add("percentage", "must be between 0 and 100")
	}
	if err := fe.Err(); err != nil {
		return Absence{}, err
	}
	return s.update(ctx, a, id, "change", true, func(x *Absence, m *Mutation) error {
		last := x.lastChange()
		switch {
		case date.Before(x.FirstSickDay):
			return derrors.FieldErrors{"date": "must not be before the first sick day"}
		case !date.After(last.EffectiveOn):
			return derrors.FieldErrors{"date": "must be after the latest report or change"}
		}
		ch := Change{ID: uuid.New(), Kind: ChangeChange, EffectiveOn: date, Percentage: percentage}
		x.Changes = append(x.Changes, ch)
		x.Percentage = percentage
		if percentage == 0 {
			x.Status, x.ClosedOn, x.CloseReason = CaseClosed, date, CloseRecovered
		}
		m.Changes = []Change{ch}
		return nil
	})
}

// Close closes an open case on the end of employment or on death; date is
// the last day of employment or the date of death, and the case stops the
// day after. Open milestones become cancelled. A bad reason or date is
// derrors.FieldErrors; a closed case is derrors.ErrConflict.
func (s *Service) Close(ctx context.Context, a access.Actor, id uuid.UUID, reason CloseReason, date time.Time) (Absence, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	if reason != CloseEmploymentEnd && reason != CloseDeath {
		fe.Add("reason", "must be employment_end or death")
	}
	switch {
	case date.IsZero():
		fe.Add("date", "is required")
	case date.After(today):
		fe.Add("date", "must not be in the future")
	}
	if err := fe.Err(); err != nil {
		return Absence{}, err
	}
	return s.update(ctx, a, id, "close", true, func(x *Absence, m *Mutation) error {
		if date.Before(x.lastChange().EffectiveOn) {
			return derrors.FieldErrors{"date": "must not be before the latest report or change"}
		}
		x.Status, x.ClosedOn, x.CloseReason = CaseClosed, date.AddDate(0, 0, 1), reason
		if reason == CloseEmploymentEnd && x.EmploymentEnd.IsZero() {
			x.EmploymentEnd = date
		}
		return nil
	})
}

// SetDetails records the employer-side facts of a case and whether a
// safety-net rule applies; clearing Vangnet clears the type too.
func (s *Service) SetDetails(ctx context.Context, a access.Actor, id uuid.UUID, d Details, vangnet *bool) (Absence, error) {
	fe := derrors.FieldErrors{}
	validDetails(fe, d)
	if err := fe.Err(); err != nil {
		return Absence{}, err
	}
	return s.update(ctx, a, id, "set details", false, func(x *Absence, m *Mutation) error {
		x.Details = mergeDetails(x.Details, d)
		if vangnet != nil {
			x.Vangnet = *vangnet
			if !x.Vangnet {
				x.VangnetType = VangnetNone
			}
		}
		return nil
	})
}

// SetVangnetType records which safety-net rule applies (the case manager's
// knowledge); it marks the case as a safety-net case. An unknown type is
// derrors.FieldErrors; the employment_end type without a known end of
// employment is derrors.FieldErrors too.
func (s *Service) SetVangnetType(ctx context.Context, a access.Actor, id uuid.UUID, t VangnetType) (Absence, error) {
	if _, ok := s.settings.Vangnet[t]; !ok || t == VangnetNone {
		return Absence{}, derrors.FieldErrors{"type": "must be no_risk, pregnancy, organ_donation or employment_end"}
	}
	return s.update(ctx, a, id, "set vangnet type", true, func(x *Absence, m *Mutation) error {
		x.Vangnet, x.VangnetType = true, t
		return nil
	})
}

// Extend extends wage continuation: a UWV wage sanction or a voluntary
// extension, with its reason. Weeks outside 1–52 (in all, per kind) or an
// empty reason are derrors.FieldErrors.
func (s *Service) Extend(ctx context.Context, a access.Actor, id uuid.UUID, e ExtensionRecord) (Absence, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	if e.Kind != ExtensionWageSanction && e.Kind != ExtensionVoluntary {
		fe.Add("kind", "must be wage_sanction or voluntary")
	}
	if e.Weeks < 1 || e.Weeks > 52 {
		fe.Add("weeks", "must be between 1 and 52")
	}
	e.Reason = strings.TrimSpace(e.Reason)
	processText(fe, "reason", e.Reason, true, 2000)
	switch {
	case e.DecidedOn.IsZero():
		fe.Add("decided_on", "is required")
	case e.DecidedOn.After(today):
		fe.Add("decided_on", "must not be in the future")
	}
	if err := fe.Err(); err != nil {
		return Absence{}, err
	}
	return s.update(ctx, a, id, "extend", true, func(x *Absence, m *Mutation) error {
		total := e.Weeks
		for _, old := range x.Extensions {
			if old.Kind == e.Kind {
				total += old.Weeks
			}
		}
		if total > 52 {
			return derrors.FieldErrors{"weeks": "extensions of one kind must not exceed 52 weeks in all"}
		}
		e.ID = uuid.New()
		x.Extensions = append(x.Extensions, e)
		m.Extensions = []ExtensionRecord{e}
		return nil
	})
}

// recordable are the milestone kinds that can be recorded as done; the end
// of wage continuation is a date, not an act.
var recordable = map[Kind]bool{
	KindProblemAnalysis: true, KindPlanOfAction: true, KindEvaluation: true, KindUWVReportVangnet: true,
	KindUWVReport42: true, KindFirstYearEvaluation: true, KindWIAApplication: true,
}

// RecordMilestone records a milestone as done on doneOn. Physicians record
// the problem analysis only (derrors.ErrForbidden otherwise). An unknown
// kind, a date before the first sick day or in the future, late_onset on
// another kind, or uwv_report_vangnet on a case without a safety-net rule is
// derrors.FieldErrors; a milestone already done is derrors.ErrConflict.
func (s *Service) RecordMilestone(ctx context.Context, a access.Actor, id uuid.UUID, kind Kind, doneOn time.Time, lateOnset bool) (Absence, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	if !recordable[kind] {
		fe.Add("kind", "must be a milestone kind that is done by an act (not end_of_wage_continuation)")
	}
	switch {
	case doneOn.IsZero():
		fe.Add("done_on", "is required")
	case doneOn.After(today):
		fe.Add("done_on", "must not be in the future")
	}
	if lateOnset && kind != KindProblemAnalysis {
		fe.Add("late_onset", "applies to problem_analysis only")
	}
	if err := fe.Err(); err != nil {
		return Absence{}, err
	}
	return s.update(ctx, a, id, "record milestone", true, func(x *Absence, m *Mutation) error {
		if a.Role == access.RolePhysician || a.Role == access.RoleLeadPhysician {
			if kind != KindProblemAnalysis {
				return fmt.Errorf("absence: physicians record the problem analysis only: %w", derrors.ErrForbidden)
			}
		}
		if doneOn.Before(x.FirstSickDay) {
			return derrors.FieldErrors{"done_on": "must not be before the first sick day"}
		}
		if kind == KindUWVReportVangnet && !x.Vangnet {
			return derrors.FieldErrors{"kind": "the case has no safety-net rule"}
		}
		if kind != KindEvaluation && x.isDone(kind) {
			return fmt.Errorf("absence: %s already done: %w", kind, derrors.ErrConflict)
		}
		d := DoneRecord{ID: uuid.New(), Done: Done{Kind: kind, DoneOn: doneOn, LateOnset: lateOnset}}
		x.Done = append(x.Done, d)
		m.Done = []DoneRecord{d}
		return nil
	})
}

// processText checks a free-text process field: required or not, at most
// max characters, valid UTF-8, nothing package text refuses in free text.
func processText(fe derrors.FieldErrors, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case !text.Valid(v, text.Multiline):
		fe.Add(field, text.ReasonControl)
	}
}

// RecordPlan records a new version of the plan of action. Both views on
// reintegration are required; when both parties have signed, the
// plan_of_action milestone is done on the later signature date (if it was
// not done yet). Invalid input is derrors.FieldErrors.
func (s *Service) RecordPlan(ctx context.Context, a access.Actor, id uuid.UUID, p Plan) (Plan, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	processText(fe, "goals", p.Goals, true, 4000)
	processText(fe, "employer_view", p.EmployerView, true, 4000)
	processText(fe, "employee_view", p.EmployeeView, true, 4000)
	if len(p.Activities) == 0 || len(p.Activities) > 50 {
		fe.Add("activities", "must list 1 to 50 agreed activities")
	}
	for i, act := range p.Activities {
		processText(fe, fmt.Sprintf("activities[%d].description", i), act.Description, true, 1000)
		processText(fe, fmt.Sprintf("activities[%d].who", i), act.Who, true, 200)
		if act.ByWhen.IsZero() {
			fe.Add(fmt.Sprintf("activities[%d].by_when", i), "is required")
		}
	}
	for field, d := range map[string]time.Time{"employer_signed_on": p.EmployerSignedOn, "employee_signed_on": p.EmployeeSignedOn} {
		if d.After(today) {
			fe.Add(field, "must not be in the future")
		}
	}
	if err := fe.Err(); err != nil {
		return Plan{}, err
	}
	_, err := s.update(ctx, a, id, "record plan", true, func(x *Absence, m *Mutation) error {
		for field, d := range map[string]time.Time{"employer_signed_on": p.EmployerSignedOn, "employee_signed_on": p.EmployeeSignedOn} {
			if !d.IsZero() && d.Before(x.FirstSickDay) {
				return derrors.FieldErrors{field: "must not be before the first sick day"}
			}
		}
		p.ID, p.AbsenceID, p.RecordedBy, p.RecordedAt = uuid.New(), x.ID, a.UserID(), s.now()
		m.Plan = &p
		m.Event.ObjectKind, m.Event.ObjectID, m.Event.Action = "plan_of_action", p.ID.String(), audit.ActionCreate
		if !p.EmployerSignedOn.IsZero() && !p.EmployeeSignedOn.IsZero() && !x.isDone(KindPlanOfAction) {
			on := p.EmployerSignedOn
			if p.EmployeeSignedOn.After(on) {
				on = p.EmployeeSignedOn
			}
			d := DoneRecord{ID: uuid.New(), Done: Done{Kind: KindPlanOfAction, DoneOn: on}}
			x.Done = append(x.Done, d)
			m.Done = []DoneRecord{d}
		}
		return nil
	})
	// The store numbers the version through m.Plan, which points at p.
	return p, err
}

// RecordEvaluation records an evaluation of the plan or the first-year
// evaluation (both views required) and marks its milestone done on HeldOn.
// A first-year evaluation recorded twice is derrors.ErrConflict.
func (s *Service) RecordEvaluation(ctx context.Context, a access.Actor, id uuid.UUID, e Evaluation) (Evaluation, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	if e.Kind != EvaluationPlan && e.Kind != EvaluationFirstYear {
		fe.Add("kind", "must be evaluation or first_year_evaluation")
	}
	switch {
	case e.HeldOn.IsZero():
		fe.Add("held_on", "is required")
	case e.HeldOn.After(today):
		fe.Add("held_on", "must not be in the future")
	}
	processText(fe, "summary", e.Summary, true, 4000)
	processText(fe, "employer_view", e.EmployerView, true, 4000)
	processText(fe, "employee_view", e.EmployeeView, true, 4000)
	if err := fe.Err(); err != nil {
		return Evaluation{}, err
	}
	var out Evaluation
	_, err := s.update(ctx, a, id, "record evaluation", true, func(x *Absence, m *Mutation) error {
		if e.HeldOn.Before(x.FirstSickDay) {
			return derrors.FieldErrors{"held_on": "must not be before the first sick day"}
		}
		kind := Kind(e.Kind)
		if kind == KindFirstYearEvaluation && x.isDone(kind) {
			return fmt.Errorf("absence: first-year evaluation already done: %w", derrors.ErrConflict)
		}
		e.ID, e.AbsenceID, e.RecordedBy, e.RecordedAt = uuid.New(), x.ID, a.UserID(), s.now()
		d := DoneRecord{ID: uuid.New(), Done: Done{Kind: kind, DoneOn: e.HeldOn}}
		x.Done = append(x.Done, d)
		m.Done = []DoneRecord{d}
		m.Evaluation = &e
		m.Event.ObjectKind, m.Event.ObjectID, m.Event.Action = "evaluation", e.ID.String(), audit.ActionCreate
		out = e
		return nil
	})
	return out, err
}

// Get returns a case as the caller may see it, audited as a read before it
// is returned. A case outside the caller's tenants, or for an employee
// someone else's, is derrors.ErrNotFound.
func (s *Service) Get(ctx context.Context, a access.Actor, id uuid.UUID) (Absence, error) {
	x, err := s.store.Get(ctx, a.Scope, id, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "absence", x.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return Absence{}, fmt.Errorf("absence: get: %w", err)
	}
	return x.ForRole(a.Role), nil
}

// ListForEmployee returns an employee's cases, newest first, audited as one
// read of the employee. An employee outside the caller's tenants, or for an
// employee caller someone else, is derrors.ErrNotFound.
func (s *Service) ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Absence, error) {
	xs, err := s.store.ListForEmployee(ctx, a.Scope, employeeID, func(e Employee) (audit.Event, error) {
		if err := a.InTenant(e.EmployerID); err != nil {
			return audit.Event{}, err
		}
		if err := a.Subject(e.UserID); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "absence_list", e.ID, e.EmployerID, e.ID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("absence: list: %w", err)
	}
	for i := range xs {
		xs[i] = xs[i].ForRole(a.Role)
	}
	return xs, nil
}

// Plan returns a case's latest plan of action (derrors.ErrNotFound when
// none was recorded) and its evaluations, audited as a read.
func (s *Service) Plan(ctx context.Context, a access.Actor, id uuid.UUID) (Plan, []Evaluation, error) {
	_, p, evs, err := s.store.Plan(ctx, a.Scope, id, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "plan_of_action", x.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return Plan{}, nil, fmt.Errorf("absence: plan: %w", err)
	}
	if p.ID == uuid.Nil {
		return Plan{}, nil, fmt.Errorf("absence: no plan of action recorded: %w", derrors.ErrNotFound)
	}
	return p, evs, nil
}

// PlanPDF renders the employer's copy of the latest plan of action,
// audited as a print. Rendering happens after the transaction. No plan is
// derrors.ErrNotFound.
func (s *Service) PlanPDF(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error) {
	doc, err := s.store.PlanDocument(ctx, a.Scope, id, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionPrint, "plan_of_action", x.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("absence: plan pdf: %w", err)
	}
	if doc.Plan.ID == uuid.Nil {
		return nil, fmt.Errorf("absence: no plan of action recorded: %w", derrors.ErrNotFound)
	}
	doc.GeneratedAt = s.now()
	b, err := s.render.PlanOfAction(doc)
	if err != nil {
		return nil, fmt.Errorf("absence: render plan: %w", err)
	}
	return b, nil
}

// AddContact adds an entry to a case's contact log: date, channel,
// participants and a non-medical summary. Invalid input is
// derrors.FieldErrors.
func (s *Service) AddContact(ctx context.Context, a access.Actor, id uuid.UUID, c Contact) (Contact, error) {
	today := s.Today()
	fe := derrors.FieldErrors{}
	switch c.Channel {
	case ChannelPhone, ChannelEmail, ChannelMeeting, ChannelVideo, ChannelLetter:
	default:
		fe.Add("channel", "must be phone, email, meeting, video or letter")
	}
	switch {
	case c.OccurredOn.IsZero():
		fe.Add("occurred_on", "is required")
	case c.OccurredOn.After(today):
		fe.Add("occurred_on", "must not be in the future")
	}
	if len(c.Participants) == 0 || len(c.Participants) > 20 {
		fe.Add("participants", "must name 1 to 20 participants")
	}
	for i, p := range c.Participants {
		processText(fe, fmt.Sprintf("participants[%d]", i), p, true, 200)
	}
	processText(fe, "summary", c.Summary, true, 4000)
	if err := fe.Err(); err != nil {
		return Contact{}, err
	}
	c.ID, c.AbsenceID, c.RecordedBy, c.RecordedAt = uuid.New(), id, a.UserID(), s.now()
	out, err := s.store.AddContact(ctx, a.Scope, c, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionCreate, "contact", c.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return Contact{}, fmt.Errorf("absence: add contact: %w", err)
	}
	return out, nil
}

// Contacts lists a case's contact log, audited as a read.
func (s *Service) Contacts(ctx context.Context, a access.Actor, id uuid.UUID) ([]Contact, error) {
	cs, err := s.store.Contacts(ctx, a.Scope, id, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "contact_log", x.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("absence: contacts: %w", err)
	}
	return cs, nil
}

// AddNote adds a process note to a case. Invalid input is
// derrors.FieldErrors.
func (s *Service) AddNote(ctx context.Context, a access.Actor, id uuid.UUID, body string) (Note, error) {
	fe := derrors.FieldErrors{}
	processText(fe, "text", body, true, 4000)
	if err := fe.Err(); err != nil {
		return Note{}, err
	}
	n := Note{ID: uuid.New(), AbsenceID: id, Body: body, AuthorID: a.UserID(), CreatedAt: s.now()}
	out, err := s.store.AddNote(ctx, a.Scope, n, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionCreate, "note", n.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return Note{}, fmt.Errorf("absence: add note: %w", err)
	}
	return out, nil
}

// Notes lists a case's process notes, audited as a read.
func (s *Service) Notes(ctx context.Context, a access.Actor, id uuid.UUID) ([]Note, error) {
	ns, err := s.store.Notes(ctx, a.Scope, id, func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionRead, "notes", x.ID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("absence: notes: %w", err)
	}
	return ns, nil
}

// RedactNote removes the text of a note (medical detail typed by mistake),
// recording who did it, when and the reason. An empty reason is
// derrors.FieldErrors; a note already redacted is derrors.ErrConflict.
func (s *Service) RedactNote(ctx context.Context, a access.Actor, noteID uuid.UUID, reason string) (Note, error) {
	fe := derrors.FieldErrors{}
	reason = strings.TrimSpace(reason)
	processText(fe, "reason", reason, true, 1000)
	if err := fe.Err(); err != nil {
		return Note{}, err
	}
	n, err := s.store.RedactNote(ctx, a.Scope, noteID, a.UserID(), reason, s.now(), func(x Absence) (audit.Event, error) {
		if err := see(a, x); err != nil {
			return audit.Event{}, err
		}
		return event(a, audit.ActionUpdate, "note", noteID, x.EmployerID, x.EmployeeID), nil
	})
	if err != nil {
		return Note{}, fmt.Errorf("absence: redact note: %w", err)
	}
	return n, nil
}

// MaxSignalsPage bounds one page of signals.
const MaxSignalsPage = 100

// Signals returns the caller's work list: milestones not done of the cases
// in the caller's tenants that are overdue or due within withinDays, oldest
// first, after the cursor (nil for the first page), at most limit. The page
// is audited with one read event listing every person on it. withinDays
// outside 0–365 or limit outside 1–MaxSignalsPage is derrors.FieldErrors.
func (s *Service) Signals(ctx context.Context, a access.Actor, withinDays, limit int, after *Cursor) ([]Signal, error) {
	fe := derrors.FieldErrors{}
	if withinDays < 0 || withinDays > 365 {
		fe.Add("within_days", "must be between 0 and 365")
	}
	if limit < 1 || limit > MaxSignalsPage {
		fe.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxSignalsPage))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	today := s.Today()
	var hide []Kind
	if !SeesVangnetType(a.Role) {
		hide = []Kind{KindUWVReportVangnet}
	}
	sigs, err := s.store.Signals(ctx, a.Scope, today.AddDate(0, 0, withinDays), after, limit, hide, func(sigs []Signal) []audit.Event {
		return s.listEvents(a, "signals", uuid.Nil, func(yield func(employer, employee uuid.UUID)) {
			for _, x := range sigs {
				yield(x.EmployerID, x.EmployeeID)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("absence: signals: %w", err)
	}
	for i := range sigs {
		sigs[i].Status = StatusOpen
		if today.After(sigs[i].Due) {
			sigs[i].Status = StatusOverdue
		}
	}
	return sigs, nil
}

// listEvents returns the one read event of a list: it carries every person
// listed (audit.Event.Listed), the tenant when all of them belong to one,
// and objectID (uuid.Nil for none). An empty list writes no event.
func (s *Service) listEvents(a access.Actor, kind string, objectID uuid.UUID, each func(func(employer, employee uuid.UUID))) []audit.Event {
	var (
		people []uuid.UUID
		tenant uuid.UUID
		mixed  bool
	)
	each(func(employer, employee uuid.UUID) {
		people = append(people, employee)
		if tenant != uuid.Nil && tenant != employer {
			mixed = true
		}
		tenant = employer
	})
	if len(people) == 0 {
		return nil
	}
	if mixed {
		tenant = uuid.Nil
	}
	ev := event(a, audit.ActionRead, kind, objectID, tenant, uuid.Nil).Listed(people)
	if objectID == uuid.Nil {
		ev.ObjectID = ""
	}
	return []audit.Event{ev}
}

// Overview returns an employer's people with their open case, current
// percentage and next milestone (and, once verdicts exist, the last fitness
// verdict), audited with one read event listing every person shown. An
// employer outside the caller's tenants is derrors.ErrNotFound.
func (s *Service) Overview(ctx context.Context, a access.Actor, employerID uuid.UUID) ([]OverviewRow, error) {
	if err := a.InTenant(employerID); err != nil {
		return nil, err
	}
	today := s.Today()
	var hide []Kind
	if !SeesVangnetType(a.Role) {
		hide = []Kind{KindUWVReportVangnet}
	}
	rows, err := s.store.Overview(ctx, a.Scope, employerID, hide, func(rows []OverviewRow) []audit.Event {
		return s.listEvents(a, "employer_overview", employerID, func(yield func(employer, employee uuid.UUID)) {
			for _, r := range rows {
				yield(employerID, r.EmployeeID)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("absence: overview: %w", err)
	}
	for _, r := range rows {
		if r.NextMilestone != nil {
			r.NextMilestone.Status = StatusOpen
			if today.After(r.NextMilestone.Due) {
				r.NextMilestone.Status = StatusOverdue
			}
		}
	}
	return rows, nil
}
