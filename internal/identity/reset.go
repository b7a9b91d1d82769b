package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/notify"
)

// ResetTTL is how long a password-reset link works.
const ResetTTL = time.Hour

// ResetStore persists password-reset links.
type ResetStore interface {
	// RequestReset stores a reset link and queues its mail when
	// r.Email belongs to an active user, ending earlier links of that
	// user, and writes r.Event either way (with the user as actor and
	// object when there is one, and outcome denied when there is none). It
	// does the same work whether or not the address has an account.
	RequestReset(ctx context.Context, r ResetRequest) error
	// ResetLinkWorks reports whether tokenHash is a reset link that works
	// at now: unused, unexpired, of an active user; derrors.ErrNotFound
	// when it is not.
	ResetLinkWorks(ctx context.Context, tokenHash []byte, now time.Time) error
	// ResetPassword uses a reset link once, replaces the password hash,
	// ends every session of the user and notifies them in the inbox. The
	// event's actor is set to the link's user. A link that does not work is
	// derrors.ErrNotFound.
	ResetPassword(ctx context.Context, r PasswordReset) error
}

// ResetRequest is a request for a reset link to store: the link and its
// mail (sealed, the recipient set by the store) for the active user with
// Email, if there is one.
type ResetRequest struct {
	Email     string
	TokenHash []byte
	ExpiresAt time.Time
	Mail      notify.Mail
	Event     audit.Event
}

// PasswordReset is a completed reset to store.
type PasswordReset struct {
	TokenHash    []byte
	PasswordHash string
	Now          time.Time
	Notice       Notice
	Event        audit.Event
}

// RequestPasswordReset queues a mail with a one-time reset link when email
// belongs to an active user, and otherwise does the same work to no
// effect: the caller learns nothing about whether the address has an
// account, not even from the time the answer takes. No mail is sent while
// the request runs; the mail outbox's sender delivers it. Only missing
// email delivery, a failing Vault (both derrors.ErrUnavailable), too many
// requests per address or client address (derrors.ErrThrottled with
// Retry-After, the same answer with or without an account) and store
// failures are errors. The TOTP secret is not reset: losing the phone is
// what recovery codes are for.
func (s *Invitations) RequestPasswordReset(ctx context.Context, email, requestID string) error {
	if err := s.ids.throttleReset(ctx, ScopeResetAddress, accountKey(NormalizeEmail(email))); err != nil {
		return err // throttled per address and client address, account or not
	}
	if !s.mail {
		return fmt.Errorf("identity: password reset: email delivery is not configured: %w", derrors.ErrUnavailable)
	}
	email = NormalizeEmail(email)
	// From here on, both paths do the same: a token, a sealed mail (one
	// Vault call) and one transaction that writes an event.
	token, hash, err := NewToken()
	if err != nil {
		return err
	}
	expires := s.ids.opts.Now().Add(ResetTTL)
	body := fmt.Sprintf("Er is gevraagd om uw wachtwoord voor Arbokluis opnieuw in te stellen.\n\n"+
		"Open deze link om een nieuw wachtwoord te kiezen:\n%s/password-reset#%s\n\n"+
		"De link werkt één keer en verloopt op %s (UTC). Uw authenticator-app blijft gelijk.\n"+
		"Heeft u dit niet gevraagd? Negeer dan dit bericht; uw wachtwoord blijft zoals het was.\n",
		s.publicURL, token, expires.UTC().Format("2006-01-02 15:04"))
	mail, err := notify.Seal(ctx, s.ids.cipher, uuid.Nil, "Wachtwoord opnieuw instellen", body)
	if err != nil {
		return fmt.Errorf("identity: password reset: %w", err)
	}
	err = s.resets.RequestReset(ctx, ResetRequest{Email: email, TokenHash: hash, ExpiresAt: expires, Mail: mail,
		Event: audit.Event{Action: audit.ActionUpdate, ObjectKind: "password_reset", Outcome: audit.OutcomeOK, RequestID: requestID}})
	if err != nil {
		return fmt.Errorf("identity: password reset: %w", err)
	}
	s.queued()
	return nil
}

// ResetPassword uses a reset link once to set a new password and ends all
// sessions of the account. The link is looked up first, so an unknown link
// costs no password hash. An unknown, used or expired link is
// derrors.ErrNotFound, whatever the password; for a working link a weak
// password is derrors.FieldErrors (and leaves the link working). Too many
// attempts per link or client address are derrors.ErrThrottled, and no
// free password-hash slot derrors.ErrUnavailable, both with Retry-After.
func (s *Invitations) ResetPassword(ctx context.Context, token, password, requestID string) error {
	if err := s.ids.throttleReset(ctx, ScopeResetLink, HashToken(token)); err != nil {
		return err // throttled per link and client address, before any lookup or hash
	}
	if !ValidTokenShape(token) {
		return fmt.Errorf("identity: reset password: %w", derrors.ErrNotFound)
	}
	tokenHash := HashToken(token)
	if err := s.resets.ResetLinkWorks(ctx, tokenHash, s.ids.opts.Now()); err != nil {
		return fmt.Errorf("identity: reset password: %w", err)
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := s.ids.hashPassword(ctx, password) // in a hash slot; 503 when none is free
	if err != nil {
		return err
	}
	err = s.resets.ResetPassword(ctx, PasswordReset{
		TokenHash: tokenHash, PasswordHash: hash, Now: s.ids.opts.Now(),
		Notice: Notice{Kind: "password_changed", Subject: "Uw wachtwoord is gewijzigd",
			Body: "Uw wachtwoord voor Arbokluis is zojuist gewijzigd en al uw sessies zijn beëindigd. " +
				"Heeft u dit niet zelf gedaan? Neem dan direct contact op met uw arbodienst."},
		Event: audit.Event{Action: audit.ActionUpdate, ObjectKind: "password", Outcome: audit.OutcomeOK, RequestID: requestID},
	})
	if err != nil {
		return fmt.Errorf("identity: reset password: %w", err)
	}
	return nil
}
