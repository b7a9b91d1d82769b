package vault

import (
	"context"
	"encoding/base64"
	"errors"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// CheckpointKey is the ed25519 transit key that signs audit checkpoints.
const CheckpointKey = "audit-checkpoint"

// SignCheckpoint signs message with the audit checkpoint key and returns
// Vault's signature ("vault:v<n>:<base64>").
func (c *Client) SignCheckpoint(ctx context.Context, message []byte) (string, error) {
	p, err := c.path("sign", CheckpointKey)
	if err != nil {
		return "", err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"input": base64.StdEncoding.EncodeToString(message),
	})
	if err != nil {
		return "", translate("sign", err)
	}
	sig, _ := responseString(s, "signature")
	if sig == "" {
		return "", errors.New("vault: sign: no signature in response")
	}
	return sig, nil
}

// VerifyCheckpoint reports whether signature is the audit checkpoint key's
// signature of message. A malformed signature is simply not valid.
func (c *Client) VerifyCheckpoint(ctx context.Context, message []byte, signature string) (bool, error) {
	p, err := c.path("verify", CheckpointKey)
	if err != nil {
		return false, err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"input":     base64.StdEncoding.EncodeToString(message),
		"signature": signature,
	})
	if err != nil {
		err = translate("verify", err)
		if errors.Is(err, derrors.ErrInvalid) {
			return false, nil
		}
		return false, err
	}
	if s == nil || s.Data == nil {
		return false, errors.New("vault: verify: empty response")
	}
	valid, _ := s.Data["valid"].(bool)
	return valid, nil
}

// CheckpointPublicKeys returns the public keys of every version of the
// audit checkpoint key, by version ("1", "2", …), base64 as Vault gives
// them.
func (c *Client) CheckpointPublicKeys(ctx context.Context) (map[string]string, error) {
	p, err := c.path("keys", CheckpointKey)
	if err != nil {
		return nil, err
	}
	s, err := c.api.Logical().ReadWithContext(ctx, p)
	if err != nil {
		return nil, translate("read key", err)
	}
	if s == nil || s.Data == nil {
		return nil, errors.New("vault: read key: empty response")
	}
	versions, _ := s.Data["keys"].(map[string]any)
	out := map[string]string{}
	for v, info := range versions {
		m, _ := info.(map[string]any)
		if pk, _ := m["public_key"].(string); pk != "" {
			out[v] = pk
		}
	}
	if len(out) == 0 {
		return nil, errors.New("vault: read key: no public key in response")
	}
	return out, nil
}
