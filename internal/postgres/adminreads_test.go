package postgres_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestAdminReadStore: the pending proposals list every kind of proposal
// that waits for a second key, with the names of who proposed it and for
// whom, and never what was decided; one user reads back with every grant;
// the staffing of an employer names its assignments and the live
// substitutions of their physicians only. Each audited read writes one
// event.
func TestAdminReadStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewIdentityStore(w.hr)
	admin := w.user(access.RoleAdmin, uuid.Nil)
	lead := w.user(access.RoleLeadPhysician, uuid.Nil)
	phys, sub, other := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil)
	assistant := w.user(access.RoleMedicalAssistant, uuid.Nil)
	tenant, elsewhere := w.employer(), w.employer()
	w.assign(tenant, phys)
	w.assign(elsewhere, other)

	// One proposal of each kind, and decided ones that must not show.
	newcomer := w.user(access.RoleCaseManager, uuid.Nil)
	grant := uuid.New()
	w.exec(`INSERT INTO hr.role_grants (id, user_id, role, status, proposed_by) VALUES ($1, $2, 'physician', 'proposed', $3)`, grant, newcomer, admin)
	action := uuid.New()
	w.exec(`INSERT INTO hr.account_actions (id, kind, user_id, status, proposed_by) VALUES ($1, 'block', $2, 'proposed', $3)`, action, phys, admin)
	w.exec(`INSERT INTO hr.account_actions (kind, user_id, status, proposed_by, decided_at) VALUES ('unblock', $1, 'done', $2, now())`, phys, admin)
	assignment := uuid.New()
	w.exec(`INSERT INTO hr.physician_assignments (id, employer_id, physician_id, proposed_by) VALUES ($1, $2, $3, $4)`, assignment, tenant, sub, admin)
	substitution := uuid.New()
	w.exec(`INSERT INTO hr.substitutions (id, absent_physician_id, substitute_id, starts_on, ends_on, proposed_by)
		VALUES ($1, $2, $3, current_date, current_date + 7, $4)`, substitution, phys, sub, admin)
	w.exec(`INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on, status, proposed_by)
		VALUES ($1, $2, current_date - 30, current_date - 20, 'active', $3)`, phys, other, admin)
	statement := uuid.New()
	w.exec(`INSERT INTO hr.confidentiality_statements (id, assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
		VALUES ($1, $2, $3, current_date, current_date + 365, $4, 'proposed')`, statement, assistant, phys, admin)

	ev := testEvent(lead, audit.ActionRead, "proposal")
	got, err := store.PendingProposals(w.ctx, func([]identity.Proposal) audit.Event { return ev })
	if err != nil {
		t.Fatalf("PendingProposals: %v", err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("PendingProposals stored %d events, want 1", n)
	}
	byID := map[uuid.UUID]identity.Proposal{}
	for _, p := range got {
		if p.Status != "proposed" {
			t.Errorf("PendingProposals listed %s %s in status %q, want only proposed ones", p.Kind, p.ID, p.Status)
		}
		byID[p.ID] = p
	}
	for _, want := range []struct {
		id      uuid.UUID
		kind    identity.ProposalKind
		subject uuid.UUID
	}{
		{grant, identity.ProposalGrant, newcomer}, {action, identity.ProposalAccountAction, phys},
		{assignment, identity.ProposalAssignment, sub}, {substitution, identity.ProposalSubstitution, sub},
		{statement, identity.ProposalStatement, assistant},
	} {
		p, ok := byID[want.id]
		switch {
		case !ok:
			t.Errorf("PendingProposals lacks the %s %s", want.kind, want.id)
		case p.Kind != want.kind || p.SubjectID != want.subject || p.ProposedBy != admin || p.Proposer != "Test Gebruiker" || p.SubjectName == "":
			t.Errorf("PendingProposals %s = %+v, want kind %s about %s proposed by %s with names", want.id, p, want.kind, want.subject, admin)
		}
	}
	if p := byID[grant]; p.Role != access.RolePhysician {
		t.Errorf("PendingProposals grant role = %q, want physician", p.Role)
	}
	if p := byID[assignment]; p.EmployerID != tenant || p.EmployerName == "" {
		t.Errorf("PendingProposals assignment employer = %s %q, want %s with its name", p.EmployerID, p.EmployerName, tenant)
	}
	if p := byID[substitution]; p.PhysicianID != phys || p.StartsOn.IsZero() || p.EndsOn.IsZero() {
		t.Errorf("PendingProposals substitution = %+v, want the absent physician and the period", p)
	}

	t.Run("one user", func(t *testing.T) {
		ev := testEvent(admin, audit.ActionRead, "user")
		u, err := store.User(w.ctx, newcomer, func(identity.UserSummary) audit.Event { return ev })
		if err != nil {
			t.Fatalf("User(%s): %v", newcomer, err)
		}
		if u.ID != newcomer || u.Status != identity.UserActive || len(u.Grants) != 2 {
			t.Errorf("User(%s) = %+v, want the active user with 2 grants", newcomer, u)
		}
		if n := w.events(ev.RequestID); n != 1 {
			t.Errorf("User stored %d events, want 1", n)
		}
		_, err = store.User(w.ctx, uuid.New(), func(identity.UserSummary) audit.Event { return ev })
		if !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("User(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("proposals about one user", func(t *testing.T) {
		for _, want := range []struct {
			user uuid.UUID
			ids  []uuid.UUID
		}{
			{newcomer, nil}, // the proposed grant shows with the grants
			{phys, []uuid.UUID{action}},
			{sub, []uuid.UUID{assignment, substitution}},
			{assistant, []uuid.UUID{statement}},
			{other, nil},
		} {
			u, err := store.User(w.ctx, want.user, func(identity.UserSummary) audit.Event { return testEvent(admin, audit.ActionRead, "user") })
			if err != nil {
				t.Fatalf("User(%s): %v", want.user, err)
			}
			var ids []uuid.UUID
			for _, p := range u.Proposals {
				if p.SubjectID != want.user || p.Status != "proposed" {
					t.Errorf("User(%s) proposal %+v, want only proposed ones about the user", want.user, p)
				}
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, want.ids) {
				t.Errorf("User(%s) proposals = %v, want %v", want.user, ids, want.ids)
			}
		}
	})

	t.Run("search", func(t *testing.T) {
		ev := testEvent(admin, audit.ActionSearch, "user")
		q := strings.ToUpper(newcomer.String()[:13])
		us, err := store.SearchUsers(w.ctx, q, uuid.Nil, 10, func([]identity.UserSummary) audit.Event { return ev })
		if err != nil {
			t.Fatalf("SearchUsers(%q): %v", q, err)
		}
		if len(us) != 1 || us[0].ID != newcomer || len(us[0].Grants) != 2 {
			t.Errorf("SearchUsers(%q) = %+v, want only %s with its 2 grants", q, us, newcomer)
		}
		if n := w.events(ev.RequestID); n != 1 {
			t.Errorf("SearchUsers stored %d events, want 1", n)
		}
	})

	t.Run("active physicians", func(t *testing.T) {
		ps, err := store.ActivePhysicians(w.ctx)
		if err != nil {
			t.Fatalf("ActivePhysicians: %v", err)
		}
		has := func(id uuid.UUID) bool {
			return slices.ContainsFunc(ps, func(u identity.UserSummary) bool { return u.ID == id })
		}
		if !has(phys) || !has(lead) || has(assistant) || has(newcomer) {
			t.Errorf("ActivePhysicians: physician %t, lead %t, assistant %t, proposed physician %t; want true, true, false, false",
				has(phys), has(lead), has(assistant), has(newcomer))
		}
	})

	t.Run("staffing", func(t *testing.T) {
		st, err := store.Staffing(w.ctx, tenant, access.Today(time.Now()))
		if err != nil {
			t.Fatalf("Staffing(%s): %v", tenant, err)
		}
		var kinds []string
		for _, p := range st {
			kinds = append(kinds, string(p.Kind)+":"+p.Status+":"+p.SubjectID.String())
		}
		want := []string{
			"physician_assignment:active:" + phys.String(), "physician_assignment:proposed:" + sub.String(),
			"substitution:proposed:" + sub.String(),
		}
		slices.Sort(kinds)
		slices.Sort(want)
		if !slices.Equal(kinds, want) {
			t.Errorf("Staffing(%s) = %v, want %v (no ended substitution, nothing of another employer)", tenant, kinds, want)
		}
	})
}

// TestEmployerStoreListAndUpdate: the list holds every employer with one
// event; an update changes only the fields of the patch, with its event.
func TestEmployerStoreListAndUpdate(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewEmployerStore(w.hr)
	id := w.employer()
	ev := testEvent(uuid.New(), audit.ActionRead, "employer")
	es, err := store.List(w.ctx, ev)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if !slices.ContainsFunc(es, func(e employer.Employer) bool { return e.ID == id }) {
		t.Errorf("List lacks employer %s", id)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("List stored %d events, want 1", n)
	}
	before, err := store.Get(w.ctx, access.Scope{All: true}, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	share, domains := true, []string{"example.nl", "voorbeeld.test"}
	ev = testEvent(uuid.New(), audit.ActionUpdate, "employer")
	got, err := store.Update(w.ctx, id, employer.Patch{ShareAdviceWithEmployer: &share, MailDomains: &domains}, ev)
	if err != nil {
		t.Fatalf("Update(%s): %v", id, err)
	}
	if !got.ShareAdviceWithEmployer || !slices.Equal(got.MailDomains, domains) || got.Name != before.Name || got.KvKNumber != before.KvKNumber {
		t.Errorf("Update(%s) = %+v, want sharing on, domains %v, name and KvK as before (%+v)", id, got, domains, before)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Update stored %d events, want 1", n)
	}
	empty := []string{}
	if got, err = store.Update(w.ctx, id, employer.Patch{MailDomains: &empty}, testEvent(uuid.New(), audit.ActionUpdate, "employer")); err != nil || len(got.MailDomains) != 0 || !got.ShareAdviceWithEmployer {
		t.Errorf("Update(no domains) = %+v, %v; want no domains, sharing still on", got, err)
	}
	if _, err := store.Update(w.ctx, uuid.New(), employer.Patch{ShareAdviceWithEmployer: &share}, testEvent(uuid.New(), audit.ActionUpdate, "employer")); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Update(unknown) error = %v, want ErrNotFound", err)
	}
}
