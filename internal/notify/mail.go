package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// Mailer delivers one email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Cipher seals mail bodies with a Vault transit key.
type Cipher interface {
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
	Decrypt(ctx context.Context, key, ciphertext string, associatedData []byte) ([]byte, error)
}

// mailKey is the transit key that seals queued mail bodies: they hold
// one-time links, personal secrets like the TOTP secrets under this key.
const mailKey = "pii"

// associatedData binds a sealed body to its mail id.
func associatedData(id uuid.UUID) []byte { return []byte("mail_outbox:" + id.String()) }

// Mail is an email queued in the outbox, to a user's own address. Its body
// is sealed: the outbox never holds the link it carries in plain text.
type Mail struct {
	ID uuid.UUID
	// UserID is the recipient; the store sets it when it learns the user
	// in the transaction that queues the mail.
	UserID  uuid.UUID
	Subject string
	Sealed  string // the body, sealed by Seal
}

// Seal returns a Mail to userID (uuid.Nil when the store sets it) with
// body sealed under a fresh id. It calls Vault: call it before the
// transaction that queues the mail, never inside. The cipher's error is
// returned wrapped (derrors.ErrUnavailable for a Vault that is down).
func Seal(ctx context.Context, c Cipher, userID uuid.UUID, subject, body string) (Mail, error) {
	id := uuid.New()
	sealed, err := c.Encrypt(ctx, mailKey, []byte(body), associatedData(id))
	if err != nil {
		return Mail{}, fmt.Errorf("notify: seal mail %s: %w", id, err)
	}
	return Mail{ID: id, UserID: userID, Subject: subject, Sealed: sealed}, nil
}

// Delivery is a mail claimed for sending: the recipient's address and the
// number of attempts, this one included.
type Delivery struct {
	Mail
	To       string
	Attempts int
}

// Outbox is the queue of mails to send.
type Outbox interface {
	// ClaimMails takes up to limit mails that are due, counts an attempt
	// on each and makes them due again only after lease, so that no other
	// sender takes them meanwhile (and a sender that dies leaves them to
	// be retried). Concurrent claims never return the same mail.
	ClaimMails(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error)
	// MailSent removes a mail that went out.
	MailSent(ctx context.Context, id uuid.UUID) error
	// MailFailed makes a mail due again after delay.
	MailFailed(ctx context.Context, id uuid.UUID, delay time.Duration) error
	// DropMail removes a mail that is given up.
	DropMail(ctx context.Context, id uuid.UUID) error
}

// SenderOptions tune a Sender; zero fields take defaults.
type SenderOptions struct {
	// MaxAttempts is how many attempts a mail gets before it is given up
	// (default 10).
	MaxAttempts int
	// FirstDelay is the wait after the first failure, doubled after each
	// further one up to MaxDelay (defaults 30s and 1h).
	FirstDelay, MaxDelay time.Duration
	// Lease is how long a claimed mail is left to its sender (default
	// 2m; longer than a send and a Vault call take).
	Lease time.Duration
	// Poll is how often the outbox is checked when nothing wakes the
	// sender (default 5s).
	Poll time.Duration
	// Batch is how many mails one claim takes (default 20).
	Batch int
}

// Sender delivers the mails of an outbox. Every serve process runs one;
// the claims keep them from sending the same mail twice at once. Delivery
// is at least once: a sender that dies between sending and removing a
// mail leaves it to be sent again after the lease.
type Sender struct {
	outbox Outbox
	cipher Cipher
	mailer Mailer
	log    *slog.Logger
	opts   SenderOptions
	wake   chan struct{}
}

// NewSender returns a Sender that delivers the mails of outbox through
// mailer, opening their bodies with cipher and logging by mail id only.
func NewSender(outbox Outbox, cipher Cipher, mailer Mailer, log *slog.Logger, o SenderOptions) *Sender {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.FirstDelay <= 0 {
		o.FirstDelay = 30 * time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	return &Sender{outbox: outbox, cipher: cipher, mailer: mailer, log: log, opts: o, wake: make(chan struct{}, 1)}
}

// Wake makes a running sender look at the outbox now, without waiting for
// its next poll. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends due mails until ctx ends: whenever woken, and every poll
// interval.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		for {
			n, err := s.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("mail outbox not readable; retrying", "error", err.Error())
			}
			if err != nil || n < s.opts.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// SendDue claims one batch of due mails and tries each once; it returns how
// many it claimed. A mail that fails is due again after its back-off, or
// given up (removed, and logged by id) after MaxAttempts. Only a failing
// outbox is an error.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	mails, err := s.outbox.ClaimMails(ctx, s.opts.Batch, s.opts.Lease)
	if err != nil {
		return 0, err
	}
	for _, m := range mails {
		if err := s.deliver(ctx, m); err != nil {
			return len(mails), err
		}
	}
	return len(mails), nil
}

// deliver tries m once and records the outcome.
func (s *Sender) deliver(ctx context.Context, m Delivery) error {
	err := s.send(ctx, m)
	if err == nil {
		if err := s.outbox.MailSent(ctx, m.ID); err != nil {
			// Sent, but still queued: it goes out again after the lease.
			return err
		}
		s.log.Info("mail sent", "mail_id", m.ID.String(), "attempts", m.Attempts)
		return nil
	}
	if m.Attempts >= s.opts.MaxAttempts {
		s.log.Error("mail given up", "mail_id", m.ID.String(), "attempts", m.Attempts, "error", err.Error())
		return s.outbox.DropMail(ctx, m.ID)
	}
	delay := s.Backoff(m.Attempts)
	s.log.Warn("mail not sent; retrying", "mail_id", m.ID.String(), "attempts", m.Attempts,
		"retry_in", delay.String(), "error", err.Error())
	return s.outbox.MailFailed(ctx, m.ID, delay)
}

// send opens the body of m and hands it to the mailer.
func (s *Sender) send(ctx context.Context, m Delivery) error {
	body, err := s.cipher.Decrypt(ctx, mailKey, m.Sealed, associatedData(m.ID))
	if err != nil {
		return fmt.Errorf("notify: open mail: %w", err)
	}
	if err := s.mailer.Send(ctx, m.To, m.Subject, string(body)); err != nil {
		return fmt.Errorf("notify: send mail: %w", err)
	}
	return nil
}

// Backoff is the wait after the attempts-th failed attempt: FirstDelay,
// doubled for each further attempt, at most MaxDelay.
func (s *Sender) Backoff(attempts int) time.Duration {
	d := s.opts.FirstDelay
	for i := 1; i < attempts && d < s.opts.MaxDelay; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxDelay)
}
