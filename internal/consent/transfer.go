package consent

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Transfer is the hand-over of the dossier to another occupational-health
// service when the employer switches: only on the employee's consent.
type Transfer struct {
	ID            uuid.UUID
	DossierID     uuid.UUID
	EmployeeID    uuid.UUID
	ConsentID     uuid.UUID
	Recipient     Party
	PreparedBy    uuid.UUID
	PreparedAt    time.Time
	PackageSHA256 string
	ExportedAt    time.Time
	HandedOverAt  time.Time
	HandedOverBy  uuid.UUID
	// Disposal is what became of the local dossier: close or destroy.
	Disposal string
}

type transferSecret struct {
	Recipient Party `json:"recipient"`
}

// transfers is how transfers are sealed.
var transfers = sealedJSON(dossier.CiphertextTransfer, func(t Transfer) uuid.UUID { return t.ID },
	func(t *Transfer, sec transferSecret) { t.Recipient = sec.Recipient })

// transferConsent loads consent id of employeeID's dossier and checks that
// it allows a transfer today: to another occupational-health service, for
// the transfer (a *ConsentError otherwise).
func (s *Service) transferConsent(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (Consent, error) {
	_, c, err := s.get(ctx, a, employeeID, id, audit.ActionRead)
	if err != nil {
		return Consent{}, err
	}
	if ok, why := c.Covers(RecipientOHS, PurposeTransfer, c.Scope, s.today()); !ok {
		return Consent{}, &ConsentError{Reason: why}
	}
	return c, nil
}

// PrepareTransfer prepares the transfer of employeeID's dossier to the
// occupational-health service that consent consentID names: only under a
// valid consent for the transfer (a *ConsentError otherwise). By the
// responsible physician, their substitute or a lead physician in
// emergency; an assistant is derrors.ErrForbidden.
func (s *Service) PrepareTransfer(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID) (Transfer, error) {
	c, err := s.transferConsent(ctx, a, employeeID, consentID)
	if err != nil {
		return Transfer{}, fmt.Errorf("consent: prepare transfer: %w", err)
	}
	t, err := create(ctx, s, a, employeeID, dossier.CiphertextTransfer, "transfer",
		func(d dossier.Dossier, acc access.DossierAccess) (Transfer, uuid.UUID, any, error) {
			if acc.Capacity == access.CapacityAssistant {
				return Transfer{}, uuid.Nil, nil, fmt.Errorf("consent: an assistant does not transfer dossiers: %w", derrors.ErrForbidden)
			}
			t := Transfer{ID: uuid.New(), DossierID: d.ID, EmployeeID: employeeID, ConsentID: c.ID, Recipient: c.Recipient,
				PreparedBy: a.UserID(), PreparedAt: s.now().UTC().Truncate(time.Microsecond)}
			return t, t.ID, transferSecret{Recipient: t.Recipient}, nil
		}, s.store.InsertTransfer)
	if err != nil {
		return Transfer{}, fmt.Errorf("consent: prepare transfer: %w", err)
	}
	return t, nil
}

// AttachmentLister lists the attachments of a dossier, ids only.
type AttachmentLister interface {
	// AttachmentsOf returns the ids of the attachments of dossierID with
	// the entry each belongs to (uuid.Nil: none), oldest first.
	AttachmentsOf(ctx context.Context, dossierID uuid.UUID) ([][2]uuid.UUID, error)
}

// TransferDocument is what the transfer's PDF summary shows.
type TransferDocument struct {
	Transfer     Transfer
	EmployeeName string
	Entries      []dossier.Entry
	Attachments  int
	GeneratedAt  time.Time
}

// hashingWriter hashes what passes through it.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	return n, err
}

// Package writes the transfer package of transfer id to w as a ZIP
// stream: entries.json (the current entries the consent's scope includes,
// never working notes), the attachments of those entries (and, with a
// consent to the whole dossier, those of no entry), summary.pdf and
// manifest.json
// with the SHA-256 of every part. Nothing is written to disk: entries are
// decrypted in memory and attachments one at a time. The consent must
// still allow the transfer (a *ConsentError otherwise). The export is
// audited before the first byte is written, and the package's SHA-256 is
// recorded on the transfer afterwards. By the physicians who may transfer
// (an assistant is derrors.ErrForbidden). A transfer handed over already
// is derrors.ErrConflict.
func (s *Service) Package(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, w io.Writer) error {
	d, t, err := s.transfer(ctx, a, employeeID, id, audit.ActionExport)
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	if !t.HandedOverAt.IsZero() {
		return fmt.Errorf("consent: the transfer is handed over already: %w", derrors.ErrConflict)
	}
	c, err := s.transferConsent(ctx, a, employeeID, t.ConsentID)
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	// What the employee consented to goes: the consent's kinds and period
	// (never working notes).
	entries, err := s.scopedEntries(ctx, a, employeeID, c.Scope)
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	included := map[uuid.UUID]bool{}
	for _, e := range entries {
		included[e.ID] = true
	}
	refs, err := s.lister.AttachmentsOf(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	// Attachments of no entry have no kind or date of their own: they go
	// only with a consent to the whole dossier.
	fullConsent := c.wholeDossier()
	var attIDs []uuid.UUID
	for _, r := range refs {
		if (r[1] == uuid.Nil && fullConsent) || included[r[1]] {
			attIDs = append(attIDs, r[0])
		}
	}
	emp, err := s.people.EmployeeName(ctx, employeeID)
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	summary, err := s.docs.TransferSummary(TransferDocument{Transfer: t, EmployeeName: emp, Entries: entries,
		Attachments: len(attIDs), GeneratedAt: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	entriesJSON, err := json.MarshalIndent(exportJSON(ExportDocument{Disclosure: Disclosure{ID: t.ID, Requester: t.Recipient,
		Task: "overdracht van het medisch dossier", RecipientKind: RecipientOHS, Purpose: PurposeTransfer, Scope: c.Scope,
		Basis: BasisConsent, ConsentID: t.ConsentID}, EmployeeName: emp, Entries: entries, GeneratedAt: s.now().UTC()}), "", "  ")
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}

	whole := &hashingWriter{w: w, h: sha256.New()}
	zw := zip.NewWriter(whole)
	manifest := map[string]any{"format": "arbokluis-transfer/1", "transfer_id": t.ID.String(), "dossier_id": d.ID.String(),
		"consent_id": t.ConsentID.String(), "entries": len(entries), "attachments": len(attIDs)}
	sums := map[string]string{}
	part := func(name string, write func(io.Writer) error) error {
		fw, err := zw.Create(name)
		if err != nil {
			return err
		}
		hw := &hashingWriter{w: fw, h: sha256.New()}
		if err := write(hw); err != nil {
			return err
		}
		sums[name] = hex.EncodeToString(hw.h.Sum(nil))
		return nil
	}
	bytesPart := func(b []byte) func(io.Writer) error {
		return func(w io.Writer) error { _, err := w.Write(b); return err }
	}
	if err := part("entries.json", bytesPart(entriesJSON)); err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	for _, aid := range attIDs {
		att, err := s.attachments.Get(ctx, a, employeeID, aid)
		if err != nil {
			return fmt.Errorf("consent: package: %w", err)
		}
		err = part("attachments/"+aid.String()+extension(att.ContentType), bytesPart(att.Content))
		clear(att.Content)
		if err != nil {
			return fmt.Errorf("consent: package: %w", err)
		}
	}
	if err := part("summary.pdf", bytesPart(summary)); err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	manifest["sha256"] = sums
	mb, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	if err := part("manifest.json", bytesPart(mb)); err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	sum := hex.EncodeToString(whole.h.Sum(nil))
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := s.store.UpdateTransfer(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time, x *Transfer) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		x.PackageSHA256, x.ExportedAt = sum, now
		ev := event(a, acc.OnBehalfOf, audit.ActionExport, d, "transfer_package", x.ID)
		ev.ObjectID = x.ID.String() + "#sha256=" + sum
		return ev, nil
	}); err != nil {
		return fmt.Errorf("consent: package: %w", err)
	}
	return nil
}

func extension(contentType string) string {
	switch contentType {
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	}
	return ".bin"
}

// transfer loads transfer id for a physician who may transfer, audited as
// action.
func (s *Service) transfer(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, action audit.Action) (dossier.Dossier, Transfer, error) {
	d, r, err := s.store.Transfer(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		return event(a, acc.OnBehalfOf, action, d, "transfer", id), nil
	})
	if err != nil {
		return dossier.Dossier{}, Transfer{}, err
	}
	t, err := transfers.openOne(ctx, s.cipher, d, r)
	if err != nil {
		return dossier.Dossier{}, Transfer{}, err
	}
	return d, t, nil
}

// Transfers lists the transfers of employeeID's dossier for those in its
// care, audited as a read.
func (s *Service) Transfers(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Transfer, error) {
	return list(ctx, s, transfers, s.store.Transfers, a, employeeID, s.inCareList(a, audit.ActionRead, "transfers"), "transfers")
}

// Closer closes the local dossier after a hand-over (dossier.Service).
type Closer interface {
	// Close closes the dossier of employeeID to further writes.
	Close(ctx context.Context, a access.Actor, employeeID uuid.UUID) error
}

// Destroyer destroys the local dossier after a hand-over
// (rights.Destructions).
type Destroyer interface {
	// DestroyAfterTransfer destroys the dossier of employeeID through the
	// destruction workflow, on the decision of a; the job answers ref.
	DestroyAfterTransfer(ctx context.Context, a access.Actor, employeeID, ref uuid.UUID) error
}

// HandOver records that the package of transfer id was handed over to the
// receiving service, and what becomes of the local dossier: "close" (kept,
// closed to writes, for its retention term) or "destroy" (through the
// destruction workflow, which refuses while a retention duty holds). A
// dossier is destroyed this way only when the still valid consent took all
// of it (derrors.ErrConflict otherwise) and by the responsible or
// substituting physician (derrors.ErrForbidden under emergency access). The
// package must have been exported (derrors.ErrConflict otherwise, as for a
// second hand-over). The hand-over record is written first; the disposal
// follows; posting the same disposal again retries it.
func (s *Service) HandOver(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, disposal string) (Transfer, error) {
	if disposal != "close" && disposal != "destroy" {
		return Transfer{}, derrors.FieldErrors{"disposal": "must be close or destroy"}
	}
	if disposal == "destroy" {
		// Only what went may go: the whole dossier, on a consent that still
		// holds; otherwise the employee's own destruction request decides.
		_, t, err := s.transfer(ctx, a, employeeID, id, audit.ActionRead)
		if err != nil {
			return Transfer{}, fmt.Errorf("consent: hand over: %w", err)
		}
		c, err := s.transferConsent(ctx, a, employeeID, t.ConsentID)
		if err != nil {
			return Transfer{}, fmt.Errorf("consent: hand over: %w", err)
		}
		if !c.wholeDossier() {
			return Transfer{}, fmt.Errorf("consent: the consent did not take the whole dossier; only a destruction request destroys it: %w", derrors.ErrConflict)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.UpdateTransfer(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time, x *Transfer) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		if disposal == "destroy" && acc.Capacity == access.CapacityEmergency {
			return audit.Event{}, fmt.Errorf("consent: emergency access does not destroy a dossier: %w", derrors.ErrForbidden)
		}
		switch {
		case x.ExportedAt.IsZero():
			return audit.Event{}, fmt.Errorf("consent: the package was never exported: %w", derrors.ErrConflict)
		case !x.HandedOverAt.IsZero() && x.Disposal != disposal:
			return audit.Event{}, fmt.Errorf("consent: handed over already, to %s the dossier: %w", x.Disposal, derrors.ErrConflict)
		case x.HandedOverAt.IsZero():
			x.HandedOverAt, x.HandedOverBy, x.Disposal = now, a.UserID(), disposal
		}
		// Handed over with this disposal already: the disposal is retried.
		return event(a, acc.OnBehalfOf, audit.ActionUpdate, d, "transfer", x.ID), nil
	})
	if err != nil {
		return Transfer{}, fmt.Errorf("consent: hand over: %w", err)
	}
	if disposal == "close" {
		err = s.closer.Close(ctx, a, employeeID)
	} else {
		err = s.destroyer.DestroyAfterTransfer(ctx, a, employeeID, id)
	}
	if err != nil {
		return out, fmt.Errorf("consent: hand over: dispose: %w", err)
	}
	return out, nil
}
