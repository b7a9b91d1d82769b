package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// Worker is the destruction worker (`arbokluis destruction-worker`): the
// only process that holds the destruction token. It runs the destruction
// jobs that serve records when a physician grants a destruction request or
// a dossier is destroyed after its transfer, and those that stopped
// halfway, and delivers their requests with the notice to the employee.
//
// It writes its audit events to the audit outbox, in the transaction of
// each step, like every other write; it runs no appender of its own: the
// appender of serve moves them into the hash chain (serve's /readyz fails
// when the outbox backlog grows old, so a worker without a serve beside it
// is noticed).
type Worker struct {
	cfg          config.Config
	log          *slog.Logger
	pools        []*pgxpool.Pool
	med          *pgxpool.Pool
	app          *vault.Client
	shredder     *vault.Client
	destructions *rights.Destructions
}

// NewWorker opens the hr and med pools and the two Vault clients (the
// application token and the destruction token) and wires the destruction
// jobs. It fails when ARBOKLUIS_VAULT_DESTRUCTION_TOKEN or another setting
// it needs is missing, or a database cannot be reached; a Vault that is
// down at start only delays the jobs.
func NewWorker(ctx context.Context, cfg config.Config, log *slog.Logger) (*Worker, error) {
	return newWorker(ctx, cfg, log, dossier.DestroyerOptions{})
}

// newWorker is NewWorker with the runner's options (tests inject crashes).
func newWorker(ctx context.Context, cfg config.Config, log *slog.Logger, o dossier.DestroyerOptions) (*Worker, error) {
	if err := cfg.Require(config.EnvHRDatabaseURL, config.EnvMedDatabaseURL, config.EnvVaultAddr,
		config.EnvVaultToken, config.EnvVaultDestructionToken); err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, log: log}
	// The listener and a running job's claim hold a connection each.
	conns := max(cfg.DBMaxConns, 4)
	hr, err := postgres.Open(ctx, cfg.HRDatabaseURL, conns)
	if err != nil {
		return nil, fmt.Errorf("hr pool: %w", err)
	}
	w.pools = append(w.pools, hr)
	if w.med, err = postgres.Open(ctx, cfg.MedDatabaseURL, conns); err != nil {
		w.Close()
		return nil, fmt.Errorf("med pool: %w", err)
	}
	w.pools = append(w.pools, w.med)
	if w.app, err = newVault(cfg); err != nil {
		w.Close()
		return nil, err
	}
	if w.shredder, err = newDestructionVault(cfg); err != nil {
		w.Close()
		return nil, err
	}
	w.destructions = newDestructions(cfg, hr, w.med, w.app, w.shredder, nil, o)
	return w, nil
}

// Close closes the database pools. Call it after Run returns.
func (w *Worker) Close() {
	for _, p := range w.pools {
		p.Close()
	}
}

// Run runs destruction jobs until ctx ends (SIGTERM), then returns nil. It
// renews both Vault tokens, runs every job not finished at start (a grant
// accepted while no worker ran is carried out now), and then every job as
// soon as its grant is committed (the notification on
// postgres.DestructionChannel), and looks again every
// cfg.DestructionPollInterval, which retries a job that Vault or the
// database stopped. Jobs are claimed one by one (an advisory lock per
// job), so several workers may run beside each other. A job that ctx stops
// halfway stays at its last durable step and is finished by the next run.
func (w *Worker) Run(ctx context.Context) error {
	log := w.log
	renewCtx, stopRenewal := context.WithCancel(ctx)
	defer stopRenewal()
	for name, c := range map[string]*vault.Client{"application": w.app, "destruction": w.shredder} {
		go c.KeepRenewed(renewCtx, vaultRenewEvery, func(err error) {
			log.Warn("vault token renewal failed", "token", name, "error", err.Error())
		})
	}
	if err := (vault.DestructionKeys{App: w.app, Shredder: w.shredder}).CanDelete(ctx); err != nil && ctx.Err() == nil {
		log.Warn("the destruction token is not usable yet; jobs wait for it", "error", err.Error())
	}
	listener := postgres.NewListener(w.med, postgres.DestructionChannel)
	defer listener.Close()
	log.Info("destruction worker running", "poll_interval", w.cfg.DestructionPollInterval.String(), "version", Version())
	for ctx.Err() == nil {
		// Listening starts before the jobs are listed: a grant committed
		// meanwhile wakes the next wait.
		if err := listener.Listen(ctx); err != nil && ctx.Err() == nil {
			log.Warn("cannot listen for destruction jobs; polling", "error", err.Error())
		}
		if n, err := w.destructions.Resume(ctx); err != nil && ctx.Err() == nil {
			log.Warn("destructions not finished yet; retrying", "finished", n, "error", err.Error())
		} else if n > 0 {
			log.Info("destructions finished", "finished", n)
		}
		if _, err := listener.Wait(ctx, w.cfg.DestructionPollInterval); err != nil && ctx.Err() == nil {
			// The listening connection is lost: wait out the interval.
			log.Warn("waiting for destruction jobs failed; polling", "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(w.cfg.DestructionPollInterval):
			}
		}
	}
	log.Info("destruction worker stopped")
	return nil
}
