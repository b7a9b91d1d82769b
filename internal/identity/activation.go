package identity

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// An employee's login is the key to their released medical data, their
// veto on examination outcomes and their consents. Whoever holds the mailed
// invitation link alone must not be able to take it: accepting an employee
// invitation also needs an activation code that reaches the employee by a
// second channel the employer does not control — handed over in person by
// the staff member who issued the login, or in a letter to the home address
// the employee gave that staff member.

// Activation is how an employee invitation's activation code reaches the
// employee.
type Activation string

// The ways an activation code travels.
const (
	// ActivationInPerson: the code is shown once, in the answer to the
	// staff member who issues the login, to hand over in person.
	ActivationInPerson Activation = "in_person"
	// ActivationLetter: the code is printed once, in a letter the staff
	// member downloads to post to the employee's home address.
	ActivationLetter Activation = "letter"
)

// Valid reports whether a is a known way to deliver a code.
func (a Activation) Valid() bool { return a == ActivationInPerson || a == ActivationLetter }

// DefaultActivationTTL is how long an employee invitation (its link and
// its activation code) works unless configured otherwise: long enough for
// a letter to arrive by post.
const DefaultActivationTTL = 14 * 24 * time.Hour

// MaxActivationAttempts bounds the attempts with an activation code per
// invitation; a wrong code at the last one voids the invitation, and staff
// must issue a new one.
const MaxActivationAttempts = 5

// ActivationCodeKey is the Vault transit key under which activation codes
// are HMAC'd. The application creates it on first use (aes256-gcm96, never
// exportable).
const ActivationCodeKey = "activation-code"

// activationAlphabet has no 0/O, 1/I/L or U: a code is read aloud or typed
// from paper.
const activationAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"

// activationCodeLen is the number of characters of a code: 30^10, about 49
// bits, against at most MaxActivationAttempts guesses.
const activationCodeLen = 10

// CodeKeys computes and checks keyed hashes with a key that never leaves
// the key store (Vault transit). A key store that is unreachable is
// derrors.ErrUnavailable.
type CodeKeys interface {
	// CreateKey creates the key name; creating one that exists succeeds.
	CreateKey(ctx context.Context, name string) error
	// HMAC returns the keyed hash of input under key ("vault:v<n>:…").
	HMAC(ctx context.Context, key string, input []byte) (string, error)
	// VerifyHMAC reports whether mac is key's keyed hash of input, under
	// whichever key version made it.
	VerifyHMAC(ctx context.Context, key string, input []byte, mac string) (bool, error)
}

// NewActivationCode returns a fresh code of activationCodeLen characters
// from activationAlphabet, grouped as XXXXX-XXXXX.
func NewActivationCode() (string, error) {
	out := make([]byte, 0, activationCodeLen+1)
	buf := make([]byte, 32)
	for len(out) < activationCodeLen+1 {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("identity: activation code: %w", err)
		}
		for _, b := range buf {
			// 240 = 8 × 30: rejecting the rest leaves no bias.
			if b >= 240 || len(out) == activationCodeLen+1 {
				continue
			}
			if len(out) == activationCodeLen/2 {
				out = append(out, '-')
			}
			out = append(out, activationAlphabet[b%30])
		}
	}
	return string(out), nil
}

// NormalizeActivationCode returns code without spaces and dashes, in upper
// case, and whether it has the shape of an activation code.
func NormalizeActivationCode(code string) (string, bool) {
	raw := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	if len(raw) != activationCodeLen || strings.Trim(raw, activationAlphabet) != "" {
		return "", false
	}
	return raw, true
}

// activationInput is what is HMAC'd for a code: a purpose label, the
// invitation id and the normalised code, so that a code proves nothing for
// another invitation and no table of codes can be computed in advance.
func activationInput(invitationID uuid.UUID, normalized string) []byte {
	in := make([]byte, 0, 64)
	in = append(in, "arbokluis activation code v1\x00"...)
	in = append(in, invitationID[:]...)
	return append(in, normalized...)
}
