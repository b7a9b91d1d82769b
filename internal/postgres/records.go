package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/rights"
)

var _ rights.RecordStore = (*RequestStore)(nil)

// caseTables are the tables of an absence case's data, children first.
var caseTables = []string{"verdicts", "advices", "notes", "contacts", "evaluations", "plans", "milestones",
	"absence_extensions", "absence_milestones_done", "absence_changes"}

// Apply decides a request against the facts of its subject's record and
// applies the effect, in one transaction under row locks on the request
// and the record.
func (s *RequestStore) Apply(ctx context.Context, id uuid.UUID, decide func(r *rights.Request, subj rights.Subject, f rights.RecordFacts) (rights.Effect, audit.Event, rights.Notice, error)) (rights.Request, error) {
	var out rights.Request
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		r, subj, err := lockRequest(ctx, tx, id, "FOR UPDATE OF e")
		if err != nil {
			return err
		}
		f, err := recordFacts(ctx, tx, r.EmployeeID)
		if err != nil {
			return err
		}
		eff, ev, n, err := decide(&r, subj, f)
		if err != nil {
			return err
		}
		if err := applyEffect(ctx, tx, r.EmployeeID, r.ID, eff); err != nil {
			return err
		}
		out = r
		return saveRequest(ctx, tx, r, subj, ev, n)
	})
	return out, err
}

// recordFacts reads what an erasure or restriction weighs.
func recordFacts(ctx context.Context, tx pgx.Tx, employeeID uuid.UUID) (rights.RecordFacts, error) {
	rows, _ := tx.Query(ctx, `SELECT employment_end, email IS NOT NULL OR phone IS NOT NULL AS has_contact,
			bsn_hash IS NOT NULL AS has_bsn, restricted_since IS NOT NULL AS restricted, erased_at IS NOT NULL AS erased
		FROM hr.employees e WHERE e.id = $1`, employeeID)
	r, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[recordFactsRow])
	if err != nil {
		return rights.RecordFacts{}, Translate(err)
	}
	f := rights.RecordFacts{EmploymentEnd: deref(r.EmploymentEnd), HasContact: r.HasContact, HasBSN: r.HasBSN,
		Restricted: r.Restricted, Erased: r.Erased}
	rows, _ = tx.Query(ctx, `SELECT id, status = 'open' AS open, closed_on FROM hr.absences WHERE employee_id = $1 ORDER BY first_sick_day`, employeeID)
	if f.Cases, err = collect[caseFactRow](rows); err != nil {
		return f, Translate(err)
	}
	return f, nil
}

// recordFactsRow is what an erasure or restriction weighs of hr.employees.
type recordFactsRow struct {
	EmploymentEnd *time.Time `db:"employment_end"`
	HasContact    bool       `db:"has_contact"`
	HasBSN        bool       `db:"has_bsn"`
	Restricted    bool       `db:"restricted"`
	Erased        bool       `db:"erased"`
}

// caseFactRow is whether a case is open, and when it closed.
type caseFactRow struct {
	ID       uuid.UUID  `db:"id"`
	Open     bool       `db:"open"`
	ClosedOn *time.Time `db:"closed_on"`
}

func (r caseFactRow) domain() rights.CaseFact {
	return rights.CaseFact{ID: r.ID, Open: r.Open, ClosedOn: deref(r.ClosedOn)}
}

// applyEffect changes the record of employeeID as eff says; requestID is
// the request applying it.
func applyEffect(ctx context.Context, tx pgx.Tx, employeeID, requestID uuid.UUID, eff rights.Effect) error {
	exec := func(sql string, args ...any) error {
		_, err := tx.Exec(ctx, sql, args...)
		return Translate(err)
	}
	if len(eff.DeleteCases) > 0 {
		for _, t := range caseTables {
			if err := exec(`DELETE FROM hr.`+t+` WHERE absence_id = ANY ($1::uuid[])`, eff.DeleteCases); err != nil {
				return err
			}
		}
		if err := exec(`DELETE FROM hr.absences WHERE id = ANY ($1::uuid[]) AND employee_id = $2 AND status = 'closed'`,
			eff.DeleteCases, employeeID); err != nil {
			return err
		}
	}
	if eff.EraseContact {
		if err := exec(`UPDATE hr.employees SET email = NULL, phone = NULL, updated_at = now() WHERE id = $1`, employeeID); err != nil {
			return err
		}
	}
	if eff.EraseBSN {
		if err := exec(`UPDATE hr.employees SET bsn_ciphertext = NULL, bsn_hash = NULL, updated_at = now() WHERE id = $1`, employeeID); err != nil {
			return err
		}
	}
	if eff.Anonymise {
		if err := exec(`DELETE FROM hr.verdicts WHERE employee_id = $1`, employeeID); err != nil {
			return err
		}
		if err := exec(`DELETE FROM hr.advices WHERE employee_id = $1`, employeeID); err != nil {
			return err
		}
		// The row stays, without anything that identifies the person: the
		// register and the audit trail refer to it by id.
		if err := exec(`UPDATE hr.employees SET first_name = 'Gewist', last_name = 'Gewist',
			employee_number = 'gewist-' || substr(replace(id::text, '-', ''), 1, 24), date_of_birth = DATE '1900-01-01',
			email = NULL, phone = NULL, bsn_ciphertext = NULL, bsn_hash = NULL, restricted_since = NULL,
			erased_at = now(), updated_at = now() WHERE id = $1`, employeeID); err != nil {
			return err
		}
	}
	if eff.Restrict {
		if err := exec(`UPDATE hr.employees SET restricted_since = now(), updated_at = now() WHERE id = $1 AND restricted_since IS NULL`, employeeID); err != nil {
			return err
		}
	}
	if eff.Lift {
		// Lifted only when no other granted restriction remains.
		if err := exec(`UPDATE hr.employees SET restricted_since = NULL, updated_at = now() WHERE id = $1
			AND NOT EXISTS (SELECT 1 FROM hr.requests WHERE employee_id = $1 AND type = 'restriction' AND status = 'granted' AND id <> $2)`,
			employeeID, requestID); err != nil {
			return err
		}
	}
	return nil
}

// Facts reads a request, its subject and the facts of their record in one
// snapshot, without a lock, and stores the read's event.
func (s *RequestStore) Facts(ctx context.Context, id uuid.UUID, look func(r rights.Request, subj rights.Subject, f rights.RecordFacts) (audit.Event, error)) (rights.Request, error) {
	var out rights.Request
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		r, subj, err := loadRequest(ctx, tx, id, "", "")
		if err != nil {
			return err
		}
		f, err := recordFacts(ctx, tx, r.EmployeeID)
		if err != nil {
			return err
		}
		ev, err := look(r, subj, f)
		if err != nil {
			return err
		}
		out = r
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}
