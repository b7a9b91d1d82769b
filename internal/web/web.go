// Package web is the HTML front door of Arbokluis: the portal. It renders
// pages with html/template from templates and assets embedded in the
// binary, and calls the same domain services as the JSON API (through the
// small interfaces below, which internal/app wires), never the API over
// HTTP. It never imports internal/httpapi, nor the other way round.
//
// Sessions are the API's sessions, carried in a __Host- cookie; every
// state-changing request passes Go's cross-origin protection and must carry
// Sec-Fetch-Site or Origin; every response carries the portal's security
// headers (securityHeaders) and, except the static assets, Cache-Control:
// no-store.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Auth is the login service the portal uses (identity.Service).
type Auth interface {
	// Login checks the credentials and opens a session.
	Login(ctx context.Context, req identity.LoginRequest) (identity.Session, error)
	// Authenticate returns the principal of a live session token.
	Authenticate(ctx context.Context, token string) (access.Principal, error)
	// Logout ends the session of token.
	Logout(ctx context.Context, token string, p access.Principal, requestID string, ip netip.Addr) error
}

// Invitations is the enrolment service the portal uses
// (identity.Invitations).
type Invitations interface {
	// Accept uses an invitation link once and returns the TOTP enrolment.
	Accept(ctx context.Context, token, password, code, requestID string) (identity.Enrolment, error)
	// RequestPasswordReset mails a reset link when the address has an
	// account.
	RequestPasswordReset(ctx context.Context, email, requestID string) error
	// ResetPassword uses a reset link once to set a new password.
	ResetPassword(ctx context.Context, token, password, requestID string) error
}

// Names gives a user's display name, to say who is logged in.
type Names interface {
	UserName(ctx context.Context, userID uuid.UUID) (string, error)
}

// Options configure the portal.
type Options struct {
	Logger      *slog.Logger
	Auth        Auth
	Invitations Invitations
	Names       Names
	// Authz decides which of a caller's grants allow a page (the API's
	// Casbin enforcer); Recorder audits the refusals. Both are required.
	Authz    Authorizer
	Recorder audit.Recorder
	// HSTS sets Strict-Transport-Security: the public URL is https.
	HSTS bool
	// TrustedProxies are the proxies (addresses or CIDR prefixes) whose
	// X-Forwarded-For and X-Real-IP are believed, as in the API.
	TrustedProxies []string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Employee are the services of the employee's own pages.
	Employee EmployeeServices
	// Employer are the services of the employer's portal (employer.go).
	Employer EmployerServices
	// ListReads bounds, per user and page, the reads that list many
	// people (the employer's overview and signals), as the API's
	// Options.ListReads; zero fields take the ratelimit defaults.
	ListReads ratelimit.Limit
	// Account is the service of every user's own account page
	// (account.go); without it the page is not registered.
	Account Account
	// Worklist are the services of the company doctor's worklist
	// (worklist.go).
	Worklist WorklistServices
	// Dossier are the services of the medical dossier pages (dossier.go).
	Dossier DossierServices
	// Decisions are the services of the physician's decisions
	// (decisions.go).
	Decisions DecisionServices
	// Consents are the services of the physician's consents, information
	// requests, disclosures and transfers (medical_consents.go).
	Consents ConsentServices
	// CaseWork are the services of the case manager's portal (casework.go).
	CaseWork CaseWorkServices
	// Privacy are the services of the privacy officer's portal
	// (privacy.go).
	Privacy PrivacyServices
	// Admin are the services of the administrator's portal (admin.go).
	Admin AdminServices
}

// Server is the portal.
type Server struct {
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]*template.Template
	proxies []netip.Prefix
	cop     *http.CrossOriginProtection
	sealer  *sealer
	routes  []string
	// permissions are what the pages behind allow ask for.
	permissions []permission
	// employeeHome is the employee's start page (also at /), for a
	// request loggedIn has authenticated.
	employeeHome http.HandlerFunc
	// employerHome is the employer's overview (also at /), for a request
	// loggedIn has authenticated.
	employerHome http.HandlerFunc
	// lists limits the employer portal's list reads.
	lists *ratelimit.Limiter
	// homes are the start pages of the other roles, tried in order after
	// the employee's and the employer's (addHome).
	homes []roleHome
}

// New builds the portal from opts. It fails when a service is missing, a
// trusted proxy does not parse, ListReads is negative, or a template does
// not parse.
func New(opts Options) (*Server, error) {
	if opts.Auth == nil || opts.Invitations == nil || opts.Authz == nil || opts.Recorder == nil {
		return nil, errors.New("web: Auth, Invitations, Authz and Recorder are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	proxies, err := parseProxies(opts.TrustedProxies)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	sl, err := newSealer()
	if err != nil {
		return nil, err
	}
	lists, err := ratelimit.New(opts.ListReads)
	if err != nil {
		return nil, fmt.Errorf("web: Options.ListReads: %w", err)
	}
	s := &Server{opts: opts, log: opts.Logger, mux: http.NewServeMux(), pages: pages, proxies: proxies,
		cop: http.NewCrossOriginProtection(), sealer: sl, lists: lists}
	s.cop.SetDenyHandler(http.HandlerFunc(s.forbidden))
	s.routesTable()
	if err := s.checkPermissions(); err != nil {
		return nil, err
	}
	return s, nil
}

// handle registers h under pattern ("METHOD /path").
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, h)
	s.routes = append(s.routes, pattern)
}

// routesTable registers every portal route.
func (s *Server) routesTable() {
	s.handle("GET /{$}", s.loggedIn(s.home))
	s.handle("GET /inloggen", s.loginPage)
	s.handle("POST /inloggen", s.login)
	s.handle("POST /uitloggen", s.logout)
	s.handle("GET /invitation", s.invitationPage)
	s.handle("POST /invitation", s.acceptInvitation)
	s.handle("POST /invitation/bevestigen", s.confirmEnrolment)
	s.handle("GET /wachtwoord-vergeten", s.resetRequestPage)
	s.handle("POST /wachtwoord-vergeten", s.requestReset)
	s.handle("GET /password-reset", s.resetPage)
	s.handle("POST /password-reset", s.resetPassword)
	s.handle("GET /static/{name}", s.static)
	s.employeeRoutes()
	s.employerRoutes()
	s.accountRoutes()
	s.worklistRoutes()
	s.dossierRoutes()
	s.decisionRoutes()
	s.consentRoutes()
	s.caseWorkRoutes()
	s.privacyRoutes()
	s.adminRoutes()
}

// Routes returns the pattern of every registered portal route ("METHOD
// /path", as http.ServeMux takes them), in registration order.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// Handler returns the portal's handler: security headers, panic recovery,
// the CSRF rules, then the routes; an unknown route is the 404 page.
func (s *Server) Handler() http.Handler {
	return s.securityHeaders(s.recoverPanic(s.csrf(http.HandlerFunc(s.route))))
}

// route dispatches to the registered route, or answers the 404 page (also
// for a known path with another method: the page says no more than the
// API's 404 does).
//
// It gives the request its id (X-Request-ID, kept for the audit events of
// the services) and writes one log line per request: method, route
// pattern (never the path), status, duration and request id.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r)
	w.Header().Set("X-Request-ID", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.notFound(sw, r)
	} else {
		s.mux.ServeHTTP(sw, r)
	}
	if pattern == "" {
		pattern = "unmatched"
	}
	s.log.InfoContext(r.Context(), "portal request", "method", r.Method, "route", pattern, "status", sw.status,
		"duration_ms", time.Since(start).Milliseconds(), "request_id", id)
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Portal security headers.
const (
	// CSP lets a page load scripts, styles and images from the portal
	// itself only (QR codes as data: images), post forms to itself only,
	// and be framed by nothing; no inline script or style.
	CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	// cspFetch is CSP for a page that uses htmx: it may also fetch from
	// the portal itself (htmx's requests), from nowhere else.
	cspFetch  = CSP + "; connect-src 'self'"
	hstsValue = "max-age=31536000; includeSubDomains"
	// staticCache is how long a browser may keep a static asset.
	staticCache = "public, max-age=3600"
)

// securityHeaders sets the portal's headers on every response before the
// handler runs: the CSP, nosniff, no referrer, HSTS when the public URL is
// https, and Cache-Control: no-store on everything but the static assets
// (every page may show personal data).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if s.opts.HSTS {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", staticCache)
		} else {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanic turns a panic into the plain 500 page and logs the panic's
// type and stack, never its value or the request.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "portal", true, "panic_type", fmt.Sprintf("%T", v),
					"stack", string(debug.Stack()))
				s.render(w, r, http.StatusInternalServerError, "error.html", view{Title: "Er ging iets mis",
					Error: messageOf(errors.New("web: handler panicked"))})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// staticFiles is the embedded static folder.
var staticFiles = func() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return sub
}()

// contentTypes are the types of the static files served.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

// static serves one embedded asset by name; anything else (a folder, a
// README, an unknown name) is the 404 page.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := fs.ReadFile(staticFiles, name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(data) //nolint:errcheck // the client went away
}
