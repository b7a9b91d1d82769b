package rights

import (
	"testing"
	"time"
)

func TestAddMonths(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-31", 1, "2026-02-28"}, // no 31 February: the last day
		{"2028-01-31", 1, "2028-02-29"}, // leap year
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-12-31", 1, "2027-01-31"}, // over the year end
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-02-28", 1, "2026-03-28"},
		{"2026-01-29", 2, "2026-03-29"},
	}
	for _, tt := range tests {
		d, _ := time.Parse(time.DateOnly, tt.in)
		if got := AddMonths(d, tt.n).Format(time.DateOnly); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestCanMove(t *testing.T) {
	tests := []struct {
		typ      Type
		from, to Status
		want     bool
	}{
		{TypeAccess, StatusReceived, StatusInReview, true},
		{TypeAccess, StatusReceived, StatusGranted, true},
		{TypeAccess, StatusInReview, StatusRefused, true},
		{TypeAccess, StatusGranted, StatusDelivered, true},
		{TypeAccess, StatusDelivered, StatusClosed, true},
		{TypeAccess, StatusRefused, StatusClosed, true},
		{TypeAccess, StatusGranted, StatusRefused, false}, // deciding twice
		{TypeAccess, StatusRefused, StatusGranted, false},
		{TypeAccess, StatusClosed, StatusInReview, false},
		{TypeAccess, StatusReceived, StatusDelivered, false},
		{TypeAccess, StatusInReview, StatusInReview, false},
		{TypeOwnStatement, StatusReceived, StatusRefused, false}, // never refused
		{TypeOwnStatement, StatusInReview, StatusPartlyGranted, false},
		{TypeOwnStatement, StatusReceived, StatusGranted, true},
		{TypeCorrection, StatusInReview, StatusRefused, true},
	}
	for _, tt := range tests {
		if got := CanMove(tt.typ, tt.from, tt.to); got != tt.want {
			t.Errorf("CanMove(%s, %s, %s) = %v, want %v", tt.typ, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestTypes(t *testing.T) {
	medical := map[Type]bool{TypeInspection: true, TypeCopy: true, TypeCorrection: true, TypeOwnStatement: true, TypeDestruction: true}
	for typ := range types {
		if typ.Medical() != medical[typ] {
			t.Errorf("Type(%s).Medical() = %v, want %v", typ, typ.Medical(), medical[typ])
		}
	}
	if len(types) != 11 || Type("gossip").Valid() {
		t.Errorf("types = %d, want 11 and no others", len(types))
	}
}

func TestRequestDecidable(t *testing.T) {
	tests := []struct {
		typ      Type
		from, to Status
		want     bool
	}{
		{TypeAccess, StatusReceived, StatusGranted, true},
		{TypeAccess, StatusReceived, StatusRefused, true},
		{TypeAccess, StatusRefused, StatusGranted, false}, // not along the state machine
		{TypeErasure, StatusReceived, StatusInReview, true},
		{TypeErasure, StatusReceived, StatusRefused, true},
		{TypeErasure, StatusReceived, StatusGranted, false}, // applied on its own route
		{TypeErasure, StatusReceived, StatusPartlyGranted, false},
		{TypeRestriction, StatusReceived, StatusGranted, false},
		{TypeRestriction, StatusGranted, StatusClosed, false}, // lifted on its own route
		{TypeRestriction, StatusRefused, StatusClosed, true},
		{TypeDestruction, StatusReceived, StatusGranted, false},
		{TypeOwnStatement, StatusReceived, StatusRefused, false}, // never refused
	}
	for _, tt := range tests {
		r := Request{Type: tt.typ, Status: tt.from}
		if got := r.Decidable(tt.to); got != tt.want {
			t.Errorf("Request{%s, %s}.Decidable(%s) = %v, want %v", tt.typ, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestRequestOverdue(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		status     Status
		due, ext   string
		today      string
		want, open bool
	}{
		{StatusReceived, "2026-03-01", "", "2026-03-01", false, true}, // due today: not yet late
		{StatusReceived, "2026-03-01", "", "2026-03-02", true, true},
		{StatusInReview, "2026-03-01", "2026-05-01", "2026-04-01", false, true}, // extended
		{StatusGranted, "2026-03-01", "", "2026-04-01", false, true},            // decided, not yet delivered
		{StatusClosed, "2026-03-01", "", "2026-04-01", false, false},
	}
	for _, tt := range tests {
		r := Request{Status: tt.status, DueOn: day(tt.due)}
		if tt.ext != "" {
			r.ExtendedTo = day(tt.ext)
		}
		if got := r.Overdue(day(tt.today)); got != tt.want || r.Open() != tt.open {
			t.Errorf("Request{%s due %s ext %q}: Overdue(%s) = %v, Open() = %v; want %v, %v", tt.status, tt.due, tt.ext, tt.today,
				got, r.Open(), tt.want, tt.open)
		}
	}
}
