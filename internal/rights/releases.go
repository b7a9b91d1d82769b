package rights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Release is a released snapshot of a dossier: the entry versions the
// employee may read, never a copy of their text.
type Release struct {
	ID         uuid.UUID
	DossierID  uuid.UUID
	EmployeeID uuid.UUID
	RequestID  uuid.UUID
	ReleasedBy uuid.UUID
	ReleasedAt time.Time
	// Copies counts the PDF copies delivered; the first is free.
	Copies  int
	KeyName string
	Entries int
	// Chosen are the entries the physician chose to release, each with
	// the versions it corrects (nil: every releasable entry version);
	// used when the release is created.
	Chosen []uuid.UUID
}

// ReleaseStore keeps releases in schema medical.
type ReleaseStore interface {
	// CreateRelease snapshots every entry version of a releasable kind
	// (dossier.EntryKind.Releasable: never a working note) of the
	// employee's dossier into a release answering r.RequestID, with
	// its event; no dossier is derrors.ErrNotFound. With r.Chosen it
	// snapshots those entries and the versions they correct only; a chosen
	// id that is not a releasable entry of the dossier is
	// derrors.FieldErrors on entry_ids, and nothing is written. For a
	// request released already it returns that release, writing nothing.
	CreateRelease(ctx context.Context, r Release, ev audit.Event) (Release, error)
	// Release loads a release with its sealed entries, oldest first,
	// writing the event authorize returns before returning them.
	Release(ctx context.Context, id uuid.UUID, authorize func(Release) (audit.Event, error)) (Release, []dossier.SealedEntry, error)
	// Releases lists the releases for an employee, newest first.
	Releases(ctx context.Context, employeeID uuid.UUID) ([]Release, error)
	// CountCopy records one more delivered copy and returns the count
	// before it, with the event.
	CountCopy(ctx context.Context, id uuid.UUID, ev audit.Event) (int, error)
}

// Opener decrypts a release's entries in one Vault call.
type Opener interface {
	DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error)
}

// RequestReader reads the register for releases.
type RequestReader interface {
	SubjectOf(ctx context.Context, userID uuid.UUID) (Subject, error)
	// Subject is RequestStore.Subject.
	Subject(ctx context.Context, employeeID uuid.UUID) (Subject, error)
	// Request loads request id with its subject, writing nothing;
	// derrors.ErrNotFound when unknown.
	Request(ctx context.Context, id uuid.UUID) (Request, Subject, error)
	// Update is RequestStore.Update.
	Update(ctx context.Context, id uuid.UUID, change func(r *Request, s Subject) (audit.Event, Notice, error)) (Request, error)
}

// Releases runs inspection and copy: the physician releases, the employee
// reads.
type Releases struct {
	requests RequestReader
	store    ReleaseStore
	opener   Opener
	people   Directory
	render   CopyRenderer
	now      func() time.Time
}

// NewReleases returns the releases service; people and render serve the
// PDF copy; now defaults to time.Now.
func NewReleases(requests RequestReader, store ReleaseStore, opener Opener, people Directory, render CopyRenderer, now func() time.Time) *Releases {
	if now == nil {
		now = time.Now
	}
	return &Releases{requests: requests, store: store, opener: opener, people: people, render: render, now: now}
}

// Release releases a snapshot of the dossier for a granted inspection or
// copy request, by the physician who may decide it (the responsible one,
// their substitute, or a lead physician while the responsible one is
// absent), and marks the request delivered with a notice to the employee.
// Anyone else is derrors.ErrNotFound; a request of another type, not yet
// granted, or released already is derrors.ErrConflict; an employee
// without a dossier is derrors.ErrNotFound.
func (s *Releases) Release(ctx context.Context, a access.Actor, requestID uuid.UUID) (Release, error) {
	return s.ReleaseEntries(ctx, a, requestID, nil)
}

// MaxReleaseEntries bounds the entries one release names.
const MaxReleaseEntries = 1000

// ReleaseEntries is Release of the entries chosen only (each with the
// versions it corrects; nil: all, as Release). A chosen id that is not a
// releasable entry of the dossier (a working note included), or more
// than MaxReleaseEntries, is derrors.FieldErrors on entry_ids and
// releases nothing; otherwise the errors of Release.
func (s *Releases) ReleaseEntries(ctx context.Context, a access.Actor, requestID uuid.UUID, chosen []uuid.UUID) (Release, error) {
	if chosen != nil && (len(chosen) == 0 || len(chosen) > MaxReleaseEntries || slices.Contains(chosen, uuid.Nil)) {
		return Release{}, derrors.FieldErrors{"entry_ids": fmt.Sprintf("must name 1 to %d entries", MaxReleaseEntries)}
	}
	var out Release
	_, err := s.requests.Update(ctx, requestID, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if selfDecision(a, r, subj) || !r.Type.Medical() || !mayDecide(a, r.Type, subj) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: may not release for this request: %w", derrors.ErrNotFound)
		}
		if r.Type != TypeInspection && r.Type != TypeCopy {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: a %s request is not released: %w", r.Type, derrors.ErrConflict)
		}
		if r.Status != StatusGranted && r.Status != StatusPartlyGranted {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: the request is %s, not granted: %w", r.Status, derrors.ErrConflict)
		}
		// The snapshot is taken in the medical schema first; if the
		// register's update then fails, a retry finds the same release, so
		// nothing is released twice.
		rel, err := s.store.CreateRelease(ctx, Release{ID: uuid.New(), EmployeeID: subj.EmployeeID, RequestID: r.ID,
			ReleasedBy: a.UserID(), ReleasedAt: s.now().UTC(), Chosen: chosen},
			audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
				Action: audit.ActionRelease, ObjectKind: "dossier_release", Outcome: audit.OutcomeOK,
				RequestID: a.RequestID, ClientIP: a.ClientIP})
		if err != nil {
			return audit.Event{}, Notice{}, err
		}
		out = rel
		r.Status, r.UpdatedAt = StatusDelivered, s.now().UTC()
		return requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_delivered", Subject: "Uw dossier is vrijgegeven",
			Body: "De bedrijfsarts heeft uw medisch dossier vrijgegeven. U kunt het inzien en een afschrift downloaden in Arbokluis."}, nil
	})
	if err != nil {
		return Release{}, fmt.Errorf("rights: release: %w", err)
	}
	return out, nil
}

// Mine lists the releases for the caller's own employee record.
func (s *Releases) Mine(ctx context.Context, a access.Actor) ([]Release, error) {
	subj, err := s.requests.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: my releases: %w", err)
	}
	out, err := s.store.Releases(ctx, subj.EmployeeID)
	if err != nil {
		return nil, fmt.Errorf("rights: my releases: %w", err)
	}
	return out, nil
}

// Read returns the entries of one of the caller's own releases, decrypted
// in one Vault call, audited as a read before they are returned. A release
// for anyone else is derrors.ErrNotFound.
func (s *Releases) Read(ctx context.Context, a access.Actor, id uuid.UUID) (Release, []dossier.Entry, error) {
	subj, err := s.requests.SubjectOf(ctx, a.UserID())
	if err != nil {
		return Release{}, nil, fmt.Errorf("rights: read release: %w", err)
	}
	rel, sealed, err := s.store.Release(ctx, id, func(r Release) (audit.Event, error) {
		if r.EmployeeID != subj.EmployeeID {
			return audit.Event{}, fmt.Errorf("rights: release of someone else: %w", derrors.ErrNotFound)
		}
		return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
			TenantID: subj.EmployerID, Action: audit.ActionRead, ObjectKind: "dossier_release", ObjectID: r.ID.String(),
			Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}, nil
	})
	if err != nil {
		return Release{}, nil, fmt.Errorf("rights: read release: %w", err)
	}
	entries, err := s.open(ctx, rel, sealed)
	if err != nil {
		return Release{}, nil, fmt.Errorf("rights: read release: %w", err)
	}
	return rel, entries, nil
}

func (s *Releases) open(ctx context.Context, rel Release, sealed []dossier.SealedEntry) ([]dossier.Entry, error) {
	if len(sealed) == 0 {
		return []dossier.Entry{}, nil
	}
	items := make([]dossier.Sealed, len(sealed))
	for i, e := range sealed {
		items[i] = dossier.Sealed{Ciphertext: e.Ciphertext, AssociatedData: []byte(e.ID.String())}
	}
	pts, err := s.opener.DecryptBatch(ctx, rel.KeyName, items)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	out := make([]dossier.Entry, len(sealed))
	for i, e := range sealed {
		out[i] = e.Entry
		out[i].Text = string(pts[i])
	}
	return out, nil
}

// CopyDocument is what the employee's PDF copy of a release shows.
type CopyDocument struct {
	EmployeeName string
	DossierID    uuid.UUID
	RequestID    uuid.UUID
	ReleaseID    uuid.UUID
	ReleasedBy   string
	ReleasedAt   time.Time
	Repeat       bool
	Entries      []CopyEntry
	GeneratedAt  time.Time
}

// CopyEntry is one released entry version in a copy.
type CopyEntry struct {
	Kind       dossier.EntryKind
	Date       time.Time
	Author     string
	Version    int
	Superseded bool
	// ConcernsNo is the number (from 1) of the entry an own statement is
	// about in the same copy; 0 when none.
	ConcernsNo int
	Text       string
}

// CopyRenderer renders the employee's PDF copy.
type CopyRenderer interface {
	DossierCopy(doc CopyDocument) ([]byte, error)
}

// Copy renders the PDF copy of one of the caller's own releases on demand,
// and records its delivery — with the SHA-256 of the delivered file in the
// export event — before returning it; the first copy is free, later ones
// are marked as repeated. A release for anyone else is derrors.ErrNotFound;
// Vault or the audit trail down is derrors.ErrUnavailable.
func (s *Releases) Copy(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error) {
	if s.people == nil || s.render == nil {
		return nil, fmt.Errorf("rights: copy: no renderer: %w", derrors.ErrUnavailable)
	}
	rel, entries, err := s.Read(ctx, a, id)
	if err != nil {
		return nil, err
	}
	subj, err := s.requests.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: copy: %w", err)
	}
	ids := []uuid.UUID{rel.ReleasedBy}
	for _, e := range entries {
		ids = append(ids, e.AuthorID)
	}
	people, err := s.people.People(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("rights: copy: %w", err)
	}
	name, err := s.people.EmployeeName(ctx, subj.EmployeeID)
	if err != nil {
		return nil, fmt.Errorf("rights: copy: %w", err)
	}
	doc := CopyDocument{EmployeeName: name, DossierID: rel.DossierID, RequestID: rel.RequestID, ReleaseID: rel.ID,
		ReleasedBy: people[rel.ReleasedBy].Name, ReleasedAt: rel.ReleasedAt, Repeat: rel.Copies > 0, GeneratedAt: s.now().UTC()}
	number := map[uuid.UUID]int{}
	for i, e := range entries {
		number[e.ID] = i + 1
	}
	for _, e := range entries {
		date := e.OccurredOn
		if date.IsZero() {
			date = e.CreatedAt
		}
		doc.Entries = append(doc.Entries, CopyEntry{Kind: e.Kind, Date: date, Author: people[e.AuthorID].Name,
			Version: e.Version, Superseded: e.SupersededBy != uuid.Nil, ConcernsNo: number[e.Concerns], Text: e.Text})
	}
	// Rendered outside any transaction, in memory.
	b, err := s.render.DossierCopy(doc)
	if err != nil {
		return nil, fmt.Errorf("rights: copy: %w", err)
	}
	sum := sha256.Sum256(b)
	if _, err := s.store.CountCopy(ctx, rel.ID, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role),
		SubjectEmployeeID: subj.EmployeeID, TenantID: subj.EmployerID, Action: audit.ActionExport, ObjectKind: "dossier_copy",
		ObjectID: rel.ID.String() + "#sha256=" + hex.EncodeToString(sum[:]), Outcome: audit.OutcomeOK,
		RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return nil, fmt.Errorf("rights: copy: %w", err)
	}
	return b, nil
}
