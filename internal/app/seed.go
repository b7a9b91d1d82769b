package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// The demo: two employer tenants, so tenant isolation can be shown, and one
// login per role. Demo addresses use the reserved .test domain.
var (
	demoEmployers = []employer.Employer{
		{Name: "Demo Bouw BV", KvKNumber: "90000001"},
		{Name: "Demo Zorg BV", KvKNumber: "90000002"},
	}
	demoLogins = []demoLogin{
		{Email: "admin@demo.arbokluis.test", Name: "Demo Beheerder", Role: access.RoleAdmin},
		{Email: "kernarts@demo.arbokluis.test", Name: "Demo Kernbedrijfsarts", Role: access.RoleLeadPhysician, BIG: "19000000101"},
		{Email: "arts@demo.arbokluis.test", Name: "Demo Bedrijfsarts", Role: access.RolePhysician, BIG: "19000000201"},
		{Email: "assistent@demo.arbokluis.test", Name: "Demo Praktijkondersteuner", Role: access.RoleMedicalAssistant},
		{Email: "casemanager@demo.arbokluis.test", Name: "Demo Casemanager", Role: access.RoleCaseManager},
		{Email: "arbeidsdeskundige@demo.arbokluis.test", Name: "Demo Arbeidsdeskundige", Role: access.RoleLabourExpert},
		{Email: "fg@demo.arbokluis.test", Name: "Demo Functionaris Gegevensbescherming", Role: access.RolePrivacyOfficer},
		{Email: "hr@bouw.demo.arbokluis.test", Name: "Demo HR Bouw", Role: access.RoleEmployer, Tenant: 0},
		{Email: "hr@zorg.demo.arbokluis.test", Name: "Demo HR Zorg", Role: access.RoleEmployer, Tenant: 1},
		{Email: "werknemer@prive.demo.arbokluis.test", Name: "Demo Werknemer", Role: access.RoleEmployee, Tenant: 0},
	}
)

type demoLogin struct {
	Email, Name, BIG string
	Role             access.Role
	Tenant           int // index into demoEmployers, for tenant-bound roles
}

// ErrNotDemo is returned by Seed when ARBOKLUIS_DEMO=1 is not set.
var ErrNotDemo = errors.New("seed creates demo logins whose names are published; it runs only with " +
	config.EnvDemo + "=1, never against a database with real people")

// seedOutput is what `seed --json` prints.
type seedOutput struct {
	Employers []seedEmployer `json:"employers"`
	Logins    []seedLogin    `json:"logins"`
}

type seedEmployer struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	KvKNumber string `json:"kvk_number"`
	Created   bool   `json:"created"`
}

type seedLogin struct {
	Role       string `json:"role"`
	Email      string `json:"email"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	UserID     string `json:"user_id"`
	EmployerID string `json:"employer_id,omitempty"`
	Created    bool   `json:"created"`
}

// Seed creates the demo through the services and writes its logins to out,
// as text or (asJSON) JSON. It is idempotent: tenants and users are created
// once; every run gives the demo logins fresh credentials and prints them,
// so the output always works.
//
// It refuses, before it connects to anything, unless cfg.Demo is set
// (ARBOKLUIS_DEMO=1): the demo's logins are published, and a database that
// holds them must never be one with real people in it.
func Seed(ctx context.Context, cfg config.Config, asJSON bool, stdout io.Writer) error {
	if !cfg.Demo {
		return ErrNotDemo
	}
	ids, hr, err := consoleIdentity(ctx, cfg)
	if err != nil {
		return err
	}
	defer hr.Close()
	vc, err := newVault(cfg)
	if err != nil {
		return err
	}
	if err := cfg.Require(config.EnvMedDatabaseURL); err != nil {
		return err
	}
	med, err := postgres.Open(ctx, cfg.MedDatabaseURL, 2)
	if err != nil {
		return fmt.Errorf("med pool: %w", err)
	}
	defer med.Close()
	out, err := seed(ctx, newSeedServices(hr, med, ids, vc, cfg.Absence))
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, e := range out.Employers {
		fmt.Fprintf(stdout, "employer %s  %s (KvK %s)\n", e.ID, e.Name, e.KvKNumber)
	}
	fmt.Fprintln(stdout, "demo logins (TOTP: enrol the secret in an authenticator app):")
	for _, l := range out.Logins {
		fmt.Fprintf(stdout, "  %-18s %-40s password %s  TOTP secret %s\n", l.Role, l.Email, l.Password, l.TOTPSecret)
	}
	return nil
}

// seedServices are the services the demo is created through.
type seedServices struct {
	employers   *employer.Service
	ids         *identity.Service
	delegations *identity.Delegations
	employees   *employee.Service
	// employeeStore links the demo employee's login to their record, as
	// an employee invitation does through the API.
	employeeStore *postgres.EmployeeStore
	absences      *absence.Service
	entries       *dossier.Entries
	fitness       *fitness.Service
	// requests files the demo employee's requests.
	requests *rights.Requests
	// grants assigns the demo case manager and labour expert.
	grants *identity.GrantService
}

// newSeedServices wires the seed's services on the hr pool.
func newSeedServices(hr, med *pgxpool.Pool, ids *identity.Service, vc *vault.Client, settings absence.Settings) seedServices {
	es := postgres.NewEmployeeStore(hr)
	return seedServices{
		employers:     employer.NewService(postgres.NewEmployerStore(hr)),
		ids:           ids,
		delegations:   identity.NewDelegations(postgres.NewIdentityStore(hr), nil),
		employees:     employee.NewService(es, vc, nil),
		employeeStore: es,
		absences:      absence.NewService(postgres.NewAbsenceStore(hr), nil, settings, nil),
		entries:       dossier.NewEntries(postgres.NewDossierStore(med), postgres.NewSubjectStore(hr), vc, nil),
		fitness:       fitness.NewService(postgres.NewFitnessStore(hr), nil),
		requests: rights.NewRequests(postgres.NewRequestStore(hr),
			rights.RequestOptions{Entries: postgres.NewDossierStore(med)}),
		grants: identity.NewGrantService(postgres.NewIdentityStore(hr), nil),
	}
}

func seed(ctx context.Context, svc seedServices) (seedOutput, error) {
	employers, ids := svc.employers, svc.ids
	var out seedOutput
	tenants := make([]uuid.UUID, len(demoEmployers))
	for i, de := range demoEmployers {
		e, created, err := employers.Ensure(ctx, de)
		if err != nil {
			return out, err
		}
		tenants[i] = e.ID
		out.Employers = append(out.Employers, seedEmployer{ID: e.ID.String(), Name: e.Name, KvKNumber: e.KvKNumber, Created: created})
	}
	for _, dl := range demoLogins {
		password, err := demoPassword()
		if err != nil {
			return out, err
		}
		var tenant uuid.UUID
		if dl.Role.TenantBound() || caseWorkRole(dl.Role) {
			tenant = tenants[dl.Tenant]
		}
		created := true
		enr, err := ids.AddConsoleUser(ctx, identity.ConsoleUser{
			Email: dl.Email, DisplayName: dl.Name, Password: password, BIGNumber: dl.BIG, Role: dl.Role, EmployerID: tenant,
		})
		if errors.Is(err, derrors.ErrConflict) {
			created = false
			enr, err = ids.ResetConsoleCredentials(ctx, dl.Email, password)
		}
		if err != nil {
			return out, fmt.Errorf("seed %s: %w", dl.Role, err)
		}
		l := seedLogin{Role: string(dl.Role), Email: dl.Email, Password: password, TOTPSecret: enr.TOTPSecret,
			UserID: enr.UserID.String(), Created: created}
		if tenant != uuid.Nil {
			l.EmployerID = tenant.String()
		}
		out.Logins = append(out.Logins, l)
	}
	if err := seedDelegations(ctx, svc.delegations, out, tenants); err != nil {
		return out, err
	}
	if err := seedCaseWorkGrants(ctx, svc.grants, out, tenants); err != nil {
		return out, err
	}
	if err := seedCases(ctx, svc, out, tenants); err != nil {
		return out, err
	}
	return out, nil
}

// demoPerson is a demo employee and the state of their absence, if any:
// sick since sickDaysAgo (0: not sick), with later steps applied in order.
type demoPerson struct {
	tenant      int
	number      string
	first, last string
	born        string
	sickDaysAgo int
	steps       []demoStep
	// login links the demo employee's login to this record.
	login bool
	// dossier gives the person a medical dossier with an entry of every
	// kind, a fitness verdict and published advice.
	dossier bool
}

// demoStep is one step of a demo case, daysAgo before today.
type demoStep struct {
	daysAgo    int
	percentage int          // a change of percentage (when kind is "")
	kind       absence.Kind // a milestone done
	plan       bool         // the plan of action, signed by both
	vangnet    absence.VangnetType
}

var demoPeople = []demoPerson{
	{tenant: 0, number: "B-1001", first: "Gérard", last: "Özdemir", born: "1978-04-12", sickDaysAgo: 20, login: true, dossier: true},
	{tenant: 0, number: "B-1002", first: "Fatima", last: "el Amrani", born: "1985-09-30", sickDaysAgo: 75, dossier: true, steps: []demoStep{
		{daysAgo: 40, kind: absence.KindProblemAnalysis}, {daysAgo: 30, plan: true}, {daysAgo: 25, percentage: 50}}},
	{tenant: 0, number: "B-1003", first: "Jan", last: "de Vries", born: "1966-01-05", sickDaysAgo: 300, steps: []demoStep{
		{daysAgo: 262, kind: absence.KindProblemAnalysis}, {daysAgo: 250, plan: true},
		{daysAgo: 208, kind: absence.KindEvaluation}, {daysAgo: 166, kind: absence.KindEvaluation}, {daysAgo: 120, percentage: 80}}},
	{tenant: 0, number: "B-1004", first: "Anouk", last: "Jansen", born: "1992-07-21", sickDaysAgo: 90, steps: []demoStep{
		{daysAgo: 55, kind: absence.KindProblemAnalysis}, {daysAgo: 45, percentage: 0}}},
	{tenant: 0, number: "B-1005", first: "Pieter", last: "Bakker", born: "1988-11-02"},
	{tenant: 1, number: "Z-2001", first: "Sanne", last: "Visser", born: "1990-02-14", sickDaysAgo: 10, steps: []demoStep{
		{daysAgo: 5, vangnet: absence.VangnetNoRisk}}},
	{tenant: 1, number: "Z-2002", first: "Ĳsbrand", last: "Smit", born: "1975-06-18"},
}

// seedCases adds the demo employees, and on the run that creates an
// employee, their case at its stage, all as the demo case manager.
func seedCases(ctx context.Context, svc seedServices, out seedOutput, tenants []uuid.UUID) error {
	var cm, employeeLogin, doctor uuid.UUID
	for _, l := range out.Logins {
		switch l.Role {
		case string(access.RoleCaseManager):
			cm = uuid.MustParse(l.UserID)
		case string(access.RoleEmployee):
			employeeLogin = uuid.MustParse(l.UserID)
		case string(access.RolePhysician):
			doctor = uuid.MustParse(l.UserID)
		}
	}
	// The demo physician, assigned to both demo employers (seedDelegations).
	physician := access.Actor{Principal: access.Principal{UserID: doctor,
		Grants: []access.Grant{{Role: access.RolePhysician}}, AssignedEmployers: tenants},
		Role: access.RolePhysician, Scope: access.Scope{Employers: tenants}}
	a := access.Actor{Principal: access.Principal{UserID: cm, Grants: []access.Grant{{Role: access.RoleCaseManager}}},
		Role: access.RoleCaseManager, Scope: access.Scope{All: true}}
	today := svc.absences.Today()
	day := func(daysAgo int) time.Time { return today.AddDate(0, 0, -daysAgo) }
	for _, p := range demoPeople {
		born, _ := time.Parse(time.DateOnly, p.born)
		e, err := svc.employees.Create(ctx, a, employee.Employee{EmployerID: tenants[p.tenant], EmployeeNumber: p.number,
			FirstName: p.first, LastName: p.last, DateOfBirth: born, EmploymentStart: born.AddDate(22, 0, 0)})
		if errors.Is(err, derrors.ErrConflict) {
			continue // made by an earlier run
		}
		if err != nil {
			return fmt.Errorf("seed employee %s: %w", p.number, err)
		}
		if p.login && employeeLogin != uuid.Nil {
			ev := audit.Event{ActorUserID: cm, ActorRole: string(access.RoleCaseManager), SubjectEmployeeID: e.ID,
				TenantID: e.EmployerID, Action: audit.ActionGrant, ObjectKind: "employee_login", ObjectID: e.ID.String(),
				Outcome: audit.OutcomeOK}
			if err := svc.employeeStore.LinkLogin(ctx, e.EmployerID, e.ID, employeeLogin, ev); err != nil {
				return fmt.Errorf("seed employee %s login: %w", p.number, err)
			}
		}
		if p.sickDaysAgo == 0 {
			continue
		}
		x, _, err := svc.absences.Report(ctx, a, e.ID, absence.Report{FirstSickDay: day(p.sickDaysAgo), Percentage: 100})
		if err != nil {
			return fmt.Errorf("seed case %s: %w", p.number, err)
		}
		for _, st := range p.steps {
			switch {
			case st.kind != "":
				_, err = svc.absences.RecordMilestone(ctx, a, x.ID, st.kind, day(st.daysAgo), false)
			case st.plan:
				_, err = svc.absences.RecordPlan(ctx, a, x.ID, absence.Plan{
					Goals: "Terugkeer in het eigen werk via opbouw van uren.",
					Activities: []absence.Activity{
						{Description: "Werkplekonderzoek en aanpassing van de werkplek", Who: "Werkgever", ByWhen: day(st.daysAgo - 14)},
						{Description: "Opbouw naar 50% van de contracturen", Who: "Werknemer", ByWhen: day(st.daysAgo - 28)},
					},
					EmployerView:     "Wij zien terugkeer in het eigen werk binnen drie maanden.",
					EmployeeView:     "Ik wil eerst halve dagen werken en dan opbouwen.",
					EmployerSignedOn: day(st.daysAgo), EmployeeSignedOn: day(st.daysAgo),
				})
			case st.vangnet != "":
				_, err = svc.absences.SetVangnetType(ctx, a, x.ID, st.vangnet)
			default:
				_, err = svc.absences.Change(ctx, a, x.ID, day(st.daysAgo), st.percentage)
			}
			if err != nil {
				return fmt.Errorf("seed case %s step: %w", p.number, err)
			}
		}
		if p.dossier {
			if err := seedDossier(ctx, svc, physician, e.ID, x.ID, today); err != nil {
				return fmt.Errorf("seed dossier %s: %w", p.number, err)
			}
		}
		if p.login && employeeLogin != uuid.Nil {
			if err := seedRequests(ctx, svc.requests, employeeLogin, e.EmployerID); err != nil {
				return fmt.Errorf("seed requests %s: %w", p.number, err)
			}
		}
	}
	return nil
}

// seedRequests files, as the demo employee, a request for a copy of the
// medical dossier (the physician's worklist and queue) and one for access
// to the HR data (the privacy officer's register).
func seedRequests(ctx context.Context, requests *rights.Requests, login, tenant uuid.UUID) error {
	a := access.Actor{Principal: access.Principal{UserID: login,
		Grants: []access.Grant{{Role: access.RoleEmployee, EmployerID: tenant}}},
		Role: access.RoleEmployee, Scope: access.Scope{Employers: []uuid.UUID{tenant}}}
	for _, t := range []rights.Type{rights.TypeCopy, rights.TypeAccess} {
		if _, err := requests.File(ctx, a, rights.Filing{Type: t}); err != nil {
			return err
		}
	}
	return nil
}

// demoEntries are the demo dossier's entries, one of every kind. They are
// invented: no real person's medical data.
var demoEntries = []dossier.NewEntry{
	{Kind: dossier.KindConsultation, Text: "Spreekuur: klachten sinds drie weken, slaapt slecht, werkdruk hoog. Afspraak over opbouw."},
	{Kind: dossier.KindNote, Text: "Telefonisch contact met werknemer; voortgang besproken."},
	{Kind: dossier.KindDiagnosis, Text: "Overspanning (demo)."},
	{Kind: dossier.KindTreatingPhysicianInfo, Text: "Huisarts: begeleiding door praktijkondersteuner GGZ gestart."},
	{Kind: dossier.KindExamination, Text: "Geen afwijkingen bij lichamelijk onderzoek."},
	{Kind: dossier.KindOwnStatement, Text: "Werknemer: ik wil eerst halve dagen werken."},
	{Kind: dossier.KindWorkingNote, Text: "Persoonlijke werkaantekening: over twee weken opnieuw beoordelen."},
}

// seedDossier writes the demo dossier of employeeID as the demo physician,
// a partly-fit verdict on the case, and published advice.
func seedDossier(ctx context.Context, svc seedServices, physician access.Actor, employeeID, caseID uuid.UUID, today time.Time) error {
	for _, ne := range demoEntries {
		if _, err := svc.entries.Create(ctx, physician, employeeID, ne); err != nil {
			return err
		}
	}
	if _, err := svc.fitness.Record(ctx, physician, employeeID, fitness.Verdict{Kind: fitness.KindAbsence,
		Verdict: fitness.PartlyFit, WorkAbilityPercentage: 50, AbsenceID: caseID, Date: today}); err != nil {
		return err
	}
	_, err := svc.fitness.Publish(ctx, physician, employeeID, fitness.Advice{AbsenceID: caseID, ExpectedDurationWeeks: 6,
		Limitations:   "Maximaal vier uur per dag; geen piekbelasting of deadlines.",
		Possibilities: "Eigen werk in halve dagen, opbouw per twee weken."})
	return err
}

// caseWorkRole reports whether role works for the employers assigned to
// it (the case manager, the labour expert): the demo's are assigned to
// both demo employers.
func caseWorkRole(role access.Role) bool {
	return role == access.RoleCaseManager || role == access.RoleLabourExpert
}

// seedCaseWorkGrants assigns, on the run that creates them, the demo case
// manager and labour expert to the demo employers besides the first (the
// grant they were created with), as the demo admin would.
func seedCaseWorkGrants(ctx context.Context, grants *identity.GrantService, out seedOutput, tenants []uuid.UUID) error {
	var admin uuid.UUID
	for _, l := range out.Logins {
		if l.Role == string(access.RoleAdmin) {
			admin = uuid.MustParse(l.UserID)
		}
	}
	actor := access.Principal{UserID: admin, Grants: []access.Grant{{Role: access.RoleAdmin}}}
	for _, l := range out.Logins {
		if !l.Created || !caseWorkRole(access.Role(l.Role)) {
			continue
		}
		for _, tenant := range tenants[1:] {
			if _, err := grants.Propose(ctx, actor, identity.GrantProposal{UserID: uuid.MustParse(l.UserID),
				Role: access.Role(l.Role), EmployerID: tenant}, ""); err != nil {
				return fmt.Errorf("seed: assign %s: %w", l.Role, err)
			}
		}
	}
	return nil
}

// seedDelegations sets up, on the run that creates them, what the two-key
// rule needs an admin and a lead physician for: the demo physician assigned
// to both demo employers, and the demo assistant's confidentiality
// statement naming that physician.
func seedDelegations(ctx context.Context, d *identity.Delegations, out seedOutput, tenants []uuid.UUID) error {
	users := map[access.Role]seedLogin{}
	for _, l := range out.Logins {
		users[access.Role(l.Role)] = l
	}
	actor := func(role access.Role) access.Actor {
		id := uuid.MustParse(users[role].UserID)
		return access.Actor{Principal: access.Principal{UserID: id, Grants: []access.Grant{{Role: role}}}, Role: role}
	}
	admin, lead := actor(access.RoleAdmin), actor(access.RoleLeadPhysician)
	physician := uuid.MustParse(users[access.RolePhysician].UserID)
	approve := func(p identity.Delegation, err error) error {
		if err != nil {
			return fmt.Errorf("seed: propose %s: %w", p.Kind, err)
		}
		if _, err := d.Approve(ctx, lead, p.Kind, p.ID); err != nil {
			return fmt.Errorf("seed: approve %s: %w", p.Kind, err)
		}
		return nil
	}
	if users[access.RolePhysician].Created {
		for _, tenant := range tenants {
			if err := approve(d.ProposeAssignment(ctx, admin, identity.Assignment{EmployerID: tenant, PhysicianID: physician})); err != nil {
				return err
			}
		}
	}
	if a := users[access.RoleMedicalAssistant]; a.Created {
		today := time.Now()
		st := identity.Statement{PhysicianID: physician, SignedOn: today.AddDate(0, 0, -1), ExpiresOn: today.AddDate(1, 0, 0)}
		if err := approve(d.ProposeStatement(ctx, admin, uuid.MustParse(a.UserID), st)); err != nil {
			return err
		}
	}
	return nil
}

// demoPassword returns 20 random letters and digits.
func demoPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}
