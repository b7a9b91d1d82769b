package web

import (
	"slices"
	"strings"
	"testing"
)

func TestParseDomains(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"   ", []string{}},
		{"example.nl", []string{"example.nl"}},
		{"Example.NL, b.test", []string{"example.nl", "b.test"}},
		{"a.nl;b.nl\nc.nl\td.nl", []string{"a.nl", "b.nl", "c.nl", "d.nl"}},
		{",,a.nl,, ,", []string{"a.nl"}},
		{"niet_een domein!", []string{"niet_een", "domein!"}},
	} {
		if got := parseDomains(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("parseDomains(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParseDomains: every part is non-empty, lower case, without a
// separator, and the parts in order are the input's words.
func FuzzParseDomains(f *testing.F) {
	for _, s := range []string{"", "a.nl, B.NL", "x;y\nz", "\t,;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseDomains(s)
		for _, d := range got {
			if d == "" || strings.ContainsAny(d, ",; \t\n\r") || d != strings.ToLower(d) {
				t.Fatalf("parseDomains(%q) has part %q", s, d)
			}
		}
		if again := parseDomains(strings.Join(got, ",")); !slices.Equal(again, got) {
			t.Fatalf("parseDomains(%q) = %q, but of its own join %q", s, got, again)
		}
	})
}
