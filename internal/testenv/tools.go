package testenv

import (
	"bytes"
	"os/exec"
	"testing"
)

// Tool returns the path of a command-line tool the tests need (make deps
// installs them); a missing tool is Unavailable: a failure in CI.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "testenv: %s is not installed", name)
	}
	return p
}

// PDFText returns the text of a PDF as pdftotext -layout extracts it: PDF
// streams are compressed, so only the extracted text proves what a reader
// sees.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(Tool(t, "pdftotext"), "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("testenv: pdftotext: %v", err)
	}
	return string(out)
}
