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

// ReleaseStore keeps released snapshots in schema medical, on the med pool.
type ReleaseStore struct {
	pool *pgxpool.Pool
}

var _ rights.ReleaseStore = (*ReleaseStore)(nil)

// NewReleaseStore returns a ReleaseStore on the med pool.
func NewReleaseStore(pool *pgxpool.Pool) *ReleaseStore { return &ReleaseStore{pool: pool} }

// releaseRow is medical.releases r with its dossier's key and how many
// entries it holds.
type releaseRow struct {
	ID         uuid.UUID `db:"id"`
	DossierID  uuid.UUID `db:"dossier_id"`
	EmployeeID uuid.UUID `db:"employee_id"`
	RequestID  uuid.UUID `db:"request_id"`
	ReleasedBy uuid.UUID `db:"released_by"`
	ReleasedAt time.Time `db:"released_at"`
	Copies     int       `db:"copies"`
	KeyName    string    `db:"key_name"`
	Entries    int64     `db:"entries"`
}

// releaseColumns are the columns of a releaseRow, of medical.releases r
// joined with medical.dossiers d.
const releaseColumns = `r.id, r.dossier_id, r.employee_id, r.request_id, r.released_by, r.released_at, r.copies, d.key_name,
	(SELECT count(*) FROM medical.release_entries re WHERE re.release_id = r.id) AS entries`

func (r releaseRow) domain() rights.Release {
	return rights.Release{ID: r.ID, DossierID: r.DossierID, EmployeeID: r.EmployeeID, RequestID: r.RequestID,
		ReleasedBy: r.ReleasedBy, ReleasedAt: r.ReleasedAt, Copies: r.Copies, KeyName: r.KeyName, Entries: int(r.Entries)}
}

// scanRelease reads one release of rows.
func scanRelease(rows pgx.Rows) (rights.Release, error) {
	return pgx.CollectOneRow(rows, scanAs[releaseRow])
}

// CreateRelease snapshots the dossier for a request, once.
func (s *ReleaseStore) CreateRelease(ctx context.Context, r rights.Release, ev audit.Event) (rights.Release, error) {
	var out rights.Release
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+releaseColumns+` FROM medical.releases r
			JOIN medical.dossiers d ON d.id = r.dossier_id WHERE r.request_id = $1`, r.RequestID)
		existing, err := scanRelease(rows)
		switch {
		case err == nil:
			out = existing
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return Translate(err)
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM medical.dossiers WHERE employee_id = $1 AND status = 'open' FOR SHARE`,
			r.EmployeeID).Scan(&r.DossierID); err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO medical.releases (id, dossier_id, employee_id, request_id, released_by, released_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.DossierID, r.EmployeeID, r.RequestID, r.ReleasedBy, r.ReleasedAt); err != nil {
			return Translate(err)
		}
		if r.Chosen == nil {
			// Every version of a releasable kind (never a working note).
			if _, err := tx.Exec(ctx, `INSERT INTO medical.release_entries (release_id, entry_id)
				SELECT $1, e.id FROM medical.entries e WHERE e.dossier_id = $2 AND e.kind = ANY ($3)`,
				r.ID, r.DossierID, dossier.ReleasableKinds()); err != nil {
				return Translate(err)
			}
		} else if err := releaseChosen(ctx, tx, r); err != nil {
			return err
		}
		ev.ObjectID = r.ID.String()
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT `+releaseColumns+` FROM medical.releases r
			JOIN medical.dossiers d ON d.id = r.dossier_id WHERE r.id = $1`, r.ID)
		out, err = scanRelease(rows)
		return Translate(err)
	})
	return out, err
}

// releaseChosen snapshots the chosen entries of r, each with the versions
// it corrects; a chosen id that is not a releasable entry of the dossier is
// a field error on entry_ids.
func releaseChosen(ctx context.Context, tx pgx.Tx, r rights.Release) error {
	var found int
	if err := tx.QueryRow(ctx, `SELECT count(DISTINCT e.id) FROM medical.entries e
		WHERE e.dossier_id = $1 AND e.kind = ANY ($2) AND e.id = ANY ($3::uuid[])`,
		r.DossierID, dossier.ReleasableKinds(), r.Chosen).Scan(&found); err != nil {
		return Translate(err)
	}
	if want := len(distinct(r.Chosen)); found != want {
		return derrors.FieldErrors{"entry_ids": "must be releasable entries of the dossier"}
	}
	_, err := tx.Exec(ctx, `WITH RECURSIVE chain AS (
			SELECT e.id, e.supersedes FROM medical.entries e
			WHERE e.dossier_id = $2 AND e.kind = ANY ($3) AND e.id = ANY ($4::uuid[])
			UNION
			SELECT p.id, p.supersedes FROM medical.entries p JOIN chain c ON p.id = c.supersedes
			WHERE p.dossier_id = $2 AND p.kind = ANY ($3))
		INSERT INTO medical.release_entries (release_id, entry_id) SELECT $1, id FROM chain`,
		r.ID, r.DossierID, dossier.ReleasableKinds(), r.Chosen)
	return Translate(err)
}

// distinct returns ids without repeats.
func distinct(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Release loads a release with its sealed entries and writes its event.
func (s *ReleaseStore) Release(ctx context.Context, id uuid.UUID, authorize func(rights.Release) (audit.Event, error)) (rights.Release, []dossier.SealedEntry, error) {
	var (
		out   rights.Release
		items []dossier.SealedEntry
	)
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+releaseColumns+` FROM medical.releases r
			JOIN medical.dossiers d ON d.id = r.dossier_id WHERE r.id = $1 AND d.status NOT IN ('destroying', 'destroyed')`, id)
		r, err := scanRelease(rows)
		if err != nil {
			return Translate(err)
		}
		ev, err := authorize(r)
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT `+entryColumns+` FROM medical.entries x
			JOIN medical.release_entries re ON re.entry_id = x.id AND re.release_id = $1
			WHERE x.kind = ANY ($2)`+notBeingDestroyed("entry_ids")+` ORDER BY x.created_at, x.id`, id, dossier.ReleasableKinds())
		if items, err = collect[entryRow](rows); err != nil {
			return Translate(err)
		}
		out = r
		return insertEvent(ctx, tx, ev)
	})
	return out, items, err
}

// Releases lists an employee's releases, newest first.
func (s *ReleaseStore) Releases(ctx context.Context, employeeID uuid.UUID) ([]rights.Release, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+releaseColumns+` FROM medical.releases r
		JOIN medical.dossiers d ON d.id = r.dossier_id WHERE r.employee_id = $1 AND d.status NOT IN ('destroying', 'destroyed')
		ORDER BY r.released_at DESC LIMIT 100`, employeeID)
	out, err := collect[releaseRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// CountCopy counts one more delivered copy with its event.
func (s *ReleaseStore) CountCopy(ctx context.Context, id uuid.UUID, ev audit.Event) (int, error) {
	var before int
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE medical.releases SET copies = copies + 1 WHERE id = $1 RETURNING copies - 1`, id).
			Scan(&before); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: count copy: %w", err)
	}
	return before, nil
}
