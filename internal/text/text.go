// Package text decides which strings Arbokluis accepts as names and free
// text. It is the one place that says so; every domain package validates
// its names and free texts with it.
//
// Refused everywhere: invalid UTF-8; the C0 control characters U+0000–U+001F
// (but see Multiline) and DEL U+007F; the C1 control characters
// U+0080–U+009F; the line and paragraph separators U+2028 and U+2029; and
// the bidirectional formatting characters — the embeddings and overrides
// U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E, U+200F and
// the Arabic letter mark U+061C — which can make a stored text display
// differently from what it holds (a name that reads as another, a note
// whose lines appear reordered).
package text

import "unicode/utf8"

// Kind is what a text is for: one line (a name, a title) or free text.
type Kind int

const (
	// Line is a text on one line: a name, an address line, a short reason.
	// No control character at all is allowed, not even a tab or newline.
	Line Kind = iota
	// Multiline is free text: newline (U+000A) and tab (U+0009) are
	// allowed, and a carriage return directly before a newline (CRLF, as
	// forms send line ends); every other refused character still is.
	Multiline
)

// Reasons, phrased for a field error after the field's name.
const (
	ReasonUTF8    = "must be valid UTF-8"
	ReasonControl = "must not contain control characters, line or paragraph separators, or bidirectional formatting characters"
)

// Problem returns "" when s is acceptable as text of kind k, or the reason
// it is not (ReasonUTF8 or ReasonControl), to be reported as a field error.
// It does not judge length or emptiness; callers do.
func Problem(s string, k Kind) string {
	if !utf8.ValidString(s) {
		return ReasonUTF8
	}
	for i, r := range s {
		if !refused(r) {
			continue
		}
		if k == Multiline && (r == '\n' || r == '\t' || r == '\r' && i+1 < len(s) && s[i+1] == '\n') {
			continue
		}
		return ReasonControl
	}
	return ""
}

// Valid reports whether s is acceptable as text of kind k (Problem is "").
func Valid(s string, k Kind) bool { return Problem(s, k) == "" }

// refused reports whether r is refused in a text of any kind, before the
// allowances of Multiline.
func refused(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
