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

func TestTransportFor(t *testing.T) {
	tests := []struct {
		addr string
		want smtp.Transport
	}{
		{"127.0.0.1:25", smtp.Transport{PlaintextAllowed: true}},
		{"127.0.0.53:2525", smtp.Transport{PlaintextAllowed: true}},
		{"[::1]:587", smtp.Transport{PlaintextAllowed: true}},
		{"[::ffff:127.0.0.1]:25", smtp.Transport{PlaintextAllowed: true}},
		{"localhost:1025", smtp.Transport{PlaintextAllowed: true}},
		{"mail.example.org:587", smtp.Transport{}},
		{"mail.example.org:25", smtp.Transport{}},
		{"localhost.example.org:25", smtp.Transport{}},
		{"10.0.0.5:25", smtp.Transport{}},
		{"[2001:db8::1]:587", smtp.Transport{}},
		{"mail.example.org:465", smtp.Transport{Implicit: true}},
		{"127.0.0.1:465", smtp.Transport{Implicit: true}},
		{"mail.example.org", smtp.Transport{}},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := smtp.TransportFor(tt.addr); got != tt.want {
				t.Errorf("TransportFor(%q) = %+v, want %+v", tt.addr, got, tt.want)
			}
		})
	}
}

const from = "Arbokluis <noreply@arbokluis.test>"

// TestSendRefusesPlaintextWhereTLSIsRequired: a server that does not
// offer STARTTLS, reached where plain text is not allowed, gets no message:
// the mailer stops after EHLO with an error that is retried.
func TestSendRefusesPlaintextWhereTLSIsRequired(t *testing.T) {
	sink := testenv.StartSMTPSink(t)
	m, err := smtp.NewWithTransport(smtp.Config{Addr: sink.Addr, From: from}, smtp.Transport{})
	if err != nil {
		t.Fatalf("NewWithTransport: %v", err)
	}
	err = m.Send(context.Background(), "jan@example.test", "Wachtwoord opnieuw instellen", "geheime link")
	if !errors.Is(err, smtp.ErrNoTLS) || !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Send to a server without STARTTLS = %v, want ErrNoTLS and ErrUnavailable", err)
	}
	if n := len(sink.Mails()); n != 0 {
		t.Errorf("the server without STARTTLS got %d mails, want 0", n)
	}
	for _, c := range sink.Commands() {
		if c == "MAIL" || c == "RCPT" || c == "DATA" || c == "AUTH" {
			t.Errorf("the mailer sent %s over plain text; commands %v", c, sink.Commands())
		}
	}
}

// TestSendUpgradesWithSTARTTLS: where TLS is required and offered, the
// message goes over it, to a certificate the mailer verifies.
func TestSendUpgradesWithSTARTTLS(t *testing.T) {
	pair := testenv.NewTLSPair(t)
	sink := testenv.StartSMTPSinkWith(t, testenv.SinkOptions{STARTTLS: pair.Server})
	m, _ := smtp.NewWithTransport(smtp.Config{Addr: sink.Addr, From: from, RootCAs: pair.Roots}, smtp.Transport{})
	if err := m.Send(context.Background(), "jan@example.test", "Hallo", "over TLS"); err != nil {
		t.Fatalf("Send over STARTTLS: %v", err)
	}
	mails := sink.Mails()
	if len(mails) != 1 || !mails[0].TLS {
		t.Fatalf("sink got %+v, want one mail over TLS", mails)
	}
	// A certificate the mailer does not trust: nothing is sent.
	untrusted, _ := smtp.NewWithTransport(smtp.Config{Addr: sink.Addr, From: from}, smtp.Transport{})
	if err := untrusted.Send(context.Background(), "jan@example.test", "Hallo", "x"); !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Send to an untrusted certificate = %v, want ErrUnavailable", err)
	}
	if n := len(sink.Mails()); n != 1 {
		t.Errorf("sink holds %d mails after the untrusted attempt, want still 1", n)
	}
}

// TestSendImplicitTLS: on port 465 the connection is TLS from the start.
func TestSendImplicitTLS(t *testing.T) {
	pair := testenv.NewTLSPair(t)
	sink := testenv.StartSMTPSinkWith(t, testenv.SinkOptions{Implicit: pair.Server})
	m, _ := smtp.NewWithTransport(smtp.Config{Addr: sink.Addr, From: from, RootCAs: pair.Roots, Timeout: 5 * time.Second},
		smtp.Transport{Implicit: true})
	if err := m.Send(context.Background(), "jan@example.test", "Hallo", "implicit TLS"); err != nil {
		t.Fatalf("Send over implicit TLS: %v", err)
	}
	if mails := sink.Mails(); len(mails) != 1 || !mails[0].TLS {
		t.Fatalf("sink got %+v, want one mail over TLS", mails)
	}
	// A plain server where implicit TLS is expected: nothing is sent.
	plain := testenv.StartSMTPSink(t)
	m, _ = smtp.NewWithTransport(smtp.Config{Addr: plain.Addr, From: from, RootCAs: pair.Roots, Timeout: 2 * time.Second},
		smtp.Transport{Implicit: true})
	if err := m.Send(context.Background(), "jan@example.test", "Hallo", "x"); !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("Send with implicit TLS to a plain server = %v, want ErrUnavailable", err)
	}
	if n := len(plain.Mails()); n != 0 {
		t.Errorf("the plain server got %d mails, want 0", n)
	}
}
