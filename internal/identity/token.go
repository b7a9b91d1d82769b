package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
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
