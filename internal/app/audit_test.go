package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestAuditAcrossTwoProcesses: 50 concurrent writers spread over two real
// server processes (and this test's in-process server) read an employee's
// record; every read lands in the chain exactly once, seq has no gap, and
// `audit verify` passes.
func TestAuditAcrossTwoProcesses(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	tenant := s.addEmployer()
	hrTok := s.session(s.addUser(access.RoleEmployer, tenant))
	r := s.do("POST", "/api/v1/employers/"+tenant.String()+"/employees", hrTok, map[string]any{
		"employee_number": "C1", "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1980-05-06", "employment_start": "2010-01-01"})
	employee, _ := r.body["id"].(string)
	if r.status != http.StatusCreated {
		t.Fatalf("create employee = %d %s", r.status, r.raw)
	}
	procs := []*serveProcess{startServeProcess(t, bin, env), startServeProcess(t, bin, env)}

	const writers, each = 50, 4
	var wg sync.WaitGroup
	errs := make(chan string, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := procs[w%2]
			for range each {
				req, _ := http.NewRequest("GET", p.url+"/api/v1/employees/"+employee, nil)
				req.Header.Set("Authorization", "Bearer "+hrTok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				checkSpec(t, exchange{req: req, resp: resp, respBody: raw})
				if resp.StatusCode != http.StatusOK {
					errs <- resp.Status
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("audited read: %s", e)
	}

	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pending int
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM audit.outbox`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still in the outbox after 10s", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n, maxSeq, reads int64
	if err := owner.QueryRow(ctx, `SELECT count(*), coalesce(max(seq), 0),
		count(*) FILTER (WHERE action = 'read' AND subject_employee_id = $1) FROM audit.events`, uuid.MustParse(employee)).
		Scan(&n, &maxSeq, &reads); err != nil {
		t.Fatal(err)
	}
	if n != maxSeq {
		t.Errorf("audit.events holds %d rows up to seq %d: seq has gaps", n, maxSeq)
	}
	if reads != writers*each {
		t.Errorf("read events for the employee = %d, want %d", reads, writers*each)
	}

	// Sign a checkpoint at the head, exporting the public key on first
	// use, then verify online (Vault) and offline (the exported key).
	auditPool := testenv.Pool(t, env.AuditURL)
	store := postgres.NewAuditStore(auditPool)
	vc, err := newVault(configFor(env))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "audit-checkpoint-public-key.json")
	app := audit.NewAppender(store, vc, slog.New(slog.NewTextHandler(io.Discard, nil)),
		audit.AppenderOptions{PublicKeyFile: keyFile})
	head, hash, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Checkpoint(ctx, head, hash); err != nil {
		t.Fatalf("Checkpoint(%d): %v", head, err)
	}
	cfg := configFor(env)
	for _, key := range []string{"", keyFile} {
		var out bytes.Buffer
		if err := VerifyAudit(ctx, cfg, key, &out); err != nil || !strings.HasPrefix(out.String(), "ok: ") || strings.Contains(out.String(), " 0 checkpoint") {
			t.Errorf("VerifyAudit(public key %q) = %v, %q; want ok with checkpoints", key, err, out.String())
		}
	}
	// A key that did not sign the checkpoints does not verify them.
	pub, _, _ := ed25519.GenerateKey(nil)
	other := filepath.Join(t.TempDir(), "other.json")
	if err := audit.WritePublicKeys(other, map[string]string{"1": base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := VerifyAudit(ctx, cfg, other, &out); err == nil || !strings.Contains(out.String(), "BROKEN") {
		t.Errorf("audit verify with a foreign public key = %v, %q; want BROKEN", err, out.String())
	}
}

// TestFailingAuditWriteFailsTheRequest: with the outbox insert refused, a
// change answers 503 and leaves nothing behind, and a read returns no data.
func TestFailingAuditWriteFailsTheRequest(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	tenant := s.addEmployer()
	hrTok := s.session(s.addUser(access.RoleEmployer, tenant))
	create := func(number string) response {
		return s.do("POST", "/api/v1/employers/"+tenant.String()+"/employees", hrTok, map[string]any{
			"employee_number": number, "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1980-05-06", "employment_start": "2010-01-01"})
	}
	r := create("OK1")
	if r.status != http.StatusCreated {
		t.Fatalf("create employee with auditing working = %d %s", r.status, r.raw)
	}
	existing, _ := r.body["id"].(string)

	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `REVOKE INSERT ON audit.outbox FROM arbokluis_hr`); err != nil {
		t.Fatal(err)
	}
	if r := create("FAIL1"); r.status != http.StatusServiceUnavailable || r.body["type"] == nil {
		t.Errorf("create employee with the audit write failing = %d %s, want 503 problem+json", r.status, r.raw)
	}
	var n int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM hr.employees WHERE employee_number = 'FAIL1'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the employee was stored although its audit event was not")
	}
	if r := s.do("GET", "/api/v1/employees/"+existing, hrTok, nil); r.status != http.StatusServiceUnavailable || strings.Contains(r.raw, "Jansen") {
		t.Errorf("read with the audit write failing = %d %s, want 503 without the data", r.status, r.raw)
	}
}

// waitAppended waits until the outbox holds no event of the request ids.
func waitAppended(t *testing.T, s *stack, subject uuid.UUID) {
	t.Helper()
	owner := testenv.Pool(t, s.env.MigrateURL)
	for range 100 {
		var n int
		if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM audit.outbox WHERE subject_employee_id = $1`, subject).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("events about %s stayed in the outbox", subject)
}

func TestAuditEventsSearch(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tenant := s.addEmployer()
	hrTok := s.session(s.addUser(access.RoleEmployer, tenant))
	po := s.addUser(access.RolePrivacyOfficer, uuid.Nil)
	poTok := s.session(po)
	r := s.do("POST", "/api/v1/employers/"+tenant.String()+"/employees", hrTok, map[string]any{
		"employee_number": "S1", "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1980-05-06", "employment_start": "2010-01-01"})
	id := uuid.MustParse(r.body["id"].(string))
	for range 3 {
		if r := s.do("GET", "/api/v1/employees/"+id.String(), hrTok, nil); r.status != http.StatusOK {
			t.Fatalf("read employee = %d", r.status)
		}
	}
	waitAppended(t, s, id)

	base := "/api/v1/audit/events?employee_id=" + id.String()
	r = s.do("GET", base+"&action=read", poTok, nil)
	events, _ := r.body["events"].([]any)
	if r.status != http.StatusOK || len(events) != 3 {
		t.Fatalf("search reads of the employee = %d, %d events (%s), want 200 with 3", r.status, len(events), r.raw)
	}
	for _, e := range events {
		ev := e.(map[string]any)
		if ev["subject_employee_id"] != id.String() || ev["action"] != "read" || ev["actor_role"] != "employer" {
			t.Errorf("event %v does not match the filter", ev)
		}
	}
	if strings.Contains(r.raw, "Jansen") {
		t.Errorf("audit events contain the employee's name")
	}
	page := s.do("GET", base+"&limit=2", poTok, nil)
	next, _ := page.body["next_after"].(float64)
	rest := s.do("GET", base+"&limit=2&after="+strconv.FormatInt(int64(next), 10), poTok, nil)
	p1, _ := page.body["events"].([]any)
	p2, _ := rest.body["events"].([]any)
	if len(p1) != 2 || next == 0 || len(p2) != 2 {
		t.Errorf("paging by 2 over 4 events (create + 3 reads) = %d then %d (next_after %v), want 2 and 2", len(p1), len(p2), next)
	}
	today := nowNL().Format(time.DateOnly)
	if r := s.do("GET", base+"&from="+today+"&to="+today+"&outcome=ok", poTok, nil); r.status != http.StatusOK {
		t.Errorf("search with a period = %d %s", r.status, r.raw)
	}
	for _, q := range []string{"action=steal", "outcome=maybe", "from=2026-13-01", "employee_id=nope", "limit=0", "limit=201",
		"after=-1", "color=red", "from=2026-05-02&to=2026-05-01"} {
		if r := s.do("GET", "/api/v1/audit/events?"+q, poTok, nil); r.status != http.StatusBadRequest {
			t.Errorf("GET /audit/events?%s = %d, want 400", q, r.status)
		}
	}
	// The searches themselves are audited.
	owner := testenv.Pool(t, s.env.MigrateURL)
	var searches int
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM (
		SELECT actor_user_id, action FROM audit.outbox UNION ALL SELECT actor_user_id, action FROM audit.events) e
		WHERE actor_user_id = $1 AND action = 'search'`, po.userID).Scan(&searches); err != nil {
		t.Fatal(err)
	}
	if searches < 4 {
		t.Errorf("audited searches by the privacy officer = %d, want at least 4", searches)
	}
}

// TestReadyzReportsAuditBacklog: when the outbox holds an event older than
// the configured age that no appender can move, the server is not ready and
// the admin listener says why.
func TestReadyzReportsAuditBacklog(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	// The appender may read but not delete: nothing leaves the outbox.
	if _, err := owner.Exec(ctx, `REVOKE DELETE ON audit.outbox FROM arbokluis_audit`); err != nil {
		t.Fatal(err)
	}
	s := newStackWith(t, env, func(c *config.Config) { c.AuditBacklogMaxAge = time.Second })
	admin := startAdmin(t, s.app)
	if code, body := adminGet(t, admin, "/readyz"); code != http.StatusOK {
		t.Fatalf("admin readyz with an empty outbox = %d %s, want 200", code, body)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO audit.outbox (occurred_at, action, object_kind, outcome)
		VALUES (now() - interval '5 seconds', 'read', 'employee', 'ok')`); err != nil {
		t.Fatal(err)
	}
	if code, body := adminGet(t, admin, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "audit_outbox") {
		t.Errorf("admin readyz with a stuck outbox = %d %s, want 503 naming audit_outbox", code, body)
	}
}
