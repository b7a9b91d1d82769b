// Package absence runs sickness-absence cases under the Wet verbetering
// poortwachter: sick reports and changes, the 28-day rule, safety-net cases,
// extensions, the milestone calendar (computed by the pure function
// Calendar from a case's facts, docs/poortwachter.md), the plan of action
// with its evaluations, the contact log and process notes.
//
// Nothing medical is recorded here. The employer side has no free-text field
// that invites medical detail; the process texts (plan, evaluations, contact
// summaries, notes) are for process only, and a case manager can redact a
// note in which medical detail was typed by mistake.
package absence

import (
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// CaseStatus says whether a case runs.
type CaseStatus string

// The case statuses.
const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// ChangeKind tells a sick report from a later change of percentage.
type ChangeKind string

// The change kinds.
const (
	ChangeReport ChangeKind = "report" // the first report, or a report reopening the case (28-day rule)
	ChangeChange ChangeKind = "change"
)

// Change is a sick report or change of the absence percentage, effective
// from EffectiveOn. LeaveDays (reports reopening a case only) counts the
// pregnancy or maternity leave days since the recovery.
type Change struct {
	ID          uuid.UUID
	Kind        ChangeKind
	EffectiveOn time.Time
	Percentage  int
	LeaveDays   int
}

// DoneRecord is a milestone recorded as done.
type DoneRecord struct {
	ID uuid.UUID
	Done
}

// ExtensionRecord is an extension of wage continuation with its reason.
type ExtensionRecord struct {
	ID uuid.UUID
	Extension
	Reason    string
	DecidedOn time.Time
}

// Details are the employer-side facts the Dutch DPA allows the employer to
// know (domain.md): expected duration, work accident, liable third party.
// Nil means not stated.
type Details struct {
	ExpectedDurationWeeks int // 0 = not stated
	WorkAccident          *bool
	LiableThirdParty      *bool
}

// Absence is a sickness-absence case with its facts.
type Absence struct {
	ID           uuid.UUID
	EmployerID   uuid.UUID
	EmployeeID   uuid.UUID
	FirstSickDay time.Time
	// Percentage is the current degree of absence from the own job.
	Percentage  int
	Status      CaseStatus
	ClosedOn    time.Time
	CloseReason CloseReason
	// Vangnet says that a safety-net rule applies (the employer may know
	// this); VangnetType says which (the employer may not).
	Vangnet     bool
	VangnetType VangnetType
	Details     Details
	Changes     []Change
	Done        []DoneRecord
	Extensions  []ExtensionRecord
	CreatedAt   time.Time

	// Of the employee, loaded with the case.
	EmployeeUserID  uuid.UUID
	EmploymentStart time.Time
	EmploymentEnd   time.Time
}

// Facts returns the calendar's view of the case.
func (a Absence) Facts() Case {
	c := Case{
		FirstSickDay: a.FirstSickDay, Vangnet: a.VangnetType, EmploymentEnd: a.EmploymentEnd,
		ClosedOn: a.ClosedOn, CloseReason: a.CloseReason,
	}
	var recoveredOn time.Time
	for _, ch := range a.Changes {
		switch {
		case ch.Kind == ChangeChange && ch.Percentage == 0:
			recoveredOn = ch.EffectiveOn
		case ch.Kind == ChangeReport && !recoveredOn.IsZero():
			c.Gaps = append(c.Gaps, Gap{From: recoveredOn, To: ch.EffectiveOn, LeaveDays: ch.LeaveDays})
			recoveredOn = time.Time{}
		}
	}
	for _, d := range a.Done {
		c.Done = append(c.Done, d.Done)
	}
	for _, e := range a.Extensions {
		c.Extensions = append(c.Extensions, e.Extension)
	}
	return c
}

// Milestones returns the calendar of the case relative to today.
func (a Absence) Milestones(s Settings, today time.Time) []Milestone {
	return Calendar(a.Facts(), s, today)
}

// lastChange returns the latest change or report.
func (a Absence) lastChange() Change {
	if len(a.Changes) == 0 {
		return Change{Kind: ChangeReport, EffectiveOn: a.FirstSickDay, Percentage: a.Percentage}
	}
	return a.Changes[len(a.Changes)-1]
}

func (a Absence) isDone(k Kind) bool {
	for _, d := range a.Done {
		if d.Kind == k {
			return true
		}
	}
	return false
}

// SeesVangnetType reports whether role may know which safety-net rule
// applies: service staff may; the employer and the employee see only that
// one applies (domain.md).
func SeesVangnetType(role access.Role) bool {
	return role != access.RoleEmployer && role != access.RoleEmployee
}

// ForRole returns what role may see of the case: the employer and the
// employee never see the safety-net type.
func (a Absence) ForRole(role access.Role) Absence {
	if !SeesVangnetType(role) {
		a.VangnetType = VangnetNone
	}
	return a
}

// VisibleMilestones returns the milestones role may see, relative to today:
// the uwv_report_vangnet milestone is hidden from those who may not know the
// safety-net type, since its due date would reveal it.
func (a Absence) VisibleMilestones(role access.Role, s Settings, today time.Time) []Milestone {
	ms := a.Milestones(s, today)
	if SeesVangnetType(role) {
		return ms
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Kind != KindUWVReportVangnet {
			out = append(out, m)
		}
	}
	return out
}

// Activity is an agreed activity of a plan of action.
type Activity struct {
	Description string
	Who         string
	ByWhen      time.Time
}

// Plan is one version of the plan of action. The employer's and the
// employee's own views on reintegration are required since 2023-07-01.
type Plan struct {
	ID               uuid.UUID
	AbsenceID        uuid.UUID
	Version          int
	Goals            string
	Activities       []Activity
	EmployerView     string
	EmployeeView     string
	EmployerSignedOn time.Time
	EmployeeSignedOn time.Time
	RecordedBy       uuid.UUID
	RecordedAt       time.Time
}

// EvaluationKind is a plan evaluation or the first-year evaluation.
type EvaluationKind string

// The evaluation kinds.
const (
	EvaluationPlan      EvaluationKind = "evaluation"
	EvaluationFirstYear EvaluationKind = "first_year_evaluation"
)

// Evaluation is an evaluation of the plan of action, or the first-year
// evaluation, with both views on reintegration.
type Evaluation struct {
	ID           uuid.UUID
	AbsenceID    uuid.UUID
	Kind         EvaluationKind
	HeldOn       time.Time
	Summary      string
	EmployerView string
	EmployeeView string
	RecordedBy   uuid.UUID
	RecordedAt   time.Time
}

// Channel is how a contact took place. Calls are never recorded.
type Channel string

// The contact channels.
const (
	ChannelPhone   Channel = "phone"
	ChannelEmail   Channel = "email"
	ChannelMeeting Channel = "meeting"
	ChannelVideo   Channel = "video"
	ChannelLetter  Channel = "letter"
)

// Contact is an entry of a case's contact log.
type Contact struct {
	ID           uuid.UUID
	AbsenceID    uuid.UUID
	OccurredOn   time.Time
	Channel      Channel
	Participants []string
	Summary      string
	RecordedBy   uuid.UUID
	RecordedAt   time.Time
}

// Note is a process note on a case. A redacted note has no Body and keeps
// who redacted it, when and why.
type Note struct {
	ID              uuid.UUID
	AbsenceID       uuid.UUID
	Body            string
	AuthorID        uuid.UUID
	CreatedAt       time.Time
	RedactedAt      time.Time
	RedactedBy      uuid.UUID
	RedactionReason string
}

// PlanDocument is what the employer's copy of the plan of action shows.
type PlanDocument struct {
	EmployerName   string
	EmployeeName   string
	EmployeeNumber string
	FirstSickDay   time.Time
	Plan           Plan
	Evaluations    []Evaluation
	GeneratedAt    time.Time
}

// Signal is an open milestone on a work list.
type Signal struct {
	AbsenceID      uuid.UUID
	EmployerID     uuid.UUID
	EmployeeID     uuid.UUID
	EmployeeName   string
	EmployeeNumber string
	Kind           Kind
	N              int
	Due            time.Time
	Status         Status
}

// Cursor is the keyset position after the last signal of a page.
type Cursor struct {
	Due       time.Time
	AbsenceID uuid.UUID
	Kind      Kind
	N         int
}

// OverviewRow is one employee on the employer's overview.
type OverviewRow struct {
	EmployeeID     uuid.UUID
	EmployeeNumber string
	FirstName      string
	LastName       string
	// AbsenceID is the open case, if any; Percentage its current degree.
	AbsenceID     uuid.UUID
	Percentage    int
	FirstSickDay  time.Time
	NextMilestone *Signal
	// LastVerdict is the latest absence verdict (fit, unfit, partly_fit;
	// "" when none) and LastWorkAbility its percentage for partly_fit.
	LastVerdict     string
	LastWorkAbility int
}

// Absent reports whether the employee has an open case.
func (r OverviewRow) Absent() bool { return r.AbsenceID != uuid.Nil }
