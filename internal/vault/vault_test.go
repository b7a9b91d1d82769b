package vault_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/vault"
)

func newClient(t testing.TB, e testenv.Env, timeout time.Duration) *vault.Client {
	t.Helper()
	c, err := vault.New(vault.Config{Addr: e.VaultAddr, Token: e.VaultToken, Mount: e.TransitMount, Timeout: timeout})
	if err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	return c
}

// newDossierKey creates a fresh dossier key with the application token and
// deletes it with the destruction token when the test ends.
func newDossierKey(t testing.TB, e testenv.Env, c *vault.Client) string {
	t.Helper()
	name := "dossier-" + uuid.NewString() + "-g1"
	if err := c.CreateKey(context.Background(), name); err != nil {
		t.Fatalf("CreateKey(%s): %v", name, err)
	}
	t.Cleanup(func() {
		d := testenv.VaultClient(t, e.VaultAddr, e.VaultDestructionToken)
		if _, err := d.Logical().Write(e.TransitMount+"/keys/"+name+"/config", map[string]any{"deletion_allowed": true}); err != nil {
			t.Errorf("cleanup: allow deletion of %s: %v", name, err)
			return
		}
		if _, err := d.Logical().Delete(e.TransitMount + "/keys/" + name); err != nil {
			t.Errorf("cleanup: delete %s: %v", name, err)
		}
	})
	return name
}

func TestEncryptDecrypt(t *testing.T) {
	e := testenv.Load(t)
	c := newClient(t, e, 5*time.Second)
	ctx := context.Background()
	key := newDossierKey(t, e, c)
	if err := c.CreateKey(ctx, key); err != nil {
		t.Errorf("CreateKey(existing) = %v, want nil (idempotent)", err)
	}
	plaintext := []byte("consult: rugklachten sinds maart")
	aad := []byte(uuid.NewString())

	ct, err := c.Encrypt(ctx, key, plaintext, aad)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	if bytes.Contains([]byte(ct), plaintext) || len(ct) < 10 || ct[:9] != "vault:v1:" {
		t.Errorf("Encrypt = %q, want a vault:v1: ciphertext without the plaintext", ct)
	}
	got, err := c.Decrypt(ctx, key, ct, aad)
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if !bytes.Equal(got, plaintext) {
		t.Errorf("Decrypt = %q, want %q", got, plaintext)
	}
	if _, err := c.Decrypt(ctx, key, ct, []byte("another entry id")); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Decrypt(wrong associated data) = %v, want ErrInvalid", err)
	}
	if _, err := c.Encrypt(ctx, "../sys/policy", plaintext, aad); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Encrypt(key name with path) = %v, want ErrInvalid", err)
	}
}

// TestTokenPolicies proves the least-privilege policies of
// policies/vault/*.hcl against the real server: what each token may and may
// not do.
func TestTokenPolicies(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	c := newClient(t, e, 5*time.Second)
	key := newDossierKey(t, e, c)
	m := e.TransitMount
	app := testenv.VaultClient(t, e.VaultAddr, e.VaultToken)
	destruction := testenv.VaultClient(t, e.VaultAddr, e.VaultDestructionToken)
	other := "dossier-" + uuid.NewString() + "-g1"
	if err := c.CreateKey(ctx, "activation-code"); err != nil {
		t.Fatalf("CreateKey(activation-code): %v", err)
	}
	codeMAC, err := c.HMAC(ctx, "activation-code", []byte("code"))
	if err != nil {
		t.Fatalf("HMAC(activation-code): %v", err)
	}

	type op struct {
		method string // read, write, delete, list
		path   string
		data   map[string]any
	}
	tests := []struct {
		name   string
		client *vaultapi.Client
		op     op
		allow  bool
	}{
		{"app encrypts", app, op{"write", m + "/encrypt/" + key, map[string]any{"plaintext": "aGk="}}, true},
		{"app reads key", app, op{"read", m + "/keys/" + key, nil}, true},
		{"app rotates", app, op{"write", m + "/keys/" + key + "/rotate", nil}, true},
		{"app raises min decryption version", app, op{"write", m + "/keys/" + key + "/config", map[string]any{"min_decryption_version": 1}}, true},
		{"app wraps a data key", app, op{"write", m + "/datakey/wrapped/" + key, nil}, true},
		{"app signs a checkpoint", app, op{"write", m + "/sign/audit-checkpoint", map[string]any{"input": "aGk="}}, true},
		{"app hashes a BSN", app, op{"write", m + "/hmac/pii", map[string]any{"input": "aGk="}}, true},
		{"app looks itself up", app, op{"read", "auth/token/lookup-self", nil}, true},
		{"app creates the activation-code key", app, op{"write", m + "/keys/activation-code", map[string]any{"type": "aes256-gcm96", "exportable": false}}, true},
		{"app hashes an activation code", app, op{"write", m + "/hmac/activation-code", map[string]any{"input": "aGk="}}, true},
		{"app verifies an activation code", app, op{"write", m + "/verify/activation-code", map[string]any{"input": "Y29kZQ==", "hmac": codeMAC}}, true},

		{"app exports a key", app, op{"read", m + "/export/encryption-key/" + key, nil}, false},
		{"app backs up a key", app, op{"read", m + "/backup/" + key, nil}, false},
		{"app restores a key", app, op{"write", m + "/restore/" + other, map[string]any{"backup": "eA=="}}, false},
		{"app deletes a key", app, op{"delete", m + "/keys/" + key, nil}, false},
		{"app allows deletion", app, op{"write", m + "/keys/" + key + "/config", map[string]any{"deletion_allowed": true}}, false},
		{"app allows plaintext backup", app, op{"write", m + "/keys/" + key + "/config", map[string]any{"allow_plaintext_backup": true}}, false},
		{"app makes a key exportable", app, op{"write", m + "/keys/" + key + "/config", map[string]any{"exportable": true}}, false},
		{"app creates an exportable key", app, op{"write", m + "/keys/" + other, map[string]any{"exportable": true}}, false},
		{"app creates an exportable key (string)", app, op{"write", m + "/keys/" + other, map[string]any{"exportable": "true"}}, false},
		{"app creates another key type", app, op{"write", m + "/keys/" + other, map[string]any{"type": "rsa-2048"}}, false},
		{"app creates a key outside dossier-*", app, op{"write", m + "/keys/mine", nil}, false},
		{"app trims a key", app, op{"write", m + "/keys/" + key + "/trim", map[string]any{"min_available_version": 1}}, false},
		{"app gets a plaintext data key", app, op{"write", m + "/datakey/plaintext/" + key, nil}, false},
		{"app imports a key", app, op{"write", m + "/keys/" + other + "/import", map[string]any{"ciphertext": "eA=="}}, false},
		{"app lists keys", app, op{"list", m + "/keys", nil}, false},
		{"app reads sys/policies", app, op{"list", "sys/policies/acl", nil}, false},
		{"app reads sys/mounts", app, op{"read", "sys/mounts", nil}, false},
		{"app uses sys/tools", app, op{"write", "sys/tools/hash", map[string]any{"input": "aGk="}}, false},
		{"app takes a raft snapshot", app, op{"read", "sys/storage/raft/snapshot", nil}, false},
		{"app creates a token", app, op{"write", "auth/token/create", nil}, false},
		{"app makes the activation-code key exportable", app, op{"write", m + "/keys/activation-code/config", map[string]any{"exportable": true}}, false},
		{"app creates an exportable activation-code key", app, op{"write", m + "/keys/activation-code", map[string]any{"exportable": true}}, false},
		{"app rotates the activation-code key", app, op{"write", m + "/keys/activation-code/rotate", nil}, false},
		{"app encrypts with the activation-code key", app, op{"write", m + "/encrypt/activation-code", map[string]any{"plaintext": "aGk="}}, false},
		{"app deletes the activation-code key", app, op{"delete", m + "/keys/activation-code", nil}, false},

		{"destruction encrypts", destruction, op{"write", m + "/encrypt/" + key, map[string]any{"plaintext": "aGk="}}, false},
		{"destruction decrypts", destruction, op{"write", m + "/decrypt/" + key, map[string]any{"ciphertext": "vault:v1:eA=="}}, false},
		{"destruction exports", destruction, op{"read", m + "/export/encryption-key/" + key, nil}, false},
		{"destruction backs up", destruction, op{"read", m + "/backup/" + key, nil}, false},
		{"destruction changes min decryption version", destruction, op{"write", m + "/keys/" + key + "/config", map[string]any{"min_decryption_version": 2}}, false},
		{"destruction trims", destruction, op{"write", m + "/keys/" + key + "/trim", map[string]any{"min_available_version": 2}}, false},
		{"destruction deletes the pii key", destruction, op{"delete", m + "/keys/pii", nil}, false},
		{"destruction allows deletion of the pii key", destruction, op{"write", m + "/keys/pii/config", map[string]any{"deletion_allowed": true}}, false},
		{"destruction allows deletion of the checkpoint key", destruction, op{"write", m + "/keys/audit-checkpoint/config", map[string]any{"deletion_allowed": true}}, false},
		{"destruction creates an exportable key", destruction, op{"write", m + "/keys/" + other, map[string]any{"deletion_allowed": true, "exportable": true}}, false},
		{"destruction reads sys/mounts", destruction, op{"read", "sys/mounts", nil}, false},
		{"destruction allows deletion of the activation-code key", destruction, op{"write", m + "/keys/activation-code/config", map[string]any{"deletion_allowed": true}}, false},
		{"destruction hashes an activation code", destruction, op{"write", m + "/hmac/activation-code", map[string]any{"input": "aGk="}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			switch tt.op.method {
			case "read":
				_, err = tt.client.Logical().ReadWithContext(ctx, tt.op.path)
			case "write":
				_, err = tt.client.Logical().WriteWithContext(ctx, tt.op.path, tt.op.data)
			case "delete":
				_, err = tt.client.Logical().DeleteWithContext(ctx, tt.op.path)
			case "list":
				_, err = tt.client.Logical().ListWithContext(ctx, tt.op.path)
			}
			denied := isPermissionDenied(err)
			if tt.allow && err != nil {
				t.Errorf("%s %s = %v, want allowed", tt.op.method, tt.op.path, err)
			}
			if !tt.allow && !denied {
				t.Errorf("%s %s = %v, want 403 permission denied", tt.op.method, tt.op.path, err)
			}
		})
	}

	// Finally the destruction token does its one job, and the key is gone.
	t.Run("destruction deletes a dossier key", func(t *testing.T) {
		victim := newDossierKeyNoCleanup(t, c)
		if _, err := destruction.Logical().Write(m+"/keys/"+victim+"/config", map[string]any{"deletion_allowed": true}); err != nil {
			t.Fatalf("allow deletion: %v", err)
		}
		if _, err := destruction.Logical().Delete(m + "/keys/" + victim); err != nil {
			t.Fatalf("delete: %v", err)
		}
		root := testenv.VaultClient(t, e.VaultAddr, e.VaultRootToken)
		s, err := root.Logical().Read(m + "/keys/" + victim)
		if err != nil || s != nil {
			t.Errorf("read deleted key as root = %v, %v; want not found", s, err)
		}
	})
}

func newDossierKeyNoCleanup(t *testing.T, c *vault.Client) string {
	t.Helper()
	name := "dossier-" + uuid.NewString() + "-g1"
	if err := c.CreateKey(context.Background(), name); err != nil {
		t.Fatalf("CreateKey(%s): %v", name, err)
	}
	return name
}

func isPermissionDenied(err error) bool {
	var re *vaultapi.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}

// TestKeysSurviveRestart encrypts, stops the server and starts it again the
// way `make stop` and `make deps` do, and decrypts: the storage is on disk.
func TestKeysSurviveRestart(t *testing.T) {
	t.Parallel()
	v := testenv.StartVault(t)
	ctx := context.Background()
	c := newClient(t, v.Env, 5*time.Second)
	key := "dossier-" + uuid.NewString() + "-g1"
	if err := c.CreateKey(ctx, key); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	aad := []byte("entry-1")
	ct, err := c.Encrypt(ctx, key, []byte("blijft leesbaar"), aad)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}

	v.Stop()
	if err := c.Check(ctx, "pii"); !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Check with the server stopped = %v, want ErrUnavailable", err)
	}
	v.Up()

	c = newClient(t, v.Env, 5*time.Second) // Up may renew or reissue tokens
	got, err := c.Decrypt(ctx, key, ct, aad)
	if err != nil {
		t.Fatalf("Decrypt after restart: %v", err)
	}
	if string(got) != "blijft leesbaar" {
		t.Errorf("Decrypt after restart = %q, want %q", got, "blijft leesbaar")
	}
}

// TestPausedVaultIsUnavailable pauses the server (SIGSTOP): calls time out as
// ErrUnavailable instead of hanging, and work resumes after SIGCONT.
func TestPausedVaultIsUnavailable(t *testing.T) {
	t.Parallel()
	v := testenv.StartVault(t)
	ctx := context.Background()
	c := newClient(t, v.Env, 500*time.Millisecond)
	if err := c.Check(ctx, "pii"); err != nil {
		t.Fatalf("Check before pause: %v", err)
	}
	v.Pause()
	t.Cleanup(v.Resume)
	start := time.Now()
	err := c.Check(ctx, "pii")
	if !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Check while paused = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Check while paused took %v, want it bounded by the timeout", d)
	}
	v.Resume()
	if err := c.Check(ctx, "pii"); err != nil {
		t.Errorf("Check after resume: %v", err)
	}
}

// BenchmarkEncrypt measures one transit encryption of a 1 KiB entry through
// the adapter against the real server (sequential round trips).
func BenchmarkEncrypt(b *testing.B) {
	e := testenv.Load(b)
	c, err := vault.New(vault.Config{Addr: e.VaultAddr, Token: e.VaultToken, Mount: e.TransitMount, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	key := "dossier-" + uuid.NewString() + "-g1"
	if err := c.CreateKey(ctx, key); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		d := testenv.VaultClient(b, e.VaultAddr, e.VaultDestructionToken)
		d.Logical().Write(e.TransitMount+"/keys/"+key+"/config", map[string]any{"deletion_allowed": true}) //nolint:errcheck
		d.Logical().Delete(e.TransitMount + "/keys/" + key)                                                //nolint:errcheck
	})
	plaintext := bytes.Repeat([]byte("a"), 1024)
	aad := []byte(uuid.NewString())
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encrypt(ctx, key, plaintext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifyHMAC: VerifyHMAC accepts the key's HMAC of the same input only;
// a malformed HMAC is simply not valid.
func TestVerifyHMAC(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	c := newClient(t, e, 5*time.Second)
	const key = "activation-code"
	if err := c.CreateKey(ctx, key); err != nil {
		t.Fatalf("CreateKey(%s): %v", key, err)
	}
	mac, err := c.HMAC(ctx, key, []byte("input one"))
	if err != nil {
		t.Fatalf("HMAC(%s): %v", key, err)
	}
	other, err := c.HMAC(ctx, "pii", []byte("input one"))
	if err != nil {
		t.Fatalf("HMAC(pii): %v", err)
	}
	tests := []struct {
		name  string
		input string
		mac   string
		want  bool
	}{
		{"the same input", "input one", mac, true},
		{"another input", "input two", mac, false},
		{"another key's hmac", "input one", other, false},
		{"a malformed hmac", "input one", "not-a-vault-hmac", false},
		{"an empty hmac", "input one", "", false},
		{"a truncated hmac", "input one", mac[:len(mac)-4], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.VerifyHMAC(ctx, key, []byte(tt.input), tt.mac)
			if err != nil || got != tt.want {
				t.Errorf("VerifyHMAC(%s, %q, %q) = %v, %v; want %v, nil", key, tt.input, tt.mac, got, err, tt.want)
			}
		})
	}
}
