package identity

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// cheap keeps unit tests fast; the production parameters are benchmarked.
var cheap = PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1}

func TestHashAndVerifyPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if strings.Contains(h, pw) || !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("HashPassword = %q, want a PHC argon2id string without the password", h)
	}
	if ok, err := VerifyPassword(fixedHash, "a long enough password"); !ok || err != nil {
		t.Errorf("VerifyPassword(fixedHash) = %v, %v; want true (the fuzz fixture must be valid)", ok, err)
	}
	h2, _ := HashPassword(pw, cheap)
	if h == h2 {
		t.Errorf("two hashes of the same password are equal; want distinct salts")
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{pw, true},
		{pw + " ", false},
		{"", false},
		{strings.Repeat("x", 300), false},
	}
	for _, tt := range tests {
		got, err := VerifyPassword(h, tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("VerifyPassword(hash, %q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("a long enough password", cheap)
	parts := strings.Split(good, "$")
	tests := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"huge memory":    strings.Replace(good, "m=8192", "m=99999999", 1),
		"zero time":      strings.Replace(good, "t=1", "t=0", 1),
		"trailing param": strings.Replace(good, "p=1", "p=1,x=2", 1),
		"bad salt":       strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":      strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := VerifyPassword(h, "a long enough password")
			if ok || err == nil {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
			}
		})
	}
}

// fixedHash is HashPassword("a long enough password", cheap) from one run;
// fuzz workers are separate processes, so the fixture must be a constant.
const fixedHash = "$argon2id$v=19$m=8192,t=1,p=1$RO0revp20D/aTf1ISTJ0dg$BoT9Iqh+lwVhgrCHUrTLhsme9s1c5Cdb2lslX7ZdpNE"

func FuzzVerifyPassword(f *testing.F) {
	good := fixedHash
	f.Add(good, "a long enough password")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "x")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		ok, err := VerifyPassword(encoded, pw)
		if err != nil && ok {
			t.Errorf("VerifyPassword(%q) = true with error %v", encoded, err)
		}
		if ok && encoded != good {
			t.Errorf("VerifyPassword(%q, %q) = true for a hash not made by HashPassword", encoded, pw)
		}
	})
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"twelve chars", true},
		{"elevenchars", false},
		{"ëëëëëëëëëëëë", true},
		{strings.Repeat("a", 257), false},
		{"\xff\xfe invalid utf8", false},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.pw)
		if tt.ok != (err == nil) {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		}
		if err != nil && !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("ValidatePassword(%q) = %v, want ErrInvalid", tt.pw, err)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret, uri, err := NewTOTP("Arbokluis", "user-1")
	if err != nil {
		t.Fatalf("NewTOTP: %v", err)
	}
	if !strings.HasPrefix(uri, "otpauth://totp/Arbokluis:user-1?") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("NewTOTP uri = %q, want an otpauth URI with the secret", uri)
	}
	now := time.Date(2026, 11, 22, 10, 0, 15, 0, time.UTC)
	step := now.Unix() / 30
	code := func(s int64) string {
		c, err := TOTPCode(secret, time.Unix(s*30, 0))
		if err != nil {
			t.Fatalf("TOTPCode: %v", err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantOK   bool
		wantStep int64
	}{
		{"current", code(step), 0, true, step},
		{"one step behind (drift)", code(step - 1), 0, true, step - 1},
		{"one step ahead (drift)", code(step + 1), 0, true, step + 1},
		{"two steps behind", code(step - 2), 0, false, 0},
		{"replay of the last used step", code(step), step, false, 0},
		{"older than the last used step", code(step - 1), step, false, 0},
		{"newer than the last used step", code(step + 1), step, true, step + 1},
		{"letters", "12a456", 0, false, 0},
		{"too short", code(step)[:5], 0, false, 0},
		{"empty", "", 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VerifyTOTP(secret, tt.code, tt.lastStep, now)
			if ok != tt.wantOK || got != tt.wantStep {
				t.Errorf("VerifyTOTP(code %q, lastStep %d) = %d, %v; want %d, %v", tt.code, tt.lastStep, got, ok, tt.wantStep, tt.wantOK)
			}
		})
	}
}

func FuzzVerifyTOTP(f *testing.F) {
	f.Add("123456", int64(0))
	f.Add("", int64(-1))
	f.Add("12345６", int64(5))
	secret, _, _ := NewTOTP("Arbokluis", "fuzz")
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, code string, lastStep int64) {
		step, ok := VerifyTOTP(secret, code, lastStep, now)
		if ok && (step <= lastStep || len(code) != 6) {
			t.Errorf("VerifyTOTP(%q, %d) = %d, true; want a 6-digit code at a step after lastStep", code, lastStep, step)
		}
	})
}

func TestNewToken(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatalf("NewToken: %v", err)
	}
	if len(tok) != 43 || !ValidTokenShape(tok) {
		t.Errorf("NewToken = %q, want 43 base64url characters (256 bits)", tok)
	}
	if string(HashToken(tok)) != string(hash) || len(hash) != 32 {
		t.Errorf("NewToken hash does not match HashToken(token)")
	}
	other, _, _ := NewToken()
	if other == tok {
		t.Errorf("two tokens are equal")
	}
	for _, bad := range []string{"", "short", tok + "x", strings.Repeat("!", 43)} {
		if ValidTokenShape(bad) {
			t.Errorf("ValidTokenShape(%q) = true, want false", bad)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := DefaultBackoff
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {5, 0}, {6, time.Second}, {7, 2 * time.Second}, {8, 4 * time.Second},
		{15, 512 * time.Second}, {16, 15 * time.Minute}, {1000, 15 * time.Minute},
	}
	for _, tt := range tests {
		if got := b.Delay(tt.failures); got != tt.want {
			t.Errorf("Delay(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple", DefaultPasswordParams); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		t.Fatalf("NewRecoveryCodes: %v", err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		norm, ok := NormalizeRecoveryCode(c)
		if !ok || norm != c || string(HashToken(c)) != string(hashes[i]) {
			t.Errorf("code %q: normalised %q (%v), want itself and its hash", c, norm, ok)
		}
		if seen[c] {
			t.Errorf("code %q repeats", c)
		}
		seen[c] = true
	}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abcd-efgh-jkmn-pqrs", "ABCD-EFGH-JKMN-PQRS", true},
		{" ABCDEFGHJKMNPQRS ", "ABCD-EFGH-JKMN-PQRS", true},
		{"ABCD-EFGH-JKMN-PQRI", "", false}, // I is not in the alphabet
		{"123456", "", false},
		{"ABCD-EFGH-JKMN", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeRecoveryCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JKMN-PQRS", "abcd", "", "----------------", "ÀBCD-EFGH-JKMN-PQRS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := NormalizeRecoveryCode(in)
		if !ok {
			return
		}
		again, ok2 := NormalizeRecoveryCode(got)
		if !ok2 || again != got || len(got) != 19 {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, which does not normalise to itself", in, got)
		}
	})
}

func TestScopeProblem(t *testing.T) {
	emp := uuid.New()
	tests := []struct {
		role     access.Role
		employer uuid.UUID
		ok       bool
	}{
		{access.RoleEmployer, emp, true}, {access.RoleEmployer, uuid.Nil, false},
		{access.RoleEmployee, emp, true}, {access.RoleEmployee, uuid.Nil, false},
		{access.RoleCaseManager, uuid.Nil, true}, {access.RoleCaseManager, emp, true},
		{access.RolePhysician, emp, true}, {access.RoleLabourExpert, uuid.Nil, true},
		{access.RoleAdmin, uuid.Nil, true}, {access.RoleAdmin, emp, false},
		{access.RolePrivacyOfficer, emp, false},
	}
	for _, tt := range tests {
		if got := scopeProblem(tt.role, tt.employer) == ""; got != tt.ok {
			t.Errorf("scopeProblem(%s, employer set %v) ok = %v, want %v", tt.role, tt.employer != uuid.Nil, got, tt.ok)
		}
	}
}
