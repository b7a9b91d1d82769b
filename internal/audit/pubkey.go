package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// PublicKeyFile is the exported public half of the checkpoint signing key,
// so that checkpoints can be verified offline, without Vault.
type PublicKeyFile struct {
	Key string `json:"key"`
	// Versions maps a key version ("1") to its base64 ed25519 public key.
	Versions map[string]string `json:"versions"`
}

// WritePublicKeys writes the public keys to path (mode 0644, replacing an
// older export atomically).
func WritePublicKeys(path string, versions map[string]string) error {
	b, err := json.MarshalIndent(PublicKeyFile{Key: "audit-checkpoint", Versions: versions}, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("audit: export public key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("audit: export public key: %w", err)
	}
	return nil
}

// OfflineVerifier checks checkpoint signatures against exported public
// keys.
type OfflineVerifier struct {
	keys map[string]ed25519.PublicKey
}

// LoadOfflineVerifier reads a file written by WritePublicKeys.
func LoadOfflineVerifier(path string) (*OfflineVerifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: public key file: %w", err)
	}
	var f PublicKeyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("audit: public key file: %w", err)
	}
	v := &OfflineVerifier{keys: map[string]ed25519.PublicKey{}}
	for version, b64 := range f.Versions {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("audit: public key file: version %s is not an ed25519 key", version)
		}
		v.keys[version] = raw
	}
	if len(v.keys) == 0 {
		return nil, errors.New("audit: public key file: no keys")
	}
	return v, nil
}

// VerifyCheckpoint checks a Vault signature "vault:v<n>:<base64>" with
// version n's public key.
func (v *OfflineVerifier) VerifyCheckpoint(_ context.Context, message []byte, signature string) (bool, error) {
	rest, ok := strings.CutPrefix(signature, "vault:v")
	if !ok {
		return false, nil
	}
	version, b64, ok := strings.Cut(rest, ":")
	key, known := v.keys[version]
	if !ok || !known {
		return false, nil
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return false, nil
	}
	return ed25519.Verify(key, message, sig), nil
}
