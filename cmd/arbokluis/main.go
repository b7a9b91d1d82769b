// Command arbokluis is the Arbokluis case system: one binary with the
// subcommands serve, destruction-worker, migrate, seed, user, audit,
// dossier and version.
//
// It parses the command line, loads the configuration once from
// ARBOKLUIS_* variables and hands the chosen subcommand to the composition
// root (internal/app), until it finishes or SIGINT/SIGTERM arrives.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/arbokluis/arbokluis/internal/app"
	"github.com/arbokluis/arbokluis/internal/config"
)

const usage = `usage: arbokluis <command>

commands:
  serve                 serve the HTTP API (ARBOKLUIS_LISTEN_ADDR, default :8080); refuses
                        to start with ARBOKLUIS_VAULT_DESTRUCTION_TOKEN set
  destruction-worker    run the granted destruction jobs; the only process that holds
                        ARBOKLUIS_VAULT_DESTRUCTION_TOKEN
  migrate up            apply every pending migration
  migrate down [N]      revert N migrations (default 1); "all" reverts every one
  migrate status        show the applied and available migrations
  seed [--json]         create the demo data (idempotent; only with ARBOKLUIS_DEMO=1)
  user add --email E --name N --role R [--employer ID] [--big N] --password-stdin
                        create an active account at the console (prints its TOTP secret)
  audit verify [--public-key FILE]
                        recompute the audit hash chain and checkpoint signatures (with
                        Vault, or offline with the exported public key); names the
                        first broken seq and exits 1 when the trail was altered
  dossier rewrap [--rotate]
                        bring every dossier's ciphertext to its key's latest version
                        (rotating each key first with --rotate), then refuse older
                        versions for decryption
  version               print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(os.Stderr, string(ue)+"\n"+usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "arbokluis:", err)
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

// run executes one subcommand.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("no command given")
	}
	if args[0] == "version" {
		fmt.Fprintln(stdout, "arbokluis", app.Version())
		return nil
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "destruction-worker":
		if len(args) != 1 {
			return usageError("destruction-worker takes no arguments")
		}
		return destructionWorker(ctx, cfg, log)
	case "migrate":
		return migrateCmd(cfg, args[1:], stdout)
	case "seed":
		return seedCmd(ctx, cfg, args[1:], stdout)
	case "audit":
		return auditCmd(ctx, cfg, args[1:], stdout)
	case "user":
		return userCmd(ctx, cfg, args[1:], stdin, stdout)
	case "dossier":
		return dossierCmd(ctx, cfg, args[1:], stdout)
	}
	return usageError(fmt.Sprintf("unknown command %q", args[0]))
}
