package main

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

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// The demo: two employer tenants, so tenant isolation can be shown, and one
// login per role. Demo addresses use the reserved .test domain.
var (
	demoEmployers = []employer.Employer{
		{Name: "Demo Bouw BV", KvKNumber: "90000001"},
		{Name: "Demo Zorg BV", KvKNumber: "90000002"},
	}
	demoLogins = []demoLogin{
		{Email: "admin@demo.arbokluis.test", Name: "Demo Beheerder", Role: identity.RoleAdmin},
		{Email: "kernarts@demo.arbokluis.test", Name: "Demo Kernbedrijfsarts", Role: identity.RoleLeadPhysician, BIG: "19000000101"},
		{Email: "arts@demo.arbokluis.test", Name: "Demo Bedrijfsarts", Role: identity.RolePhysician, BIG: "19000000201"},
		{Email: "assistent@demo.arbokluis.test", Name: "Demo Praktijkondersteuner", Role: identity.RoleMedicalAssistant},
		{Email: "casemanager@demo.arbokluis.test", Name: "Demo Casemanager", Role: identity.RoleCaseManager},
		{Email: "arbeidsdeskundige@demo.arbokluis.test", Name: "Demo Arbeidsdeskundige", Role: identity.RoleLabourExpert},
		{Email: "fg@demo.arbokluis.test", Name: "Demo Functionaris Gegevensbescherming", Role: identity.RolePrivacyOfficer},
		{Email: "hr@bouw.demo.arbokluis.test", Name: "Demo HR Bouw", Role: identity.RoleEmployer, Tenant: 0},
		{Email: "hr@zorg.demo.arbokluis.test", Name: "Demo HR Zorg", Role: identity.RoleEmployer, Tenant: 1},
		{Email: "werknemer@prive.demo.arbokluis.test", Name: "Demo Werknemer", Role: identity.RoleEmployee, Tenant: 0},
	}
)

type demoLogin struct {
	Email, Name, BIG string
	Role             identity.Role
	Tenant           int // index into demoEmployers, for tenant-bound roles
}

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

// seedCmd creates the demo through the services. It is idempotent: tenants
// and users are created once; every run gives the demo logins fresh
// credentials and prints them, so the output always works.
func seedCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	asJSON := false
	for _, a := range args {
		if a != "--json" {
			return usageError(fmt.Sprintf("seed: unknown argument %q", a))
		}
		asJSON = true
	}
	ids, hr, err := consoleIdentity(ctx, cfg)
	if err != nil {
		return err
	}
	defer hr.Close()
	out, err := seed(ctx, employer.NewService(postgres.NewEmployerStore(hr)), ids, identity.NewDelegations(postgres.NewIdentityStore(hr), nil))
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

func seed(ctx context.Context, employers *employer.Service, ids *identity.Service, delegations *identity.Delegations) (seedOutput, error) {
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
		if dl.Role.TenantBound() {
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
	if err := seedDelegations(ctx, delegations, out, tenants); err != nil {
		return out, err
	}
	return out, nil
}

// seedDelegations sets up, on the run that creates them, what the two-key
// rule needs an admin and a lead physician for: the demo physician assigned
// to both demo employers, and the demo assistant's confidentiality
// statement naming that physician.
func seedDelegations(ctx context.Context, d *identity.Delegations, out seedOutput, tenants []uuid.UUID) error {
	users := map[identity.Role]seedLogin{}
	for _, l := range out.Logins {
		users[identity.Role(l.Role)] = l
	}
	actor := func(role identity.Role) identity.Actor {
		id := uuid.MustParse(users[role].UserID)
		return identity.Actor{Principal: identity.Principal{UserID: id, Grants: []identity.Grant{{Role: role}}}, Role: role}
	}
	admin, lead := actor(identity.RoleAdmin), actor(identity.RoleLeadPhysician)
	physician := uuid.MustParse(users[identity.RolePhysician].UserID)
	approve := func(p identity.Delegation, err error) error {
		if err != nil {
			return fmt.Errorf("seed: propose %s: %w", p.Kind, err)
		}
		if _, err := d.Approve(ctx, lead, p.Kind, p.ID); err != nil {
			return fmt.Errorf("seed: approve %s: %w", p.Kind, err)
		}
		return nil
	}
	if users[identity.RolePhysician].Created {
		for _, tenant := range tenants {
			if err := approve(d.ProposeAssignment(ctx, admin, identity.Assignment{EmployerID: tenant, PhysicianID: physician})); err != nil {
				return err
			}
		}
	}
	if a := users[identity.RoleMedicalAssistant]; a.Created {
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
