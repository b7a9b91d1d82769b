// Package httpapi is Arbokluis's HTTP interface: the gin router, middleware,
// handlers, DTOs and the single place where errors become
// application/problem+json responses (RFC 9457).
//
// Handlers return error. The table errorTable in problem.go maps the
// domain's errors to status codes; any other error is a 500 with a generic
// body, and its detail goes to the log only.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
)

func init() {
	// Release mode: no route dump or debug warnings on stdout. gin keeps the
	// mode in a package variable, so it is set once here rather than per
	// server.
	gin.SetMode(gin.ReleaseMode)
}

// Options configures a Server.
type Options struct {
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is served on /metrics of the
	// admin handler (AdminHandler).
	Registry *prometheus.Registry
	// HSTS adds Strict-Transport-Security to every response: set it when
	// the service is reached over https (ARBOKLUIS_PUBLIC_URL).
	HSTS bool
	// MaxBodyBytes limits every request body; larger bodies get 413.
	MaxBodyBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// empty means none.
	TrustedProxies []string
	// ReadyChecks are run by /readyz, concurrently, each under ReadyTimeout:
	// uncached and named on the admin handler, at most once a second and
	// without names on the public one.
	ReadyChecks  []Check
	ReadyTimeout time.Duration
	// Auth logs callers in and resolves their sessions.
	Auth Authenticator
	// Grants proposes and approves role grants.
	Grants Grants
	// Accounts lists users and blocks, unblocks, revokes grants and resets
	// second factors (the account administration).
	Accounts Accounts
	// Invitations invites users and lets them accept.
	Invitations Invitations
	// Inbox lists in-app notifications.
	Inbox Inbox
	// Authz decides role × resource × action for every authenticated route.
	Authz Authorizer
	// Employers, Employees, Delegations and Dossiers run the use cases.
	Employers   Employers
	Employees   Employees
	Delegations Delegations
	Dossiers    Dossiers
	// Entries runs the medical entries of dossiers.
	Entries Entries
	// Attachments runs the attachments of dossiers.
	Attachments Attachments
	// Exposures runs the exposure flags of dossiers.
	Exposures Exposures
	// Fitness runs verdicts and work-ability advice.
	Fitness Fitness
	// Absences runs sickness-absence cases and the Poortwachter process.
	Absences Absences
	// AccessLog reads the employee's own access log.
	AccessLog AccessLog
	// Requests runs the register of rights requests.
	Requests Requests
	// Releases runs inspection and copy of released dossiers.
	Releases Releases
	// Exporter exports the employee's own HR data.
	Exporter Exporter
	// Records applies erasure and restriction to the HR record.
	Records Records
	// Rectifier answers rectification requests by rectifying the record.
	Rectifier Rectifier
	// Destructions decides destruction requests and serves statements.
	Destructions Destructions
	// Consents runs consent, information requests, disclosures and
	// transfers.
	Consents Consents
	// AuditLog searches the audit trail for the privacy officer.
	AuditLog AuditLog
	// Recorder audits denied attempts.
	Recorder audit.Recorder
	// ListReads bounds, per user and route, the reads that list many
	// people (employer overview, signals, request queue, audit search);
	// zero fields take DefaultListReadsPerMinute and DefaultListReadBurst.
	ListReads RateLimit
	// Now is the clock of the list-read limit; nil is time.Now.
	Now func() time.Time
}

// Check is one readiness check: a named dependency and a probe that returns
// nil when the dependency works.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// Server holds the router and what its handlers need.
type Server struct {
	log    *slog.Logger
	opts   Options
	engine *gin.Engine
	// admin serves /metrics and the detailed /readyz (AdminHandler).
	admin   *gin.Engine
	metrics *httpMetrics
	// ready caches the public /readyz, by the clock now (time.Now; tests
	// set their own).
	ready readyCache
	now   func() time.Time
	// permissions are the resource and action of every authorised route.
	permissions []permission
	// listReads limits the list reads of each user (see listRead);
	// listNow is its clock.
	listReads *ratelimit.Limiter
	listNow   func() time.Time
}

// New returns a Server with every route registered. It returns an error when
// the options are unusable (for example an invalid trusted proxy).
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		return nil, errors.New("httpapi: Options.Logger is required")
	}
	if opts.Registry == nil {
		return nil, errors.New("httpapi: Options.Registry is required")
	}
	if opts.MaxBodyBytes <= 0 {
		return nil, errors.New("httpapi: Options.MaxBodyBytes must be positive")
	}
	if opts.Auth == nil || opts.Grants == nil || opts.Accounts == nil || opts.Invitations == nil || opts.Inbox == nil || opts.Authz == nil ||
		opts.Employers == nil || opts.Employees == nil || opts.Delegations == nil || opts.Dossiers == nil || opts.Entries == nil || opts.Attachments == nil || opts.Exposures == nil || opts.Fitness == nil || opts.Absences == nil || opts.AccessLog == nil || opts.Requests == nil || opts.Releases == nil || opts.Exporter == nil || opts.Records == nil || opts.Rectifier == nil || opts.Destructions == nil || opts.Consents == nil || opts.AuditLog == nil || opts.Recorder == nil {
		return nil, errors.New("httpapi: Options.Auth, Grants, Accounts, Invitations, Inbox, Authz, Employers, Employees, Delegations, Dossiers, Entries, Attachments, Exposures, Fitness, Absences, AccessLog, Requests, Releases, Exporter, Records, Rectifier, Destructions, Consents, AuditLog and Recorder are required")
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}
	m, err := newHTTPMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{log: opts.Logger, opts: opts, metrics: m, now: time.Now}
	if s.listReads, s.listNow, err = newListReads(opts.ListReads, opts.Now); err != nil {
		return nil, err
	}

	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("httpapi: trusted proxies: %w", err)
	}
	e.Use(s.noStore, s.securityHeaders, s.requestID, s.recover, s.accessLog, s.observe, s.limitBody)
	e.NoRoute(s.handle(func(*gin.Context) error { return errRouteNotFound }))
	e.NoMethod(s.handle(func(*gin.Context) error { return errMethodNotAllowed }))

	e.GET("/healthz", s.handle(s.healthz))
	e.GET("/readyz", s.handle(s.publicReadyz))

	api := e.Group("/api/v1")
	api.GET("/openapi.yaml", s.handle(s.openAPI))
	api.POST("/auth/login", s.handle(s.login))
	api.POST("/auth/logout", s.allow("self", "logout", s.logout))
	api.POST("/auth/password-reset", withClientIP, s.handle(s.requestPasswordReset))
	api.POST("/auth/password-reset/complete", withClientIP, s.handle(s.completePasswordReset))
	api.GET("/me", s.allow("self", "read", s.me))
	api.GET("/me/notifications", s.allow("self", "read", s.notifications))
	api.GET("/me/access-log", s.allow("access_log", "read", s.myAccessLog))
	api.GET("/me/export", s.allow("my_export", "export", s.myExport))
	api.POST("/me/requests", s.allow("my_requests", "create", s.fileRequest))
	api.GET("/me/requests", s.allow("my_requests", "read", s.myRequests))
	api.GET("/requests", s.allow("requests", "read", s.listRead(s.requestQueue)))
	api.POST("/requests/:id/decision", s.allow("requests", "decide", s.decideRequest))
	api.POST("/requests/:id/extension", s.allow("requests", "extend", s.extendRequest))
	api.POST("/requests/:id/release", s.allow("requests", "release", s.releaseRequest))
	api.POST("/requests/:id/erasure", s.allow("requests", "erase", s.eraseRequest))
	api.POST("/requests/:id/restriction", s.allow("requests", "restrict", s.restrictRequest))
	api.DELETE("/requests/:id/restriction", s.allow("requests", "restrict", s.liftRestriction))
	api.POST("/employees/:id/requests", s.allow("requests", "register", s.fileForEmployee))
	api.POST("/requests/:id/destruction", s.allow("requests", "destroy", s.decideDestruction))
	api.GET("/me/destructions", s.allow("my_destructions", "read", s.myDestructions))
	api.GET("/me/destructions/:id/statement.pdf", s.allow("my_destructions", "read", s.destructionStatement))
	api.GET("/me/releases", s.allow("my_releases", "read", s.myReleases))
	api.GET("/me/releases/:id", s.allow("my_releases", "read", s.readRelease))
	api.GET("/me/releases/:id/copy.pdf", s.allow("my_releases", "read", s.releaseCopy))
	api.POST("/invitations", s.allow("invitations", "create", s.invite))
	api.POST("/invitations/accept", s.handle(s.acceptInvitation))
	api.POST("/invitations/:id/letter", s.allow("invitations", "letter", s.activationLetter))

	api.POST("/users/:id/grants", s.allow("grants", "propose", s.proposeGrant))
	api.POST("/grants/:id/approve", s.allow("grants", "approve", s.approveGrant))
	api.GET("/users", s.allow("users", "list", s.listRead(s.listUsers)))
	api.POST("/users/:id/block", s.allow("users", "block", s.accountAction(s.blockUser)))
	api.POST("/users/:id/unblock", s.allow("users", "unblock", s.accountAction(s.unblockUser)))
	api.POST("/users/:id/second-factor-reset", s.allow("users", "reset_second_factor", s.accountAction(s.resetSecondFactor)))
	api.POST("/grants/:id/revoke", s.allow("grants", "revoke", s.accountAction(s.revokeGrant)))
	api.POST("/account-actions/:id/approve", s.allow("account_actions", "approve", s.accountAction(s.approveAccountAction)))
	api.POST("/users/:id/statements", s.allow("statements", "propose", s.proposeStatement))
	api.POST("/statements/:id/approve", s.allow("statements", "approve", s.approveDelegation(identity.KindStatement)))
	api.POST("/substitutions", s.allow("substitutions", "propose", s.proposeSubstitution))
	api.POST("/substitutions/:id/approve", s.allow("substitutions", "approve", s.approveDelegation(identity.KindSubstitution)))

	api.POST("/employers", s.allow("employers", "create", s.createEmployer))
	api.GET("/employers/:id", s.allow("employers", "read", s.getEmployer))
	api.PATCH("/employers/:id", s.allow("employers", "update", s.updateEmployer))
	api.POST("/employers/:id/physician-assignments", s.allow("physician_assignments", "propose", s.proposeAssignment))
	api.POST("/physician-assignments/:id/approve", s.allow("physician_assignments", "approve", s.approveDelegation(identity.KindAssignment)))
	api.POST("/employers/:id/employees", s.allow("employees", "create", s.createEmployee))
	api.GET("/employees/:id", s.allow("employees", "read", s.getEmployee))
	api.PATCH("/employees/:id", s.allow("employees", "update", s.updateEmployee))
	api.POST("/employers/:id/employees/import", s.allow("employees", "import", s.importEmployees))

	api.POST("/employees/:id/absences", s.allow("absences", "report", s.reportSick))
	api.GET("/employees/:id/absences", s.allow("absences", "read", s.listAbsences))
	api.GET("/absences/:id", s.allow("absences", "read", s.getAbsence))
	api.PATCH("/absences/:id", s.allow("absences", "update", s.setAbsenceDetails))
	api.POST("/absences/:id/changes", s.allow("absences", "change", s.changeAbsence))
	api.POST("/absences/:id/closure", s.allow("absences", "close", s.closeAbsence))
	api.POST("/absences/:id/vangnet", s.allow("absences", "set_vangnet_type", s.setVangnetType))
	api.POST("/absences/:id/extensions", s.allow("absences", "extend", s.extendAbsence))
	api.POST("/absences/:id/milestones", s.allow("absences", "record_milestone", s.recordMilestone))
	api.POST("/absences/:id/plans", s.allow("plans", "create", s.recordPlan))
	api.GET("/absences/:id/plan", s.allow("plans", "read", s.getPlan))
	api.GET("/absences/:id/plan.pdf", s.allow("plans", "print", s.planPDF))
	api.POST("/absences/:id/evaluations", s.allow("evaluations", "create", s.recordEvaluation))
	api.POST("/absences/:id/contacts", s.allow("contacts", "create", s.addContact))
	api.GET("/absences/:id/contacts", s.allow("contacts", "read", s.listContacts))
	api.POST("/absences/:id/notes", s.allow("notes", "create", s.addNote))
	api.GET("/absences/:id/notes", s.allow("notes", "read", s.listNotes))
	api.POST("/notes/:id/redact", s.allow("notes", "redact", s.redactNote))
	api.GET("/signals", s.allow("signals", "read", s.listRead(s.signals)))
	api.POST("/employees/:id/verdicts", s.allow("verdicts", "create", s.recordVerdict))
	api.GET("/employees/:id/verdicts", s.allow("verdicts", "read", s.listVerdicts))
	api.POST("/verdicts/:id/decision", s.allow("verdicts", "decide", s.decideVerdict))
	api.POST("/employees/:id/advice", s.allow("advice", "publish", s.publishAdvice))
	api.GET("/employees/:id/advice", s.allow("advice", "read", s.listAdvice))
	api.GET("/employers/:id/overview", s.allow("employer_overview", "read", s.listRead(s.employerOverview)))

	api.GET("/audit/events", s.allow("audit_events", "search", s.listRead(s.auditEvents)))

	api.GET("/employees/:id/dossier", s.allow("medical.dossier", "read", s.getDossier))
	api.POST("/employees/:id/dossier/emergency-access", s.allow("medical.emergency_access", "create", s.declareEmergency))
	api.POST("/employees/:id/dossier/entries", s.allow("medical.entries", "create", s.createEntry))
	api.GET("/employees/:id/dossier/entries", s.allow("medical.entries", "read", s.listEntries))
	api.GET("/employees/:id/dossier/entries/:entry_id", s.allow("medical.entries", "read", s.getEntry))
	api.POST("/employees/:id/dossier/entries/:entry_id/corrections", s.allow("medical.entries", "correct", s.correctEntry))
	api.POST("/employees/:id/dossier/attachments", s.allow("medical.attachments", "create", s.addAttachment))
	api.GET("/employees/:id/dossier/attachments/:attachment_id", s.allow("medical.attachments", "read", s.getAttachment))
	api.POST("/employees/:id/dossier/exposures", s.allow("medical.exposures", "create", s.recordExposure))
	api.GET("/employees/:id/dossier/exposures", s.allow("medical.exposures", "read", s.listExposures))
	api.POST("/employees/:id/dossier/consents", s.allow("medical.consents", "create", s.prepareConsent))
	api.GET("/employees/:id/dossier/consents", s.allow("medical.consents", "read", s.listConsents))
	api.GET("/employees/:id/dossier/consents/:consent_id/form.pdf", s.allow("medical.consents", "print", s.consentForm))
	api.POST("/employees/:id/dossier/consents/:consent_id/paper", s.allow("medical.consents", "register_signed", s.registerPaperConsent))
	api.POST("/employees/:id/dossier/consents/:consent_id/revocation", s.allow("medical.consents", "revoke", s.revokeConsent))
	api.POST("/employees/:id/dossier/information-requests", s.allow("medical.information_requests", "create", s.askInformation))
	api.GET("/employees/:id/dossier/information-requests", s.allow("medical.information_requests", "read", s.listInformationRequests))
	api.POST("/employees/:id/dossier/information-requests/:request_id/answer", s.allow("medical.information_requests", "answer", s.answerInformation))
	api.POST("/employees/:id/dossier/disclosures", s.allow("medical.disclosures", "create", s.registerDisclosure))
	api.GET("/employees/:id/dossier/disclosures", s.allow("medical.disclosures", "read", s.listDisclosures))
	api.POST("/employees/:id/dossier/disclosures/:disclosure_id/decision", s.allow("medical.disclosures", "decide", s.decideDisclosure))
	api.GET("/employees/:id/dossier/disclosures/:disclosure_id/export.json", s.allow("medical.disclosures", "export", s.exportDisclosure(consent.FormatJSON)))
	api.GET("/employees/:id/dossier/disclosures/:disclosure_id/export.pdf", s.allow("medical.disclosures", "export", s.exportDisclosure(consent.FormatPDF)))
	api.POST("/employees/:id/dossier/transfers", s.allow("medical.transfers", "create", s.prepareTransfer))
	api.GET("/employees/:id/dossier/transfers", s.allow("medical.transfers", "read", s.listTransfers))
	api.GET("/employees/:id/dossier/transfers/:transfer_id/package.zip", s.allow("medical.transfers", "export", s.transferPackage))
	api.POST("/employees/:id/dossier/transfers/:transfer_id/handover", s.allow("medical.transfers", "hand_over", s.handOver))
	api.GET("/me/consents", s.allow("my_consents", "read", s.myConsents))
	api.POST("/me/consents/:id/signature", s.allow("my_consents", "sign", s.signConsent))
	api.POST("/me/consents/:id/revocation", s.allow("my_consents", "revoke", s.revokeMyConsent))

	if err := s.checkPermissions(); err != nil {
		return nil, err
	}
	s.engine = e
	s.admin = s.newAdmin()
	return s, nil
}

// newAdmin returns the router of the admin listener: /healthz, the
// detailed /readyz and /metrics, for operators and monitoring on a private
// address, never for the public.
func (s *Server) newAdmin() *gin.Engine {
	a := gin.New()
	a.ContextWithFallback = true
	a.HandleMethodNotAllowed = true
	a.RedirectTrailingSlash = false
	a.RedirectFixedPath = false
	a.Use(s.noStore, s.securityHeaders, s.requestID, s.recover, s.accessLog)
	a.NoRoute(s.handle(func(*gin.Context) error { return errRouteNotFound }))
	a.NoMethod(s.handle(func(*gin.Context) error { return errMethodNotAllowed }))
	a.GET("/healthz", s.handle(s.healthz))
	a.GET("/readyz", s.handle(s.adminReadyz))
	a.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{})))
	return a
}

// Handler returns the http.Handler serving every public route.
func (s *Server) Handler() http.Handler { return s.engine }

// AdminHandler returns the http.Handler of the admin listener: /healthz,
// /readyz naming each dependency's state, and /metrics.
func (s *Server) AdminHandler() http.Handler { return s.admin }

// Route is a registered method and path, with gin's ":param" placeholders.
type Route struct {
	Method, Path string
}

// Routes lists the registered routes.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.engine.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

// Timeouts bound the phases of an HTTP exchange and the drain on shutdown.
type Timeouts struct {
	ReadHeader, Read, Write, Idle, Shutdown time.Duration
}

// Serve serves h on ln until ctx is cancelled, then stops accepting
// connections and waits up to t.Shutdown for in-flight requests to finish.
// It returns nil after a clean drain, and an error when serving fails or the
// drain times out.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down; draining in-flight requests", "timeout", t.Shutdown.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.Shutdown)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("httpapi: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	return nil
}
