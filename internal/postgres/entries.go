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
	"github.com/arbokluis/arbokluis/internal/identity"
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
			ON CONFLICT (employee_id) DO NOTHING`, id, employeeID, physicianID, "dossier-"+id.String()+"-g1"); err != nil {
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

// InsertEntry stores a sealed entry with its event, under the dossier lock.
func (s *DossierStore) InsertEntry(ctx context.Context, e dossier.SealedEntry, keyName string, callerID uuid.UUID, authorize dossier.Authorize) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var employeeID uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT employee_id FROM medical.dossiers WHERE id = $1`, e.DossierID).Scan(&employeeID); err != nil {
			return Translate(err)
		}
		d, until, err := lookupDossier(ctx, tx, employeeID, callerID, "FOR SHARE OF d")
		if err != nil {
			return err
		}
		if d.ID != e.DossierID || d.KeyName != keyName || d.Status != "open" {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		ev, err := authorize(d, until)
		if err != nil {
			return err
		}
		if e.Supersedes != uuid.Nil {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM medical.entries WHERE id = $1 AND dossier_id = $2`,
				e.Supersedes, e.DossierID).Scan(&n); err != nil {
				return Translate(err)
			}
			if n != 1 {
				return fmt.Errorf("postgres: the corrected entry is not in the dossier: %w", derrors.ErrNotFound)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO medical.entries (id, dossier_id, kind, author_id, on_behalf_of, occurred_on, created_at,
				supersedes, version, ciphertext, key_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.ID, e.DossierID, string(e.Kind), e.AuthorID, nullUUID(ev.OnBehalfOf), nullTime(e.OccurredOn), e.CreatedAt,
			nullUUID(e.Supersedes), e.Version, e.Ciphertext, e.KeyVersion); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// entryRow is medical.entries as read, with the id of a later version.
type entryRow struct {
	ID           uuid.UUID
	DossierID    uuid.UUID
	Kind         string
	AuthorID     uuid.UUID
	OnBehalfOf   *uuid.UUID
	OccurredOn   *time.Time
	CreatedAt    time.Time
	Supersedes   *uuid.UUID
	SupersededBy *uuid.UUID
	Version      int
	Ciphertext   string
	KeyVersion   int
}

func (r entryRow) domain() dossier.SealedEntry {
	return dossier.SealedEntry{
		Entry: dossier.Entry{ID: r.ID, DossierID: r.DossierID, Kind: dossier.EntryKind(r.Kind), AuthorID: r.AuthorID,
			OnBehalfOf: deref(r.OnBehalfOf), OccurredOn: deref(r.OccurredOn), CreatedAt: r.CreatedAt,
			Supersedes: deref(r.Supersedes), SupersededBy: deref(r.SupersededBy), Version: r.Version},
		Ciphertext: r.Ciphertext, KeyVersion: r.KeyVersion,
	}
}

const entryColumns = `x.id, x.dossier_id, x.kind, x.author_id, x.on_behalf_of, x.occurred_on, x.created_at, x.supersedes,
	(SELECT n.id FROM medical.entries n WHERE n.supersedes = x.id), x.version, x.ciphertext, x.key_version`

// Entries returns a page of the dossier's current entries with its event.
func (s *DossierStore) Entries(ctx context.Context, employeeID uuid.UUID, q dossier.EntryQuery, authorize dossier.Authorize) (dossier.Dossier, []dossier.SealedEntry, error) {
	var (
		out   dossier.Dossier
		items []dossier.SealedEntry
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, until, err := lookupDossier(ctx, tx, employeeID, q.ReaderID, "")
		if err != nil {
			return err
		}
		ev, err := authorize(d, until)
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
			  AND (x.kind <> 'working_note' OR x.author_id = $2)
			  AND (x.created_at, x.id) > ($3, $4)
			ORDER BY x.created_at, x.id LIMIT $5`, d.ID, q.ReaderID, after, afterID, q.Limit)
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[entryRow])
		if err != nil {
			return Translate(err)
		}
		items = make([]dossier.SealedEntry, len(rs))
		for i, r := range rs {
			items[i] = r.domain()
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
		rows, _ := tx.Query(ctx, `SELECT `+entryColumns+` FROM medical.entries x WHERE x.id = $1 AND x.dossier_id = $2`, entryID, d.ID)
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[entryRow])
		if err != nil {
			return Translate(err)
		}
		e := r.domain()
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
	var (
		out       = dossier.Subject{EmployeeID: employeeID}
		physician *uuid.UUID
	)
	err := InScope(ctx, s.pool, identity.Scope{All: true}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			SELECT e.employer_id, pa.physician_id FROM hr.employees e
			LEFT JOIN hr.physician_assignments pa ON pa.employer_id = e.employer_id AND pa.status = 'active'
			WHERE e.id = $1`, employeeID).Scan(&out.EmployerID, &physician)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return dossier.Subject{}, fmt.Errorf("postgres: employee: %w", derrors.ErrNotFound)
	}
	if err != nil {
		return dossier.Subject{}, Translate(err)
	}
	out.PhysicianID = deref(physician)
	return out, nil
}
