package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/smtp"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

var (
	// sharedSink receives the mail of every stack on the shared test
	// database: each such stack's sender delivers whatever mail of that
	// database is due, whoever queued it.
	sharedSink = sync.OnceValues(func() (*testenv.SMTPSink, error) {
		s, _, err := testenv.NewSMTPSink(testenv.SinkOptions{})
		return s, err
	})
	// sinkDatabases maps each sink of a mail stack to the owner URL of the
	// database whose outbox it receives.
	sinkDatabases sync.Map
)

// mailSink returns the sink for a mail stack over e: the shared one for the
// shared test database, a sink of its own for a database of its own.
func mailSink(t *testing.T, e testenv.Env) *testenv.SMTPSink {
	t.Helper()
	if e.MigrateURL == testenv.Load(t).MigrateURL {
		s, err := sharedSink()
		if err != nil {
			t.Fatalf("shared smtp sink: %v", err)
		}
		sinkDatabases.Store(s, e.MigrateURL)
		return s
	}
	s := testenv.StartSMTPSink(t)
	sinkDatabases.Store(s, e.MigrateURL)
	t.Cleanup(func() { sinkDatabases.Delete(s) })
	return s
}

// mailWait bounds how long a test waits for the outbox to deliver.
const mailWait = 20 * time.Second

// awaitMail waits until the outbox of the sink's database holds no mail
// for the address to (polling, at most mailWait), then returns the mails
// the sink received for it.
func awaitMail(t *testing.T, sink *testenv.SMTPSink, to string) []testenv.Mail {
	t.Helper()
	url, ok := sinkDatabases.Load(sink)
	if !ok {
		t.Fatalf("awaitMail(%s): the sink belongs to no mail stack", to)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url.(string))
	if err != nil {
		t.Fatalf("awaitMail(%s): connect: %v", to, err)
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(mailWait); ; {
		var queued int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM hr.mail_outbox o JOIN hr.users u ON u.id = o.user_id
			WHERE u.email = $1`, to).Scan(&queued); err != nil {
			t.Fatalf("awaitMail(%s): %v", to, err)
		}
		if queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("awaitMail(%s): %d mails still queued after %s", to, queued, mailWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var out []testenv.Mail
	for _, m := range sink.Mails() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// TestPasswordResetTimingTellsNothing compares the answer times of reset
// requests for addresses with and without an account, 50 calls each, each
// to an address of its own and from a client address of its own (so that
// no per-address or per-client throttle takes part): the medians must be
// within a tolerance far below the SMTP server's greeting delay, which a
// request that talks SMTP itself would pay. It stays serial, so that the
// parallel tests' load does not skew one median against the other, and has
// a database of its own, so that its slow server receives no other test's
// mail.
func TestPasswordResetTimingTellsNothing(t *testing.T) {
	const (
		calls     = 50
		greeting  = 250 * time.Millisecond
		tolerance = 40 * time.Millisecond
	)
	env := testenv.FreshDatabase(t)
	sink := testenv.StartSMTPSinkWith(t, testenv.SinkOptions{GreetingDelay: greeting})
	s := newStackWith(t, env, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom, c.PublicURL = sink.Addr, "Arbokluis <noreply@arbokluis.test>", "https://arbokluis.test"
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	users := make([]login, calls+2)
	for i := range users {
		users[i] = s.addUser(access.RoleCaseManager, uuid.Nil)
	}
	reset := func(email, client string) time.Duration {
		t.Helper()
		start := time.Now()
		r := s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": email}, "X-Forwarded-For", client)
		d := time.Since(start)
		if r.status != http.StatusAccepted {
			t.Fatalf("POST /api/v1/auth/password-reset for %s = %d %s, want 202", email, r.status, r.raw)
		}
		return d
	}
	nobody := func() string { return "nobody-" + uuid.NewString() + "@example.test" }
	// Warm up both paths (connections, Vault), untimed.
	for i := range 2 {
		reset(users[calls+i].email, fmt.Sprintf("192.0.2.%d", 1+i))
		reset(nobody(), fmt.Sprintf("192.0.2.%d", 11+i))
	}
	var known, unknown []time.Duration
	for i := range calls {
		// Alternate which goes first, so that drift hits both alike.
		k := func() { known = append(known, reset(users[i].email, fmt.Sprintf("198.51.100.%d", 1+i))) }
		u := func() { unknown = append(unknown, reset(nobody(), fmt.Sprintf("203.0.113.%d", 1+i))) }
		if i%2 == 0 {
			k()
			u()
		} else {
			u()
			k()
		}
	}
	median := func(ds []time.Duration) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	mk, mu := median(known), median(unknown)
	t.Logf("median reset request time: account %v, no account %v", mk, mu)
	if diff := (mk - mu).Abs(); diff > tolerance {
		t.Errorf("median reset request time: account %v, no account %v (differ by %v); want within %v "+
			"(the SMTP greeting takes %v)", mk, mu, diff, tolerance, greeting)
	}
	// Not vacuous: every request for an account made its link and queued
	// its mail.
	ids := make([]uuid.UUID, len(users))
	for i, u := range users {
		ids[i] = u.userID
	}
	var links int
	if err := testenv.Pool(t, env.MigrateURL).QueryRow(context.Background(), `SELECT count(*) FROM hr.one_time_links
		WHERE purpose = 'password_reset' AND user_id = ANY ($1)`, ids).Scan(&links); err != nil || links != len(users) {
		t.Errorf("reset links made = %d (%v), want %d", links, err, len(users))
	}
}

// TestResetLinkIsLookedUpBeforeThePassword: completing a reset looks the
// link up first, so an unknown link answers 404 whatever the password
// (before, a weak password answered 400: the password was checked, and a
// good one hashed, before the link was looked up). For a working link a
// weak password is still 400 and leaves the link working.
func TestResetLinkIsLookedUpBeforeThePassword(t *testing.T) {
	t.Parallel()
	s, sink := newMailStack(t)
	u := s.addUser(access.RoleLabourExpert, uuid.Nil)
	complete := func(tok, pw string) response {
		return s.do("POST", "/api/v1/auth/password-reset/complete", "", map[string]string{"token": tok, "password": pw})
	}
	unknown, _, err := identity.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"short", "een lang en sterk nieuw wachtwoord"} {
		if r := complete(unknown, pw); r.status != http.StatusNotFound {
			t.Errorf("complete an unknown link with password %q = %d %s, want 404", pw, r.status, r.raw)
		}
	}
	if r := s.do("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.email}); r.status != http.StatusAccepted {
		t.Fatalf("request reset = %d %s", r.status, r.raw)
	}
	token := resetToken(t, sink, u.email)
	if r := complete(token, "short"); r.status != http.StatusBadRequest {
		t.Errorf("complete a working link with a weak password = %d %s, want 400", r.status, r.raw)
	}
	if r := complete(token, "een lang en sterk nieuw wachtwoord"); r.status != http.StatusNoContent {
		t.Errorf("complete the link after a weak password = %d %s, want 204", r.status, r.raw)
	}
}

// TestMailOutboxRetriesUntilSent runs senders over the outbox by hand: a
// mail that cannot go out encrypted (the server offers no STARTTLS and TLS
// is required) is not sent, stays queued with its attempt counted and its
// next attempt put off, and goes out over TLS on a later attempt; a mail
// that fails its last attempt is given up. The log names mails by id
// only; the queued body is sealed. The outbox is service-wide: the test
// has a database of its own, and a stack without SMTP, so that no other
// sender runs.
func TestMailOutboxRetriesUntilSent(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	u := s.addUser(access.RoleCaseManager, uuid.Nil)
	ctx := context.Background()
	owner := testenv.Pool(t, env.MigrateURL)
	store := postgres.NewIdentityStore(testenv.Pool(t, env.HRURL))
	const link = "https://arbokluis.test/password-reset#geheim-token-in-de-mail"
	queue := func() uuid.UUID {
		t.Helper()
		m, err := notify.Seal(ctx, s.app.vault, uuid.Nil, "Wachtwoord opnieuw instellen", "Open deze link:\n"+link+"\n")
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		tok := sha256.Sum256([]byte(uuid.NewString()))
		if err := store.RequestReset(ctx, identity.ResetRequest{Email: u.email, TokenHash: tok[:], ExpiresAt: time.Now().Add(time.Hour),
			Mail: m, Event: audit.Event{Action: audit.ActionUpdate, ObjectKind: "password_reset", Outcome: audit.OutcomeOK}}); err != nil {
			t.Fatalf("RequestReset: %v", err)
		}
		return m.ID
	}
	type row struct {
		attempts int
		due      time.Duration // from now
		body     string
	}
	read := func(id uuid.UUID) (row, bool) {
		t.Helper()
		var r row
		var due time.Time
		err := owner.QueryRow(ctx, `SELECT attempts, next_attempt_at, body_ciphertext FROM hr.mail_outbox WHERE id = $1`, id).Scan(&r.attempts, &due, &r.body)
		if errors.Is(err, pgx.ErrNoRows) {
			return row{}, false
		}
		if err != nil {
			t.Fatalf("read mail %s: %v", id, err)
		}
		r.due = time.Until(due)
		return r, true
	}
	logs := &testenv.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	from := "Arbokluis <noreply@arbokluis.test>"
	plain := testenv.StartSMTPSink(t)
	noTLS, err := smtp.NewWithTransport(smtp.Config{Addr: plain.Addr, From: from}, smtp.Transport{}) // TLS required
	if err != nil {
		t.Fatal(err)
	}
	opts := notify.SenderOptions{FirstDelay: 200 * time.Millisecond, MaxDelay: time.Second, MaxAttempts: 3}

	id := queue()
	if r, ok := read(id); !ok || strings.Contains(r.body, "geheim") || !strings.HasPrefix(r.body, "vault:v") {
		t.Errorf("the queued body = %q (queued: %v), want it sealed", r.body, ok)
	}
	failing := notify.NewSender(store, s.app.vault, noTLS, log, opts)
	if n, err := failing.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("SendDue to a server without STARTTLS = %d, %v; want one mail tried", n, err)
	}
	if got := plain.Mails(); len(got) != 0 {
		t.Errorf("the server without STARTTLS received %d mails, want none", len(got))
	}
	r, ok := read(id)
	if !ok || r.attempts != 1 || r.due <= 0 || r.due > opts.FirstDelay {
		t.Fatalf("after a failed attempt the mail is %+v (queued: %v), want it queued, 1 attempt, due within %v", r, ok, opts.FirstDelay)
	}
	if n, _ := failing.SendDue(ctx); n != 0 {
		t.Errorf("SendDue before the back-off ends tried %d mails, want none", n)
	}

	pair := testenv.NewTLSPair(t)
	secure := testenv.StartSMTPSinkWith(t, testenv.SinkOptions{STARTTLS: pair.Server})
	withTLS, _ := smtp.NewWithTransport(smtp.Config{Addr: secure.Addr, From: from, RootCAs: pair.Roots}, smtp.Transport{})
	sender := notify.NewSender(store, s.app.vault, withTLS, log, opts)
	for deadline := time.Now().Add(mailWait); len(secure.Mails()) == 0; time.Sleep(20 * time.Millisecond) {
		if _, err := sender.SendDue(ctx); err != nil {
			t.Fatalf("SendDue: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mail did not go out over TLS within %v", mailWait)
		}
	}
	got := secure.Mails()
	if len(got) != 1 || !got[0].TLS || got[0].To != u.email || !strings.Contains(got[0].Data, link) {
		t.Errorf("the TLS server received %+v, want one mail over TLS to %s with the link", got, u.email)
	}
	if _, ok := read(id); ok {
		t.Errorf("a sent mail is still queued")
	}

	// The last attempt fails: the mail is given up, and the log says so by id.
	last := queue()
	giveUp := notify.NewSender(store, s.app.vault, noTLS, log, notify.SenderOptions{MaxAttempts: 1})
	if n, err := giveUp.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("SendDue (last attempt) = %d, %v; want one mail tried", n, err)
	}
	if _, ok := read(last); ok {
		t.Errorf("a mail whose last attempt failed is still queued")
	}
	out := logs.String()
	for _, want := range []string{`"msg":"mail not sent; retrying","mail_id":"` + id.String(), `"msg":"mail sent","mail_id":"` + id.String(),
		`"msg":"mail given up","mail_id":"` + last.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{u.email, "geheim", "Wachtwoord"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}
