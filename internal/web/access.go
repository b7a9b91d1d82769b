package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Authorizer decides with the Casbin policies which of a principal's grants
// allow an action on a resource (authz.Enforcer), exactly as for the API.
type Authorizer interface {
	// Authorize returns one Authority per grant that allows action on
	// resource; derrors.ErrForbidden when none does.
	Authorize(p access.Principal, resource, action string) ([]access.Authority, error)
	// Knows reports whether any policy line allows action on resource.
	Knows(resource, action string) bool
}

// pageFunc handles a portal request as one actor. It writes the page and
// returns nil, or writes nothing and returns the error to show.
type pageFunc func(w http.ResponseWriter, r *http.Request, a access.Actor) error

// listFunc handles a portal request that lists across grants: it gets the
// caller once per allowing grant (see the API's actorsOf).
type listFunc func(w http.ResponseWriter, r *http.Request, actors []access.Actor) error

// allow runs h for a logged-in caller whose grants allow action on
// resource, under one grant at a time, the API's rule: the first grant
// whose object rules do not refuse (derrors.ErrNotFound or ErrForbidden)
// decides, so two grants never widen each other. A refusal is audited as a
// denied attempt (ids only) and shown as the portal's 404 or 403 page.
// A form body is parsed once, before the first attempt.
func (s *Server) allow(resource, action string, h pageFunc) http.HandlerFunc {
	return s.allowFor(nil, resource, action, h)
}

// allowFor is allow for a page that is some roles' only: a caller whom
// admit does not admit gets the 404 page (audited as a denied attempt)
// before the grants are asked; nil admits every caller.
func (s *Server) allowFor(admit func(caller) bool, resource, action string, h pageFunc) http.HandlerFunc {
	return s.loggedIn(s.authorized(resource, action, admit, oneGrantAtATime(h)))
}

// oneGrantAtATime runs h under one allowing grant at a time until one does
// not refuse (allow's rule); it returns h's error, or the refusal to show
// (derrors.ErrForbidden over ErrNotFound).
func oneGrantAtATime(h pageFunc) listFunc {
	return func(w http.ResponseWriter, r *http.Request, actors []access.Actor) error {
		var refused error
		for _, a := range actors {
			err := h(w, r, a)
			if !errors.Is(err, derrors.ErrNotFound) && !errors.Is(err, derrors.ErrForbidden) {
				return err
			}
			if refused == nil || errors.Is(err, derrors.ErrForbidden) {
				refused = err
			}
		}
		return refused
	}
}

// allowAll is allow for a page that merges what each allowing grant alone
// may see (a list across tenants): h gets every allowing grant's actor.
func (s *Server) allowAll(resource, action string, h listFunc) http.HandlerFunc {
	return s.loggedIn(s.authorized(resource, action, nil, h))
}

// authorized is allowAll for a request that loggedIn has authenticated
// already (the caller is in its context), so that a page reached from
// another page's handler (the home page) authenticates once. A caller for
// whom admit reports false gets the 404 page, audited as a denied attempt
// without a role, before the form is parsed or the grants are asked; a nil
// admit admits every caller.
func (s *Server) authorized(resource, action string, admit func(caller) bool, h listFunc) http.HandlerFunc {
	s.permissions = append(s.permissions, permission{resource, action})
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := callerOf(r)
		if !ok {
			// Only a handler behind loggedIn may run this one.
			s.fail(w, r, derrors.ErrUnauthenticated)
			return
		}
		if admit != nil && !admit(c) {
			s.recordDenied(r, c, "", resource, action)
			s.notFound(w, r)
			return
		}
		if r.Method == http.MethodPost {
			// A form post is read whole here, so its limit is set here; an
			// upload (multipart) is read by its page, under its own limit.
			if !isMultipart(r) {
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			}
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, derrors.ErrInvalid)
				return
			}
		}
		auths, err := s.opts.Authz.Authorize(c.principal, resource, action)
		var role access.Role
		if err == nil {
			role = auths[0].Role
			actors := make([]access.Actor, len(auths))
			for i, au := range auths {
				actors[i] = access.Actor{Principal: c.principal, Role: au.Role, Scope: au.Scope,
					RequestID: requestIDOf(r), ClientIP: s.clientIP(r)}
			}
			err = h(w, r, actors)
		}
		if err == nil {
			return
		}
		if errors.Is(err, derrors.ErrNotFound) || errors.Is(err, derrors.ErrForbidden) {
			s.recordDenied(r, c, role, resource, action)
		}
		s.fail(w, r, err)
	}
}

// permission is a resource and action a portal route asks for.
type permission struct{ resource, action string }

// checkPermissions fails when a page asks for a resource and action that
// no policy line allows anyone: a typo that would deny everyone silently.
func (s *Server) checkPermissions() error {
	for _, p := range s.permissions {
		if !s.opts.Authz.Knows(p.resource, p.action) {
			return fmt.Errorf("web: no policy line allows %s on %s", p.action, p.resource)
		}
	}
	return nil
}

// deniedActions maps a policy action to the audit action of a denied
// attempt (DESIGN §6); others are audited as reads.
var deniedActions = map[string]audit.Action{
	"create": audit.ActionCreate, "update": audit.ActionUpdate, "decide": audit.ActionUpdate,
	"export": audit.ActionExport, "print": audit.ActionPrint, "sign": audit.ActionUpdate,
	"revoke": audit.ActionUpdate, "release": audit.ActionRelease, "search": audit.ActionSearch,
}

// recordDenied audits a refused portal request: who, under which role,
// what kind of object and, when the route names one, its id.
func (s *Server) recordDenied(r *http.Request, c caller, role access.Role, resource, action string) {
	act, ok := deniedActions[action]
	if !ok {
		act = audit.ActionRead
	}
	objectID := ""
	if id, ok := access.ParseID(r.PathValue("id")); ok {
		objectID = id.String()
	}
	err := s.opts.Recorder.Record(r.Context(), audit.Event{
		ActorUserID: c.principal.UserID, ActorRole: string(role), Action: act,
		ObjectKind: strings.ReplaceAll(strings.TrimPrefix(resource, "medical."), ".", "_"), ObjectID: objectID,
		Outcome: audit.OutcomeDenied, RequestID: requestIDOf(r), ClientIP: s.clientIP(r),
	})
	if err != nil {
		s.log.WarnContext(r.Context(), "could not audit a denied portal request", "request_id", requestIDOf(r), "error_type", fmt.Sprintf("%T", err))
	}
}

// isMultipart reports whether r's body is multipart/form-data (an upload).
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}
