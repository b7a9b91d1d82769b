package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// AuditLog searches the audit trail.
type AuditLog interface {
	Search(ctx context.Context, searcher audit.Event, f audit.Filter) ([]audit.Record, error)
}

// auditEventDTO is one event of the trail as the privacy officer sees it.
type auditEventDTO struct {
	Seq               int64  `json:"seq"`
	Time              string `json:"time"`
	ActorUserID       string `json:"actor_user_id,omitempty"`
	ActorRole         string `json:"actor_role,omitempty"`
	OnBehalfOf        string `json:"on_behalf_of,omitempty"`
	SubjectEmployeeID string `json:"subject_employee_id,omitempty"`
	TenantID          string `json:"tenant_id,omitempty"`
	Action            string `json:"action"`
	ObjectKind        string `json:"object_kind"`
	ObjectID          string `json:"object_id,omitempty"`
	Outcome           string `json:"outcome"`
	RequestID         string `json:"request_id,omitempty"`
	ClientIP          string `json:"client_ip,omitempty"`
	// Subjects are the employees a list read listed (ids only).
	Subjects []string `json:"subjects,omitempty"`
}

// auditEventsResponse is a page of events; NextAfter continues the listing.
type auditEventsResponse struct {
	Events    []auditEventDTO `json:"events"`
	NextAfter int64           `json:"next_after,omitempty"`
}

// auditFilter parses the query of GET /api/v1/audit/events.
func auditFilter(c *gin.Context) (audit.Filter, error) {
	fe := derrors.FieldErrors{}
	f := audit.Filter{Limit: 50}
	q := c.Request.URL.Query()
	for name := range q {
		switch name {
		case "employee_id", "actor_id", "from", "to", "action", "outcome", "after", "limit":
		default:
			fe.Add(name, "is not a filter here")
		}
	}
	optUUID := func(name string) uuid.UUID {
		if v := q.Get(name); v != "" {
			return uuidField(fe, name, v)
		}
		return uuid.Nil
	}
	f.EmployeeID, f.ActorID = optUUID("employee_id"), optUUID("actor_id")
	// Dates are days in Europe/Amsterdam; "to" includes its whole day.
	if d := dateField(fe, "from", q.Get("from"), false); !d.IsZero() {
		f.From = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, amsterdam)
	}
	if d := dateField(fe, "to", q.Get("to"), false); !d.IsZero() {
		f.To = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, amsterdam)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fe.Add("to", "must not be before from")
	}
	if v := q.Get("action"); v != "" {
		if f.Action = audit.Action(v); !f.Action.Valid() {
			fe.Add("action", "must be one of the audit actions")
		}
	}
	if v := q.Get("outcome"); v != "" {
		if f.Outcome = audit.Outcome(v); !f.Outcome.Valid() {
			fe.Add("outcome", "must be ok, denied or error")
		}
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe.Add("after", "must be a seq (a whole number from 0)")
		}
		f.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fe.Add("limit", "must be 1 to 200")
		}
		f.Limit = n
	}
	return f, fe.Err()
}

// amsterdam is the zone whose calendar days the date filters name.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err) // cannot happen: identity embeds time/tzdata
	}
	return loc
}()

func (s *Server) auditEvents(c *gin.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	recs, err := s.opts.AuditLog.Search(c, audit.Event{
		ActorUserID: a.UserID(), ActorRole: string(a.Role), RequestID: a.RequestID, ClientIP: a.ClientIP,
	}, f)
	if err != nil {
		return err
	}
	out := auditEventsResponse{Events: make([]auditEventDTO, 0, len(recs))}
	for _, r := range recs {
		d := auditEventDTO{Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano), ActorUserID: optID(r.ActorUserID),
			ActorRole: r.ActorRole, OnBehalfOf: optID(r.OnBehalfOf), SubjectEmployeeID: optID(r.SubjectEmployeeID),
			TenantID: optID(r.TenantID), Action: string(r.Action), ObjectKind: r.ObjectKind, ObjectID: r.ObjectID,
			Outcome: string(r.Outcome), RequestID: r.RequestID}
		if r.ClientIP.IsValid() {
			d.ClientIP = r.ClientIP.String()
		}
		for _, id := range r.Subjects {
			d.Subjects = append(d.Subjects, id.String())
		}
		out.Events = append(out.Events, d)
	}
	if len(recs) == f.Limit {
		out.NextAfter = recs[len(recs)-1].Seq
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}
