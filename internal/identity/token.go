package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// tokenBytes is the entropy of a session or one-time link token: 256 bits.
const tokenBytes = 32

// NewToken returns a fresh opaque token for the caller and the hash under
// which it is stored. The token itself is never stored.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("identity: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the storage hash of token. Tokens carry 256 random bits,
// so a plain SHA-256 (no salt, no stretching) is enough and lets lookups use
// an index.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ValidTokenShape reports whether s looks like a token NewToken made, so
// malformed input is refused before any lookup.
func ValidTokenShape(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Backoff is the policy for failed logins per (account, client IP): the
// first FreeAttempts failures cost nothing, after that each failure doubles
// the wait, from Base up to Max.
type Backoff struct {
	FreeAttempts int
	Base, Max    time.Duration
}

// DefaultBackoff allows 5 free attempts, then waits 1 s, 2 s, 4 s … up to
// 15 minutes.
var DefaultBackoff = Backoff{FreeAttempts: 5, Base: time.Second, Max: 15 * time.Minute}

// Delay returns how long to refuse attempts after failures consecutive
// failures.
func (b Backoff) Delay(failures int) time.Duration {
	if failures <= b.FreeAttempts {
		return 0
	}
	d := b.Base
	for i := b.FreeAttempts + 1; i < failures; i++ {
		d *= 2
		if d >= b.Max {
			return b.Max
		}
	}
	return min(d, b.Max)
}

// recoveryAlphabet is Crockford's base32: no I, L, O or U to misread.
const recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// RecoveryCodeCount is how many single-use recovery codes an account gets.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns RecoveryCodeCount codes of 80 random bits each,
// formatted XXXX-XXXX-XXXX-XXXX, and their storage hashes. 80 bits make an
// unsalted SHA-256 safe to store.
func NewRecoveryCodes() (codes []string, hashes [][]byte, err error) {
	for range RecoveryCodeCount {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("identity: recovery code: %w", err)
		}
		var sb strings.Builder
		for i, v := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[v%32]) // 32 divides 256: no bias
		}
		code := sb.String()
		codes = append(codes, code)
		hashes = append(hashes, HashToken(code))
	}
	return codes, hashes, nil
}

// NormalizeRecoveryCode returns code in canonical form and whether it has
// the shape of a recovery code (case and dashes are forgiven).
func NormalizeRecoveryCode(code string) (string, bool) {
	raw := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	if len(raw) != 16 || strings.Trim(raw, recoveryAlphabet) != "" {
		return "", false
	}
	return raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16], true
}
