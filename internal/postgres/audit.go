package postgres

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
)

// AuditStore moves events from audit.outbox into the hash chain of
// audit.events and keeps the signed checkpoints, through the audit pool.
type AuditStore struct {
	pool *pgxpool.Pool
}

var _ audit.Store = (*AuditStore)(nil)

// NewAuditStore returns an AuditStore on the audit pool.
func NewAuditStore(pool *pgxpool.Pool) *AuditStore { return &AuditStore{pool: pool} }

// appenderLock is the advisory lock key that makes one appender at a time
// across every server process ("arbokluis-audit" as an int64 tag).
const appenderLock int64 = 0x61756469746c6f63

// eventColumns are the columns of an eventRow, of audit.events.
const eventColumns = `seq, occurred_at, actor_user_id, actor_role, on_behalf_of, subject_employee_id, tenant_id,
	action, object_kind, object_id, outcome, request_id, client_ip, subjects`

// eventRow is an event as stored, in audit.events or (with its id as seq)
// in audit.outbox.
type eventRow struct {
	Seq               int64         `db:"seq"`
	OccurredAt        time.Time     `db:"occurred_at"`
	ActorUserID       *uuid.UUID    `db:"actor_user_id"`
	ActorRole         *string       `db:"actor_role"`
	OnBehalfOf        *uuid.UUID    `db:"on_behalf_of"`
	SubjectEmployeeID *uuid.UUID    `db:"subject_employee_id"`
	TenantID          *uuid.UUID    `db:"tenant_id"`
	Action            *string       `db:"action"`
	ObjectKind        string        `db:"object_kind"`
	ObjectID          *string       `db:"object_id"`
	Outcome           *string       `db:"outcome"`
	RequestID         *string       `db:"request_id"`
	ClientIP          *netip.Prefix `db:"client_ip"`
	Subjects          []uuid.UUID   `db:"subjects"`
}

func (e eventRow) domain() audit.Record {
	r := audit.Record{Seq: e.Seq, Time: e.OccurredAt}
	r.Subjects = e.Subjects
	r.ActorUserID, r.OnBehalfOf, r.SubjectEmployeeID, r.TenantID = deref(e.ActorUserID), deref(e.OnBehalfOf), deref(e.SubjectEmployeeID), deref(e.TenantID)
	r.ActorRole, r.ObjectID, r.RequestID = deref(e.ActorRole), deref(e.ObjectID), deref(e.RequestID)
	r.Action, r.ObjectKind, r.Outcome = audit.Action(deref(e.Action)), e.ObjectKind, audit.Outcome(deref(e.Outcome))
	if e.ClientIP != nil {
		r.ClientIP = e.ClientIP.Addr()
	}
	return r
}

// linkRow is an event of the chain with its hashes.
type linkRow struct {
	eventRow
	PrevHash []byte `db:"prev_hash"`
	Hash     []byte `db:"hash"`
}

func (l linkRow) domain() audit.Link {
	return audit.Link{Record: l.eventRow.domain(), PrevHash: l.PrevHash, Hash: l.Hash}
}

// checkpointRow is audit.checkpoints as stored.
type checkpointRow struct {
	Seq       int64     `db:"seq"`
	Hash      []byte    `db:"hash"`
	Signature string    `db:"signature"`
	CreatedAt time.Time `db:"created_at"`
}

// checkpointColumns are the columns of a checkpointRow.
const checkpointColumns = `seq, hash, signature, created_at`

func (c checkpointRow) domain() audit.Checkpoint {
	return audit.Checkpoint{Seq: c.Seq, Hash: c.Hash, Signature: c.Signature, CreatedAt: c.CreatedAt}
}

// Append moves up to max outbox rows, oldest first, into audit.events in
// one transaction: it takes the appender lock (returning 0 when another
// process holds it), numbers the rows after the last seq, chains their
// hashes, inserts them and deletes them from the outbox.
func (s *AuditStore) Append(ctx context.Context, max int, now time.Time) (audit.Appended, error) {
	var out audit.Appended
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, appenderLock).Scan(&locked); err != nil {
			return Translate(err)
		}
		if !locked {
			return nil
		}
		last, prev := int64(0), audit.Genesis
		err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit.events ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Translate(err)
		}
		rows, err := tx.Query(ctx, `SELECT id AS seq, occurred_at, actor_user_id, actor_role, on_behalf_of, subject_employee_id,
			tenant_id, action, object_kind, object_id, outcome, request_id, client_ip, subjects
			FROM audit.outbox ORDER BY id LIMIT $1`, max)
		if err != nil {
			return Translate(err)
		}
		var (
			ids   []int64
			links []audit.Link
		)
		for rows.Next() {
			r, err := scanAs[eventRow](rows)
			if err != nil {
				rows.Close()
				return Translate(err)
			}
			ids = append(ids, r.Seq)
			last++
			r.Seq = last
			h := audit.Hash(prev, r)
			links = append(links, audit.Link{Record: r, PrevHash: prev, Hash: h})
			prev = h
		}
		if err := rows.Err(); err != nil {
			return Translate(err)
		}
		if len(links) == 0 {
			out.Locked = true
			return nil
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit", "events"},
			[]string{"seq", "occurred_at", "actor_user_id", "actor_role", "on_behalf_of", "subject_employee_id", "tenant_id",
				"action", "object_kind", "object_id", "outcome", "request_id", "client_ip", "subjects", "appended_at", "prev_hash", "hash"},
			pgx.CopyFromSlice(len(links), func(i int) ([]any, error) {
				l := links[i]
				var ip any
				if l.ClientIP.IsValid() {
					ip = netip.PrefixFrom(l.ClientIP, l.ClientIP.BitLen())
				}
				return []any{l.Seq, l.Time, nullUUID(l.ActorUserID), nullString(l.ActorRole), nullUUID(l.OnBehalfOf),
					nullUUID(l.SubjectEmployeeID), nullUUID(l.TenantID), string(l.Action), l.ObjectKind, nullString(l.ObjectID),
					string(l.Outcome), nullString(l.RequestID), ip, nullSubjects(l.Subjects), now, l.PrevHash, l.Hash}, nil
			}))
		if err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit.outbox WHERE id = ANY ($1)`, ids); err != nil {
			return Translate(err)
		}
		out = audit.Appended{Locked: true, Count: len(links), LastSeq: last, LastHash: prev}
		return nil
	})
	return out, err
}

// LastCheckpoint returns the newest checkpoint; the zero Checkpoint when
// there is none.
func (s *AuditStore) LastCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+checkpointColumns+` FROM audit.checkpoints ORDER BY seq DESC LIMIT 1`)
	cp, err := pgx.CollectOneRow(rows, scanAs[checkpointRow])
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return audit.Checkpoint{}, Translate(err)
	}
	return cp, nil
}

// Head returns the seq and hash of the newest event; 0 and nil when the
// trail is empty.
func (s *AuditStore) Head(ctx context.Context) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM audit.events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, Translate(err)
	}
	return seq, hash, nil
}

// AddCheckpoint stores a signed checkpoint; one at an already checkpointed
// seq is derrors.ErrConflict.
func (s *AuditStore) AddCheckpoint(ctx context.Context, cp audit.Checkpoint) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit.checkpoints (seq, hash, signature) VALUES ($1, $2, $3)`, cp.Seq, cp.Hash, cp.Signature)
	return Translate(err)
}

// OldestPending returns when the oldest outbox event happened; the zero
// time when the outbox is empty.
func (s *AuditStore) OldestPending(ctx context.Context) (time.Time, error) {
	var t *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(occurred_at) FROM audit.outbox`).Scan(&t); err != nil {
		return time.Time{}, Translate(err)
	}
	return deref(t), nil
}

// Checkpoints returns every checkpoint in seq order.
func (s *AuditStore) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+checkpointColumns+` FROM audit.checkpoints ORDER BY seq`)
	cps, err := collect[checkpointRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return cps, nil
}

// Walk calls fn with every event in seq order, from one read-only
// repeatable-read snapshot, streaming.
func (s *AuditStore) Walk(ctx context.Context, fn func(audit.Link) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Translate(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+`, prev_hash, hash FROM audit.events ORDER BY seq`)
	if err != nil {
		return Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanAs[linkRow](rows)
		if err != nil {
			return Translate(err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return Translate(rows.Err())
}

// Events returns appended events matching f, in seq order after f.After.
// An employee filter finds the events about that employee: as their
// subject, or listed in a list read's subjects (through the GIN index).
func (s *AuditStore) Events(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	// The employee condition is written only when it filters, so that the
	// planner sees a plain OR of two indexable conditions and can combine
	// events_subject_idx and events_subjects_idx.
	employee := `$2::uuid IS NULL`
	if f.EmployeeID != uuid.Nil {
		employee = `subject_employee_id = $2 OR subjects @> ARRAY[$2::uuid]`
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM audit.events
		WHERE seq > $1
		  AND (`+employee+`)
		  AND ($3::uuid IS NULL OR actor_user_id = $3)
		  AND ($4::timestamptz IS NULL OR occurred_at >= $4)
		  AND ($5::timestamptz IS NULL OR occurred_at < $5)
		  AND ($6::text IS NULL OR action = $6)
		  AND ($7::text IS NULL OR outcome = $7)
		ORDER BY seq LIMIT $8`,
		f.After, nullUUID(f.EmployeeID), nullUUID(f.ActorID), nullTime(f.From), nullTime(f.To),
		nullString(string(f.Action)), nullString(string(f.Outcome)), f.Limit)
	if err != nil {
		return nil, Translate(err)
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanAs[eventRow](rows)
		if err != nil {
			return nil, Translate(err)
		}
		out = append(out, r)
	}
	return out, Translate(rows.Err())
}

// Recorder writes single audit events into the outbox through the hr pool,
// each in its own transaction.
type Recorder struct {
	pool *pgxpool.Pool
}

var _ audit.Recorder = (*Recorder)(nil)

// NewRecorder returns a Recorder on the hr pool.
func NewRecorder(pool *pgxpool.Pool) *Recorder { return &Recorder{pool: pool} }

// Record writes e into the outbox; failure is derrors.ErrUnavailable.
func (r *Recorder) Record(ctx context.Context, e audit.Event) error {
	return InTx(ctx, r.pool, func(tx pgx.Tx) error { return insertEvent(ctx, tx, e) })
}
