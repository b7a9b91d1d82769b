// Package rights is what the employee may ask of the service about their
// own data. This file holds the access log: who looked at or changed the
// employee's data, when, what and how, from the audit trail.
package rights

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// ServiceName is the organisation shown for the service's own staff.
const ServiceName = "Arbodienst (Arbokluis)"

// Person is how an actor is shown in an access log.
type Person struct {
	Name string
	// EmployerName is set for employer users: the organisation they act
	// for.
	EmployerName string
}

// Directory answers who is who from the HR side, ids in, names out.
type Directory interface {
	// People returns the display names of users, and for employer users
	// the name of the employer they act for, keyed by user id.
	People(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]Person, error)
	// EmployeeName returns an employee's first and last name.
	EmployeeName(ctx context.Context, employeeID uuid.UUID) (string, error)
}

// AccessEntry is one line of an employee's access log.
type AccessEntry struct {
	Seq          int64
	At           time.Time
	ActorName    string
	ActorRole    string
	Organisation string
	// OnBehalfOfName is the physician an assistant acted for.
	OnBehalfOfName string
	Action         audit.Action
	ObjectKind     string
	Outcome        audit.Outcome
	Emergency      bool
}

// AccessLog reads an employee's access log.
type AccessLog struct {
	events   audit.EventReader
	rec      audit.Recorder
	subjects interface {
		SubjectOf(ctx context.Context, userID uuid.UUID) (Subject, error)
	}
	people Directory
}

// NewAccessLog returns the access log over the audit trail; subjects finds
// the caller's employee record (the register's RequestStore does).
func NewAccessLog(events audit.EventReader, rec audit.Recorder, subjects RequestReader, people Directory) *AccessLog {
	return &AccessLog{events: events, rec: rec, subjects: subjects, people: people}
}

// MaxAccessLogPage bounds one page of the access log.
const MaxAccessLogPage = 200

// Of returns a page of the access log of the caller's own employee record,
// in the order events happened, from the appended trail (events reach it
// within about a second). The viewing is itself audited before anything is
// returned. A login without an employee record is derrors.ErrNotFound; a
// bad period or limit is derrors.FieldErrors.
func (l *AccessLog) Of(ctx context.Context, a access.Actor, from, to time.Time, after int64, limit int) ([]AccessEntry, error) {
	fe := derrors.FieldErrors{}
	if limit < 1 || limit > MaxAccessLogPage {
		fe.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxAccessLogPage))
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		fe.Add("to", "must not be before from")
	}
	if after < 0 {
		fe.Add("after", "must not be negative")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	subj, err := l.subjects.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: access log: %w", err)
	}
	recs, err := l.events.Events(ctx, audit.Filter{EmployeeID: subj.EmployeeID, From: from, To: to, After: after, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("rights: access log: %w", err)
	}
	// No event, no access: the viewing is recorded before the answer.
	if err := l.rec.Record(ctx, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
		TenantID: subj.EmployerID, Action: audit.ActionRead, ObjectKind: "access_log", ObjectID: subj.EmployeeID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return nil, fmt.Errorf("rights: access log: %w", err)
	}
	var ids []uuid.UUID
	for _, r := range recs {
		ids = append(ids, r.ActorUserID)
		if r.OnBehalfOf != uuid.Nil {
			ids = append(ids, r.OnBehalfOf)
		}
	}
	people, err := l.people.People(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("rights: access log: %w", err)
	}
	out := make([]AccessEntry, 0, len(recs))
	for _, r := range recs {
		p := people[r.ActorUserID]
		e := AccessEntry{Seq: r.Seq, At: r.Time, ActorName: p.Name, ActorRole: r.ActorRole, Organisation: ServiceName,
			Action: r.Action, ObjectKind: r.ObjectKind, Outcome: r.Outcome,
			Emergency: r.Action == audit.ActionEmergencyAccess || r.ObjectKind == "emergency_access"}
		if r.ActorRole == string(access.RoleEmployer) && p.EmployerName != "" {
			e.Organisation = p.EmployerName
		}
		if r.ActorUserID == uuid.Nil {
			e.ActorName, e.Organisation = "", ServiceName
		}
		if r.OnBehalfOf != uuid.Nil {
			e.OnBehalfOfName = people[r.OnBehalfOf].Name
		}
		out = append(out, e)
	}
	return out, nil
}
