package web

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"regexp"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Account is the service of the caller's own account page
// (identity.MyAccount): every logged-in user, whatever the role, changes
// their password and sees and ends their own sessions there.
type Account interface {
	// ChangePassword checks the current password (counted as a login
	// attempt) and sets the new one, ending the caller's other sessions.
	ChangePassword(ctx context.Context, req identity.ChangePasswordRequest) error
	// Sessions lists the caller's live sessions, marking the one of token.
	Sessions(ctx context.Context, userID uuid.UUID, token string) ([]identity.SessionInfo, error)
	// EndSession ends one of the caller's own live sessions by its opaque
	// id; any other id is derrors.ErrNotFound.
	EndSession(ctx context.Context, userID uuid.UUID, id, requestID string, ip netip.Addr) error
	// EndOtherSessions ends every live session of the caller but the one
	// of token.
	EndOtherSessions(ctx context.Context, userID uuid.UUID, token, requestID string, ip netip.Addr) (int, error)
}

func init() { pageNames = append(pageNames, "account.html") }

// accountRoutes registers the account page and its forms, for every
// logged-in user; without an Account service there are none.
func (s *Server) accountRoutes() {
	if s.opts.Account == nil {
		return
	}
	s.handle("GET /account", s.loggedIn(s.accountPage))
	s.handle("POST /account/wachtwoord", s.loggedIn(s.changePassword))
	s.handle("POST /account/sessies/{id}/beeindigen", s.loggedIn(s.endSession))
	s.handle("POST /account/sessies/beeindigen", s.loggedIn(s.endOtherSessions))
}

// accountTitle is the title of the account page.
const accountTitle = "Mijn account"

// accountData is what the account page shows besides the form: the
// caller's live sessions.
type accountData struct {
	Sessions []identity.SessionInfo
	// Others: there is a session besides the current one.
	Others bool
}

// accountNotices are the notices after a form on the account page, by the
// klaar parameter of the redirect.
var accountNotices = map[string]string{
	"wachtwoord": "Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd; deze sessie blijft open.",
	"sessie":     "De sessie is beëindigd.",
	"sessies":    "Uw andere sessies zijn beëindigd.",
}

// accountPage shows the password form and the caller's live sessions.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, view{Notice: accountNotices[r.URL.Query().Get("klaar")], Form: map[string]string{}})
}

// renderAccount renders the account page with v and the caller's sessions.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, v view) {
	c, _ := callerOf(r)
	sessions, err := s.opts.Account.Sessions(r.Context(), c.principal.UserID, c.token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := accountData{Sessions: sessions}
	for _, x := range sessions {
		d.Others = d.Others || !x.Current
	}
	v.Title, v.Data = accountTitle, d
	s.render(w, r, status, "account.html", v)
}

// errWrongPasswordMessage is what a wrong current password says.
const errWrongPasswordMessage = "Uw huidige wachtwoord klopt niet. Er is niets veranderd."

// changePassword changes the caller's password: the current one, the new
// one twice. A wrong current password, a weak new one or two different
// new ones show the form again with the message, and change nothing.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "current", "password", "password2")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Form: map[string]string{}}
	f.require(map[string]string{"current": "Vul uw huidige wachtwoord in.", "password": "Vul een nieuw wachtwoord in.",
		"password2": "Herhaal het nieuwe wachtwoord."})
	if f.fields["password2"] == "" && f.fields["password"] == "" && f.get("password") != f.get("password2") {
		f.fields["password2"] = "De twee nieuwe wachtwoorden zijn niet gelijk."
	}
	if len(f.fields) > 0 {
		v.Fields = f.fields
		v.Error = pageErrorOf(derrors.ErrInvalid).message
		s.renderAccount(w, r, http.StatusBadRequest, v)
		return
	}
	c, _ := callerOf(r)
	err = s.opts.Account.ChangePassword(r.Context(), identity.ChangePasswordRequest{UserID: c.principal.UserID, Token: c.token,
		Current: f.get("current"), New: f.get("password"), RequestID: requestIDOf(r), ClientIP: s.clientIP(r)})
	switch {
	case err == nil:
		http.Redirect(w, r, "/account?klaar=wachtwoord", http.StatusSeeOther)
	case errors.Is(err, identity.ErrWrongPassword):
		v.Error = errWrongPasswordMessage
		v.Fields = map[string]string{"current": "Dit is niet uw huidige wachtwoord."}
		s.renderAccount(w, r, http.StatusBadRequest, v)
	default:
		pe := pageErrorOf(err)
		if pe.status == http.StatusInternalServerError || pe.status == http.StatusUnauthorized {
			s.fail(w, r, err)
			return
		}
		v.Error, v.Fields = pe.message, map[string]string{}
		pageFields.put(err, nil, v.Fields)
		s.renderAccount(w, r, pe.status, v)
	}
}

// sessionIDShape is the shape of identity.SessionID.
var sessionIDShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

// endSession ends one of the caller's own sessions by its id; an id that
// is not one of them is the 404 page and ends nothing. Ending the current
// session logs the caller out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !sessionIDShape.MatchString(id) {
		s.notFound(w, r)
		return
	}
	c, _ := callerOf(r)
	if err := s.opts.Account.EndSession(r.Context(), c.principal.UserID, id, requestIDOf(r), s.clientIP(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if id == identity.SessionID(identity.HashToken(c.token)) {
		clearSession(w)
		http.Redirect(w, r, "/inloggen", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account?klaar=sessie", http.StatusSeeOther)
}

// endOtherSessions ends every session of the caller but this one.
func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	c, _ := callerOf(r)
	if _, err := s.opts.Account.EndOtherSessions(r.Context(), c.principal.UserID, c.token, requestIDOf(r), s.clientIP(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?klaar=sessies", http.StatusSeeOther)
}
