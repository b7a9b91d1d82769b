package vault

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// The batch calls take the dossier's own types: a dossier.Sealed is one
// ciphertext and the associated data it is bound to (for entries, the entry
// id); a dossier.Plain one plaintext and the associated data to bind it to.
var (
	_ dossier.EntryCipher = (*Client)(nil)
	_ dossier.RewrapKeys  = (*Client)(nil)
	_ dossier.DataKeys    = (*Client)(nil)
)

// DecryptBatch decrypts items with key in one request, each with its own
// associated data, and returns the plaintexts in the order of items. If any
// item fails (a ciphertext that does not belong to key and its associated
// data, or older than the key's minimum decryption version), the whole call
// fails with an error wrapping derrors.ErrInvalid that names the index of the
// first failing item (unless every item failed) and never the content.
// A key that does not exist (deleted, say) is derrors.ErrInvalid as well,
// since Vault answers 400 for it; an unreachable or sealed Vault is
// derrors.ErrUnavailable. No items is nil, nil, without a request.
func (c *Client) DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error) {
	return c.decryptBatch(ctx, "decrypt batch", key, items)
}

func (c *Client) decryptBatch(ctx context.Context, op, key string, items []dossier.Sealed) ([][]byte, error) {
	if len(items) == 0 {
		return nil, nil
	}
	in := make([]map[string]any, len(items))
	for i, it := range items {
		in[i] = map[string]any{
			"ciphertext":      it.Ciphertext,
			"associated_data": base64.StdEncoding.EncodeToString(it.AssociatedData),
		}
	}
	results, err := c.batch(ctx, op, "decrypt", key, in)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(results))
	for i, r := range results {
		b64, ok := r["plaintext"].(string)
		if !ok {
			return nil, fmt.Errorf("vault: %s: item %d: no plaintext in response", op, i)
		}
		pt, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("vault: %s: item %d: decode plaintext: %w", op, i, err)
		}
		out[i] = pt
	}
	return out, nil
}

// EncryptBatch encrypts items with key in one request, binding each
// plaintext to its associated data, and returns the ciphertexts
// ("vault:v<n>:…") in the order of items. If any item fails, the whole call
// fails with an error wrapping derrors.ErrInvalid that names the index of the
// first failing item (unless every item failed) and never the content. An
// unreachable or sealed Vault is derrors.ErrUnavailable. No items is nil,
// nil, without a request.
func (c *Client) EncryptBatch(ctx context.Context, key string, items []dossier.Plain) ([]string, error) {
	return c.encryptBatch(ctx, "encrypt batch", key, items)
}

func (c *Client) encryptBatch(ctx context.Context, op, key string, items []dossier.Plain) ([]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	in := make([]map[string]any, len(items))
	for i, it := range items {
		in[i] = map[string]any{
			"plaintext":       base64.StdEncoding.EncodeToString(it.Plaintext),
			"associated_data": base64.StdEncoding.EncodeToString(it.AssociatedData),
		}
	}
	results, err := c.batch(ctx, op, "encrypt", key, in)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(results))
	for i, r := range results {
		ct, _ := r["ciphertext"].(string)
		if ct == "" {
			return nil, fmt.Errorf("vault: %s: item %d: no ciphertext in response", op, i)
		}
		out[i] = ct
	}
	return out, nil
}

// RewrapBatch re-encrypts items under the latest version of key, each bound
// to its own associated data as before, and returns the new ciphertexts in
// the order of items; afterwards the minimum decryption version may be
// raised past the old versions.
//
// Vault's transit/rewrap ignores associated_data (1.21; hashicorp/vault
// issues 29532 and 31791), so it cannot rewrap a ciphertext bound to any.
// RewrapBatch therefore makes two requests, a batch decrypt and a batch
// encrypt under the same key; the plaintexts pass through this process's
// memory only and are cleared once encrypted.
//
// If any item fails to decrypt or encrypt, the whole call fails with an error
// wrapping derrors.ErrInvalid that names the index of the first failing item
// (unless every item failed) and never the content; nothing is returned for
// the other items. A key that does not exist is derrors.ErrInvalid, an
// unreachable or sealed Vault derrors.ErrUnavailable. No items is nil, nil,
// without a request.
func (c *Client) RewrapBatch(ctx context.Context, key string, items []dossier.Sealed) ([]string, error) {
	const op = "rewrap batch"
	pts, err := c.decryptBatch(ctx, op, key, items)
	if err != nil || len(pts) == 0 {
		return nil, err
	}
	defer func() {
		for _, pt := range pts {
			clear(pt)
		}
	}()
	in := make([]dossier.Plain, len(items))
	for i, it := range items {
		in[i] = dossier.Plain{Plaintext: pts[i], AssociatedData: it.AssociatedData}
	}
	return c.encryptBatch(ctx, op, key, in)
}

// batch sends inputs to endpoint ("decrypt" or "encrypt") of key as one
// batch_input request and returns the results in input order. An item's
// error fails the whole call with derrors.ErrInvalid naming that item's
// index only: Vault's per-item message is dropped.
//
// Vault answers 400 for a batch in which any item fails, with no way to tell
// which through the client; partial_failure_response_code makes it answer
// 200 with per-item errors instead, unless every item failed, which stays a
// 400 and so derrors.ErrInvalid without an index.
func (c *Client) batch(ctx context.Context, op, endpoint, key string, inputs []map[string]any) ([]map[string]any, error) {
	p, err := c.path(endpoint, key)
	if err != nil {
		return nil, err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"batch_input":                   inputs,
		"partial_failure_response_code": http.StatusOK,
	})
	if err != nil {
		return nil, translate(op, err)
	}
	if s == nil || s.Data == nil {
		return nil, fmt.Errorf("vault: %s: empty response", op)
	}
	raw, _ := s.Data["batch_results"].([]any)
	if len(raw) != len(inputs) {
		return nil, fmt.Errorf("vault: %s: %d results for %d items", op, len(raw), len(inputs))
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("vault: %s: item %d: malformed result", op, i)
		}
		if e, _ := m["error"].(string); e != "" {
			return nil, fmt.Errorf("vault: %s: item %d: %w", op, i, derrors.ErrInvalid)
		}
		out[i] = m
	}
	return out, nil
}
