package employee

import "strings"

// ValidBSN reports whether s is a citizen service number (burgerservicenummer)
// in canonical form: exactly nine ASCII digits passing the eleven-test
// 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11), with a sum other than 0.
func ValidBSN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		w := 9 - i
		if i == 8 {
			w = -1
		}
		sum += w * int(c-'0')
	}
	return sum != 0 && sum%11 == 0
}

// NormalizeBSN strips the spaces and dots people type in a BSN
// ("1234.56.782").
func NormalizeBSN(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' {
			return -1
		}
		return r
	}, s)
}

// MaskBSN shows only the last three digits of a BSN ("******782"); it
// returns "" for "".
func MaskBSN(s string) string {
	if s == "" {
		return ""
	}
	if len(s) < 3 {
		return "******"
	}
	return "******" + s[len(s)-3:]
}
