package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// MyAccountStore keeps what a user changes of their own account: the
// password and the sessions.
type MyAccountStore interface {
	// OwnCredentials returns the email and password hash of the active
	// user; derrors.ErrNotFound when there is none.
	OwnCredentials(ctx context.Context, userID uuid.UUID) (email, passwordHash string, err error)
	// ChangePassword replaces the user's password hash, ends every live
	// session of the user but c.KeepTokenHash, puts c.Notice in the user's
	// inbox and writes c.Event, in one transaction; derrors.ErrNotFound when
	// the user is not active.
	ChangePassword(ctx context.Context, c PasswordChange) error
	// LiveSessions returns the user's sessions that are unrevoked, unexpired
	// and not idle longer than idle at now, newest first.
	LiveSessions(ctx context.Context, userID uuid.UUID, now time.Time, idle time.Duration) ([]SessionRecord, error)
	// EndSessions revokes the user's live sessions whose token hash is in
	// tokenHashes (sessions of other users are never touched), writes
	// event when one ended, and returns how many ended.
	EndSessions(ctx context.Context, userID uuid.UUID, tokenHashes [][]byte, now time.Time, event audit.Event) (int, error)
}

// PasswordChange is a password change to store.
type PasswordChange struct {
	UserID        uuid.UUID
	KeepTokenHash []byte
	PasswordHash  string
	Now           time.Time
	Notice        Notice
	Event         audit.Event
}

// SessionRecord is one stored session of a user.
type SessionRecord struct {
	TokenHash  []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionInfo is one live session as its user sees it: an opaque id (never
// the token or its hash), when it started and was last used, and whether
// it is the session asking.
type SessionInfo struct {
	ID         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Current    bool
}

// SessionID returns the opaque id of the session with tokenHash: the first
// 16 bytes of SHA-256 over the token hash, in hex. It tells nothing about
// the token, which cannot be derived from it.
func SessionID(tokenHash []byte) string {
	sum := sha256.Sum256(append([]byte("arbokluis session id\x00"), tokenHash...))
	return hex.EncodeToString(sum[:16])
}

// MyAccount lets every logged-in user change their password and see and
// end their own sessions.
type MyAccount struct {
	ids   *Service
	store MyAccountStore
}

// NewMyAccount returns the account service on ids (its clock, password
// parameters, hash slots and login limits) and store.
func NewMyAccount(ids *Service, store MyAccountStore) *MyAccount {
	return &MyAccount{ids: ids, store: store}
}

// ChangePasswordRequest is a user's request to change their password,
// made from the session with Token.
type ChangePasswordRequest struct {
	UserID       uuid.UUID
	Token        string
	Current, New string
	RequestID    string
	ClientIP     netip.Addr
}

// ErrWrongPassword is the answer to a password change whose current
// password is wrong. It wraps derrors.ErrForbidden, not
// derrors.ErrUnauthenticated: the session asking stays live.
var ErrWrongPassword = fmt.Errorf("identity: current password is wrong: %w", derrors.ErrForbidden)

// ChangePassword checks the current password and sets the new one, ending
// every other session of the user and keeping the one asking. The attempt
// is counted against the login limits of the user's account and client
// address before any hash, exactly as a login: an exhausted limit or a
// running back-off is derrors.ErrThrottled with Retry-After, and a wrong
// current password is ErrWrongPassword (derrors.ErrForbidden) and counts as
// a failed login. A weak new password is derrors.FieldErrors (field
// "password"), checked before the current one; no free hash slot is
// derrors.ErrUnavailable; a dead session is derrors.ErrUnauthenticated.
// Nothing changes unless it returns nil.
func (m *MyAccount) ChangePassword(ctx context.Context, req ChangePasswordRequest) error {
	if !ValidTokenShape(req.Token) {
		return fmt.Errorf("identity: change password: malformed token: %w", derrors.ErrUnauthenticated)
	}
	if !req.ClientIP.IsValid() {
		return fmt.Errorf("identity: change password without client IP: %w", derrors.ErrInvalid)
	}
	if err := ValidatePassword(req.New); err != nil {
		return err
	}
	email, hash, err := m.store.OwnCredentials(ctx, req.UserID)
	if errors.Is(err, derrors.ErrNotFound) {
		return fmt.Errorf("identity: change password: %w", derrors.ErrUnauthenticated)
	}
	if err != nil {
		return fmt.Errorf("identity: change password: %w", err)
	}
	s := m.ids
	key := accountKey(email)
	limitsNow := s.opts.LimitsNow()
	deny := audit.Event{ActorUserID: req.UserID, Action: audit.ActionUpdate, ObjectKind: "password",
		ObjectID: req.UserID.String(), Outcome: audit.OutcomeDenied, RequestID: req.RequestID, ClientIP: req.ClientIP}
	retry, err := s.store.ReserveLogin(ctx, LoginAttempt{AccountKey: key, ClientIP: req.ClientIP, Now: limitsNow,
		Counters: s.loginCounters(key, req.ClientIP), Event: deny})
	if err != nil {
		return err
	}
	if !retry.IsZero() {
		return fmt.Errorf("identity: change password: %w", throttled(retry, limitsNow))
	}
	ok, err := s.verifyPassword(ctx, hash, req.Current)
	if err != nil {
		return fmt.Errorf("identity: change password of %s: %w", req.UserID, err)
	}
	if !ok {
		if err := s.store.RecordFailure(ctx, Failure{AccountKey: key, ClientIP: req.ClientIP, Now: s.opts.LimitsNow(),
			Backoff: s.opts.Backoff, Counted: true, Event: deny}); err != nil {
			return err
		}
		return ErrWrongPassword
	}
	newHash, err := s.hashPassword(ctx, req.New)
	if err != nil {
		return err
	}
	err = m.store.ChangePassword(ctx, PasswordChange{UserID: req.UserID, KeepTokenHash: HashToken(req.Token),
		PasswordHash: newHash, Now: s.opts.Now(),
		Notice: Notice{Kind: "password_changed", Subject: "Uw wachtwoord is gewijzigd",
			Body: "Uw wachtwoord voor Arbokluis is zojuist gewijzigd. Uw andere sessies zijn beëindigd. " +
				"Heeft u dit niet zelf gedaan? Neem dan direct contact op met uw arbodienst."},
		Event: audit.Event{ActorUserID: req.UserID, Action: audit.ActionUpdate, ObjectKind: "password",
			ObjectID: req.UserID.String(), Outcome: audit.OutcomeOK, RequestID: req.RequestID, ClientIP: req.ClientIP}})
	if errors.Is(err, derrors.ErrNotFound) {
		return fmt.Errorf("identity: change password: %w", derrors.ErrUnauthenticated)
	}
	if err != nil {
		return fmt.Errorf("identity: change password: %w", err)
	}
	return nil
}

// Sessions returns the live sessions of the user, newest first, marking
// the one of token as current. Only store failures are errors.
func (m *MyAccount) Sessions(ctx context.Context, userID uuid.UUID, token string) ([]SessionInfo, error) {
	recs, err := m.store.LiveSessions(ctx, userID, m.ids.opts.Now(), m.ids.opts.IdleTimeout)
	if err != nil {
		return nil, fmt.Errorf("identity: sessions: %w", err)
	}
	current := SessionID(HashToken(token))
	out := make([]SessionInfo, 0, len(recs))
	for _, r := range recs {
		id := SessionID(r.TokenHash)
		out = append(out, SessionInfo{ID: id, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt,
			Current: id == current})
	}
	return out, nil
}

// EndSession ends the user's live session with the opaque id (SessionID).
// An id that is not one of the user's live sessions — another user's, an
// ended one, or nonsense — is derrors.ErrNotFound and ends nothing. Ending
// the current session is allowed (it logs the user out).
func (m *MyAccount) EndSession(ctx context.Context, userID uuid.UUID, id, requestID string, ip netip.Addr) error {
	recs, err := m.store.LiveSessions(ctx, userID, m.ids.opts.Now(), m.ids.opts.IdleTimeout)
	if err != nil {
		return fmt.Errorf("identity: end session: %w", err)
	}
	for _, r := range recs {
		if SessionID(r.TokenHash) != id {
			continue
		}
		n, err := m.store.EndSessions(ctx, userID, [][]byte{r.TokenHash}, m.ids.opts.Now(), m.endEvent(userID, requestID, ip))
		if err != nil {
			return fmt.Errorf("identity: end session: %w", err)
		}
		if n == 0 {
			break
		}
		return nil
	}
	return fmt.Errorf("identity: end session: %w", derrors.ErrNotFound)
}

// EndOtherSessions ends every live session of the user but the one of
// token and returns how many ended. Only store failures are errors.
func (m *MyAccount) EndOtherSessions(ctx context.Context, userID uuid.UUID, token, requestID string, ip netip.Addr) (int, error) {
	recs, err := m.store.LiveSessions(ctx, userID, m.ids.opts.Now(), m.ids.opts.IdleTimeout)
	if err != nil {
		return 0, fmt.Errorf("identity: end sessions: %w", err)
	}
	keep := string(HashToken(token))
	var hashes [][]byte
	for _, r := range recs {
		if string(r.TokenHash) != keep {
			hashes = append(hashes, r.TokenHash)
		}
	}
	if len(hashes) == 0 {
		return 0, nil
	}
	n, err := m.store.EndSessions(ctx, userID, hashes, m.ids.opts.Now(), m.endEvent(userID, requestID, ip))
	if err != nil {
		return 0, fmt.Errorf("identity: end sessions: %w", err)
	}
	return n, nil
}

// endEvent is the audit event of ending sessions: ids only.
func (m *MyAccount) endEvent(userID uuid.UUID, requestID string, ip netip.Addr) audit.Event {
	return audit.Event{ActorUserID: userID, Action: audit.ActionLogout, ObjectKind: "session",
		ObjectID: userID.String(), Outcome: audit.OutcomeOK, RequestID: requestID, ClientIP: ip}
}
