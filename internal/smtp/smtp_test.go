package smtp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/smtp"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

func TestSend(t *testing.T) {
	sink := testenv.StartSMTPSink(t)
	m, err := smtp.New(smtp.Config{Addr: sink.Addr, From: "Arbokluis <noreply@arbokluis.test>"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	body := "Regel één\n.begins with a dot\nlaatste regel"
	if err := m.Send(context.Background(), "Jan <jan@example.test>", "Uitnodiging voor Arbokluis", body); err != nil {
		t.Fatalf("Send: %v", err)
	}
	mails := sink.Mails()
	if len(mails) != 1 {
		t.Fatalf("sink got %d mails, want 1", len(mails))
	}
	got := mails[0]
	if got.From != "noreply@arbokluis.test" || got.To != "jan@example.test" {
		t.Errorf("envelope = %s -> %s, want noreply@arbokluis.test -> jan@example.test", got.From, got.To)
	}
	for _, want := range []string{"Subject: Uitnodiging voor Arbokluis\r\n", "charset=utf-8", "Regel één\r\n.begins with a dot\r\nlaatste regel\r\n"} {
		if !strings.Contains(got.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, got.Data)
		}
	}
}

func TestSendRejectsHeaderInjection(t *testing.T) {
	sink := testenv.StartSMTPSink(t)
	m, _ := smtp.New(smtp.Config{Addr: sink.Addr, From: "noreply@arbokluis.test"})
	for _, tt := range []struct{ to, subject string }{
		{"jan@example.test", "Hallo\r\nBcc: all@example.test"},
		{"jan@example.test\r\nBcc: x@example.test", "Hallo"},
		{"not an address", "Hallo"},
	} {
		if err := m.Send(context.Background(), tt.to, tt.subject, "x"); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("Send(%q, %q) = %v, want ErrInvalid", tt.to, tt.subject, err)
		}
	}
	if n := len(sink.Mails()); n != 0 {
		t.Errorf("sink got %d mails, want 0", n)
	}
}

func TestSendUnreachable(t *testing.T) {
	m, _ := smtp.New(smtp.Config{Addr: "127.0.0.1:1", From: "noreply@arbokluis.test", Timeout: time.Second})
	if err := m.Send(context.Background(), "jan@example.test", "x", "x"); !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Send to a closed port = %v, want ErrUnavailable", err)
	}
}
