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
//
// With --public-key FILE (the export of ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE) the
// signatures are checked offline, without Vault.
func auditCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	keyFile := ""
	switch {
	case len(args) == 1 && args[0] == "verify":
	case len(args) == 3 && args[0] == "verify" && args[1] == "--public-key" && args[2] != "":
		keyFile = args[2]
	default:
		return usageError("audit: want `audit verify [--public-key FILE]`")
	}
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
		v = checkpointSigner{vc}
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
		fmt.Fprintf(stdout, "BROKEN at seq %d: %s (%d events, %d checkpoints read)\n",
			rep.Break.Seq, rep.Break.Reason, rep.Events, rep.Checkpoints)
		return errChainBroken
	}
	fmt.Fprintf(stdout, "ok: %d events, hash chain intact, %d checkpoint signatures valid\n", rep.Events, rep.Checkpoints)
	return nil
}
