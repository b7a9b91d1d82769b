package identity_test

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/identity"
)

// TestSessionID: a session's id is 32 hex digits, the same for the same
// token hash, different for another, and shows neither the token nor its
// hash.
func TestSessionID(t *testing.T) {
	token, hash, err := identity.NewToken()
	if err != nil {
		t.Fatalf("NewToken: %v", err)
	}
	_, other, _ := identity.NewToken()
	id := identity.SessionID(hash)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("SessionID(hash) = %q, want 32 hex digits", id)
	}
	if again := identity.SessionID(hash); again != id {
		t.Errorf("SessionID(hash) twice = %q, %q; want the same", id, again)
	}
	if o := identity.SessionID(other); o == id {
		t.Errorf("SessionID(other hash) = %q, want another id than %q", o, id)
	}
	if strings.Contains(hex.EncodeToString(hash), id) || strings.Contains(token, id) || strings.Contains(id, hex.EncodeToString(hash)[:16]) {
		t.Errorf("SessionID(hash) = %q shows the token or its hash", id)
	}
}
