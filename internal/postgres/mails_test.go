package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestMailOutboxClaims: concurrent claims never return the same mail; a
// claimed mail is not due again until its lease ends or its failure's
// delay passes, and then comes back with its attempts counted; a sent or
// dropped mail is gone. The outbox is service-wide: the test has a
// database of its own.
func TestMailOutboxClaims(t *testing.T) {
	env := testenv.FreshDatabase(t)
	w := &world{t: t, ctx: context.Background(), owner: testenv.Pool(t, env.MigrateURL), hr: testenv.Pool(t, env.HRURL)}
	store := postgres.NewIdentityStore(w.hr)
	user := w.user(access.RoleCaseManager, uuid.Nil)
	var email string
	if err := w.owner.QueryRow(w.ctx, `SELECT email FROM hr.users WHERE id = $1`, user).Scan(&email); err != nil {
		t.Fatal(err)
	}
	const n = 12
	queued := map[uuid.UUID]bool{}
	for range n {
		id := uuid.New()
		w.exec(`INSERT INTO hr.mail_outbox (id, user_id, subject, body_ciphertext) VALUES ($1, $2, 'Onderwerp', 'vault:v1:x')`, id, user)
		queued[id] = true
	}

	var mu sync.Mutex
	claimed := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := store.ClaimMails(w.ctx, 5, time.Hour)
			if err != nil {
				t.Errorf("ClaimMails: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range got {
				claimed[d.ID]++
				if d.To != email || d.UserID != user || d.Subject != "Onderwerp" || d.Sealed != "vault:v1:x" || d.Attempts != 1 {
					t.Errorf("ClaimMails returned %+v, want the queued mail to %s with attempt 1", d, email)
				}
			}
		}()
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("four concurrent claims of 5 took %d distinct mails, want all %d", len(claimed), n)
	}
	for id, times := range claimed {
		if times != 1 || !queued[id] {
			t.Errorf("mail %s claimed %d times (queued: %v), want once", id, times, queued[id])
		}
	}
	if again, err := store.ClaimMails(w.ctx, n, time.Hour); err != nil || len(again) != 0 {
		t.Errorf("ClaimMails during the lease = %d mails, %v; want none", len(again), err)
	}

	var ids []uuid.UUID
	for id := range claimed {
		ids = append(ids, id)
	}
	failed, sent, dropped := ids[0], ids[1], ids[2]
	if err := store.MailFailed(w.ctx, failed, 0); err != nil {
		t.Fatalf("MailFailed: %v", err)
	}
	if err := store.MailSent(w.ctx, sent); err != nil {
		t.Fatalf("MailSent: %v", err)
	}
	if err := store.DropMail(w.ctx, dropped); err != nil {
		t.Fatalf("DropMail: %v", err)
	}
	again, err := store.ClaimMails(w.ctx, n, time.Hour)
	if err != nil || len(again) != 1 || again[0].ID != failed || again[0].Attempts != 2 {
		t.Errorf("ClaimMails after a failure with no delay = %+v, %v; want mail %s at attempt 2", again, err, failed)
	}
	var left int
	if err := w.owner.QueryRow(w.ctx, `SELECT count(*) FROM hr.mail_outbox WHERE id = ANY ($1)`, []uuid.UUID{sent, dropped}).Scan(&left); err != nil || left != 0 {
		t.Errorf("sent and dropped mails left in the outbox = %d (%v), want 0", left, err)
	}
	if err := store.MailFailed(w.ctx, failed, time.Hour); err != nil {
		t.Fatalf("MailFailed: %v", err)
	}
	if again, err := store.ClaimMails(w.ctx, n, time.Hour); err != nil || len(again) != 0 {
		t.Errorf("ClaimMails within a failure's delay = %d mails, %v; want none", len(again), err)
	}
}
