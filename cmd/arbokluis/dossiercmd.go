package main

import (
	"context"
	"fmt"
	"io"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// dossierCmd runs `arbokluis dossier rewrap [--rotate]`: every dossier's
// ciphertexts are brought to the latest version of its key, after which
// older key versions are refused for decryption. With --rotate each key is
// rotated first and the refusal waits for the next plain run (writes in
// flight during the rotation are rewrapped then). It prints one line per
// dossier, with ids and counts only.
func dossierCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	rotate := false
	switch {
	case len(args) == 1 && args[0] == "rewrap":
	case len(args) == 2 && args[0] == "rewrap" && args[1] == "--rotate":
		rotate = true
	default:
		return usageError("dossier: want `dossier rewrap [--rotate]`")
	}
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
	err = dossier.Rewrap(ctx, postgres.NewDossierStore(pool), rewrapKeys{vc}, rotate, func(r dossier.RewrapReport) {
		n++
		state := "older versions still decrypt until the next run without --rotate"
		if !rotate {
			state = "older versions no longer decrypt"
		}
		fmt.Fprintf(stdout, "dossier %s: %d entries and %d attachments rewrapped to v%d; %s\n",
			r.DossierID, r.Entries, r.Attachments, r.Version, state)
	})
	fmt.Fprintf(stdout, "%d dossiers done\n", n)
	return err
}

// rewrapKeys adapts the Vault client to dossier.RewrapKeys.
type rewrapKeys struct{ *vault.Client }

func (k rewrapKeys) RewrapBatch(ctx context.Context, key string, items []dossier.Sealed) ([]string, error) {
	return k.Client.RewrapBatch(ctx, key, batchItems(items))
}

// batchItems converts the dossier's sealed items to the Vault adapter's.
func batchItems(items []dossier.Sealed) []vault.BatchItem {
	in := make([]vault.BatchItem, len(items))
	for i, x := range items {
		in[i] = vault.BatchItem{Ciphertext: x.Ciphertext, AssociatedData: x.AssociatedData}
	}
	return in
}
