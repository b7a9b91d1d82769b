package app

import (
	"net/http"
	"testing"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestStrictTransportSecurityFollowsPublicURL checks that every answer
// tells browsers to keep to https (a year, subdomains included) when the
// public URL is https, and that none does when it is plain http. The other
// security headers are checked on every exchange (checkSecurityHeaders).
func TestStrictTransportSecurityFollowsPublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		publicURL, want string
	}{
		{"https://arbokluis.example.org", "max-age=31536000; includeSubDomains"},
		{"http://localhost:8080", ""},
	}
	for _, tt := range tests {
		t.Run(tt.publicURL, func(t *testing.T) {
			t.Parallel()
			s := newStackWith(t, testenv.Load(t), func(c *config.Config) { c.PublicURL = tt.publicURL })
			for _, r := range []struct {
				method, path string
				body         any
				status       int
			}{
				{"GET", "/healthz", nil, http.StatusOK},
				{"GET", "/api/v1/me", nil, http.StatusUnauthorized},
				{"GET", "/api/v1/nothing", nil, http.StatusNotFound},
				{"POST", "/api/v1/auth/login", map[string]string{"email": "x"}, http.StatusBadRequest},
			} {
				got := s.do(r.method, r.path, "", r.body)
				if got.status != r.status {
					t.Errorf("%s %s = %d, want %d", r.method, r.path, got.status, r.status)
				}
				if h := got.header.Get("Strict-Transport-Security"); h != tt.want {
					t.Errorf("public URL %s: %s %s Strict-Transport-Security = %q, want %q", tt.publicURL, r.method, r.path, h, tt.want)
				}
			}
		})
	}
}
