package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// RequestStore keeps the register of rights requests in schema hr.
type RequestStore struct {
	pool *pgxpool.Pool
}

var _ rights.RequestStore = (*RequestStore)(nil)

// NewRequestStore returns a RequestStore on the hr pool.
func NewRequestStore(pool *pgxpool.Pool) *RequestStore { return &RequestStore{pool: pool} }

// The register is read service-wide (row-level security admits every
// tenant): the service decides who may see a request from its subject, and
// the rows hold metadata only.
var allTenants = access.Scope{All: true}

// todayNL is today's date in Europe/Amsterdam (DESIGN §4), in SQL.
const todayNL = `(now() AT TIME ZONE 'Europe/Amsterdam')::date`

// assignedAbsent is the SQL condition that the physician of assignment pa
// is absent today: an active substitution period covers the date.
const assignedAbsent = `EXISTS (SELECT 1 FROM hr.substitutions s WHERE s.absent_physician_id = pa.physician_id
	AND s.status = 'active' AND ` + todayNL + ` BETWEEN s.starts_on AND s.ends_on)`

// subjectQuery reads subjectRows, of hr.employees e.
const subjectQuery = `SELECT e.id AS employee_id, e.employer_id, e.user_id, pa.physician_id,
	CASE WHEN e.erased_at IS NULL THEN e.date_of_birth END AS date_of_birth, ` + assignedAbsent + ` AS physician_absent
	FROM hr.employees e
	LEFT JOIN hr.physician_assignments pa ON pa.employer_id = e.employer_id AND pa.status = 'active'`

// subjectRow is an employee as the subject of requests.
type subjectRow struct {
	EmployeeID      uuid.UUID  `db:"employee_id"`
	EmployerID      uuid.UUID  `db:"employer_id"`
	UserID          *uuid.UUID `db:"user_id"`
	PhysicianID     *uuid.UUID `db:"physician_id"`
	DateOfBirth     *time.Time `db:"date_of_birth"` // NULL for an anonymised record, whose date is a placeholder
	PhysicianAbsent bool       `db:"physician_absent"`
}

func (r subjectRow) domain() rights.Subject {
	return rights.Subject{EmployeeID: r.EmployeeID, EmployerID: r.EmployerID, UserID: deref(r.UserID), PhysicianID: deref(r.PhysicianID),
		PhysicianAbsent: r.PhysicianAbsent, DateOfBirth: deref(r.DateOfBirth)}
}

// loadSubject reads the one subject that subjectQuery with where selects;
// none is derrors.ErrNotFound.
func loadSubject(ctx context.Context, tx pgx.Tx, where string, args ...any) (rights.Subject, error) {
	rows, _ := tx.Query(ctx, subjectQuery+where, args...)
	s, err := pgx.CollectOneRow(rows, scanAs[subjectRow])
	if err != nil {
		return rights.Subject{}, Translate(err)
	}
	return s, nil
}

// Subject returns an employee as the subject of requests.
func (s *RequestStore) Subject(ctx context.Context, employeeID uuid.UUID) (rights.Subject, error) {
	var out rights.Subject
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		var err error
		out, err = loadSubject(ctx, tx, ` WHERE e.id = $1`, employeeID)
		return err
	})
	return out, err
}

// SubjectOf returns the employee record linked to a login.
func (s *RequestStore) SubjectOf(ctx context.Context, userID uuid.UUID) (rights.Subject, error) {
	var out rights.Subject
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		var err error
		out, err = loadSubject(ctx, tx, ` WHERE e.user_id = $1`, userID)
		return err
	})
	if errors.Is(err, derrors.ErrNotFound) {
		return rights.Subject{}, fmt.Errorf("postgres: no employee record for the login: %w", derrors.ErrNotFound)
	}
	return out, err
}

// EmployeeOf returns the employee record linked to the login userID, as
// SubjectOf; derrors.ErrNotFound when none.
func (s *RequestStore) EmployeeOf(ctx context.Context, userID uuid.UUID) (uuid.UUID, error) {
	subj, err := s.SubjectOf(ctx, userID)
	return subj.EmployeeID, err
}

// requestColumns are the columns of a requestRow.
const requestColumns = `id, employer_id, employee_id, type, status, received_on, due_on, extended_to, extension_reason,
	filed_by, decided_by, decided_at, ground, updated_at, content_entry_id, concerns_entry_id,
	representative_name, authorisation_signed_on, fields, outcome, entry_ids`

// requestRow is hr.requests as stored.
type requestRow struct {
	ID              uuid.UUID    `db:"id"`
	EmployerID      uuid.UUID    `db:"employer_id"`
	EmployeeID      uuid.UUID    `db:"employee_id"`
	Type            string       `db:"type"`
	Status          string       `db:"status"`
	ReceivedOn      time.Time    `db:"received_on"`
	DueOn           time.Time    `db:"due_on"`
	ExtendedTo      *time.Time   `db:"extended_to"`
	ExtensionReason *string      `db:"extension_reason"`
	FiledBy         uuid.UUID    `db:"filed_by"`
	DecidedBy       *uuid.UUID   `db:"decided_by"`
	DecidedAt       *time.Time   `db:"decided_at"`
	Ground          *string      `db:"ground"`
	UpdatedAt       time.Time    `db:"updated_at"`
	ContentEntry    *uuid.UUID   `db:"content_entry_id"`
	Concerns        *uuid.UUID   `db:"concerns_entry_id"`
	Representative  *string      `db:"representative_name"`
	SignedOn        *time.Time   `db:"authorisation_signed_on"`
	Fields          []string     `db:"fields"`
	Outcome         []outcomeRow `db:"outcome"`
	EntryIDs        []uuid.UUID  `db:"entry_ids"`
}

// outcomeRow is one element of hr.requests.outcome (jsonb).
type outcomeRow struct {
	Category string `json:"category"`
	Action   string `json:"action"`
	Count    int    `json:"count,omitempty"`
	Until    string `json:"until,omitempty"`
	Ground   string `json:"ground,omitempty"`
}

func outcomeRows(os []rights.Outcome) []outcomeRow {
	if os == nil {
		return nil
	}
	out := make([]outcomeRow, len(os))
	for i, o := range os {
		out[i] = outcomeRow{Category: o.Category, Action: o.Action, Count: o.Count, Ground: o.Ground}
		if !o.Until.IsZero() {
			out[i].Until = o.Until.Format(time.DateOnly)
		}
	}
	return out
}

func (r requestRow) domain() rights.Request {
	out := rights.Request{ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, Type: rights.Type(r.Type),
		Status: rights.Status(r.Status), ReceivedOn: r.ReceivedOn, DueOn: r.DueOn, ExtendedTo: deref(r.ExtendedTo),
		ExtensionReason: deref(r.ExtensionReason), FiledBy: r.FiledBy, DecidedBy: deref(r.DecidedBy),
		DecidedAt: deref(r.DecidedAt), Ground: deref(r.Ground), UpdatedAt: r.UpdatedAt,
		ContentEntry: deref(r.ContentEntry), Concerns: deref(r.Concerns), Representative: deref(r.Representative),
		AuthorisationSignedOn: deref(r.SignedOn), Fields: r.Fields, EntryIDs: r.EntryIDs}
	for _, o := range r.Outcome {
		until, _ := time.Parse(time.DateOnly, o.Until)
		out.Outcome = append(out.Outcome, rights.Outcome{Category: o.Category, Action: o.Action, Count: o.Count, Ground: o.Ground, Until: until})
	}
	return out
}

func noticeTo(ctx context.Context, tx pgx.Tx, userID uuid.UUID, n rights.Notice) error {
	if userID == uuid.Nil {
		return nil
	}
	return insertNotice(ctx, tx, userID, identity.Notice{Kind: n.Kind, Subject: n.Subject, Body: n.Body})
}

// File inserts a request with its event and the employee's notice.
func (s *RequestStore) File(ctx context.Context, r rights.Request, ev audit.Event, n rights.Notice) error {
	return InScope(ctx, s.pool, access.Scope{Employers: []uuid.UUID{r.EmployerID}}, func(tx pgx.Tx) error {
		var user *uuid.UUID
		if err := tx.QueryRow(ctx, `
			INSERT INTO hr.requests (id, employer_id, employee_id, type, status, received_on, due_on, filed_by, updated_at,
				content_entry_id, concerns_entry_id, representative_name, authorisation_signed_on, fields, entry_ids)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			RETURNING (SELECT user_id FROM hr.employees WHERE id = $3)`,
			r.ID, r.EmployerID, r.EmployeeID, string(r.Type), string(r.Status), r.ReceivedOn, r.DueOn, r.FiledBy, r.UpdatedAt,
			nullUUID(r.ContentEntry), nullUUID(r.Concerns), nullString(r.Representative), nullTime(r.AuthorisationSignedOn),
			r.Fields, r.EntryIDs).Scan(&user); err != nil {
			return Translate(err)
		}
		if err := noticeTo(ctx, tx, deref(user), n); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Mine lists an employee's requests, newest first, with the event.
func (s *RequestStore) Mine(ctx context.Context, employeeID uuid.UUID, ev audit.Event) ([]rights.Request, error) {
	var out []rights.Request
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+requestColumns+` FROM hr.requests WHERE employee_id = $1
			ORDER BY received_on DESC, created_at DESC LIMIT 500`, employeeID)
		var err error
		if out, err = collect[requestRow](rows); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// Update changes one request under a row lock, with its event and notice.
func (s *RequestStore) Update(ctx context.Context, id uuid.UUID, change func(r *rights.Request, subj rights.Subject) (audit.Event, rights.Notice, error)) (rights.Request, error) {
	var out rights.Request
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		r, subj, err := lockRequest(ctx, tx, id, "")
		if err != nil {
			return err
		}
		ev, n, err := change(&r, subj)
		if err != nil {
			return err
		}
		out = r
		return saveRequest(ctx, tx, r, subj, ev, n)
	})
	return out, err
}

// Request loads a request with its subject, without a lock or an event:
// the register's metadata, for a service to check before it acts.
func (s *RequestStore) Request(ctx context.Context, id uuid.UUID) (rights.Request, rights.Subject, error) {
	var (
		r    rights.Request
		subj rights.Subject
	)
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		var err error
		r, subj, err = loadRequest(ctx, tx, id, "", "")
		return err
	})
	return r, subj, err
}

// Read loads a request with its subject and writes the event authorize
// returns.
func (s *RequestStore) Read(ctx context.Context, id uuid.UUID, authorize func(rights.Request, rights.Subject) (audit.Event, error)) (rights.Request, error) {
	var out rights.Request
	err := InScope(ctx, s.pool, allTenants, func(tx pgx.Tx) error {
		r, subj, err := loadRequest(ctx, tx, id, "", "")
		if err != nil {
			return err
		}
		ev, err := authorize(r, subj)
		if err != nil {
			return err
		}
		out = r
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// lockRequest loads request id under a row lock, with its subject; lock
// ("" or a clause such as "FOR UPDATE OF e") locks the employee row too.
// Update leaves it unlocked: its change may update the record in a
// transaction of its own (a rectification).
func lockRequest(ctx context.Context, tx pgx.Tx, id uuid.UUID, lock string) (rights.Request, rights.Subject, error) {
	return loadRequest(ctx, tx, id, "FOR UPDATE", lock)
}

// loadRequest loads request id (with lock, "" or a row-lock clause) and
// its subject (with subjectLock).
func loadRequest(ctx context.Context, tx pgx.Tx, id uuid.UUID, lock, subjectLock string) (rights.Request, rights.Subject, error) {
	rows, _ := tx.Query(ctx, `SELECT `+requestColumns+` FROM hr.requests WHERE id = $1 `+lock, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanAs[requestRow])
	if err != nil {
		return rights.Request{}, rights.Subject{}, Translate(err)
	}
	subj, err := loadSubject(ctx, tx, ` WHERE e.id = $1 `+subjectLock, r.EmployeeID)
	return r, subj, err
}

// saveRequest stores what may change of a locked request, with the notice
// to the employee and the event.
func saveRequest(ctx context.Context, tx pgx.Tx, r rights.Request, subj rights.Subject, ev audit.Event, n rights.Notice) error {
	if _, err := tx.Exec(ctx, `UPDATE hr.requests SET status = $2, extended_to = $3, extension_reason = $4,
		decided_by = $5, decided_at = $6, ground = $7, updated_at = $8, outcome = $9 WHERE id = $1`,
		r.ID, string(r.Status), nullTime(r.ExtendedTo), nullString(r.ExtensionReason), nullUUID(r.DecidedBy),
		nullTime(r.DecidedAt), nullString(r.Ground), r.UpdatedAt, outcomeRows(r.Outcome)); err != nil {
		return Translate(err)
	}
	if err := noticeTo(ctx, tx, subj.UserID, n); err != nil {
		return err
	}
	return insertEvent(ctx, tx, ev)
}

// Queue lists open requests, overdue and soonest due first. Requests of a
// physician who stands in, or of a lead physician, lie outside the
// caller's tenants by row-level security's reckoning; the query's own
// filter decides then.
func (s *RequestStore) Queue(ctx context.Context, f rights.QueueFilter, limit int, events func([]rights.Request) []audit.Event) ([]rights.Request, error) {
	var out []rights.Request
	scope := f.Scope
	if len(f.StandingInFor) > 0 || f.Unattended {
		scope = allTenants
	}
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+requestColumns+` FROM hr.requests r
			WHERE status IN ('received', 'in_review', 'granted', 'partly_granted')
			  AND (type IN ('inspection', 'copy', 'correction', 'own_statement', 'destruction')) = $1
			  AND ($2 OR employer_id = ANY ($3::uuid[])
			    OR EXISTS (SELECT 1 FROM hr.physician_assignments pa
			      WHERE pa.employer_id = r.employer_id AND pa.status = 'active' AND pa.physician_id = ANY ($5::uuid[]))
			    OR ($6 AND NOT EXISTS (SELECT 1 FROM hr.physician_assignments pa
			      WHERE pa.employer_id = r.employer_id AND pa.status = 'active' AND NOT `+assignedAbsent+`)))
			ORDER BY coalesce(extended_to, due_on), id LIMIT $4`,
			f.Medical, f.Scope.All, f.Scope.Employers, limit, f.StandingInFor, f.Unattended)
		var err error
		if out, err = collect[requestRow](rows); err != nil {
			return Translate(err)
		}
		if evs := events(out); len(evs) > 0 {
			return insertEvents(ctx, tx, evs)
		}
		return nil
	})
	return out, err
}
