package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/migrations"
)

// Version returns the module version and the Go version it was built with.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	return v + " (" + bi.GoVersion + ")"
}

// consoleIdentity wires the identity service for console commands over a
// small hr pool, which the caller closes.
func consoleIdentity(ctx context.Context, cfg config.Config) (*identity.Service, *pgxpool.Pool, error) {
	if err := cfg.Require(config.EnvHRDatabaseURL, config.EnvVaultAddr, config.EnvVaultToken); err != nil {
		return nil, nil, err
	}
	hr, err := postgres.Open(ctx, cfg.HRDatabaseURL, 2)
	if err != nil {
		return nil, nil, err
	}
	vc, err := newVault(cfg)
	if err != nil {
		hr.Close()
		return nil, nil, err
	}
	ids, err := identity.NewService(postgres.NewIdentityStore(hr), vc, identityOptions(cfg))
	if err != nil {
		hr.Close()
		return nil, nil, err
	}
	return ids, hr, nil
}

// AddUser creates an active account at the console (the first lead
// physician), audited without an actor, and returns its enrolment: the TOTP
// secret and recovery codes, shown once. Errors are those of
// identity.Service.AddConsoleUser, or a missing setting.
func AddUser(ctx context.Context, cfg config.Config, u identity.ConsoleUser) (identity.Enrolment, error) {
	ids, hr, err := consoleIdentity(ctx, cfg)
	if err != nil {
		return identity.Enrolment{}, err
	}
	defer hr.Close()
	return ids.AddConsoleUser(ctx, u)
}

// ErrChainBroken is what VerifyAudit returns after naming the break.
var ErrChainBroken = errors.New("audit trail verification failed")

// VerifyAudit recomputes the hash chain of audit.events and checks every
// checkpoint signature, with Vault or, given keyFile (the export of
// ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE), offline; it writes the outcome to out
// and returns ErrChainBroken naming the first broken seq there.
func VerifyAudit(ctx context.Context, cfg config.Config, keyFile string, out io.Writer) error {
	if err := cfg.Require(config.EnvAuditDatabaseURL); err != nil {
		return err
	}
	var v audit.Verifier
	if keyFile != "" {
		ov, err := audit.LoadOfflineVerifier(keyFile)
		if err != nil {
			return err
		}
		v = ov
	} else {
		if err := cfg.Require(config.EnvVaultAddr, config.EnvVaultToken); err != nil {
			return err
		}
		vc, err := newVault(cfg)
		if err != nil {
			return err
		}
		v = vc
	}
	pool, err := postgres.Open(ctx, cfg.AuditDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := audit.Verify(ctx, postgres.NewAuditStore(pool), v)
	if err != nil {
		return err
	}
	if rep.Break != nil {
		fmt.Fprintf(out, "BROKEN at seq %d: %s (%d events, %d checkpoints read)\n",
			rep.Break.Seq, rep.Break.Reason, rep.Events, rep.Checkpoints)
		return ErrChainBroken
	}
	fmt.Fprintf(out, "ok: %d events, hash chain intact, %d checkpoint signatures valid\n", rep.Events, rep.Checkpoints)
	return nil
}

// Rewrap brings every dossier's ciphertexts to the latest version of its
// key, after which older key versions are refused for decryption. With
// rotate each key is rotated first and the refusal waits for the next plain
// run (writes in flight during the rotation are rewrapped then). It writes
// one line per dossier to out, with ids and counts only.
func Rewrap(ctx context.Context, cfg config.Config, rotate bool, out io.Writer) error {
	if err := cfg.Require(config.EnvMedDatabaseURL, config.EnvVaultAddr, config.EnvVaultToken); err != nil {
		return err
	}
	vc, err := newVault(cfg)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.MedDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	n := 0
	err = dossier.Rewrap(ctx, postgres.NewDossierStore(pool), vc, rotate, func(r dossier.RewrapReport) {
		n++
		state := "older versions still decrypt until the next run without --rotate"
		if !rotate {
			state = "older versions no longer decrypt"
		}
		fmt.Fprintf(out, "dossier %s: %d entries and %d attachments rewrapped to v%d; %s\n",
			r.DossierID, r.Entries, r.Attachments, r.Version, state)
	})
	fmt.Fprintf(out, "%d dossiers done\n", n)
	return err
}

// Migration is one step of `migrate`.
type Migration int

// The migration steps.
const (
	MigrateUp     Migration = iota // apply every pending migration
	MigrateDown                    // revert steps migrations (0: all)
	MigrateStatus                  // change nothing
)

// Migrate applies m with the owner role (steps for MigrateDown; 0 reverts
// every migration), then writes the schema version and each migration's
// state to out.
func Migrate(cfg config.Config, m Migration, steps int, out io.Writer) error {
	if err := cfg.Require(config.EnvMigrateDatabaseURL); err != nil {
		return err
	}
	mg, err := postgres.NewMigrator(migrations.FS, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer mg.Close()
	switch m {
	case MigrateUp:
		err = mg.Up()
	case MigrateDown:
		err = mg.Down(steps)
	}
	if err != nil {
		return err
	}
	st, err := mg.Status()
	if err != nil {
		return err
	}
	dirty := ""
	if st.Dirty {
		dirty = " (dirty: a migration failed halfway; fix it, then force the version)"
	}
	fmt.Fprintf(out, "schema version %d of %d%s\n", st.Version, len(st.Available), dirty)
	for _, v := range st.Available {
		mark := "pending"
		if v <= st.Version {
			mark = "applied"
		}
		fmt.Fprintf(out, "  %06d %s\n", v, mark)
	}
	return nil
}
