package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/app"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// serve runs the HTTP server until ctx ends, then drains.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx)
}

// destructionWorker runs the destruction worker until ctx ends.
func destructionWorker(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	w, err := app.NewWorker(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Run(ctx)
}

// migrateCmd runs `migrate up|down [N|all]|status` with the owner role.
func migrateCmd(cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("migrate needs up, down or status")
	}
	steps := 0
	var m app.Migration
	switch args[0] {
	case "up":
		if len(args) != 1 {
			return usageError("migrate up takes no arguments")
		}
		m = app.MigrateUp
	case "down":
		m, steps = app.MigrateDown, 1
		switch {
		case len(args) == 1:
		case len(args) == 2 && args[1] == "all":
			steps = 0
		case len(args) == 2:
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return usageError("migrate down takes a positive number or \"all\"")
			}
			steps = n
		default:
			return usageError("migrate down takes at most one argument")
		}
	case "status":
		m = app.MigrateStatus
	default:
		return usageError(fmt.Sprintf("unknown migrate command %q", args[0]))
	}
	return app.Migrate(cfg, m, steps, stdout)
}

// seedCmd runs `seed [--json]`.
func seedCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	asJSON := false
	for _, a := range args {
		if a != "--json" {
			return usageError(fmt.Sprintf("seed: unknown argument %q", a))
		}
		asJSON = true
	}
	return app.Seed(ctx, cfg, asJSON, stdout)
}

// auditCmd runs `audit verify [--public-key FILE]`.
func auditCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	keyFile := ""
	switch {
	case len(args) == 1 && args[0] == "verify":
	case len(args) == 3 && args[0] == "verify" && args[1] == "--public-key" && args[2] != "":
		keyFile = args[2]
	default:
		return usageError("audit: want `audit verify [--public-key FILE]`")
	}
	return app.VerifyAudit(ctx, cfg, keyFile, stdout)
}

// dossierCmd runs `dossier rewrap [--rotate]`.
func dossierCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	rotate := false
	switch {
	case len(args) == 1 && args[0] == "rewrap":
	case len(args) == 2 && args[0] == "rewrap" && args[1] == "--rotate":
		rotate = true
	default:
		return usageError("dossier: want `dossier rewrap [--rotate]`")
	}
	return app.Rewrap(ctx, cfg, rotate, stdout)
}

// userCmd runs `user add`: the console bootstrap of an account (the first
// lead physician). The password is read from standard input, never from an
// argument, so it stays out of shell history and process lists.
func userCmd(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("user needs a subcommand: add")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "email address (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role: "+rolesList())
	employer := fs.String("employer", "", "employer id, for employer and employee users")
	big := fs.String("big", "", "BIG registration number, for physicians")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError("user add: " + err.Error())
	}
	if !*pwStdin {
		return usageError("user add: --password-stdin is required")
	}
	var employerID uuid.UUID
	if *employer != "" {
		id, err := uuid.Parse(*employer)
		if err != nil {
			return usageError("user add: --employer must be a uuid")
		}
		employerID = id
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("user add: read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	enr, err := app.AddUser(ctx, cfg, identity.ConsoleUser{
		Email: *email, DisplayName: *name, Password: password, BIGNumber: *big,
		Role: access.Role(*role), EmployerID: employerID,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created\nTOTP secret: %s\nenrol with: %s\nrecovery codes (each works once, in place of a TOTP code):\n  %s\n",
		enr.UserID, enr.TOTPSecret, enr.TOTPURI, strings.Join(enr.RecoveryCodes, "\n  "))
	return nil
}

func rolesList() string {
	names := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
