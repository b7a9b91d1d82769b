package dossier

import (
	"errors"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestKeyVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"vault:v1:abc", 1, false},
		{"vault:v27:abc", 27, false},
		{"vault:v0:abc", 0, true},
		{"vault:vx:abc", 0, true},
		{"vault:abc", 0, true},
		{"v1:abc", 0, true},
		{"vault:v99999999999:abc", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := keyVersion(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("keyVersion(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEntryKinds(t *testing.T) {
	for _, k := range EntryKinds {
		if !k.Valid() {
			t.Errorf("EntryKind(%q).Valid() = false, want true", k)
		}
		want := k != KindDiagnosis && k != KindWorkingNote
		if got := k.AssistantMayWrite(); got != want {
			t.Errorf("EntryKind(%q).AssistantMayWrite() = %v, want %v", k, got, want)
		}
	}
	for _, k := range []EntryKind{"", "Diagnosis", "gossip"} {
		if k.Valid() {
			t.Errorf("EntryKind(%q).Valid() = true, want false", k)
		}
	}
}

func TestValidText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", "Spreekuur gehad.", true},
		{"lines and tabs", "regel 1\n\tregel 2\r\n", true},
		{"blank", " \n ", false},
		{"NUL", "a\x00b", false},
		{"DEL", "a\x7fb", false},
		{"invalid UTF-8", "a\xffb", false},
		{"at the limit", strings.Repeat("é", MaxEntryRunes), true},
		{"over the limit", strings.Repeat("é", MaxEntryRunes+1), false},
	}
	for _, tt := range tests {
		fe := derrors.FieldErrors{}
		validText(fe, tt.in)
		err := fe.Err()
		var got derrors.FieldErrors
		if ok := err == nil; ok != tt.ok || (err != nil && (!errors.As(err, &got) || got["text"] == "")) {
			t.Errorf("validText(%s) = %v, want ok %v (a field error on text otherwise)", tt.name, err, tt.ok)
		}
	}
}
