package vault_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// assertKeyVersions fails unless KeyVersions(key) is latest, minDecryption.
func assertKeyVersions(t *testing.T, c *vault.Client, key string, latest, minDecryption int) {
	t.Helper()
	l, m, err := c.KeyVersions(context.Background(), key)
	if err != nil || l != latest || m != minDecryption {
		t.Fatalf("KeyVersions(%s) = %d, %d, %v; want %d, %d, nil", key, l, m, err, latest, minDecryption)
	}
}

// assertVersion fails unless every ciphertext is of key version want.
func assertVersion(t *testing.T, fn string, cts []string, want int) {
	t.Helper()
	for i, ct := range cts {
		if v, err := vault.KeyVersion(ct); err != nil || v != want {
			t.Errorf("KeyVersion(%s item %d %q) = %d, %v; want %d, nil", fn, i, ct, v, err, want)
		}
	}
}

func TestRotateRewrapMinDecryptionVersion(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	c, rt := newCountingClient(t, e, e.VaultToken)
	key := newDossierKey(t, e, c)
	const n = 30
	plaintexts, v1 := encryptItems(t, c, key, n)
	v1CTs := make([]string, n)
	for i, it := range v1 {
		v1CTs[i] = it.Ciphertext
	}
	assertVersion(t, "Encrypt", v1CTs, 1)
	assertKeyVersions(t, c, key, 1, 1)

	if err := c.RotateKey(ctx, key); err != nil {
		t.Fatalf("RotateKey(%s): %v", key, err)
	}
	assertKeyVersions(t, c, key, 2, 1)

	before := rt.count("")
	rewrapped, err := c.RewrapBatch(ctx, key, v1)
	if err != nil {
		t.Fatalf("RewrapBatch(%s, %d v1 items): %v", key, n, err)
	}
	if reqs := rt.count("") - before; reqs != 2 {
		t.Errorf("RewrapBatch(%s, %d items) made %d HTTP requests, want 2 (batch decrypt, batch encrypt)", key, n, reqs)
	}
	if len(rewrapped) != n {
		t.Fatalf("RewrapBatch(%s, %d items) = %d ciphertexts, want %d", key, n, len(rewrapped), n)
	}
	assertVersion(t, "RewrapBatch", rewrapped, 2)
	v2 := make([]dossier.Sealed, n)
	for i, ct := range rewrapped {
		v2[i] = dossier.Sealed{Ciphertext: ct, AssociatedData: v1[i].AssociatedData}
	}
	got, err := c.DecryptBatch(ctx, key, v2)
	if err != nil {
		t.Fatalf("DecryptBatch(%s, rewrapped): %v", key, err)
	}
	for i := range got {
		if !bytes.Equal(got[i], plaintexts[i]) {
			t.Errorf("DecryptBatch(%s, rewrapped) item %d = %q, want %q", key, i, got[i], plaintexts[i])
		}
	}
	// The rewrapped ciphertexts stay bound to their own associated data.
	if _, err := c.Decrypt(ctx, key, rewrapped[5], v1[6].AssociatedData); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Decrypt(%s, rewrapped item 5, item 6's associated data) = %v, want ErrInvalid", key, err)
	}

	t.Run("item with wrong associated data", func(t *testing.T) {
		batch := append([]dossier.Sealed(nil), v1...)
		batch[9].AssociatedData = []byte(uuid.NewString())
		got, err := c.RewrapBatch(ctx, key, batch)
		if !errors.Is(err, derrors.ErrInvalid) || got != nil {
			t.Fatalf("RewrapBatch(%s, item 9 with other associated data) = %v, %v; want nil, ErrInvalid", key, got, err)
		}
		if !strings.Contains(err.Error(), "item 9:") {
			t.Errorf("RewrapBatch(%s, item 9 with other associated data) error = %q, want it to name item 9", key, err)
		}
		assertNoContent(t, "RewrapBatch", err, plaintexts, v1)
	})

	if err := c.SetMinDecryptionVersion(ctx, key, 2); err != nil {
		t.Fatalf("SetMinDecryptionVersion(%s, 2): %v", key, err)
	}
	assertKeyVersions(t, c, key, 2, 2)
	if _, err := c.Decrypt(ctx, key, v1[0].Ciphertext, v1[0].AssociatedData); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Decrypt(%s, v1 ciphertext) after SetMinDecryptionVersion(2) = %v, want ErrInvalid", key, err)
	}
	if _, err := c.DecryptBatch(ctx, key, v1); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("DecryptBatch(%s, v1 ciphertexts) after SetMinDecryptionVersion(2) = %v, want ErrInvalid", key, err)
	}
	mixed := append([]dossier.Sealed{v2[0]}, v1[1])
	if _, err := c.DecryptBatch(ctx, key, mixed); !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "item 1:") {
		t.Errorf("DecryptBatch(%s, [v2, v1]) after SetMinDecryptionVersion(2) = %v, want ErrInvalid naming item 1", key, err)
	}
	if _, err := c.DecryptBatch(ctx, key, v2); err != nil {
		t.Errorf("DecryptBatch(%s, v2 ciphertexts) after SetMinDecryptionVersion(2) = %v, want nil", key, err)
	}

	missing := "dossier-" + uuid.NewString() + "-g1"
	errorTests := []struct {
		name string
		call func() error
		want error
	}{
		{"SetMinDecryptionVersion(0)", func() error { return c.SetMinDecryptionVersion(ctx, key, 0) }, derrors.ErrInvalid},
		{"SetMinDecryptionVersion(latest+1)", func() error { return c.SetMinDecryptionVersion(ctx, key, 3) }, derrors.ErrInvalid},
		{"SetMinDecryptionVersion(missing key)", func() error { return c.SetMinDecryptionVersion(ctx, missing, 1) }, derrors.ErrInvalid},
		{"RotateKey(missing key)", func() error { return c.RotateKey(ctx, missing) }, derrors.ErrInvalid},
		{"RotateKey(../sys)", func() error { return c.RotateKey(ctx, "../sys") }, derrors.ErrInvalid},
		{"KeyVersions(missing key)", func() error { _, _, err := c.KeyVersions(ctx, missing); return err }, derrors.ErrNotFound},
		{"KeyVersions(../sys)", func() error { _, _, err := c.KeyVersions(ctx, "../sys"); return err }, derrors.ErrInvalid},
	}
	for _, tt := range errorTests {
		if err := tt.call(); !errors.Is(err, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, err, tt.want)
		}
	}
	assertKeyVersions(t, c, key, 2, 2)
}

func TestDataKey(t *testing.T) {
	e := testenv.Load(t)
	ctx := context.Background()
	c := newClient(t, e, 5*time.Second)
	key := newDossierKey(t, e, c)
	other := newDossierKey(t, e, c)

	var wrapped []string
	var keys [][]byte
	for range 2 {
		w, err := c.WrappedDataKey(ctx, key)
		if err != nil {
			t.Fatalf("WrappedDataKey(%s): %v", key, err)
		}
		if v, err := vault.KeyVersion(w); err != nil || v != 1 {
			t.Errorf("KeyVersion(WrappedDataKey(%s) = %q) = %d, %v; want 1, nil", key, w, v, err)
		}
		dk, err := c.UnwrapDataKey(ctx, key, w)
		if err != nil {
			t.Fatalf("UnwrapDataKey(%s, %q): %v", key, w, err)
		}
		if len(dk) != 32 || bytes.Equal(dk, make([]byte, 32)) {
			t.Errorf("UnwrapDataKey(%s, %q) = %x (%d bytes), want 32 random bytes", key, w, dk, len(dk))
		}
		wrapped, keys = append(wrapped, w), append(keys, dk)
	}
	if wrapped[0] == wrapped[1] || bytes.Equal(keys[0], keys[1]) {
		t.Errorf("two WrappedDataKey(%s) = %q (%x), %q (%x); want different keys", key, wrapped[0], keys[0], wrapped[1], keys[1])
	}

	short, err := c.Encrypt(ctx, key, bytes.Repeat([]byte{7}, 16), nil)
	if err != nil {
		t.Fatalf("Encrypt(%s, 16 bytes): %v", key, err)
	}
	tests := []struct {
		name, key, wrapped string
	}{
		{"under another dossier key", other, wrapped[0]},
		{"16-byte plaintext", key, short},
		{"not a ciphertext", key, "vault:v1:AAAA"},
		{"key name with path", "../sys", wrapped[0]},
	}
	for _, tt := range tests {
		if dk, err := c.UnwrapDataKey(ctx, tt.key, tt.wrapped); !errors.Is(err, derrors.ErrInvalid) || dk != nil {
			t.Errorf("UnwrapDataKey(%s, %s) = %x, %v; want nil, ErrInvalid", tt.key, tt.name, dk, err)
		}
	}
	if _, err := c.WrappedDataKey(ctx, "../sys"); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("WrappedDataKey(../sys) = %v, want ErrInvalid", err)
	}
}

func TestKeyVersion(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: ErrInvalid
	}{
		{"vault:v1:AAAA", 1},
		{"vault:v2:YFIdxvrtNS9wmxTWfma0mHLX6E6XQsbQ8x5BkL0PEg==", 2},
		{"vault:v10:x", 10},
		{"vault:v999999999:x", 999999999},
		{"vault:v1:a:b", 1},
		{"", 0},
		{"vault:v1", 0},
		{"vault:v1:", 0},
		{"vault:v:x", 0},
		{"vault:v0:x", 0},
		{"vault:v01:x", 0},
		{"vault:v-1:x", 0},
		{"vault:v+1:x", 0},
		{"vault:v 1:x", 0},
		{"vault:v1x:x", 0},
		{"vault:v1000000000:x", 0},
		{"vault:v99999999999999999999:x", 0},
		{"vault:v١:x", 0}, // Arabic-Indic digit one
		{"Vault:v1:x", 0},
		{"vault:V1:x", 0},
		{" vault:v1:x", 0},
		{"vault:1:x", 0},
	}
	for _, tt := range tests {
		got, err := vault.KeyVersion(tt.in)
		if tt.want == 0 {
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("KeyVersion(%q) = %d, %v; want ErrInvalid", tt.in, got, err)
			} else if tt.in != "" && strings.Contains(err.Error(), tt.in) {
				t.Errorf("KeyVersion(%q) error = %q, want it not to echo the input", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("KeyVersion(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		}
	}
}

func FuzzKeyVersion(f *testing.F) {
	for _, s := range []string{
		"vault:v1:AAAA", "vault:v42:eA==", "vault:v999999999:x", "vault:v0:x", "vault:v01:x",
		"vault:v:x", "vault:v1:", "vault:v1", "vault:v-1:x", "vault:v1000000000:x", "", "vault:v١:x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := vault.KeyVersion(in)
		if err != nil {
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("KeyVersion(%q) error = %v, want ErrInvalid", in, err)
			}
			if n != 0 {
				t.Fatalf("KeyVersion(%q) = %d with error %v, want 0", in, n, err)
			}
			return
		}
		prefix := "vault:v" + strconv.Itoa(n) + ":"
		if n < 1 || !strings.HasPrefix(in, prefix) || len(in) == len(prefix) {
			t.Fatalf("KeyVersion(%q) = %d, want n >= 1 and the input to be %q followed by data", in, n, prefix)
		}
	})
}
