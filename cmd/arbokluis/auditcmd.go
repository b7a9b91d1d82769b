package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// errChainBroken makes `audit verify` exit non-zero after naming the break.
var errChainBroken = errors.New("audit trail verification failed")

// auditCmd runs `arbokluis audit verify`: it recomputes the hash chain of
// audit.events and checks every checkpoint signature with Vault, and names
// the first broken seq.
func auditCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return usageError("audit: want `audit verify`")
	}
	if err := cfg.Require(config.EnvAuditDatabaseURL, config.EnvVaultAddr, config.EnvVaultToken); err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.AuditDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	vc, err := newVault(cfg)
	if err != nil {
		return err
	}
	rep, err := audit.Verify(ctx, postgres.NewAuditStore(pool), checkpointSigner{vc})
	if err != nil {
		return err
	}
	if rep.Break != nil {
		fmt.Fprintf(stdout, "BROKEN at seq %d: %s (%d events, %d checkpoints read)\n",
			rep.Break.Seq, rep.Break.Reason, rep.Events, rep.Checkpoints)
		return errChainBroken
	}
	fmt.Fprintf(stdout, "ok: %d events, hash chain intact, %d checkpoint signatures valid\n", rep.Events, rep.Checkpoints)
	return nil
}
