package consent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// plainCipher "decrypts" a ciphertext "sealed:<associated data>:<json>"
// to its JSON when the associated data matches, and counts its calls.
type plainCipher struct {
	calls int
	err   error
}

func (c *plainCipher) Encrypt(context.Context, string, []byte, []byte) (string, error) {
	return "", errors.New("not used")
}

func (c *plainCipher) DecryptBatch(_ context.Context, _ string, items []dossier.Sealed) ([][]byte, error) {
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	out := make([][]byte, len(items))
	for i, it := range items {
		body, ok := strings.CutPrefix(it.Ciphertext, "sealed:"+string(it.AssociatedData)+":")
		if !ok {
			return nil, derrors.ErrInvalid
		}
		out[i] = []byte(body)
	}
	return out, nil
}

// TestListAndOpen: list reads every record of a kind through the store's read,
// opens all their texts in one Vault call bound to each record's kind and
// id, and wraps a failing read or open with the operation, keeping the
// domain error.
func TestListAndOpen(t *testing.T) {
	d := dossier.Dossier{ID: uuid.New(), KeyName: "dossier-x-g1"}
	a := access.Actor{Principal: access.Principal{UserID: uuid.New()}, Role: access.RolePhysician}
	t1, t2 := Transfer{ID: uuid.New()}, Transfer{ID: uuid.New()}
	seal := func(t Transfer, json string) Sealed[Transfer] {
		return Sealed[Transfer]{Record: t, Ciphertext: "sealed:" + string(dossier.CiphertextTransfer.AssociatedData(t.ID)) + ":" + json}
	}
	authorize := func(dossier.Dossier, time.Time) (audit.Event, error) { return audit.Event{}, nil }
	tests := []struct {
		name      string
		stored    []Sealed[Transfer]
		readErr   error
		cipherErr error
		want      []string // the recipients' names, in order
		wantErr   error
		wantCalls int
	}{
		{"two records, one call", []Sealed[Transfer]{seal(t1, `{"recipient":{"name":"A"}}`), seal(t2, `{"recipient":{"name":"B"}}`)},
			nil, nil, []string{"A", "B"}, nil, 1},
		{"none, no call", nil, nil, nil, []string{}, nil, 0},
		{"the read fails", nil, derrors.ErrNotFound, nil, nil, derrors.ErrNotFound, 0},
		{"Vault is down", []Sealed[Transfer]{seal(t1, `{}`)}, nil, derrors.ErrUnavailable, nil, derrors.ErrUnavailable, 1},
		{"a text bound to another record", []Sealed[Transfer]{{Record: t1, Ciphertext: seal(t2, `{}`).Ciphertext}},
			nil, nil, nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &plainCipher{err: tt.cipherErr}
			s := &Service{cipher: c}
			var gotEmployee, gotCaller uuid.UUID
			read := func(_ context.Context, employeeID, callerID uuid.UUID, _ dossier.Authorize) (dossier.Dossier, []Sealed[Transfer], error) {
				gotEmployee, gotCaller = employeeID, callerID
				return d, tt.stored, tt.readErr
			}
			employee := uuid.New()
			got, err := list(context.Background(), s, transfers, read, a, employee, authorize, "transfers")
			if gotEmployee != employee || gotCaller != a.UserID() {
				t.Errorf("list read (employee %s, caller %s), want (%s, %s)", gotEmployee, gotCaller, employee, a.UserID())
			}
			if c.calls != tt.wantCalls {
				t.Errorf("list(%d records) made %d Vault calls, want %d", len(tt.stored), c.calls, tt.wantCalls)
			}
			if tt.want == nil {
				if err == nil || !strings.HasPrefix(err.Error(), "consent: transfers: ") || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Errorf("list = %v, %v; want an error of consent: transfers wrapping %v", got, err, tt.wantErr)
				}
				if errors.Is(err, derrors.ErrInvalid) {
					t.Errorf("list = %v; a text that does not open must not read as the caller's bad input", err)
				}
				return
			}
			names := make([]string, len(got))
			for i, x := range got {
				names[i] = x.Recipient.Name
			}
			if err != nil || strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Errorf("list = %v, %v; want recipients %v", names, err, tt.want)
			}
		})
	}
}
