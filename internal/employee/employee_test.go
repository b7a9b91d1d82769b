package employee

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

var today = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func valid() Employee {
	return Employee{EmployeeNumber: "A-17", FirstName: "Gérard", LastName: "Özdemir",
		DateOfBirth: date("1985-03-04"), EmploymentStart: date("2019-09-01"), Email: "g@prive.test", Phone: "+31 6 1234 5678"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Employee)
		bad    string // the field expected to be named; "" for valid
	}{
		{"valid", func(*Employee) {}, ""},
		{"no end date needed", func(e *Employee) { e.Email, e.Phone = "", "" }, ""},
		{"employee number with space", func(e *Employee) { e.EmployeeNumber = "A 17" }, "employee_number"},
		{"employee number too long", func(e *Employee) { e.EmployeeNumber = strings.Repeat("1", 33) }, "employee_number"},
		{"blank first name", func(e *Employee) { e.FirstName = "  " }, "first_name"},
		{"control character in last name", func(e *Employee) { e.LastName = "Jan\nsen" }, "last_name"},
		{"last name of 101 characters", func(e *Employee) { e.LastName = strings.Repeat("é", 101) }, "last_name"},
		{"born 13 years ago", func(e *Employee) { e.DateOfBirth = date("2013-11-23") }, "date_of_birth"},
		{"born exactly 14 years ago", func(e *Employee) { e.DateOfBirth, e.EmploymentStart = date("2012-11-22"), date("2026-11-22") }, ""},
		{"born 121 years ago", func(e *Employee) { e.DateOfBirth = date("1905-01-01") }, "date_of_birth"},
		{"employment before birth", func(e *Employee) { e.EmploymentStart = date("1980-01-01") }, "employment_start"},
		{"end before start", func(e *Employee) { e.EmploymentEnd = date("2019-08-31") }, "employment_end"},
		{"upper-case email", func(e *Employee) { e.Email = "G@Prive.test" }, "email"},
		{"phone with letters", func(e *Employee) { e.Phone = "call me" }, "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.change(&e)
			err := e.Validate(today)
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", e, err)
				}
				return
			}
			var fe derrors.FieldErrors
			if !errors.As(err, &fe) || fe[tt.bad] == "" {
				t.Errorf("Validate(%+v) = %v, want a field error on %s", e, err, tt.bad)
			}
		})
	}
}

// FuzzValidate feeds arbitrary text into every free-text field: Validate
// never panics, and whatever it accepts fits the database constraints
// (length, no control characters, the patterns of migration 000008).
func FuzzValidate(f *testing.F) {
	f.Add("A-17", "Gérard", "Özdemir", "g@prive.test", "+31 6 1234 5678")
	f.Add("", "", "", "", "")
	f.Add("\x00", "\xff", strings.Repeat("a", 200), "a@b", "((((((")
	f.Fuzz(func(t *testing.T, number, first, last, email, phone string) {
		e := valid()
		e.EmployeeNumber, e.FirstName, e.LastName, e.Email, e.Phone = number, first, last, email, phone
		if err := e.Validate(today); err != nil {
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("Validate = %v, want nil or ErrInvalid", err)
			}
			return
		}
		for _, s := range []string{first, last} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 100 || strings.ContainsAny(s, "\x00\n\r\t") {
				t.Fatalf("Validate accepted name %q", s)
			}
		}
		if !numberPattern.MatchString(number) || (email != "" && !emailPattern.MatchString(email)) || (phone != "" && !phonePattern.MatchString(phone)) {
			t.Fatalf("Validate accepted number %q, email %q, phone %q", number, email, phone)
		}
	})
}
