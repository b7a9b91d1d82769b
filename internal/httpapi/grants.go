package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Grants is what the HTTP layer needs of the grant service.
type Grants interface {
	Propose(ctx context.Context, actor access.Principal, p identity.GrantProposal, requestID string) (identity.GrantRecord, error)
	Approve(ctx context.Context, actor access.Principal, grantID uuid.UUID, requestID string) (identity.GrantRecord, error)
}

// grantRequest is the body of POST /api/v1/users/{id}/grants.
type grantRequest struct {
	Role       string            `json:"role"`
	EmployerID string            `json:"employer_id"`
	BIGNumber  string            `json:"big_number"`
	Statement  *statementRequest `json:"statement"`
}

// statementRequest is a medical assistant's confidentiality statement.
type statementRequest struct {
	PhysicianID string `json:"physician_id"`
	SignedOn    string `json:"signed_on"`  // YYYY-MM-DD
	ExpiresOn   string `json:"expires_on"` // YYYY-MM-DD
}

// statement parses r; nil stays nil.
func (r *statementRequest) statement() (*identity.Statement, error) {
	if r == nil {
		return nil, nil
	}
	fe := derrors.FieldErrors{}
	var st identity.Statement
	var err error
	var ok bool
	if st.PhysicianID, ok = parseID(r.PhysicianID); !ok {
		fe.Add("statement.physician_id", "must be a uuid")
	}
	if st.SignedOn, err = time.Parse(time.DateOnly, r.SignedOn); err != nil {
		fe.Add("statement.signed_on", "must be a date YYYY-MM-DD")
	}
	if st.ExpiresOn, err = time.Parse(time.DateOnly, r.ExpiresOn); err != nil {
		fe.Add("statement.expires_on", "must be a date YYYY-MM-DD")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return &st, nil
}

// grantResponse describes a role grant.
type grantResponse struct {
	ID         string `json:"id"`
	UserID     string `json:"user_id"`
	Role       string `json:"role"`
	EmployerID string `json:"employer_id,omitempty"`
	Status     string `json:"status"`
	ProposedBy string `json:"proposed_by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

func toGrantResponse(g identity.GrantRecord) grantResponse {
	return grantResponse{ID: g.ID.String(), UserID: g.UserID.String(), Role: string(g.Role),
		EmployerID: optID(g.EmployerID), Status: string(g.Status), ProposedBy: optID(g.ProposedBy), ApprovedBy: optID(g.ApprovedBy)}
}

func (s *Server) proposeGrant(c *gin.Context) error {
	userID, err := pathID(c)
	if err != nil {
		return err
	}
	var in grantRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	var employerID uuid.UUID
	if in.EmployerID != "" {
		var ok bool
		if employerID, ok = parseID(in.EmployerID); !ok {
			return derrors.FieldErrors{"employer_id": "must be a uuid"}
		}
	}
	st, err := in.Statement.statement()
	if err != nil {
		return err
	}
	g, err := s.opts.Grants.Propose(c, principalOf(c), identity.GrantProposal{
		UserID: userID, Role: access.Role(in.Role), EmployerID: employerID, BIGNumber: in.BIGNumber, Statement: st,
	}, requestIDOf(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toGrantResponse(g))
	return nil
}

func (s *Server) approveGrant(c *gin.Context) error {
	grantID, err := pathID(c)
	if err != nil {
		return err
	}
	g, err := s.opts.Grants.Approve(c, principalOf(c), grantID, requestIDOf(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toGrantResponse(g))
	return nil
}
