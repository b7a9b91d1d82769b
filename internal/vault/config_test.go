package vault_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// flakyTransport answers the first failures requests with 503 itself and
// passes the rest on; with hang it instead blocks every request until the
// request is cancelled.
type flakyTransport struct {
	base     http.RoundTripper
	failures int64
	hang     bool
	n        atomic.Int64
}

func (ft *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := ft.n.Add(1)
	if ft.hang {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	if n <= ft.failures {
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"errors":["Vault is sealed"]}`)),
			Request:    r,
		}, nil
	}
	return ft.base.RoundTrip(r)
}

// TestConfigHTTPClient proves that a caller's HTTPClient carries the
// requests with the retries and the timeout of the configuration, and that
// New leaves the caller's client as it was.
func TestConfigHTTPClient(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	key := newDossierKey(t, e, newClient(t, e, 5*time.Second))
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)

	tests := []struct {
		name       string
		transport  *flakyTransport
		maxRetries int
		timeout    time.Duration
		wantErr    error
		wantReqs   int64
	}{
		{"one 503, retried", &flakyTransport{base: base, failures: 1}, 2, 5 * time.Second, nil, 2},
		{"three 503s, two retries", &flakyTransport{base: base, failures: 3}, 2, 5 * time.Second, derrors.ErrUnavailable, 3},
		{"one 503, no retries", &flakyTransport{base: base, failures: 1}, 0, 5 * time.Second, derrors.ErrUnavailable, 1},
		{"hanging, bounded by the timeout", &flakyTransport{base: base, hang: true}, 0, 300 * time.Millisecond, derrors.ErrUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := &http.Client{Transport: tt.transport}
			c, err := vault.New(vault.Config{
				Addr: e.VaultAddr, Token: e.VaultToken, Mount: e.TransitMount,
				Timeout: tt.timeout, MaxRetries: tt.maxRetries, HTTPClient: hc,
			})
			if err != nil {
				t.Fatalf("vault.New: %v", err)
			}
			if hc.Timeout != 0 || hc.CheckRedirect != nil || hc.Transport != tt.transport {
				t.Errorf("vault.New changed the caller's HTTPClient to %+v, want it untouched", hc)
			}
			start := time.Now()
			_, err = c.Encrypt(ctx, key, []byte("x"), []byte("entry-1"))
			if (tt.wantErr == nil && err != nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Encrypt via %s = %v, want %v", tt.name, err, tt.wantErr)
			}
			if n := tt.transport.n.Load(); n != tt.wantReqs {
				t.Errorf("Encrypt via %s made %d requests, want %d", tt.name, n, tt.wantReqs)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Encrypt via %s took %v, want it bounded by the timeout", tt.name, d)
			}
		})
	}
}
