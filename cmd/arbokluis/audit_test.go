package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestAuditAcrossTwoProcesses: 50 concurrent writers spread over two real
// server processes (and this test's in-process server) read an employee's
// record; every read lands in the chain exactly once, seq has no gap, and
// `audit verify` passes.
func TestAuditAcrossTwoProcesses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "arbokluis")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	tenant := s.addEmployer()
	hrTok := s.session(s.addUser(identity.RoleEmployer, tenant))
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
				resp.Body.Close()
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

	var out bytes.Buffer
	cfg := configFor(env)
	if err := auditCmd(ctx, cfg, []string{"verify"}, &out); err != nil || !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("audit verify = %v, %q; want ok", err, out.String())
	}
}
