// Package worklist is the company doctor's worklist: a read model of the
// dossiers in the caller's care (as responsible physician, as the physician
// standing in for an absent one, or as a medical assistant acting for the
// physician named on a valid confidentiality statement), composed from the
// medical side (which dossiers, their last consultation, answers to
// information requests, disclosures to decide) and the HR side (names,
// open cases, problem analyses due, open medical rights requests). The two
// sides are read through separate stores on separate database roles; the
// service joins them by employee id, never SQL across schemas.
//
// What the lists mean, kept deliberately simple:
//   - My dossiers: every open dossier whose responsible physician is one the
//     caller acts for (access.Principal.ActsFor), and every employee with an
//     open absence case at an employer one of those physicians is assigned
//     to, whose dossier the first medical write will make (a new sick
//     report has no dossier yet).
//   - Consultations to plan: an open absence case whose dossier has no
//     consultation entry dated on or after the case's first sick day.
//   - Open requests: the medical rights requests (inspection, copy,
//     correction, own statement, destruction) not yet delivered or closed,
//     overdue and soonest due first; and disclosures awaiting a decision.
//   - Answers received: answers to the dossier's information requests that
//     arrived in the last AnswerDays days (the model keeps no "read" mark).
//   - Problem analyses due: pending problem_analysis milestones of open
//     cases, overdue first.
package worklist

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
)

// AnswerDays is how far back answers to information requests count as
// received.
const AnswerDays = 30

// MaxDossiers bounds the dossiers one worklist shows.
const MaxDossiers = 2000

// Dossier is what the medical side tells about one dossier in care: ids
// and dates only, never content.
type Dossier struct {
	EmployeeID  uuid.UUID
	DossierID   uuid.UUID
	PhysicianID uuid.UUID
	// LastConsultation is the date of the newest consultation entry
	// (its occurred_on, else the day it was written); zero when none.
	LastConsultation time.Time
	// Answers are the information-request answers received since the
	// cut-off the store was given.
	Answers []Answer
	// Disclosures are third-party disclosure requests awaiting a decision.
	Disclosures []Disclosure
}

// Answer is an answer to an information request, received on AnsweredAt.
type Answer struct {
	InformationRequestID uuid.UUID
	AnsweredAt           time.Time
}

// Disclosure is a disclosure request awaiting a decision.
type Disclosure struct {
	ID           uuid.UUID
	RegisteredAt time.Time
}

// DossierStore reads the medical side (schema medical, med pool).
type DossierStore interface {
	// InCare lists the open dossiers whose responsible physician is one of
	// physicians, at most limit, with their last consultation date, the
	// answers received at or after answersSince and the disclosures
	// awaiting a decision.
	InCare(ctx context.Context, physicians []uuid.UUID, answersSince time.Time, limit int) ([]Dossier, error)
}

// Person is what the HR side tells about one employee of the worklist.
type Person struct {
	EmployeeID     uuid.UUID
	EmployerID     uuid.UUID
	EmployerName   string
	EmployeeNumber string
	FirstName      string
	LastName       string
	// HasLogin: the record is linked to a login (active or still invited).
	HasLogin bool
	// Case is the open absence case; nil when the employee is not absent.
	Case *Case
}

// Name is the person's full name.
func (p Person) Name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// Case is an open absence case.
type Case struct {
	ID           uuid.UUID
	FirstSickDay time.Time
	Percentage   int
	// ProblemAnalysisDue is the due date of the pending problem analysis;
	// zero when it is done, cancelled or not part of the case.
	ProblemAnalysisDue time.Time
}

// Request is an open medical rights request: metadata only.
type Request struct {
	ID         uuid.UUID
	EmployeeID uuid.UUID
	Type       string
	Status     string
	Due        time.Time
}

// PeopleStore reads the HR side (schema hr, hr pool).
type PeopleStore interface {
	// People returns the employees employeeIDs (unknown ids are left out)
	// with their open case and the open medical rights requests about
	// them, and writes the events that events makes of the people returned
	// in the same transaction, before anything is returned.
	People(ctx context.Context, employeeIDs []uuid.UUID, events func([]Person) []audit.Event) ([]Person, []Request, error)
	// Statement returns the physician and end date of the assistant's
	// latest active confidentiality statement; found is false when the
	// assistant has none.
	Statement(ctx context.Context, assistantID uuid.UUID) (physicianID uuid.UUID, expiresOn time.Time, found bool, err error)
	// Names returns the display names of users (unknown ones left out).
	Names(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]string, error)
	// OpenCases returns the employees with an open absence case at the
	// employers one of physicians is actively assigned to, at most limit.
	OpenCases(ctx context.Context, physicians []uuid.UUID, limit int) ([]uuid.UUID, error)
}

// Blocked says why an assistant's worklist is empty.
type Blocked string

// Why an assistant sees nothing.
const (
	// BlockedNone: the worklist is shown.
	BlockedNone Blocked = ""
	// BlockedExpired: the assistant's confidentiality statement expired.
	BlockedExpired Blocked = "expired"
	// BlockedMissing: there is no confidentiality statement on record.
	BlockedMissing Blocked = "missing"
)

// Worklist is one caller's worklist.
type Worklist struct {
	// OnBehalfOf are the names of the physicians an assistant acts for.
	OnBehalfOf []string
	// Blocked says why an assistant sees nothing; StatementExpired is the
	// end date of an expired statement.
	Blocked          Blocked
	StatementExpired time.Time
	// People are the employees whose dossier is in care, by name.
	People []Row
	// Consultations are the rows with an open case and no consultation
	// since its first sick day, oldest case first.
	Consultations []Row
	// Requests are the open medical requests, overdue and soonest due
	// first; Disclosures the disclosure requests awaiting a decision,
	// oldest first.
	Requests    []RequestRow
	Disclosures []DisclosureRow
	// Answers are the information-request answers received, newest first.
	Answers []AnswerRow
	// ProblemAnalyses are the cases whose problem analysis is pending,
	// soonest due first.
	ProblemAnalyses []Row
	// Limited: there were more dossiers than MaxDossiers.
	Limited bool
}

// Row is one employee on the worklist.
type Row struct {
	Person
	LastConsultation time.Time
}

// RequestRow is one open request with whom it is about.
type RequestRow struct {
	Request
	Name    string
	Overdue bool
}

// DisclosureRow is one disclosure awaiting a decision.
type DisclosureRow struct {
	Disclosure
	EmployeeID uuid.UUID
	Name       string
}

// AnswerRow is one answer received.
type AnswerRow struct {
	Answer
	EmployeeID uuid.UUID
	Name       string
}

// Service builds worklists.
type Service struct {
	dossiers DossierStore
	people   PeopleStore
	now      func() time.Time
}

// NewService returns the worklist service; now defaults to time.Now.
func NewService(dossiers DossierStore, people PeopleStore, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{dossiers: dossiers, people: people, now: now}
}

// physiciansFor returns the physicians whose dossiers the actor's one grant
// reaches: a physician or lead physician their own and those of the
// physicians they stand in for today; a medical assistant those of the
// physicians named on their valid statements. Anyone else none.
func physiciansFor(a access.Actor) []uuid.UUID {
	switch a.Role {
	case access.RolePhysician, access.RoleLeadPhysician:
		return append([]uuid.UUID{a.UserID()}, a.Principal.Substitutes...)
	case access.RoleMedicalAssistant:
		return slices.Clone(a.Principal.ActsForPhysicians)
	}
	return nil
}

// today is the date in Europe/Amsterdam at midnight UTC, as stored dates.
func (s *Service) today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

// List returns the worklist of the actor's one grant: the dossiers in its
// care (see physiciansFor; access.Principal.ActsFor decides the same for a
// single dossier) and what needs doing for them. It is a list read: one
// audit event names every employee listed, written before the list is
// returned; an empty list writes none. An assistant without a valid
// statement gets an empty worklist that says why (Blocked). Store
// failures are returned wrapped (derrors.ErrUnavailable when the database
// is down).
func (s *Service) List(ctx context.Context, a access.Actor) (Worklist, error) {
	var w Worklist
	physicians := physiciansFor(a)
	if a.Role == access.RoleMedicalAssistant {
		if len(physicians) == 0 {
			_, expires, found, err := s.people.Statement(ctx, a.UserID())
			if err != nil {
				return Worklist{}, fmt.Errorf("worklist: statement: %w", err)
			}
			w.Blocked = BlockedMissing
			if found {
				w.Blocked, w.StatementExpired = BlockedExpired, expires
			}
			return w, nil
		}
		names, err := s.people.Names(ctx, physicians)
		if err != nil {
			return Worklist{}, fmt.Errorf("worklist: names: %w", err)
		}
		for _, id := range physicians {
			if n, ok := names[id]; ok {
				w.OnBehalfOf = append(w.OnBehalfOf, n)
			}
		}
		slices.Sort(w.OnBehalfOf)
	}
	today := s.today()
	ds, err := s.dossiers.InCare(ctx, physicians, today.AddDate(0, 0, -AnswerDays), MaxDossiers+1)
	if err != nil {
		return Worklist{}, fmt.Errorf("worklist: dossiers: %w", err)
	}
	sick, err := s.people.OpenCases(ctx, physicians, MaxDossiers+1)
	if err != nil {
		return Worklist{}, fmt.Errorf("worklist: open cases: %w", err)
	}
	byEmployee := make(map[uuid.UUID]Dossier, len(ds))
	ids := make([]uuid.UUID, 0, len(ds)+len(sick))
	for _, d := range ds {
		byEmployee[d.EmployeeID] = d
		ids = append(ids, d.EmployeeID)
	}
	for _, id := range sick {
		// An absent employee without a dossier yet is listed with none.
		if _, ok := byEmployee[id]; !ok {
			byEmployee[id] = Dossier{EmployeeID: id}
			ids = append(ids, id)
		}
	}
	if len(ids) > MaxDossiers {
		ids, w.Limited = ids[:MaxDossiers], true
	}
	if len(ids) == 0 {
		return w, nil
	}
	var onBehalf uuid.UUID
	if a.Role == access.RoleMedicalAssistant && len(physicians) == 1 {
		onBehalf = physicians[0]
	}
	people, requests, err := s.people.People(ctx, ids, func(ps []Person) []audit.Event {
		return listEvent(a, onBehalf, ps)
	})
	if err != nil {
		return Worklist{}, fmt.Errorf("worklist: people: %w", err)
	}
	names := make(map[uuid.UUID]string, len(people))
	for _, p := range people {
		names[p.EmployeeID] = p.Name()
		d := byEmployee[p.EmployeeID]
		row := Row{Person: p, LastConsultation: d.LastConsultation}
		w.People = append(w.People, row)
		if p.Case != nil {
			if d.LastConsultation.IsZero() || d.LastConsultation.Before(p.Case.FirstSickDay) {
				w.Consultations = append(w.Consultations, row)
			}
			if !p.Case.ProblemAnalysisDue.IsZero() {
				w.ProblemAnalyses = append(w.ProblemAnalyses, row)
			}
		}
		for _, x := range d.Answers {
			w.Answers = append(w.Answers, AnswerRow{Answer: x, EmployeeID: p.EmployeeID, Name: p.Name()})
		}
		for _, x := range d.Disclosures {
			w.Disclosures = append(w.Disclosures, DisclosureRow{Disclosure: x, EmployeeID: p.EmployeeID, Name: p.Name()})
		}
	}
	for _, r := range requests {
		if _, ok := names[r.EmployeeID]; !ok {
			continue
		}
		w.Requests = append(w.Requests, RequestRow{Request: r, Name: names[r.EmployeeID], Overdue: today.After(r.Due)})
	}
	byName := func(a, b Row) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.LastName), strings.ToLower(b.LastName)),
			strings.Compare(strings.ToLower(a.FirstName), strings.ToLower(b.FirstName)), strings.Compare(a.EmployeeNumber, b.EmployeeNumber))
	}
	slices.SortFunc(w.People, byName)
	slices.SortFunc(w.Consultations, func(a, b Row) int {
		return cmp.Or(a.Case.FirstSickDay.Compare(b.Case.FirstSickDay), byName(a, b))
	})
	slices.SortFunc(w.ProblemAnalyses, func(a, b Row) int {
		return cmp.Or(a.Case.ProblemAnalysisDue.Compare(b.Case.ProblemAnalysisDue), byName(a, b))
	})
	slices.SortFunc(w.Requests, func(a, b RequestRow) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.ID.String(), b.ID.String()))
	})
	slices.SortFunc(w.Disclosures, func(a, b DisclosureRow) int { return a.RegisteredAt.Compare(b.RegisteredAt) })
	slices.SortFunc(w.Answers, func(a, b AnswerRow) int { return b.AnsweredAt.Compare(a.AnsweredAt) })
	return w, nil
}

// listEvent is the one read event of a worklist: every person listed, the
// tenant when all are of one, and the physician an assistant acts for.
func listEvent(a access.Actor, onBehalf uuid.UUID, ps []Person) []audit.Event {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ps))
	tenant := ps[0].EmployerID
	for i, p := range ps {
		ids[i] = p.EmployeeID
		if p.EmployerID != tenant {
			tenant = uuid.Nil
		}
	}
	ev := audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), OnBehalfOf: onBehalf, TenantID: tenant,
		Action: audit.ActionRead, ObjectKind: "worklist", Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
	return []audit.Event{ev.Listed(ids)}
}
