package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// PasswordParams are the argon2id cost parameters.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPasswordParams follow the OWASP recommendation for argon2id
// (64 MiB, 3 passes) sized for a 2-core server.
var DefaultPasswordParams = PasswordParams{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen         = 16
	keyLen          = 32
	minPasswordLen  = 12
	maxPasswordLen  = 256 // bytes; argon2 hashes anything, but bodies are bounded
	passwordScheme  = "argon2id"
	argonVersionStr = "v=19"
)

// ValidatePassword checks a chosen password: 12 to 256 characters, valid
// UTF-8. It returns derrors.FieldErrors for field "password".
func ValidatePassword(pw string) error {
	fe := derrors.FieldErrors{}
	switch {
	case !utf8.ValidString(pw):
		fe.Add("password", "must be valid UTF-8")
	case utf8.RuneCountInString(pw) < minPasswordLen:
		fe.Add("password", fmt.Sprintf("must be at least %d characters", minPasswordLen))
	case len(pw) > maxPasswordLen:
		fe.Add("password", fmt.Sprintf("must be at most %d bytes", maxPasswordLen))
	}
	return fe.Err()
}

// HashPassword returns the PHC-format argon2id hash of pw with a fresh salt.
func HashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$%s$%s$m=%d,t=%d,p=%d$%s$%s", passwordScheme, argonVersionStr,
		p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("identity: malformed password hash")

// parsedHash is a decoded PHC argon2id string.
type parsedHash struct {
	params    PasswordParams
	salt, key []byte
}

// parseHash decodes a PHC argon2id string, refusing parameters outside sane
// bounds so a corrupted row cannot make verification allocate gigabytes.
func parseHash(encoded string) (parsedHash, error) {
	var h parsedHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != passwordScheme || parts[2] != argonVersionStr {
		return h, errBadHash
	}
	var m, t, p uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return h, errBadHash
	}
	if m < 8*1024 || m > 1024*1024 || t < 1 || t > 16 || p < 1 || p > 16 {
		return h, errBadHash
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return h, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return h, errBadHash
	}
	h.params = PasswordParams{Memory: m, Time: t, Threads: uint8(p)}
	h.salt, h.key = salt, key
	return h, nil
}

// VerifyPassword reports whether pw matches encoded, comparing in constant
// time. A malformed hash is an error, never a match.
func VerifyPassword(encoded, pw string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > maxPasswordLen {
		return false, nil
	}
	key := argon2.IDKey([]byte(pw), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}
