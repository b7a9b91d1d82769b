package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
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

// maxAuditPage bounds one page of the audit trail.
const maxAuditPage = 200

// auditFilter parses the query of GET /api/v1/audit/events. Every filter
// that is unknown or malformed is a field error (derrors.FieldErrors).
func auditFilter(c *gin.Context) (audit.Filter, error) {
	p := listPage(c, pageSpec{DefaultLimit: 50, MaxLimit: maxAuditPage,
		Params: []string{"employee_id", "actor_id", "from", "to", "action", "outcome"}})
	f := audit.Filter{Limit: p.Limit, After: p.afterSeq()}
	optUUID := func(name string) uuid.UUID {
		if v := p.get(name); v != "" {
			return uuidField(p.fe, name, v)
		}
		return uuid.Nil
	}
	f.EmployeeID, f.ActorID = optUUID("employee_id"), optUUID("actor_id")
	// Dates are days in Europe/Amsterdam; "to" includes its whole day.
	if d := dateField(p.fe, "from", p.get("from"), false); !d.IsZero() {
		f.From = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, amsterdam)
	}
	if d := dateField(p.fe, "to", p.get("to"), false); !d.IsZero() {
		f.To = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, amsterdam)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		p.fe.Add("to", "must not be before from")
	}
	if v := p.get("action"); v != "" {
		if f.Action = audit.Action(v); !f.Action.Valid() {
			p.fe.Add("action", "must be one of the audit actions")
		}
	}
	if v := p.get("outcome"); v != "" {
		if f.Outcome = audit.Outcome(v); !f.Outcome.Valid() {
			p.fe.Add("outcome", "must be ok, denied or error")
		}
	}
	return f, p.err()
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
	c.JSON(http.StatusOK, out)
	return nil
}
