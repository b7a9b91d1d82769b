package postgres_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/worklist"
)

// TestWorklistStores: the medical side lists the open dossiers of exactly
// the physicians asked for (the responsible one and the one stood in for,
// never another physician's, never a closed dossier), with the newest
// consultation date, the answers since the cut-off and the disclosures
// undecided; the HR side returns the people asked for with their open case,
// its pending problem analysis and their open medical requests only, and
// writes the one list event in its transaction.
func TestWorklistStores(t *testing.T) {
	w := newWorld(t)
	dossiers, people := postgres.NewWorklistDossiers(w.med), postgres.NewWorklistPeople(w.hr)
	tenant := w.employer()
	own, absent, other := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil)
	eOwn, eSub, eOther, eClosed := w.employee(tenant), w.employee(tenant), w.employee(tenant), w.employee(tenant)
	dOwn, dSub := w.dossier(eOwn, own), w.dossier(eSub, absent)
	w.dossier(eOther, other)
	dClosed := w.dossier(eClosed, own)
	w.exec(`UPDATE medical.dossiers SET status = 'closed' WHERE id = $1`, dClosed.ID)

	// Consultations: an old one and a newer one by date of occurrence; a
	// note does not count.
	for _, e := range []struct {
		kind, occurred string
	}{{"consultation", "2026-01-05"}, {"consultation", "2026-02-10"}, {"note", "2026-03-01"}} {
		w.exec(`INSERT INTO medical.entries (id, dossier_id, kind, author_id, occurred_on, ciphertext, key_version)
			VALUES ($1, $2, $3, $4, $5, 'vault:v1:x', 1)`, uuid.New(), dOwn.ID, e.kind, own, e.occurred)
	}
	// An answer received now, one long ago, and a question unanswered; a
	// disclosure undecided.
	consent := uuid.New()
	w.exec(`INSERT INTO medical.consents (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, expires_on, sealed,
		prepared_by, prepared_at) VALUES ($1, $2, $3, 'treating_physician', 'treatment_information', '{note}',
		current_date + 30, 'vault:v1:x', $4, now())`, consent, dSub.ID, eSub, absent)
	answer := uuid.New()
	for _, x := range []struct {
		id       uuid.UUID
		answered string
	}{{answer, "now()"}, {uuid.New(), "now() - interval '90 days'"}, {uuid.New(), ""}} {
		entry := "NULL"
		at := "NULL"
		if x.answered != "" {
			e := uuid.New()
			w.exec(`INSERT INTO medical.entries (id, dossier_id, kind, author_id, ciphertext, key_version)
				VALUES ($1, $2, 'treating_physician_info', $3, 'vault:v1:x', 1)`, e, dSub.ID, absent)
			entry, at = "'"+e.String()+"'", x.answered
		}
		w.exec(`INSERT INTO medical.information_requests (id, dossier_id, consent_id, sealed, asked_by, asked_at, answer_entry_id, answered_at)
			VALUES ($1, $2, $3, 'vault:v1:x', $4, now() - interval '100 days', `+entry+`, `+at+`)`, x.id, dSub.ID, consent, absent)
	}
	disclosure := uuid.New()
	w.exec(`INSERT INTO medical.disclosures (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, basis, sealed,
		registered_by, registered_at) VALUES ($1, $2, $3, 'uwv_insurance_physician', 'benefit_assessment', '{note}',
		'legal_duty', 'vault:v1:x', $4, now())`, disclosure, dSub.ID, eSub, absent)

	got, err := dossiers.InCare(w.ctx, []uuid.UUID{own, absent}, time.Now().AddDate(0, 0, -30), 100)
	if err != nil {
		t.Fatalf("InCare(own, absent): %v", err)
	}
	byEmployee := map[uuid.UUID]worklist.Dossier{}
	var listed []uuid.UUID
	for _, d := range got {
		byEmployee[d.EmployeeID] = d
		listed = append(listed, d.EmployeeID)
	}
	if len(got) != 2 || byEmployee[eOwn].DossierID != dOwn.ID || byEmployee[eSub].DossierID != dSub.ID {
		t.Fatalf("InCare(own, absent) lists the dossiers of %v, want those of %s and %s only (not %s's, not the closed one)", listed, eOwn, eSub, eOther)
	}
	if c := byEmployee[eOwn].LastConsultation; !c.Equal(day("2026-02-10")) {
		t.Errorf("InCare: last consultation of %s = %s, want 2026-02-10", eOwn, c)
	}
	if c := byEmployee[eSub].LastConsultation; !c.IsZero() {
		t.Errorf("InCare: last consultation of %s = %s, want none", eSub, c)
	}
	if a := byEmployee[eSub].Answers; len(a) != 1 || a[0].InformationRequestID != answer {
		t.Errorf("InCare: answers of %s = %+v, want only the recent answer %s", eSub, a, answer)
	}
	if d := byEmployee[eSub].Disclosures; len(d) != 1 || d[0].ID != disclosure {
		t.Errorf("InCare: disclosures of %s = %+v, want %s", eSub, d, disclosure)
	}
	if got, err := dossiers.InCare(w.ctx, []uuid.UUID{other}, time.Now(), 100); err != nil || len(got) != 1 || got[0].EmployeeID != eOther {
		t.Errorf("InCare(other) = %+v, %v; want %s's dossier only", got, err, eOther)
	}
	if got, err := dossiers.InCare(w.ctx, nil, time.Now(), 100); err != nil || len(got) != 0 {
		t.Errorf("InCare(nobody) = %+v, %v; want nothing", got, err)
	}

	// The HR side: an open case with a pending problem analysis, requests
	// open and closed, medical and HR.
	caseID := uuid.New()
	w.exec(`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, created_by)
		VALUES ($1, $2, $3, '2026-03-02', 100, $4)`, caseID, tenant, eSub, own)
	w.exec(`INSERT INTO hr.milestones (absence_id, employer_id, employee_id, kind, n, due, state)
		VALUES ($1, $2, $3, 'problem_analysis', 0, '2026-04-12', 'pending'), ($1, $2, $3, 'plan_of_action', 0, '2026-04-26', 'pending')`,
		caseID, tenant, eSub)
	open, overdue := uuid.New(), uuid.New()
	filer := w.user(access.RoleEmployee, tenant)
	for _, r := range []struct {
		id          uuid.UUID
		typ, status string
		received    string
	}{{open, "copy", "received", "2026-03-01"}, {overdue, "inspection", "in_review", "2026-01-01"},
		{uuid.New(), "erasure", "received", "2026-03-01"}, {uuid.New(), "inspection", "closed", "2026-01-01"}} {
		w.exec(`INSERT INTO hr.requests (id, employer_id, employee_id, type, status, received_on, due_on, filed_by)
			VALUES ($1, $2, $3, $4, $5, $6::date, $6::date + 30, $7)`, r.id, tenant, eSub, r.typ, r.status, r.received, filer)
	}
	w.exec(`UPDATE hr.employees SET user_id = $1 WHERE id = $2`, filer, eSub)
	ev := testEvent(own, audit.ActionRead, "worklist")
	var shown []worklist.Person
	ps, rs, err := people.People(w.ctx, []uuid.UUID{eOwn, eSub, uuid.New()}, func(ps []worklist.Person) []audit.Event {
		shown = ps
		return []audit.Event{ev}
	})
	if err != nil {
		t.Fatalf("People: %v", err)
	}
	if len(ps) != 2 || len(shown) != 2 {
		t.Fatalf("People(own, sub, unknown) = %+v, want the two known people", ps)
	}
	for _, p := range ps {
		switch p.EmployeeID {
		case eOwn:
			if p.Case != nil || p.FirstName != "Anna" || p.EmployerID != tenant || p.EmployerName == "" || p.HasLogin {
				t.Errorf("People: %s = %+v, want Anna of the tenant without a case or login", eOwn, p)
			}
		case eSub:
			if p.Case == nil || p.Case.ID != caseID || !p.Case.ProblemAnalysisDue.Equal(day("2026-04-12")) || !p.Case.FirstSickDay.Equal(day("2026-03-02")) {
				t.Errorf("People: %s case = %+v, want case %s from 2026-03-02, problem analysis due 2026-04-12", eSub, p.Case, caseID)
			}
			if !p.HasLogin {
				t.Errorf("People: %s has no login, want the linked one", eSub)
			}
		default:
			t.Errorf("People returned %s, not asked for", p.EmployeeID)
		}
	}
	var ids []uuid.UUID
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []uuid.UUID{overdue, open}) {
		t.Errorf("People: requests = %v, want the open medical ones, soonest due first: %v", ids, []uuid.UUID{overdue, open})
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("People wrote %d events, want 1", n)
	}

	// The assistant's statement: latest by end date; none is not found.
	assistant := w.user(access.RoleMedicalAssistant, uuid.Nil)
	w.exec(`INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
		VALUES ($1, $2, '2024-01-01', '2025-01-01', $3, 'active')`, assistant, own, other)
	if ph, exp, found, err := people.Statement(w.ctx, assistant); err != nil || !found || ph != own || !exp.Equal(day("2025-01-01")) {
		t.Errorf("Statement(assistant) = %s, %s, %v, %v; want %s, 2025-01-01, found", ph, exp, found, err, own)
	}
	if _, _, found, err := people.Statement(w.ctx, other); err != nil || found {
		t.Errorf("Statement(a physician) found = %v, %v; want none", found, err)
	}
	if names, err := people.Names(w.ctx, []uuid.UUID{own, uuid.New()}); err != nil || len(names) != 1 || names[own] == "" {
		t.Errorf("Names(own, unknown) = %v, %v; want own's name only", names, err)
	}
}

// TestWorklistOpenCases: the employees with an open case at the employers
// the physicians are actively assigned to; not a recovered one, not one
// without a case, not one of an employer assigned to someone else or only
// proposed.
func TestWorklistOpenCases(t *testing.T) {
	w := newWorld(t)
	people := postgres.NewWorklistPeople(w.hr)
	mine, theirs, proposed := w.employer(), w.employer(), w.employer()
	me, other := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil)
	w.assign(mine, me)
	w.assign(theirs, other)
	w.exec(`INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by) VALUES ($1, $2, 'proposed', $2)`, proposed, me)
	sick, healthy, recovered, theirsSick, proposedSick := w.employee(mine), w.employee(mine), w.employee(mine), w.employee(theirs), w.employee(proposed)
	for _, c := range []struct {
		employer, employee uuid.UUID
		closed             bool
	}{{mine, sick, false}, {mine, recovered, true}, {theirs, theirsSick, false}, {proposed, proposedSick, false}} {
		if c.closed {
			w.exec(`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, status, closed_on, close_reason, created_by)
				VALUES ($1, $2, $3, '2026-01-05', 100, 'closed', '2026-02-01', 'recovered', $4)`, uuid.New(), c.employer, c.employee, me)
			continue
		}
		w.exec(`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, created_by)
			VALUES ($1, $2, $3, '2026-03-01', 100, $4)`, uuid.New(), c.employer, c.employee, me)
	}
	got, err := people.OpenCases(w.ctx, []uuid.UUID{me}, 100)
	if err != nil || len(got) != 1 || got[0] != sick {
		t.Errorf("OpenCases(me) = %v, %v; want [%s] (not %s without a case, the recovered %s, %s of another physician's employer, %s of a proposed assignment)",
			got, err, sick, healthy, recovered, theirsSick, proposedSick)
	}
	if got, err := people.OpenCases(w.ctx, nil, 100); err != nil || len(got) != 0 {
		t.Errorf("OpenCases(nobody) = %v, %v; want none", got, err)
	}
}
