package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Accounts is what the HTTP layer needs of the account administration.
type Accounts interface {
	Users(ctx context.Context, a access.Actor, after uuid.UUID, limit int) ([]identity.UserSummary, error)
	Block(ctx context.Context, a access.Actor, userID uuid.UUID) (identity.AccountOutcome, error)
	Unblock(ctx context.Context, a access.Actor, userID uuid.UUID) (identity.AccountOutcome, error)
	RevokeGrant(ctx context.Context, a access.Actor, grantID uuid.UUID) (identity.AccountOutcome, error)
	ResetSecondFactor(ctx context.Context, a access.Actor, userID uuid.UUID, activation identity.Activation) (identity.AccountOutcome, error)
	Approve(ctx context.Context, a access.Actor, id uuid.UUID) (identity.AccountOutcome, error)
}

// userResponse is a user as the account administration lists it.
type userResponse struct {
	ID          string          `json:"id"`
	Email       string          `json:"email"`
	DisplayName string          `json:"display_name"`
	Status      string          `json:"status"`
	Grants      []grantResponse `json:"grants"`
}

// usersCursor is the cursor of the user list: the id of the last user of a
// page.
var usersCursor = cursorCodec[uuid.UUID, userPosition]{
	kind: "users",
	wire: func(id uuid.UUID) userPosition { return userPosition{ID: id.String()} },
	back: func(w userPosition) (uuid.UUID, bool) { return parseID(w.ID) },
}

// userPosition is the wire form of a users cursor.
type userPosition struct {
	ID string `json:"id"`
}

func (s *Server) listUsers(c *gin.Context) error {
	p := listPage(c, pageSpec{DefaultLimit: 50, MaxLimit: identity.MaxUsersPage})
	after := usersCursor.after(p)
	if err := p.err(); err != nil {
		return err
	}
	var from uuid.UUID
	if after != nil {
		from = *after
	}
	us, err := s.opts.Accounts.Users(c, actorOf(c), from, p.Limit)
	if err != nil {
		return err
	}
	out := make([]userResponse, 0, len(us))
	for _, u := range us {
		r := userResponse{ID: u.ID.String(), Email: u.Email, DisplayName: u.DisplayName, Status: string(u.Status),
			Grants: make([]grantResponse, 0, len(u.Grants))}
		for _, g := range u.Grants {
			r.Grants = append(r.Grants, toGrantResponse(g))
		}
		out = append(out, r)
	}
	body := gin.H{"users": out}
	if p.full(len(us)) {
		body["next_after"] = usersCursor.encode(us[len(us)-1].ID)
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// accountActionResponse is an account action as its caller sees it. A
// second-factor reset that was done names the fresh link's invitation and
// its expiry, and carries an in-person activation code once.
type accountActionResponse struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	UserID         string `json:"user_id"`
	GrantID        string `json:"grant_id,omitempty"`
	Status         string `json:"status"`
	ProposedBy     string `json:"proposed_by"`
	ApprovedBy     string `json:"approved_by,omitempty"`
	Activation     string `json:"activation,omitempty"`
	InvitationID   string `json:"invitation_id,omitempty"`
	ExpiresAt      string `json:"expires_at,omitempty"`
	ActivationCode string `json:"activation_code,omitempty"`
}

// writeAccountOutcome answers 200 with an action done, 202 with a proposal
// waiting for a lead physician.
func writeAccountOutcome(c *gin.Context, o identity.AccountOutcome) {
	a := o.Action
	r := accountActionResponse{ID: a.ID.String(), Kind: string(a.Kind), UserID: a.UserID.String(), GrantID: optID(a.GrantID),
		Status: string(a.Status), ProposedBy: a.ProposedBy.String(), ApprovedBy: optID(a.ApprovedBy),
		Activation: string(a.Activation), InvitationID: optID(o.InvitationID), ActivationCode: o.ActivationCode}
	if !o.ExpiresAt.IsZero() {
		r.ExpiresAt = o.ExpiresAt.UTC().Format(time.RFC3339)
	}
	status := http.StatusOK
	if a.Status == identity.AccountActionProposed {
		status = http.StatusAccepted
	}
	c.JSON(status, r)
}

// accountAction runs one of the admin's actions on the user or grant the
// path names.
func (s *Server) accountAction(do func(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error)) handlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		o, err := do(c, id)
		if err != nil {
			return err
		}
		writeAccountOutcome(c, o)
		return nil
	}
}

func (s *Server) blockUser(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error) {
	return s.opts.Accounts.Block(c, actorOf(c), id)
}

func (s *Server) unblockUser(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error) {
	return s.opts.Accounts.Unblock(c, actorOf(c), id)
}

func (s *Server) revokeGrant(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error) {
	return s.opts.Accounts.RevokeGrant(c, actorOf(c), id)
}

func (s *Server) approveAccountAction(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error) {
	return s.opts.Accounts.Approve(c, actorOf(c), id)
}

// secondFactorResetRequest is the optional body of a second-factor reset:
// for an employee login, how the activation code reaches the employee.
type secondFactorResetRequest struct {
	Activation string `json:"activation"`
}

func (s *Server) resetSecondFactor(c *gin.Context, id uuid.UUID) (identity.AccountOutcome, error) {
	var in secondFactorResetRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c.Request, &in); err != nil {
			return identity.AccountOutcome{}, err
		}
	}
	return s.opts.Accounts.ResetSecondFactor(c, actorOf(c), id, identity.Activation(in.Activation))
}
