// Package vault is the adapter to HashiCorp Vault's transit engine. It
// encrypts and decrypts with named keys that never leave Vault, and maps
// Vault's failures to the domain's errors.
//
// No method may be called inside a database transaction: a Vault round trip
// must never hold a PostgreSQL connection or lock.
package vault

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// maxIdleConns bounds the idle connections kept to Vault.
const maxIdleConns = 64

// Client talks to one transit mount with one token.
type Client struct {
	api   *vaultapi.Client
	mount string
}

// Config selects the Vault server, token and transit mount.
type Config struct {
	Addr       string
	Token      string
	Mount      string        // transit mount path, e.g. "transit"
	Timeout    time.Duration // per request, retries included
	MaxRetries int           // retries on 5xx and 412; 0 means none

	// HTTPClient, when set, carries the requests instead of the default
	// pooled client (tests use it to observe them). New uses a copy: it
	// gives the copy Timeout when it has none and, when it has no
	// CheckRedirect, the Vault client's policy of not following redirects
	// itself. Retries and the per-request timeout apply as with the default.
	// Its transport's TLS settings are the caller's.
	HTTPClient *http.Client
}

// New returns a Client for cfg. It does not contact Vault.
func New(cfg Config) (*Client, error) {
	vc := vaultapi.DefaultConfig()
	if vc.Error != nil {
		return nil, fmt.Errorf("vault: config: %w", vc.Error)
	}
	vc.Address = cfg.Addr
	vc.Timeout = cfg.Timeout
	vc.MaxRetries = cfg.MaxRetries
	vc.MinRetryWait = 50 * time.Millisecond
	vc.MaxRetryWait = 500 * time.Millisecond
	// Keep a connection per concurrent request: the default (GOMAXPROCS+1
	// idle connections) closes and redials connections under load, each a
	// TCP handshake on both sides.
	if t, ok := vc.HttpClient.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = maxIdleConns
		t.MaxIdleConns = maxIdleConns
	}
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		if hc.Timeout == 0 {
			hc.Timeout = cfg.Timeout
		}
		if hc.CheckRedirect == nil {
			hc.CheckRedirect = vc.HttpClient.CheckRedirect
		}
		vc.HttpClient = &hc
	}
	c, err := vaultapi.NewClient(vc)
	if err != nil {
		return nil, fmt.Errorf("vault: client: %w", err)
	}
	c.SetToken(cfg.Token)
	// Never forward to a namespace or wrap by environment accident.
	c.ClearNamespace()
	c.SetWrappingLookupFunc(func(string, string) string { return "" })
	return &Client{api: c, mount: cfg.Mount}, nil
}

var keyNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,127}$`)

func (c *Client) path(parts ...string) (string, error) {
	p := c.mount
	for i, part := range parts {
		if i == len(parts)-1 && !keyNameRE.MatchString(part) {
			return "", fmt.Errorf("vault: key name: %w", derrors.ErrInvalid)
		}
		p += "/" + part
	}
	return p, nil
}

// Check proves that the token is valid and the transit engine answers, by a
// token self-lookup and a read of key. It returns derrors.ErrUnavailable
// when Vault is unreachable, sealed or too slow.
func (c *Client) Check(ctx context.Context, key string) error {
	if _, err := c.api.Auth().Token().LookupSelfWithContext(ctx); err != nil {
		return translate("lookup-self", err)
	}
	p, err := c.path("keys", key)
	if err != nil {
		return err
	}
	s, err := c.api.Logical().ReadWithContext(ctx, p)
	if err != nil {
		return translate("read key", err)
	}
	if s == nil {
		return fmt.Errorf("vault: read key: %w", derrors.ErrNotFound)
	}
	return nil
}

// CreateKey creates the aes256-gcm96 key name, never exportable. Creating a
// key that exists already succeeds, so concurrent callers may race safely.
func (c *Client) CreateKey(ctx context.Context, name string) error {
	p, err := c.path("keys", name)
	if err != nil {
		return err
	}
	_, err = c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"type":       "aes256-gcm96",
		"exportable": false,
	})
	return translate("create key", err)
}

// Encrypt encrypts plaintext with key, binding it to associatedData (for
// entries, the entry id), and returns Vault's ciphertext ("vault:v<n>:…").
func (c *Client) Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error) {
	p, err := c.path("encrypt", key)
	if err != nil {
		return "", err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"plaintext":       base64.StdEncoding.EncodeToString(plaintext),
		"associated_data": base64.StdEncoding.EncodeToString(associatedData),
	})
	if err != nil {
		return "", translate("encrypt", err)
	}
	ct, _ := responseString(s, "ciphertext")
	if ct == "" {
		return "", errors.New("vault: encrypt: no ciphertext in response")
	}
	return ct, nil
}

// Decrypt decrypts ciphertext with key and associatedData. A ciphertext that
// does not belong to key and associatedData is derrors.ErrInvalid; a deleted
// key is derrors.ErrNotFound.
func (c *Client) Decrypt(ctx context.Context, key, ciphertext string, associatedData []byte) ([]byte, error) {
	return c.decrypt(ctx, "decrypt", key, ciphertext, associatedData)
}

// decrypt is Decrypt with op naming the operation in errors.
func (c *Client) decrypt(ctx context.Context, op, key, ciphertext string, associatedData []byte) ([]byte, error) {
	p, err := c.path("decrypt", key)
	if err != nil {
		return nil, err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"ciphertext":      ciphertext,
		"associated_data": base64.StdEncoding.EncodeToString(associatedData),
	})
	if err != nil {
		return nil, translate(op, err)
	}
	b64, ok := responseString(s, "plaintext")
	if !ok {
		return nil, fmt.Errorf("vault: %s: no plaintext in response", op)
	}
	pt, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("vault: %s: decode plaintext: %w", op, err)
	}
	return pt, nil
}

func responseString(s *vaultapi.Secret, field string) (string, bool) {
	if s == nil || s.Data == nil {
		return "", false
	}
	v, ok := s.Data[field].(string)
	return v, ok
}

// translate maps a Vault client error to a domain error. The messages Vault
// returns name paths and keys, never plaintext, so they may be kept.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *vaultapi.ResponseError
	if errors.As(err, &re) {
		switch {
		case re.StatusCode == http.StatusNotFound:
			return fmt.Errorf("vault: %s: %w", op, derrors.ErrNotFound)
		case re.StatusCode == http.StatusBadRequest:
			return fmt.Errorf("vault: %s: %w", op, derrors.ErrInvalid)
		case re.StatusCode == http.StatusForbidden:
			// The token lacks a capability: a deployment error, not the caller's.
			return fmt.Errorf("vault: %s: permission denied", op)
		case re.StatusCode == http.StatusTooManyRequests, re.StatusCode >= 500:
			return fmt.Errorf("vault: %s: status %d: %w", op, re.StatusCode, derrors.ErrUnavailable)
		}
		return fmt.Errorf("vault: %s: status %d", op, re.StatusCode)
	}
	// Transport failures: refused, reset, timed out, context deadline.
	return fmt.Errorf("vault: %s: %w: %w", op, derrors.ErrUnavailable, err)
}

// HMAC returns the keyed hash of input under key (transit hmac, SHA-256), as
// Vault renders it ("vault:v1:…"). It is deterministic per key version, so
// it serves for uniqueness and lookup of values stored encrypted.
func (c *Client) HMAC(ctx context.Context, key string, input []byte) (string, error) {
	p, err := c.path("hmac", key)
	if err != nil {
		return "", err
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"input":     base64.StdEncoding.EncodeToString(input),
		"algorithm": "sha2-256",
	})
	if err != nil {
		return "", translate("hmac", err)
	}
	h, _ := responseString(s, "hmac")
	if h == "" {
		return "", errors.New("vault: hmac: no hmac in response")
	}
	return h, nil
}

// VerifyHMAC reports whether mac ("vault:v<n>:…", as HMAC returned it) is
// key's keyed hash (SHA-256) of input, under the key version that made it;
// Vault compares. A malformed mac is simply not valid. A key that does not
// exist is derrors.ErrInvalid (Vault answers 400); an unreachable or sealed
// Vault is derrors.ErrUnavailable.
func (c *Client) VerifyHMAC(ctx context.Context, key string, input []byte, mac string) (bool, error) {
	p, err := c.path("verify", key)
	if err != nil {
		return false, err
	}
	if _, err := KeyVersion(mac); err != nil {
		return false, nil
	}
	s, err := c.api.Logical().WriteWithContext(ctx, p, map[string]any{
		"input": base64.StdEncoding.EncodeToString(input),
		"hmac":  mac,
	})
	if err != nil {
		return false, translate("verify hmac", err)
	}
	if s == nil || s.Data == nil {
		return false, errors.New("vault: verify hmac: empty response")
	}
	valid, _ := s.Data["valid"].(bool)
	return valid, nil
}
