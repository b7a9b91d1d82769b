package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Authorizer decides role × resource × action (see package authz).
type Authorizer interface {
	// Authorize returns, one per grant of p that by itself allows the
	// action, that grant's role and the tenants it reaches, or
	// derrors.ErrNotFound / derrors.ErrForbidden.
	Authorize(p access.Principal, resource, action string) ([]access.Authority, error)
	// Knows reports whether the policy names resource and action at all.
	Knows(resource, action string) bool
}

const (
	actorKey       = "arbokluis.actor"
	authoritiesKey = "arbokluis.authorities"
)

// permission is the resource and action a route needs.
type permission struct{ resource, action string }

// allow runs h for an authenticated caller whom the policy allows action on
// resource, with the access.Actor it is allowed as. The route's
// permission is recorded so that New can check the policy knows it.
//
// A request is decided under one grant (DESIGN §1). When several of the
// caller's grants allow the action, h runs under the first; if that grant's
// object rules refuse the object (404/403) and nothing was written, h runs
// again under the next, with the same body, until one succeeds. The answer
// is the first grant's that does not refuse; when all refuse, 403 if any
// grant may know the object exists, else 404. Lists that span tenants merge
// what each grant alone may list (actorsOf).
//
// A denial — by the policy, or by an object rule after loading (404/403) —
// is audited with outcome denied: ids only, never the body.
func (s *Server) allow(resource, action string, h handlerFunc) gin.HandlerFunc {
	s.permissions = append(s.permissions, permission{resource, action})
	return s.authenticated(func(c *gin.Context) error {
		p := principalOf(c)
		auths, err := s.opts.Authz.Authorize(p, resource, action)
		var role access.Role
		if err == nil {
			role = auths[0].Role
			err = s.underOneGrant(c, p, auths, h)
		}
		if errors.Is(err, derrors.ErrNotFound) || errors.Is(err, derrors.ErrForbidden) {
			s.recordDenied(c, p, role, resource, action)
		}
		return err
	})
}

// underOneGrant runs h under each of auths in turn until one does not
// refuse the object; see allow.
func (s *Server) underOneGrant(c *gin.Context, p access.Principal, auths []access.Authority, h handlerFunc) error {
	actors := make([]access.Actor, len(auths))
	for i, a := range auths {
		actors[i] = access.Actor{Principal: p, Role: a.Role, Scope: a.Scope, RequestID: requestIDOf(c), ClientIP: clientIP(c)}
	}
	c.Set(authoritiesKey, actors)
	if len(actors) == 1 {
		c.Set(actorKey, actors[0])
		return h(c)
	}
	// The body is read once, within the limit, and given to each attempt.
	body, err := readBody(c.Request)
	if err != nil {
		return err
	}
	var refused error
	for _, a := range actors {
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Set(actorKey, a)
		err := h(c)
		if !errors.Is(err, derrors.ErrNotFound) && !errors.Is(err, derrors.ErrForbidden) || c.Writer.Written() {
			return err
		}
		if refused == nil || errors.Is(err, derrors.ErrForbidden) {
			refused = err
		}
	}
	return refused
}

// deniedActions maps a policy action to the audit action of DESIGN §6.
var deniedActions = map[string]audit.Action{
	"read": audit.ActionRead, "create": audit.ActionCreate, "propose": audit.ActionGrant,
	"approve": audit.ActionGrant, "search": audit.ActionSearch, "logout": audit.ActionLogout,
	"correct": audit.ActionUpdate, "publish": audit.ActionCreate, "decide": audit.ActionUpdate,
	"extend": audit.ActionUpdate, "release": audit.ActionRelease,
	"export": audit.ActionExport, "update": audit.ActionUpdate, "erase": audit.ActionDelete,
	"restrict": audit.ActionUpdate, "register": audit.ActionCreate, "destroy": audit.ActionDestroy,
	"print": audit.ActionPrint, "register_signed": audit.ActionUpdate, "revoke": audit.ActionUpdate, "answer": audit.ActionCreate,
	"sign": audit.ActionUpdate, "hand_over": audit.ActionUpdate, "letter": audit.ActionPrint,
}

// recordDenied audits a denied attempt. Failing to record a denial does
// not change the answer (nothing was accessed); it is logged.
func (s *Server) recordDenied(c *gin.Context, p access.Principal, role access.Role, resource, action string) {
	act, ok := deniedActions[action]
	if !ok {
		act = audit.ActionRead
	}
	kind := strings.ReplaceAll(strings.TrimPrefix(resource, "medical."), ".", "_")
	objectID := ""
	if id, ok := parseID(c.Param("id")); ok {
		objectID = id.String()
	}
	err := s.opts.Recorder.Record(c, audit.Event{
		ActorUserID: p.UserID, ActorRole: string(role), Action: act, ObjectKind: kind, ObjectID: objectID,
		Outcome: audit.OutcomeDenied, RequestID: requestIDOf(c), ClientIP: clientIP(c),
	})
	if err != nil {
		s.log.Warn("could not audit a denied attempt", "request_id", requestIDOf(c), "error", err.Error())
	}
}

// actorOf returns the caller as allowed under the one grant the request is
// being decided under.
func actorOf(c *gin.Context) access.Actor {
	a, _ := c.Get(actorKey)
	actor, _ := a.(access.Actor)
	return actor
}

// actorsOf returns the caller once per grant that allows the route's
// action, for a list that spans tenants: it merges what each grant alone
// may list, each row read under its own grant.
func actorsOf(c *gin.Context) []access.Actor {
	a, _ := c.Get(authoritiesKey)
	actors, _ := a.([]access.Actor)
	return actors
}

// checkPermissions fails when a route names a resource and action that no
// policy line allows anyone: a typo that would deny everyone silently.
func (s *Server) checkPermissions() error {
	for _, p := range s.permissions {
		if !s.opts.Authz.Knows(p.resource, p.action) {
			return fmt.Errorf("httpapi: no policy line allows %s on %s", p.action, p.resource)
		}
	}
	return nil
}

// Delegations is what the HTTP layer needs of the two-key delegations.
type Delegations interface {
	ProposeAssignment(ctx context.Context, a access.Actor, in identity.Assignment) (identity.Delegation, error)
	ProposeSubstitution(ctx context.Context, a access.Actor, in identity.Substitution) (identity.Delegation, error)
	ProposeStatement(ctx context.Context, a access.Actor, assistantID uuid.UUID, st identity.Statement) (identity.Delegation, error)
	Approve(ctx context.Context, a access.Actor, kind identity.DelegationKind, id uuid.UUID) (identity.Delegation, error)
}

// delegationResponse describes a physician assignment, substitution or
// confidentiality statement and its two keys.
type delegationResponse struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	GranteeID  string `json:"grantee_id"`
	EmployerID string `json:"employer_id,omitempty"`
	ProposedBy string `json:"proposed_by"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

func optID(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func toDelegationResponse(d identity.Delegation) delegationResponse {
	return delegationResponse{ID: d.ID.String(), Kind: string(d.Kind), Status: string(d.Status),
		GranteeID: d.Grantee.String(), EmployerID: optID(d.EmployerID),
		ProposedBy: d.ProposedBy.String(), ApprovedBy: optID(d.ApprovedBy)}
}

// assignmentRequest is the body of POST /api/v1/employers/{id}/physician-assignments.
type assignmentRequest struct {
	PhysicianID string `json:"physician_id"`
}

// substitutionRequest is the body of POST /api/v1/substitutions.
type substitutionRequest struct {
	AbsentPhysicianID string `json:"absent_physician_id"`
	SubstituteID      string `json:"substitute_id"`
	StartsOn          string `json:"starts_on"`
	EndsOn            string `json:"ends_on"`
}

// uuidField parses a required uuid field into fe.
func uuidField(fe derrors.FieldErrors, name, v string) uuid.UUID {
	id, ok := parseID(v)
	if !ok {
		fe.Add(name, "must be a uuid")
		return uuid.Nil
	}
	return id
}

// dateField parses a date field (YYYY-MM-DD) into fe; an empty optional
// field is the zero time.
func dateField(fe derrors.FieldErrors, name, v string, required bool) time.Time {
	if v == "" && !required {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.Add(name, "must be a date YYYY-MM-DD")
		return time.Time{}
	}
	return d
}

func (s *Server) proposeAssignment(c *gin.Context) error {
	employerID, err := pathID(c)
	if err != nil {
		return err
	}
	var in assignmentRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	physician := uuidField(fe, "physician_id", in.PhysicianID)
	if err := fe.Err(); err != nil {
		return err
	}
	d, err := s.opts.Delegations.ProposeAssignment(c, actorOf(c), identity.Assignment{EmployerID: employerID, PhysicianID: physician})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toDelegationResponse(d))
	return nil
}

func (s *Server) proposeSubstitution(c *gin.Context) error {
	var in substitutionRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	sub := identity.Substitution{
		AbsentPhysicianID: uuidField(fe, "absent_physician_id", in.AbsentPhysicianID),
		SubstituteID:      uuidField(fe, "substitute_id", in.SubstituteID),
		StartsOn:          dateField(fe, "starts_on", in.StartsOn, true),
		EndsOn:            dateField(fe, "ends_on", in.EndsOn, true),
	}
	if err := fe.Err(); err != nil {
		return err
	}
	d, err := s.opts.Delegations.ProposeSubstitution(c, actorOf(c), sub)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toDelegationResponse(d))
	return nil
}

func (s *Server) proposeStatement(c *gin.Context) error {
	assistantID, err := pathID(c)
	if err != nil {
		return err
	}
	var in statementRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	st := identity.Statement{
		PhysicianID: uuidField(fe, "physician_id", in.PhysicianID),
		SignedOn:    dateField(fe, "signed_on", in.SignedOn, true),
		ExpiresOn:   dateField(fe, "expires_on", in.ExpiresOn, true),
	}
	if err := fe.Err(); err != nil {
		return err
	}
	d, err := s.opts.Delegations.ProposeStatement(c, actorOf(c), assistantID, st)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toDelegationResponse(d))
	return nil
}

// approveDelegation returns the handler approving delegations of kind.
func (s *Server) approveDelegation(kind identity.DelegationKind) handlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		d, err := s.opts.Delegations.Approve(c, actorOf(c), kind, id)
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, toDelegationResponse(d))
		return nil
	}
}
