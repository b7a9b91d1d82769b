package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// uniqueIP returns a client address of the documentation range no other
// test or earlier run used: the attempt counters of the shared test
// database outlive a run by their window.
func uniqueIP() string {
	u := uuid.New()
	return fmt.Sprintf("2001:db8:%x:%x:%x:%x:%x:%x", u[0:2], u[2:4], u[4:6], u[6:8], u[8:10], u[10:12])
}

// hashCounter counts the password hashes one test server runs.
type hashCounter struct{ n atomic.Int64 }

func (h *hashCounter) hook() { h.n.Add(1) }

// limitedStack is a server behind a trusted proxy at 127.0.0.1 (so tests
// choose client addresses with X-Forwarded-For), on e, with its own attempt
// limits set by configure after configFor's generous ones.
func limitedStack(t *testing.T, e testenv.Env, hashes *hashCounter, configure func(*config.Config)) *stack {
	t.Helper()
	return newStackWith(t, e, func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		if hashes != nil {
			c.OnPasswordHash = hashes.hook
		}
		configure(c)
	})
}

// post sends one JSON request without failing the test, so goroutines may
// call it; the exchange is still held to docs/openapi.yaml.
func (s *stack) post(path string, body any, clientIP string) (response, error) {
	sent, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(sent))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", clientIP)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkSpec(s.t, exchange{req: req, reqBody: sent, resp: resp, respBody: raw})
	r := response{status: resp.StatusCode, raw: string(raw), header: resp.Header}
	json.Unmarshal(raw, &r.body) //nolint:errcheck // some bodies are empty
	return r, nil
}

// parallel runs n requests at once and returns their answers.
func parallel(t *testing.T, n int, req func(i int) (response, error)) []response {
	t.Helper()
	out := make([]response, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i], errs[i] = req(i)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return out
}

// statuses counts answers by status.
func statuses(rs []response) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.status]++
	}
	return m
}

// retryAfter returns the answer's Retry-After in seconds, or 0.
func retryAfter(r response) int {
	n, _ := strconv.Atoi(r.header.Get("Retry-After"))
	return n
}

func wrongLogin(email string) map[string]string {
	return map[string]string{"email": email, "password": "not the password at all", "totp": "000000"}
}

// TestLoginBurstHashesAtMostTheLimit: 50 wrong-password logins for one
// account at once, each from its own client address, run at most the
// account limit (5) of password hashes: 5 answer 401 and 45 answer 429 with
// Retry-After, before any hash. The account stays closed to a correct
// login from elsewhere until its window ends; a success forgets the
// account's count.
func TestLoginBurstHashesAtMostTheLimit(t *testing.T) {
	t.Parallel()
	const limit = 5
	hashes := &hashCounter{}
	s := limitedStack(t, testenv.Load(t), hashes, func(c *config.Config) { c.LoginAccountLimit = limit })
	u := s.addUser(access.RoleCaseManager, uuid.Nil)
	before := hashes.n.Load()
	rs := parallel(t, 50, func(i int) (response, error) {
		return s.post("/api/v1/auth/login", wrongLogin(u.email), fmt.Sprintf("198.51.100.%d", i+1))
	})
	if got := hashes.n.Load() - before; got > limit {
		t.Errorf("50 parallel wrong logins for one account ran %d password hashes, want at most %d", got, limit)
	}
	if got := statuses(rs); got[http.StatusUnauthorized] != limit || got[http.StatusTooManyRequests] != 50-limit {
		t.Errorf("50 parallel wrong logins for one account answered %v, want %d×401 and %d×429", got, limit, 50-limit)
	}
	for _, r := range rs {
		if r.status == http.StatusTooManyRequests && (retryAfter(r) < 1 || retryAfter(r) > 15*60 || r.body["type"] != "urn:arbokluis:problem:throttled") {
			t.Errorf("a throttled login answered Retry-After %q %s, want 1 to 900 seconds and type throttled", r.header.Get("Retry-After"), r.raw)
			break
		}
	}
	good := map[string]string{"email": u.email, "password": u.password, "totp": code(t, u.secret, time.Now())}
	if r, _ := s.post("/api/v1/auth/login", good, "203.0.113.77"); r.status != http.StatusTooManyRequests {
		t.Errorf("a correct login from a new address after the burst = %d, want 429: the limit is per account", r.status)
	}

	// A success forgets the account's failures.
	v := s.addUser(access.RoleCaseManager, uuid.Nil)
	for i := range limit - 1 {
		if r, _ := s.post("/api/v1/auth/login", wrongLogin(v.email), "198.51.100.201"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong login %d of %d = %d, want 401", i+1, limit-1, r.status)
		}
	}
	good = map[string]string{"email": v.email, "password": v.password, "totp": code(t, v.secret, time.Now())}
	if r, _ := s.post("/api/v1/auth/login", good, "203.0.113.78"); r.status != http.StatusOK {
		t.Fatalf("a correct login within the limit = %d %s, want 200", r.status, r.raw)
	}
	for i := range limit {
		if r, _ := s.post("/api/v1/auth/login", wrongLogin(v.email), "198.51.100.202"); r.status != http.StatusUnauthorized {
			t.Errorf("wrong login %d after a success = %d, want 401: the success forgot the account's count", i+1, r.status)
		}
	}
}

// TestLoginLimitPerClientAddress: one client address trying many accounts
// (known or not) is stopped at its limit, before any hash, with the same
// 429 for every account; another address is not.
func TestLoginLimitPerClientAddress(t *testing.T) {
	t.Parallel()
	const limit = 4
	hashes := &hashCounter{}
	s := limitedStack(t, testenv.Load(t), hashes, func(c *config.Config) { c.LoginClientLimit = limit })
	known := s.addUser(access.RoleEmployer, s.addEmployer())
	before := hashes.n.Load()
	attacker := uniqueIP()
	var got []int
	for i := range limit + 3 {
		email := fmt.Sprintf("nobody-%d-%s@example.test", i, uuid.NewString())
		if i == limit+1 {
			email = known.email
		}
		r, err := s.post("/api/v1/auth/login", wrongLogin(email), attacker)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.status)
		if r.status == http.StatusTooManyRequests && retryAfter(r) < 1 {
			t.Errorf("login %d throttled without Retry-After: %v", i+1, r.header)
		}
	}
	want := []int{401, 401, 401, 401, 429, 429, 429}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("7 wrong logins for 7 accounts from one address = %v, want %v", got, want)
	}
	if n := hashes.n.Load() - before; n != limit {
		t.Errorf("password hashes for 7 logins from one address = %d, want %d", n, limit)
	}
	if r, _ := s.post("/api/v1/auth/login", wrongLogin(known.email), uniqueIP()); r.status != http.StatusUnauthorized {
		t.Errorf("a wrong login from another address = %d, want 401: the limit is per address", r.status)
	}
}

// TestLoginLimitInTotal: the service-wide limit stops logins from every
// address once it is used up. It runs on a database of its own: the total
// counter is shared by every server on a database.
func TestLoginLimitInTotal(t *testing.T) {
	t.Parallel()
	const limit = 6
	s := limitedStack(t, testenv.FreshDatabase(t), nil, func(c *config.Config) { c.LoginTotalLimit = limit })
	var got []int
	for i := range limit + 2 {
		r, err := s.post("/api/v1/auth/login", wrongLogin(fmt.Sprintf("nobody-%d@example.test", i)), fmt.Sprintf("192.0.2.%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.status)
	}
	want := []int{401, 401, 401, 401, 401, 401, 429, 429}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("8 wrong logins for 8 accounts from 8 addresses with a total limit of %d = %v, want %v", limit, got, want)
	}
}

// TestPasswordHashSlotsRefuseAtOnce: with the memory budget for one hash
// and that hash running, a second login and a password-reset completion
// answer 503 with Retry-After at once instead of queueing, and the first
// login still finishes.
func TestPasswordHashSlotsRefuseAtOnce(t *testing.T) {
	t.Parallel()
	var holding atomic.Bool
	entered, release := make(chan struct{}), make(chan struct{})
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) {
		c.PasswordHashMemoryMiB = int64(testPasswordParams.Memory / 1024) // one slot
		c.OnPasswordHash = func() {
			if holding.CompareAndSwap(true, false) {
				entered <- struct{}{}
				<-release
			}
		}
	})
	// Runs before the stack's own cleanup (which drains the server): a
	// test that stops early must not leave the first login blocked.
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	holding.Store(true)
	first := make(chan response, 1)
	go func() {
		r, err := s.post("/api/v1/auth/login", wrongLogin(u.email), "127.0.0.1")
		if err != nil {
			t.Error(err)
		}
		first <- r
	}()
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the first login never started its hash")
	}
	start := time.Now()
	r := s.login(u.email, "another wrong password", "000000")
	took := time.Since(start)
	if r.status != http.StatusServiceUnavailable || retryAfter(r) < 1 || r.body["type"] != "urn:arbokluis:problem:unavailable" {
		t.Errorf("a login while the only hash slot is busy = %d Retry-After %q %s, want 503 unavailable with Retry-After",
			r.status, r.header.Get("Retry-After"), r.raw)
	}
	if took > 2*time.Second {
		t.Errorf("a login while the only hash slot is busy took %v, want an answer at once", took)
	}
	// A working link: the link is looked up before the hash, so an
	// unknown one would answer 404 without needing a slot.
	resetLink, resetHash, err := identity.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Pool(t, s.env.MigrateURL).Exec(context.Background(), `
		INSERT INTO hr.one_time_links (token_hash, user_id, purpose, expires_at)
		VALUES ($1, $2, 'password_reset', now() + interval '1 hour')`, resetHash, u.userID); err != nil {
		t.Fatal(err)
	}
	rc := s.do("POST", "/api/v1/auth/password-reset/complete", "", map[string]string{
		"token": resetLink, "password": "een heel nieuw wachtwoord"})
	if rc.status != http.StatusServiceUnavailable || retryAfter(rc) < 1 {
		t.Errorf("a reset completion while the only hash slot is busy = %d Retry-After %q, want 503 with Retry-After",
			rc.status, rc.header.Get("Retry-After"))
	}
	unblock()
	if r := <-first; r.status != http.StatusUnauthorized {
		t.Errorf("the login holding the slot = %d, want 401", r.status)
	}
}

// auditedDenials returns the denied login events from ip, oldest first, as
// object_kind:object_id, from the outbox and the trail in one snapshot.
func auditedDenials(t *testing.T, s *stack, ip string) []string {
	t.Helper()
	rows, err := testenv.Pool(t, s.env.AuditURL).Query(context.Background(), `
		SELECT object_kind || ':' || coalesce(object_id, ''), occurred_at FROM audit.outbox
		WHERE action = 'login' AND outcome = 'denied' AND client_ip = $1::inet
		UNION ALL
		SELECT object_kind || ':' || coalesce(object_id, ''), occurred_at FROM audit.events
		WHERE action = 'login' AND outcome = 'denied' AND client_ip = $1::inet
		ORDER BY 2`, ip)
	if err != nil {
		t.Fatalf("read denied logins: %v", err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var e string
		var at time.Time
		if err := rows.Scan(&e, &at); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	return got
}

// deniedCount is the number of denied attempts events stand for: one each,
// or the count an aggregate event carries.
func deniedCount(t *testing.T, events []string) int {
	t.Helper()
	n := 0
	for _, e := range events {
		if rest, ok := strings.CutPrefix(e, "failed_logins:"); ok {
			c, err := strconv.Atoi(rest)
			if err != nil || c < 1 {
				t.Errorf("aggregate event %q has no count", e)
			}
			n += c
		} else {
			n++
		}
	}
	return n
}

// TestFailedLoginsAreAggregatedAndSwept: a burst of 30 denied logins from
// one address writes one audit event, not 30; once the pair is quiet for a
// window the sweep writes one event carrying the other 29 and deletes the
// pair's row and the ended counters. A success writes the pair's count
// before its own event. On a database of its own: the sweep is
// service-wide.
func TestFailedLoginsAreAggregatedAndSwept(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Now()}
	s := limitedStack(t, testenv.FreshDatabase(t), nil, func(c *config.Config) {
		c.LoginAccountLimit, c.Clock = 5, clock.Now
	})
	owner := testenv.Pool(t, s.env.MigrateURL)
	rowsOf := func(table string) int {
		t.Helper()
		var n int
		if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.`+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	u := s.addUser(access.RolePhysician, uuid.Nil)
	const ip = "198.51.100.30"
	parallel(t, 30, func(int) (response, error) { return s.post("/api/v1/auth/login", wrongLogin(u.email), ip) })
	if got := auditedDenials(t, s, ip); len(got) != 1 {
		t.Errorf("audit events of a burst of 30 denied logins = %v, want one (the first)", got)
	}
	if rowsOf("login_failures") != 1 || rowsOf("auth_attempts") != 3 {
		t.Fatalf("after the burst: %d login_failures rows and %d counters, want 1 and 3 (account, client, total)",
			rowsOf("login_failures"), rowsOf("auth_attempts"))
	}
	if n, err := s.ids.SweepAttempts(context.Background()); err != nil || n != 0 {
		t.Errorf("SweepAttempts during the window = %d, %v; want nothing removed", n, err)
	}
	clock.Advance(16 * time.Minute) // past the login window and any back-off
	if n, err := s.ids.SweepAttempts(context.Background()); err != nil || n != 4 {
		t.Errorf("SweepAttempts after the window = %d, %v; want 4 rows removed", n, err)
	}
	if rowsOf("login_failures") != 0 || rowsOf("auth_attempts") != 0 {
		t.Errorf("after the sweep: %d login_failures rows and %d counters, want none", rowsOf("login_failures"), rowsOf("auth_attempts"))
	}
	got := auditedDenials(t, s, ip)
	if len(got) != 2 || got[1] != "failed_logins:29" || deniedCount(t, got) != 30 {
		t.Errorf("audit events of 30 denied logins after the sweep = %v, want the first and failed_logins:29", got)
	}

	// A success writes the count of the pair's denied attempts first.
	const ip2 = "198.51.100.31"
	for range 3 {
		s.post("/api/v1/auth/login", wrongLogin(u.email), ip2) //nolint:errcheck // statuses are not the point
	}
	good := map[string]string{"email": u.email, "password": u.password, "totp": code(t, u.secret, time.Now())}
	if r, _ := s.post("/api/v1/auth/login", good, ip2); r.status != http.StatusOK {
		t.Fatalf("correct login after 3 failures = %d %s, want 200", r.status, r.raw)
	}
	if got := auditedDenials(t, s, ip2); fmt.Sprint(got) != "[session: failed_logins:2]" {
		t.Errorf("denied events of 3 failures and a success = %v, want [session: failed_logins:2]", got)
	}
	var pairs int
	owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.login_failures WHERE client_ip = $1::inet`, ip2).Scan(&pairs) //nolint:errcheck
	if pairs != 0 {
		t.Errorf("login_failures rows of the pair after its success = %d, want 0", pairs)
	}
}

// TestPasswordResetIsThrottled: both reset routes count per address (the
// request) or link (the completion) and per client address; an address
// with an account and one without get the same answers, throttled ones
// included.
func TestPasswordResetIsThrottled(t *testing.T) {
	t.Parallel()
	sink := testenv.StartSMTPSink(t)
	s := limitedStack(t, testenv.Load(t), nil, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom, c.PublicURL = sink.Addr, "Arbokluis <noreply@arbokluis.test>", "https://arbokluis.test"
		c.ResetAddressLimit, c.ResetClientLimit = 3, 6
	})
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	unknown := "nobody-" + uuid.NewString() + "@example.test"
	request := func(email, ip string) response {
		t.Helper()
		r, err := s.post("/api/v1/auth/password-reset", map[string]string{"email": email}, ip)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	shape := func(r response) string {
		delete(r.body, "request_id")
		b, _ := json.Marshal(r.body)
		return fmt.Sprintf("%d %s", r.status, b)
	}
	var answers []string
	var waits []int
	for _, email := range []string{u.email, unknown} {
		var got []int
		var last response
		for range 4 {
			last = request(email, uniqueIP())
			got = append(got, last.status)
		}
		answers = append(answers, shape(last))
		waits = append(waits, retryAfter(last))
		if fmt.Sprint(got) != "[202 202 202 429]" || retryAfter(last) < 1 {
			t.Errorf("4 reset requests for one address from 4 clients (account: %v) = %v Retry-After %q, want [202 202 202 429] with Retry-After",
				email == u.email, got, last.header.Get("Retry-After"))
		}
	}
	if answers[0] != answers[1] {
		t.Errorf("throttled reset request: with an account %s, without %s; want the same answer", answers[0], answers[1])
	}
	// The waits count down from windows opened a moment apart: they may
	// differ by the second the two sequences straddle, never more.
	if d := waits[0] - waits[1]; d < -2 || d > 2 {
		t.Errorf("throttled reset request: Retry-After with an account %d, without %d; want the same within 2 seconds", waits[0], waits[1])
	}

	client := uniqueIP()
	var perClient []int
	for i := range 7 {
		perClient = append(perClient, request(fmt.Sprintf("nobody-%d-%s@example.test", i, uuid.NewString()), client).status)
	}
	if fmt.Sprint(perClient) != "[202 202 202 202 202 202 429]" {
		t.Errorf("7 reset requests for 7 addresses from one client = %v, want six 202 then 429", perClient)
	}

	complete := func(token, ip string) int {
		t.Helper()
		r, err := s.post("/api/v1/auth/password-reset/complete", map[string]string{"token": token, "password": "een heel nieuw wachtwoord"}, ip)
		if err != nil {
			t.Fatal(err)
		}
		return r.status
	}
	randomToken := func() string {
		tok, _, err := identity.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	link := randomToken()
	var perLink []int
	for range 4 {
		perLink = append(perLink, complete(link, uniqueIP()))
	}
	if fmt.Sprint(perLink) != "[404 404 404 429]" {
		t.Errorf("4 completions of one unknown link from 4 clients = %v, want [404 404 404 429]", perLink)
	}
	client = uniqueIP()
	var fromOne []int
	for range 7 {
		fromOne = append(fromOne, complete(randomToken(), client))
	}
	if fmt.Sprint(fromOne) != "[404 404 404 404 404 404 429]" {
		t.Errorf("7 completions of 7 unknown links from one client = %v, want six 404 then 429", fromOne)
	}
}
