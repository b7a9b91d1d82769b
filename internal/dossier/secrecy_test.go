package dossier

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

// kindRule is one row of the per-kind rule tables: the answer each rule
// gives for a kind.
type kindRule struct {
	kind              EntryKind
	authorOnly        bool
	assistantMayWrite bool
	releasable        bool
}

// kindRules is DESIGN §1 and §5 written out kind by kind.
var kindRules = []kindRule{
	{KindConsultation, false, true, true},
	{KindNote, false, true, true},
	{KindDiagnosis, false, false, true},
	{KindTreatingPhysicianInfo, false, true, true},
	{KindExamination, false, true, true},
	{KindOwnStatement, false, true, true},
	{KindWorkingNote, true, false, false},
}

func TestKindRulesCoverEveryKind(t *testing.T) {
	var got []EntryKind
	for _, r := range kindRules {
		got = append(got, r.kind)
	}
	if !slices.Equal(got, EntryKinds) {
		t.Fatalf("kindRules names %v, want every kind of EntryKinds %v", got, EntryKinds)
	}
}

func TestAuthorOnly(t *testing.T) {
	for _, r := range append(kindRules, kindRule{kind: ""}, kindRule{kind: "Working_Note"}) {
		t.Run(string(r.kind), func(t *testing.T) {
			if got := r.kind.AuthorOnly(); got != r.authorOnly {
				t.Errorf("EntryKind(%q).AuthorOnly() = %v, want %v", r.kind, got, r.authorOnly)
			}
		})
	}
}

func TestAssistantMayWrite(t *testing.T) {
	for _, r := range kindRules {
		t.Run(string(r.kind), func(t *testing.T) {
			if got := r.kind.AssistantMayWrite(); got != r.assistantMayWrite {
				t.Errorf("EntryKind(%q).AssistantMayWrite() = %v, want %v", r.kind, got, r.assistantMayWrite)
			}
		})
	}
}

func TestReleasable(t *testing.T) {
	for _, r := range append(kindRules, kindRule{kind: ""}, kindRule{kind: "gossip"}) {
		t.Run(string(r.kind), func(t *testing.T) {
			if got := r.kind.Releasable(); got != r.releasable {
				t.Errorf("EntryKind(%q).Releasable() = %v, want %v", r.kind, got, r.releasable)
			}
		})
	}
}

func TestReadableBy(t *testing.T) {
	author, other := uuid.New(), uuid.New()
	tests := []struct {
		name     string
		kind     EntryKind
		author   uuid.UUID
		reader   uuid.UUID
		readable bool
	}{
		{"own working note", KindWorkingNote, author, author, true},
		{"another author's working note", KindWorkingNote, author, other, false},
		{"working note of no author", KindWorkingNote, uuid.Nil, other, false},
		{"diagnosis by another author", KindDiagnosis, author, other, true},
		{"consultation by another author", KindConsultation, author, other, true},
		{"own note", KindNote, author, author, true},
		{"own statement by the employee", KindOwnStatement, author, other, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadableBy(tt.kind, tt.author, tt.reader); got != tt.readable {
				t.Errorf("ReadableBy(%q, author %v, reader %v) = %v, want %v", tt.kind, tt.author, tt.reader, got, tt.readable)
			}
		})
	}
}

func TestKindLists(t *testing.T) {
	tests := []struct {
		name string
		list func() []EntryKind
		want []EntryKind
	}{
		{"AuthorOnlyKinds", AuthorOnlyKinds, []EntryKind{KindWorkingNote}},
		{"ReleasableKinds", ReleasableKinds, []EntryKind{KindConsultation, KindNote, KindDiagnosis,
			KindTreatingPhysicianInfo, KindExamination, KindOwnStatement}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.list()
			if !slices.Equal(got, tt.want) {
				t.Fatalf("%s() = %v, want %v", tt.name, got, tt.want)
			}
			// The slice is the caller's: changing it changes no rule.
			got[0] = "gossip"
			if again := tt.list(); !slices.Equal(again, tt.want) {
				t.Errorf("%s() after the caller changed its result = %v, want %v", tt.name, again, tt.want)
			}
		})
	}
	// Every kind is either its author's alone or releasable, never both:
	// nothing personal leaves the dossier, and nothing else is withheld.
	for _, k := range EntryKinds {
		if k.AuthorOnly() == k.Releasable() {
			t.Errorf("EntryKind(%q): AuthorOnly() = %v and Releasable() = %v, want exactly one true", k, k.AuthorOnly(), k.Releasable())
		}
	}
}
