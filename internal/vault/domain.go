package vault

import (
	"context"
	"errors"
	"fmt"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
)

// The domain's ports that the application token's client serves as it is.
var (
	_ employee.Sealer = (*Client)(nil)
	_ audit.Signer    = (*Client)(nil)
)

// SealBSN seals a BSN under employee.BSNKey, bound to
// employee.BSNAssociatedData, with a keyed hash (Vault HMAC under the same
// key) for lookup. Errors are those of Encrypt and HMAC; none carries the
// BSN.
func (c *Client) SealBSN(ctx context.Context, bsn string) (employee.SealedBSN, error) {
	ct, err := c.Encrypt(ctx, employee.BSNKey, []byte(bsn), employee.BSNAssociatedData)
	if err != nil {
		return employee.SealedBSN{}, err
	}
	h, err := c.HMAC(ctx, employee.BSNKey, []byte(bsn))
	if err != nil {
		return employee.SealedBSN{}, err
	}
	return employee.SealedBSN{Ciphertext: ct, Hash: h}, nil
}

// OpenBSN opens a BSN that SealBSN sealed. Errors are those of Decrypt.
func (c *Client) OpenBSN(ctx context.Context, sealed employee.SealedBSN) (string, error) {
	b, err := c.Decrypt(ctx, employee.BSNKey, sealed.Ciphertext, employee.BSNAssociatedData)
	return string(b), err
}

// DestructionKeys serves dossier.DestructionKeys with two clients: App (the
// application token) for everything but deleting a key, which only
// Shredder (the destruction token) may do. A nil Shredder makes CanDelete
// and DeleteKey derrors.ErrUnavailable.
type DestructionKeys struct {
	App, Shredder *Client
}

var _ dossier.DestructionKeys = DestructionKeys{}

// CanDelete checks that a destruction token is configured and Vault
// accepts it: derrors.ErrUnavailable otherwise, so that no destruction
// begins that could not end.
func (k DestructionKeys) CanDelete(ctx context.Context) error {
	if k.Shredder == nil {
		return errNoShredder
	}
	if err := k.Shredder.LookupSelf(ctx); err != nil {
		// A token Vault refuses is a deployment fault; it makes destruction
		// unavailable, never a half-begun job.
		if errors.Is(err, derrors.ErrUnavailable) {
			return err
		}
		return fmt.Errorf("vault: the destruction token is not valid (%v): %w", err, derrors.ErrUnavailable)
	}
	return nil
}

var errNoShredder = fmt.Errorf("vault: no destruction token configured (ARBOKLUIS_VAULT_DESTRUCTION_TOKEN): %w", derrors.ErrUnavailable)

// KeyExists reports whether key exists, with the application token.
func (k DestructionKeys) KeyExists(ctx context.Context, name string) (bool, error) {
	return k.App.KeyExists(ctx, name)
}

// DeleteKey deletes key with the destruction token.
func (k DestructionKeys) DeleteKey(ctx context.Context, name string) error {
	if k.Shredder == nil {
		return errNoShredder
	}
	return k.Shredder.DeleteKey(ctx, name)
}

// CreateKey creates key with the application token.
func (k DestructionKeys) CreateKey(ctx context.Context, name string) error {
	return k.App.CreateKey(ctx, name)
}

// DecryptBatch decrypts with the application token.
func (k DestructionKeys) DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error) {
	return k.App.DecryptBatch(ctx, key, items)
}

// EncryptBatch encrypts with the application token.
func (k DestructionKeys) EncryptBatch(ctx context.Context, key string, items []dossier.Plain) ([]string, error) {
	return k.App.EncryptBatch(ctx, key, items)
}
