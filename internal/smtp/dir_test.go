package smtp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirSend: a mail becomes one file of the owner's only, with its
// headers and body; a header with a line break writes nothing.
func TestDirSend(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	d, err := NewDir(dir)
	if err != nil {
		t.Fatalf("NewDir(%s): %v", dir, err)
	}
	if err := d.Send(context.Background(), "ann@example.test", "Uw uitnodiging – Arbokluis", "Open de link.\r\n"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	for _, bad := range [][2]string{{"ann@example.test\r\nBcc: x@example.test", "s"}, {"ann@example.test", "s\nBcc: x@example.test"}} {
		if err := d.Send(context.Background(), bad[0], bad[1], "b"); err == nil {
			t.Errorf("Send(to %q, subject %q) = nil, want an error", bad[0], bad[1])
		}
	}
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("ReadDir(%s) = %d files, %v; want 1", dir, len(files), err)
	}
	info, err := files[0].Info()
	if err != nil || info.Mode().Perm() != 0o600 || !strings.HasSuffix(files[0].Name(), ".eml") {
		t.Errorf("mail file %s mode %v, %v; want a .eml of mode 0600", files[0].Name(), info.Mode().Perm(), err)
	}
	b, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"To: ann@example.test\r\n", "Subject: =?utf-8?q?", "Content-Type: text/plain; charset=utf-8", "\r\n\r\nOpen de link.\r\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("mail file holds %q, want it to contain %q", b, want)
		}
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("mail directory mode %v, %v; want 0700", st.Mode().Perm(), err)
	}
}
