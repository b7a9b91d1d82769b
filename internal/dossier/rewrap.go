package dossier

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// CiphertextKind names what a stored ciphertext of a dossier is; every one is
// under the dossier's key.
type CiphertextKind string

// The kinds of ciphertext a dossier holds.
const (
	CiphertextEntry              CiphertextKind = "entry"
	CiphertextAttachmentKey      CiphertextKind = "attachment" // an attachment's wrapped data key
	CiphertextConsent            CiphertextKind = "consent"
	CiphertextInformationRequest CiphertextKind = "information_request"
	CiphertextDisclosure         CiphertextKind = "disclosure"
	CiphertextTransfer           CiphertextKind = "transfer"
)

// AssociatedData returns what a ciphertext of kind k with id is bound to:
// an entry to its id, an attachment's data key to nothing (the attachment
// binds its content to its id itself), anything else to "<kind>:<id>".
func (k CiphertextKind) AssociatedData(id uuid.UUID) []byte {
	switch k {
	case CiphertextEntry:
		return []byte(id.String())
	case CiphertextAttachmentKey:
		return nil
	}
	return []byte(string(k) + ":" + id.String())
}

// Stale is one stored ciphertext of a dossier, of kind Kind (bound as
// Kind.AssociatedData(ID) says).
type Stale struct {
	ID         uuid.UUID
	Kind       CiphertextKind
	Ciphertext string
}

// RewrapStore is what a rewrap needs of the medical schema.
type RewrapStore interface {
	// KeyedDossiers lists the open or closed dossiers whose key exists in
	// Vault, with their key names (one being destroyed or re-keyed is left
	// to its destruction).
	KeyedDossiers(ctx context.Context) ([]Dossier, error)
	// Stale returns up to limit ciphertexts of the dossier under a key
	// version below version.
	Stale(ctx context.Context, dossierID uuid.UUID, version, limit int) ([]Stale, error)
	// Replace stores the rewrapped ciphertexts (same content, version).
	Replace(ctx context.Context, items []Stale, ciphertexts []string, version int) error
}

// RewrapKeys is what a rewrap needs of Vault. No call is made inside a
// database transaction.
type RewrapKeys interface {
	RotateKey(ctx context.Context, key string) error
	KeyVersions(ctx context.Context, key string) (latest, minDecryption int, err error)
	RewrapBatch(ctx context.Context, key string, items []Sealed) ([]string, error)
	SetMinDecryptionVersion(ctx context.Context, key string, v int) error
}

// rewrapBatch bounds one Vault batch of a rewrap.
const rewrapBatch = 100

// RewrapReport counts what a rewrap did to one dossier.
type RewrapReport struct {
	DossierID   uuid.UUID
	Version     int
	Entries     int
	Attachments int
	// Records counts consents, information requests, disclosures and
	// transfers.
	Records int
	// MinRaised says the older versions no longer decrypt.
	MinRaised bool
}

// Rewrap brings every stored ciphertext of every dossier to the latest
// version of its key and raises the key's minimum decryption version to
// it, so that older key versions no longer decrypt anything. With rotate,
// each key is rotated first and the minimum is left alone: a write that
// encrypted under the old version just before the rotation may still be
// landing, so the next run without rotate rewraps such stragglers and only
// then raises the minimum. progress is called once per dossier with ids
// and counts only. It stops at the first error, leaving what was done
// consistent: a minimum is raised only after all ciphertexts are rewrapped.
func Rewrap(ctx context.Context, store RewrapStore, keys RewrapKeys, rotate bool, progress func(RewrapReport)) error {
	ds, err := store.KeyedDossiers(ctx)
	if err != nil {
		return fmt.Errorf("dossier: rewrap: %w", err)
	}
	for _, d := range ds {
		if rotate {
			if err := keys.RotateKey(ctx, d.KeyName); err != nil {
				return fmt.Errorf("dossier: rewrap %s: rotate: %w", d.ID, err)
			}
		}
		latest, minimum, err := keys.KeyVersions(ctx, d.KeyName)
		if err != nil {
			return fmt.Errorf("dossier: rewrap %s: key versions: %w", d.ID, err)
		}
		rep := RewrapReport{DossierID: d.ID, Version: latest}
		for {
			stale, err := store.Stale(ctx, d.ID, latest, rewrapBatch)
			if err != nil {
				return fmt.Errorf("dossier: rewrap %s: %w", d.ID, err)
			}
			if len(stale) == 0 {
				break
			}
			items := make([]Sealed, len(stale))
			for i, x := range stale {
				items[i] = Sealed{Ciphertext: x.Ciphertext, AssociatedData: x.Kind.AssociatedData(x.ID)}
			}
			cts, err := keys.RewrapBatch(ctx, d.KeyName, items)
			if err != nil {
				return fmt.Errorf("dossier: rewrap %s: %w", d.ID, err)
			}
			if err := store.Replace(ctx, stale, cts, latest); err != nil {
				return fmt.Errorf("dossier: rewrap %s: %w", d.ID, err)
			}
			for _, x := range stale {
				switch x.Kind {
				case CiphertextEntry:
					rep.Entries++
				case CiphertextAttachmentKey:
					rep.Attachments++
				default:
					rep.Records++
				}
			}
		}
		if !rotate && minimum < latest {
			if err := keys.SetMinDecryptionVersion(ctx, d.KeyName, latest); err != nil {
				return fmt.Errorf("dossier: rewrap %s: minimum version: %w", d.ID, err)
			}
			rep.MinRaised = true
		}
		if progress != nil {
			progress(rep)
		}
	}
	return nil
}
