package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Appended reports one append step.
type Appended struct {
	// Locked is false when another process holds the appender lock.
	Locked   bool
	Count    int
	LastSeq  int64
	LastHash []byte
}

// Store is what the appender and the verifier need of the database.
type Store interface {
	// Append moves up to max outbox events into the chain, under the
	// appender lock, in one transaction.
	Append(ctx context.Context, max int, now time.Time) (Appended, error)
	// Head returns the newest seq and hash; 0 and nil for an empty trail.
	Head(ctx context.Context) (int64, []byte, error)
	// LastCheckpoint returns the newest checkpoint (zero if none).
	LastCheckpoint(ctx context.Context) (Checkpoint, error)
	// AddCheckpoint stores a signed checkpoint.
	AddCheckpoint(ctx context.Context, cp Checkpoint) error
	// OldestPending returns when the oldest outbox event happened (zero
	// when the outbox is empty).
	OldestPending(ctx context.Context) (time.Time, error)
	// Checkpoints returns every checkpoint in seq order.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// Walk feeds every event in seq order to fn, from one snapshot.
	Walk(ctx context.Context, fn func(Link) error) error
}

// Signer signs checkpoint messages with the Vault transit key
// audit-checkpoint and verifies such signatures.
type Signer interface {
	SignCheckpoint(ctx context.Context, message []byte) (string, error)
	// CheckpointPublicKeys returns the public key of each key version.
	CheckpointPublicKeys(ctx context.Context) (map[string]string, error)
	Verifier
}

// AppenderOptions tune an Appender; zero fields take defaults.
type AppenderOptions struct {
	Interval        time.Duration // how often the outbox is polled, default 200ms
	Batch           int           // events per transaction, default 500
	CheckpointEvery int64         // events between checkpoints, default 1000
	CheckpointMax   time.Duration // longest time between checkpoints, default 1h
	// PublicKeyFile, when set, receives the checkpoint key's public keys
	// on the first checkpoint this appender signs, for offline
	// verification (`audit verify --public-key`).
	PublicKeyFile string
	Now           func() time.Time
}

// Appender moves outbox events into the hash chain and signs checkpoints.
// Any number of processes may run one; an advisory lock lets one at a time
// append.
type Appender struct {
	store    Store
	signer   Signer
	log      *slog.Logger
	opts     AppenderOptions
	exported bool // the public keys were written to PublicKeyFile
}

// NewAppender returns an Appender.
func NewAppender(store Store, signer Signer, log *slog.Logger, opts AppenderOptions) *Appender {
	if opts.Interval <= 0 {
		opts.Interval = 200 * time.Millisecond
	}
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = 1000
	}
	if opts.CheckpointMax <= 0 {
		opts.CheckpointMax = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Appender{store: store, signer: signer, log: log, opts: opts}
}

// Run appends until ctx ends. Errors are logged (ids and SQLSTATEs only)
// and retried on the next tick.
func (a *Appender) Run(ctx context.Context) {
	t := time.NewTicker(a.opts.Interval)
	defer t.Stop()
	for {
		if err := a.Drain(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("audit appender step failed; retrying", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Drain appends until the outbox is empty (or another process holds the
// lock), then signs a checkpoint when one is due.
func (a *Appender) Drain(ctx context.Context) error {
	for {
		res, err := a.store.Append(ctx, a.opts.Batch, a.opts.Now())
		if err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		if !res.Locked {
			return nil
		}
		if res.Count < a.opts.Batch {
			break
		}
	}
	return a.checkpoint(ctx)
}

// checkpoint signs the head of the chain when CheckpointEvery events or
// CheckpointMax time have passed since the last checkpoint.
func (a *Appender) checkpoint(ctx context.Context) error {
	seq, hash, err := a.store.Head(ctx)
	if err != nil || seq == 0 {
		return err
	}
	last, err := a.store.LastCheckpoint(ctx)
	if err != nil {
		return err
	}
	due := seq-last.Seq >= a.opts.CheckpointEvery ||
		(seq > last.Seq && a.opts.Now().Sub(last.CreatedAt) >= a.opts.CheckpointMax)
	if !due {
		return nil
	}
	return a.Checkpoint(ctx, seq, hash)
}

// Checkpoint signs (seq, hash) outside any transaction and stores it.
func (a *Appender) Checkpoint(ctx context.Context, seq int64, hash []byte) error {
	sig, err := a.signer.SignCheckpoint(ctx, CheckpointMessage(seq, hash))
	if err != nil {
		return fmt.Errorf("audit: sign checkpoint %d: %w", seq, err)
	}
	if err := a.store.AddCheckpoint(ctx, Checkpoint{Seq: seq, Hash: hash, Signature: sig}); err != nil {
		return fmt.Errorf("audit: store checkpoint %d: %w", seq, err)
	}
	if a.opts.PublicKeyFile != "" && !a.exported {
		keys, err := a.signer.CheckpointPublicKeys(ctx)
		if err == nil {
			err = WritePublicKeys(a.opts.PublicKeyFile, keys)
		}
		if err != nil {
			// Checkpoints go on; verification online through Vault works.
			a.log.Warn("could not export the checkpoint public key", "error", err.Error())
		}
		a.exported = err == nil
	}
	return nil
}

// Report is the outcome of a verification.
type Report struct {
	Events      int64
	Checkpoints int
	Break       *Break // nil when the trail is intact
}

// Verify recomputes the whole chain and every checkpoint signature,
// streaming the events. Checkpoints are read first: events are only ever
// appended, so every checkpoint lies within the events walked after it.
func Verify(ctx context.Context, store Store, v Verifier) (Report, error) {
	cps, err := store.Checkpoints(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	seqs := make([]int64, len(cps))
	for i, cp := range cps {
		seqs[i] = cp.Seq
	}
	c := NewChain(seqs)
	rep := Report{Checkpoints: len(cps)}
	err = store.Walk(ctx, func(l Link) error {
		rep.Events++
		c.Add(l) // the first break is kept; the rest of the walk only counts
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	b, err := c.Checkpoints(ctx, cps, v)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify checkpoints: %w", err)
	}
	rep.Break = b
	return rep, nil
}

// Checker verifies the trail on request (the privacy officer's portal) as
// `arbokluis audit verify` does, and reports the newest checkpoint.
type Checker struct {
	store Store
	v     Verifier
}

// NewChecker returns a Checker over store, checking signatures with v.
func NewChecker(store Store, v Verifier) *Checker { return &Checker{store: store, v: v} }

// Verify recomputes the whole chain and every checkpoint signature
// (Verify); it fails only when the trail or Vault cannot be read, and
// reports a break in Report.Break.
func (c *Checker) Verify(ctx context.Context) (Report, error) { return Verify(ctx, c.store, c.v) }

// LastCheckpoint returns the newest signed checkpoint (zero if none).
func (c *Checker) LastCheckpoint(ctx context.Context) (Checkpoint, error) {
	cp, err := c.store.LastCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: last checkpoint: %w", err)
	}
	return cp, nil
}
