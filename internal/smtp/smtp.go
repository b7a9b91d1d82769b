// Package smtp is the adapter that delivers notification emails over SMTP
// (plain text, UTF-8), always over TLS — STARTTLS, or implicit TLS on port
// 465 — except to a loopback server, and with authentication when
// configured.
package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/netip"
	netsmtp "net/smtp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Config selects the SMTP server.
type Config struct {
	Addr     string // host:port
	From     string // "Name <address>"
	Username string // optional; PLAIN authentication over TLS or loopback
	Password string
	Timeout  time.Duration
	// RootCAs verify the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
}

// Transport is how a Mailer secures its connection, decided from the
// server address by TransportFor.
type Transport struct {
	// Implicit is TLS from the first byte (port 465); otherwise the
	// connection starts plain and is upgraded with STARTTLS.
	Implicit bool
	// PlaintextAllowed lets a STARTTLS connection stay plain when the
	// server does not offer STARTTLS: only for a loopback server, where
	// nothing crosses a network.
	PlaintextAllowed bool
}

// TransportFor decides the transport for the server address addr
// (host:port): implicit TLS on port 465, STARTTLS otherwise; plain text is
// allowed only when the host is a loopback address or localhost. An
// address without a port gets STARTTLS required.
func TransportFor(addr string) Transport {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return Transport{}
	}
	if port == "465" {
		return Transport{Implicit: true}
	}
	ip, err := netip.ParseAddr(host)
	loopback := host == "localhost" || (err == nil && ip.Unmap().IsLoopback())
	return Transport{PlaintextAllowed: loopback}
}

// Mailer sends one message per call.
type Mailer struct {
	cfg       Config
	from      *mail.Address
	transport Transport
}

// New returns a Mailer for cfg, with the transport TransportFor decides
// from cfg.Addr; an unparsable From is derrors.ErrInvalid.
func New(cfg Config) (*Mailer, error) {
	return NewWithTransport(cfg, TransportFor(cfg.Addr))
}

// NewWithTransport is New with the transport t chosen by the caller rather
// than by TransportFor (a test's loopback server standing in for a remote
// one); an unparsable From is derrors.ErrInvalid.
func NewWithTransport(cfg Config, t Transport) (*Mailer, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address: %w", derrors.ErrInvalid)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Mailer{cfg: cfg, from: from, transport: t}, nil
}

// ErrNoTLS is the error of a server that does not offer STARTTLS when the
// transport requires it; the message is not sent (it is also
// derrors.ErrUnavailable, so it is retried).
var ErrNoTLS = errors.New("smtp: the server does not offer STARTTLS")

// Send delivers a plain-text message to one recipient over TLS (or plain
// to a loopback server). Header values with line breaks are
// derrors.ErrInvalid (no header injection); a server that cannot be
// reached or refuses is derrors.ErrUnavailable, as is one that does not
// offer STARTTLS where TLS is required (also ErrNoTLS), or whose
// certificate does not verify: nothing is sent then.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil || strings.ContainsAny(to+subject, "\r\n") {
		return fmt.Errorf("smtp: recipient or subject: %w", derrors.ErrInvalid)
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: m.cfg.RootCAs}
	var conn net.Conn
	if m.transport.Implicit {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", m.cfg.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", m.cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: dial: %w", derrors.ErrUnavailable)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // a failed deadline shows up as a failed write
	}
	c, err := netsmtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp: greeting: %w", derrors.ErrUnavailable)
	}
	defer c.Close()
	if !m.transport.Implicit {
		ok, _ := c.Extension("STARTTLS")
		switch {
		case ok:
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("smtp: starttls: %w", derrors.ErrUnavailable)
			}
		case !m.transport.PlaintextAllowed:
			return fmt.Errorf("%w: %w", ErrNoTLS, derrors.ErrUnavailable)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(netsmtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return fmt.Errorf("smtp: auth: %w", derrors.ErrUnavailable)
		}
	}
	msg := m.compose(rcpt, subject, body)
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL: %w", derrors.ErrUnavailable)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("smtp: RCPT: %w", derrors.ErrUnavailable)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", derrors.ErrUnavailable)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("smtp: write: %w", derrors.ErrUnavailable)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: end of data: %w", derrors.ErrUnavailable)
	}
	if err := c.Quit(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("smtp: QUIT: %w", derrors.ErrUnavailable)
	}
	return nil
}

func (m *Mailer) compose(to *mail.Address, subject, body string) string {
	var b strings.Builder
	domain := m.from.Address[strings.LastIndex(m.from.Address, "@")+1:]
	fmt.Fprintf(&b, "From: %s\r\n", m.from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", uuid.NewString(), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return b.String()
}
