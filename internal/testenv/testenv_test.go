package testenv

import (
	"strconv"
	"testing"
	"time"
)

func TestTemplateStale(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	mark := func(at time.Time) string { return templateUsedPrefix + strconv.FormatInt(at.Unix(), 10) }
	tests := []struct {
		name, comment string
		want          bool
	}{
		{"used a minute ago", mark(now.Add(-time.Minute)), false},
		{"used just within the keep time", mark(now.Add(-templateKeep)), false},
		{"unused for longer than the keep time", mark(now.Add(-templateKeep - time.Second)), true},
		{"no mark", "", true},
		{"another comment", "some other comment", true},
		{"mark without a number", templateUsedPrefix + "soon", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := templateStale(tt.comment, now); got != tt.want {
				t.Errorf("templateStale(%q, %v) = %v, want %v", tt.comment, now, got, tt.want)
			}
		})
	}
}
