package absence

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/access"
)

// day parses a literal date of a test table.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("bad test date %q: %v", s, err)
	}
	return d
}

// render writes a milestone as "kind[#n] due [done=date] [remind=date] status",
// the form the tables below spell out by hand.
func render(m Milestone) string {
	var b strings.Builder
	b.WriteString(string(m.Kind))
	if m.N > 0 {
		fmt.Fprintf(&b, "#%d", m.N)
	}
	b.WriteString(" " + m.Due.Format(time.DateOnly))
	if !m.DoneOn.IsZero() {
		b.WriteString(" done=" + m.DoneOn.Format(time.DateOnly))
	}
	if !m.RemindFrom.IsZero() {
		b.WriteString(" remind=" + m.RemindFrom.Format(time.DateOnly))
	}
	b.WriteString(" " + string(m.Status))
	return b.String()
}

// Every expected date in this file is a literal worked out by hand (day
// counts checked with a calendar), never computed by the code under test.
//
// D = 2026-01-05 (a Monday) unless a case says otherwise:
//   D+41 = 2026-02-15, D+55 = 2026-03-01, D+97 = 2026-04-12,
//   D+294 = 2026-10-26, D+363 = 2027-01-03, D+630 = 2027-09-27,
//   D+650 = 2027-10-17, D+727 = 2028-01-02.

// plain is the calendar of D = 2026-01-05 with nothing done, all open.
var plain = []string{
	"problem_analysis 2026-02-15 open",
	"plan_of_action 2026-03-01 open",
	"evaluation#1 2026-04-12 open",
	"uwv_report_42 2026-10-26 open",
	"first_year_evaluation 2027-01-03 open",
	"wia_application 2027-10-17 remind=2027-09-27 open",
	"end_of_wage_continuation 2028-01-02 open",
}

func TestCalendar(t *testing.T) {
	type done struct {
		kind Kind
		on   string
		late bool
	}
	type gap struct {
		from, to string
		leave    int
	}
	type ext struct {
		kind  ExtensionKind
		weeks int
	}
	tests := []struct {
		name          string
		d             string
		gaps          []gap
		vangnet       VangnetType
		employmentEnd string
		ext           []ext
		done          []done
		closedOn      string
		closeReason   CloseReason
		today         string
		// only, when set, restricts the comparison to these kinds.
		only []Kind
		want []string
	}{
		{name: "fresh case on its first day", d: "2026-01-05", today: "2026-01-05", want: plain},
		{name: "problem analysis open on its due day", d: "2026-01-05", today: "2026-02-15",
			only: []Kind{KindProblemAnalysis}, want: []string{"problem_analysis 2026-02-15 open"}},
		{name: "problem analysis overdue the day after", d: "2026-01-05", today: "2026-02-16",
			only: []Kind{KindProblemAnalysis, KindPlanOfAction},
			want: []string{"problem_analysis 2026-02-15 overdue", "plan_of_action 2026-03-01 open"}},
		{name: "early problem analysis: plan 14 days after it", d: "2026-01-05", today: "2026-02-02",
			done: []done{{KindProblemAnalysis, "2026-02-01", false}},
			only: []Kind{KindProblemAnalysis, KindPlanOfAction, KindEvaluation},
			want: []string{
				"problem_analysis 2026-02-15 done=2026-02-01 done",
				"plan_of_action 2026-02-15 open",
				"evaluation#1 2026-03-29 open",
			}},
		{name: "problem analysis on its due day: plan 14 days later", d: "2026-01-05", today: "2026-02-15",
			done: []done{{KindProblemAnalysis, "2026-02-15", false}},
			only: []Kind{KindProblemAnalysis, KindPlanOfAction},
			want: []string{"problem_analysis 2026-02-15 done=2026-02-15 done", "plan_of_action 2026-03-01 open"}},
		{name: "late problem analysis: plan stays at end of week 8", d: "2026-01-05", today: "2026-03-02",
			done: []done{{KindProblemAnalysis, "2026-02-25", false}},
			only: []Kind{KindProblemAnalysis, KindPlanOfAction},
			want: []string{"problem_analysis 2026-02-15 done=2026-02-25 done", "plan_of_action 2026-03-01 overdue"}},
		{name: "late-onset problem analysis: plan 14 days after it", d: "2026-01-05", today: "2026-03-21",
			done: []done{{KindProblemAnalysis, "2026-03-20", true}},
			only: []Kind{KindProblemAnalysis, KindPlanOfAction, KindEvaluation},
			want: []string{
				"problem_analysis 2026-02-15 done=2026-03-20 done",
				"plan_of_action 2026-04-03 open",
				"evaluation#1 2026-05-15 open",
			}},
		{name: "first evaluation 42 days after the plan's done_on", d: "2026-01-05", today: "2026-03-01",
			done: []done{{KindProblemAnalysis, "2026-02-10", false}, {KindPlanOfAction, "2026-02-25", false}},
			only: []Kind{KindPlanOfAction, KindEvaluation},
			want: []string{"plan_of_action 2026-02-24 done=2026-02-25 done", "evaluation#1 2026-04-08 open"}},
		{name: "evaluation chain from each previous done_on", d: "2026-01-05", today: "2026-05-21",
			done: []done{
				{KindPlanOfAction, "2026-02-25", false},
				// Recorded out of order: numbered by done_on.
				{KindEvaluation, "2026-05-20", false},
				{KindEvaluation, "2026-04-01", false},
			},
			only: []Kind{KindPlanOfAction, KindEvaluation},
			want: []string{
				"plan_of_action 2026-03-01 done=2026-02-25 done",
				"evaluation#1 2026-04-08 done=2026-04-01 done",
				"evaluation#2 2026-05-13 done=2026-05-20 done",
				"evaluation#3 2026-07-01 open",
			}},
		{name: "evaluation from the plan's due date while the plan is not done", d: "2026-01-05", today: "2026-04-13",
			only: []Kind{KindPlanOfAction, KindEvaluation},
			want: []string{"plan_of_action 2026-03-01 overdue", "evaluation#1 2026-04-12 overdue"}},
		{name: "evaluation done without a plan: next from its done_on", d: "2026-01-05", today: "2026-04-11",
			done: []done{{KindEvaluation, "2026-04-10", false}},
			only: []Kind{KindEvaluation},
			want: []string{"evaluation#1 2026-04-12 done=2026-04-10 done", "evaluation#2 2026-05-22 open"}},
		{name: "no next evaluation after the end of wage continuation", d: "2026-01-05", today: "2027-12-07",
			done: []done{{KindPlanOfAction, "2026-02-25", false}, {KindEvaluation, "2027-12-06", false}},
			only: []Kind{KindEvaluation, KindEndOfWageContinuation},
			want: []string{"evaluation#1 2026-04-08 done=2027-12-06 done", "end_of_wage_continuation 2028-01-02 open"}},
		{name: "a wage sanction makes room for the next evaluation", d: "2026-01-05", today: "2027-12-07",
			ext:  []ext{{ExtensionWageSanction, 12}},
			done: []done{{KindPlanOfAction, "2026-02-25", false}, {KindEvaluation, "2027-12-06", false}},
			only: []Kind{KindEvaluation, KindEndOfWageContinuation},
			want: []string{
				"evaluation#1 2026-04-08 done=2027-12-06 done",
				"evaluation#2 2028-01-17 open",
				"end_of_wage_continuation 2028-03-26 open",
			}},
		{name: "one gap before the problem analysis moves everything", d: "2026-01-05",
			gaps: []gap{{"2026-01-20", "2026-02-10", 0}}, today: "2026-02-10",
			want: []string{
				"problem_analysis 2026-03-08 open",
				"plan_of_action 2026-03-22 open",
				"evaluation#1 2026-05-03 open",
				"uwv_report_42 2026-11-16 open",
				"first_year_evaluation 2027-01-24 open",
				"wia_application 2027-11-07 remind=2027-10-18 open",
				"end_of_wage_continuation 2028-01-23 open",
			}},
		{name: "a gap after a due date leaves that date alone", d: "2026-01-05",
			gaps: []gap{{"2026-03-10", "2026-03-30", 0}}, today: "2026-03-30",
			want: []string{
				"problem_analysis 2026-02-15 overdue",
				"plan_of_action 2026-03-01 overdue",
				"evaluation#1 2026-05-02 open",
				"uwv_report_42 2026-11-15 open",
				"first_year_evaluation 2027-01-23 open",
				"wia_application 2027-11-06 remind=2027-10-17 open",
				"end_of_wage_continuation 2028-01-22 open",
			}},
		{name: "two gaps add up", d: "2026-01-05",
			gaps:  []gap{{"2026-02-01", "2026-02-16", 0}, {"2026-01-12", "2026-01-22", 0}},
			today: "2026-02-16",
			only:  []Kind{KindProblemAnalysis, KindPlanOfAction, KindEvaluation, KindUWVReport42, KindEndOfWageContinuation},
			want: []string{
				"problem_analysis 2026-03-12 open",
				"plan_of_action 2026-03-26 open",
				"evaluation#1 2026-05-07 open",
				"uwv_report_42 2026-11-20 open",
				"end_of_wage_continuation 2028-01-27 open",
			}},
		{name: "a second gap reached only through the first", d: "2026-01-05",
			gaps:  []gap{{"2026-01-12", "2026-01-22", 0}, {"2026-02-20", "2026-03-05", 0}},
			today: "2026-03-05",
			only:  []Kind{KindProblemAnalysis, KindPlanOfAction, KindEndOfWageContinuation},
			want: []string{
				"problem_analysis 2026-03-10 open",
				"plan_of_action 2026-03-24 open",
				"end_of_wage_continuation 2028-01-25 open",
			}},
		{name: "pregnancy leave inside the gap: the whole gap still moves dates", d: "2026-01-05",
			gaps: []gap{{"2026-01-15", "2026-02-24", 13}}, today: "2026-02-24",
			want: []string{
				"problem_analysis 2026-03-27 open",
				"plan_of_action 2026-04-10 open",
				"evaluation#1 2026-05-22 open",
				"uwv_report_42 2026-12-05 open",
				"first_year_evaluation 2027-02-12 open",
				"wia_application 2027-11-26 remind=2027-11-06 open",
				"end_of_wage_continuation 2028-02-11 open",
			}},
		{name: "year boundary", d: "2025-12-15", today: "2025-12-15",
			want: []string{
				"problem_analysis 2026-01-25 open",
				"plan_of_action 2026-02-08 open",
				"evaluation#1 2026-03-22 open",
				"uwv_report_42 2026-10-05 open",
				"first_year_evaluation 2026-12-13 open",
				"wia_application 2027-09-26 remind=2027-09-06 open",
				"end_of_wage_continuation 2027-12-12 open",
			}},
		{name: "leap year: week 6 ends on 1 March", d: "2028-01-20", today: "2028-01-20",
			only: []Kind{KindProblemAnalysis, KindPlanOfAction, KindEndOfWageContinuation},
			want: []string{
				"problem_analysis 2028-03-01 open",
				"plan_of_action 2028-03-15 open",
				"end_of_wage_continuation 2030-01-16 open",
			}},
		{name: "same dates a year earlier, no 29 February", d: "2027-01-20", today: "2027-01-20",
			only: []Kind{KindProblemAnalysis, KindPlanOfAction, KindEndOfWageContinuation},
			want: []string{
				"problem_analysis 2027-03-02 open",
				"plan_of_action 2027-03-16 open",
				"end_of_wage_continuation 2029-01-16 open",
			}},
		{name: "104 weeks across 29 February 2028", d: "2027-03-01", today: "2027-03-01",
			want: []string{
				"problem_analysis 2027-04-11 open",
				"plan_of_action 2027-04-25 open",
				"evaluation#1 2027-06-06 open",
				"uwv_report_42 2027-12-20 open",
				"first_year_evaluation 2028-02-27 open",
				"wia_application 2028-12-10 remind=2028-11-20 open",
				"end_of_wage_continuation 2029-02-25 open",
			}},
		{name: "wage sanction moves only the end", d: "2026-01-05", today: "2026-01-05",
			ext:  []ext{{ExtensionWageSanction, 12}},
			only: []Kind{KindWIAApplication, KindEndOfWageContinuation},
			want: []string{
				"wia_application 2027-10-17 remind=2027-09-27 open",
				"end_of_wage_continuation 2028-03-26 open",
			}},
		{name: "voluntary extension moves the WIA date and the end", d: "2026-01-05", today: "2026-01-05",
			ext:  []ext{{ExtensionVoluntary, 10}},
			only: []Kind{KindWIAApplication, KindEndOfWageContinuation},
			want: []string{
				"wia_application 2027-12-26 remind=2027-12-06 open",
				"end_of_wage_continuation 2028-03-12 open",
			}},
		{name: "sanction and voluntary extension add up", d: "2026-01-05", today: "2026-01-05",
			ext:  []ext{{ExtensionWageSanction, 12}, {ExtensionVoluntary, 10}},
			only: []Kind{KindWIAApplication, KindEndOfWageContinuation},
			want: []string{
				"wia_application 2027-12-26 remind=2027-12-06 open",
				"end_of_wage_continuation 2028-06-04 open",
			}},
		{name: "recovery closes: what was not done is cancelled", d: "2026-01-05", today: "2026-06-01",
			done:     []done{{KindProblemAnalysis, "2026-02-10", false}},
			closedOn: "2026-03-15", closeReason: CloseRecovered,
			want: []string{
				"problem_analysis 2026-02-15 done=2026-02-10 done",
				"plan_of_action 2026-02-24 cancelled",
				"evaluation#1 2026-04-07 cancelled",
				"uwv_report_42 2026-10-26 cancelled",
				"first_year_evaluation 2027-01-03 cancelled",
				"wia_application 2027-10-17 remind=2027-09-27 cancelled",
				"end_of_wage_continuation 2028-01-02 cancelled",
			}},
		{name: "a done milestone stays done after a late recording", d: "2026-01-05", today: "2026-04-01",
			done: []done{{KindProblemAnalysis, "2026-03-30", false}},
			only: []Kind{KindProblemAnalysis, KindPlanOfAction},
			want: []string{"problem_analysis 2026-02-15 done=2026-03-30 done", "plan_of_action 2026-03-01 overdue"}},
		{name: "no-risk safety net: report within 6 weeks, listed after the analysis", d: "2026-01-05",
			vangnet: VangnetNoRisk, today: "2026-01-05",
			only: []Kind{KindProblemAnalysis, KindUWVReportVangnet, KindPlanOfAction},
			want: []string{
				"problem_analysis 2026-02-15 open",
				"uwv_report_vangnet 2026-02-15 open",
				"plan_of_action 2026-03-01 open",
			}},
		{name: "no-risk safety net counts sick days past a gap", d: "2026-01-05",
			vangnet: VangnetNoRisk, gaps: []gap{{"2026-01-20", "2026-02-10", 0}}, today: "2026-02-10",
			only: []Kind{KindUWVReportVangnet},
			want: []string{"uwv_report_vangnet 2026-03-08 open"}},
		{name: "pregnancy safety net: within 6 weeks", d: "2026-01-05", vangnet: VangnetPregnancy, today: "2026-02-16",
			only: []Kind{KindUWVReportVangnet},
			want: []string{"uwv_report_vangnet 2026-02-15 overdue"}},
		{name: "organ donation: 4th working day over a weekend", d: "2026-01-08", vangnet: VangnetOrganDonation,
			today: "2026-01-14",
			only:  []Kind{KindUWVReportVangnet},
			want:  []string{"uwv_report_vangnet 2026-01-14 open"}},
		{name: "organ donation reported on a Friday", d: "2026-01-09", vangnet: VangnetOrganDonation,
			today: "2026-01-16",
			only:  []Kind{KindUWVReportVangnet},
			want:  []string{"uwv_report_vangnet 2026-01-15 overdue"}},
		{name: "employment-end safety net without a known end: no report yet", d: "2026-01-05",
			vangnet: VangnetEmploymentEnd, today: "2026-01-05",
			only: []Kind{KindUWVReportVangnet}, want: nil},
		{name: "employment-end safety net on the last day of employment", d: "2026-01-05",
			vangnet: VangnetEmploymentEnd, employmentEnd: "2026-03-31", today: "2026-03-01",
			only: []Kind{KindUWVReportVangnet, KindPlanOfAction},
			want: []string{"plan_of_action 2026-03-01 open", "uwv_report_vangnet 2026-03-31 open"}},
		{name: "employment end closes the case; its own safety-net report is not cancelled", d: "2026-01-05",
			vangnet: VangnetEmploymentEnd, employmentEnd: "2026-03-31",
			closedOn: "2026-04-01", closeReason: CloseEmploymentEnd, today: "2026-04-10",
			want: []string{
				"problem_analysis 2026-02-15 cancelled",
				"plan_of_action 2026-03-01 cancelled",
				"uwv_report_vangnet 2026-03-31 overdue",
				"evaluation#1 2026-04-12 cancelled",
				"uwv_report_42 2026-10-26 cancelled",
				"first_year_evaluation 2027-01-03 cancelled",
				"wia_application 2027-10-17 remind=2027-09-27 cancelled",
				"end_of_wage_continuation 2028-01-02 cancelled",
			}},
		{name: "death closes the case", d: "2026-01-05", closedOn: "2026-01-20", closeReason: CloseDeath,
			today: "2026-01-21",
			only:  []Kind{KindProblemAnalysis, KindEndOfWageContinuation},
			want: []string{
				"problem_analysis 2026-02-15 cancelled",
				"end_of_wage_continuation 2028-01-02 cancelled",
			}},
		{name: "first-year evaluation and the UWV report done", d: "2026-01-05", today: "2027-01-10",
			done: []done{{KindUWVReport42, "2026-10-20", false}, {KindFirstYearEvaluation, "2027-01-04", false}},
			only: []Kind{KindUWVReport42, KindFirstYearEvaluation, KindWIAApplication},
			want: []string{
				"uwv_report_42 2026-10-26 done=2026-10-20 done",
				"first_year_evaluation 2027-01-03 done=2027-01-04 done",
				"wia_application 2027-10-17 remind=2027-09-27 open",
			}},
		{name: "WIA application overdue after week 93", d: "2026-01-05", today: "2027-10-18",
			only: []Kind{KindWIAApplication, KindEndOfWageContinuation},
			want: []string{
				"wia_application 2027-10-17 remind=2027-09-27 overdue",
				"end_of_wage_continuation 2028-01-02 open",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Case{FirstSickDay: day(t, tt.d), Vangnet: tt.vangnet, CloseReason: tt.closeReason}
			for _, g := range tt.gaps {
				c.Gaps = append(c.Gaps, Gap{From: day(t, g.from), To: day(t, g.to), LeaveDays: g.leave})
			}
			for _, e := range tt.ext {
				c.Extensions = append(c.Extensions, Extension{Kind: e.kind, Weeks: e.weeks})
			}
			for _, x := range tt.done {
				c.Done = append(c.Done, Done{Kind: x.kind, DoneOn: day(t, x.on), LateOnset: x.late})
			}
			if tt.employmentEnd != "" {
				c.EmploymentEnd = day(t, tt.employmentEnd)
			}
			if tt.closedOn != "" {
				c.ClosedOn = day(t, tt.closedOn)
			}
			var got []string
			for _, m := range Calendar(c, DefaultSettings(), day(t, tt.today)) {
				if tt.only != nil && !containsKind(tt.only, m.Kind) {
					continue
				}
				got = append(got, render(m))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Calendar(D=%s, today=%s):\ngot:\n  %s\nwant:\n  %s", tt.d, tt.today,
					strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func TestMerges(t *testing.T) {
	tests := []struct {
		recovered, next string
		leave           int
		want            bool
	}{
		{"2026-02-01", "2026-02-01", 0, true},  // sick again on the day back
		{"2026-02-01", "2026-02-28", 0, true},  // gap 27
		{"2026-02-01", "2026-03-01", 0, false}, // gap 28: a new case
		{"2026-02-01", "2026-03-13", 13, true}, // gap 40, 13 of them leave: 27
		{"2026-02-01", "2026-03-13", 12, false},
		{"2027-12-20", "2028-01-16", 0, true},  // gap 27 over the year end
		{"2028-02-10", "2028-03-09", 0, false}, // gap 28 over 29 February
		{"2027-02-10", "2027-03-09", 0, true},  // the same dates in a common year: 27
	}
	for _, tt := range tests {
		got := Merges(day(t, tt.recovered), day(t, tt.next), tt.leave)
		if got != tt.want {
			t.Errorf("Merges(%s, %s, %d) = %v, want %v", tt.recovered, tt.next, tt.leave, got, tt.want)
		}
	}
}

// TestFactsFromChanges checks that percentages above zero keep one period
// running and that only a recovery followed by a new report makes a gap.
func TestFactsFromChanges(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		want    []string // the problem analysis and the plan, enough to see a gap
	}{
		{name: "partial and falling percentages keep the case running",
			changes: []Change{
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-01-05"), Percentage: 100},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-01-19"), Percentage: 50},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-02-02"), Percentage: 20},
			},
			want: []string{"problem_analysis 2026-02-15 open", "plan_of_action 2026-03-01 open"}},
		{name: "a rising percentage keeps the case running",
			changes: []Change{
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-01-05"), Percentage: 40},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-01-12"), Percentage: 100},
			},
			want: []string{"problem_analysis 2026-02-15 open", "plan_of_action 2026-03-01 open"}},
		{name: "recovery and a new report within 28 days make a gap",
			changes: []Change{
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-01-05"), Percentage: 100},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-01-20"), Percentage: 0},
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-02-10"), Percentage: 100},
			},
			want: []string{"problem_analysis 2026-03-08 open", "plan_of_action 2026-03-22 open"}},
		{name: "two recoveries make two gaps",
			changes: []Change{
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-01-05"), Percentage: 100},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-01-12"), Percentage: 0},
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-01-22"), Percentage: 60},
				{Kind: ChangeChange, EffectiveOn: day(t, "2026-02-01"), Percentage: 0},
				{Kind: ChangeReport, EffectiveOn: day(t, "2026-02-16"), Percentage: 100},
			},
			want: []string{"problem_analysis 2026-03-12 open", "plan_of_action 2026-03-26 open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Absence{FirstSickDay: day(t, "2026-01-05"), Changes: tt.changes}
			var got []string
			for _, m := range a.Milestones(DefaultSettings(), day(t, "2026-01-05")) {
				if m.Kind == KindProblemAnalysis || m.Kind == KindPlanOfAction {
					got = append(got, render(m))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Absence.Milestones: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVisibleMilestonesHideTheSafetyNetReport(t *testing.T) {
	a := Absence{FirstSickDay: day(t, "2026-01-05"), VangnetType: VangnetOrganDonation, Vangnet: true}
	for _, tt := range []struct {
		role       access.Role
		wantReport bool
	}{
		{access.RoleEmployer, false}, {access.RoleEmployee, false}, {access.RoleCaseManager, true},
		{access.RoleLabourExpert, true}, {access.RolePhysician, true},
	} {
		var found bool
		for _, m := range a.VisibleMilestones(tt.role, DefaultSettings(), day(t, "2026-01-05")) {
			found = found || m.Kind == KindUWVReportVangnet
		}
		if found != tt.wantReport {
			t.Errorf("VisibleMilestones(%s): uwv_report_vangnet listed = %v, want %v", tt.role, found, tt.wantReport)
		}
		if got := a.ForRole(tt.role).VangnetType; (got != VangnetNone) != tt.wantReport {
			t.Errorf("ForRole(%s).VangnetType = %q; want it shown = %v", tt.role, got, tt.wantReport)
		}
	}
}

func TestToday(t *testing.T) {
	tests := []struct {
		now  string
		want string
	}{
		{"2026-01-14T22:59:59Z", "2026-01-14"}, // 23:59:59 CET
		{"2026-01-14T23:00:00Z", "2026-01-15"}, // midnight CET
		{"2026-07-01T21:59:59Z", "2026-07-01"}, // 23:59:59 CEST
		{"2026-07-01T22:00:00Z", "2026-07-02"}, // midnight CEST
		{"2026-03-28T23:30:00Z", "2026-03-29"}, // the night summer time starts
	}
	for _, tt := range tests {
		now, err := time.Parse(time.RFC3339, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		s := NewService(nil, nil, DefaultSettings(), func() time.Time { return now })
		if got := s.Today().Format(time.DateOnly); got != tt.want {
			t.Errorf("Today() at %s = %s, want %s", tt.now, got, tt.want)
		}
	}
}

func TestParseVangnetDeadlines(t *testing.T) {
	tests := []struct {
		in      string
		want    map[VangnetType]VangnetDeadline
		wantErr bool
	}{
		{in: "", want: DefaultSettings().Vangnet},
		{in: "no_risk=30d", want: map[VangnetType]VangnetDeadline{
			VangnetNoRisk: {Days: 30}, VangnetPregnancy: {Days: 41},
			VangnetOrganDonation: {Days: 4, WorkingDays: true}, VangnetEmploymentEnd: {AtEmploymentEnd: true},
		}},
		{in: " organ_donation = 5wd , pregnancy=end ", want: map[VangnetType]VangnetDeadline{
			VangnetNoRisk: {Days: 41}, VangnetPregnancy: {AtEmploymentEnd: true},
			VangnetOrganDonation: {Days: 5, WorkingDays: true}, VangnetEmploymentEnd: {AtEmploymentEnd: true},
		}},
		{in: "unknown=4d", wantErr: true},
		{in: "no_risk", wantErr: true},
		{in: "no_risk=4", wantErr: true},
		{in: "no_risk=-1d", wantErr: true},
		{in: "no_risk=728d", wantErr: true},
		{in: "organ_donation=0wd", wantErr: true},
		{in: "organ_donation=61wd", wantErr: true},
		{in: "no_risk=4d,", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseVangnetDeadlines(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseVangnetDeadlines(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if fmt.Sprint(got.Vangnet) != fmt.Sprint(tt.want) {
			t.Errorf("ParseVangnetDeadlines(%q) = %v, want %v", tt.in, got.Vangnet, tt.want)
		}
	}
}

// FuzzParseVangnetDeadlines checks that no input panics, that accepted
// settings are within their bounds, and that errors never echo the input.
func FuzzParseVangnetDeadlines(f *testing.F) {
	for _, s := range []string{"", "no_risk=41d", "organ_donation=4wd,employment_end=end", "x=1", "no_risk=99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseVangnetDeadlines(s)
		if err != nil {
			// Every message is one of a few fixed texts naming a known type
			// at most, so nothing of the input can be echoed.
			msg := err.Error()
			for _, k := range []VangnetType{VangnetNoRisk, VangnetPregnancy, VangnetOrganDonation, VangnetEmploymentEnd} {
				msg = strings.Replace(msg, "deadline of "+string(k)+":", "deadline of T:", 1)
			}
			switch msg {
			case "absence: safety-net deadlines: items must be <type>=<term> with type one of no_risk, pregnancy, organ_donation, employment_end",
				"absence: safety-net deadline of T: working days must be 1 to 60",
				"absence: safety-net deadline of T: days must be 0 to 727",
				"absence: safety-net deadline of T: use Nd, Nwd or end":
			default:
				t.Errorf("ParseVangnetDeadlines(%q) error %q is not one of the fixed messages", s, err)
			}
			return
		}
		for k, dl := range got.Vangnet {
			if dl.Days < 0 || dl.Days > 727 || (dl.WorkingDays && (dl.Days < 1 || dl.Days > 60)) {
				t.Errorf("ParseVangnetDeadlines(%q): %s = %+v out of bounds", s, k, dl)
			}
		}
		if len(got.Vangnet) != 4 {
			t.Errorf("ParseVangnetDeadlines(%q) has %d types, want 4", s, len(got.Vangnet))
		}
	})
}
