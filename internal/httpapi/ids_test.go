package httpapi

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestParseID(t *testing.T) {
	real := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	const nilID = "00000000-0000-0000-0000-000000000000"
	tests := []struct {
		in     string
		want   uuid.UUID
		wantOK bool
	}{
		{real.String(), real, true},
		{strings.ToUpper(real.String()), uuid.Nil, false},
		{"6BA7b810-9dad-11d1-80b4-00c04fd430c8", uuid.Nil, false},
		{"urn:uuid:" + real.String(), uuid.Nil, false},
		{"{" + real.String() + "}", uuid.Nil, false},
		{strings.ReplaceAll(real.String(), "-", ""), uuid.Nil, false},
		{" " + real.String(), uuid.Nil, false},
		{real.String() + " ", uuid.Nil, false},
		{"6ba7b8109-dad-11d1-80b4-00c04fd430c8", uuid.Nil, false},
		{nilID, uuid.Nil, false},
		{"urn:uuid:" + nilID, uuid.Nil, false},
		{"URN:UUID:" + nilID, uuid.Nil, false},
		{"{" + nilID + "}", uuid.Nil, false},
		{strings.ReplaceAll(nilID, "-", ""), uuid.Nil, false},
		{"", uuid.Nil, false},
		{"not-an-id", uuid.Nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseID(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseID(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
