package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// dataKeyBytes is the length of a data key: 256 bits.
const dataKeyBytes = 32

// WrappedDataKey has Vault generate a fresh 256-bit data key and returns it
// wrapped (encrypted) by key, as a ciphertext ("vault:v<n>:…"); the plaintext
// key is not part of the response. UnwrapDataKey recovers it. A key that
// does not exist is derrors.ErrInvalid (Vault answers 400), an unreachable
// or sealed Vault is derrors.ErrUnavailable.
func (c *Client) WrappedDataKey(ctx context.Context, key string) (string, error) {
	p, err := c.path("datakey", "wrapped", key)
	if err != nil {
		return "", err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{"bits": dataKeyBytes * 8})
	if err != nil {
		return "", translate("wrapped data key", err)
	}
	ct, _ := responseString(s, "ciphertext")
	if ct == "" {
		return "", errors.New("vault: wrapped data key: no ciphertext in response")
	}
	return ct, nil
}

// UnwrapDataKey decrypts wrapped, as WrappedDataKey returned it, with key and
// returns the 32-byte data key. A wrapped key that does not belong to key or
// does not decrypt to 32 bytes, or a key that does not exist, is
// derrors.ErrInvalid; an unreachable or sealed Vault is
// derrors.ErrUnavailable.
func (c *Client) UnwrapDataKey(ctx context.Context, key, wrapped string) ([]byte, error) {
	dk, err := c.decrypt(ctx, "unwrap data key", key, wrapped, nil)
	if err != nil {
		return nil, err
	}
	if len(dk) != dataKeyBytes {
		n := len(dk)
		clear(dk)
		return nil, fmt.Errorf("vault: unwrap data key: %d bytes, want %d: %w", n, dataKeyBytes, derrors.ErrInvalid)
	}
	return dk, nil
}

// RotateKey adds a new version to key. Encryptions use the new version from
// then on; ciphertexts of older versions stay decryptable down to the
// minimum decryption version. A key that does not exist is
// derrors.ErrInvalid (Vault answers 400), an unreachable or sealed Vault
// is derrors.ErrUnavailable.
func (c *Client) RotateKey(ctx context.Context, key string) error {
	p, err := c.path("keys", key)
	if err != nil {
		return err
	}
	_, err = c.api.Logical().WriteWithContext(ctx, p+"/rotate", nil)
	return translate("rotate key", err)
}

// KeyVersions returns key's latest version and its minimum decryption
// version: ciphertexts of versions below minDecryption no longer decrypt. A
// key that does not exist is derrors.ErrNotFound, an unreachable or sealed
// Vault is derrors.ErrUnavailable.
func (c *Client) KeyVersions(ctx context.Context, key string) (latest, minDecryption int, err error) {
	p, err := c.path("keys", key)
	if err != nil {
		return 0, 0, err
	}
	s, err := c.api.Logical().ReadWithContext(ctx, p)
	if err != nil {
		return 0, 0, translate("read key", err)
	}
	if s == nil || s.Data == nil {
		return 0, 0, fmt.Errorf("vault: read key: %w", derrors.ErrNotFound)
	}
	latest, ok := responseInt(s.Data["latest_version"])
	if !ok || latest < 1 {
		return 0, 0, fmt.Errorf("vault: read key: no latest_version in response")
	}
	minDecryption, ok = responseInt(s.Data["min_decryption_version"])
	if !ok || minDecryption < 1 {
		return 0, 0, fmt.Errorf("vault: read key: no min_decryption_version in response")
	}
	return latest, minDecryption, nil
}

// responseInt reads an integer field of a response, which the Vault client
// decodes as a json.Number.
func responseInt(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case int:
		return n, true
	case int64:
		return int(n), int64(int(n)) == n
	case float64:
		i := int(n)
		return i, float64(i) == n
	}
	return 0, false
}

// SetMinDecryptionVersion makes key refuse to decrypt ciphertexts of versions
// below v; raise it only once every ciphertext has been rewrapped
// (RewrapBatch). Vault keeps the older versions, so lowering it again makes
// them decrypt again. A v below 1 or above the latest version, or a key that
// does not exist, is derrors.ErrInvalid; an unreachable or sealed Vault is
// derrors.ErrUnavailable.
func (c *Client) SetMinDecryptionVersion(ctx context.Context, key string, v int) error {
	p, err := c.path("keys", key)
	if err != nil {
		return err
	}
	if v < 1 {
		return fmt.Errorf("vault: set min decryption version: version %d: %w", v, derrors.ErrInvalid)
	}
	_, err = c.api.Logical().WriteWithContext(ctx, p+"/config", map[string]any{"min_decryption_version": v})
	return translate("set min decryption version", err)
}

// KeyVersion returns the key version n of a transit ciphertext
// "vault:v<n>:<data>", without contacting Vault. Anything else is
// derrors.ErrInvalid: a missing prefix, an empty data part, or a version
// that is not a decimal from 1 to 999999999 without leading zeros. The
// error does not echo the ciphertext.
func KeyVersion(ciphertext string) (int, error) {
	rest, ok := strings.CutPrefix(ciphertext, "vault:v")
	if !ok {
		return 0, fmt.Errorf("vault: key version: no vault:v prefix: %w", derrors.ErrInvalid)
	}
	digits, data, ok := strings.Cut(rest, ":")
	if !ok || data == "" {
		return 0, fmt.Errorf("vault: key version: malformed ciphertext: %w", derrors.ErrInvalid)
	}
	if digits == "" || len(digits) > 9 || digits[0] < '1' || digits[0] > '9' {
		return 0, fmt.Errorf("vault: key version: malformed version: %w", derrors.ErrInvalid)
	}
	n := 0
	for _, d := range []byte(digits) {
		if d < '0' || d > '9' {
			return 0, fmt.Errorf("vault: key version: malformed version: %w", derrors.ErrInvalid)
		}
		n = n*10 + int(d-'0')
	}
	return n, nil
}

// KeyExists reports whether the transit key name exists (a read of the
// key, which the application token may do). An unreachable or sealed
// Vault is derrors.ErrUnavailable.
func (c *Client) KeyExists(ctx context.Context, name string) (bool, error) {
	p, err := c.path("keys", name)
	if err != nil {
		return false, err
	}
	s, err := c.api.Logical().ReadWithContext(ctx, p)
	if err != nil {
		if errors.Is(translate("read key", err), derrors.ErrNotFound) {
			return false, nil
		}
		return false, translate("read key", err)
	}
	return s != nil, nil
}

// DeleteKey allows deletion of the transit key name and deletes it: the
// crypto-shredding of a dossier's key. Only a client with the destruction
// token may (the application token is refused). A key that does not exist
// is derrors.ErrInvalid (Vault answers 400); callers check KeyExists
// first. An unreachable or sealed Vault is derrors.ErrUnavailable.
func (c *Client) DeleteKey(ctx context.Context, name string) error {
	p, err := c.path("keys", name)
	if err != nil {
		return err
	}
	if _, err := c.api.Logical().WriteWithContext(ctx, p+"/config", map[string]any{"deletion_allowed": true}); err != nil {
		return translate("allow key deletion", err)
	}
	if _, err := c.api.Logical().DeleteWithContext(ctx, p); err != nil {
		return translate("delete key", err)
	}
	return nil
}
