package dossier

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// AttachmentTypes are the content types an attachment may have; the
// content itself must be of the type it claims.
var AttachmentTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

// Attachment is a letter or report in a dossier. No file name is kept: it
// may be medical itself.
type Attachment struct {
	ID          uuid.UUID
	DossierID   uuid.UUID
	EntryID     uuid.UUID // the entry it belongs to, uuid.Nil when none
	ContentType string
	Size        int
	AuthorID    uuid.UUID
	OnBehalfOf  uuid.UUID
	CreatedAt   time.Time
	Content     []byte
}

// SealedAttachment is an attachment as stored: the content is AES-256-GCM
// under a data key that only Vault can unwrap, bound to the attachment id.
type SealedAttachment struct {
	Attachment
	WrappedKey string
	Nonce      []byte
	Sealed     []byte
}

// DataKeys is what attachments need of Vault: a fresh data key wrapped by
// the dossier's key, and its unwrapping. No call is made inside a database
// transaction.
type DataKeys interface {
	WrappedDataKey(ctx context.Context, key string) (string, error)
	UnwrapDataKey(ctx context.Context, key, wrapped string) ([]byte, error)
}

// AttachmentStore persists attachments in schema medical.
type AttachmentStore interface {
	// InsertAttachment stores a with its event in one step, provided the
	// dossier still matches expect (derrors.ErrConflict otherwise) and an
	// entry it names is in the same dossier (derrors.ErrNotFound).
	InsertAttachment(ctx context.Context, a SealedAttachment, expect Dossier, ev audit.Event) error
	// Attachment loads one attachment of employeeID's dossier, writes the
	// event authorize returns, and only then returns it; one of another
	// dossier is derrors.ErrNotFound.
	Attachment(ctx context.Context, employeeID, id, callerID uuid.UUID, authorize Authorize) (Dossier, SealedAttachment, error)
	// Attachments lists the attachments of employeeID's dossier without
	// their content, oldest first, after writing the event authorize
	// returns; no dossier is derrors.ErrNotFound.
	Attachments(ctx context.Context, employeeID, callerID uuid.UUID, authorize Authorize) ([]Attachment, error)
}

// Attachments runs the attachments of dossiers, beside the entries.
type Attachments struct {
	entries *Entries
	store   AttachmentStore
	keys    DataKeys
	max     int
}

// NewAttachments returns the attachments service, sharing the dossier
// rules of entries; max bounds one attachment's size in bytes.
func NewAttachments(entries *Entries, store AttachmentStore, keys DataKeys, max int) *Attachments {
	return &Attachments{entries: entries, store: store, keys: keys, max: max}
}

func gcmFor(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Add stores an attachment in employeeID's dossier (creating the dossier on
// the first medical write, as Create does), encrypted under a fresh data
// key. Content that is empty, over the limit, of a type not allowed, not
// of the type it claims or not a whole, well-formed file of it
// (CheckContent) is derrors.FieldErrors; the errors of Create apply
// otherwise.
func (s *Attachments) Add(ctx context.Context, a access.Actor, employeeID uuid.UUID, in Attachment) (Attachment, error) {
	p, err := s.Seal(ctx, a, employeeID, in)
	if err != nil {
		return Attachment{}, err
	}
	if err := s.store.InsertAttachment(ctx, p.Attachment, p.Dossier, p.Event); err != nil {
		return Attachment{}, fmt.Errorf("dossier: add attachment: %w", err)
	}
	return p.Attachment.Attachment, nil
}

// PendingAttachment is an attachment encrypted for a dossier but not
// stored yet (see PendingEntry). Its Attachment carries no content.
type PendingAttachment struct {
	Attachment SealedAttachment
	Dossier    Dossier
	Event      audit.Event
}

// Seal checks in and encrypts it for employeeID's dossier as Add would,
// without storing it. The errors are those of Add.
func (s *Attachments) Seal(ctx context.Context, a access.Actor, employeeID uuid.UUID, in Attachment) (PendingAttachment, error) {
	fe := derrors.FieldErrors{}
	switch {
	case !AttachmentTypes[in.ContentType]:
		fe.Add("content_type", "must be application/pdf, image/png or image/jpeg")
	case len(in.Content) == 0:
		fe.Add("content", "is empty")
	case len(in.Content) > s.max:
		fe.Add("content", fmt.Sprintf("must be at most %d bytes", s.max))
	case http.DetectContentType(in.Content) != in.ContentType:
		fe.Add("content", "is not of the content type it claims")
	default:
		if err := CheckContent(in.ContentType, in.Content); err != nil {
			fe.Add("content", err.Error())
		}
	}
	if err := fe.Err(); err != nil {
		return PendingAttachment{}, err
	}
	d, acc, err := s.entries.ensureDossier(ctx, a, employeeID, KindTreatingPhysicianInfo)
	if err != nil {
		return PendingAttachment{}, fmt.Errorf("dossier: add attachment: %w", err)
	}
	out := Attachment{ID: uuid.New(), DossierID: d.ID, EntryID: in.EntryID, ContentType: in.ContentType,
		Size: len(in.Content), AuthorID: a.UserID(), OnBehalfOf: acc.OnBehalfOf,
		CreatedAt: s.entries.now().UTC().Truncate(time.Microsecond)}
	wrapped, err := s.keys.WrappedDataKey(ctx, d.KeyName)
	if err != nil {
		return PendingAttachment{}, fmt.Errorf("dossier: add attachment: data key: %w", err)
	}
	key, err := s.keys.UnwrapDataKey(ctx, d.KeyName, wrapped)
	if err != nil {
		return PendingAttachment{}, fmt.Errorf("dossier: add attachment: data key: %w", err)
	}
	defer wipe(key)
	aead, err := gcmFor(key)
	if err != nil {
		return PendingAttachment{}, fmt.Errorf("dossier: add attachment: %w", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return PendingAttachment{}, fmt.Errorf("dossier: add attachment: nonce: %w", err)
	}
	sa := SealedAttachment{Attachment: out, WrappedKey: wrapped, Nonce: nonce,
		Sealed: aead.Seal(nil, nonce, in.Content, []byte(out.ID.String()))}
	return PendingAttachment{Attachment: sa, Dossier: d,
		Event: entryEvent(a, acc, audit.ActionCreate, d, "dossier_attachment", out.ID)}, nil
}

// List returns the attachments of employeeID's dossier without their
// content (ids, types, sizes, authors, times), oldest first, audited as a
// read of the dossier's attachments. A dossier outside the caller's care,
// or none, is derrors.ErrNotFound.
func (s *Attachments) List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Attachment, error) {
	now := s.entries.now()
	as, err := s.store.Attachments(ctx, employeeID, a.UserID(), func(d Dossier, until time.Time) (audit.Event, error) {
		acc, err := accessOf(a, d, until, now, false, "")
		if err != nil {
			return audit.Event{}, err
		}
		return entryEvent(a, acc, audit.ActionRead, d, "dossier_attachments", d.ID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("dossier: attachments: %w", err)
	}
	return as, nil
}

// Get returns an attachment of employeeID's dossier with its content,
// audited as an export before the content is decrypted. An attachment
// outside the caller's care, or of another dossier, is derrors.ErrNotFound;
// Vault down is derrors.ErrUnavailable.
func (s *Attachments) Get(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (Attachment, error) {
	now := s.entries.now()
	d, sa, err := s.store.Attachment(ctx, employeeID, id, a.UserID(), func(d Dossier, until time.Time) (audit.Event, error) {
		acc, err := accessOf(a, d, until, now, false, "")
		if err != nil {
			return audit.Event{}, err
		}
		return entryEvent(a, acc, audit.ActionExport, d, "dossier_attachment", id), nil
	})
	if err != nil {
		return Attachment{}, fmt.Errorf("dossier: get attachment: %w", err)
	}
	key, err := s.keys.UnwrapDataKey(ctx, d.KeyName, sa.WrappedKey)
	if err != nil {
		if errors.Is(err, derrors.ErrInvalid) {
			return Attachment{}, fmt.Errorf("dossier: attachment %s: its data key does not open under the dossier key: %v", id, err)
		}
		return Attachment{}, fmt.Errorf("dossier: get attachment: data key: %w", err)
	}
	defer wipe(key)
	aead, err := gcmFor(key)
	if err != nil {
		return Attachment{}, fmt.Errorf("dossier: get attachment: %w", err)
	}
	content, err := aead.Open(nil, sa.Nonce, sa.Sealed, []byte(sa.ID.String()))
	if err != nil {
		return Attachment{}, fmt.Errorf("dossier: attachment %s does not open under its data key and id", id)
	}
	out := sa.Attachment
	out.Content = content
	return out, nil
}
