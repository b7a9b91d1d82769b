package testenv

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one message an SMTPSink received.
type Mail struct {
	From, To string
	Data     string // headers and body as sent
	TLS      bool   // whether the message came over TLS
}

// SMTPSink is a minimal SMTP server on loopback that accepts every message
// and keeps it, for tests of email delivery. It offers no AUTH, offers
// STARTTLS or speaks TLS from the start only when its options say so, and
// stops when the test ends.
type SMTPSink struct {
	Addr string
	opts SinkOptions
	mu   sync.Mutex
	got  []Mail
	cmds []string // every command received, in order
}

// SinkOptions shape an SMTPSink.
type SinkOptions struct {
	// STARTTLS, when set, is offered and used for the upgrade.
	STARTTLS *tls.Config
	// Implicit, when set, makes the sink speak TLS from the first byte
	// (as port 465 does).
	Implicit *tls.Config
	// GreetingDelay holds back the 220 greeting, as a slow server does.
	GreetingDelay time.Duration
}

// StartSMTPSink starts a plain sink on a free loopback port.
func StartSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	return StartSMTPSinkWith(t, SinkOptions{})
}

// StartSMTPSinkWith starts a sink shaped by o on a free loopback port.
func StartSMTPSinkWith(t testing.TB, o SinkOptions) *SMTPSink {
	t.Helper()
	s, stop, err := NewSMTPSink(o)
	if err != nil {
		t.Fatalf("testenv: smtp sink: %v", err)
	}
	t.Cleanup(stop)
	return s
}

// NewSMTPSink starts a sink shaped by o on a free loopback port that lives
// until stop is called: one sink that the tests of a package share.
func NewSMTPSink(o SinkOptions) (s *SMTPSink, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	if o.Implicit != nil {
		ln = tls.NewListener(ln, o.Implicit)
	}
	s = &SMTPSink{Addr: ln.Addr().String(), opts: o}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(conn) }()
		}
	}()
	return s, func() { ln.Close(); wg.Wait() }, nil
}

// Mails returns what the sink received so far.
func (s *SMTPSink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// Commands returns the verbs of every command the sink received so far
// (EHLO, STARTTLS, MAIL, …), in order.
func (s *SMTPSink) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

func (s *SMTPSink) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	if s.opts.GreetingDelay > 0 {
		time.Sleep(s.opts.GreetingDelay)
	}
	_, secure := conn.(*tls.Conn)
	r := bufio.NewReader(conn)
	reply := func(line string) { conn.Write([]byte(line + "\r\n")) } //nolint:errcheck
	reply("220 sink ESMTP")
	var m Mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		if verb, _, _ := strings.Cut(cmd, " "); verb != "" {
			s.mu.Lock()
			s.cmds = append(s.cmds, strings.TrimSuffix(verb, ":"))
			s.mu.Unlock()
		}
		switch {
		case strings.HasPrefix(cmd, "EHLO") && s.opts.STARTTLS != nil && !secure:
			reply("250-sink")
			reply("250 STARTTLS")
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink")
		case cmd == "STARTTLS" && s.opts.STARTTLS != nil && !secure:
			reply("220 go ahead")
			tc := tls.Server(conn, s.opts.STARTTLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secure, r = tc, true, bufio.NewReader(tc)
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = Mail{From: strings.Trim(strings.TrimSpace(line)[10:], "<> "), TLS: secure}
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = strings.Trim(strings.TrimSpace(line)[8:], "<> ")
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = data.String()
			s.mu.Lock()
			s.got = append(s.got, m)
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

// TLSPair is a certificate made for one test: the server's configuration
// and the pool a client trusts it with.
type TLSPair struct {
	Server *tls.Config
	Roots  *x509.CertPool
}

// NewTLSPair makes a self-signed certificate for 127.0.0.1, ::1 and
// localhost, valid for an hour. The key lives in memory only.
func NewTLSPair(t testing.TB) TLSPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testenv: tls key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "arbokluis test smtp"},
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:    []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("testenv: tls certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("testenv: tls certificate: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return TLSPair{
		Server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		Roots:  roots,
	}
}
