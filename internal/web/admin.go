package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// AdminEmployers is what the administrator's portal needs of the employer
// service (employer.Service).
type AdminEmployers interface {
	Create(ctx context.Context, a access.Actor, e employer.Employer) (employer.Employer, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employer.Employer, error)
	List(ctx context.Context, a access.Actor) ([]employer.Employer, error)
	Update(ctx context.Context, a access.Actor, id uuid.UUID, p employer.Patch) (employer.Employer, error)
}

// AdminAccounts is what the administrator's portal needs of the account
// administration (identity.Accounts), as the API's /users routes use it.
type AdminAccounts interface {
	Users(ctx context.Context, a access.Actor, after uuid.UUID, limit int) ([]identity.UserSummary, error)
	Block(ctx context.Context, a access.Actor, userID uuid.UUID) (identity.AccountOutcome, error)
	Unblock(ctx context.Context, a access.Actor, userID uuid.UUID) (identity.AccountOutcome, error)
	RevokeGrant(ctx context.Context, a access.Actor, grantID uuid.UUID) (identity.AccountOutcome, error)
	ResetSecondFactor(ctx context.Context, a access.Actor, userID uuid.UUID, activation identity.Activation) (identity.AccountOutcome, error)
	Approve(ctx context.Context, a access.Actor, id uuid.UUID) (identity.AccountOutcome, error)
}

// AdminGrants is what the portal needs of the grant service
// (identity.GrantService).
type AdminGrants interface {
	Propose(ctx context.Context, actor access.Principal, p identity.GrantProposal, requestID string) (identity.GrantRecord, error)
	Approve(ctx context.Context, actor access.Principal, grantID uuid.UUID, requestID string) (identity.GrantRecord, error)
}

// AdminDelegations is what the portal needs of the two-key delegations
// (identity.Delegations).
type AdminDelegations interface {
	ProposeAssignment(ctx context.Context, a access.Actor, in identity.Assignment) (identity.Delegation, error)
	ProposeSubstitution(ctx context.Context, a access.Actor, in identity.Substitution) (identity.Delegation, error)
	ProposeStatement(ctx context.Context, a access.Actor, assistantID uuid.UUID, st identity.Statement) (identity.Delegation, error)
	Approve(ctx context.Context, a access.Actor, kind identity.DelegationKind, id uuid.UUID) (identity.Delegation, error)
}

// AdminInvitations is what the portal needs to invite staff
// (identity.Invitations).
type AdminInvitations interface {
	Invite(ctx context.Context, actor access.Principal, req identity.InvitationRequest, requestID string) (identity.Invited, error)
}

// AdminReads are the read models of the two-key rule (identity.AdminReads).
type AdminReads interface {
	Pending(ctx context.Context, a access.Actor) ([]identity.Proposal, error)
	User(ctx context.Context, a access.Actor, id uuid.UUID) (identity.UserSummary, error)
	Staffing(ctx context.Context, a access.Actor, employerID uuid.UUID) ([]identity.Proposal, error)
	Physicians(ctx context.Context, a access.Actor) ([]identity.UserSummary, error)
	SearchUsers(ctx context.Context, a access.Actor, q string, after uuid.UUID, limit int) ([]identity.UserSummary, error)
}

// AdminServices are the domain services of the administrator's portal (tenants, users, grants, invitations) and the lead physician's second key on medical-role changes.
type AdminServices struct {
	Employers   AdminEmployers
	Accounts    AdminAccounts
	Grants      AdminGrants
	Delegations AdminDelegations
	Invitations AdminInvitations
	Reads       AdminReads
}

// adminPageNames are the administrator's and the second key's templates.
var adminPageNames = []string{"beheer_werkgevers.html", "beheer_werkgever.html", "beheer_gebruikers.html",
	"beheer_gebruiker.html", "beheer_uitnodigingen.html", "goedkeuren_lijst.html"}

func init() { pageNames = append(pageNames, adminPageNames...) }

// isAdmin reports whether the caller holds an admin grant.
func isAdmin(c caller) bool { return hasRole(c, access.RoleAdmin) }

// adminRoutes registers the administrator's portal (tenants, users, grants, invitations) and the lead physician's second key on medical-role changes.
func (s *Server) adminRoutes() {
	if s.opts.Admin.Employers == nil {
		return
	}
	// The administrator's pages answer every other caller with the 404
	// page; behind that, each asks the API's resource and action.
	home := s.authorized("employers", "list", isAdmin, oneGrantAtATime(s.adminEmployersPage))
	s.addHome(isAdmin, home)
	s.handle("GET /beheer/werkgevers", s.loggedIn(home))
	s.handle("POST /beheer/werkgevers", s.adminOnly("employers", "create", s.adminCreateEmployer))
	s.handle("GET /beheer/werkgevers/{id}", s.adminOnly("employers", "update", s.adminEmployerPage))
	s.handle("POST /beheer/werkgevers/{id}", s.adminOnly("employers", "update", s.adminUpdateEmployer))
	s.handle("POST /beheer/werkgevers/{id}/bedrijfsarts", s.adminOnly("physician_assignments", "propose", s.adminProposeAssignment))
	s.handle("POST /beheer/werkgevers/{id}/vervanging", s.adminOnly("substitutions", "propose", s.adminProposeSubstitution))
	s.handle("GET /beheer/gebruikers", s.adminOnly("users", "list", s.adminUsersPage))
	s.handle("GET /beheer/gebruikers/{id}", s.adminOnly("users", "list", s.adminUserPage))
	s.handle("POST /beheer/gebruikers/{id}/rollen", s.adminOnly("grants", "propose", s.adminProposeGrant))
	s.handle("POST /beheer/gebruikers/{id}/blokkeren", s.adminOnly("users", "block", s.adminAccountAction(AdminAccounts.Block)))
	s.handle("POST /beheer/gebruikers/{id}/deblokkeren", s.adminOnly("users", "unblock", s.adminAccountAction(AdminAccounts.Unblock)))
	s.handle("POST /beheer/gebruikers/{id}/tweede-factor", s.adminOnly("users", "reset_second_factor", s.adminAccountAction(adminReset)))
	s.handle("POST /beheer/gebruikers/{id}/verklaring", s.adminOnly("statements", "propose", s.adminProposeStatement))
	s.handle(adminRevokePattern, s.adminOnly("grants", "revoke", s.adminAccountAction(AdminAccounts.RevokeGrant)))
	// Staff are invited by admins only (the service refuses everyone
	// else); employee logins are issued from the employee's page.
	s.handle("GET /beheer/uitnodigingen", s.adminOnly("invitations", "create", s.adminInvitePage))
	s.handle("POST /beheer/uitnodigingen", s.adminOnly("invitations", "create", s.adminInvite))
	// The lead physician's queue of second keys, one approval route per
	// kind under the API's resource for it.
	s.handle("GET /goedkeuringen", s.allow("grants", "approve", s.approvalsPage))
	s.handle("POST /goedkeuringen/rollen/{id}", s.allow("grants", "approve", s.approve(identity.ProposalGrant)))
	s.handle("POST /goedkeuringen/accountacties/{id}", s.allow("account_actions", "approve", s.approve(identity.ProposalAccountAction)))
	s.handle("POST /goedkeuringen/toewijzingen/{id}", s.allow("physician_assignments", "approve", s.approve(identity.ProposalAssignment)))
	s.handle("POST /goedkeuringen/vervangingen/{id}", s.allow("substitutions", "approve", s.approve(identity.ProposalSubstitution)))
	s.handle("POST /goedkeuringen/verklaringen/{id}", s.allow("statements", "approve", s.approve(identity.ProposalStatement)))
}

// adminOnly is allow for the administrator's pages: a caller without an
// admin grant gets the 404 page (audited as a denied attempt) before the
// grants are asked.
func (s *Server) adminOnly(resource, action string, h pageFunc) http.HandlerFunc {
	return s.allowFor(isAdmin, resource, action, h)
}

// adminRoleChoices are the roles an admin may give by a grant or an
// invitation, in the order the forms list them: every role but the
// employee's (employee logins are issued by staff with an activation code).
var adminRoleChoices = []access.Role{access.RolePhysician, access.RoleLeadPhysician, access.RoleMedicalAssistant,
	access.RoleCaseManager, access.RoleLabourExpert, access.RoleEmployer, access.RolePrivacyOfficer, access.RoleAdmin}

// adminOption is one choice of a select.
type adminOption struct{ Value, Label string }

// adminRoleOptions are adminRoleChoices as select options.
func adminRoleOptions() []adminOption {
	out := make([]adminOption, 0, len(adminRoleChoices))
	for _, r := range adminRoleChoices {
		out = append(out, adminOption{Value: string(r), Label: RoleName(r)})
	}
	return out
}

// adminFieldMessages are the Dutch messages of the administrator's forms,
// by form field.
var adminFieldMessages = map[string]string{
	"naam":        "Vul een naam in van hoogstens 200 tekens, zonder regeleinden.",
	"kvk":         "Vul het KvK-nummer in: 8 cijfers. Een KvK-nummer komt maar één keer voor.",
	"domeinen":    "Vul domeinnamen in zoals voorbeeld.nl, gescheiden door komma’s of spaties (hoogstens 10).",
	"algemeen":    "U heeft niets gewijzigd.",
	"arts":        "Kies een bedrijfsarts uit de lijst.",
	"afwezig":     "Kies de bedrijfsarts die afwezig is.",
	"vervanger":   "Kies een andere bedrijfsarts als vervanger.",
	"van":         "Vul een geldige begindatum in.",
	"tot":         "Vul een einddatum in die niet in het verleden ligt, niet vóór de begindatum, en binnen een jaar.",
	"rol":         "Kies een rol uit de lijst.",
	"werkgever":   "Kies de werkgever: een werkgever-rol hoort bij precies één werkgever; een beheerder of privacyfunctionaris bij geen.",
	"big":         "Vul het BIG-nummer in: 11 cijfers (alleen voor een bedrijfsarts).",
	"getekend_op": "Vul de datum in waarop de geheimhoudingsverklaring is getekend (niet in de toekomst).",
	"verloopt_op": "Vul de datum in waarop de verklaring verloopt (na vandaag).",
	"email":       "Vul een geldig e-mailadres in. Er mag nog geen account met dit adres zijn.",
	"weergave":    "Vul de naam in (hoogstens 200 tekens).",
}

// adminServiceFields are the service's field names and the forms'.
var adminServiceFields = map[string]string{
	"name": "naam", "kvk_number": "kvk", "mail_domains": "domeinen", "fields": "algemeen",
	"physician_id": "arts", "absent_physician_id": "afwezig", "substitute_id": "vervanger",
	"starts_on": "van", "ends_on": "tot", "role": "rol", "employer_id": "werkgever", "big_number": "big",
	"statement": "arts", "statement.physician_id": "arts", "statement.signed_on": "getekend_op",
	"statement.expires_on": "verloopt_op", "signed_on": "getekend_op", "expires_on": "verloopt_op",
	"email": "email", "display_name": "weergave",
}

// adminFields puts the service's field errors on the admin forms, in
// Dutch: a field without its own message says that not all is filled in
// well, and nothing changed ("fields") says so under "algemeen".
var adminFields = fieldTable{message: func(service, form string) string {
	if service == "fields" {
		return adminFieldMessages["algemeen"]
	}
	if msg, ok := adminFieldMessages[form]; ok && form != "algemeen" {
		return msg
	}
	return "Niet alles is goed ingevuld."
}}

// parseDomains reads a list of mail domains typed as one text: separated by
// commas, semicolons or white space, lower-cased; empty parts are dropped.
// It does not validate: the employer service does.
func parseDomains(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, strings.ToLower(p))
	}
	return out
}

// adminDate reads an optional date field (YYYY-MM-DD); a bad value is a
// field error with the form's message.
func adminDate(f form, name string) time.Time {
	v := strings.TrimSpace(f.get(name))
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.fields[name] = adminFieldMessages[name]
	}
	return t
}

// adminID reads a select's uuid; empty is uuid.Nil, anything else that is
// not an id a field error.
func adminID(f form, name string) uuid.UUID {
	v := strings.TrimSpace(f.get(name))
	if v == "" {
		return uuid.Nil
	}
	id, ok := access.ParseID(v)
	if !ok {
		f.fields[name] = adminFieldMessages[name]
	}
	return id
}

// adminEmployerRow is one tenant on the tenants page.
type adminEmployerRow struct {
	ID, Name, KvK, Domains string
	Shares                 bool
}

// adminEmployersPage lists every tenant with the form to add one.
func (s *Server) adminEmployersPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	return s.adminShowEmployers(w, r, a, http.StatusOK, nil, map[string]string{})
}

// adminShowEmployers renders the tenants page with the create form's
// errors and values.
func (s *Server) adminShowEmployers(w http.ResponseWriter, r *http.Request, a access.Actor, status int, fields, kept map[string]string) error {
	es, err := s.opts.Admin.Employers.List(r.Context(), a)
	if err != nil {
		return err
	}
	rows := make([]adminEmployerRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, adminEmployerRow{ID: e.ID.String(), Name: e.Name, KvK: e.KvKNumber,
			Domains: strings.Join(e.MailDomains, ", "), Shares: e.ShareAdviceWithEmployer})
	}
	v := view{Title: "Werkgevers", Fields: fields, Form: kept, Data: rows}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "beheer_werkgevers.html", v)
	return nil
}

// adminCreateEmployer adds a tenant and shows its settings.
func (s *Server) adminCreateEmployer(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	f := employerForm(r, "naam", "kvk", "domeinen", "advies_delen")
	e := employer.Employer{Name: f.get("naam"), KvKNumber: strings.TrimSpace(f.get("kvk")),
		ShareAdviceWithEmployer: f.get("advies_delen") == "ja", MailDomains: parseDomains(f.get("domeinen"))}
	if len(f.fields) == 0 {
		out, err := s.opts.Admin.Employers.Create(r.Context(), a, e)
		if err == nil {
			http.Redirect(w, r, "/beheer/werkgevers/"+out.ID.String(), http.StatusSeeOther)
			return nil
		}
		switch {
		case adminFields.put(err, adminServiceFields, f.fields):
		case errors.Is(err, derrors.ErrConflict):
			f.fields["kvk"] = adminFieldMessages["kvk"]
		default:
			return err
		}
	}
	return s.adminShowEmployers(w, r, a, http.StatusBadRequest, f.fields, f.keep("naam", "kvk", "domeinen", "advies_delen"))
}

// adminStaffRow is one assignment or substitution on the tenant's page.
type adminStaffRow struct {
	Kind, Who, Status, Period, Proposer string
	Pending                             bool
}

// adminEmployerData is the tenant page's data.
type adminEmployerData struct {
	ID, Name, KvK, Created string
	Staff                  []adminStaffRow
	Physicians             []adminOption
	// Absent are the physicians the substitution form offers as absent:
	// those of the tenant's assignments, or every physician when it has
	// none yet.
	Absent []adminOption
}

// adminPhysicians returns the active users with an active physician or
// lead physician grant, by name, as select options.
func (s *Server) adminPhysicians(ctx context.Context, a access.Actor) ([]adminOption, error) {
	us, err := s.opts.Admin.Reads.Physicians(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]adminOption, 0, len(us))
	for _, u := range us {
		out = append(out, adminOption{Value: u.ID.String(), Label: u.DisplayName + " (" + u.Email + ")"})
	}
	return out, nil
}

// adminEmployerView gathers the tenant page under one actor.
func (s *Server) adminEmployerView(ctx context.Context, a access.Actor, id uuid.UUID) (employer.Employer, adminEmployerData, error) {
	e, err := s.opts.Admin.Employers.Get(ctx, a, id)
	if err != nil {
		return employer.Employer{}, adminEmployerData{}, err
	}
	d := adminEmployerData{ID: e.ID.String(), Name: e.Name, KvK: e.KvKNumber, Created: Date(e.CreatedAt.In(employerZone))}
	staff, err := s.opts.Admin.Reads.Staffing(ctx, a, id)
	if err != nil {
		return employer.Employer{}, adminEmployerData{}, err
	}
	seen := map[uuid.UUID]bool{}
	for _, p := range staff {
		row := adminStaffRow{Who: p.SubjectName, Proposer: p.Proposer, Pending: p.Status == string(identity.DelegationProposed)}
		row.Status = "Actief"
		if row.Pending {
			row.Status = "Wacht op de tweede sleutel (hoofd bedrijfsarts)"
		}
		switch p.Kind {
		case identity.ProposalAssignment:
			row.Kind = "Bedrijfsarts"
			if !seen[p.SubjectID] {
				seen[p.SubjectID] = true
				d.Absent = append(d.Absent, adminOption{Value: p.SubjectID.String(), Label: p.SubjectName})
			}
		case identity.ProposalSubstitution:
			row.Kind = "Vervanger van " + p.PhysicianName
			row.Period = Date(p.StartsOn) + " tot en met " + Date(p.EndsOn)
		}
		d.Staff = append(d.Staff, row)
	}
	if d.Physicians, err = s.adminPhysicians(ctx, a); err != nil {
		return employer.Employer{}, adminEmployerData{}, err
	}
	if len(d.Absent) == 0 {
		d.Absent = d.Physicians
	}
	return e, d, nil
}

// adminShowEmployer renders the tenant page with a notice, and the errors
// and kept values of one of its forms.
func (s *Server) adminShowEmployer(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int,
	notice string, fields, kept map[string]string) error {
	e, d, err := s.adminEmployerView(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := view{Title: e.Name, Notice: notice, Fields: fields, Form: kept, Data: d}
	if v.Form == nil {
		v.Form = map[string]string{"naam": e.Name, "domeinen": strings.Join(e.MailDomains, ", "),
			"van": s.employerToday().Format(time.DateOnly)}
		if e.ShareAdviceWithEmployer {
			v.Form["advies_delen"] = "ja"
		}
	}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "beheer_werkgever.html", v)
	return nil
}

// adminNotices are the notices a redirect after a post asks for (?klaar=).
var adminNotices = map[string]string{
	"instellingen": "De instellingen zijn opgeslagen.",
	"arts":         "Het voorstel is opgeslagen. Het geldt pas als een hoofd bedrijfsarts het goedkeurt (de tweede sleutel).",
	"rol":          "De rol is gegeven.",
	"voorstel":     "Het voorstel is opgeslagen. Het geldt pas als een hoofd bedrijfsarts het goedkeurt (de tweede sleutel).",
	"gedaan":       "Het is gedaan.",
	"goedgekeurd":  "Goedgekeurd. Het geldt vanaf nu.",
}

// adminNotice is the notice the query asks for, or "".
func adminNotice(r *http.Request) string { return adminNotices[r.URL.Query().Get("klaar")] }

// adminEmployerPage shows a tenant's contract settings and physicians.
func (s *Server) adminEmployerPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.adminShowEmployer(w, r, a, id, http.StatusOK, adminNotice(r), nil, nil)
}

// adminUpdateEmployer saves a tenant's contract settings: its name, whether
// the physician's advice goes to the employer as well, its mail domains.
func (s *Server) adminUpdateEmployer(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	cur, err := s.opts.Admin.Employers.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	f := employerForm(r, "naam", "domeinen", "advies_delen")
	var p employer.Patch
	if n := strings.TrimSpace(f.get("naam")); n != cur.Name {
		p.Name = &n
	}
	if share := f.get("advies_delen") == "ja"; share != cur.ShareAdviceWithEmployer {
		p.ShareAdviceWithEmployer = &share
	}
	if ds := parseDomains(f.get("domeinen")); !slices.Equal(ds, cur.MailDomains) {
		p.MailDomains = &ds
	}
	if len(f.fields) == 0 {
		_, err := s.opts.Admin.Employers.Update(r.Context(), a, id, p)
		if err == nil {
			http.Redirect(w, r, "/beheer/werkgevers/"+id.String()+"?klaar=instellingen", http.StatusSeeOther)
			return nil
		}
		if !adminFields.put(err, adminServiceFields, f.fields) {
			return err
		}
	}
	kept := f.keep("naam", "domeinen", "advies_delen")
	kept["van"] = s.employerToday().Format(time.DateOnly)
	return s.adminShowEmployer(w, r, a, id, http.StatusBadRequest, "", f.fields, kept)
}

// adminProposeAssignment proposes a physician for a tenant; it takes
// effect when a lead physician approves it.
func (s *Server) adminProposeAssignment(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "arts")
	physician := adminID(f, "arts")
	if physician == uuid.Nil && f.fields["arts"] == "" {
		f.fields["arts"] = adminFieldMessages["arts"]
	}
	if len(f.fields) == 0 {
		_, err := s.opts.Admin.Delegations.ProposeAssignment(r.Context(), a, identity.Assignment{EmployerID: id, PhysicianID: physician})
		if err == nil {
			http.Redirect(w, r, "/beheer/werkgevers/"+id.String()+"?klaar=arts", http.StatusSeeOther)
			return nil
		}
		if !adminFields.put(err, adminServiceFields, f.fields) {
			return err
		}
	}
	return s.adminShowEmployer(w, r, a, id, http.StatusBadRequest, "", f.fields, f.keep("arts"))
}

// adminProposeSubstitution proposes a substitute for one of the tenant's
// physicians for a period; it takes effect when a lead physician approves
// it.
func (s *Server) adminProposeSubstitution(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, "afwezig", "vervanger", "van", "tot")
	sub := identity.Substitution{AbsentPhysicianID: adminID(f, "afwezig"), SubstituteID: adminID(f, "vervanger"),
		StartsOn: adminDate(f, "van"), EndsOn: adminDate(f, "tot")}
	f.require(map[string]string{"afwezig": adminFieldMessages["afwezig"], "vervanger": adminFieldMessages["vervanger"],
		"van": adminFieldMessages["van"], "tot": adminFieldMessages["tot"]})
	if len(f.fields) == 0 {
		_, err := s.opts.Admin.Delegations.ProposeSubstitution(r.Context(), a, sub)
		if err == nil {
			http.Redirect(w, r, "/beheer/werkgevers/"+id.String()+"?klaar=arts", http.StatusSeeOther)
			return nil
		}
		if !adminFields.put(err, adminServiceFields, f.fields) {
			return err
		}
	}
	return s.adminShowEmployer(w, r, a, id, http.StatusBadRequest, "", f.fields, f.keep("afwezig", "vervanger", "van", "tot"))
}

// adminStatusNames are the Dutch names of account states.
var adminStatusNames = map[identity.UserStatus]string{
	identity.UserInvited: "Uitgenodigd (nog niet geactiveerd)", identity.UserActive: "Actief", identity.UserBlocked: "Geblokkeerd",
}

// adminGrantRow is one grant of a user.
type adminGrantRow struct {
	ID, Role, Employer, Status string
	Pending, Active, Revocable bool
}

// adminUserRow is one user on the users page.
type adminUserRow struct {
	ID, Name, Email, Status string
	Grants                  []adminGrantRow
}

// adminGrantRows describes grants in Dutch, with the tenants' names.
func adminGrantRows(gs []identity.GrantRecord, names map[uuid.UUID]string) []adminGrantRow {
	out := make([]adminGrantRow, 0, len(gs))
	for _, g := range gs {
		row := adminGrantRow{ID: g.ID.String(), Role: RoleName(g.Role), Pending: g.Status == identity.GrantProposed,
			Active: g.Status == identity.GrantActive}
		if g.EmployerID != uuid.Nil {
			row.Employer = cmp.Or(names[g.EmployerID], "onbekende werkgever")
		}
		switch g.Status {
		case identity.GrantProposed:
			row.Status = "Wacht op de tweede sleutel (hoofd bedrijfsarts)"
		case identity.GrantActive:
			row.Status = "Actief"
		default:
			row.Status = "Ingetrokken"
		}
		row.Revocable = g.Status != identity.GrantRevoked && g.Role != access.RoleEmployee
		out = append(out, row)
	}
	return out
}

// adminEmployerNames returns the tenants' names by id and as options.
func (s *Server) adminEmployerNames(ctx context.Context, a access.Actor) (map[uuid.UUID]string, []adminOption, error) {
	es, err := s.opts.Admin.Employers.List(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[uuid.UUID]string, len(es))
	opts := make([]adminOption, 0, len(es))
	for _, e := range es {
		names[e.ID] = e.Name
		opts = append(opts, adminOption{Value: e.ID.String(), Label: e.Name})
	}
	return names, opts, nil
}

// adminUsersPageSize is the number of users on one page of the list.
const adminUsersPageSize = 50

// adminUsersData is the users page's data.
type adminUsersData struct {
	Rows []adminUserRow
	Q    string
	Next string
}

// adminUsersPage lists users with their grants and status, a page at a
// time by id (na= the last id of the page before), or those whose name or
// address contains the search text.
func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	d := adminUsersData{Q: strings.TrimSpace(q.Get("zoek"))}
	v := view{Title: "Gebruikers", Form: map[string]string{"zoek": d.Q}, Fields: map[string]string{}}
	var after uuid.UUID
	if na := q.Get("na"); na != "" {
		id, ok := access.ParseID(na)
		if !ok {
			v.Fields["zoek"] = "Deze pagina van de lijst bestaat niet. Begin opnieuw bij de eerste pagina."
		}
		after = id
	}
	if len(d.Q) > identity.MaxSearchLength {
		v.Fields["zoek"] = "Zoek op een naam of e-mailadres van hoogstens 100 tekens."
	}
	if len(v.Fields) > 0 {
		v.Error, v.Data = pageErrorOf(derrors.ErrInvalid).message, adminUsersData{}
		s.render(w, r, http.StatusBadRequest, "beheer_gebruikers.html", v)
		return nil
	}
	if err := s.takeEmployerListRead(r, "users"); err != nil {
		return err
	}
	limit := adminUsersPageSize
	var us []identity.UserSummary
	var err error
	if d.Q == "" {
		us, err = s.opts.Admin.Accounts.Users(r.Context(), a, after, limit)
	} else {
		us, err = s.opts.Admin.Reads.SearchUsers(r.Context(), a, d.Q, after, limit)
	}
	if err != nil {
		return err
	}
	names, _, err := s.adminEmployerNames(r.Context(), a)
	if err != nil {
		return err
	}
	for _, u := range us {
		d.Rows = append(d.Rows, adminUserRow{ID: u.ID.String(), Name: u.DisplayName, Email: u.Email,
			Status: adminStatusNames[u.Status], Grants: adminGrantRows(u.Grants, names)})
	}
	if len(us) == limit {
		next := url.Values{"na": {us[len(us)-1].ID.String()}}
		if d.Q != "" {
			next.Set("zoek", d.Q)
		}
		d.Next = "/beheer/gebruikers?" + next.Encode()
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "beheer_gebruikers.html", v)
	return nil
}

// adminPendingRow is a proposal about a user that waits for its second key.
type adminPendingRow struct{ What, Proposer, Since string }

// adminUserData is the user page's data.
type adminUserData struct {
	ID, Name, Email, Status string
	Blocked, Active         bool
	Grants                  []adminGrantRow
	Pending                 []adminPendingRow
	Assistant               bool
	Roles, Employers        []adminOption
	Physicians              []adminOption
}

// adminActionNames are the Dutch names of account actions.
var adminActionNames = map[identity.AccountActionKind]string{
	identity.ActionBlock: "Blokkeren", identity.ActionUnblock: "Deblokkeren",
	identity.ActionRevokeGrant: "Rol intrekken", identity.ActionSecondFactorReset: "Tweede factor opnieuw instellen",
}

// adminProposalText says what a proposal is, in Dutch.
func adminProposalText(p identity.Proposal) string {
	switch p.Kind {
	case identity.ProposalGrant:
		t := "Rol geven: " + RoleName(p.Role)
		if p.EmployerName != "" {
			t += " bij " + p.EmployerName
		}
		return t
	case identity.ProposalAccountAction:
		t := cmp.Or(adminActionNames[p.Action], string(p.Action))
		if p.Role != "" {
			t += " (" + RoleName(p.Role) + ")"
		}
		return t
	case identity.ProposalAssignment:
		return "Bedrijfsarts worden van " + p.EmployerName
	case identity.ProposalSubstitution:
		return "Vervangen van " + p.PhysicianName + " van " + Date(p.StartsOn) + " tot en met " + Date(p.EndsOn)
	case identity.ProposalStatement:
		return "Geheimhoudingsverklaring: werkt voor " + p.PhysicianName + ", getekend op " + Date(p.StartsOn) +
			", geldig tot " + Date(p.EndsOn)
	}
	return string(p.Kind)
}

// adminUserView gathers the user page under one actor.
func (s *Server) adminUserView(ctx context.Context, a access.Actor, id uuid.UUID) (adminUserData, error) {
	u, err := s.opts.Admin.Reads.User(ctx, a, id)
	if err != nil {
		return adminUserData{}, err
	}
	names, opts, err := s.adminEmployerNames(ctx, a)
	if err != nil {
		return adminUserData{}, err
	}
	d := adminUserData{ID: u.ID.String(), Name: u.DisplayName, Email: u.Email, Status: adminStatusNames[u.Status],
		Blocked: u.Status == identity.UserBlocked, Active: u.Status == identity.UserActive,
		Grants: adminGrantRows(u.Grants, names), Roles: adminRoleOptions(), Employers: opts}
	d.Assistant = slices.ContainsFunc(u.Grants, func(g identity.GrantRecord) bool {
		return g.Role == access.RoleMedicalAssistant && g.Status != identity.GrantRevoked
	})
	for _, p := range u.Proposals { // proposed grants show with the grants
		d.Pending = append(d.Pending, adminPendingRow{What: adminProposalText(p), Proposer: p.Proposer,
			Since: Date(p.ProposedAt.In(employerZone))})
	}
	if d.Physicians, err = s.adminPhysicians(ctx, a); err != nil {
		return adminUserData{}, err
	}
	return d, nil
}

// adminShowUser renders the user page with a notice or an error, and the
// errors and kept values of one of its forms.
func (s *Server) adminShowUser(w http.ResponseWriter, r *http.Request, a access.Actor, id uuid.UUID, status int,
	notice, problem string, fields, kept map[string]string) error {
	d, err := s.adminUserView(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := view{Title: d.Name, Notice: notice, Error: problem, Fields: fields, Form: kept, Data: d}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	if len(fields) > 0 && v.Error == "" {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "beheer_gebruiker.html", v)
	return nil
}

// adminUserPage shows one user: status, grants, what waits for a second
// key, and the actions on the account.
func (s *Server) adminUserPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	return s.adminShowUser(w, r, a, id, http.StatusOK, adminNotice(r), "", nil, nil)
}

// adminGrantForm are the fields of the grant form.
var adminGrantForm = []string{"rol", "werkgever", "big", "arts", "getekend_op", "verloopt_op"}

// adminProposeGrant gives a user a role; a medical role waits for a lead
// physician's second key.
func (s *Server) adminProposeGrant(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	f := employerForm(r, adminGrantForm...)
	role := access.Role(f.get("rol"))
	if !slices.Contains(adminRoleChoices, role) {
		f.fields["rol"] = adminFieldMessages["rol"]
	}
	p := identity.GrantProposal{UserID: id, Role: role, EmployerID: adminID(f, "werkgever"), BIGNumber: strings.TrimSpace(f.get("big"))}
	if role == access.RoleMedicalAssistant {
		p.Statement = &identity.Statement{PhysicianID: adminID(f, "arts"), SignedOn: adminDate(f, "getekend_op"),
			ExpiresOn: adminDate(f, "verloopt_op")}
		f.require(map[string]string{"arts": adminFieldMessages["arts"], "getekend_op": adminFieldMessages["getekend_op"],
			"verloopt_op": adminFieldMessages["verloopt_op"]})
	}
	if len(f.fields) == 0 {
		g, err := s.opts.Admin.Grants.Propose(r.Context(), a.Principal, p, a.RequestID)
		if err == nil {
			done := "rol"
			if g.Status == identity.GrantProposed {
				done = "voorstel"
			}
			http.Redirect(w, r, "/beheer/gebruikers/"+id.String()+"?klaar="+done, http.StatusSeeOther)
			return nil
		}
		switch {
		case adminFields.put(err, adminServiceFields, f.fields):
		case errors.Is(err, derrors.ErrConflict):
			return s.adminShowUser(w, r, a, id, http.StatusConflict, "", "Deze gebruiker heeft deze rol al, of die wacht al op goedkeuring.", nil, f.keep(adminGrantForm...))
		case errors.Is(err, derrors.ErrForbidden):
			return s.adminShowUser(w, r, a, id, http.StatusForbidden, "", "U kunt uzelf geen rol geven.", nil, f.keep(adminGrantForm...))
		default:
			return err
		}
	}
	return s.adminShowUser(w, r, a, id, http.StatusBadRequest, "", "", f.fields, f.keep(adminGrantForm...))
}

// adminProposeStatement records a medical assistant's renewed
// confidentiality statement; it takes effect when a lead physician
// approves it.
func (s *Server) adminProposeStatement(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	names := []string{"arts", "getekend_op", "verloopt_op"}
	f := employerForm(r, names...)
	st := identity.Statement{PhysicianID: adminID(f, "arts"), SignedOn: adminDate(f, "getekend_op"), ExpiresOn: adminDate(f, "verloopt_op")}
	f.require(map[string]string{"arts": adminFieldMessages["arts"], "getekend_op": adminFieldMessages["getekend_op"],
		"verloopt_op": adminFieldMessages["verloopt_op"]})
	if len(f.fields) == 0 {
		_, err := s.opts.Admin.Delegations.ProposeStatement(r.Context(), a, id, st)
		if err == nil {
			http.Redirect(w, r, "/beheer/gebruikers/"+id.String()+"?klaar=voorstel", http.StatusSeeOther)
			return nil
		}
		if !adminFields.put(err, adminServiceFields, f.fields) {
			return err
		}
	}
	return s.adminShowUser(w, r, a, id, http.StatusBadRequest, "", "", f.fields, f.keep(names...))
}

// adminAct is one account action of the account administration, as a
// method expression of AdminAccounts (AdminAccounts.Block).
type adminAct func(svc AdminAccounts, ctx context.Context, a access.Actor, id uuid.UUID) (identity.AccountOutcome, error)

// adminReset resets the user's second factor without an activation code.
func adminReset(svc AdminAccounts, ctx context.Context, a access.Actor, id uuid.UUID) (identity.AccountOutcome, error) {
	return svc.ResetSecondFactor(ctx, a, id, "")
}

// adminConflictMessage says why an account action could not be done.
func adminConflictMessage(err error) string {
	var oe *identity.OffboardingError
	if errors.As(err, &oe) {
		n := strconv.Itoa(oe.Dossiers) + " dossiers"
		if oe.Dossiers == 1 {
			n = "1 dossier"
		}
		return "Dit kan nog niet: deze bedrijfsarts is nog verantwoordelijk voor " + n +
			". Een hoofd bedrijfsarts moet die dossiers eerst aan een andere bedrijfsarts geven."
	}
	return "Dit kan nu niet: het account (of de rol) staat al zo, of er wacht al een voorstel voor hetzelfde op goedkeuring."
}

// adminAccountAction runs an account action on the user (or grant) the
// path names, when the form confirms it (bevestigen=ja), and shows the
// user's page: done, or proposed until a lead
// physician approves it. A refusal (a responsible physician, a state that
// does not allow it) is shown on the user's page.
func (s *Server) adminAccountAction(act adminAct) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		id, err := pathUUID(r)
		if err != nil {
			return err
		}
		// The buttons say what they do; a post without them (a form
		// posted empty) changes no account.
		if r.PostForm.Get("bevestigen") != "ja" {
			return fmt.Errorf("web: account action not confirmed: %w", derrors.ErrInvalid)
		}
		o, err := act(s.opts.Admin.Accounts, r.Context(), a, id)
		if err == nil {
			done := "gedaan"
			if o.Action.Status == identity.AccountActionProposed {
				done = "voorstel"
			}
			http.Redirect(w, r, "/beheer/gebruikers/"+o.Action.UserID.String()+"?klaar="+done, http.StatusSeeOther)
			return nil
		}
		if !errors.Is(err, derrors.ErrConflict) && !errors.Is(err, derrors.ErrForbidden) {
			return err
		}
		user := id
		if r.Pattern == adminRevokePattern {
			// The path names the grant; the form names its user, for the
			// page that shows the refusal.
			if user, _ = access.ParseID(r.PostForm.Get("gebruiker")); user == uuid.Nil {
				return err
			}
		}
		status, msg := http.StatusConflict, adminConflictMessage(err)
		if errors.Is(err, derrors.ErrForbidden) {
			status, msg = http.StatusForbidden, "Dit mag u niet voor uw eigen account doen."
		}
		return s.adminShowUser(w, r, a, user, status, "", msg, nil, nil)
	}
}

// adminRevokePattern is the route of a grant's revocation.
const adminRevokePattern = "POST /beheer/rollen/{id}/intrekken"

// adminInviteNames are the fields of the invitation form.
var adminInviteNames = []string{"email", "weergave", "rol", "werkgever"}

// adminInvitePage shows the form to invite a member of staff.
func (s *Server) adminInvitePage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	return s.adminShowInvite(w, r, a, http.StatusOK, adminInviteNotice(r), "", nil, map[string]string{})
}

// adminInviteNotice is the notice after an invitation was sent.
func adminInviteNotice(r *http.Request) string {
	switch r.URL.Query().Get("klaar") {
	case "uitgenodigd":
		return "De uitnodiging is verstuurd. De link in de e-mail werkt één keer."
	case "voorstel":
		return "De uitnodiging is verstuurd. Een medische rol werkt pas als een hoofd bedrijfsarts die goedkeurt (de tweede sleutel)."
	}
	return ""
}

// adminShowInvite renders the invitation form.
func (s *Server) adminShowInvite(w http.ResponseWriter, r *http.Request, a access.Actor, status int, notice, problem string,
	fields, kept map[string]string) error {
	_, opts, err := s.adminEmployerNames(r.Context(), a)
	if err != nil {
		return err
	}
	v := view{Title: "Medewerker van de arbodienst uitnodigen", Notice: notice, Error: problem, Fields: fields, Form: kept,
		Data: map[string]any{"Roles": adminRoleOptions(), "Employers": opts}}
	if len(fields) > 0 && v.Error == "" {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "beheer_uitnodigingen.html", v)
	return nil
}

// adminInvite invites a member of staff (never an employee) through the
// invitation service, which mails the link through the outbox.
func (s *Server) adminInvite(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	f := employerForm(r, adminInviteNames...)
	role := access.Role(f.get("rol"))
	if !slices.Contains(adminRoleChoices, role) {
		f.fields["rol"] = adminFieldMessages["rol"]
	}
	f.require(map[string]string{"email": adminFieldMessages["email"], "weergave": adminFieldMessages["weergave"]})
	req := identity.InvitationRequest{Email: strings.TrimSpace(f.get("email")), DisplayName: f.get("weergave"), Role: role,
		EmployerID: adminID(f, "werkgever")}
	if len(f.fields) == 0 {
		_, err := s.opts.Admin.Invitations.Invite(r.Context(), a.Principal, req, a.RequestID)
		if err == nil {
			done := "uitgenodigd"
			if role.Medical() {
				done = "voorstel"
			}
			http.Redirect(w, r, "/beheer/uitnodigingen?klaar="+done, http.StatusSeeOther)
			return nil
		}
		switch {
		case adminFields.put(err, adminServiceFields, f.fields):
		case errors.Is(err, derrors.ErrConflict):
			f.fields["email"] = "Er is al een account met dit e-mailadres."
		case errors.Is(err, derrors.ErrUnavailable):
			return s.adminShowInvite(w, r, a, http.StatusServiceUnavailable, "", messageOf(err), nil, f.keep(adminInviteNames...))
		default:
			return err
		}
	}
	return s.adminShowInvite(w, r, a, http.StatusBadRequest, "", "", f.fields, f.keep(adminInviteNames...))
}

// approvalRow is one proposal in the lead physician's queue.
type approvalRow struct {
	Kind, What, Who, Proposer, Since, Action string
	// Own: the caller proposed it or it is about them; the service
	// refuses their key, so the page says so instead of a button.
	Own bool
}

// approvalPaths are the approval routes per kind.
var approvalPaths = map[identity.ProposalKind]string{
	identity.ProposalGrant: "rollen", identity.ProposalAccountAction: "accountacties",
	identity.ProposalAssignment: "toewijzingen", identity.ProposalSubstitution: "vervangingen",
	identity.ProposalStatement: "verklaringen",
}

// approvalKindNames name the kinds in Dutch.
var approvalKindNames = map[identity.ProposalKind]string{
	identity.ProposalGrant: "Medische rol", identity.ProposalAccountAction: "Actie op een medisch account",
	identity.ProposalAssignment: "Bedrijfsarts van een werkgever", identity.ProposalSubstitution: "Vervanging",
	identity.ProposalStatement: "Geheimhoudingsverklaring",
}

// approvalsPage is the lead physician's queue: every proposal that waits
// for a second key, oldest first.
func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	return s.showApprovals(w, r, a, http.StatusOK, adminNotice(r), "")
}

// showApprovals renders the queue with a notice or a refusal.
func (s *Server) showApprovals(w http.ResponseWriter, r *http.Request, a access.Actor, status int, notice, problem string) error {
	ps, err := s.opts.Admin.Reads.Pending(r.Context(), a)
	if err != nil {
		return err
	}
	rows := make([]approvalRow, 0, len(ps))
	for _, p := range ps {
		if p.Kind == identity.ProposalGrant && !p.Role.Medical() {
			continue
		}
		rows = append(rows, approvalRow{Kind: approvalKindNames[p.Kind], What: adminProposalText(p), Who: p.SubjectName,
			Proposer: cmp.Or(p.Proposer, "onbekend"), Since: Date(p.ProposedAt.In(employerZone)),
			Action: "/goedkeuringen/" + approvalPaths[p.Kind] + "/" + p.ID.String(),
			Own:    p.ProposedBy == a.UserID() || p.SubjectID == a.UserID()})
	}
	s.render(w, r, status, "goedkeuren_lijst.html", view{Title: "Goedkeuren (tweede sleutel)", Notice: notice, Error: problem, Data: rows})
	return nil
}

// approve returns the handler that gives the caller's second key to a
// proposal of kind. A refusal (the caller's own proposal, one about
// themselves, one decided already) is shown on the queue.
func (s *Server) approve(kind identity.ProposalKind) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		id, err := pathUUID(r)
		if err != nil {
			return err
		}
		switch kind {
		case identity.ProposalGrant:
			_, err = s.opts.Admin.Grants.Approve(r.Context(), a.Principal, id, a.RequestID)
		case identity.ProposalAccountAction:
			_, err = s.opts.Admin.Accounts.Approve(r.Context(), a, id)
		default:
			_, err = s.opts.Admin.Delegations.Approve(r.Context(), a, identity.DelegationKind(kind), id)
		}
		switch {
		case err == nil:
			http.Redirect(w, r, "/goedkeuringen?klaar=goedgekeurd", http.StatusSeeOther)
			return nil
		case errors.Is(err, derrors.ErrForbidden):
			return s.showApprovals(w, r, a, http.StatusForbidden, "",
				"Dit mag u niet goedkeuren: u heeft het zelf voorgesteld, of het gaat over uzelf. Een andere hoofd bedrijfsarts moet de tweede sleutel geven.")
		case errors.Is(err, derrors.ErrConflict):
			return s.showApprovals(w, r, a, http.StatusConflict, "", adminConflictMessage(err))
		}
		return err
	}
}
