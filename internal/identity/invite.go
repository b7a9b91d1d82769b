package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/text"
)

// InvitationTTL is how long an invitation link to a staff login works.
// Employee invitations work for the activation TTL instead.
const InvitationTTL = 72 * time.Hour

// InvitationRequest asks to invite a person with one role.
type InvitationRequest struct {
	Email, DisplayName string
	Role               access.Role
	EmployerID         uuid.UUID // for employer and employee invitations
	// EmployeeID, for an employee invitation, is the employee record of
	// EmployerID that the new login belongs to: the employee then sees
	// their own data through it. Required for employee invitations.
	EmployeeID uuid.UUID
	// Activation, for an employee invitation, is how its activation code
	// reaches the employee. Required for employee invitations.
	Activation Activation
}

// NewInvitation is an invitation to store: an invited user (created, or
// the existing invited user), its grant and the link's token hash.
type NewInvitation struct {
	ID          uuid.UUID // the invitation (link) id
	UserID      uuid.UUID // a fresh id; the store returns the existing one for a re-invitation
	Email       string
	DisplayName string
	Grant       GrantRecord
	// EmployeeID, when set, is the employee record (of the grant's
	// employer) to link to the invited user.
	EmployeeID uuid.UUID
	// Activation is set for employee invitations: accepting them needs a
	// code. CodeHMAC is the code's keyed hash when the code exists already
	// (in person); a letter's code is set when the letter is made.
	Activation Activation
	CodeHMAC   string
	TokenHash  []byte
	CreatedBy  uuid.UUID
	ExpiresAt  time.Time
	// Mail is the invitation mail to queue with the invitation (sealed;
	// the store sets its recipient to the invited user).
	Mail  notify.Mail
	Event audit.Event
}

// PendingInvitation is a working invitation link, as the invitee's accept
// finds it.
type PendingInvitation struct {
	ID     uuid.UUID
	UserID uuid.UUID
	Email  string
	// Employee is whether the invited user holds an employee grant; such
	// a login is accepted only with an activation code, whatever the
	// link says.
	Employee   bool
	Activation Activation
	CodeHMAC   string // "" while no code exists
}

// NeedsCode reports whether accepting the invitation needs an activation
// code.
func (p PendingInvitation) NeedsCode() bool { return p.Employee || p.Activation != "" }

// IssuedInvitation is an invitation as its issuer sees it when making its
// activation letter.
type IssuedInvitation struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	EmployerID uuid.UUID
	EmployeeID uuid.UUID
	Activation Activation
	HasCode    bool
	Pending    bool // neither used, voided nor expired
	ExpiresAt  time.Time
}

// AcceptedInvitation completes an invitation: credentials, the first inbox
// notification and the event.
type AcceptedInvitation struct {
	TokenHash []byte
	UserID    uuid.UUID
	Secrets   Secrets
	Now       time.Time
	Notice    Notice
	Event     audit.Event
}

// ActivationFailure records a wrong activation code: its event, and whether
// it was the last attempt allowed, which voids the invitation.
type ActivationFailure struct {
	InvitationID uuid.UUID
	Void         bool
	Now          time.Time
	Event        audit.Event
}

// Notice is an in-app notification. It never carries a token or medical
// content.
type Notice struct {
	Kind, Subject, Body string
}

// InvitationStore persists invitations.
type InvitationStore interface {
	// EmployerMailDomains returns the employer's own mail domains;
	// derrors.ErrNotFound for an unknown employer.
	EmployerMailDomains(ctx context.Context, employerID uuid.UUID) ([]string, error)
	// AssignedEmployersOf returns the employers whose assigned physician
	// is one of physicians.
	AssignedEmployersOf(ctx context.Context, physicians []uuid.UUID) ([]uuid.UUID, error)
	// CreateInvitation stores inv, queues its mail, and returns the invited
	// user's id. An
	// address that belongs to an active or blocked user is
	// derrors.ErrConflict; for a user still invited, earlier links stop
	// working and the new one replaces them. With EmployeeID set it links
	// that employee record to the user in the same transaction: a record
	// not of the grant's employer is derrors.ErrNotFound, one linked to
	// another login (or a user linked to another record) is
	// derrors.ErrConflict.
	CreateInvitation(ctx context.Context, inv NewInvitation) (uuid.UUID, error)
	// InvitedUser returns the invitation behind a working link;
	// derrors.ErrNotFound when the link is unknown, used, voided or
	// expired.
	InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (PendingInvitation, error)
	// ReserveActivationAttempt counts one attempt with an activation code
	// for the working invitation id and returns how many there have been,
	// this one included. An invitation that no longer works, or has had
	// max attempts, is derrors.ErrNotFound.
	ReserveActivationAttempt(ctx context.Context, id uuid.UUID, max int, now time.Time) (int, error)
	// RejectActivationCode records a wrong code (its event) and, when
	// f.Void, voids the invitation.
	RejectActivationCode(ctx context.Context, f ActivationFailure) error
	// AcceptInvitation uses the link once and activates the user;
	// derrors.ErrNotFound when the link no longer works.
	AcceptInvitation(ctx context.Context, a AcceptedInvitation) error
	// IssuedInvitation returns the invitation id created by issuer;
	// derrors.ErrNotFound when there is none.
	IssuedInvitation(ctx context.Context, id, issuer uuid.UUID, now time.Time) (IssuedInvitation, error)
	// SetActivationCode stores the code's keyed hash on the working letter
	// invitation id of issuer that has no code yet, with the event;
	// derrors.ErrConflict when there is no such invitation (any more).
	SetActivationCode(ctx context.Context, id, issuer uuid.UUID, codeHMAC string, now time.Time, event audit.Event) error
	// EmployeeForLogin loads the employee record id, asks authorize for the
	// read event (whose error is returned as it is, with nothing written),
	// writes it and only then returns the record; an unknown id is
	// derrors.ErrNotFound.
	EmployeeForLogin(ctx context.Context, id uuid.UUID, authorize func(EmployeeRecord) (audit.Event, error)) (EmployeeRecord, error)
}

// EmployeeRecord is an employee record as the staff member issuing its
// login sees it: who it is, of which employer, and whether it has a login
// already.
type EmployeeRecord struct {
	ID             uuid.UUID
	EmployerID     uuid.UUID
	EmployerName   string
	EmployeeNumber string
	FirstName      string
	LastName       string
	HasLogin       bool
}

// LetterRenderer renders the activation letter.
type LetterRenderer interface {
	ActivationLetter(l LetterDocument) ([]byte, error)
}

// LetterDocument is what an activation letter shows: the recipient's
// name and the postal address staff were given by the employee, the code
// and until when it works. Nothing else about the employee.
type LetterDocument struct {
	Name        string
	Address     []string
	Code        string
	ExpiresAt   time.Time
	GeneratedAt time.Time
}

// InvitationOptions configure the invitation service.
type InvitationOptions struct {
	Store  InvitationStore
	Resets ResetStore
	// Mail tells whether email delivery is configured; without it
	// invitations and resets answer derrors.ErrUnavailable, since a link
	// reaches its user by email only. Mails are queued in the outbox
	// (sealed with the identity service's cipher) and sent by its sender.
	Mail bool
	// MailQueued, when set, is called after a request that may have queued
	// a mail (the sender's Wake).
	MailQueued func()
	PublicURL  string
	Identities *Service
	// Codes keys activation codes; nil makes employee invitations
	// derrors.ErrUnavailable.
	Codes CodeKeys
	// Letters renders activation letters; nil makes letters
	// derrors.ErrUnavailable.
	Letters LetterRenderer
	// ActivationTTL is how long an employee invitation works; zero means
	// DefaultActivationTTL.
	ActivationTTL time.Duration
}

// Invitations runs one-time links: only the user holding the emailed link
// ever chooses the password and sees the TOTP secret, and for an employee
// login only when they also hold the activation code.
type Invitations struct {
	store         InvitationStore
	resets        ResetStore
	mail          bool
	mailQueued    func()
	publicURL     string
	ids           *Service
	codes         CodeKeys
	letters       LetterRenderer
	activationTTL time.Duration
	keyReady      atomic.Bool
}

// NewInvitations returns the service for one-time links (invitations and
// password resets).
func NewInvitations(o InvitationOptions) *Invitations {
	if o.ActivationTTL <= 0 {
		o.ActivationTTL = DefaultActivationTTL
	}
	return &Invitations{store: o.Store, resets: o.Resets, mail: o.Mail, mailQueued: o.MailQueued, publicURL: strings.TrimRight(o.PublicURL, "/"),
		ids: o.Identities, codes: o.Codes, letters: o.Letters, activationTTL: o.ActivationTTL}
}

// Invited is what the inviter learns: never the link. ActivationCode is
// set once, for an employee invitation whose code is handed over in
// person.
type Invited struct {
	UserID         uuid.UUID
	InvitationID   uuid.UUID
	ExpiresAt      time.Time
	Activation     Activation
	ActivationCode string
}

// issuesEmployeeLogins are the roles of the arbodienst staff who meet the
// employee and may issue their login: the case manager, and the physicians
// (a lead physician is a physician for their own employers) and medical
// assistants of the employee's employer. Never anyone on the employer
// side, and not the admin, who never touches employee data.
var issuesEmployeeLogins = []access.Role{access.RoleCaseManager, access.RolePhysician, access.RoleLeadPhysician, access.RoleMedicalAssistant}

// mayIssueEmployeeLogin decides whether actor may issue an employee login
// for employerID, grant by grant: a case manager for the employers of the
// grant (a service-wide one: any); a physician or lead physician for the
// employer of the grant and the employers they are assigned to, or whose
// assigned physician they stand in for today; a medical assistant for the
// employer of the grant and the employers of the physicians they act for
// today. An employer user of employerID gets derrors.ErrForbidden (it sees
// its employees, but never issues their login); everyone else
// derrors.ErrNotFound.
func (s *Invitations) mayIssueEmployeeLogin(ctx context.Context, actor access.Principal, employerID uuid.UUID) error {
	var physicians []uuid.UUID // whose assigned employers count
	for _, g := range actor.Grants {
		if !slices.Contains(issuesEmployeeLogins, g.Role) {
			continue
		}
		if employerID != uuid.Nil && g.EmployerID == employerID {
			return nil
		}
		switch g.Role {
		case access.RoleCaseManager:
			if g.EmployerID == uuid.Nil {
				return nil
			}
		case access.RolePhysician, access.RoleLeadPhysician:
			if employerID != uuid.Nil && slices.Contains(actor.AssignedEmployers, employerID) {
				return nil
			}
			physicians = append(physicians, actor.Substitutes...)
		case access.RoleMedicalAssistant:
			physicians = append(physicians, actor.ActsForPhysicians...)
		}
	}
	if len(physicians) > 0 && employerID != uuid.Nil {
		employers, err := s.store.AssignedEmployersOf(ctx, physicians)
		if err != nil {
			return fmt.Errorf("identity: invite: %w", err)
		}
		if slices.Contains(employers, employerID) {
			return nil
		}
	}
	for _, g := range actor.Grants {
		if g.Role == access.RoleEmployer && employerID != uuid.Nil && g.EmployerID == employerID {
			return fmt.Errorf("identity: invite: an employer never issues an employee login: %w", derrors.ErrForbidden)
		}
	}
	return fmt.Errorf("identity: invite: %w", derrors.ErrNotFound)
}

// Invite creates an invited user with one role and queues the mail with
// the one-time link to the invitee, in the same transaction (the mail
// outbox's sender delivers it).
//
// Employee logins are issued by arbodienst staff only (mayIssueEmployeeLogin:
// an employer user of that tenant gets derrors.ErrForbidden, anyone else who
// may not derrors.ErrNotFound), for the employee record EmployeeID, with an
// activation code that reaches the employee in person (returned once, here)
// or by letter (IssueLetter). The invitation works for the activation TTL.
// Every other role is invited by admins only (others get
// derrors.ErrNotFound); a medical role is created as a proposal that a lead
// physician must approve.
//
// Bad input (including an employee address at the employer's own mail
// domain) is derrors.FieldErrors; an address of an existing account is
// derrors.ErrConflict; no email delivery, or no key store for codes, is
// derrors.ErrUnavailable.
func (s *Invitations) Invite(ctx context.Context, actor access.Principal, req InvitationRequest, requestID string) (Invited, error) {
	employee := req.Role == access.RoleEmployee
	if employee {
		if err := s.mayIssueEmployeeLogin(ctx, actor, req.EmployerID); err != nil {
			return Invited{}, err
		}
	} else if !actor.Has(access.RoleAdmin) {
		return Invited{}, fmt.Errorf("identity: invite: %w", derrors.ErrNotFound)
	}
	email := NormalizeEmail(req.Email)
	name := strings.TrimSpace(req.DisplayName)
	fe := validateAccount(email, name, req.Role, req.EmployerID)
	switch {
	case employee && req.EmployeeID == uuid.Nil:
		fe.Add("employee_id", "is required: the employee record the login belongs to")
	case !employee && req.EmployeeID != uuid.Nil:
		fe.Add("employee_id", "applies to employee invitations only")
	}
	switch {
	case employee && !req.Activation.Valid():
		fe.Add("activation", "must be in_person or letter: how the activation code reaches the employee")
	case !employee && req.Activation != "":
		fe.Add("activation", "applies to employee invitations only")
	}
	if len(fe) == 0 && employee {
		domains, err := s.store.EmployerMailDomains(ctx, req.EmployerID)
		if err != nil {
			return Invited{}, fmt.Errorf("identity: invite: employer: %w", err)
		}
		if slices.Contains(domains, email[strings.LastIndex(email, "@")+1:]) {
			fe.Add("email", "must be a private address, not one at the employer's own mail domain")
		}
	}
	if err := fe.Err(); err != nil {
		return Invited{}, err
	}
	if !s.mail {
		return Invited{}, fmt.Errorf("identity: invite: email delivery is not configured: %w", derrors.ErrUnavailable)
	}
	if employee && s.codes == nil {
		return Invited{}, fmt.Errorf("identity: invite: no key store for activation codes: %w", derrors.ErrUnavailable)
	}
	token, hash, err := NewToken()
	if err != nil {
		return Invited{}, err
	}
	now := s.ids.opts.Now()
	g := GrantRecord{ID: uuid.New(), Role: req.Role, EmployerID: req.EmployerID, Status: GrantActive,
		ProposedBy: actor.UserID, DecidedAt: now}
	if req.Role.Medical() {
		g.Status, g.DecidedAt = GrantProposed, time.Time{}
	}
	inv := NewInvitation{ID: uuid.New(), UserID: uuid.New(), Email: email, DisplayName: name, Grant: g,
		EmployeeID: req.EmployeeID, TokenHash: hash, CreatedBy: actor.UserID, ExpiresAt: now.Add(InvitationTTL),
		Event: audit.Event{ActorUserID: actor.UserID, TenantID: req.EmployerID, SubjectEmployeeID: req.EmployeeID,
			Action: audit.ActionGrant, ObjectKind: "invitation", Outcome: audit.OutcomeOK, RequestID: requestID}}
	var code string
	if employee {
		inv.Activation, inv.ExpiresAt = req.Activation, now.Add(s.activationTTL)
		if req.Activation == ActivationInPerson {
			if code, inv.CodeHMAC, err = s.newCode(ctx, inv.ID); err != nil {
				return Invited{}, fmt.Errorf("identity: invite: %w", err)
			}
		}
	}
	body := fmt.Sprintf("U bent uitgenodigd voor Arbokluis.\n\n"+
		"Open deze link om uw wachtwoord te kiezen en tweestapsverificatie in te stellen:\n%s/invitation#%s\n\n"+
		"De link werkt één keer en verloopt op %s (UTC).\n",
		s.publicURL, token, inv.ExpiresAt.UTC().Format("2006-01-02 15:04"))
	if employee {
		body += "U heeft daarbij ook een activeringscode nodig. Die krijgt u van uw arbodienst: persoonlijk, " +
			"of per brief op het adres dat u zelf aan de arbodienst heeft gegeven. Niemand anders kent die code; " +
			"geef hem aan niemand door, ook niet aan uw werkgever.\n"
	}
	body += "Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.\n"
	// Sealed before the transaction that queues it: no Vault call inside.
	if inv.Mail, err = notify.Seal(ctx, s.ids.cipher, uuid.Nil, "Uitnodiging voor Arbokluis", body); err != nil {
		return Invited{}, fmt.Errorf("identity: invite: %w", err)
	}
	userID, err := s.store.CreateInvitation(ctx, inv)
	if err != nil {
		return Invited{}, fmt.Errorf("identity: invite: %w", err)
	}
	s.queued()
	return Invited{UserID: userID, InvitationID: inv.ID, ExpiresAt: inv.ExpiresAt, Activation: inv.Activation,
		ActivationCode: code}, nil
}

// EmployeeForLogin returns the employee record employeeID to issue its
// login, for an actor who may issue it (the rule of Invite: an employer
// user of its employer gets derrors.ErrForbidden; anyone else, and an
// unknown id, derrors.ErrNotFound). The read is audited before the record
// is returned.
func (s *Invitations) EmployeeForLogin(ctx context.Context, actor access.Principal, employeeID uuid.UUID, requestID string) (EmployeeRecord, error) {
	rec, err := s.store.EmployeeForLogin(ctx, employeeID, func(r EmployeeRecord) (audit.Event, error) {
		if err := s.mayIssueEmployeeLogin(ctx, actor, r.EmployerID); err != nil {
			return audit.Event{}, err
		}
		return audit.Event{ActorUserID: actor.UserID, TenantID: r.EmployerID, SubjectEmployeeID: r.ID, Action: audit.ActionRead,
			ObjectKind: "employee", ObjectID: r.ID.String(), Outcome: audit.OutcomeOK, RequestID: requestID}, nil
	})
	if err != nil {
		return EmployeeRecord{}, fmt.Errorf("identity: employee for login: %w", err)
	}
	return rec, nil
}

// queued tells the mail sender that a mail may be waiting.
func (s *Invitations) queued() {
	if s.mailQueued != nil {
		s.mailQueued()
	}
}

// newCode returns a fresh activation code for the invitation id and its
// keyed hash, creating the key on first use.
func (s *Invitations) newCode(ctx context.Context, invitationID uuid.UUID) (code, mac string, err error) {
	if !s.keyReady.Load() {
		if err := s.codes.CreateKey(ctx, ActivationCodeKey); err != nil {
			return "", "", fmt.Errorf("activation key: %w", err)
		}
		s.keyReady.Store(true)
	}
	code, err = NewActivationCode()
	if err != nil {
		return "", "", err
	}
	norm, _ := NormalizeActivationCode(code)
	mac, err = s.codes.HMAC(ctx, ActivationCodeKey, activationInput(invitationID, norm))
	if err != nil {
		return "", "", fmt.Errorf("activation code: %w", err)
	}
	return code, mac, nil
}

// LetterRequest asks for the activation letter of an invitation: to the
// name and postal address the employee gave the staff member (never an
// address from the employer's records).
type LetterRequest struct {
	InvitationID uuid.UUID
	Name         string
	Address      []string
}

// validateLetter checks the letter's name and address lines.
func validateLetter(r LetterRequest) derrors.FieldErrors {
	fe := derrors.FieldErrors{}
	line := func(s string, max int) bool {
		s = strings.TrimSpace(s)
		return s != "" && utf8.RuneCountInString(s) <= max && text.Valid(s, text.Line)
	}
	if !line(r.Name, 200) {
		fe.Add("name", "must be 1 to 200 characters on one line")
	}
	if len(r.Address) < 2 || len(r.Address) > 6 {
		fe.Add("address", "must be 2 to 6 lines: street and number, postcode and town, and country if abroad")
	} else {
		for _, l := range r.Address {
			if !line(l, 100) {
				fe.Add("address", "each line must be 1 to 100 characters")
				break
			}
		}
	}
	return fe
}

// IssueLetter makes the activation code of a letter invitation and returns
// the letter (PDF) that carries it, once. Only the staff member who issued
// the invitation gets it; for anyone else, or an unknown id, it is
// derrors.ErrNotFound. An invitation whose code travels in person, whose
// letter was made already, or that no longer works is derrors.ErrConflict.
// Bad name or address lines are derrors.FieldErrors; no key store or
// renderer is derrors.ErrUnavailable.
func (s *Invitations) IssueLetter(ctx context.Context, actor access.Principal, req LetterRequest, requestID string) ([]byte, error) {
	inv, err := s.store.IssuedInvitation(ctx, req.InvitationID, actor.UserID, s.ids.opts.Now())
	if err != nil {
		return nil, fmt.Errorf("identity: activation letter: %w", err)
	}
	if err := validateLetter(req).Err(); err != nil {
		return nil, err
	}
	switch {
	case inv.Activation != ActivationLetter:
		return nil, fmt.Errorf("identity: activation letter: the code of this invitation is handed over in person: %w", derrors.ErrConflict)
	case inv.HasCode:
		return nil, fmt.Errorf("identity: activation letter: made already: %w", derrors.ErrConflict)
	case !inv.Pending:
		return nil, fmt.Errorf("identity: activation letter: the invitation no longer works: %w", derrors.ErrConflict)
	}
	if s.codes == nil || s.letters == nil {
		return nil, fmt.Errorf("identity: activation letter: not configured: %w", derrors.ErrUnavailable)
	}
	code, mac, err := s.newCode(ctx, inv.ID)
	if err != nil {
		return nil, fmt.Errorf("identity: activation letter: %w", err)
	}
	now := s.ids.opts.Now()
	address := make([]string, len(req.Address))
	for i, l := range req.Address {
		address[i] = strings.TrimSpace(l)
	}
	pdf, err := s.letters.ActivationLetter(LetterDocument{Name: strings.TrimSpace(req.Name), Address: address, Code: code,
		ExpiresAt: inv.ExpiresAt, GeneratedAt: now})
	if err != nil {
		return nil, fmt.Errorf("identity: activation letter: render: %w", err)
	}
	// Stored only after the letter exists: a code nobody can read is never
	// left behind.
	err = s.store.SetActivationCode(ctx, inv.ID, actor.UserID, mac, now, audit.Event{ActorUserID: actor.UserID,
		TenantID: inv.EmployerID, SubjectEmployeeID: inv.EmployeeID, Action: audit.ActionPrint, ObjectKind: "activation_letter",
		ObjectID: inv.UserID.String(), Outcome: audit.OutcomeOK, RequestID: requestID})
	if err != nil {
		return nil, fmt.Errorf("identity: activation letter: %w", err)
	}
	return pdf, nil
}

// errNoInvitation is the one answer to an accept that does not go through
// for want of a working link or the right code: the caller learns neither
// which part was wrong nor whether the link exists.
var errNoInvitation = fmt.Errorf("identity: accept: no working invitation for this link and code: %w", derrors.ErrNotFound)

// Accept uses an invitation link once: the invitee chooses a password and
// receives the TOTP secret to enrol. An employee login needs its activation
// code as well (code; case, spaces and dashes are forgiven); each attempt
// with a code counts, and a wrong code at the MaxActivationAttempts-th
// voids the invitation. An unknown, used, voided or expired link, a
// missing or wrong code, and a code not yet issued are all the same
// derrors.ErrNotFound and change nothing but the attempt count. A weak
// password is derrors.FieldErrors, checked first (and leaves the link
// working).
func (s *Invitations) Accept(ctx context.Context, token, password, code, requestID string) (Enrolment, error) {
	if !ValidTokenShape(token) {
		return Enrolment{}, errNoInvitation
	}
	if err := ValidatePassword(password); err != nil {
		return Enrolment{}, err
	}
	hash := HashToken(token)
	now := s.ids.opts.Now()
	inv, err := s.store.InvitedUser(ctx, hash, now)
	if errors.Is(err, derrors.ErrNotFound) {
		return Enrolment{}, errNoInvitation
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: accept: %w", err)
	}
	if inv.NeedsCode() {
		if err := s.checkCode(ctx, inv, code, now, requestID); err != nil {
			return Enrolment{}, err
		}
	}
	sec, enr, err := s.ids.credentials(ctx, inv.UserID, inv.Email, password)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.store.AcceptInvitation(ctx, AcceptedInvitation{
		TokenHash: hash, UserID: inv.UserID, Secrets: sec, Now: now,
		Notice: Notice{Kind: "account_activated", Subject: "Uw account is actief",
			Body: "Welkom bij Arbokluis. U logt voortaan in met uw wachtwoord en de code uit uw authenticator-app."},
		Event: audit.Event{ActorUserID: inv.UserID, Action: audit.ActionUpdate, ObjectKind: "invitation",
			Outcome: audit.OutcomeOK, RequestID: requestID},
	})
	if errors.Is(err, derrors.ErrNotFound) {
		return Enrolment{}, errNoInvitation
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: accept: %w", err)
	}
	return enr, nil
}

// checkCode counts an attempt with code on inv and checks it against the
// stored keyed hash. A wrong code is recorded (the last allowed attempt
// voids the invitation) and is errNoInvitation, as is an invitation
// without a code yet or out of attempts.
func (s *Invitations) checkCode(ctx context.Context, inv PendingInvitation, code string, now time.Time, requestID string) error {
	if inv.CodeHMAC == "" {
		// No code exists yet (the letter was not made): nothing to guess,
		// so nothing is counted.
		return errNoInvitation
	}
	if s.codes == nil {
		return fmt.Errorf("identity: accept: no key store for activation codes: %w", derrors.ErrUnavailable)
	}
	attempt, err := s.store.ReserveActivationAttempt(ctx, inv.ID, MaxActivationAttempts, now)
	if errors.Is(err, derrors.ErrNotFound) {
		return errNoInvitation
	}
	if err != nil {
		return fmt.Errorf("identity: accept: %w", err)
	}
	ok := false
	if norm, shaped := NormalizeActivationCode(code); shaped {
		ok, err = s.codes.VerifyHMAC(ctx, ActivationCodeKey, activationInput(inv.ID, norm), inv.CodeHMAC)
		if err != nil {
			return fmt.Errorf("identity: accept: activation code: %w", err)
		}
	}
	if ok {
		return nil
	}
	err = s.store.RejectActivationCode(ctx, ActivationFailure{InvitationID: inv.ID, Void: attempt >= MaxActivationAttempts, Now: now,
		Event: audit.Event{Action: audit.ActionUpdate, ObjectKind: "invitation", ObjectID: inv.UserID.String(),
			Outcome: audit.OutcomeDenied, RequestID: requestID}})
	if err != nil {
		return fmt.Errorf("identity: accept: %w", err)
	}
	return errNoInvitation
}
