package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/notify"
)

// The account administration of the admin role: list users with their
// grants and status, block and unblock a user, revoke a grant, and reset a
// lost second factor. On a user who holds a medical role (or on a medical
// grant) each action is a proposal that a lead physician — neither the
// proposer nor the user — approves, as for medical grants. The admin never
// sees anything of a person's HR record or dossier here.

// UserStatus is the state of a user account.
type UserStatus string

// User states.
const (
	UserInvited UserStatus = "invited"
	UserActive  UserStatus = "active"
	UserBlocked UserStatus = "blocked"
)

// UserSummary is a user as the account administration lists it: the
// account, its status and every grant (revoked ones too).
type UserSummary struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	Status      UserStatus
	Grants      []GrantRecord
	// EmployeeID is the employee record linked to an employee login: the
	// list read's audit event names it, the list does not show it.
	EmployeeID uuid.UUID
	// Proposals are, for AdminReadStore.User only, the proposals about the
	// user other than grants (which show with Grants) that wait for their
	// second key, oldest first.
	Proposals []Proposal
}

// MaxUsersPage is the largest page of the user list.
const MaxUsersPage = 200

// AccountActionKind names an action on an account.
type AccountActionKind string

// The account actions.
const (
	ActionBlock             AccountActionKind = "block"
	ActionUnblock           AccountActionKind = "unblock"
	ActionRevokeGrant       AccountActionKind = "revoke_grant"
	ActionSecondFactorReset AccountActionKind = "second_factor_reset"
)

// AccountActionStatus is the state of an account action.
type AccountActionStatus string

// Account action states.
const (
	AccountActionProposed AccountActionStatus = "proposed"
	AccountActionDone     AccountActionStatus = "done"
)

// AccountAction is an admin's action on an account, done at once or, under
// the two-key rule, proposed until a lead physician approves it.
type AccountAction struct {
	ID         uuid.UUID
	Kind       AccountActionKind
	UserID     uuid.UUID
	GrantID    uuid.UUID  // for ActionRevokeGrant
	Activation Activation // for ActionSecondFactorReset of an employee
	Status     AccountActionStatus
	ProposedBy uuid.UUID
	ApprovedBy uuid.UUID
}

// AccountSubject is what an account action needs to know of its user.
type AccountSubject struct {
	UserID uuid.UUID
	Email  string
	Status UserStatus
	// Grants are the user's live grants (proposed or active).
	Grants []GrantRecord
}

// medical reports whether the user holds, or is proposed for, a medical
// role: then actions on the account need two keys.
func (u AccountSubject) medical() bool {
	for _, g := range u.Grants {
		if g.Role.Medical() {
			return true
		}
	}
	return false
}

// employee reports whether the user holds an employee login.
func (u AccountSubject) employee() bool {
	for _, g := range u.Grants {
		if g.Role == access.RoleEmployee {
			return true
		}
	}
	return false
}

// physicianGrants returns the user's active physician and lead physician
// grants: while one is left, the user may stay responsible for dossiers.
func (u AccountSubject) physicianGrants() []GrantRecord {
	var out []GrantRecord
	for _, g := range u.Grants {
		if g.Status == GrantActive && (g.Role == access.RolePhysician || g.Role == access.RoleLeadPhysician) {
			out = append(out, g)
		}
	}
	return out
}

// EnrolmentLink is the fresh one-time link of a second-factor reset: an
// invitation link as Accept uses it.
type EnrolmentLink struct {
	ID         uuid.UUID
	TokenHash  []byte
	Activation Activation
	CodeHMAC   string // set when the code exists (in person)
	ExpiresAt  time.Time
	// Mail is the sealed mail with the link, queued in the outbox in the
	// transaction that stores the link.
	Mail notify.Mail
}

// AccountStore persists the account administration. Each method that
// changes something writes the event it is given in the same transaction.
type AccountStore interface {
	// Users returns, ordered by id, up to limit users with an id after
	// after (uuid.Nil: from the first), each with every grant, and writes
	// the event that event makes of them in the same transaction, before
	// returning them.
	Users(ctx context.Context, after uuid.UUID, limit int, event func([]UserSummary) audit.Event) ([]UserSummary, error)
	// AccountSubject returns the user with their live grants;
	// derrors.ErrNotFound for an unknown user.
	AccountSubject(ctx context.Context, userID uuid.UUID) (AccountSubject, error)
	// ProposeAccountAction stores a proposed action; derrors.ErrConflict
	// when the same action on the same user (or grant) is proposed already.
	ProposeAccountAction(ctx context.Context, a AccountAction, event audit.Event) error
	// Grant returns a grant; derrors.ErrNotFound when there is none.
	Grant(ctx context.Context, id uuid.UUID) (GrantRecord, error)
	// AccountAction returns an action; derrors.ErrNotFound when there is
	// none.
	AccountAction(ctx context.Context, id uuid.UUID) (AccountAction, error)
	// ApplyAccountAction does a: it blocks the user and ends their
	// sessions; unblocks them (active again when they have credentials,
	// otherwise invited); revokes the grant; or, for a second-factor reset,
	// ends their sessions, clears password, second factor and recovery
	// codes, voids their earlier links, makes them invited again and stores
	// link. An action with ApprovedBy set is a stored proposal that becomes
	// done (derrors.ErrConflict when it is no longer proposed); otherwise
	// it is stored done. An account or grant not in the state the action
	// changes (blocking a blocked user, revoking a revoked grant, resetting
	// the second factor of a user who is not active) is
	// derrors.ErrConflict; an approver who proposed the action or is its
	// user is derrors.ErrForbidden (account_actions_two_keys_check).
	ApplyAccountAction(ctx context.Context, a AccountAction, link *EnrolmentLink, now time.Time, event audit.Event) error
}

// DossierLoad counts the dossiers a physician is responsible for. The
// medical store implements it; the hr side never reads medical tables.
type DossierLoad interface {
	// ResponsibleDossiers returns how many dossiers that are not destroyed
	// name physicianID as responsible physician.
	ResponsibleDossiers(ctx context.Context, physicianID uuid.UUID) (int, error)
}

// OffboardingError refuses to block a physician, or to revoke their last
// physician grant, while they are still responsible for dossiers: a lead
// physician must first make another physician responsible. It wraps
// derrors.ErrConflict.
type OffboardingError struct {
	Dossiers int
}

func (e *OffboardingError) Error() string {
	return fmt.Sprintf("identity: the physician is responsible for %d dossiers", e.Dossiers)
}

// Unwrap returns derrors.ErrConflict.
func (e *OffboardingError) Unwrap() error { return derrors.ErrConflict }

// ProblemDetail says why, with the count and nothing else.
func (e *OffboardingError) ProblemDetail() string {
	return fmt.Sprintf("The physician is still responsible for %d dossier(s); a lead physician must make another physician responsible for them first.", e.Dossiers)
}

// AccountOutcome is what the caller of an account action learns: the
// action and, for a second-factor reset that was done, the fresh link's
// invitation id and, once, an activation code to hand over in person.
type AccountOutcome struct {
	Action         AccountAction
	InvitationID   uuid.UUID
	ExpiresAt      time.Time
	ActivationCode string
}

// Accounts runs the account administration.
type Accounts struct {
	store    AccountStore
	dossiers DossierLoad
	links    *Invitations
	now      func() time.Time
}

// NewAccounts returns the account administration. links sends the fresh
// enrolment link of a second-factor reset the way invitations are sent;
// now defaults to time.Now.
func NewAccounts(store AccountStore, dossiers DossierLoad, links *Invitations, now func() time.Time) *Accounts {
	if now == nil {
		now = time.Now
	}
	return &Accounts{store: store, dossiers: dossiers, links: links, now: now}
}

// Users lists users with their grants and status, a page at a time, with
// one audited list read naming the employees whose logins are listed.
// Callers who are not admins get derrors.ErrNotFound; a limit outside 1 to
// MaxUsersPage is derrors.FieldErrors.
func (s *Accounts) Users(ctx context.Context, a access.Actor, after uuid.UUID, limit int) ([]UserSummary, error) {
	if a.Role != access.RoleAdmin {
		return nil, fmt.Errorf("identity: list users: caller is not an admin: %w", derrors.ErrNotFound)
	}
	if limit < 1 || limit > MaxUsersPage {
		return nil, derrors.FieldErrors{"limit": fmt.Sprintf("must be a whole number from 1 to %d", MaxUsersPage)}
	}
	users, err := s.store.Users(ctx, after, limit, usersListed(a, audit.ActionRead))
	if err != nil {
		return nil, fmt.Errorf("identity: list users: %w", err)
	}
	return users, nil
}

// usersListed returns the event of a's list read (action) of users: the
// employees among those listed, as every list read names them.
func usersListed(a access.Actor, action audit.Action) func([]UserSummary) audit.Event {
	return func(us []UserSummary) audit.Event {
		employees := make([]uuid.UUID, 0, len(us))
		for _, u := range us {
			employees = append(employees, u.EmployeeID)
		}
		return adminEvent(a, action, "user", uuid.Nil).Listed(employees)
	}
}

// adminEvent is an event of the account administration by a, about object
// kind and id (none for uuid.Nil).
func adminEvent(a access.Actor, action audit.Action, kind string, id uuid.UUID) audit.Event {
	ev := audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), Action: action, ObjectKind: kind,
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
	if id != uuid.Nil {
		ev.ObjectID = id.String()
	}
	return ev
}

// Block blocks a user: they can no longer log in, reset their password or
// accept an invitation, and their sessions end at their next request.
// Unblock undoes it. RevokeGrant ends one grant. ResetSecondFactor ends
// the user's sessions and credentials and mails a fresh enrolment link;
// for an employee login accepting it needs an activation code, delivered
// as activation says (in person: returned once; letter: made with the
// invitation's letter route).
//
// Each is done at once, or, on a user with a medical role (a medical grant
// for RevokeGrant), proposed for a lead physician to approve (Approve).
// Callers who are not admins get derrors.ErrNotFound, as does an unknown
// user or grant; acting on one's own account is derrors.ErrForbidden; an
// account not in a state the action changes, or the same action proposed
// already, is derrors.ErrConflict; blocking a physician, or revoking their
// last physician grant, while they are responsible for dossiers is an
// *OffboardingError (derrors.ErrConflict). Bad input is
// derrors.FieldErrors; no mail delivery or key store is
// derrors.ErrUnavailable.
func (s *Accounts) Block(ctx context.Context, a access.Actor, userID uuid.UUID) (AccountOutcome, error) {
	return s.act(ctx, a, AccountAction{Kind: ActionBlock, UserID: userID})
}

// Unblock lets a blocked user in again; see Block.
func (s *Accounts) Unblock(ctx context.Context, a access.Actor, userID uuid.UUID) (AccountOutcome, error) {
	return s.act(ctx, a, AccountAction{Kind: ActionUnblock, UserID: userID})
}

// RevokeGrant ends a grant; see Block.
func (s *Accounts) RevokeGrant(ctx context.Context, a access.Actor, grantID uuid.UUID) (AccountOutcome, error) {
	return s.act(ctx, a, AccountAction{Kind: ActionRevokeGrant, GrantID: grantID})
}

// ResetSecondFactor replaces a lost second factor through a fresh
// enrolment link; see Block.
func (s *Accounts) ResetSecondFactor(ctx context.Context, a access.Actor, userID uuid.UUID, activation Activation) (AccountOutcome, error) {
	return s.act(ctx, a, AccountAction{Kind: ActionSecondFactorReset, UserID: userID, Activation: activation})
}

// act checks and does (or proposes) the action of an admin.
func (s *Accounts) act(ctx context.Context, a access.Actor, act AccountAction) (AccountOutcome, error) {
	if a.Role != access.RoleAdmin {
		return AccountOutcome{}, fmt.Errorf("identity: %s: caller is not an admin: %w", act.Kind, derrors.ErrNotFound)
	}
	subject, grant, err := s.subjectOf(ctx, act)
	if err != nil {
		return AccountOutcome{}, err
	}
	act.UserID = subject.UserID
	if act.UserID == a.UserID() {
		return AccountOutcome{}, fmt.Errorf("identity: %s on one's own account: %w", act.Kind, derrors.ErrForbidden)
	}
	if act.Kind == ActionSecondFactorReset {
		switch {
		case subject.employee() && !act.Activation.Valid():
			return AccountOutcome{}, derrors.FieldErrors{"activation": "must be in_person or letter: how the activation code reaches the employee"}
		case !subject.employee() && act.Activation != "":
			return AccountOutcome{}, derrors.FieldErrors{"activation": "applies to employee logins only"}
		}
	}
	if err := s.checkState(ctx, act, subject, grant); err != nil {
		return AccountOutcome{}, err
	}
	act.ID, act.ProposedBy = uuid.New(), a.UserID()
	twoKeys := subject.medical()
	if act.Kind == ActionRevokeGrant {
		twoKeys = grant.Role.Medical()
	}
	if twoKeys {
		act.Status = AccountActionProposed
		if err := s.store.ProposeAccountAction(ctx, act, adminEvent(a, audit.ActionGrant, "account_action", act.ID)); err != nil {
			return AccountOutcome{}, fmt.Errorf("identity: propose %s: %w", act.Kind, err)
		}
		return AccountOutcome{Action: act}, nil
	}
	return s.apply(ctx, a, act, subject)
}

// Approve lets a lead physician do a proposed account action: the second
// key. Callers who are not lead physicians get derrors.ErrNotFound, as does
// an unknown action; the proposer and the action's user get
// derrors.ErrForbidden; an action no longer proposed, or an account no
// longer in a state it changes, is derrors.ErrConflict; the off-boarding
// refusal of Block holds here too.
func (s *Accounts) Approve(ctx context.Context, a access.Actor, id uuid.UUID) (AccountOutcome, error) {
	if a.Role != access.RoleLeadPhysician {
		return AccountOutcome{}, fmt.Errorf("identity: approve account action: caller is not a lead physician: %w", derrors.ErrNotFound)
	}
	act, err := s.store.AccountAction(ctx, id)
	if err != nil {
		return AccountOutcome{}, fmt.Errorf("identity: approve account action: %w", err)
	}
	if act.ProposedBy == a.UserID() || act.UserID == a.UserID() {
		return AccountOutcome{}, fmt.Errorf("identity: approve %s: second key must be someone else: %w", act.Kind, derrors.ErrForbidden)
	}
	if act.Status != AccountActionProposed {
		return AccountOutcome{}, fmt.Errorf("identity: approve %s in status %s: %w", act.Kind, act.Status, derrors.ErrConflict)
	}
	subject, grant, err := s.subjectOf(ctx, act)
	if err != nil {
		return AccountOutcome{}, err
	}
	if err := s.checkState(ctx, act, subject, grant); err != nil {
		return AccountOutcome{}, err
	}
	act.ApprovedBy = a.UserID()
	return s.apply(ctx, a, act, subject)
}

// subjectOf returns the user an action is about and, for a revocation, the
// grant. An unknown user or grant is derrors.ErrNotFound.
func (s *Accounts) subjectOf(ctx context.Context, act AccountAction) (AccountSubject, GrantRecord, error) {
	var grant GrantRecord
	userID := act.UserID
	if act.Kind == ActionRevokeGrant {
		g, err := s.store.Grant(ctx, act.GrantID)
		if err != nil {
			return AccountSubject{}, GrantRecord{}, fmt.Errorf("identity: %s: grant: %w", act.Kind, err)
		}
		grant, userID = g, g.UserID
	}
	subject, err := s.store.AccountSubject(ctx, userID)
	if err != nil {
		return AccountSubject{}, GrantRecord{}, fmt.Errorf("identity: %s: user: %w", act.Kind, err)
	}
	return subject, grant, nil
}

// checkState refuses an action the account's state does not allow, and
// the off-boarding of a physician still responsible for dossiers.
func (s *Accounts) checkState(ctx context.Context, act AccountAction, u AccountSubject, g GrantRecord) error {
	conflict := func(why string) error {
		return fmt.Errorf("identity: %s: %s: %w", act.Kind, why, derrors.ErrConflict)
	}
	offboards := false
	switch act.Kind {
	case ActionBlock:
		if u.Status == UserBlocked {
			return conflict("the user is blocked already")
		}
		offboards = len(u.physicianGrants()) > 0
	case ActionUnblock:
		if u.Status != UserBlocked {
			return conflict("the user is not blocked")
		}
	case ActionRevokeGrant:
		if g.Status == GrantRevoked {
			return conflict("the grant is revoked already")
		}
		left := u.physicianGrants()
		offboards = len(left) == 1 && left[0].ID == g.ID
	case ActionSecondFactorReset:
		if u.Status != UserActive {
			return conflict("only an active user has a second factor to reset")
		}
	}
	if !offboards {
		return nil
	}
	n, err := s.dossiers.ResponsibleDossiers(ctx, u.UserID)
	if err != nil {
		return fmt.Errorf("identity: %s: dossiers: %w", act.Kind, err)
	}
	if n > 0 {
		return fmt.Errorf("identity: %s: %w", act.Kind, &OffboardingError{Dossiers: n})
	}
	return nil
}

// apply does act, under actor a (the admin, or the approving lead
// physician), and for a second-factor reset mails the fresh link.
func (s *Accounts) apply(ctx context.Context, a access.Actor, act AccountAction, u AccountSubject) (AccountOutcome, error) {
	out := AccountOutcome{Action: act}
	var link *EnrolmentLink
	if act.Kind == ActionSecondFactorReset {
		var err error
		if link, out.ActivationCode, err = s.links.enrolmentLink(ctx, act.Activation, s.now()); err != nil {
			return AccountOutcome{}, fmt.Errorf("identity: %s: %w", act.Kind, err)
		}
		out.InvitationID, out.ExpiresAt = link.ID, link.ExpiresAt
	}
	ev := adminEvent(a, audit.ActionUpdate, "user", act.UserID)
	if act.Kind == ActionRevokeGrant {
		ev = adminEvent(a, audit.ActionGrant, "role_grant", act.GrantID)
	}
	err := s.store.ApplyAccountAction(ctx, act, link, s.now(), ev)
	if err != nil {
		return AccountOutcome{}, fmt.Errorf("identity: %s: %w", act.Kind, err)
	}
	out.Action.Status = AccountActionDone
	if link != nil {
		s.links.queued()
	}
	return out, nil
}

// enrolmentLink makes the fresh link of a second-factor reset: an
// invitation link that works for InvitationTTL, or for an employee login
// (activation set) for the activation TTL with an activation code, with
// its mail sealed for the outbox. It returns the link and, for in person,
// the code. No mail delivery, no key store for codes or a failing Vault is
// derrors.ErrUnavailable.
func (s *Invitations) enrolmentLink(ctx context.Context, activation Activation, now time.Time) (*EnrolmentLink, string, error) {
	if !s.mail {
		return nil, "", fmt.Errorf("email delivery is not configured: %w", derrors.ErrUnavailable)
	}
	if activation != "" && s.codes == nil {
		return nil, "", fmt.Errorf("no key store for activation codes: %w", derrors.ErrUnavailable)
	}
	token, hash, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	link := &EnrolmentLink{ID: uuid.New(), TokenHash: hash, Activation: activation, ExpiresAt: now.Add(InvitationTTL)}
	var code string
	if activation != "" {
		link.ExpiresAt = now.Add(s.activationTTL)
		if activation == ActivationInPerson {
			if code, link.CodeHMAC, err = s.newCode(ctx, link.ID); err != nil {
				return nil, "", err
			}
		}
	}
	body := fmt.Sprintf("Uw tweestapsverificatie voor Arbokluis is op uw verzoek opnieuw ingesteld; uw sessies zijn beëindigd.\n\n"+
		"Open deze link om een nieuw wachtwoord te kiezen en tweestapsverificatie opnieuw in te stellen:\n%s/invitation#%s\n\n"+
		"De link werkt één keer en verloopt op %s (UTC).\n",
		s.publicURL, token, link.ExpiresAt.UTC().Format("2006-01-02 15:04"))
	if link.Activation != "" {
		body += "U heeft daarbij ook een activeringscode nodig. Die krijgt u van uw arbodienst: persoonlijk, " +
			"of per brief op het adres dat u zelf aan de arbodienst heeft gegeven. Geef hem aan niemand door.\n"
	}
	body += "Heeft u hier niet om gevraagd? Neem dan direct contact op met uw arbodienst.\n"
	// Sealed before the transaction that queues it: no Vault call inside.
	if link.Mail, err = notify.Seal(ctx, s.ids.cipher, uuid.Nil, "Tweestapsverificatie opnieuw instellen", body); err != nil {
		return nil, "", err
	}
	return link, code, nil
}
