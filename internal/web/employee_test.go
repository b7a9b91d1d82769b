package web

import (
	"testing"
	"time"
)

func TestDayAndDateTime(t *testing.T) {
	tests := []struct {
		in            time.Time
		day, dateTime string
	}{
		// 23:30 UTC on 31 December is already New Year in Amsterdam.
		{time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), "1 januari 2026", "1 januari 2026 om 00:30"},
		{time.Date(2026, 7, 1, 12, 5, 0, 0, time.UTC), "1 juli 2026", "1 juli 2026 om 14:05"},
		{time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := Day(tt.in); got != tt.day {
				t.Errorf("Day(%v) = %q, want %q", tt.in, got, tt.day)
			}
			if got := DateTime(tt.in); got != tt.dateTime {
				t.Errorf("DateTime(%v) = %q, want %q", tt.in, got, tt.dateTime)
			}
		})
	}
}
