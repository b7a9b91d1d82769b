package vault_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

const renewSelfPath = "/v1/auth/token/renew-self"

// bogusToken is a token Vault does not know; errors must not echo it.
const bogusToken = "hvs.not-a-real-token-0d1e2a"

func TestRenewSelf(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	c, rt := newCountingClient(t, e, e.VaultToken)
	ttl, err := c.RenewSelf(ctx)
	if err != nil || ttl <= 0 {
		t.Fatalf("RenewSelf() = %v, %v; want a positive TTL, nil", ttl, err)
	}
	if n := rt.count(renewSelfPath); n != 1 {
		t.Errorf("RenewSelf() made %d requests to %s, want 1", n, renewSelfPath)
	}

	bad, _ := newCountingClient(t, e, bogusToken)
	ttl, err = bad.RenewSelf(ctx)
	if err == nil || ttl != 0 {
		t.Fatalf("RenewSelf(unknown token) = %v, %v; want 0, an error", ttl, err)
	}
	if strings.Contains(err.Error(), bogusToken) {
		t.Errorf("RenewSelf(unknown token) error = %q, want it without the token", err)
	}
}

// logRecorder collects what KeepRenewed logs.
type logRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (l *logRecorder) logf(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *logRecorder) logged() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// waitFor polls cond until it holds or d passes, and reports which.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func TestKeepRenewed(t *testing.T) {
	e := testenv.Load(t)
	tests := []struct {
		name    string
		token   string
		wantLog bool
	}{
		{"valid token", e.VaultToken, false},
		{"unknown token", bogusToken, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rt := newCountingClient(t, e, tt.token)
			var log logRecorder
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				c.KeepRenewed(ctx, 25*time.Millisecond, log.logf)
			}()
			if !waitFor(5*time.Second, func() bool { return rt.count(renewSelfPath) >= 3 }) {
				t.Fatalf("KeepRenewed(every 25ms) made %d renew-self requests in 5s, want at least 3", rt.count(renewSelfPath))
			}
			if tt.wantLog && !waitFor(5*time.Second, func() bool { return len(log.logged()) >= 2 }) {
				t.Fatalf("KeepRenewed(%s) logged %d errors, want at least 2", tt.name, len(log.logged()))
			}
			cancel()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				t.Fatalf("KeepRenewed did not return within 2s of its context ending")
			}
			after := rt.count(renewSelfPath)
			time.Sleep(100 * time.Millisecond)
			if n := rt.count(renewSelfPath); n != after {
				t.Errorf("KeepRenewed made %d renew-self requests after returning, want 0", n-after)
			}
			logged := log.logged()
			if !tt.wantLog && len(logged) > 0 {
				t.Errorf("KeepRenewed(%s) logged %v, want nothing", tt.name, logged)
			}
			for _, err := range logged {
				if err == nil || strings.Contains(err.Error(), tt.token) {
					t.Errorf("KeepRenewed(%s) logged %v, want an error without the token", tt.name, err)
				}
			}
		})
	}

	t.Run("interval not positive", func(t *testing.T) {
		c, rt := newCountingClient(t, e, e.VaultToken)
		var log logRecorder
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.KeepRenewed(context.Background(), 0, log.logf)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("KeepRenewed(every 0) did not return")
		}
		if logged := log.logged(); len(logged) != 1 || !errors.Is(logged[0], derrors.ErrInvalid) {
			t.Errorf("KeepRenewed(every 0) logged %v, want one ErrInvalid", logged)
		}
		if n := rt.count(""); n != 0 {
			t.Errorf("KeepRenewed(every 0) made %d requests, want 0", n)
		}
	})
}
