package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// maxFormBytes bounds a form post (room for the longest dossier text,
// urlencoded); maxFieldBytes one field of parseForm.
const (
	maxFormBytes  = 256 << 10
	maxFieldBytes = 4096
)

// form is a parsed form post.
type form struct {
	values map[string]string
	fields map[string]string // errors per field
}

func (f form) get(name string) string { return f.values[name] }

// parseForm reads the urlencoded post of r, at most maxFormBytes; a field
// longer than maxFieldBytes is a field error. A body that does not parse
// is derrors.ErrInvalid.
func parseForm(w http.ResponseWriter, r *http.Request, names ...string) (form, error) {
	return parseFormLimits(w, r, nil, names...)
}

// fieldLimit lets one field of a form be longer than maxFieldBytes (an
// entry's text, a reason): up to max bytes, beyond which msg is its field
// error.
type fieldLimit struct {
	max int
	msg string
}

// parseFormLimits is parseForm with the limits of long for the fields it
// names; every other field takes at most maxFieldBytes.
func parseFormLimits(w http.ResponseWriter, r *http.Request, long map[string]fieldLimit, names ...string) (form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return form{}, fmt.Errorf("web: form: %w", derrors.ErrInvalid)
	}
	return readForm(r, long, names...), nil
}

// require adds a field error for each empty field name.
func (f form) require(msgs map[string]string) {
	for name, msg := range msgs {
		if strings.TrimSpace(f.values[name]) == "" && f.fields[name] == "" {
			f.fields[name] = msg
		}
	}
}

// keep returns the values of names to show again in the form (never a
// password or a code).
func (f form) keep(names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = f.values[n]
	}
	return out
}

// fieldMessages are the Dutch messages for the field errors the services
// return (derrors.FieldErrors), by field.
var fieldMessages = map[string]string{
	"password": "Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden werkt goed.",
	"email":    "Vul een geldig e-mailadres in.",
}

// pageFields puts the services' field errors on the account and login
// forms, which use the services' field names.
var pageFields = fieldTable{messages: fieldMessages}

// formFailed renders page again after err, with the table's status and
// message (msgs overrides the message per error), the field errors and
// the kept values in v.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, page string, v view, err error, msgs map[error]string) {
	pe := s.failure(r, err)
	v.Error = pe.message
	for e, m := range msgs {
		if errors.Is(err, e) {
			v.Error = m
			break
		}
	}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	pageFields.put(err, nil, v.Fields)
	s.render(w, r, pe.status, page, v)
}

// invalid renders page with the form's field errors (400).
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, page string, v view, f form) {
	v.Fields = f.fields
	v.Error = pageErrorOf(derrors.ErrInvalid).message
	s.render(w, r, http.StatusBadRequest, page, v)
}

// roleHome is the start page of the callers admit accepts.
type roleHome struct {
	admit func(caller) bool
	// page runs for a request loggedIn has authenticated (authorized).
	page http.HandlerFunc
}

// addHome makes page the start page of the callers admit accepts, unless
// a home added before accepts them.
func (s *Server) addHome(admit func(caller) bool, page http.HandlerFunc) {
	s.homes = append(s.homes, roleHome{admit: admit, page: page})
}

// hasRole reports whether the caller holds a grant of one of roles.
func hasRole(c caller, roles ...access.Role) bool {
	return slices.ContainsFunc(c.principal.Grants, func(g access.Grant) bool { return slices.Contains(roles, g.Role) })
}

// home is the logged-in start page: the employee's start page for an
// employee, else the employer's overview for an employer, else the first
// start page of another role the caller holds (addHome), else who you are
// and your role.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if s.homeFor(w, r) || s.employerHomeFor(w, r) {
		return
	}
	if c, ok := callerOf(r); ok {
		for _, h := range s.homes {
			if h.admit(c) {
				h.page(w, r)
				return
			}
		}
	}
	s.render(w, r, http.StatusOK, "home.html", view{Title: "Start"})
}

// loginPage shows the login form; a logged-in user goes home.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authenticate(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", view{Title: "Inloggen", Form: map[string]string{}})
}

// errLoginMessage is what every failed login says: which part was wrong
// stays unknown, as in the API.
const errLoginMessage = "Inloggen is niet gelukt. Controleer uw e-mailadres, uw wachtwoord en de code uit uw app. " +
	"Een code werkt maar één keer: wacht zo nodig op de volgende."

// login checks e-mail, password and TOTP code (or a recovery code) with
// the login service, which throttles and refuses replays, and on success
// sets the session cookie and goes home.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "email", "password", "totp")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Inloggen", Form: f.keep("email")}
	f.require(map[string]string{"email": "Vul uw e-mailadres in.", "password": "Vul uw wachtwoord in.",
		"totp": "Vul de code uit uw app in."})
	if len(f.fields) > 0 {
		s.invalid(w, r, "login.html", v, f)
		return
	}
	sess, err := s.opts.Auth.Login(r.Context(), identity.LoginRequest{Email: f.get("email"), Password: f.get("password"),
		TOTP: strings.ReplaceAll(f.get("totp"), " ", ""), ClientIP: s.clientIP(r), RequestID: requestIDOf(r)})
	if err != nil {
		s.formFailed(w, r, "login.html", v, err, map[error]string{derrors.ErrUnauthenticated: errLoginMessage})
		return
	}
	setSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the caller's session and clears the cookie; without a live
// session it only clears the cookie. Either way it goes to the login page.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c, err := s.authenticate(r)
	switch {
	case err == nil:
		err = s.opts.Auth.Logout(r.Context(), c.token, c.principal, requestIDOf(r), s.clientIP(r))
		if err != nil && !errors.Is(err, derrors.ErrUnauthenticated) {
			s.fail(w, r, err)
			return
		}
	case !errors.Is(err, derrors.ErrUnauthenticated):
		s.fail(w, r, err)
		return
	}
	clearSession(w)
	http.Redirect(w, r, "/inloggen", http.StatusSeeOther)
}

// invitationPage shows the form to accept an invitation. The link's token
// is in the address's fragment (/invitation#token), which the browser
// never sends: token.js copies it into the form's token field.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "invitation.html", view{Title: "Account activeren", Form: map[string]string{}})
}

// errLinkMessage is what a link that does not work says.
const errInvitationMessage = "Deze link werkt niet (meer), of de activeringscode klopt niet. Een link werkt één keer " +
	"en verloopt na een tijd. Vraag zo nodig een nieuwe uitnodiging aan."

// acceptInvitation uses the invitation: password (twice) and, for an
// employee, the activation code; on success the enrolment page with the QR
// code.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "token", "password", "password2", "activation")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Account activeren", Form: f.keep("token")}
	f.require(map[string]string{"token": "Open de link uit de e-mail, of plak de code uit de link hier.",
		"password": "Kies een wachtwoord.", "password2": "Vul het wachtwoord nog een keer in."})
	if f.fields["password2"] == "" && f.fields["password"] == "" && f.get("password") != f.get("password2") {
		f.fields["password2"] = "De twee wachtwoorden zijn niet gelijk."
	}
	if len(f.fields) > 0 {
		s.invalid(w, r, "invitation.html", v, f)
		return
	}
	enr, err := s.opts.Invitations.Accept(r.Context(), strings.TrimSpace(f.get("token")), f.get("password"),
		f.get("activation"), requestIDOf(r))
	if err != nil {
		s.formFailed(w, r, "invitation.html", v, err, map[error]string{derrors.ErrNotFound: errInvitationMessage})
		return
	}
	st := enrolState{Secret: enr.TOTPSecret, URI: enr.TOTPURI, Codes: enr.RecoveryCodes, Expires: s.opts.Now().Add(enrolTTL)}
	s.enrolPage(w, r, http.StatusOK, st, nil)
}

// enrolData is the enrolment page's data.
type enrolData struct {
	QR     template.URL
	Secret string
	State  string
}

// enrolPage renders the QR code, the secret and the form for the first
// code.
func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, status int, st enrolState, fields map[string]string) {
	qr, err := qrDataURI(st.URI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sealed, err := s.sealer.seal(st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Stel uw app in", Fields: fields, Data: enrolData{QR: qr, Secret: groupSecret(st.Secret), State: sealed}}
	if len(fields) > 0 {
		v.Error = pageErrorOf(derrors.ErrInvalid).message
	}
	s.render(w, r, status, "enrol.html", v)
}

// confirmEnrolment checks the first code from the app against the new
// secret and then shows the recovery codes, once.
func (s *Server) confirmEnrolment(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "state", "totp")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.sealer.open(f.get("state"), s.opts.Now())
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "message.html", view{Title: "Deze stap is verlopen",
			Error: "Deze stap is verlopen. Uw account is wel actief: log in met uw wachtwoord en de code uit uw app. " +
				"Lukt dat niet, neem dan contact op met uw arbodienst."})
		return
	}
	code := strings.ReplaceAll(f.get("totp"), " ", "")
	if code == "" {
		s.enrolPage(w, r, http.StatusBadRequest, st, map[string]string{"totp": "Vul de code uit uw app in."})
		return
	}
	if _, ok := identity.VerifyTOTP(st.Secret, code, 0, s.opts.Now()); !ok {
		s.enrolPage(w, r, http.StatusBadRequest, st, map[string]string{"totp": "Deze code klopt niet. " +
			"Controleer of u de QR-code goed heeft gescand en vul de code in die de app nu toont."})
		return
	}
	s.render(w, r, http.StatusOK, "recovery.html", view{Title: "Uw herstelcodes", Data: st.Codes})
}

// resetRequestPage shows the form to ask for a password-reset link.
func (s *Server) resetRequestPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset_request.html", view{Title: "Wachtwoord vergeten", Form: map[string]string{}})
}

// requestReset asks for a reset link; the answer is the same whether or not
// the address has an account.
func (s *Server) requestReset(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "email")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Wachtwoord vergeten", Form: f.keep("email")}
	f.require(map[string]string{"email": "Vul uw e-mailadres in."})
	if len(f.fields) > 0 {
		s.invalid(w, r, "reset_request.html", v, f)
		return
	}
	if err := s.opts.Invitations.RequestPasswordReset(s.withClient(r), f.get("email"), requestIDOf(r)); err != nil {
		s.formFailed(w, r, "reset_request.html", v, err, nil)
		return
	}
	s.render(w, r, http.StatusOK, "message.html", view{Title: "Kijk in uw e-mail",
		Notice: "Als er een account is met dit e-mailadres, krijgt u binnen een paar minuten een e-mail met een link. " +
			"Met die link kiest u een nieuw wachtwoord. De link werkt één keer."})
}

// resetPage shows the form to choose a new password; the link's token is
// in the fragment (/password-reset#token), which token.js copies into the
// form.
func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset.html", view{Title: "Nieuw wachtwoord kiezen", Form: map[string]string{}})
}

// errResetMessage is what a reset link that does not work says.
const errResetMessage = "Deze link werkt niet (meer). Een link werkt één keer en verloopt na een tijd. " +
	"Vraag een nieuwe link aan via ‘Wachtwoord vergeten’."

// resetPassword sets the new password with the link; all sessions end.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(w, r, "token", "password", "password2")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := view{Title: "Nieuw wachtwoord kiezen", Form: f.keep("token")}
	f.require(map[string]string{"token": "Open de link uit de e-mail, of plak de code uit de link hier.",
		"password": "Kies een wachtwoord.", "password2": "Vul het wachtwoord nog een keer in."})
	if f.fields["password2"] == "" && f.fields["password"] == "" && f.get("password") != f.get("password2") {
		f.fields["password2"] = "De twee wachtwoorden zijn niet gelijk."
	}
	if len(f.fields) > 0 {
		s.invalid(w, r, "reset.html", v, f)
		return
	}
	if err := s.opts.Invitations.ResetPassword(s.withClient(r), strings.TrimSpace(f.get("token")), f.get("password"), requestIDOf(r)); err != nil {
		s.formFailed(w, r, "reset.html", v, err, map[error]string{derrors.ErrNotFound: errResetMessage})
		return
	}
	clearSession(w)
	s.render(w, r, http.StatusOK, "message.html", view{Title: "Uw wachtwoord is gewijzigd",
		Notice: "Uw wachtwoord is gewijzigd. U bent overal uitgelogd. Log opnieuw in met uw nieuwe wachtwoord en de code uit uw app."})
}
