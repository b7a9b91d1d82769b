package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// stack is one wired server over the shared test database and Vault.
//
// The tests of this package run in parallel (t.Parallel) on that one
// database, each in a tenant and with users of its own. A test that counts
// or reads rows beyond its own ids (a whole table, a service-wide queue),
// or that changes what other tests share (grants on a table, a paused
// Vault), runs on a database of its own (testenv.FreshDatabase) or a
// private Vault (testenv.StartVault); a test whose assertion is about
// timing stays serial and says why.
type stack struct {
	t    *testing.T
	env  testenv.Env
	url  string
	ids  *identity.Service
	logs *testenv.LogBuffer // everything the server logged
	app  *App
}

func newStack(t *testing.T, trustedProxies ...string) *stack {
	t.Helper()
	return newStackWith(t, testenv.Load(t), func(c *config.Config) { c.TrustedProxies = trustedProxies })
}

// newStackWith wires a server to the databases and Vault of e, with the
// configuration adjusted by configure (may be nil).
func newStackWith(t *testing.T, e testenv.Env, configure func(*config.Config)) *stack {
	t.Helper()
	cfg := configFor(e)
	cfg.DBMaxConns = 4
	if configure != nil {
		configure(&cfg)
	}
	logs := &testenv.LogBuffer{}
	a, url := startApp(t, cfg, logs)
	return &stack{t: t, env: e, url: url, ids: a.ids, logs: logs, app: a}
}

// testPasswordParams is the argon2id cost of the test servers' password
// hashes, the cost identity's own tests use. At the default cost a hash
// takes a third of a second of both cores under the race detector, and the
// tests here make one for every user and every login: most of this
// package's time went to them. TestUnknownUserAndWrongPasswordAreIndistinguishable,
// which compares the time of hashes, keeps the default.
var testPasswordParams = identity.PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1}

// configFor returns the default configuration pointed at e.
func configFor(e testenv.Env) config.Config {
	cfg := config.Default()
	cfg.PasswordParams = testPasswordParams
	cfg.HRDatabaseURL, cfg.MedDatabaseURL, cfg.AuditDatabaseURL = e.HRURL, e.MedURL, e.AuditURL
	cfg.VaultAddr, cfg.VaultToken, cfg.VaultTransitMount = e.VaultAddr, e.VaultToken, e.TransitMount
	// serve never holds the destruction token: the worker does
	// (workerConfig, startWorker).
	// Tests page through lists of a shared database that keeps growing;
	// the list-read limit has its own test (TestListReadsAreThrottled).
	cfg.ListReadsPerMinute, cfg.ListReadBurst = 100_000, 100_000
	// Every test server answers 127.0.0.1 (and shares the service-wide
	// counter): the attempt limits have their own tests
	// (TestLoginAttemptLimits, TestPasswordResetIsThrottled).
	cfg.LoginAccountLimit, cfg.LoginClientLimit, cfg.LoginTotalLimit = 1_000_000, 1_000_000, 1_000_000
	cfg.ResetAddressLimit, cfg.ResetClientLimit = 1_000_000, 1_000_000
	return cfg
}

// startApp wires cfg and serves it on a test server, both closed when the
// test ends. The server logs at debug level into logs.
func startApp(t *testing.T, cfg config.Config, logs io.Writer) (*App, string) {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(a.Close)
	// The appender runs beside every test server, as in serve: many of
	// them share the test database, and the advisory lock lets one at a
	// time append.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.appender.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// So does the mail outbox's sender, when SMTP is configured.
	if a.mail != nil {
		mailDone := make(chan struct{})
		go func() { defer close(mailDone); a.mail.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-mailDone })
	}
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

// login is a test account.
type login struct {
	userID          uuid.UUID
	email, password string
	secret          string
}

func (s *stack) addUser(role access.Role, employerID uuid.UUID) login {
	s.t.Helper()
	l := login{email: "u-" + uuid.NewString() + "@example.test", password: "a long test password " + uuid.NewString()[:8]}
	enr, err := s.ids.AddConsoleUser(context.Background(), identity.ConsoleUser{
		Email: l.email, DisplayName: "Test " + string(role), Password: l.password, Role: role, EmployerID: employerID,
	})
	if err != nil {
		s.t.Fatalf("AddConsoleUser(%s): %v", role, err)
	}
	l.userID, l.secret = enr.UserID, enr.TOTPSecret
	return l
}

func (s *stack) addEmployer() uuid.UUID {
	s.t.Helper()
	n, _ := rand.Int(rand.Reader, big.NewInt(90_000_000))
	pool := testenv.Pool(s.t, s.env.HRURL)
	e, _, err := postgres.NewEmployerStore(pool).Ensure(context.Background(),
		employer.Employer{Name: "Test employer", KvKNumber: fmt.Sprintf("%08d", n.Int64()+10_000_000)})
	if err != nil {
		s.t.Fatalf("add employer: %v", err)
	}
	return e.ID
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := identity.TOTPCode(secret, at)
	if err != nil {
		t.Fatalf("TOTPCode: %v", err)
	}
	return c
}

type response struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

// rawBody is a request body sent as it is, with its content type.
type rawBody struct {
	contentType string
	data        []byte
}

// do sends one request to the stack's server and returns the response. The
// exchange is held to docs/openapi.yaml (checkSpec): a response the spec does
// not describe, or an accepted request it does not describe, fails s.t.
func (s *stack) do(method, path, token string, body any, header ...string) response {
	s.t.Helper()
	var sent []byte
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		sent, contentType = b.data, b.contentType
	default:
		sent, _ = json.Marshal(body)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkSpec(s.t, exchange{req: req, reqBody: sent, resp: resp, respBody: raw})
	r := response{status: resp.StatusCode, raw: string(raw), header: resp.Header}
	json.Unmarshal(raw, &r.body) //nolint:errcheck // some bodies are empty
	return r
}

func (s *stack) login(email, password, totp string, header ...string) response {
	s.t.Helper()
	return s.do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password, "totp": totp}, header...)
}

func TestLoginRequiresTOTPForEveryRole(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tenant := s.addEmployer()
	for _, role := range access.Roles {
		t.Run(string(role), func(t *testing.T) {
			var emp uuid.UUID
			if role.TenantBound() {
				emp = tenant
			}
			u := s.addUser(role, emp)
			if r := s.login(u.email, u.password, ""); r.status != http.StatusBadRequest {
				t.Errorf("login as %s without TOTP = %d %s, want 400", role, r.status, r.raw)
			}
			wrong := fmt.Sprintf("%06d", (mustAtoi(code(t, u.secret, time.Now()))+1)%1_000_000)
			if r := s.login(u.email, u.password, wrong); r.status != http.StatusUnauthorized {
				t.Errorf("login as %s with a wrong TOTP = %d %s, want 401", role, r.status, r.raw)
			}
			r := s.login(u.email, u.password, code(t, u.secret, time.Now()))
			if r.status != http.StatusOK {
				t.Fatalf("login as %s = %d %s, want 200", role, r.status, r.raw)
			}
			token, _ := r.body["token"].(string)
			me := s.do("GET", "/api/v1/me", token, nil)
			if me.status != http.StatusOK || !strings.Contains(me.raw, `"role":"`+string(role)+`"`) || !strings.Contains(me.raw, u.userID.String()) {
				t.Errorf("GET /me as %s = %d %s, want the user and role", role, me.status, me.raw)
			}
			if role.TenantBound() && !strings.Contains(me.raw, tenant.String()) {
				t.Errorf("GET /me as %s = %s, want employer %s", role, me.raw, tenant)
			}
		})
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestTOTPCannotBeReplayed(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RolePhysician, uuid.Nil)
	c := code(t, u.secret, time.Now())
	r := s.login(u.email, u.password, c)
	if r.status != http.StatusOK {
		t.Fatalf("first login = %d %s, want 200", r.status, r.raw)
	}
	if r := s.login(u.email, u.password, c); r.status != http.StatusUnauthorized {
		t.Errorf("login replaying code %s = %d %s, want 401", c, r.status, r.raw)
	}
	old := code(t, u.secret, time.Now().Add(-30*time.Second))
	if r := s.login(u.email, u.password, old); r.status != http.StatusUnauthorized {
		t.Errorf("login with the code before a used one = %d, want 401", r.status)
	}
}

// TestUnknownUserAndWrongPasswordAreIndistinguishable compares the times
// of two kinds of failed login; it stays serial, so that the parallel
// tests' load does not skew one median against the other.
func TestUnknownUserAndWrongPasswordAreIndistinguishable(t *testing.T) {
	// The production cost (what config.Default leaves, not the tests'
	// cheaper one): the test compares hashes, and a real hash must dominate
	// the time of a login.
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) { c.PasswordParams = config.Default().PasswordParams })
	u := s.addUser(access.RoleCaseManager, uuid.Nil)
	var stored string
	if err := testenv.Pool(t, s.env.MigrateURL).QueryRow(context.Background(), `SELECT password_hash FROM hr.users WHERE id = $1`,
		u.userID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	p := identity.DefaultPasswordParams
	if want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", p.Memory, p.Time, p.Threads); !strings.HasPrefix(stored, want) {
		t.Fatalf("a password hashed with the default configuration is stored as %.40s…, want the default cost %s", stored, want)
	}
	c := code(t, u.secret, time.Now())
	strip := func(r response) string {
		delete(r.body, "request_id")
		b, _ := json.Marshal(r.body)
		return fmt.Sprint(r.status) + string(b)
	}
	timed := func(email, pw string) (string, time.Duration) {
		start := time.Now()
		r := s.login(email, pw, c)
		return strip(r), time.Since(start)
	}
	var unknownTimes, wrongTimes []time.Duration
	var unknownBody, wrongBody string
	for range 3 {
		b, d := timed("nobody-"+uuid.NewString()+"@example.test", u.password)
		unknownBody, unknownTimes = b, append(unknownTimes, d)
		b, d = timed(u.email, "not the password at all")
		wrongBody, wrongTimes = b, append(wrongTimes, d)
	}
	if unknownBody != wrongBody || !strings.HasPrefix(unknownBody, "401") {
		t.Errorf("unknown user answers %s, wrong password answers %s; want the same 401", unknownBody, wrongBody)
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	mu, mw := median(unknownTimes), median(wrongTimes)
	if ratio := float64(mu) / float64(mw); ratio < 0.33 || ratio > 3 {
		t.Errorf("median login time: unknown user %v, wrong password %v; want comparable (both hash a password)", mu, mw)
	}
}

// TestBackoffPerAccountAndIP stays serial: the throttle after the sixth
// failure lasts one second, and both correct logins must come within it,
// which a machine busy with the parallel tests does not promise.
func TestBackoffPerAccountAndIP(t *testing.T) {
	s := newStack(t, "127.0.0.1")
	other := newStack(t, "127.0.0.1") // a second server on the same database
	u := s.addUser(access.RoleLeadPhysician, uuid.Nil)
	attacker := []string{"X-Forwarded-For", "198.51.100.7"}
	doctor := []string{"X-Forwarded-For", "203.0.113.20"}

	for i := range identity.DefaultBackoff.FreeAttempts + 1 {
		if r := s.login(u.email, "wrong password number x", "000000", attacker...); r.status != http.StatusUnauthorized {
			t.Fatalf("failed attempt %d = %d %s, want 401", i+1, r.status, r.raw)
		}
	}
	good := code(t, u.secret, time.Now())
	if r := s.login(u.email, u.password, good, attacker...); r.status != http.StatusTooManyRequests {
		t.Errorf("correct login from the throttled IP = %d %s, want 429", r.status, r.raw)
	}
	if r := other.login(u.email, u.password, good, attacker...); r.status != http.StatusTooManyRequests {
		t.Errorf("correct login from the throttled IP via the second server = %d, want 429 (state is shared)", r.status)
	}
	if r := other.login(u.email, u.password, good, doctor...); r.status != http.StatusOK {
		t.Errorf("correct login from another IP = %d %s, want 200: an attacker cannot lock the doctor out", r.status, r.raw)
	}
}

// TestForwardedForIsIgnoredWithoutTrustedProxy stays serial for the same
// one-second throttle as TestBackoffPerAccountAndIP.
func TestForwardedForIsIgnoredWithoutTrustedProxy(t *testing.T) {
	s := newStack(t) // no trusted proxies
	u := s.addUser(access.RoleEmployee, s.addEmployer())
	for i := range identity.DefaultBackoff.FreeAttempts + 1 {
		ip := fmt.Sprintf("192.0.2.%d", i+1) // a new spoofed address every time
		s.login(u.email, "wrong password number x", "000000", "X-Forwarded-For", ip)
	}
	r := s.login(u.email, u.password, code(t, u.secret, time.Now()), "X-Forwarded-For", "192.0.2.99")
	if r.status != http.StatusTooManyRequests {
		t.Errorf("login after failures under spoofed X-Forwarded-For = %d, want 429 (the peer address counts)", r.status)
	}
}

func TestSessionEnds(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	tests := []struct {
		name string
		end  func(u login, token string)
	}{
		{"logout", func(_ login, token string) {
			if r := s.do("POST", "/api/v1/auth/logout", token, nil); r.status != http.StatusNoContent {
				t.Errorf("logout = %d %s, want 204", r.status, r.raw)
			}
		}},
		{"user blocked", func(u login, _ string) {
			if _, err := owner.Exec(context.Background(), `UPDATE hr.users SET status = 'blocked' WHERE id = $1`, u.userID); err != nil {
				t.Fatalf("block user: %v", err)
			}
		}},
		{"role revoked", func(u login, _ string) {
			if _, err := owner.Exec(context.Background(), `UPDATE hr.role_grants SET status = 'revoked' WHERE user_id = $1`, u.userID); err != nil {
				t.Fatalf("revoke role: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := s.addUser(access.RoleCaseManager, uuid.Nil)
			r := s.login(u.email, u.password, code(t, u.secret, time.Now()))
			token, _ := r.body["token"].(string)
			if me := s.do("GET", "/api/v1/me", token, nil); me.status != http.StatusOK {
				t.Fatalf("GET /me with a fresh session = %d, want 200", me.status)
			}
			tt.end(u, token)
			if me := s.do("GET", "/api/v1/me", token, nil); me.status != http.StatusUnauthorized {
				t.Errorf("GET /me after %s = %d %s, want 401", tt.name, me.status, me.raw)
			}
		})
	}
	for _, bad := range []string{"", "not-a-token", strings.Repeat("A", 43)} {
		if me := s.do("GET", "/api/v1/me", bad, nil); me.status != http.StatusUnauthorized {
			t.Errorf("GET /me with token %q = %d, want 401", bad, me.status)
		}
	}
}

func TestLoginIsAudited(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RolePrivacyOfficer, uuid.Nil)
	s.login(u.email, "wrong password number x", "000000")
	r := s.login(u.email, u.password, code(t, u.secret, time.Now()))
	token, _ := r.body["token"].(string)
	s.do("POST", "/api/v1/auth/logout", token, nil)

	auditPool := testenv.Pool(t, s.env.AuditURL)
	// One statement, one snapshot: each event is either still in the
	// outbox or already appended, never both or neither.
	rows, err := auditPool.Query(context.Background(), `
		SELECT action || ':' || outcome, occurred_at FROM audit.outbox WHERE actor_user_id = $1
		UNION ALL
		SELECT action || ':' || outcome, occurred_at FROM audit.events WHERE actor_user_id = $1
		ORDER BY 2`, u.userID)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	var got []string
	for rows.Next() {
		var s string
		var at time.Time
		rows.Scan(&s, &at) //nolint:errcheck
		got = append(got, s)
	}
	want := "login:denied,login:ok,logout:ok"
	if strings.Join(got, ",") != want {
		t.Errorf("audit events of the user = %v, want %s", got, want)
	}
}

// TestCredentialsNeverLogged logs in, fails, throttles and logs out, then
// checks that no address, password, TOTP secret or token reached the
// server's log. (A six-digit code is not checked: it could occur by chance in
// a timestamp.)
func TestCredentialsNeverLogged(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	u := s.addUser(access.RoleEmployer, s.addEmployer())
	for range identity.DefaultBackoff.FreeAttempts + 2 {
		s.login(u.email, "wrong password number x", "123456")
	}
	s.login("nobody-"+u.email, u.password, "654321")
	v := newStack(t)
	c := code(t, u.secret, time.Now())
	r := v.login(u.email, u.password, c, "X-Forwarded-For", "203.0.113.9")
	token, _ := r.body["token"].(string)
	v.do("GET", "/api/v1/me", token, nil)
	v.do("POST", "/api/v1/auth/logout", token, nil)
	logs := s.logs.String() + v.logs.String()
	if !strings.Contains(logs, `"route":"/api/v1/auth/login"`) {
		t.Fatalf("the server logged no login requests; the check below would prove nothing")
	}
	for name, secret := range map[string]string{
		"email": u.email, "password": u.password, "wrong password": "wrong password number x",
		"TOTP secret": u.secret, "session token": token,
	} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the server log contains the %s", name)
		}
	}
}
