package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/rights"
)

var (
	_ dossier.EntryStore = (*DossierStore)(nil)
	_ dossier.Subjects   = (*SubjectStore)(nil)
)

// Lookup loads the dossier of employeeID with callerID's emergency access.
func (s *DossierStore) Lookup(ctx context.Context, employeeID, callerID uuid.UUID) (dossier.Dossier, time.Time, error) {
	return lookupDossier(ctx, s.pool, employeeID, callerID, "")
}

// Open returns the dossier of employeeID, creating it when there is none.
func (s *DossierStore) Open(ctx context.Context, employeeID, physicianID uuid.UUID) (dossier.Dossier, error) {
	var out dossier.Dossier
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		id := uuid.New()
		if _, err := tx.Exec(ctx, `
			INSERT INTO medical.dossiers (id, employee_id, responsible_physician_id, key_name)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (employee_id) WHERE status <> 'destroyed' DO NOTHING`, id, employeeID, physicianID, dossier.KeyName(id, 1)); err != nil {
			return Translate(err)
		}
		d, _, err := lookupDossier(ctx, tx, employeeID, uuid.Nil, "")
		out = d
		return err
	})
	return out, err
}

// MarkKeyReady records that the dossier's key exists.
func (s *DossierStore) MarkKeyReady(ctx context.Context, dossierID uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `UPDATE medical.dossiers SET key_ready_at = now() WHERE id = $1 AND key_ready_at IS NULL`, dossierID)
	return Translate(err)
}

// InsertEntry stores a sealed entry and its event in one statement (one
// round trip, atomic by itself): only while the dossier still has the
// expected key, responsible physician and open status, and, for a
// correction, the corrected version is in the same dossier.
func (s *DossierStore) InsertEntry(ctx context.Context, e dossier.SealedEntry, expect dossier.Dossier, ev audit.Event) error {
	return insertEntry(ctx, s.pool, e, expect, ev)
}

// querier is a pool or a transaction.
type querier interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
	QueryRow(context.Context, string, ...any) pgx.Row
}

// insertEntry is InsertEntry on q: a statement of its own on a pool, or
// part of a caller's transaction.
func insertEntry(ctx context.Context, q querier, e dossier.SealedEntry, expect dossier.Dossier, ev audit.Event) error {
	r, err := entryInsert.exec(ctx, q, e.DossierID, expect, ev,
		e.ID, string(e.Kind), e.AuthorID, nullUUID(ev.OnBehalfOf), nullTime(e.OccurredOn), e.CreatedAt,
		nullUUID(e.Supersedes), e.Version, e.Ciphertext, e.KeyVersion)
	switch {
	case err != nil:
		return err
	case !r.inserted:
		return fmt.Errorf("postgres: the dossier changed meanwhile, or the corrected entry is not in it: %w", derrors.ErrConflict)
	}
	return nil
}

// entryInsert stores an entry; a correction ($7, the version it
// supersedes) only when the corrected version is in the same dossier.
var entryInsert = newGuardedInsert(`
	INSERT INTO medical.entries (id, dossier_id, kind, author_id, on_behalf_of, occurred_on, created_at,
		supersedes, version, ciphertext, key_version)
	SELECT $1, ok.id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM ok
	RETURNING id`, 10,
	`$7::uuid IS NULL OR EXISTS (SELECT 1 FROM medical.entries p WHERE p.id = $7 AND p.dossier_id = d.id)`)

// guardedInsert is one statement that inserts a row into a dossier
// together with its audit event, in one round trip and atomic by itself:
// the row goes in only while the dossier still has the key, the
// responsible physician and the open status the caller decided on
// (share-locked for the statement), and only where the row's own
// precondition holds; the event goes in exactly when the row does, with
// the row's id as its object.
type guardedInsert struct {
	sql   string
	nargs int
}

// guardedInsertSQL is the statement around a row's insert; newGuardedInsert
// numbers its placeholders after the row's own parameters, in the order of
// guardPlaceholders.
const guardedInsertSQL = `
	WITH d AS (
		SELECT id FROM medical.dossiers
		WHERE id = {dossier} AND key_name = {key} AND status = 'open'
		  AND responsible_physician_id IS NOT DISTINCT FROM {physician}
		FOR SHARE),
	ok AS (
		SELECT d.id FROM d WHERE ({precondition})),
	ins AS ({insert}),
	ev AS (
		INSERT INTO audit.outbox (actor_user_id, actor_role, on_behalf_of, subject_employee_id, tenant_id,
			action, object_kind, object_id, outcome, request_id, client_ip)
		SELECT {actor}, {role}, {behalf}, {subject}, NULL, {action}, {kind}, ins.id::text, {outcome}, {request}, {ip}::inet
		FROM ins
		RETURNING 1)
	SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM ok), (SELECT count(*) FROM ins) + (SELECT count(*) FROM ev)`

// guardPlaceholders are the parameters a guarded insert adds after the
// row's own, in the order exec passes them: the dossier's id, key and
// physician, then the event's fields.
var guardPlaceholders = []string{"{dossier}", "{key}", "{physician}",
	"{actor}", "{role}", "{behalf}", "{subject}", "{action}", "{kind}", "{outcome}", "{request}", "{ip}"}

// newGuardedInsert composes the statement once. insert is an INSERT ...
// SELECT ... FROM ok RETURNING id that reads the dossier's id as ok.id and
// takes the row's values as $1..$nargs; precondition is a condition on the
// dossier d.id over the same parameters ("true" for none).
func newGuardedInsert(insert string, nargs int, precondition string) guardedInsert {
	pairs := []string{"{insert}", insert, "{precondition}", precondition}
	for i, name := range guardPlaceholders {
		pairs = append(pairs, name, "$"+strconv.Itoa(nargs+1+i))
	}
	return guardedInsert{nargs: nargs, sql: strings.NewReplacer(pairs...).Replace(guardedInsertSQL)}
}

// guardResult is how far a guarded insert got.
type guardResult struct {
	dossierOK bool // the dossier was as expected
	precondOK bool // and the row's precondition held
	inserted  bool // and the row and its event are stored
}

// exec runs the statement on q for the row args (exactly nargs values) of
// dossier dossierID, guarded by expect, with event ev. A database failure
// is the translated error; a guard that did not hold is no error but a
// result the caller words.
func (g guardedInsert) exec(ctx context.Context, q querier, dossierID uuid.UUID, expect dossier.Dossier, ev audit.Event, args ...any) (guardResult, error) {
	if len(args) != g.nargs {
		return guardResult{}, fmt.Errorf("postgres: guarded insert: %d values for %d parameters", len(args), g.nargs)
	}
	var ip any
	if ev.ClientIP.IsValid() {
		ip = ev.ClientIP.String()
	}
	all := make([]any, 0, g.nargs+len(guardPlaceholders))
	all = append(all, args...)
	all = append(all, dossierID, expect.KeyName, nullUUID(expect.ResponsiblePhysicianID),
		nullUUID(ev.ActorUserID), nullString(ev.ActorRole), nullUUID(ev.OnBehalfOf), nullUUID(ev.SubjectEmployeeID),
		string(ev.Action), ev.ObjectKind, string(ev.Outcome), nullString(ev.RequestID), ip)
	var n [3]int // one allocation for the three counts
	if err := q.QueryRow(ctx, g.sql, all...).Scan(&n[0], &n[1], &n[2]); err != nil {
		return guardResult{}, Translate(err)
	}
	return guardResult{dossierOK: n[0] == 1, precondOK: n[1] == 1, inserted: n[2] == 2}, nil
}

// entryRow is medical.entries as read, with the id of a later version.
type entryRow struct {
	ID           uuid.UUID  `db:"id"`
	DossierID    uuid.UUID  `db:"dossier_id"`
	Kind         string     `db:"kind"`
	AuthorID     uuid.UUID  `db:"author_id"`
	OnBehalfOf   *uuid.UUID `db:"on_behalf_of"`
	OccurredOn   *time.Time `db:"occurred_on"`
	CreatedAt    time.Time  `db:"created_at"`
	Supersedes   *uuid.UUID `db:"supersedes"`
	SupersededBy *uuid.UUID `db:"superseded_by"`
	Version      int        `db:"version"`
	Ciphertext   string     `db:"ciphertext"`
	KeyVersion   int        `db:"key_version"`
	Concerns     *uuid.UUID `db:"concerns"`
}

func (r entryRow) domain() dossier.SealedEntry {
	return dossier.SealedEntry{
		Entry: dossier.Entry{ID: r.ID, DossierID: r.DossierID, Kind: dossier.EntryKind(r.Kind), AuthorID: r.AuthorID,
			OnBehalfOf: deref(r.OnBehalfOf), OccurredOn: deref(r.OccurredOn), CreatedAt: r.CreatedAt,
			Supersedes: deref(r.Supersedes), SupersededBy: deref(r.SupersededBy), Version: r.Version, Concerns: deref(r.Concerns)},
		Ciphertext: r.Ciphertext, KeyVersion: r.KeyVersion,
	}
}

// notBeingDestroyed keeps out rows (alias x) that a pending partial
// destruction takes: granted for destruction, they are no longer handed out
// while the rest of the dossier is re-encrypted. ids names the job's column
// that lists them (entry_ids or attachment_ids).
func notBeingDestroyed(ids string) string {
	return ` AND NOT EXISTS (SELECT 1 FROM medical.destructions j
	WHERE j.dossier_id = x.dossier_id AND j.state = 'pending' AND x.id = ANY (j.` + ids + `))`
}

// beingDestroyed is notBeingDestroyed(ids) where d has a partial
// destruction pending (its status is rekeying exactly then) and nothing
// otherwise, so that reads of every other dossier skip the check.
func beingDestroyed(d dossier.Dossier, ids string) string {
	if d.Status == "rekeying" {
		return notBeingDestroyed(ids)
	}
	return ""
}

// entryColumns are the columns of an entryRow, of medical.entries x.
const entryColumns = `x.id, x.dossier_id, x.kind, x.author_id, x.on_behalf_of, x.occurred_on, x.created_at, x.supersedes,
	(SELECT n.id FROM medical.entries n WHERE n.supersedes = x.id) AS superseded_by, x.version, x.ciphertext, x.key_version, x.concerns`

// Entries returns a page of the dossier's current entries with its event.
func (s *DossierStore) Entries(ctx context.Context, employeeID uuid.UUID, q dossier.EntryQuery, authorize dossier.Authorize) (dossier.Dossier, []dossier.SealedEntry, error) {
	var (
		out   dossier.Dossier
		items []dossier.SealedEntry
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, q.ReaderID, "", authorize)
		if err != nil {
			return err
		}
		after, afterID := time.Time{}, uuid.Nil
		if q.After != nil {
			after, afterID = q.After.CreatedAt, q.After.ID
		}
		rows, _ := tx.Query(ctx, `SELECT `+entryColumns+` FROM medical.entries x
			WHERE x.dossier_id = $1
			  AND NOT EXISTS (SELECT 1 FROM medical.entries n WHERE n.supersedes = x.id)
			  AND (x.kind <> ALL ($6) OR x.author_id = $2)
			  AND (x.created_at, x.id) > ($3, $4)`+beingDestroyed(d, "entry_ids")+`
			ORDER BY x.created_at, x.id LIMIT $5`, d.ID, q.ReaderID, after, afterID, q.Limit, dossier.AuthorOnlyKinds())
		if items, err = collect[entryRow](rows); err != nil {
			return Translate(err)
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, items, err
}

// Entry returns one version of an entry of employeeID's dossier with its
// event.
func (s *DossierStore) Entry(ctx context.Context, employeeID, entryID, callerID uuid.UUID,
	authorize func(d dossier.Dossier, emergencyUntil time.Time, e dossier.SealedEntry) (audit.Event, error)) (dossier.Dossier, dossier.SealedEntry, error) {
	var (
		out  dossier.Dossier
		item dossier.SealedEntry
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, until, err := lookupDossier(ctx, tx, employeeID, callerID, "")
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+entryColumns+` FROM medical.entries x WHERE x.id = $1 AND x.dossier_id = $2`+beingDestroyed(d, "entry_ids"),
			entryID, d.ID)
		e, err := pgx.CollectExactlyOneRow(rows, scanAs[entryRow])
		if err != nil {
			return Translate(err)
		}
		ev, err := authorize(d, until, e)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		out, item = d, e
		return nil
	})
	return out, item, err
}

// SubjectStore answers the dossier's questions about employees from the hr
// side, through the hr pool: ids only.
type SubjectStore struct {
	pool *pgxpool.Pool
}

// NewSubjectStore returns a SubjectStore on the hr pool.
func NewSubjectStore(pool *pgxpool.Pool) *SubjectStore { return &SubjectStore{pool: pool} }

// Subject returns the employer of employeeID and its assigned physician.
// It reads service-wide (row-level security admits every tenant) because
// it is the service's own lookup of ids for the dossier, not a read of the
// person's record on anyone's behalf.
func (s *SubjectStore) Subject(ctx context.Context, employeeID uuid.UUID) (dossier.Subject, error) {
	var out rights.Subject
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		var err error
		out, err = loadSubject(ctx, tx, ` WHERE e.id = $1`, employeeID)
		return err
	})
	if err != nil {
		return dossier.Subject{}, fmt.Errorf("postgres: employee: %w", err)
	}
	return dossier.Subject{EmployeeID: out.EmployeeID, EmployerID: out.EmployerID, PhysicianID: out.PhysicianID}, nil
}

var _ dossier.AttachmentStore = (*DossierStore)(nil)

// InsertAttachment stores a sealed attachment and its event in one
// statement, while the dossier still matches expect.
func (s *DossierStore) InsertAttachment(ctx context.Context, a dossier.SealedAttachment, expect dossier.Dossier, ev audit.Event) error {
	return insertAttachment(ctx, s.pool, a, expect, ev)
}

// insertAttachment is InsertAttachment on q (see insertEntry).
func insertAttachment(ctx context.Context, q querier, a dossier.SealedAttachment, expect dossier.Dossier, ev audit.Event) error {
	r, err := attachmentInsert.exec(ctx, q, a.DossierID, expect, ev,
		a.ID, nullUUID(a.EntryID), a.ContentType, a.Size, a.WrappedKey, a.Nonce, a.Sealed,
		a.AuthorID, nullUUID(ev.OnBehalfOf), a.CreatedAt)
	switch {
	case err != nil:
		return err
	case !r.dossierOK:
		return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
	case !r.precondOK:
		return derrors.FieldErrors{"entry_id": "is not an entry of this dossier"}
	case !r.inserted:
		return fmt.Errorf("postgres: attachment not stored: %w", derrors.ErrConflict)
	}
	return nil
}

// attachmentInsert stores an attachment; one that belongs to an entry
// ($2) only when that entry is in the same dossier.
var attachmentInsert = newGuardedInsert(`
	INSERT INTO medical.attachments (id, dossier_id, entry_id, content_type, size_bytes, wrapped_key, nonce, content,
		author_id, on_behalf_of, created_at)
	SELECT $1, ok.id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM ok
	RETURNING id`, 10,
	`$2::uuid IS NULL OR EXISTS (SELECT 1 FROM medical.entries e WHERE e.id = $2 AND e.dossier_id = d.id)`)

// attachmentRow is medical.attachments as read.
type attachmentRow struct {
	ID          uuid.UUID  `db:"id"`
	DossierID   uuid.UUID  `db:"dossier_id"`
	EntryID     *uuid.UUID `db:"entry_id"`
	ContentType string     `db:"content_type"`
	SizeBytes   int        `db:"size_bytes"`
	WrappedKey  string     `db:"wrapped_key"`
	Nonce       []byte     `db:"nonce"`
	Content     []byte     `db:"content"`
	AuthorID    uuid.UUID  `db:"author_id"`
	OnBehalfOf  *uuid.UUID `db:"on_behalf_of"`
	CreatedAt   time.Time  `db:"created_at"`
}

func (r attachmentRow) domain() dossier.SealedAttachment {
	return dossier.SealedAttachment{
		Attachment: dossier.Attachment{ID: r.ID, DossierID: r.DossierID, EntryID: deref(r.EntryID), ContentType: r.ContentType,
			Size: r.SizeBytes, AuthorID: r.AuthorID, OnBehalfOf: deref(r.OnBehalfOf), CreatedAt: r.CreatedAt},
		WrappedKey: r.WrappedKey, Nonce: r.Nonce, Sealed: r.Content,
	}
}

// Attachment loads one sealed attachment of employeeID's dossier with its
// event.
func (s *DossierStore) Attachment(ctx context.Context, employeeID, id, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, dossier.SealedAttachment, error) {
	var (
		out  dossier.Dossier
		item dossier.SealedAttachment
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, dossier_id, entry_id, content_type, size_bytes, wrapped_key, nonce, content,
			author_id, on_behalf_of, created_at FROM medical.attachments x WHERE id = $1 AND dossier_id = $2`+beingDestroyed(d, "attachment_ids"), id, d.ID)
		a, err := pgx.CollectExactlyOneRow(rows, scanAs[attachmentRow])
		if err != nil {
			return Translate(err)
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		out, item = d, a
		return nil
	})
	return out, item, err
}

// Attachments lists the attachments of employeeID's dossier without their
// content, oldest first, with the event authorize returns.
func (s *DossierStore) Attachments(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) ([]dossier.Attachment, error) {
	var out []dossier.Attachment
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, dossier_id, entry_id, content_type, size_bytes, '' AS wrapped_key, NULL::bytea AS nonce,
			NULL::bytea AS content, author_id, on_behalf_of, created_at FROM medical.attachments x
			WHERE dossier_id = $1`+beingDestroyed(d, "attachment_ids")+` ORDER BY created_at, id`, d.ID)
		as, err := collect[attachmentRow](rows)
		if err != nil {
			return Translate(err)
		}
		for _, a := range as {
			out = append(out, a.Attachment)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

var _ dossier.RewrapStore = (*DossierStore)(nil)

// KeyedDossiers lists the dossiers whose key exists in Vault.
func (s *DossierStore) KeyedDossiers(ctx context.Context) ([]dossier.Dossier, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+dossierColumns+` FROM medical.dossiers d
		WHERE d.key_ready_at IS NOT NULL AND d.status IN ('open', 'closed') ORDER BY d.created_at, d.id`)
	out, err := collect[dossierRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

var _ dossier.ExposureStore = (*DossierStore)(nil)

// InsertExposure stores an exposure with its event, while the dossier still
// matches expect.
func (s *DossierStore) InsertExposure(ctx context.Context, x dossier.Exposure, expect dossier.Dossier, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM medical.dossiers WHERE id = $1 AND key_name = $2
			AND status = 'open' AND responsible_physician_id IS NOT DISTINCT FROM $3 FOR SHARE)`,
			x.DossierID, expect.KeyName, nullUUID(expect.ResponsiblePhysicianID)).Scan(&ok); err != nil {
			return Translate(err)
		}
		if !ok {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO medical.exposures (id, dossier_id, agent, from_date, to_date, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, x.ID, x.DossierID, string(x.Agent), x.From, nullTime(x.To), x.RecordedBy, x.RecordedAt); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// exposureRow is medical.exposures as read.
type exposureRow struct {
	ID         uuid.UUID  `db:"id"`
	DossierID  uuid.UUID  `db:"dossier_id"`
	Agent      string     `db:"agent"`
	From       time.Time  `db:"from_date"`
	To         *time.Time `db:"to_date"`
	RecordedBy uuid.UUID  `db:"recorded_by"`
	RecordedAt time.Time  `db:"recorded_at"`
}

// exposureColumns are the columns of an exposureRow.
const exposureColumns = `id, dossier_id, agent, from_date, to_date, recorded_by, recorded_at`

func (r exposureRow) domain() dossier.Exposure {
	return dossier.Exposure{ID: r.ID, DossierID: r.DossierID, Agent: dossier.Agent(r.Agent), From: r.From, To: deref(r.To),
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

// Exposures lists a dossier's exposures with the event.
func (s *DossierStore) Exposures(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) ([]dossier.Exposure, error) {
	var out []dossier.Exposure
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+exposureColumns+`
			FROM medical.exposures WHERE dossier_id = $1 ORDER BY from_date, recorded_at`, d.ID)
		if out, err = collect[exposureRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

var _ dossier.StatementStore = (*DossierStore)(nil)

// InsertStatement stores an employee's own statement with its event.
func (s *DossierStore) InsertStatement(ctx context.Context, e dossier.SealedEntry, concerns uuid.UUID, keyName string, ev audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM medical.dossiers WHERE id = $1 AND key_name = $2 AND status = 'open' FOR SHARE)`,
			e.DossierID, keyName).Scan(&ok); err != nil {
			return Translate(err)
		}
		if !ok {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		if concerns != uuid.Nil {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM medical.entries WHERE id = $1 AND dossier_id = $2 AND kind = ANY ($3)`,
				concerns, e.DossierID, dossier.ReleasableKinds()).Scan(&n); err != nil {
				return Translate(err)
			}
			if n != 1 {
				return fmt.Errorf("postgres: the concerned entry is not in the dossier: %w", derrors.ErrNotFound)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO medical.entries (id, dossier_id, kind, author_id, created_at, version, ciphertext,
			key_version, concerns) VALUES ($1, $2, 'own_statement', $3, $4, 1, $5, $6, $7)`,
			e.ID, e.DossierID, e.AuthorID, e.CreatedAt, e.Ciphertext, e.KeyVersion, nullUUID(concerns)); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}
