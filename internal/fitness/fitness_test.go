package fitness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// TestVerdictVisibleTo: every role × verdict kind × the employee's decision
// × in the dossier's care or not. An absence verdict goes to every role that
// reads verdicts; an examination outcome goes to the employee and the
// physicians in the dossier's care whatever the decision, and to the HR side
// and physicians outside the dossier's care only once released.
func TestVerdictVisibleTo(t *testing.T) {
	type seeing int
	const (
		never         seeing = iota // no verdict of this kind
		always                      // whatever the decision
		released                    // only once the employee released it
		careOrRelease               // always in the dossier's care, else once released
	)
	rules := map[access.Role]struct{ absence, examination seeing }{
		access.RoleEmployer:         {always, released},
		access.RoleCaseManager:      {always, released},
		access.RoleLabourExpert:     {always, released},
		access.RoleEmployee:         {always, always},
		access.RolePhysician:        {always, careOrRelease},
		access.RoleLeadPhysician:    {always, careOrRelease},
		access.RoleMedicalAssistant: {never, never},
		access.RolePrivacyOfficer:   {never, never},
		access.RoleAdmin:            {never, never},
		"":                          {never, never},
		"unknown":                   {never, never},
	}
	decisions := []Decision{"", DecisionPending, DecisionReleased, DecisionBlocked, "maybe"}
	// access.Roles lists every role, so a role added later without an
	// expectation here fails this test.
	for _, role := range append(access.Roles, "", "unknown") {
		rule, ok := rules[role]
		if !ok {
			t.Errorf("no expectation for role %s", role)
			continue
		}
		for _, kind := range []Kind{KindAbsence, KindExamination, "other"} {
			for _, d := range decisions {
				for _, inCare := range []bool{false, true} {
					v := Verdict{ID: uuid.New(), Kind: kind, Decision: d, Outcome: Approved}
					if kind == KindAbsence {
						v.Verdict, v.Outcome = Fit, ""
					}
					want := false
					var s seeing
					switch kind {
					case KindAbsence:
						s = rule.absence
					case KindExamination:
						s = rule.examination
					default:
						s = never
					}
					switch s {
					case always:
						want = true
					case released:
						want = d == DecisionReleased
					case careOrRelease:
						want = inCare || d == DecisionReleased
					}
					t.Run(fmt.Sprintf("%s/%s/%s/inCare=%v", role, kind, d, inCare), func(t *testing.T) {
						if got := v.VisibleTo(role, inCare); got != want {
							t.Errorf("Verdict{Kind: %s, Decision: %q}.VisibleTo(%s, inCare %v) = %v, want %v", kind, d, role, inCare, got, want)
						}
					})
				}
			}
		}
	}
}

// TestOutcomeNoticeNamesTheIdOnly: the employee's notice says there is an
// outcome to view and names its id; it never carries the outcome.
func TestOutcomeNoticeNamesTheIdOnly(t *testing.T) {
	id := uuid.New()
	n := outcomeNotice(id)
	text := strings.ToLower(n.Kind + " " + n.Subject + " " + n.Body)
	if !strings.Contains(n.Body, id.String()) {
		t.Errorf("outcomeNotice(%s).Body = %q, want it to name the id", id, n.Body)
	}
	for _, word := range []string{Approved, Rejected, "goedgekeurd", "afgekeurd", "geschikt"} {
		if strings.Contains(text, word) {
			t.Errorf("outcomeNotice(%s) = %+v holds %q, want no outcome", id, n, word)
		}
	}
}
