// Package app is the composition root of Arbokluis: it builds the
// services and the front doors from a config.Config, and runs the
// operational commands (seed, user add, audit verify, dossier rewrap,
// migrate) over the same wiring. Adapters are assigned straight into the
// services here; nothing else wires more than one adapter (see package
// architecture).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/authz"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/httpapi"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/pdf"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/smtp"
	"github.com/arbokluis/arbokluis/internal/vault"
	"github.com/arbokluis/arbokluis/internal/web"
	"github.com/arbokluis/arbokluis/internal/worklist"
	"github.com/arbokluis/arbokluis/policies"
)

// vaultRenewEvery is how often serve and the destruction worker renew
// their Vault tokens.
const vaultRenewEvery = time.Hour

// pingKey is the transit key the readiness check reads.
const pingKey = "pii"

// App is the wired system: the services behind the front doors, the
// background work that keeps them whole, and what must be closed after.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	server   *httpapi.Server
	ids      *identity.Service
	appender *audit.Appender
	vault    *vault.Client
	pools    []*pgxpool.Pool
	// mail delivers the mail outbox (nil: no SMTP configured).
	mail *notify.Sender
	// portal is the HTML front door; handler is the public listener's
	// handler, which sends each request to the API or the portal (mount).
	portal  *web.Server
	handler http.Handler
}

// Close closes the database pools. Call it after Serve returns.
func (a *App) Close() {
	for _, p := range a.pools {
		p.Close()
	}
}

// New opens the three pools and the Vault client and wires the services
// and the HTTP front door from cfg. It fails when a setting it needs is
// missing, when the destruction token is set (errServeHoldsShredder: only
// the destruction worker may hold it), or when a database cannot be
// reached; a Vault that is down at start only makes the server not ready.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Require(config.EnvHRDatabaseURL, config.EnvMedDatabaseURL, config.EnvAuditDatabaseURL,
		config.EnvVaultAddr, config.EnvVaultToken); err != nil {
		return nil, err
	}
	if cfg.VaultDestructionToken != "" {
		return nil, errServeHoldsShredder
	}
	a := &App{cfg: cfg, log: log}
	open := func(name, url string) (*pgxpool.Pool, error) {
		p, err := postgres.Open(ctx, url, cfg.DBMaxConns)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("%s pool: %w", name, err)
		}
		a.pools = append(a.pools, p)
		return p, nil
	}
	hr, err := open("hr", cfg.HRDatabaseURL)
	if err != nil {
		return nil, err
	}
	med, err := open("med", cfg.MedDatabaseURL)
	if err != nil {
		return nil, err
	}
	auditPool, err := open("audit", cfg.AuditDatabaseURL)
	if err != nil {
		return nil, err
	}
	vc, err := newVault(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	store := postgres.NewIdentityStore(hr)
	ids, err := identity.NewService(store, vc, identityOptions(cfg))
	if err != nil {
		a.Close()
		return nil, err
	}
	// Without SMTP (or, for a demo, a mail directory) there is no sender,
	// and invitations and resets answer 503; with it, they queue their
	// mails in the outbox the sender delivers (Serve runs it).
	mailQueued := func() {}
	var mailer notify.Mailer
	switch {
	case cfg.SMTPAddr != "":
		m, err := smtp.New(smtp.Config{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		if err != nil {
			a.Close()
			return nil, err
		}
		mailer = m
	case cfg.MailDir != "":
		m, err := smtp.NewDir(cfg.MailDir)
		if err != nil {
			a.Close()
			return nil, err
		}
		mailer = m
	}
	if mailer != nil {
		a.mail = notify.NewSender(store, vc, mailer, log, notify.SenderOptions{})
		mailQueued = a.mail.Wake
	}
	if err := vc.Check(ctx, pingKey); err != nil {
		log.Warn("vault is not usable yet; the server starts not ready", "error", err.Error())
	}

	enforcer, err := authz.New(policies.CasbinModel, policies.CasbinPolicy)
	if err != nil {
		a.Close()
		return nil, err
	}

	auditStore := postgres.NewAuditStore(auditPool)
	a.vault = vc
	a.appender = audit.NewAppender(auditStore, vc, log, audit.AppenderOptions{
		CheckpointEvery: cfg.AuditCheckpointEvery, PublicKeyFile: cfg.AuditPublicKeyFile,
	})

	renderer, err := pdf.NewRenderer()
	if err != nil {
		a.Close()
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	entries := dossier.NewEntries(postgres.NewDossierStore(med), postgres.NewSubjectStore(hr), vc, nil)
	employees := employee.NewService(postgres.NewEmployeeStore(hr), vc, nil)
	fit := fitness.NewService(postgres.NewFitnessStore(hr), nil)
	absences := absence.NewService(postgres.NewAbsenceStore(hr), renderer, cfg.Absence, nil)
	requests := rights.NewRequests(postgres.NewRequestStore(hr), rights.RequestOptions{
		Statements: dossier.NewStatements(entries, postgres.NewDossierStore(med)), Entries: postgres.NewDossierStore(med),
		DestructionTargetMonths: int(cfg.DestructionTargetMonths), DestructionLimitMonths: int(cfg.DestructionLimitMonths)})
	// Without the destruction token: a grant records the job, which the
	// destruction worker runs.
	destructions := newDestructions(cfg, hr, med, vc, nil, renderer, dossier.DestroyerOptions{})
	attachments := dossier.NewAttachments(entries, postgres.NewDossierStore(med), vc, int(cfg.MaxAttachmentBytes))
	dossiers := dossier.NewService(postgres.NewDossierStore(med), vc, cfg.EmergencyAccessTTL, nil)
	// The account administration mails its enrolment links the way
	// invitations are mailed.
	invitations := identity.NewInvitations(identity.InvitationOptions{Store: store, Resets: store,
		Mail: a.mail != nil, MailQueued: mailQueued, PublicURL: cfg.PublicURL, Identities: ids, Codes: vc, Letters: renderer, ActivationTTL: cfg.ActivationTTL})
	// One instance of each service serves both front doors, the JSON API
	// and the portal.
	people := postgres.NewDirectory(hr)
	recorder := postgres.NewRecorder(hr)
	subjects := postgres.NewRequestStore(hr)
	employers := employer.NewService(postgres.NewEmployerStore(hr))
	grants := identity.NewGrantService(store, nil)
	accounts := identity.NewAccounts(store, postgres.NewDossierStore(med), invitations, nil)
	delegations := identity.NewDelegations(store, nil)
	inbox := notify.NewService(store)
	exposures := dossier.NewExposures(entries, postgres.NewDossierStore(med))
	auditLog := audit.NewLog(auditStore, recorder)
	exporter := rights.NewExporter(subjects, employees, absences, fit, requests, recorder, nil)
	records := rights.NewRecords(subjects,
		rights.Retention{EmployeeYears: int(cfg.RetentionEmployeeYears), CaseYears: int(cfg.RetentionCaseYears)}, nil)
	consents := newConsents(hr, med, vc, entries, attachments, dossiers, destructions, renderer)
	releases := rights.NewReleases(subjects, postgres.NewReleaseStore(med), vc, people, renderer, nil)
	accessLog := rights.NewAccessLog(auditStore, recorder, subjects, people)
	srv, err := httpapi.New(httpapi.Options{
		Logger:         log,
		Registry:       reg,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		HSTS:           cfg.PublicHTTPS(),
		TrustedProxies: cfg.TrustedProxies,
		ReadyTimeout:   cfg.ReadyTimeout,
		Auth:           ids,
		Grants:         grants,
		Accounts:       accounts,
		Invitations:    invitations,
		Inbox:          inbox,
		Authz:          enforcer,
		Employers:      employers,
		Employees:      employees,
		Delegations:    delegations,
		Dossiers:       dossiers,
		Fitness:        fit,
		Entries:        entries,
		Attachments:    attachments,
		Exposures:      exposures,
		Absences:       absences,
		AuditLog:       auditLog,
		Requests:       requests,
		Exporter:       exporter,
		Records:        records,
		Rectifier:      rights.NewRectifier(subjects, employees, nil),
		Destructions:   destructions,
		Consents:       consents,
		Releases:       releases,
		AccessLog:      accessLog,
		Recorder:       recorder,
		ListReads:      httpapi.RateLimit{PerMinute: int(cfg.ListReadsPerMinute), Burst: int(cfg.ListReadBurst)},
		Now:            cfg.Clock,
		ReadyChecks: []httpapi.Check{
			{Name: "postgres_hr", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, hr) }},
			{Name: "postgres_med", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, med) }},
			{Name: "postgres_audit", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, auditPool) }},
			{Name: "audit_outbox", Probe: func(ctx context.Context) error {
				return backlog(ctx, auditStore, cfg.AuditBacklogMaxAge)
			}},
			{Name: "vault", Probe: func(ctx context.Context) error { return vc.Check(ctx, pingKey) }},
		},
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	portal, err := web.New(web.Options{
		Logger: log, Auth: ids, Invitations: invitations, Names: people,
		Authz: enforcer, Recorder: recorder,
		HSTS: cfg.PublicHTTPS(), TrustedProxies: cfg.TrustedProxies,
		// The portal's clock is the API's (nil: time.Now).
		Now: cfg.Clock,
		// The portal's list reads take the API's list-read limit.
		ListReads: ratelimit.Limit{PerMinute: int(cfg.ListReadsPerMinute), Burst: int(cfg.ListReadBurst)},
		// The employee's pages use the services of the API's /me routes.
		Employee: web.EmployeeServices{Subjects: subjects, Inbox: inbox,
			Absences: absences, Fitness: fit, Requests: requests, Releases: releases, Consents: consents,
			AccessLog: accessLog, Destructions: destructions, Exporter: exporter},
		Employer: web.EmployerServices{Employees: employees, Absences: absences, Fitness: fit},
		CaseWork: web.CaseWorkServices{Absences: absences, Employees: employees, Employers: employers, Fitness: fit},
		Account:  identity.NewMyAccount(ids, store),
		Worklist: web.WorklistServices{Worklist: worklist.NewService(postgres.NewWorklistDossiers(med), postgres.NewWorklistPeople(hr), nil), Logins: invitations,
			Analyses: absences},
		Consents: web.ConsentServices{Consents: consents, MaxScanBytes: int(cfg.MaxAttachmentBytes)},
		Dossier: web.DossierServices{Dossiers: dossiers, Entries: entries, Attachments: attachments,
			Exposures: exposures, Employees: employees, Employers: employers, MaxAttachmentBytes: int(cfg.MaxAttachmentBytes)},
		Privacy: web.PrivacyServices{Requests: requests, Records: records,
			AuditLog: auditLog, Trail: audit.NewChecker(auditStore, vc), People: people},
		Decisions: web.DecisionServices{Names: people, Absences: absences, Fitness: fit, Requests: requests,
			Releases: releases, Entries: entries, Destructions: destructions},
		Admin: web.AdminServices{Employers: employers, Accounts: accounts, Grants: grants, Delegations: delegations,
			Invitations: invitations, Reads: identity.NewAdminReads(store, nil)},
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.server, a.portal, a.ids = srv, portal, ids
	a.handler = mount(srv.Handler(), portal.Handler())
	return a, nil
}

// mount is the public listener's handler: /api/ (and /api), /healthz,
// /readyz and /metrics (which the API answers 404 here: it is served on
// the admin listener) go to the JSON API, everything else to the portal.
// Each keeps its own headers.
func mount(api, portal http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics" {
			api.ServeHTTP(w, r)
			return
		}
		portal.ServeHTTP(w, r)
	})
}

// identityOptions are the login service's settings from cfg.
func identityOptions(cfg config.Config) identity.Options {
	limit := func(max int64, window time.Duration) identity.Limit {
		return identity.Limit{Max: int(max), Window: window}
	}
	return identity.Options{
		PasswordParams: cfg.PasswordParams,
		Limits: identity.Limits{
			LoginAccount: limit(cfg.LoginAccountLimit, cfg.LoginWindow),
			LoginClient:  limit(cfg.LoginClientLimit, cfg.LoginWindow),
			LoginTotal:   limit(cfg.LoginTotalLimit, cfg.LoginWindow),
			ResetAddress: limit(cfg.ResetAddressLimit, cfg.ResetWindow),
			ResetClient:  limit(cfg.ResetClientLimit, cfg.ResetWindow),
		},
		LimitsNow:        cfg.Clock,
		HashMemoryBudget: uint64(max(cfg.PasswordHashMemoryMiB, 0)) * 1024,
		OnHash:           cfg.OnPasswordHash,
	}
}

// attemptSweepEvery is how often serve deletes ended attempt counters and
// quiet failed-login records.
const attemptSweepEvery = time.Minute

// sweepAttempts runs the identity service's sweep now and then every
// interval until ctx ends. Failures are logged and retried.
func sweepAttempts(ctx context.Context, ids *identity.Service, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := ids.SweepAttempts(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sweeping login attempts failed; retrying", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// backlog fails when the oldest event waiting in the audit outbox is older
// than maxAge: the appender is not keeping up, or not running anywhere.
func backlog(ctx context.Context, store *postgres.AuditStore, maxAge time.Duration) error {
	oldest, err := store.OldestPending(ctx)
	if err != nil {
		return err
	}
	if !oldest.IsZero() && time.Since(oldest) > maxAge {
		return fmt.Errorf("audit outbox backlog older than %s", maxAge)
	}
	return nil
}

// newConsents wires the consent service over the stores and Vault; after
// a transfer the dossier is closed by dossiers or destroyed through
// destructions.
func newConsents(hr, med *pgxpool.Pool, vc *vault.Client, entries *dossier.Entries, attachments *dossier.Attachments,
	dossiers consent.Closer, destructions consent.Destroyer, docs consent.Documents) *consent.Service {
	return consent.NewService(consent.Options{
		Store: postgres.NewConsentStore(med), Dossiers: entries, Cipher: vc,
		Subjects: postgres.NewRequestStore(hr), People: postgres.NewDirectory(hr), Attachments: attachments,
		Lister: postgres.NewConsentStore(med), Closer: dossiers, Destroyer: destructions, Documents: docs,
	})
}

// newVault returns the application's Vault client.
func newVault(cfg config.Config) (*vault.Client, error) {
	return vault.New(vault.Config{
		Addr: cfg.VaultAddr, Token: cfg.VaultToken, Mount: cfg.VaultTransitMount,
		Timeout: cfg.VaultTimeout, MaxRetries: 2,
	})
}

// errServeHoldsShredder refuses to serve with the destruction token set.
var errServeHoldsShredder = errors.New("config: " + config.EnvVaultDestructionToken +
	" must not be set for serve: only `arbokluis destruction-worker` holds the destruction token; unset it")

// newDestructionVault returns the Vault client with the destruction token.
func newDestructionVault(cfg config.Config) (*vault.Client, error) {
	return vault.New(vault.Config{
		Addr: cfg.VaultAddr, Token: cfg.VaultDestructionToken, Mount: cfg.VaultTransitMount,
		Timeout: cfg.VaultTimeout, MaxRetries: 2,
	})
}

// newDestructions wires destruction on request: the runner on the med pool
// with the application's Vault client and, in the destruction worker only,
// the destruction token's (shredder; nil in serve), and the register side
// on the hr pool. The worker renders no statements (renderer nil).
func newDestructions(cfg config.Config, hr, med *pgxpool.Pool, app, shredder *vault.Client, renderer *pdf.Renderer, o dossier.DestroyerOptions) *rights.Destructions {
	o.BackupRetention = cfg.VaultBackupRetention
	store := postgres.NewDossierStore(med)
	opts := rights.DestructionsOptions{
		Requests:  postgres.NewRequestStore(hr),
		Destroyer: dossier.NewDestroyer(store, vault.DestructionKeys{App: app, Shredder: shredder}, o),
		Records:   store, Sealer: app, People: postgres.NewDirectory(hr),
		Recorder: postgres.NewRecorder(hr), BackupRetention: cfg.VaultBackupRetention,
	}
	if renderer != nil {
		opts.Render = renderer
	}
	return rights.NewDestructions(opts)
}

// serveListeners serves the public routes on ln and, when adminLn is not
// nil, the admin routes (/metrics, the detailed /readyz) on adminLn, until
// ctx ends or either stops; then both drain and stop together. It returns
// the first error of either.
func (a *App) serveListeners(ctx context.Context, ln, adminLn net.Listener) error {
	cfg := a.cfg
	t := httpapi.Timeouts{
		ReadHeader: cfg.ReadHeaderTimeout, Read: cfg.ReadTimeout, Write: cfg.WriteTimeout,
		Idle: cfg.IdleTimeout, Shutdown: cfg.ShutdownTimeout,
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 2)
	running := 1
	go func() { errc <- httpapi.Serve(ctx, ln, a.handler, t, a.log) }()
	if adminLn != nil {
		running++
		a.log.Info("serving the admin listener", "addr", adminLn.Addr().String())
		go func() {
			errc <- httpapi.Serve(ctx, adminLn, a.server.AdminHandler(), t, a.log.With("listener", "admin"))
		}()
	}
	var first error
	for range running {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
		stop() // one stopped: the other follows
	}
	return first
}

// Serve listens on the configured address (and on the admin address, unless
// it is off) and serves until ctx ends, with the background work beside
// it: Vault token renewal, the mail outbox's sender, the sweep of expired
// login counters and the audit appender (which also appends the
// destruction worker's events, written to the outbox). Destruction jobs
// are the worker's (Worker.Run). On the end of
// ctx it drains in-flight requests, then appends the last audit events. It
// returns an error when it cannot listen or serving fails.
func (a *App) Serve(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	var adminLn net.Listener // nil: no admin listener (ARBOKLUIS_ADMIN_ADDR=off)
	if cfg.AdminAddr != "" {
		if adminLn, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (admin): %w", cfg.AdminAddr, err)
		}
	}
	// The Vault tokens are periodic: renewed well within their period.
	renewCtx, stopRenewal := context.WithCancel(ctx)
	defer stopRenewal()
	go a.vault.KeepRenewed(renewCtx, vaultRenewEvery, func(err error) {
		log.Warn("vault token renewal failed", "error", err.Error())
	})
	if a.mail != nil {
		go a.mail.Run(renewCtx)
	}
	go sweepAttempts(renewCtx, a.ids, attemptSweepEvery, log)
	appenderCtx, stopAppender := context.WithCancel(context.WithoutCancel(ctx))
	appenderDone := make(chan struct{})
	go func() {
		defer close(appenderDone)
		a.appender.Run(appenderCtx)
	}()
	defer func() {
		// After the drain: the last requests' events are appended first.
		stopAppender()
		<-appenderDone
		if err := a.appender.Drain(context.Background()); err != nil {
			log.Warn("final audit append failed; the events stay in the outbox", "error", err.Error())
		}
	}()
	log.Info("serving", "addr", ln.Addr().String(), "version", Version())
	if err := a.serveListeners(ctx, ln, adminLn); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped")
	return nil
}
