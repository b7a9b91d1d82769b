package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 72 * time.Hour

// Mailer delivers an email to one recipient.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// InvitationRequest asks to invite a person with one role.
type InvitationRequest struct {
	Email, DisplayName string
	Role               Role
	EmployerID         uuid.UUID // for employer and employee invitations
	// EmployeeID, for an employee invitation, is the employee record of
	// EmployerID that the new login belongs to: the employee then sees
	// their own data through it.
	EmployeeID uuid.UUID
}

// NewInvitation is an invitation to store: an invited user (created, or
// the existing invited user), its grant and the link's token hash.
type NewInvitation struct {
	UserID      uuid.UUID // a fresh id; the store returns the existing one for a re-invitation
	Email       string
	DisplayName string
	Grant       GrantRecord
	// EmployeeID, when set, is the employee record (of the grant's
	// employer) to link to the invited user.
	EmployeeID uuid.UUID
	TokenHash  []byte
	CreatedBy  uuid.UUID
	ExpiresAt  time.Time
	Event      audit.Event
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
	// CreateInvitation stores inv and returns the invited user's id. An
	// address that belongs to an active or blocked user is
	// derrors.ErrConflict; for a user still invited, earlier links stop
	// working and the new one replaces them. With EmployeeID set it links
	// that employee record to the user in the same transaction: a record
	// not of the grant's employer is derrors.ErrNotFound, one linked to
	// another login (or a user linked to another record) is
	// derrors.ErrConflict.
	CreateInvitation(ctx context.Context, inv NewInvitation) (uuid.UUID, error)
	// InvitedUser returns the user and address behind a working link;
	// derrors.ErrNotFound when the link is unknown, used or expired.
	InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (uuid.UUID, string, error)
	// AcceptInvitation uses the link once and activates the user;
	// derrors.ErrNotFound when the link no longer works.
	AcceptInvitation(ctx context.Context, a AcceptedInvitation) error
}

// Invitations runs one-time links: only the user holding the emailed link
// ever chooses the password and sees the TOTP secret.
type Invitations struct {
	store     InvitationStore
	resets    ResetStore
	mailer    Mailer // nil when email delivery is not configured
	publicURL string
	ids       *Service
}

// NewInvitations returns the service for one-time links (invitations and
// password resets). mailer may be nil; then both answer
// derrors.ErrUnavailable, since a link reaches its user by email only.
func NewInvitations(store InvitationStore, resets ResetStore, mailer Mailer, publicURL string, ids *Service) *Invitations {
	return &Invitations{store: store, resets: resets, mailer: mailer, publicURL: strings.TrimRight(publicURL, "/"), ids: ids}
}

// Invited is what the inviter learns: never the link.
type Invited struct {
	UserID    uuid.UUID
	ExpiresAt time.Time
}

// mayInvite reports whether actor may invite for req: admins anyone (medical
// roles only as a proposal), employers and case managers employees of the
// employers their grant covers (a service-wide case manager: any).
func mayInvite(actor Principal, req InvitationRequest) bool {
	if actor.Has(RoleAdmin) {
		return true
	}
	if req.Role != RoleEmployee {
		return false
	}
	for _, g := range actor.Grants {
		switch {
		case g.Role == RoleEmployer && g.EmployerID == req.EmployerID:
			return true
		case g.Role == RoleCaseManager && (g.EmployerID == uuid.Nil || g.EmployerID == req.EmployerID):
			return true
		}
	}
	return false
}

// Invite creates an invited user with one role and emails the one-time link
// to the invitee. Callers who may not invite for this role and tenant get
// derrors.ErrNotFound; bad input (including an employee address at the
// employer's own mail domain) is derrors.FieldErrors; an address of an
// existing account is derrors.ErrConflict; no email delivery is
// derrors.ErrUnavailable. A medical role is created as a proposal that a
// lead physician must approve.
func (s *Invitations) Invite(ctx context.Context, actor Principal, req InvitationRequest, requestID string) (Invited, error) {
	if !mayInvite(actor, req) {
		return Invited{}, fmt.Errorf("identity: invite: %w", derrors.ErrNotFound)
	}
	email := NormalizeEmail(req.Email)
	name := strings.TrimSpace(req.DisplayName)
	fe := validateAccount(email, name, req.Role, req.EmployerID)
	if req.EmployeeID != uuid.Nil && req.Role != RoleEmployee {
		fe.Add("employee_id", "applies to employee invitations only")
	}
	if len(fe) == 0 && req.Role == RoleEmployee {
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
	if s.mailer == nil {
		return Invited{}, fmt.Errorf("identity: invite: email delivery is not configured: %w", derrors.ErrUnavailable)
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
	expires := now.Add(InvitationTTL)
	userID, err := s.store.CreateInvitation(ctx, NewInvitation{
		UserID: uuid.New(), Email: email, DisplayName: name, Grant: g, EmployeeID: req.EmployeeID, TokenHash: hash,
		CreatedBy: actor.UserID, ExpiresAt: expires,
		Event: audit.Event{ActorUserID: actor.UserID, TenantID: req.EmployerID, SubjectEmployeeID: req.EmployeeID,
			Action: audit.ActionGrant, ObjectKind: "invitation", Outcome: audit.OutcomeOK, RequestID: requestID},
	})
	if err != nil {
		return Invited{}, fmt.Errorf("identity: invite: %w", err)
	}
	body := fmt.Sprintf("U bent uitgenodigd voor Arbokluis.\n\n"+
		"Open deze link om uw wachtwoord te kiezen en tweestapsverificatie in te stellen:\n%s/invitation#%s\n\n"+
		"De link werkt één keer en verloopt op %s (UTC).\n"+
		"Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.\n",
		s.publicURL, token, expires.UTC().Format("2006-01-02 15:04"))
	if err := s.mailer.Send(ctx, email, "Uitnodiging voor Arbokluis", body); err != nil {
		return Invited{}, fmt.Errorf("identity: invite: send: %w", err)
	}
	return Invited{UserID: userID, ExpiresAt: expires}, nil
}

// Accept uses an invitation link once: the invitee chooses a password and
// receives the TOTP secret to enrol. An unknown, used or expired link is
// derrors.ErrNotFound; a weak password is derrors.FieldErrors (and leaves
// the link working).
func (s *Invitations) Accept(ctx context.Context, token, password, requestID string) (Enrolment, error) {
	if !ValidTokenShape(token) {
		return Enrolment{}, fmt.Errorf("identity: accept: %w", derrors.ErrNotFound)
	}
	if err := ValidatePassword(password); err != nil {
		return Enrolment{}, err
	}
	hash := HashToken(token)
	now := s.ids.opts.Now()
	userID, email, err := s.store.InvitedUser(ctx, hash, now)
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: accept: %w", err)
	}
	sec, enr, err := s.ids.credentials(ctx, userID, email, password)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.store.AcceptInvitation(ctx, AcceptedInvitation{
		TokenHash: hash, UserID: userID, Secrets: sec, Now: now,
		Notice: Notice{Kind: "account_activated", Subject: "Uw account is actief",
			Body: "Welkom bij Arbokluis. U logt voortaan in met uw wachtwoord en de code uit uw authenticator-app."},
		Event: audit.Event{ActorUserID: userID, Action: audit.ActionUpdate, ObjectKind: "invitation",
			Outcome: audit.OutcomeOK, RequestID: requestID},
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: accept: %w", err)
	}
	return enr, nil
}
