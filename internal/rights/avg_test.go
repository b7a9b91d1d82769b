package rights

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// summary renders outcomes as "category:action[:count][:until][:ground]"
// in order, so that a case's expectation reads as one line.
func summary(os []Outcome) string {
	var parts []string
	for _, o := range os {
		if o.Category == CategoryRegister || o.Category == CategoryAuditLog {
			continue
		}
		p := o.Category + ":" + o.Action
		if o.Count > 0 {
			p += fmt.Sprintf(":%d", o.Count)
		}
		if !o.Until.IsZero() {
			p += ":" + o.Until.Format(time.DateOnly)
		}
		if o.Ground != "" {
			p += ":" + o.Ground
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestPlanErasure(t *testing.T) {
	today := day("2026-12-02")
	c1, c2, c3 := uuid.New(), uuid.New(), uuid.New()
	tests := []struct {
		name      string
		facts     RecordFacts
		wantCases []uuid.UUID
		contact   bool
		bsn       bool
		anonymise bool
		want      string
		status    Status
	}{
		{
			name:   "employed, an open case: everything kept for the legal duties",
			facts:  RecordFacts{HasContact: true, HasBSN: true, Cases: []CaseFact{{ID: c1, Open: true}}},
			want:   "contact_details:retained:legal_obligation bsn:retained:legal_obligation absence_cases:retained:1:legal_retention_duty employee_record:retained:legal_retention_duty",
			status: StatusRefused,
		},
		{
			name: "employed, no open case: contact and BSN go, a case closed over two years ago goes, a recent one stays",
			facts: RecordFacts{HasContact: true, HasBSN: true, Cases: []CaseFact{
				{ID: c1, ClosedOn: day("2024-12-01")}, {ID: c2, ClosedOn: day("2025-06-30")}}},
			wantCases: []uuid.UUID{c1}, contact: true, bsn: true,
			want:   "contact_details:erased:1 bsn:erased:1 absence_cases:erased:1 absence_cases:retained:1:2027-06-30:legal_retention_duty employee_record:retained:legal_retention_duty",
			status: StatusPartlyGranted,
		},
		{
			name:      "a case closed exactly two years ago today goes",
			facts:     RecordFacts{Cases: []CaseFact{{ID: c1, ClosedOn: day("2024-12-02")}}},
			wantCases: []uuid.UUID{c1},
			want:      "contact_details:none_held bsn:none_held absence_cases:erased:1 employee_record:retained:legal_retention_duty",
			status:    StatusPartlyGranted,
		},
		{
			name:  "a case closed two years ago tomorrow stays",
			facts: RecordFacts{Cases: []CaseFact{{ID: c1, ClosedOn: day("2024-12-03")}}},
			want:  "contact_details:none_held bsn:none_held absence_cases:retained:1:2026-12-03:legal_retention_duty employee_record:retained:legal_retention_duty",
			// Nothing held was erased: refused.
			status: StatusRefused,
		},
		{
			name: "employment ended over five years ago, cases long closed: the record is anonymised",
			facts: RecordFacts{EmploymentEnd: day("2021-06-30"), HasContact: true, Cases: []CaseFact{
				{ID: c1, ClosedOn: day("2019-01-01")}, {ID: c2, ClosedOn: day("2021-06-30")}}},
			wantCases: []uuid.UUID{c1, c2}, contact: true, anonymise: true,
			want:   "contact_details:erased:1 bsn:none_held absence_cases:erased:2 employee_record:erased:1",
			status: StatusGranted,
		},
		{
			name:      "employment ended four years ago: the record stays until five years after",
			facts:     RecordFacts{EmploymentEnd: day("2022-12-31"), HasBSN: true, Cases: []CaseFact{{ID: c3, ClosedOn: day("2022-12-31")}}},
			bsn:       true,
			wantCases: []uuid.UUID{c3},
			want:      "contact_details:none_held bsn:erased:1 absence_cases:erased:1 employee_record:retained:2027-12-31:legal_retention_duty",
			status:    StatusPartlyGranted,
		},
		{
			name:   "employment ended long ago but a later case is still in its term: the record waits for it",
			facts:  RecordFacts{EmploymentEnd: day("2019-01-31"), Cases: []CaseFact{{ID: c1, ClosedOn: day("2025-03-01")}}},
			want:   "contact_details:none_held bsn:none_held absence_cases:retained:1:2027-03-01:legal_retention_duty employee_record:retained:2027-03-01:legal_retention_duty",
			status: StatusRefused,
		},
		{
			name:   "an erased record has nothing left",
			facts:  RecordFacts{EmploymentEnd: day("2019-01-31"), Erased: true},
			want:   "contact_details:none_held bsn:none_held absence_cases:none_held employee_record:none_held",
			status: StatusGranted,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eff, out := PlanErasure(tt.facts, today, DefaultRetention)
			if got := summary(out); got != tt.want {
				t.Errorf("PlanErasure outcomes\n got  %s\n want %s", got, tt.want)
			}
			if fmt.Sprint(eff.DeleteCases) != fmt.Sprint(tt.wantCases) || eff.EraseContact != tt.contact || eff.EraseBSN != tt.bsn || eff.Anonymise != tt.anonymise {
				t.Errorf("PlanErasure effect = cases %v contact %v bsn %v anonymise %v; want %v %v %v %v",
					eff.DeleteCases, eff.EraseContact, eff.EraseBSN, eff.Anonymise, tt.wantCases, tt.contact, tt.bsn, tt.anonymise)
			}
			if st, ground := ErasureDecision(out); st != tt.status || (st != StatusGranted) != (ground == GroundLegalRetention) {
				t.Errorf("ErasureDecision = %s %q, want %s (with legal_retention_duty unless granted)", st, ground, tt.status)
			}
			// The register and the audit trail are always kept.
			kept := 0
			for _, o := range out {
				if (o.Category == CategoryRegister || o.Category == CategoryAuditLog) && o.Action == OutcomeRetained {
					kept++
				}
			}
			if kept != 2 {
				t.Errorf("PlanErasure keeps the register and the trail %d times, want 2", kept)
			}
		})
	}
}

func TestFilingCheck(t *testing.T) {
	tests := []struct {
		in      Filing
		want    []string
		wantErr string
	}{
		{Filing{Type: TypeRectification, Fields: []string{"phone", "first_name", "phone"}}, []string{"first_name", "phone"}, ""},
		{Filing{Type: TypeRectification}, nil, ""},
		{Filing{Type: TypeRectification, Fields: []string{"salary"}}, nil, "fields"},
		{Filing{Type: TypeAccess, Fields: []string{"phone"}}, nil, "fields"},
		{Filing{Type: TypeAccess, Text: "x"}, nil, "text"},
		{Filing{Type: TypeCorrection, Text: "x"}, nil, "entry_id"},
		{Filing{Type: "gossip"}, nil, "type"},
	}
	for _, tt := range tests {
		got, err := tt.in.check()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("check(%+v) error = %v, want none", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("check(%+v) error = %v, want one about %s", tt.in, err, tt.wantErr)
		case fmt.Sprint(got) != fmt.Sprint(tt.want):
			t.Errorf("check(%+v) fields = %v, want %v", tt.in, got, tt.want)
		}
	}
}
