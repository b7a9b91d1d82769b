package identity

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238 defaults that every authenticator app supports.
const (
	totpPeriod = 30 // seconds
	totpDigits = otp.DigitsSix
	// totpSkew is how many steps before and after now a code is accepted,
	// for clock drift between phone and server.
	totpSkew = 1
)

// NewTOTP generates a TOTP secret for account and returns the secret (base32)
// and the otpauth:// URI an authenticator app enrols from.
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		Digits:      totpDigits,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("identity: generate TOTP: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// TOTPCode returns the code for secret at t (for tests and the console).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{
		Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
}

// VerifyTOTP checks code against secret at now, within one step of clock
// drift either way, and refuses any step at or before lastStep, so a code
// (or an older one) cannot be used twice. On success it returns the step the
// code belongs to, which the caller stores as the new lastStep.
func VerifyTOTP(secret, code string, lastStep int64, now time.Time) (step int64, ok bool) {
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	current := now.Unix() / totpPeriod
	matched := int64(-1)
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		want, err := TOTPCode(secret, time.Unix(s*totpPeriod, 0))
		if err != nil {
			return 0, false
		}
		// Check every candidate, so timing does not reveal which step matched.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 || matched <= lastStep {
		return 0, false
	}
	return matched, true
}
