package absence

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a Poortwachter milestone.
type Kind string

// The milestone kinds, in the order they are listed on the same due date.
const (
	KindProblemAnalysis       Kind = "problem_analysis"
	KindPlanOfAction          Kind = "plan_of_action"
	KindEvaluation            Kind = "evaluation"
	KindUWVReportVangnet      Kind = "uwv_report_vangnet"
	KindUWVReport42           Kind = "uwv_report_42"
	KindFirstYearEvaluation   Kind = "first_year_evaluation"
	KindWIAApplication        Kind = "wia_application"
	KindEndOfWageContinuation Kind = "end_of_wage_continuation"
)

// Status is where a milestone stands relative to today.
type Status string

// The milestone statuses.
const (
	StatusOpen      Status = "open"
	StatusDone      Status = "done"
	StatusOverdue   Status = "overdue"
	StatusCancelled Status = "cancelled"
)

// VangnetType is the safety-net (Ziektewet vangnet) rule that applies to a
// case, known to the case manager only. The zero value means none.
type VangnetType string

// The safety-net types.
const (
	VangnetNone          VangnetType = ""
	VangnetNoRisk        VangnetType = "no_risk"
	VangnetPregnancy     VangnetType = "pregnancy"
	VangnetOrganDonation VangnetType = "organ_donation"
	VangnetEmploymentEnd VangnetType = "employment_end"
)

// VangnetDeadline is when the safety-net report to UWV is due for one type:
// Days sick days after D, or (WorkingDays) the Days-th working day after D,
// or (AtEmploymentEnd) on the last day of employment.
type VangnetDeadline struct {
	Days            int
	WorkingDays     bool
	AtEmploymentEnd bool
}

// Settings are the calendar's configurable terms.
type Settings struct {
	Vangnet map[VangnetType]VangnetDeadline
}

// DefaultSettings returns the terms of docs/poortwachter.md.
func DefaultSettings() Settings {
	return Settings{Vangnet: map[VangnetType]VangnetDeadline{
		VangnetNoRisk:        {Days: 41},
		VangnetPregnancy:     {Days: 41},
		VangnetOrganDonation: {Days: 4, WorkingDays: true},
		VangnetEmploymentEnd: {AtEmploymentEnd: true},
	}}
}

// Gap is the time between two sickness periods of one case: From is the
// recovery date (first day back, inclusive), To the next first sick day
// (exclusive). LeaveDays counts the pregnancy or maternity leave days inside
// it, which do not count as gap for the 28-day rule.
type Gap struct {
	From, To  time.Time
	LeaveDays int
}

// Days returns the length of the gap in days.
func (g Gap) Days() int { return daysBetween(g.From, g.To) }

// ExtensionKind says who extended wage continuation.
type ExtensionKind string

// The extension kinds.
const (
	ExtensionWageSanction ExtensionKind = "wage_sanction" // by UWV (loonsanctie)
	ExtensionVoluntary    ExtensionKind = "voluntary"     // agreed (art. 24 WIA)
)

// Extension extends wage continuation by Weeks.
type Extension struct {
	Kind  ExtensionKind
	Weeks int
}

// Done records a milestone as done. LateOnset marks a problem analysis made
// late because a long absence only became foreseeable later.
type Done struct {
	Kind      Kind
	DoneOn    time.Time
	LateOnset bool
}

// CloseReason says why a case closed.
type CloseReason string

// The close reasons.
const (
	CloseRecovered     CloseReason = "recovered"
	CloseEmploymentEnd CloseReason = "employment_end"
	CloseDeath         CloseReason = "death"
)

// Case holds the facts of an absence case that determine its calendar.
// Dates are calendar dates at midnight UTC.
type Case struct {
	FirstSickDay  time.Time
	Gaps          []Gap
	Vangnet       VangnetType
	EmploymentEnd time.Time // zero when not known
	Extensions    []Extension
	Done          []Done
	ClosedOn      time.Time // zero while open: the first day the case no longer runs
	CloseReason   CloseReason
}

// Milestone is one obligation of the calendar. N numbers evaluations from 1
// and is 0 for the other kinds; RemindFrom is set for wia_application only.
type Milestone struct {
	Kind       Kind
	N          int
	Due        time.Time
	RemindFrom time.Time
	DoneOn     time.Time
	LateOnset  bool
	Status     Status
}

// Merges reports whether a sick report on nextFirstSickDay belongs to the
// case that recovered on recoveredOn: the gap, less leaveDays of pregnancy or
// maternity leave, is shorter than 28 days.
func Merges(recoveredOn, nextFirstSickDay time.Time, leaveDays int) bool {
	return daysBetween(recoveredOn, nextFirstSickDay)-leaveDays < 28
}

// Calendar returns the milestones of c with their status relative to today,
// ordered by due date and, on the same date, by kind as listed in Kind.
func Calendar(c Case, s Settings, today time.Time) []Milestone {
	gaps := append([]Gap(nil), c.Gaps...)
	sort.Slice(gaps, func(i, j int) bool { return gaps[i].From.Before(gaps[j].From) })
	adv := func(from time.Time, n int) time.Time { return advance(gaps, from, n) }
	d := c.FirstSickDay

	done := map[Kind]Done{}
	var evals []Done
	for _, x := range c.Done {
		if x.Kind == KindEvaluation {
			evals = append(evals, x)
			continue
		}
		done[x.Kind] = x
	}
	sort.SliceStable(evals, func(i, j int) bool { return evals[i].DoneOn.Before(evals[j].DoneOn) })

	var ms []Milestone
	add := func(k Kind, n int, due time.Time) *Milestone {
		m := Milestone{Kind: k, N: n, Due: due}
		if x, ok := done[k]; ok && k != KindEvaluation {
			m.DoneOn, m.LateOnset = x.DoneOn, x.LateOnset
		}
		ms = append(ms, m)
		return &ms[len(ms)-1]
	}

	pa := add(KindProblemAnalysis, 0, adv(d, 41))
	poaDue := adv(d, 55)
	if !pa.DoneOn.IsZero() && (!pa.DoneOn.After(pa.Due) || pa.LateOnset) {
		poaDue = adv(pa.DoneOn, 14)
	}
	poa := add(KindPlanOfAction, 0, poaDue)

	var sanction, voluntary int
	for _, e := range c.Extensions {
		sanction += e.Weeks
		if e.Kind == ExtensionVoluntary {
			voluntary += e.Weeks
		}
	}
	end := adv(d, 727).AddDate(0, 0, 7*sanction)

	base := poa.Due
	if !poa.DoneOn.IsZero() {
		base = poa.DoneOn
	}
	for i := 0; ; i++ {
		due := adv(base, 42)
		if i == len(evals) {
			if !due.After(end) {
				add(KindEvaluation, i+1, due)
			}
			break
		}
		m := add(KindEvaluation, i+1, due)
		m.DoneOn = evals[i].DoneOn
		base = m.DoneOn
	}

	if dl, ok := s.Vangnet[c.Vangnet]; ok && c.Vangnet != VangnetNone {
		switch {
		case dl.AtEmploymentEnd:
			if !c.EmploymentEnd.IsZero() {
				add(KindUWVReportVangnet, 0, c.EmploymentEnd)
			}
		case dl.WorkingDays:
			add(KindUWVReportVangnet, 0, addWorkingDays(d, dl.Days))
		default:
			add(KindUWVReportVangnet, 0, adv(d, dl.Days))
		}
	}
	add(KindUWVReport42, 0, adv(d, 294))
	add(KindFirstYearEvaluation, 0, adv(d, 363))
	wia := add(KindWIAApplication, 0, adv(d, 650).AddDate(0, 0, 7*voluntary))
	wia.RemindFrom = adv(d, 630).AddDate(0, 0, 7*voluntary)
	add(KindEndOfWageContinuation, 0, end)

	for i := range ms {
		ms[i].Status = status(ms[i], c, today)
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].Due.Equal(ms[j].Due) {
			return ms[i].Due.Before(ms[j].Due)
		}
		return kindOrder[ms[i].Kind] < kindOrder[ms[j].Kind]
	})
	return ms
}

// Valid reports whether k is one of the milestone kinds.
func (k Kind) Valid() bool {
	_, ok := kindOrder[k]
	return ok
}

var kindOrder = map[Kind]int{
	KindProblemAnalysis: 0, KindPlanOfAction: 1, KindEvaluation: 2, KindUWVReportVangnet: 3,
	KindUWVReport42: 4, KindFirstYearEvaluation: 5, KindWIAApplication: 6, KindEndOfWageContinuation: 7,
}

func status(m Milestone, c Case, today time.Time) Status {
	switch {
	case !m.DoneOn.IsZero():
		return StatusDone
	case !c.ClosedOn.IsZero() && !(m.Kind == KindUWVReportVangnet && c.Vangnet == VangnetEmploymentEnd):
		return StatusCancelled
	case today.After(m.Due):
		return StatusOverdue
	default:
		return StatusOpen
	}
}

// advance counts n sick days from from, skipping the gaps that start after
// from (gaps sorted by From).
func advance(gaps []Gap, from time.Time, n int) time.Time {
	d := from.AddDate(0, 0, n)
	for _, g := range gaps {
		if g.From.After(from) && !g.From.After(d) {
			d = d.AddDate(0, 0, g.Days())
		}
	}
	return d
}

// addWorkingDays returns the n-th Monday-to-Friday day after from.
func addWorkingDays(from time.Time, n int) time.Time {
	d := from
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// daysBetween returns to − from in whole days; both are midnight UTC.
func daysBetween(from, to time.Time) int {
	return int(to.Sub(from).Hours()) / 24
}

// ParseVangnetDeadlines reads safety-net deadlines written as
// "no_risk=41d,pregnancy=41d,organ_donation=4wd,employment_end=end" (Nd sick
// days, Nwd working days, end the last day of employment) on top of the
// defaults. It returns an error naming the first bad item, without echoing
// anything but the type names it knows.
func ParseVangnetDeadlines(s string) (Settings, error) {
	out := DefaultSettings()
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, item := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		t := VangnetType(strings.TrimSpace(name))
		if _, known := out.Vangnet[t]; !ok || !known {
			return Settings{}, fmt.Errorf("absence: safety-net deadlines: items must be <type>=<term> with type one of no_risk, pregnancy, organ_donation, employment_end")
		}
		val = strings.TrimSpace(val)
		var dl VangnetDeadline
		switch {
		case val == "end":
			dl.AtEmploymentEnd = true
		case strings.HasSuffix(val, "wd"):
			n, err := strconv.Atoi(strings.TrimSuffix(val, "wd"))
			if err != nil || n < 1 || n > 60 {
				return Settings{}, fmt.Errorf("absence: safety-net deadline of %s: working days must be 1 to 60", t)
			}
			dl.Days, dl.WorkingDays = n, true
		case strings.HasSuffix(val, "d"):
			n, err := strconv.Atoi(strings.TrimSuffix(val, "d"))
			if err != nil || n < 0 || n > 727 {
				return Settings{}, fmt.Errorf("absence: safety-net deadline of %s: days must be 0 to 727", t)
			}
			dl.Days = n
		default:
			return Settings{}, fmt.Errorf("absence: safety-net deadline of %s: use Nd, Nwd or end", t)
		}
		out.Vangnet[t] = dl
	}
	return out, nil
}
