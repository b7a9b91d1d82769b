package derrors

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldErrors(t *testing.T) {
	fe := FieldErrors{}
	if err := fe.Err(); err != nil {
		t.Fatalf("FieldErrors{}.Err() = %v, want nil", err)
	}
	fe.Add("b", "required")
	fe.Add("a", "too long")
	fe.Add("a", "second message is dropped")
	err := fmt.Errorf("create: %w", fe.Err())
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
	}
	var got FieldErrors
	if !errors.As(err, &got) {
		t.Fatalf("errors.As(%v, *FieldErrors) = false, want true", err)
	}
	if want := "invalid input: a: too long; b: required"; got.Error() != want {
		t.Errorf("FieldErrors.Error() = %q, want %q", got.Error(), want)
	}
}
