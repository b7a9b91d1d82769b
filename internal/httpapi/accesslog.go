package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// AccessLog reads the employee's own access log (see package rights).
type AccessLog interface {
	Of(ctx context.Context, a access.Actor, from, to time.Time, after int64, limit int) ([]rights.AccessEntry, error)
}

type accessEntryDTO struct {
	Seq             int64  `json:"seq"`
	At              string `json:"at"`
	Who             string `json:"who"`
	Role            string `json:"role"`
	Organisation    string `json:"organisation"`
	OnBehalfOf      string `json:"on_behalf_of,omitempty"`
	Action          string `json:"action"`
	What            string `json:"what"`
	Outcome         string `json:"outcome"`
	EmergencyAccess bool   `json:"emergency_access"`
}

func (s *Server) myAccessLog(c *gin.Context) error {
	p := listPage(c, pageSpec{DefaultLimit: 50, MaxLimit: rights.MaxAccessLogPage, Params: []string{"from", "to"}})
	var from, to time.Time
	// Dates are days in Europe/Amsterdam; "to" includes its whole day.
	if d := dateField(p.fe, "from", p.get("from"), false); !d.IsZero() {
		from = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, amsterdam)
	}
	if d := dateField(p.fe, "to", p.get("to"), false); !d.IsZero() {
		to = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, amsterdam)
	}
	after := p.afterSeq()
	if err := p.err(); err != nil {
		return err
	}
	es, err := s.opts.AccessLog.Of(c, actorOf(c), from, to, after, p.Limit)
	if err != nil {
		return err
	}
	out := make([]accessEntryDTO, 0, len(es))
	for _, e := range es {
		out = append(out, accessEntryDTO{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339), Who: e.ActorName, Role: e.ActorRole,
			Organisation: e.Organisation, OnBehalfOf: e.OnBehalfOfName, Action: string(e.Action), What: e.ObjectKind,
			Outcome: string(e.Outcome), EmergencyAccess: e.Emergency})
	}
	body := gin.H{"entries": out}
	if p.full(len(es)) {
		body["next_after"] = es[len(es)-1].Seq
	}
	c.JSON(http.StatusOK, body)
	return nil
}
