package employee

import (
	"context"

	"github.com/arbokluis/arbokluis/internal/access"
)

// BSNKey is the service-wide Vault transit key that seals BSNs, and
// BSNAssociatedData binds a BSN's ciphertext to its use, so that no other
// ciphertext under the same key opens as a BSN.
const BSNKey = "pii"

// BSNAssociatedData is the associated data of every BSN ciphertext.
var BSNAssociatedData = []byte("employee-bsn")

// SealedBSN is a citizen service number as stored: the Vault ciphertext
// (service-wide key pii) and a keyed hash (Vault hmac with the same key) for
// uniqueness and lookup. The zero value means no BSN.
type SealedBSN struct {
	Ciphertext string
	Hash       string
}

// IsZero reports whether no BSN is stored.
func (s SealedBSN) IsZero() bool { return s.Ciphertext == "" }

// Sealer encrypts and hashes BSNs, and decrypts them. Errors wrap
// derrors.ErrUnavailable when Vault cannot be reached.
type Sealer interface {
	SealBSN(ctx context.Context, bsn string) (SealedBSN, error)
	OpenBSN(ctx context.Context, s SealedBSN) (string, error)
}

// SeesBSN says how much of a BSN role may see: full for the owning
// employer and the case manager; masked to the last three digits for other
// service staff and for the employee; nothing for anyone else (the admin
// never sees employee data at all).
func SeesBSN(role access.Role) (full, masked bool) {
	switch role {
	case access.RoleEmployer, access.RoleCaseManager:
		return true, false
	case access.RoleLabourExpert, access.RolePhysician, access.RoleLeadPhysician, access.RoleEmployee:
		return false, true
	}
	return false, false
}
