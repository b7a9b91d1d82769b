package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/rights"
)

var _ dossier.DestructionStore = (*DossierStore)(nil)

// Assessable loads the dossier of employeeID with its exposures.
func (s *DossierStore) Assessable(ctx context.Context, employeeID uuid.UUID) (dossier.Dossier, []dossier.Exposure, error) {
	var (
		d  dossier.Dossier
		xs []dossier.Exposure
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if d, _, err = lookupDossier(ctx, tx, employeeID, uuid.Nil, ""); err != nil {
			return err
		}
		xs, err = exposuresOf(ctx, tx, d.ID)
		return err
	})
	return d, xs, err
}

// exposuresOf reads the exposure periods of a dossier.
func exposuresOf(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID) ([]dossier.Exposure, error) {
	rows, _ := tx.Query(ctx, `SELECT dossier_id, agent, from_date, to_date FROM medical.exposures WHERE dossier_id = $1`, dossierID)
	xs, err := collect[exposurePeriodRow](rows)
	return xs, Translate(err)
}

// exposurePeriodRow is what a destruction weighs of an exposure: its agent
// and period.
type exposurePeriodRow struct {
	DossierID uuid.UUID  `db:"dossier_id"`
	Agent     string     `db:"agent"`
	From      time.Time  `db:"from_date"`
	To        *time.Time `db:"to_date"`
}

func (r exposurePeriodRow) domain() dossier.Exposure {
	return dossier.Exposure{DossierID: r.DossierID, Agent: dossier.Agent(r.Agent), From: r.From, To: deref(r.To)}
}

// destructionColumns are the columns of a destructionRow.
const destructionColumns = `id, origin, request_id, dossier_id, employee_id, scope, entry_ids, attachment_ids, old_keys,
	coalesce(new_key, '') AS new_key, prior_status, state, counts, decided_by, decided_at, completed_at, backup_safe_after`

// destructionRow is medical.destructions as stored.
type destructionRow struct {
	ID              uuid.UUID   `db:"id"`
	Origin          string      `db:"origin"`
	RequestID       uuid.UUID   `db:"request_id"`
	DossierID       uuid.UUID   `db:"dossier_id"`
	EmployeeID      uuid.UUID   `db:"employee_id"`
	Scope           string      `db:"scope"`
	EntryIDs        []uuid.UUID `db:"entry_ids"`
	AttachmentIDs   []uuid.UUID `db:"attachment_ids"`
	OldKeys         []string    `db:"old_keys"`
	NewKey          string      `db:"new_key"`
	PriorStatus     string      `db:"prior_status"`
	State           string      `db:"state"`
	Counts          countsRow   `db:"counts"`
	DecidedBy       uuid.UUID   `db:"decided_by"`
	DecidedAt       time.Time   `db:"decided_at"`
	CompletedAt     *time.Time  `db:"completed_at"`
	BackupSafeAfter *time.Time  `db:"backup_safe_after"`
}

// countsRow is medical.destructions.counts (jsonb).
type countsRow struct {
	Entries     map[string]int `json:"entries"`
	Attachments int            `json:"attachments"`
	Exposures   int            `json:"exposures"`
}

func (r destructionRow) domain() dossier.Destruction {
	d := dossier.Destruction{ID: r.ID, Origin: dossier.Origin(r.Origin), RequestID: r.RequestID, DossierID: r.DossierID, EmployeeID: r.EmployeeID,
		Scope: dossier.DestructionScope(r.Scope), EntryIDs: r.EntryIDs, AttachmentIDs: r.AttachmentIDs, OldKeys: r.OldKeys,
		NewKey: r.NewKey, PriorStatus: r.PriorStatus, State: dossier.DestructionState(r.State), DecidedBy: r.DecidedBy,
		DecidedAt: r.DecidedAt, CompletedAt: deref(r.CompletedAt), BackupSafeAfter: deref(r.BackupSafeAfter),
		Counts: dossier.DestructionCounts{Entries: map[dossier.EntryKind]int{}, Attachments: r.Counts.Attachments,
			Exposures: r.Counts.Exposures}}
	for k, n := range r.Counts.Entries {
		d.Counts.Entries[dossier.EntryKind(k)] = n
	}
	return d
}

func scanDestruction(rows pgx.Rows) (dossier.Destruction, error) {
	d, err := pgx.CollectExactlyOneRow(rows, scanAs[destructionRow])
	if err != nil {
		return dossier.Destruction{}, Translate(err)
	}
	return d, nil
}

// BeginDestruction records job d and closes its dossier, with the event.
func (s *DossierStore) BeginDestruction(ctx context.Context, d dossier.Destruction, expect dossier.Dossier, chosen []uuid.UUID,
	refuse func([]dossier.Exposure) error, ev audit.Event) (dossier.Destruction, error) {
	var out dossier.Destruction
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+destructionColumns+` FROM medical.destructions WHERE request_id = $1`, d.RequestID)
		prior, err := scanDestruction(rows)
		if err == nil {
			out = prior
			return nil
		}
		if !errors.Is(err, derrors.ErrNotFound) {
			return err
		}
		var status, key string
		if err := tx.QueryRow(ctx, `SELECT status, key_name FROM medical.dossiers WHERE id = $1 FOR UPDATE`, d.DossierID).
			Scan(&status, &key); err != nil {
			return Translate(err)
		}
		if status != expect.Status || key != expect.KeyName || (status != "open" && status != "closed") {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		// Exposures are recorded under a share lock on the dossier; with the
		// update lock held, none can arrive between this read and the job.
		xs, err := exposuresOf(ctx, tx, d.DossierID)
		if err != nil {
			return err
		}
		if err := refuse(xs); err != nil {
			return err
		}
		counts := countsRow{Entries: map[string]int{}}
		if d.Scope == dossier.ScopeEntries {
			if d.EntryIDs, d.AttachmentIDs, err = resolveEntries(ctx, tx, d.DossierID, chosen); err != nil {
				return err
			}
		}
		// What the job takes: everything, or the resolved entries.
		whole := d.Scope == dossier.ScopeDossier
		rows, _ = tx.Query(ctx, `SELECT kind, count(*)::int AS n FROM medical.entries
			WHERE dossier_id = $1 AND ($2 OR id = ANY ($3::uuid[])) GROUP BY kind`, d.DossierID, whole, d.EntryIDs)
		kinds, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
			Kind string `db:"kind"`
			N    int    `db:"n"`
		}])
		if err != nil {
			return Translate(err)
		}
		for _, k := range kinds {
			counts.Entries[k.Kind] = k.N
		}
		if err := tx.QueryRow(ctx, `SELECT
				(SELECT count(*)::int FROM medical.attachments WHERE dossier_id = $1 AND ($2 OR id = ANY ($3::uuid[]))),
				CASE WHEN $2 THEN (SELECT count(*)::int FROM medical.exposures WHERE dossier_id = $1) ELSE 0 END`,
			d.DossierID, whole, d.AttachmentIDs).Scan(&counts.Attachments, &counts.Exposures); err != nil {
			return Translate(err)
		}
		closing := "destroying"
		if !whole {
			closing = "rekeying"
		}
		if _, err := tx.Exec(ctx, `UPDATE medical.dossiers SET status = $2 WHERE id = $1`, d.DossierID, closing); err != nil {
			return Translate(err)
		}
		rows, _ = tx.Query(ctx, `INSERT INTO medical.destructions (id, origin, request_id, dossier_id, employee_id, scope, entry_ids,
				attachment_ids, old_keys, new_key, prior_status, state, counts, decided_by, decided_at)
			VALUES ($1, $14, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13)
			RETURNING `+destructionColumns,
			d.ID, d.RequestID, d.DossierID, d.EmployeeID, string(d.Scope), nonNil(d.EntryIDs), nonNil(d.AttachmentIDs),
			d.OldKeys, nullString(d.NewKey), d.PriorStatus, counts, d.DecidedBy, d.DecidedAt, string(d.Origin))
		if out, err = scanDestruction(rows); err != nil {
			return err
		}
		// The destruction worker listens; the notice goes out on commit.
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, DestructionChannel); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

func nonNil(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

// resolveEntries checks that every chosen id is an entry of the dossier and
// not a working note, and returns what taking them takes: every version of
// each, the own statements about any of them (with their versions), and
// the attachments of all those.
func resolveEntries(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID, chosen []uuid.UUID) ([]uuid.UUID, []uuid.UUID, error) {
	if err := checkEntries(ctx, tx, dossierID, chosen); err != nil {
		return nil, nil, err
	}
	rows, _ := tx.Query(ctx, `
		WITH RECURSIVE taken(id) AS (
			SELECT unnest($2::uuid[])
			UNION
			SELECT e.id FROM medical.entries e, taken t
			WHERE e.dossier_id = $1 AND (e.supersedes = t.id OR e.concerns = t.id
				OR e.id = (SELECT p.supersedes FROM medical.entries p WHERE p.id = t.id)))
		SELECT id FROM taken ORDER BY id`, dossierID, chosen)
	entries, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, nil, Translate(err)
	}
	rows, _ = tx.Query(ctx, `SELECT id FROM medical.attachments WHERE dossier_id = $1 AND entry_id = ANY ($2::uuid[]) ORDER BY id`,
		dossierID, entries)
	attachments, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, nil, Translate(err)
	}
	return entries, attachments, nil
}

// Destruction loads a job.
func (s *DossierStore) Destruction(ctx context.Context, id uuid.UUID) (dossier.Destruction, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+destructionColumns+` FROM medical.destructions WHERE id = $1`, id)
	return scanDestruction(rows)
}

// DestructionFor loads the job of a request.
func (s *DossierStore) DestructionFor(ctx context.Context, requestID uuid.UUID) (dossier.Destruction, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+destructionColumns+` FROM medical.destructions WHERE request_id = $1`, requestID)
	return scanDestruction(rows)
}

// Destructions lists the jobs about an employee, newest first.
func (s *DossierStore) Destructions(ctx context.Context, employeeID uuid.UUID) ([]dossier.Destruction, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+destructionColumns+` FROM medical.destructions
		WHERE employee_id = $1 ORDER BY decided_at DESC`, employeeID)
	return collectDestructions(rows)
}

func collectDestructions(rows pgx.Rows) ([]dossier.Destruction, error) {
	out, err := collect[destructionRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// Unfinished lists the jobs not done or not delivered, oldest first.
func (s *DossierStore) Unfinished(ctx context.Context) ([]dossier.Destruction, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+destructionColumns+` FROM medical.destructions
		WHERE state <> 'done' OR delivered_at IS NULL ORDER BY decided_at, id`)
	return collectDestructions(rows)
}

// MarkDelivered records that a job's request was delivered.
func (s *DossierStore) MarkDelivered(ctx context.Context, id uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `UPDATE medical.destructions SET delivered_at = now() WHERE id = $1 AND delivered_at IS NULL`, id)
	return Translate(err)
}

// advance moves job d to state to within tx, when it is still in d.State.
func advance(ctx context.Context, tx pgx.Tx, d dossier.Destruction, to dossier.DestructionState) error {
	tag, err := tx.Exec(ctx, `UPDATE medical.destructions SET state = $3,
			completed_at = CASE WHEN $3 = 'done' THEN $4::timestamptz END,
			backup_safe_after = CASE WHEN $3 = 'done' THEN $5::date END
		WHERE id = $1 AND state = $2`,
		d.ID, string(d.State), string(to), nullTime(d.CompletedAt), nullTime(d.BackupSafeAfter))
	if err != nil {
		return Translate(err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: destruction %s is no longer %s: %w", d.ID, d.State, derrors.ErrConflict)
	}
	return nil
}

// Advance moves a job to its next state with the event.
func (s *DossierStore) Advance(ctx context.Context, d dossier.Destruction, to dossier.DestructionState, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := advance(ctx, tx, d, to); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// FinishDossier deletes the medical rows of a destroyed dossier, keeping
// the tombstones, and marks the dossier destroyed and the job done.
func (s *DossierStore) FinishDossier(ctx context.Context, d dossier.Destruction, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := advance(ctx, tx, d, dossier.StateDone); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM medical.release_entries WHERE release_id IN (SELECT id FROM medical.releases WHERE dossier_id = $1)`,
			`DELETE FROM medical.releases WHERE dossier_id = $1`,
			`DELETE FROM medical.transfers WHERE dossier_id = $1`,
			`DELETE FROM medical.disclosures WHERE dossier_id = $1`,
			`DELETE FROM medical.information_requests WHERE dossier_id = $1`,
			`DELETE FROM medical.consents WHERE dossier_id = $1`,
			// Their reasons are under the service-wide pii key, which is
			// not shredded, and may speak of health; who accessed and when
			// stays in the audit trail.
			`DELETE FROM medical.emergency_accesses WHERE dossier_id = $1`,
			`DELETE FROM medical.destruction_refusals WHERE dossier_id = $1`,
			`DELETE FROM medical.attachments WHERE dossier_id = $1`,
			`DELETE FROM medical.entries WHERE dossier_id = $1`,
			`DELETE FROM medical.exposures WHERE dossier_id = $1`,
			`UPDATE medical.dossiers SET status = 'destroyed' WHERE id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, d.DossierID); err != nil {
				return Translate(err)
			}
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Remaining lists what a partial job leaves of its dossier.
func (s *DossierStore) Remaining(ctx context.Context, d dossier.Destruction) ([]dossier.Stale, error) {
	// What the job takes is deleted in the same transaction as the rest is
	// replaced; here only the rest is read.
	rows, _ := s.pool.Query(ctx, `SELECT id, kind, ct FROM (`+sealedUnion("true", false)+`) AS x
		WHERE NOT (kind = 'entry' AND id = ANY ($2::uuid[])) AND NOT (kind = 'attachment' AND id = ANY ($3::uuid[]))
		ORDER BY kind, id`, d.DossierID, nonNil(d.EntryIDs), nonNil(d.AttachmentIDs))
	return collectStale(rows)
}

// Rekey deletes what a partial job takes and stores the rest under the new
// key generation, in one transaction.
func (s *DossierStore) Rekey(ctx context.Context, d dossier.Destruction, rewrapped []dossier.Rewrapped, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := advance(ctx, tx, d, dossier.StateRekeyed); err != nil {
			return err
		}
		// The rows to take, and what refers to them, children first.
		for _, q := range []struct {
			sql string
			ids []uuid.UUID
		}{
			{`DELETE FROM medical.release_entries WHERE entry_id = ANY ($1::uuid[])`, d.EntryIDs},
			{`UPDATE medical.information_requests SET answer_entry_id = NULL WHERE answer_entry_id = ANY ($1::uuid[])`, d.EntryIDs},
			{`DELETE FROM medical.attachments WHERE id = ANY ($1::uuid[])`, d.AttachmentIDs},
			{`DELETE FROM medical.entries WHERE id = ANY ($1::uuid[])`, d.EntryIDs},
		} {
			if _, err := tx.Exec(ctx, q.sql, nonNil(q.ids)); err != nil {
				return Translate(err)
			}
		}
		var remaining int
		if err := tx.QueryRow(ctx, `SELECT count(*)::int FROM (`+sealedUnion("true", false)+`) AS x`, d.DossierID).Scan(&remaining); err != nil {
			return Translate(err)
		}
		if remaining != len(rewrapped) {
			return fmt.Errorf("postgres: the dossier holds %d ciphertexts, %d were rewrapped: %w", remaining, len(rewrapped), derrors.ErrConflict)
		}
		changed, err := replaceSealed(ctx, tx, inDossier(d.DossierID), rewrapped)
		if err != nil {
			return err
		}
		if changed != int64(len(rewrapped)) {
			return fmt.Errorf("postgres: a ciphertext changed while it was rewrapped: %w", derrors.ErrConflict)
		}
		tag, err := tx.Exec(ctx, `UPDATE medical.dossiers SET key_name = $2, status = $3
			WHERE id = $1 AND key_name = $4 AND status = 'rekeying'`, d.DossierID, d.NewKey, d.PriorStatus, d.OldKeys[0])
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		return insertEvent(ctx, tx, ev)
	})
}

var _ rights.DestructionRecords = (*DossierStore)(nil)

// RecordRefusal stores a refused destruction of employeeID's dossier with
// its event.
func (s *DossierStore) RecordRefusal(ctx context.Context, employeeID uuid.UUID, f rights.DestructionRefusal, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, _, err := lookupDossier(ctx, tx, employeeID, uuid.Nil, "FOR SHARE")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO medical.destruction_refusals (request_id, dossier_id, ground, reason_ciphertext,
			decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			f.RequestID, d.ID, f.Ground, nullString(f.ReasonCiphertext), f.DecidedBy, f.DecidedAt); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

var _ rights.EntryChecker = (*DossierStore)(nil)

// CheckEntries checks that ids are entries of employeeID's dossier that
// are not working notes.
func (s *DossierStore) CheckEntries(ctx context.Context, employeeID uuid.UUID, ids []uuid.UUID) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, _, err := lookupDossier(ctx, tx, employeeID, uuid.Nil, "")
		if errors.Is(err, derrors.ErrNotFound) {
			return fmt.Errorf("postgres: there is no dossier: %w", derrors.ErrConflict)
		}
		if err != nil {
			return err
		}
		return checkEntries(ctx, tx, d.ID, ids)
	})
}

// checkEntries returns derrors.FieldErrors unless every id is an entry of
// the dossier that is not a working note.
func checkEntries(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID, ids []uuid.UUID) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM medical.entries
		WHERE dossier_id = $1 AND kind = ANY ($3) AND id = ANY ($2::uuid[])`, dossierID, ids, dossier.ReleasableKinds()).Scan(&n); err != nil {
		return Translate(err)
	}
	distinct := map[uuid.UUID]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if n != len(distinct) {
		return derrors.FieldErrors{"entry_ids": "must name entries of the dossier that are not working notes"}
	}
	return nil
}

// DestructionChannel is the notification channel on which BeginDestruction
// announces a new job (on commit) to the destruction worker.
const DestructionChannel = "arbokluis_destructions"

// destructionLock is the first key of the session advisory lock a worker
// holds on a job while it runs it.
const destructionLock = 7514

// ClaimDestruction claims job id for this process with a session advisory
// lock on a connection of its own, so that two workers never run one job
// at once. It returns the release function (which unlocks and returns the
// connection; a claim also ends when the connection does). A job claimed
// elsewhere is derrors.ErrConflict; a database that cannot be reached
// derrors.ErrUnavailable.
func (s *DossierStore) ClaimDestruction(ctx context.Context, id uuid.UUID) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, Translate(err)
	}
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2::text))`, destructionLock, id).Scan(&locked); err != nil {
		conn.Release()
		return nil, Translate(err)
	}
	if !locked {
		conn.Release()
		return nil, fmt.Errorf("postgres: destruction %s is being run elsewhere: %w", id, derrors.ErrConflict)
	}
	return func() {
		// Unlocked even when the caller's context has ended; a connection
		// that cannot unlock is closed, which ends the lock with it.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, hashtext($2::text))`, destructionLock, id); err != nil {
			conn.Conn().Close(ctx) //nolint:errcheck // closing ends the lock
		}
		conn.Release()
	}, nil
}

// Listener waits for notifications on one channel, on a connection of its
// own that it takes from the pool at the first Wait.
type Listener struct {
	pool    *pgxpool.Pool
	channel string
	conn    *pgxpool.Conn
}

// NewListener returns a listener on channel over pool; Close it after use.
func NewListener(pool *pgxpool.Pool, channel string) *Listener {
	return &Listener{pool: pool, channel: channel}
}

// Wait returns when a notification arrives on the channel (true), when
// max has passed without one (false), or when ctx ends (false, its error).
// A lost connection is derrors.ErrUnavailable and is replaced at the next
// Wait; notifications sent while no connection listened are lost, so the
// caller polls as well.
func (l *Listener) Wait(ctx context.Context, max time.Duration) (bool, error) {
	if err := l.Listen(ctx); err != nil {
		return false, err
	}
	wctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	_, err := l.conn.Conn().WaitForNotification(wctx)
	switch {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	case wctx.Err() != nil && !l.conn.Conn().IsClosed():
		return false, nil
	}
	l.Close()
	return false, Translate(err)
}

// Listen starts listening, unless it does already: notifications sent from
// then on wait for the next Wait. A database that cannot be reached is
// derrors.ErrUnavailable.
func (l *Listener) Listen(ctx context.Context) error {
	if l.conn != nil {
		return nil
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return Translate(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		conn.Release()
		return Translate(err)
	}
	l.conn = conn
	return nil
}

// Close returns the listening connection, closed so that it listens no
// more.
func (l *Listener) Close() {
	if l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.conn.Conn().Close(ctx) //nolint:errcheck // the connection is done with either way
	l.conn.Release()
	l.conn = nil
}
