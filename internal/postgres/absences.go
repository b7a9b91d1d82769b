package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// AbsenceStore keeps absence cases and their process records in the hr
// schema, through the hr pool, every transaction scoped to the caller's
// tenants.
type AbsenceStore struct {
	pool *pgxpool.Pool
}

var _ absence.Store = (*AbsenceStore)(nil)

// NewAbsenceStore returns an AbsenceStore on the hr pool.
func NewAbsenceStore(pool *pgxpool.Pool) *AbsenceStore { return &AbsenceStore{pool: pool} }

// absenceRow is hr.absences joined with the employee's link and employment.
type absenceRow struct {
	ID                    uuid.UUID  `db:"id"`
	EmployerID            uuid.UUID  `db:"employer_id"`
	EmployeeID            uuid.UUID  `db:"employee_id"`
	FirstSickDay          time.Time  `db:"first_sick_day"`
	Percentage            int        `db:"percentage"`
	Status                string     `db:"status"`
	ClosedOn              *time.Time `db:"closed_on"`
	CloseReason           *string    `db:"close_reason"`
	Vangnet               bool       `db:"vangnet"`
	VangnetType           *string    `db:"vangnet_type"`
	ExpectedDurationWeeks *int       `db:"expected_duration_weeks"`
	WorkAccident          *bool      `db:"work_accident"`
	LiableThirdParty      *bool      `db:"liable_third_party"`
	CreatedAt             time.Time  `db:"created_at"`
	UserID                *uuid.UUID `db:"user_id"`
	EmploymentStart       time.Time  `db:"employment_start"`
	EmploymentEnd         *time.Time `db:"employment_end"`
}

// absenceSelect reads absenceRows.
const absenceSelect = `SELECT a.id, a.employer_id, a.employee_id, a.first_sick_day, a.percentage, a.status,
	a.closed_on, a.close_reason, a.vangnet, a.vangnet_type, a.expected_duration_weeks, a.work_accident,
	a.liable_third_party, a.created_at, e.user_id, e.employment_start, e.employment_end
	FROM hr.absences a JOIN hr.employees e ON e.id = a.employee_id`

func (r absenceRow) domain() absence.Absence {
	return absence.Absence{
		ID: r.ID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID, FirstSickDay: r.FirstSickDay,
		Percentage: r.Percentage, Status: absence.CaseStatus(r.Status), ClosedOn: deref(r.ClosedOn),
		CloseReason: absence.CloseReason(deref(r.CloseReason)), Vangnet: r.Vangnet,
		VangnetType: absence.VangnetType(deref(r.VangnetType)),
		Details: absence.Details{ExpectedDurationWeeks: deref(r.ExpectedDurationWeeks), WorkAccident: r.WorkAccident,
			LiableThirdParty: r.LiableThirdParty},
		CreatedAt: r.CreatedAt, EmployeeUserID: deref(r.UserID), EmploymentStart: r.EmploymentStart,
		EmploymentEnd: deref(r.EmploymentEnd),
	}
}

type changeRow struct {
	ID          uuid.UUID `db:"id"`
	Kind        string    `db:"kind"`
	EffectiveOn time.Time `db:"effective_on"`
	Percentage  int       `db:"percentage"`
	LeaveDays   int       `db:"leave_days"`
}

func (r changeRow) domain() absence.Change {
	return absence.Change{ID: r.ID, Kind: absence.ChangeKind(r.Kind), EffectiveOn: r.EffectiveOn, Percentage: r.Percentage, LeaveDays: r.LeaveDays}
}

type doneRow struct {
	ID        uuid.UUID `db:"id"`
	Kind      string    `db:"kind"`
	DoneOn    time.Time `db:"done_on"`
	LateOnset bool      `db:"late_onset"`
}

func (r doneRow) domain() absence.DoneRecord {
	return absence.DoneRecord{ID: r.ID, Done: absence.Done{Kind: absence.Kind(r.Kind), DoneOn: r.DoneOn, LateOnset: r.LateOnset}}
}

type extensionRow struct {
	ID        uuid.UUID `db:"id"`
	Kind      string    `db:"kind"`
	Weeks     int       `db:"weeks"`
	Reason    string    `db:"reason"`
	DecidedOn time.Time `db:"decided_on"`
}

func (r extensionRow) domain() absence.ExtensionRecord {
	return absence.ExtensionRecord{ID: r.ID, Extension: absence.Extension{Kind: absence.ExtensionKind(r.Kind), Weeks: r.Weeks},
		Reason: r.Reason, DecidedOn: r.DecidedOn}
}

// loadAbsence loads one case within scope with its facts; lock takes a row
// lock on the case for the rest of the transaction.
func loadAbsence(ctx context.Context, tx pgx.Tx, scope access.Scope, id uuid.UUID, lock bool) (absence.Absence, error) {
	q := absenceSelect + ` WHERE a.id = $1 AND ($2 OR a.employer_id = ANY ($3::uuid[]))`
	if lock {
		q += ` FOR UPDATE OF a`
	}
	rows, _ := tx.Query(ctx, q, id, scope.All, scope.Employers)
	a, err := pgx.CollectOneRow(rows, scanAs[absenceRow])
	if err != nil {
		return absence.Absence{}, Translate(err)
	}
	return a, loadFacts(ctx, tx, &a)
}

func loadFacts(ctx context.Context, tx pgx.Tx, a *absence.Absence) error {
	rows, _ := tx.Query(ctx, `SELECT id, kind, effective_on, percentage, leave_days FROM hr.absence_changes
		WHERE absence_id = $1 ORDER BY effective_on, recorded_at`, a.ID)
	changes, err := collect[changeRow](rows)
	if err != nil {
		return Translate(err)
	}
	a.Changes = nonEmpty(changes)
	rows, _ = tx.Query(ctx, `SELECT id, kind, done_on, late_onset FROM hr.absence_milestones_done
		WHERE absence_id = $1 ORDER BY done_on, recorded_at`, a.ID)
	done, err := collect[doneRow](rows)
	if err != nil {
		return Translate(err)
	}
	a.Done = nonEmpty(done)
	rows, _ = tx.Query(ctx, `SELECT id, kind, weeks, reason, decided_on FROM hr.absence_extensions
		WHERE absence_id = $1 ORDER BY decided_on, recorded_at`, a.ID)
	exts, err := collect[extensionRow](rows)
	if err != nil {
		return Translate(err)
	}
	a.Extensions = nonEmpty(exts)
	return nil
}

// nonEmpty returns xs, or nil when it holds nothing: a case's facts are nil
// when it has none, as the domain builds them.
func nonEmpty[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

type absenceEmployeeRow struct {
	ID              uuid.UUID  `db:"id"`
	EmployerID      uuid.UUID  `db:"employer_id"`
	UserID          *uuid.UUID `db:"user_id"`
	EmploymentStart time.Time  `db:"employment_start"`
	EmploymentEnd   *time.Time `db:"employment_end"`
}

func (r absenceEmployeeRow) domain() absence.Employee {
	return absence.Employee{ID: r.ID, EmployerID: r.EmployerID, UserID: deref(r.UserID),
		EmploymentStart: r.EmploymentStart, EmploymentEnd: deref(r.EmploymentEnd)}
}

func loadAbsenceEmployee(ctx context.Context, tx pgx.Tx, scope access.Scope, id uuid.UUID, lock bool) (absence.Employee, error) {
	q := `SELECT id, employer_id, user_id, employment_start, employment_end FROM hr.employees
		WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[]))`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, _ := tx.Query(ctx, q, id, scope.All, scope.Employers)
	e, err := pgx.CollectOneRow(rows, scanAs[absenceEmployeeRow])
	if err != nil {
		return absence.Employee{}, Translate(err)
	}
	return e, nil
}

// Report locks the employee (so two reports for one employee serialise),
// loads the latest case and applies what decide returns.
func (s *AbsenceStore) Report(ctx context.Context, scope access.Scope, employeeID uuid.UUID,
	decide func(e absence.Employee, latest *absence.Absence) (absence.Absence, absence.Mutation, error)) (absence.Absence, error) {
	var out absence.Absence
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		e, err := loadAbsenceEmployee(ctx, tx, scope, employeeID, true)
		if err != nil {
			return err
		}
		var latest *absence.Absence
		var latestID uuid.UUID
		err = tx.QueryRow(ctx, `SELECT id FROM hr.absences WHERE employee_id = $1
			ORDER BY first_sick_day DESC, created_at DESC LIMIT 1`, employeeID).Scan(&latestID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return Translate(err)
		default:
			a, err := loadAbsence(ctx, tx, scope, latestID, true)
			if err != nil {
				return err
			}
			latest = &a
		}
		a, m, err := decide(e, latest)
		if err != nil {
			return err
		}
		if err := applyMutation(ctx, tx, a, m); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// Update locks the case and applies what decide returns.
func (s *AbsenceStore) Update(ctx context.Context, scope access.Scope, id uuid.UUID,
	decide func(a absence.Absence) (absence.Absence, absence.Mutation, error)) (absence.Absence, error) {
	var out absence.Absence
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		a, err := loadAbsence(ctx, tx, scope, id, true)
		if err != nil {
			return err
		}
		a, m, err := decide(a)
		if err != nil {
			return err
		}
		if err := applyMutation(ctx, tx, a, m); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

func applyMutation(ctx context.Context, tx pgx.Tx, a absence.Absence, m absence.Mutation) error {
	vals := []any{a.ID, a.Percentage, string(a.Status), nullTime(a.ClosedOn), nullString(string(a.CloseReason)),
		a.Vangnet, nullString(string(a.VangnetType)), nullInt(a.Details.ExpectedDurationWeeks), a.Details.WorkAccident,
		a.Details.LiableThirdParty}
	var err error
	if m.New {
		_, err = tx.Exec(ctx, `INSERT INTO hr.absences (id, percentage, status, closed_on, close_reason, vangnet,
			vangnet_type, expected_duration_weeks, work_accident, liable_third_party,
			employer_id, employee_id, first_sick_day, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			append(vals, a.EmployerID, a.EmployeeID, a.FirstSickDay, m.Event.ActorUserID)...)
	} else {
		_, err = tx.Exec(ctx, `UPDATE hr.absences SET percentage = $2, status = $3, closed_on = $4, close_reason = $5,
			vangnet = $6, vangnet_type = $7, expected_duration_weeks = $8, work_accident = $9,
			liable_third_party = $10, updated_at = now() WHERE id = $1`, vals...)
	}
	if err != nil {
		return Translate(err)
	}
	by := m.Event.ActorUserID
	for _, c := range m.Changes {
		if _, err := tx.Exec(ctx, `INSERT INTO hr.absence_changes (id, absence_id, employer_id, kind, effective_on,
			percentage, leave_days, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			c.ID, a.ID, a.EmployerID, string(c.Kind), c.EffectiveOn, c.Percentage, c.LeaveDays, by); err != nil {
			return Translate(err)
		}
	}
	for _, d := range m.Done {
		if _, err := tx.Exec(ctx, `INSERT INTO hr.absence_milestones_done (id, absence_id, employer_id, kind, done_on,
			late_onset, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.ID, a.ID, a.EmployerID, string(d.Kind), d.DoneOn, d.LateOnset, by); err != nil {
			return Translate(err)
		}
	}
	for _, e := range m.Extensions {
		if _, err := tx.Exec(ctx, `INSERT INTO hr.absence_extensions (id, absence_id, employer_id, kind, weeks, reason,
			decided_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.ID, a.ID, a.EmployerID, string(e.Kind), e.Weeks, e.Reason, e.DecidedOn, by); err != nil {
			return Translate(err)
		}
	}
	if p := m.Plan; p != nil {
		acts := make([]activityRow, len(p.Activities))
		for i, x := range p.Activities {
			acts[i] = activityRow{Description: x.Description, Who: x.Who, ByWhen: x.ByWhen.Format(time.DateOnly)}
		}
		b, err := json.Marshal(acts)
		if err != nil {
			return fmt.Errorf("postgres: plan activities: %w", err)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO hr.plans (id, absence_id, employer_id, version, goals, activities,
			employer_view, employee_view, employer_signed_on, employee_signed_on, recorded_by, recorded_at)
			SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7, $8, $9, $10, $11
			FROM hr.plans WHERE absence_id = $2
			RETURNING version`,
			p.ID, a.ID, a.EmployerID, p.Goals, b, p.EmployerView, p.EmployeeView, nullTime(p.EmployerSignedOn),
			nullTime(p.EmployeeSignedOn), by, p.RecordedAt).Scan(&p.Version); err != nil {
			return Translate(err)
		}
	}
	if e := m.Evaluation; e != nil {
		if _, err := tx.Exec(ctx, `INSERT INTO hr.evaluations (id, absence_id, employer_id, kind, held_on, summary,
			employer_view, employee_view, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.ID, a.ID, a.EmployerID, string(e.Kind), e.HeldOn, e.Summary, e.EmployerView, e.EmployeeView, by, e.RecordedAt); err != nil {
			return Translate(err)
		}
	}
	if err := writeMilestones(ctx, tx, a, m.Milestones); err != nil {
		return err
	}
	return insertEvent(ctx, tx, m.Event)
}

// writeMilestones replaces the case's milestone projection.
func writeMilestones(ctx context.Context, tx pgx.Tx, a absence.Absence, ms []absence.Milestone) error {
	if _, err := tx.Exec(ctx, `DELETE FROM hr.milestones WHERE absence_id = $1`, a.ID); err != nil {
		return Translate(err)
	}
	n := len(ms)
	kinds, ns, dues, reminds, dones, states := make([]string, n), make([]int, n), make([]time.Time, n), make([]any, n), make([]any, n), make([]string, n)
	for i, m := range ms {
		kinds[i], ns[i], dues[i], reminds[i], dones[i] = string(m.Kind), m.N, m.Due, nullTime(m.RemindFrom), nullTime(m.DoneOn)
		switch m.Status {
		case absence.StatusDone:
			states[i] = "done"
		case absence.StatusCancelled:
			states[i] = "cancelled"
		default:
			states[i] = "pending"
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO hr.milestones (absence_id, employer_id, employee_id, kind, n, due, remind_from, done_on, state)
		SELECT $1, $2, $3, k, n, due, remind, done, state
		FROM unnest($4::text[], $5::int[], $6::date[], $7::date[], $8::date[], $9::text[]) AS u(k, n, due, remind, done, state)`,
		a.ID, a.EmployerID, a.EmployeeID, kinds, ns, dues, reminds, dones, states)
	return Translate(err)
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

// activityRow is one element of hr.plans.activities as stored.
type activityRow struct {
	Description string `json:"description"`
	Who         string `json:"who"`
	ByWhen      string `json:"by_when"`
}

// Get loads a case, writes the event authorize returns, then returns it.
func (s *AbsenceStore) Get(ctx context.Context, scope access.Scope, id uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Absence, error) {
	var out absence.Absence
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		a, err := loadAuthorized(ctx, tx, scope, id, authorize)
		out = a
		return err
	})
	return out, err
}

// loadAuthorized loads a case, asks authorize and writes its event.
func loadAuthorized(ctx context.Context, tx pgx.Tx, scope access.Scope, id uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Absence, error) {
	a, err := loadAbsence(ctx, tx, scope, id, false)
	if err != nil {
		return absence.Absence{}, err
	}
	ev, err := authorize(a)
	if err != nil {
		return absence.Absence{}, err
	}
	return a, insertEvent(ctx, tx, ev)
}

// ListForEmployee loads an employee's cases, newest first.
func (s *AbsenceStore) ListForEmployee(ctx context.Context, scope access.Scope, employeeID uuid.UUID,
	authorize func(e absence.Employee) (audit.Event, error)) ([]absence.Absence, error) {
	var out []absence.Absence
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		e, err := loadAbsenceEmployee(ctx, tx, scope, employeeID, false)
		if err != nil {
			return err
		}
		ev, err := authorize(e)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, absenceSelect+` WHERE a.employee_id = $1 AND ($2 OR a.employer_id = ANY ($3::uuid[]))
			ORDER BY a.first_sick_day DESC, a.created_at DESC`, employeeID, scope.All, scope.Employers)
		if out, err = collect[absenceRow](rows); err != nil {
			return Translate(err)
		}
		for i := range out {
			if err := loadFacts(ctx, tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

type planRow struct {
	ID               uuid.UUID  `db:"id"`
	AbsenceID        uuid.UUID  `db:"absence_id"`
	Version          int        `db:"version"`
	Goals            string     `db:"goals"`
	Activities       []byte     `db:"activities"`
	EmployerView     string     `db:"employer_view"`
	EmployeeView     string     `db:"employee_view"`
	EmployerSignedOn *time.Time `db:"employer_signed_on"`
	EmployeeSignedOn *time.Time `db:"employee_signed_on"`
	RecordedBy       uuid.UUID  `db:"recorded_by"`
	RecordedAt       time.Time  `db:"recorded_at"`
}

type evaluationRow struct {
	ID           uuid.UUID `db:"id"`
	AbsenceID    uuid.UUID `db:"absence_id"`
	Kind         string    `db:"kind"`
	HeldOn       time.Time `db:"held_on"`
	Summary      string    `db:"summary"`
	EmployerView string    `db:"employer_view"`
	EmployeeView string    `db:"employee_view"`
	RecordedBy   uuid.UUID `db:"recorded_by"`
	RecordedAt   time.Time `db:"recorded_at"`
}

func (r evaluationRow) domain() absence.Evaluation {
	return absence.Evaluation{ID: r.ID, AbsenceID: r.AbsenceID, Kind: absence.EvaluationKind(r.Kind),
		HeldOn: r.HeldOn, Summary: r.Summary, EmployerView: r.EmployerView, EmployeeView: r.EmployeeView,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

func loadPlan(ctx context.Context, tx pgx.Tx, absenceID uuid.UUID) (absence.Plan, []absence.Evaluation, error) {
	rows, _ := tx.Query(ctx, `SELECT id, absence_id, version, goals, activities, employer_view, employee_view,
		employer_signed_on, employee_signed_on, recorded_by, recorded_at
		FROM hr.plans WHERE absence_id = $1 ORDER BY version DESC LIMIT 1`, absenceID)
	pr, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[planRow])
	var p absence.Plan
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return absence.Plan{}, nil, Translate(err)
	default:
		var acts []activityRow
		if err := json.Unmarshal(pr.Activities, &acts); err != nil {
			return absence.Plan{}, nil, fmt.Errorf("postgres: plan activities: %w", err)
		}
		p = absence.Plan{ID: pr.ID, AbsenceID: pr.AbsenceID, Version: pr.Version, Goals: pr.Goals,
			EmployerView: pr.EmployerView, EmployeeView: pr.EmployeeView, EmployerSignedOn: deref(pr.EmployerSignedOn),
			EmployeeSignedOn: deref(pr.EmployeeSignedOn), RecordedBy: pr.RecordedBy, RecordedAt: pr.RecordedAt}
		for _, x := range acts {
			by, _ := time.Parse(time.DateOnly, x.ByWhen)
			p.Activities = append(p.Activities, absence.Activity{Description: x.Description, Who: x.Who, ByWhen: by})
		}
	}
	rows, _ = tx.Query(ctx, `SELECT id, absence_id, kind, held_on, summary, employer_view, employee_view, recorded_by, recorded_at
		FROM hr.evaluations WHERE absence_id = $1 ORDER BY held_on, recorded_at`, absenceID)
	evs, err := collect[evaluationRow](rows)
	if err != nil {
		return absence.Plan{}, nil, Translate(err)
	}
	return p, evs, nil
}

// Plan loads a case with its latest plan and evaluations.
func (s *AbsenceStore) Plan(ctx context.Context, scope access.Scope, id uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Absence, absence.Plan, []absence.Evaluation, error) {
	var (
		a   absence.Absence
		p   absence.Plan
		evs []absence.Evaluation
	)
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		var err error
		if a, err = loadAuthorized(ctx, tx, scope, id, authorize); err != nil {
			return err
		}
		p, evs, err = loadPlan(ctx, tx, id)
		return err
	})
	return a, p, evs, err
}

// planPartiesRow is whom the employer's copy of a plan names.
type planPartiesRow struct {
	EmployerName   string `db:"employer_name"`
	FirstName      string `db:"first_name"`
	LastName       string `db:"last_name"`
	EmployeeNumber string `db:"employee_number"`
}

// PlanDocument loads what the employer's copy of the plan shows.
func (s *AbsenceStore) PlanDocument(ctx context.Context, scope access.Scope, id uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.PlanDocument, error) {
	var doc absence.PlanDocument
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		a, err := loadAuthorized(ctx, tx, scope, id, authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT r.name AS employer_name, e.first_name, e.last_name, e.employee_number
			FROM hr.employees e JOIN hr.employers r ON r.id = e.employer_id WHERE e.id = $1`, a.EmployeeID)
		who, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[planPartiesRow])
		if err != nil {
			return Translate(err)
		}
		doc.EmployerName, doc.EmployeeName, doc.EmployeeNumber = who.EmployerName, who.FirstName+" "+who.LastName, who.EmployeeNumber
		doc.FirstSickDay = a.FirstSickDay
		doc.Plan, doc.Evaluations, err = loadPlan(ctx, tx, id)
		return err
	})
	return doc, err
}

// AddContact inserts a contact log entry of a case.
func (s *AbsenceStore) AddContact(ctx context.Context, scope access.Scope, c absence.Contact,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Contact, error) {
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		a, err := loadAuthorized(ctx, tx, scope, c.AbsenceID, authorize)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO hr.contacts (id, absence_id, employer_id, occurred_on, channel, participants,
			summary, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.AbsenceID, a.EmployerID, c.OccurredOn, string(c.Channel), c.Participants, c.Summary, c.RecordedBy, c.RecordedAt)
		return Translate(err)
	})
	return c, err
}

type contactRow struct {
	ID           uuid.UUID `db:"id"`
	AbsenceID    uuid.UUID `db:"absence_id"`
	OccurredOn   time.Time `db:"occurred_on"`
	Channel      string    `db:"channel"`
	Participants []string  `db:"participants"`
	Summary      string    `db:"summary"`
	RecordedBy   uuid.UUID `db:"recorded_by"`
	RecordedAt   time.Time `db:"recorded_at"`
}

func (r contactRow) domain() absence.Contact {
	return absence.Contact{ID: r.ID, AbsenceID: r.AbsenceID, OccurredOn: r.OccurredOn, Channel: absence.Channel(r.Channel),
		Participants: r.Participants, Summary: r.Summary, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

// Contacts lists a case's contact log, oldest first.
func (s *AbsenceStore) Contacts(ctx context.Context, scope access.Scope, absenceID uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) ([]absence.Contact, error) {
	var out []absence.Contact
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if _, err := loadAuthorized(ctx, tx, scope, absenceID, authorize); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, absence_id, occurred_on, channel, participants, summary, recorded_by, recorded_at
			FROM hr.contacts WHERE absence_id = $1 ORDER BY occurred_on, recorded_at`, absenceID)
		var err error
		out, err = collect[contactRow](rows)
		return Translate(err)
	})
	return out, err
}

// AddNote inserts a process note of a case.
func (s *AbsenceStore) AddNote(ctx context.Context, scope access.Scope, n absence.Note,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Note, error) {
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		a, err := loadAuthorized(ctx, tx, scope, n.AbsenceID, authorize)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO hr.notes (id, absence_id, employer_id, body, author_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, n.ID, n.AbsenceID, a.EmployerID, n.Body, n.AuthorID, n.CreatedAt)
		return Translate(err)
	})
	return n, err
}

type noteRow struct {
	ID              uuid.UUID  `db:"id"`
	AbsenceID       uuid.UUID  `db:"absence_id"`
	Body            *string    `db:"body"`
	AuthorID        uuid.UUID  `db:"author_id"`
	CreatedAt       time.Time  `db:"created_at"`
	RedactedAt      *time.Time `db:"redacted_at"`
	RedactedBy      *uuid.UUID `db:"redacted_by"`
	RedactionReason *string    `db:"redaction_reason"`
}

func (r noteRow) domain() absence.Note {
	return absence.Note{ID: r.ID, AbsenceID: r.AbsenceID, Body: deref(r.Body), AuthorID: r.AuthorID, CreatedAt: r.CreatedAt,
		RedactedAt: deref(r.RedactedAt), RedactedBy: deref(r.RedactedBy), RedactionReason: deref(r.RedactionReason)}
}

// noteColumns are the columns of a noteRow.
const noteColumns = `id, absence_id, body, author_id, created_at, redacted_at, redacted_by, redaction_reason`

// Notes lists a case's process notes, oldest first.
func (s *AbsenceStore) Notes(ctx context.Context, scope access.Scope, absenceID uuid.UUID,
	authorize func(a absence.Absence) (audit.Event, error)) ([]absence.Note, error) {
	var out []absence.Note
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if _, err := loadAuthorized(ctx, tx, scope, absenceID, authorize); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+noteColumns+` FROM hr.notes WHERE absence_id = $1 ORDER BY created_at, id`, absenceID)
		var err error
		out, err = collect[noteRow](rows)
		return Translate(err)
	})
	return out, err
}

// RedactNote removes a note's text, keeping who, when and why.
func (s *AbsenceStore) RedactNote(ctx context.Context, scope access.Scope, noteID uuid.UUID, by uuid.UUID, reason string, at time.Time,
	authorize func(a absence.Absence) (audit.Event, error)) (absence.Note, error) {
	var out absence.Note
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		var absenceID uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT absence_id FROM hr.notes WHERE id = $1 AND ($2 OR employer_id = ANY ($3::uuid[]))`,
			noteID, scope.All, scope.Employers).Scan(&absenceID); err != nil {
			return Translate(err)
		}
		if _, err := loadAuthorized(ctx, tx, scope, absenceID, authorize); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE hr.notes SET body = NULL, redacted_at = $2, redacted_by = $3, redaction_reason = $4
			WHERE id = $1 AND redacted_at IS NULL RETURNING `+noteColumns, noteID, at, by, reason)
		n, err := pgx.CollectOneRow(rows, scanAs[noteRow])
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: note already redacted: %w", derrors.ErrConflict)
		}
		if err != nil {
			return Translate(err)
		}
		out = n
		return nil
	})
	return out, err
}

type signalRow struct {
	AbsenceID      uuid.UUID `db:"absence_id"`
	EmployerID     uuid.UUID `db:"employer_id"`
	EmployeeID     uuid.UUID `db:"employee_id"`
	FirstName      string    `db:"first_name"`
	LastName       string    `db:"last_name"`
	EmployeeNumber string    `db:"employee_number"`
	Kind           string    `db:"kind"`
	N              int       `db:"n"`
	Due            time.Time `db:"due"`
}

func (r signalRow) domain() absence.Signal {
	return absence.Signal{AbsenceID: r.AbsenceID, EmployerID: r.EmployerID, EmployeeID: r.EmployeeID,
		EmployeeName: r.FirstName + " " + r.LastName, EmployeeNumber: r.EmployeeNumber,
		Kind: absence.Kind(r.Kind), N: r.N, Due: r.Due}
}

// Signals lists pending milestones due on or before until, in (due, case,
// kind, n) order after the cursor, with one statement writing the events.
// The order matches the partial index milestones_pending_idx.
func (s *AbsenceStore) Signals(ctx context.Context, scope access.Scope, until time.Time, after *absence.Cursor, limit int,
	hide []absence.Kind, events func([]absence.Signal) []audit.Event) ([]absence.Signal, error) {
	hidden := make([]string, len(hide))
	for i, k := range hide {
		hidden[i] = string(k)
	}
	// Service-wide callers walk milestones_pending_idx in due order. A
	// caseload of named employers takes at most a page from each employer
	// along milestones_employer_pending_idx and merges those: a scan of one
	// index filtered down to a few employers would read past every other
	// employer's rows first.
	// $1 until, $2 hidden kinds, $3 limit, then the keyset ($4-$7), and
	// for a caseload of named employers their ids last.
	args := []any{until, hidden, limit}
	keyset := ""
	if after != nil {
		keyset = ` AND (m.due, m.absence_id, m.kind, m.n) > ($4, $5, $6, $7)`
		args = append(args, after.Due, after.AbsenceID, string(after.Kind), after.N)
	}
	const cols = `m.absence_id, m.employer_id, m.employee_id, e.first_name, e.last_name, e.employee_number, m.kind, m.n, m.due`
	var q string
	if scope.All {
		q = `SELECT ` + cols + ` FROM hr.milestones m JOIN hr.employees e ON e.id = m.employee_id
			WHERE m.state = 'pending' AND m.due <= $1 AND m.kind <> ALL ($2::text[])` + keyset + `
			ORDER BY m.due, m.absence_id, m.kind, m.n LIMIT $3`
	} else {
		args = append(args, scope.Employers)
		q = `SELECT ` + cols + ` FROM unnest($` + strconv.Itoa(len(args)) + `::uuid[]) AS s(employer_id)
			CROSS JOIN LATERAL (
				SELECT m.* FROM hr.milestones m
				WHERE m.employer_id = s.employer_id AND m.state = 'pending' AND m.due <= $1 AND m.kind <> ALL ($2::text[])` + keyset + `
				ORDER BY m.due, m.absence_id, m.kind, m.n LIMIT $3) m
			JOIN hr.employees e ON e.id = m.employee_id
			ORDER BY m.due, m.absence_id, m.kind, m.n LIMIT $3`
	}
	var out []absence.Signal
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, q, args...)
		var err error
		if out, err = collect[signalRow](rows); err != nil {
			return Translate(err)
		}
		if evs := events(out); len(evs) > 0 {
			return insertEvents(ctx, tx, evs)
		}
		return nil
	})
	return out, err
}

// maxOverviewRows bounds the employer overview.
const maxOverviewRows = 2000

type overviewRow struct {
	EmployeeID     uuid.UUID  `db:"employee_id"`
	EmployeeNumber string     `db:"employee_number"`
	FirstName      string     `db:"first_name"`
	LastName       string     `db:"last_name"`
	AbsenceID      *uuid.UUID `db:"absence_id"`
	Percentage     *int       `db:"percentage"`
	FirstSickDay   *time.Time `db:"first_sick_day"`
	Kind           *string    `db:"kind"`
	N              *int       `db:"n"`
	Due            *time.Time `db:"due"`
	Verdict        *string    `db:"verdict"`
	WorkAbility    *int       `db:"work_ability_percentage"`
}

// Overview lists an employer's employees with their open case and next
// milestone, absent people first.
func (s *AbsenceStore) Overview(ctx context.Context, scope access.Scope, employerID uuid.UUID, hide []absence.Kind,
	events func([]absence.OverviewRow) []audit.Event) ([]absence.OverviewRow, error) {
	hidden := make([]string, len(hide))
	for i, k := range hide {
		hidden[i] = string(k)
	}
	var out []absence.OverviewRow
	err := InScope(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if err := requireEmployer(ctx, tx, scope, employerID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			SELECT e.id AS employee_id, e.employee_number, e.first_name, e.last_name, a.id AS absence_id, a.percentage,
				a.first_sick_day, nm.kind, nm.n, nm.due, lv.verdict, lv.work_ability_percentage
			FROM hr.employees e
			LEFT JOIN hr.absences a ON a.employee_id = e.id AND a.status = 'open'
			LEFT JOIN LATERAL (
				SELECT m.kind, m.n, m.due FROM hr.milestones m
				WHERE m.absence_id = a.id AND m.state = 'pending' AND m.kind <> ALL ($2::text[])
				ORDER BY m.due, m.kind, m.n LIMIT 1) nm ON true
			LEFT JOIN LATERAL (
				SELECT v.verdict, v.work_ability_percentage FROM hr.verdicts v
				WHERE v.employee_id = e.id AND v.kind = 'absence'
				ORDER BY v.decided_on DESC, v.recorded_at DESC LIMIT 1) lv ON true
			WHERE e.employer_id = $1 AND (e.employment_end IS NULL OR e.employment_end >= `+todayNL+` OR a.id IS NOT NULL)
			ORDER BY (a.id IS NULL), e.last_name, e.first_name, e.id
			LIMIT $3`, employerID, hidden, maxOverviewRows)
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[overviewRow])
		if err != nil {
			return Translate(err)
		}
		out = make([]absence.OverviewRow, 0, len(rs))
		for _, r := range rs {
			o := absence.OverviewRow{EmployeeID: r.EmployeeID, EmployeeNumber: r.EmployeeNumber, FirstName: r.FirstName,
				LastName: r.LastName, AbsenceID: deref(r.AbsenceID), Percentage: deref(r.Percentage), FirstSickDay: deref(r.FirstSickDay),
				LastVerdict: deref(r.Verdict), LastWorkAbility: deref(r.WorkAbility)}
			if r.Kind != nil {
				o.NextMilestone = &absence.Signal{AbsenceID: o.AbsenceID, EmployerID: employerID, EmployeeID: r.EmployeeID,
					Kind: absence.Kind(*r.Kind), N: deref(r.N), Due: deref(r.Due)}
			}
			out = append(out, o)
		}
		if evs := events(out); len(evs) > 0 {
			return insertEvents(ctx, tx, evs)
		}
		return nil
	})
	return out, err
}
