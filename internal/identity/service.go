package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/text"
)

// scopeProblem says what is wrong with granting role for employerID (uuid.Nil
// meaning service-wide), or "" when nothing is. Employer and employee grants
// name their one employer; admins and privacy officers work service-wide;
// other staff work service-wide or per assigned employer (one grant each).
func scopeProblem(role access.Role, employerID uuid.UUID) string {
	switch {
	case role.TenantBound() && employerID == uuid.Nil:
		return "is required for employer and employee users"
	case (role == access.RoleAdmin || role == access.RolePrivacyOfficer) && employerID != uuid.Nil:
		return "is not allowed for admins and privacy officers, who work service-wide"
	}
	return ""
}

// Credentials are what login checks for an active user.
type Credentials struct {
	UserID         uuid.UUID
	PasswordHash   string
	TOTPCiphertext string
	TOTPLastStep   int64
}

// LoginRequest is one login attempt.
type LoginRequest struct {
	Email, Password, TOTP string
	ClientIP              netip.Addr
	RequestID             string
}

// Session is a new session: the token is shown to the caller once.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// Failure is a denied login to record on its (account, client IP) pair:
// a wrong credential (Counted, which grows the back-off) or an attempt
// refused by a limit. Event is audited when it is the pair's first denied
// attempt since its last success or sweep; later ones are counted and
// audited together (AggregateEvent).
type Failure struct {
	AccountKey []byte
	ClientIP   netip.Addr
	Now        time.Time
	Backoff    Backoff
	Counted    bool
	Event      audit.Event
}

// FailedLoginsAuditEvery is how many denied logins of one (account, client
// IP) pair are counted before their aggregate event is written even though
// the pair is still busy.
const FailedLoginsAuditEvery = 100

// AggregateEvent is the audit event that stands for count denied logins of
// one (account, client IP) pair after its first: action login, outcome
// denied, object kind "failed_logins" and the count as object id, the
// account's user as actor when known (uuid.Nil otherwise) and the client
// IP. It never carries the address that was typed.
func AggregateEvent(userID uuid.UUID, ip netip.Addr, count int) audit.Event {
	return audit.Event{ActorUserID: userID, Action: audit.ActionLogin, ObjectKind: "failed_logins",
		ObjectID: strconv.Itoa(count), Outcome: audit.OutcomeDenied, ClientIP: ip}
}

// LoginAttempt is a login attempt to reserve before any password is
// hashed: one attempt on each counter, and the pair's back-off checked.
// Event is the denied event to audit when the attempt is refused and is
// the pair's first denied attempt.
type LoginAttempt struct {
	AccountKey []byte
	ClientIP   netip.Addr
	Now        time.Time
	Counters   []Counter
	Event      audit.Event
}

// CompletedLogin is a successful login to record in one transaction: the
// TOTP step (or the recovery code) consumed, the failures forgotten, the
// session and its event.
type CompletedLogin struct {
	UserID           uuid.UUID
	TOTPStep         int64  // 0 when a recovery code was used
	RecoveryCodeHash []byte // set when a recovery code replaced the TOTP code
	AccountKey       []byte
	ClientIP         netip.Addr
	TokenHash        []byte
	Now              time.Time
	ExpiresAt        time.Time
	Event            audit.Event
	// Forget are the counters the success resets (the account's); Refund
	// those that give back the attempt it reserved (client and total), so
	// that only failures use them up.
	Forget, Refund []Counter
}

// NewUser is a user created at the console or by the seed, active at once.
type NewUser struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	Secrets     Secrets
	BIGNumber   string
	Grant       access.Grant
	Event       audit.Event
}

// Store persists identities. Methods that change state also write the
// audit event they are given, in the same transaction.
type Store interface {
	// Credentials returns the credentials of the active user with email;
	// derrors.ErrNotFound when there is none.
	Credentials(ctx context.Context, email string) (Credentials, error)
	// ReserveLogin counts one attempt on every counter of a and checks the
	// pair's back-off, in one transaction, and returns the zero time when
	// the attempt may go on. Otherwise it undoes the counting, records the
	// attempt as denied on the pair (Failure, not Counted) and returns when
	// it may be retried (RetryAt).
	ReserveLogin(ctx context.Context, a LoginAttempt) (time.Time, error)
	// ReserveAttempt counts one attempt on every counter in one
	// transaction and returns the zero time; when one is exhausted it
	// undoes the counting and returns when to retry (RetryAt).
	ReserveAttempt(ctx context.Context, counters []Counter, now time.Time) (time.Time, error)
	// SweepAttempts deletes the counters whose window ended by now and the
	// pairs without a failure for quiet and without a running back-off,
	// writing the AggregateEvent of each pair that still counts denied
	// attempts, and returns the number of rows deleted.
	SweepAttempts(ctx context.Context, now time.Time, quiet time.Duration) (int, error)
	// RecordFailure records a denied attempt on its pair: counted failures
	// grow the back-off; the pair's first denied attempt writes f.Event,
	// later ones are counted and written as one AggregateEvent every
	// FailedLoginsAuditEvery.
	RecordFailure(ctx context.Context, f Failure) error
	// CompleteLogin consumes the TOTP step or the recovery code, forgets
	// the pair's failures (writing the AggregateEvent of the denied
	// attempts not yet audited) and the Forget counters, gives back one
	// attempt on the Refund counters, and creates the session;
	// derrors.ErrConflict when the step is not newer than the last one used
	// (a replay) or the recovery code is unknown or used.
	CompleteLogin(ctx context.Context, c CompletedLogin) error
	// Authenticate returns the principal of a live session and marks it
	// seen; derrors.ErrUnauthenticated when the session is unknown, expired,
	// idle too long, revoked, or its user is not active.
	Authenticate(ctx context.Context, tokenHash []byte, now time.Time, idle time.Duration) (access.Principal, error)
	// Logout revokes the session.
	Logout(ctx context.Context, tokenHash []byte, now time.Time, event audit.Event) error
	// CreateUser stores an active user with one grant; derrors.ErrConflict
	// when the email is taken.
	CreateUser(ctx context.Context, u NewUser) error
	// UserIDByEmail returns the id of the user with email;
	// derrors.ErrNotFound when there is none.
	UserIDByEmail(ctx context.Context, email string) (uuid.UUID, error)
	// SetCredentials replaces a user's password hash, TOTP secret and
	// recovery codes, resets the last used TOTP step and revokes the user's
	// sessions.
	SetCredentials(ctx context.Context, c NewCredentials) error
}

// NewCredentials replace a user's credentials.
type NewCredentials struct {
	UserID  uuid.UUID
	Secrets Secrets
	Event   audit.Event
}

// Cipher encrypts small secrets (TOTP secrets) with a Vault transit key.
type Cipher interface {
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
	Decrypt(ctx context.Context, key, ciphertext string, associatedData []byte) ([]byte, error)
}

// Options tune a Service; zero fields take defaults.
type Options struct {
	Now            func() time.Time
	PasswordParams PasswordParams
	Backoff        Backoff
	SessionTTL     time.Duration // absolute lifetime, default 12h
	IdleTimeout    time.Duration // default 30m
	Issuer         string        // TOTP issuer shown in authenticator apps
	// Limits bound login and password-reset attempts; LimitsNow is their
	// clock (default Now).
	Limits    Limits
	LimitsNow func() time.Time
	// HashMemoryBudget is the memory in KiB that password hashes may use
	// at once (default DefaultHashMemoryBudget): it allows budget divided
	// by PasswordParams.Memory hashes at a time, at least one. A hash that
	// finds no free slot within HashWait (default DefaultHashWait) is
	// refused.
	HashMemoryBudget uint64
	HashWait         time.Duration
	// OnHash, when set, is called in the slot before every password hash
	// the service runs; tests count and hold hashes with it.
	OnHash func()
}

// Service runs logins, sessions and console user creation.
type Service struct {
	store     Store
	cipher    Cipher
	opts      Options
	dummyHash string
	gate      *hashGate
}

// secretKey is the Vault transit key for personal secrets.
const secretKey = "pii"

// NewService returns a Service. It hashes a dummy password once, so logins
// for unknown addresses cost the same as for known ones.
func NewService(store Store, cipher Cipher, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PasswordParams == (PasswordParams{}) {
		opts.PasswordParams = DefaultPasswordParams
	}
	if opts.Backoff == (Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.Issuer == "" {
		opts.Issuer = "Arbokluis"
	}
	opts.Limits = opts.Limits.withDefaults()
	if opts.LimitsNow == nil {
		opts.LimitsNow = opts.Now
	}
	if opts.HashMemoryBudget == 0 {
		opts.HashMemoryBudget = DefaultHashMemoryBudget
	}
	if opts.HashWait == 0 {
		opts.HashWait = DefaultHashWait
	}
	dummy, err := HashPassword("dummy password for unknown accounts", opts.PasswordParams)
	if err != nil {
		return nil, err
	}
	gate := newHashGate(HashSlots(opts.HashMemoryBudget, opts.PasswordParams.Memory), opts.HashWait, opts.OnHash)
	return &Service{store: store, cipher: cipher, opts: opts, dummyHash: dummy, gate: gate}, nil
}

// NormalizeEmail trims and lower-cases an address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func accountKey(email string) []byte {
	sum := sha256.Sum256([]byte(email))
	return sum[:]
}

// errLoginFailed is what every failed login answers: unknown address, wrong
// password and wrong or replayed code are indistinguishable.
var errLoginFailed = fmt.Errorf("identity: login failed: %w", derrors.ErrUnauthenticated)

// Login checks email, password and TOTP code and opens a session. Every
// failure is derrors.ErrUnauthenticated, identical for every cause. Before
// any password is hashed the attempt is counted, in one atomic step, on the
// account (across client addresses), on the client address (across
// accounts) and service-wide, and the (account, IP) back-off is checked:
// an exhausted limit or a running back-off is derrors.ErrThrottled with
// Retry-After, the same whether or not the account exists. When every
// password hash slot is busy the answer is derrors.ErrUnavailable with
// Retry-After. Vault is called outside any database transaction.
func (s *Service) Login(ctx context.Context, req LoginRequest) (Session, error) {
	now := s.opts.Now()
	email := NormalizeEmail(req.Email)
	key := accountKey(email)
	if !req.ClientIP.IsValid() {
		return Session{}, fmt.Errorf("identity: login without client IP: %w", derrors.ErrInvalid)
	}
	counters := s.loginCounters(key, req.ClientIP)
	limitsNow := s.opts.LimitsNow()
	retry, err := s.store.ReserveLogin(ctx, LoginAttempt{
		AccountKey: key, ClientIP: req.ClientIP, Now: limitsNow, Counters: counters,
		Event: audit.Event{Action: audit.ActionLogin, ObjectKind: "session",
			Outcome: audit.OutcomeDenied, RequestID: req.RequestID, ClientIP: req.ClientIP},
	})
	if err != nil {
		return Session{}, err
	}
	if !retry.IsZero() {
		return Session{}, fmt.Errorf("identity: login: %w", throttled(retry, limitsNow))
	}

	creds, err := s.store.Credentials(ctx, email)
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		// Spends the same time as a real check.
		if _, err := s.verifyPassword(ctx, s.dummyHash, req.Password); errors.Is(err, derrors.ErrUnavailable) {
			return Session{}, err
		}
		return Session{}, s.fail(ctx, key, req, uuid.Nil)
	case err != nil:
		return Session{}, err
	}
	ok, err := s.verifyPassword(ctx, creds.PasswordHash, req.Password)
	if errors.Is(err, derrors.ErrUnavailable) {
		return Session{}, err
	}
	if err != nil {
		return Session{}, fmt.Errorf("identity: user %s: %w", creds.UserID, err)
	}
	if !ok {
		return Session{}, s.fail(ctx, key, req, creds.UserID)
	}
	var step int64
	var recoveryHash []byte
	if code, isRecovery := NormalizeRecoveryCode(req.TOTP); isRecovery {
		recoveryHash = HashToken(code) // checked and consumed by CompleteLogin
	} else {
		secret, err := s.cipher.Decrypt(ctx, secretKey, creds.TOTPCiphertext, creds.UserID[:])
		if err != nil {
			return Session{}, fmt.Errorf("identity: decrypt TOTP secret of %s: %w", creds.UserID, err)
		}
		if step, ok = VerifyTOTP(string(secret), req.TOTP, creds.TOTPLastStep, now); !ok {
			return Session{}, s.fail(ctx, key, req, creds.UserID)
		}
	}

	token, hash, err := NewToken()
	if err != nil {
		return Session{}, err
	}
	expires := now.Add(s.opts.SessionTTL)
	err = s.store.CompleteLogin(ctx, CompletedLogin{
		UserID: creds.UserID, TOTPStep: step, RecoveryCodeHash: recoveryHash, AccountKey: key, ClientIP: req.ClientIP,
		TokenHash: hash, Now: now, ExpiresAt: expires, Forget: counters[:1], Refund: counters[1:],
		Event: audit.Event{ActorUserID: creds.UserID, Action: audit.ActionLogin, ObjectKind: "session",
			Outcome: audit.OutcomeOK, RequestID: req.RequestID, ClientIP: req.ClientIP},
	})
	if errors.Is(err, derrors.ErrConflict) {
		return Session{}, s.fail(ctx, key, req, creds.UserID)
	}
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires}, nil
}

func (s *Service) fail(ctx context.Context, key []byte, req LoginRequest, userID uuid.UUID) error {
	err := s.store.RecordFailure(ctx, Failure{
		AccountKey: key, ClientIP: req.ClientIP, Now: s.opts.LimitsNow(), Backoff: s.opts.Backoff, Counted: true,
		Event: audit.Event{ActorUserID: userID, Action: audit.ActionLogin, ObjectKind: "session",
			Outcome: audit.OutcomeDenied, RequestID: req.RequestID, ClientIP: req.ClientIP},
	})
	if err != nil {
		return err
	}
	return errLoginFailed
}

// Authenticate returns the principal behind a session token. Any problem —
// malformed, unknown, expired, idle, revoked, user blocked — is
// derrors.ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (access.Principal, error) {
	if !ValidTokenShape(token) {
		return access.Principal{}, fmt.Errorf("identity: malformed token: %w", derrors.ErrUnauthenticated)
	}
	return s.store.Authenticate(ctx, HashToken(token), s.opts.Now(), s.opts.IdleTimeout)
}

// Logout ends the session of token; an unknown or already ended session is
// derrors.ErrUnauthenticated.
func (s *Service) Logout(ctx context.Context, token string, p access.Principal, requestID string, ip netip.Addr) error {
	if !ValidTokenShape(token) {
		return fmt.Errorf("identity: malformed token: %w", derrors.ErrUnauthenticated)
	}
	return s.store.Logout(ctx, HashToken(token), s.opts.Now(), audit.Event{
		ActorUserID: p.UserID, Action: audit.ActionLogout, ObjectKind: "session",
		Outcome: audit.OutcomeOK, RequestID: requestID, ClientIP: ip,
	})
}

// validateAccount checks the fields every new account has.
func validateAccount(email, name string, role access.Role, employerID uuid.UUID) derrors.FieldErrors {
	fe := derrors.FieldErrors{}
	if len(email) > 254 || strings.Count(email, "@") != 1 || strings.HasPrefix(email, "@") ||
		strings.HasSuffix(email, "@") || strings.ContainsAny(email, " \t\r\n<>,;") {
		fe.Add("email", "must be an email address")
	}
	if name == "" || utf8.RuneCountInString(name) > 200 || !text.Valid(name, text.Line) {
		fe.Add("name", "must be 1 to 200 characters on one line")
	}
	if !role.Valid() {
		fe.Add("role", "must be one of the roles")
	}
	if msg := scopeProblem(role, employerID); msg != "" {
		fe.Add("employer_id", msg)
	}
	return fe
}

// ConsoleUser is the input of `arbokluis user add`.
type ConsoleUser struct {
	Email, DisplayName, Password, BIGNumber string
	Role                                    access.Role
	EmployerID                              uuid.UUID
}

// Enrolment is what the console prints once: the new id and the TOTP secret
// to enrol in an authenticator app.
type Enrolment struct {
	UserID        uuid.UUID
	TOTPSecret    string
	TOTPURI       string
	RecoveryCodes []string // single use, each in place of a TOTP code
}

// AddConsoleUser creates an active user with one role, at the console (the
// bootstrap of the first lead physician and of the demo). Invalid input is
// derrors.FieldErrors; a taken email is derrors.ErrConflict. The event is
// audited with no actor: the console operator is outside the application.
func (s *Service) AddConsoleUser(ctx context.Context, in ConsoleUser) (Enrolment, error) {
	email := NormalizeEmail(in.Email)
	name := strings.TrimSpace(in.DisplayName)
	fe := validateAccount(email, name, in.Role, in.EmployerID)
	if in.BIGNumber != "" && !validBIG(in.BIGNumber) {
		fe.Add("big_number", "must be 11 digits")
	}
	var pwErrs derrors.FieldErrors
	if errors.As(ValidatePassword(in.Password), &pwErrs) {
		for field, msg := range pwErrs {
			fe.Add(field, msg)
		}
	}
	if err := fe.Err(); err != nil {
		return Enrolment{}, err
	}
	id := uuid.New()
	sec, enr, err := s.credentials(ctx, id, email, in.Password)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.store.CreateUser(ctx, NewUser{
		ID: id, Email: email, DisplayName: name, Secrets: sec,
		BIGNumber: in.BIGNumber, Grant: access.Grant{Role: in.Role, EmployerID: in.EmployerID},
		Event: audit.Event{Action: audit.ActionGrant, ObjectKind: "user", ObjectID: id.String(),
			TenantID: in.EmployerID, Outcome: audit.OutcomeOK},
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: add user: %w", err)
	}
	return enr, nil
}

// Secrets are a new account's stored credentials: what the store keeps.
type Secrets struct {
	PasswordHash   string
	TOTPCiphertext string
	RecoveryHashes [][]byte
}

// credentials hashes password, creates and encrypts a TOTP secret and
// creates recovery codes for the user id with email. The Enrolment carries
// the plaintext secret and codes to show the user once.
func (s *Service) credentials(ctx context.Context, id uuid.UUID, email, password string) (Secrets, Enrolment, error) {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return Secrets{}, Enrolment{}, err
	}
	secret, uri, err := NewTOTP(s.opts.Issuer, email)
	if err != nil {
		return Secrets{}, Enrolment{}, err
	}
	ciphertext, err := s.cipher.Encrypt(ctx, secretKey, []byte(secret), id[:])
	if err != nil {
		return Secrets{}, Enrolment{}, fmt.Errorf("identity: encrypt TOTP secret: %w", err)
	}
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		return Secrets{}, Enrolment{}, err
	}
	return Secrets{PasswordHash: hash, TOTPCiphertext: ciphertext, RecoveryHashes: hashes},
		Enrolment{UserID: id, TOTPSecret: secret, TOTPURI: uri, RecoveryCodes: codes}, nil
}

// ResetConsoleCredentials gives the existing user with email a new password
// and a new TOTP secret, at the console (the demo seed), ending the user's
// sessions. An unknown email is derrors.ErrNotFound; a weak password is
// derrors.FieldErrors.
func (s *Service) ResetConsoleCredentials(ctx context.Context, email, password string) (Enrolment, error) {
	if err := ValidatePassword(password); err != nil {
		return Enrolment{}, err
	}
	email = NormalizeEmail(email)
	id, err := s.store.UserIDByEmail(ctx, email)
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: reset credentials: %w", err)
	}
	sec, enr, err := s.credentials(ctx, id, email, password)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.store.SetCredentials(ctx, NewCredentials{UserID: id, Secrets: sec,
		Event: audit.Event{Action: audit.ActionUpdate, ObjectKind: "credentials", ObjectID: id.String(), Outcome: audit.OutcomeOK}})
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: reset credentials: %w", err)
	}
	return enr, nil
}
