package smtp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dir delivers mail into a directory instead of to a server: one file per
// mail, readable by the owner only. It is for a demo on one machine, where
// there is no mail server and the person trying the portal reads the
// invitation and reset mails from disk (config: ARBOKLUIS_MAIL_DIR, only
// with ARBOKLUIS_DEMO=1).
type Dir struct {
	dir string
	now func() time.Time
}

// NewDir returns a Dir writing into dir, which it creates (mode 0700) when
// missing. It fails when dir cannot be created.
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("smtp: mail directory: %w", err)
	}
	return &Dir{dir: dir, now: time.Now}, nil
}

// Send writes the mail as a file named after the time and a random suffix
// (.eml, mode 0600), with To, Subject and Date headers and the body. It
// fails, writing nothing, when the recipient or the subject holds a line
// break (a header injection) or the file cannot be written.
func (d *Dir) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(subject, "\r\n") {
		return fmt.Errorf("smtp: a header holds a line break")
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("smtp: mail file name: %w", err)
	}
	now := d.now().UTC()
	name := filepath.Join(d.dir, now.Format("20060102T150405.000000000Z")+"-"+hex.EncodeToString(rnd[:])+".eml")
	msg := "To: " + to + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\nDate: " + now.Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("smtp: mail file: %w", err)
	}
	if _, err := f.WriteString(msg); err != nil {
		f.Close()
		os.Remove(name)
		return fmt.Errorf("smtp: mail file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("smtp: mail file: %w", err)
	}
	return nil
}
