package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// ResetTTL is how long a password-reset link works.
const ResetTTL = time.Hour

// ResetStore persists password-reset links.
type ResetStore interface {
	// ActiveUserID returns the id of the active user with email;
	// derrors.ErrNotFound when there is none.
	ActiveUserID(ctx context.Context, email string) (uuid.UUID, error)
	// CreateResetLink stores a reset link, ending earlier ones of the user.
	CreateResetLink(ctx context.Context, userID uuid.UUID, tokenHash []byte, expiresAt time.Time, event audit.Event) error
	// ResetPassword uses a reset link once, replaces the password hash,
	// ends every session of the user and notifies them in the inbox. The
	// event's actor is set to the link's user. A link that does not work is
	// derrors.ErrNotFound.
	ResetPassword(ctx context.Context, r PasswordReset) error
}

// PasswordReset is a completed reset to store.
type PasswordReset struct {
	TokenHash    []byte
	PasswordHash string
	Now          time.Time
	Notice       Notice
	Event        audit.Event
}

// RequestPasswordReset emails a one-time reset link when email belongs to
// an active user, and does nothing otherwise: the caller learns nothing
// about whether the address has an account. Only missing email delivery
// (derrors.ErrUnavailable) and store failures are errors. The TOTP secret
// is not reset: losing the phone is what recovery codes are for.
func (s *Invitations) RequestPasswordReset(ctx context.Context, email, requestID string) error {
	if err := s.ids.throttleReset(ctx, ScopeResetAddress, accountKey(NormalizeEmail(email))); err != nil {
		return err // throttled per address and client address, account or not
	}
	if s.mailer == nil {
		return fmt.Errorf("identity: password reset: email delivery is not configured: %w", derrors.ErrUnavailable)
	}
	email = NormalizeEmail(email)
	userID, err := s.resets.ActiveUserID(ctx, email)
	if errors.Is(err, derrors.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, hash, err := NewToken()
	if err != nil {
		return err
	}
	expires := s.ids.opts.Now().Add(ResetTTL)
	err = s.resets.CreateResetLink(ctx, userID, hash, expires, audit.Event{
		ActorUserID: userID, Action: audit.ActionUpdate, ObjectKind: "password_reset",
		ObjectID: userID.String(), Outcome: audit.OutcomeOK, RequestID: requestID,
	})
	if err != nil {
		return fmt.Errorf("identity: password reset: %w", err)
	}
	body := fmt.Sprintf("Er is gevraagd om uw wachtwoord voor Arbokluis opnieuw in te stellen.\n\n"+
		"Open deze link om een nieuw wachtwoord te kiezen:\n%s/password-reset#%s\n\n"+
		"De link werkt één keer en verloopt op %s (UTC). Uw authenticator-app blijft gelijk.\n"+
		"Heeft u dit niet gevraagd? Negeer dan dit bericht; uw wachtwoord blijft zoals het was.\n",
		s.publicURL, token, expires.UTC().Format("2006-01-02 15:04"))
	if err := s.mailer.Send(ctx, email, "Wachtwoord opnieuw instellen", body); err != nil {
		return fmt.Errorf("identity: password reset: send: %w", err)
	}
	return nil
}

// ResetPassword uses a reset link once to set a new password and ends all
// sessions of the account. An unknown, used or expired link is
// derrors.ErrNotFound; a weak password is derrors.FieldErrors (and leaves
// the link working).
func (s *Invitations) ResetPassword(ctx context.Context, token, password, requestID string) error {
	if err := s.ids.throttleReset(ctx, ScopeResetLink, HashToken(token)); err != nil {
		return err // throttled per link and client address, before any lookup or hash
	}
	release, slotErr := s.ids.hashSlot(ctx) // the hash below runs in a slot
	if slotErr != nil {
		return slotErr
	}
	defer release()
	if !ValidTokenShape(token) {
		return fmt.Errorf("identity: reset password: %w", derrors.ErrNotFound)
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.ids.opts.PasswordParams)
	if err != nil {
		return err
	}
	err = s.resets.ResetPassword(ctx, PasswordReset{
		TokenHash: HashToken(token), PasswordHash: hash, Now: s.ids.opts.Now(),
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
