package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// DossierStore keeps medical dossiers in schema medical, through the med
// pool only.
type DossierStore struct {
	pool *pgxpool.Pool
}

var _ dossier.Store = (*DossierStore)(nil)

// NewDossierStore returns a DossierStore on the med pool.
func NewDossierStore(pool *pgxpool.Pool) *DossierStore { return &DossierStore{pool: pool} }

// dossierRow is medical.dossiers d as read.
type dossierRow struct {
	ID                     uuid.UUID  `db:"id"`
	EmployeeID             uuid.UUID  `db:"employee_id"`
	ResponsiblePhysicianID uuid.UUID  `db:"responsible_physician_id"`
	Status                 string     `db:"status"`
	CreatedAt              time.Time  `db:"created_at"`
	KeyName                string     `db:"key_name"`
	KeyReadyAt             *time.Time `db:"key_ready_at"`
}

// dossierColumns are the columns of a dossierRow, of medical.dossiers d.
const dossierColumns = `d.id, d.employee_id,
	coalesce(d.responsible_physician_id, '00000000-0000-0000-0000-000000000000') AS responsible_physician_id,
	d.status, d.created_at, coalesce(d.key_name, '') AS key_name, d.key_ready_at`

func (r dossierRow) domain() dossier.Dossier {
	return dossier.Dossier{ID: r.ID, EmployeeID: r.EmployeeID, ResponsiblePhysicianID: r.ResponsiblePhysicianID, Status: r.Status,
		CreatedAt: r.CreatedAt, KeyName: r.KeyName, KeyReadyAt: deref(r.KeyReadyAt)}
}

// lookupRow is a dossierRow with the end of the caller's latest emergency
// access to it.
type lookupRow struct {
	dossierRow
	EmergencyUntil *time.Time `db:"emergency_until"`
}

// Read loads the dossier of employeeID with the caller's running emergency
// access, writes the event authorize returns, then returns the dossier.
func (s *DossierStore) Read(ctx context.Context, employeeID, callerID uuid.UUID, authorize func(dossier.Dossier, time.Time) (audit.Event, error)) (dossier.Dossier, error) {
	var out dossier.Dossier
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// Close closes the dossier of employeeID with its event.
func (s *DossierStore) Close(ctx context.Context, employeeID, callerID uuid.UUID, authorize func(dossier.Dossier, time.Time) (audit.Event, error)) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "FOR UPDATE OF d", authorize)
		if err != nil {
			return err
		}
		if d.Status != "open" {
			return fmt.Errorf("postgres: the dossier is %s: %w", d.Status, derrors.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE medical.dossiers SET status = 'closed' WHERE id = $1`, d.ID); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// DeclareEmergency stores an emergency access to the dossier of employeeID
// with its event.
func (s *DossierStore) DeclareEmergency(ctx context.Context, employeeID uuid.UUID, ea dossier.EmergencyAccess, event func(dossier.Dossier) audit.Event) (dossier.Dossier, error) {
	var out dossier.Dossier
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+dossierColumns+` FROM medical.dossiers d
			WHERE d.employee_id = $1 AND d.status NOT IN ('destroying', 'destroyed')`, employeeID)
		d, err := pgx.CollectOneRow(rows, scanAs[dossierRow])
		if err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO medical.emergency_accesses (id, dossier_id, physician_id, reason_ciphertext, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, ea.ID, d.ID, ea.PhysicianID, ea.ReasonCiphertext, ea.ExpiresAt); err != nil {
			return Translate(err)
		}
		if err := insertEvent(ctx, tx, event(d)); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// RunningEmergency returns callerID's emergency access to the dossier of
// employeeID that runs longest after now.
func (s *DossierStore) RunningEmergency(ctx context.Context, employeeID, callerID uuid.UUID, now time.Time) (dossier.EmergencyAccess, error) {
	var out dossier.EmergencyAccess
	err := s.pool.QueryRow(ctx, `SELECT ea.id, ea.dossier_id, ea.physician_id, ea.reason_ciphertext, ea.expires_at
		FROM medical.emergency_accesses ea JOIN medical.dossiers d ON d.id = ea.dossier_id
		WHERE d.employee_id = $1 AND d.status NOT IN ('destroying', 'destroyed') AND ea.physician_id = $2 AND ea.expires_at > $3
		ORDER BY ea.expires_at DESC LIMIT 1`, employeeID, callerID, now).
		Scan(&out.ID, &out.DossierID, &out.PhysicianID, &out.ReasonCiphertext, &out.ExpiresAt)
	if err != nil {
		return dossier.EmergencyAccess{}, Translate(err)
	}
	return out, nil
}

// authorizedDossier looks up the dossier of employeeID (as lookupDossier,
// with lock) and asks authorize for the event of the caller's access,
// with the end of callerID's emergency access. It returns the dossier and
// the event, or the error of either step unchanged.
func authorizedDossier(ctx context.Context, q querier, employeeID, callerID uuid.UUID, lock string,
	authorize dossier.Authorize) (dossier.Dossier, audit.Event, error) {
	d, until, err := lookupDossier(ctx, q, employeeID, callerID, lock)
	if err != nil {
		return dossier.Dossier{}, audit.Event{}, err
	}
	ev, err := authorize(d, until)
	if err != nil {
		return dossier.Dossier{}, audit.Event{}, err
	}
	return d, ev, nil
}

// lookupDossier loads the dossier of employeeID (not destroyed) with the end
// of callerID's latest emergency access to it; lock is "" or a row-lock
// clause such as "FOR SHARE".
func lookupDossier(ctx context.Context, q querier, employeeID, callerID uuid.UUID, lock string) (dossier.Dossier, time.Time, error) {
	rows, _ := q.Query(ctx, `
		SELECT `+dossierColumns+`,
			(SELECT max(expires_at) FROM medical.emergency_accesses ea
			 WHERE ea.dossier_id = d.id AND ea.physician_id = $2) AS emergency_until
		FROM medical.dossiers d WHERE d.employee_id = $1 AND d.status NOT IN ('destroying', 'destroyed') `+lock, employeeID, callerID)
	r, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[lookupRow])
	if err != nil {
		return dossier.Dossier{}, time.Time{}, Translate(err)
	}
	return r.domain(), deref(r.EmergencyUntil), nil
}
