package dossier

import "github.com/google/uuid"

// The secrecy rules of entry kinds. Each is stated here once; the services
// decide with these functions and the stores pass the kind lists they
// return to SQL as parameters, so no other package spells a kind that one
// of these rules singles out. The CHECK constraints in migrations/ repeat
// them as a last guard.

// AuthorOnly reports whether entries of kind k are readable by their author
// alone: a physician's personal working note (DESIGN §5: "readable only by
// its author"). No substitute, lead physician (not even in an emergency),
// medical assistant, employee or third party reads one. The domain keeps it
// so because a working note stays outside the employee's inspection right
// only while it is personal (domain.md, NVAB on working notes).
func (k EntryKind) AuthorOnly() bool {
	return k == KindWorkingNote
}

// AuthorOnlyKinds returns the kinds for which AuthorOnly holds, in the
// order of EntryKinds; the slice is the caller's.
func AuthorOnlyKinds() []EntryKind {
	return kindsWhere(EntryKind.AuthorOnly)
}

// ReadableBy reports whether an entry of kind written by authorID may be
// shown to readerID, whose access to the dossier itself is decided
// elsewhere (responsible, substitute, assistant with a valid statement,
// emergency access): every kind may, except an author-only kind (a working
// note) to anyone but its author. A medical assistant therefore never sees
// a working note: they may not write one (AssistantMayWrite), so none is
// theirs.
func ReadableBy(kind EntryKind, authorID, readerID uuid.UUID) bool {
	return !kind.AuthorOnly() || authorID == readerID
}

// AssistantMayWrite reports whether a medical assistant, acting for a
// physician under a valid confidentiality statement, may write entries of
// kind k: any kind but a diagnosis and a working note (DESIGN §1,
// medical_assistant: "may add entries except diagnosis and working_note").
func (k EntryKind) AssistantMayWrite() bool {
	return k != KindDiagnosis && k != KindWorkingNote
}

// Releasable reports whether entries of kind k are part of the dossier the
// employee has rights over, and so may leave it: into a release for
// inspection and copy (the employee inspects exactly what a release holds,
// DESIGN §5), a disclosure to a third party or a transfer under consent,
// and among the entries the employee's requests (an own statement about an
// entry, a partial destruction) may name. An author-only kind never is: a
// working note is "never released; not part of inspection" (DESIGN §5), and
// stays outside the inspection right only while it is personal (domain.md,
// NVAB). An unknown kind is not releasable.
func (k EntryKind) Releasable() bool {
	return k.Valid() && !k.AuthorOnly()
}

// ReleasableKinds returns the kinds for which Releasable holds, in the
// order of EntryKinds: the kinds a release contains, a consent may name and
// an inspection shows. The slice is the caller's.
func ReleasableKinds() []EntryKind {
	return kindsWhere(EntryKind.Releasable)
}

// kindsWhere returns the entry kinds for which rule holds, in the order of
// EntryKinds.
func kindsWhere(rule func(EntryKind) bool) []EntryKind {
	// Never nil: SQL reads a nil list as NULL, which no kind matches.
	out := []EntryKind{}
	for _, k := range EntryKinds {
		if rule(k) {
			out = append(out, k)
		}
	}
	return out
}
