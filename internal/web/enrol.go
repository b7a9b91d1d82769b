package web

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
)

// enrolTTL is how long the step between accepting an invitation and
// confirming the first code may take.
const enrolTTL = 30 * time.Minute

// enrolState is what the enrolment page carries from accepting the
// invitation to confirming the first code: the TOTP secret to check the code
// against and the recovery codes to show after. It travels sealed in a
// hidden field of that no-store page; the server keeps nothing.
type enrolState struct {
	Secret  string    `json:"s"`
	URI     string    `json:"u"`
	Codes   []string  `json:"c"`
	Expires time.Time `json:"e"`
}

// sealer seals enrolment state with AES-256-GCM under a key that lives in
// this process only: a state sealed by another process (or before a
// restart) does not open, and the user is told to log in (the account is
// active already; only the showing of the recovery codes is lost).
type sealer struct{ aead cipher.AEAD }

func newSealer() (*sealer, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// errBadState is any state that does not open: forged, altered, from
// another process, or expired.
var errBadState = errors.New("web: enrolment state does not open")

// seal returns st sealed, base64url.
func (s *sealer) seal(st enrolState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte("enrol"))), nil
}

// open returns the state sealed in v, or errBadState when it does not open
// or has expired at now.
func (s *sealer) open(v string, now time.Time) (enrolState, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return enrolState{}, errBadState
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte("enrol"))
	if err != nil {
		return enrolState{}, errBadState
	}
	var st enrolState
	if err := json.Unmarshal(plain, &st); err != nil || now.After(st.Expires) {
		return enrolState{}, errBadState
	}
	return st, nil
}

// qrDataURI renders the otpauth URI as a QR code PNG in a data: URI, for
// an authenticator app to scan.
func qrDataURI(uri string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", fmt.Errorf("web: otpauth URI: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("web: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	// Built here from our own PNG: safe as a URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil //nolint:gosec
}

// groupSecret writes a base32 secret in groups of four, easier to type.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
