package web

import (
	"strconv"
	"time"
)

// months are the Dutch month names, lower case as Dutch writes them.
var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	"september", "oktober", "november", "december"}

// Date writes t's calendar date in Dutch, as "2 januari 2026", in t's own
// location; the zero time is "" (no date).
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
