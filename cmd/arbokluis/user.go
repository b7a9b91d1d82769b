package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

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

	ids, hr, err := consoleIdentity(ctx, cfg)
	if err != nil {
		return err
	}
	defer hr.Close()
	enr, err := ids.AddConsoleUser(ctx, identity.ConsoleUser{
		Email: *email, DisplayName: *name, Password: password, BIGNumber: *big,
		Role: identity.Role(*role), EmployerID: employerID,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created\nTOTP secret: %s\nenrol with: %s\nrecovery codes (each works once, in place of a TOTP code):\n  %s\n",
		enr.UserID, enr.TOTPSecret, enr.TOTPURI, strings.Join(enr.RecoveryCodes, "\n  "))
	return nil
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
	ids, err := identity.NewService(postgres.NewIdentityStore(hr), vc, identity.Options{})
	if err != nil {
		hr.Close()
		return nil, nil, err
	}
	return ids, hr, nil
}

func rolesList() string {
	names := make([]string, len(identity.Roles))
	for i, r := range identity.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
