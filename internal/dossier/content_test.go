package dossier_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// pngSignature starts every PNG.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngChunk returns a PNG chunk of kind with data and a right CRC.
func pngChunk(kind string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, kind...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngOf builds a PNG from chunks after the signature.
func pngOf(chunks ...[]byte) []byte {
	return bytes.Join(append([][]byte{pngSignature}, chunks...), nil)
}

func TestCheckContent(t *testing.T) {
	pdf := testenv.PDF("brief van de huisarts")
	pngFile := testenv.PNG("scan")
	jpg := testenv.JPEG()
	ihdr := pngChunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0}) // 1×1 grey
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte{0, 0x7f}) //nolint:errcheck // in memory
	zw.Close()
	idat := pngChunk("IDAT", z.Bytes())
	iend := pngChunk("IEND", nil)
	var short bytes.Buffer // one byte of the scanline missing
	zw = zlib.NewWriter(&short)
	zw.Write([]byte{0}) //nolint:errcheck // in memory
	zw.Close()
	badCRC := append([]byte{}, idat...)
	badCRC[len(badCRC)-1] ^= 1
	// A PDF whose startxref points at nothing.
	wrongXref := bytes.Replace(pdf, []byte("startxref\n"), []byte("startxref\n1"), 1)

	tests := []struct {
		name, contentType string
		b                 []byte
		wantOK            bool
	}{
		{"a whole PDF", "application/pdf", pdf, true},
		{"a whole PDF with CRLF line ends after %%EOF", "application/pdf", append(append([]byte{}, pdf...), "\r\n"...), true},
		{"a %PDF- header alone", "application/pdf", []byte("%PDF-1.4\n"), false},
		{"a header and %%EOF", "application/pdf", []byte("%PDF-1.4\n%%EOF\n"), false},
		{"a PDF cut short", "application/pdf", pdf[:len(pdf)-20], false},
		{"a PDF with data after %%EOF", "application/pdf", append(append([]byte{}, pdf...), "<html><script>alert(1)</script>"...), false},
		{"a startxref to no cross-reference", "application/pdf", wrongXref, false},
		{"a PDF/HTML polyglot", "application/pdf", testenv.PDF("<html><body><script>alert(document.domain)</script>"), false},
		{"a PDF with an iframe", "application/pdf", testenv.PDF("< IFRAME src=x>"), false},
		{"a PDF with a javascript: link at its start", "application/pdf", testenv.PDF("javascript:alert(1)"), false},
		{"a PDF header of version 3", "application/pdf", bytes.Replace(pdf, []byte("%PDF-1.4"), []byte("%PDF-3.0"), 1), false},
		{"a PDF with a compressed page", "application/pdf", pdfWith(catalog, pages, "<< /Length 30 /Filter /FlateDecode >>\nstream\n"+
			string(deflate("BT /F1 12 Tf (brief) Tj ET"))+"\nendstream"), true},
		{"a PDF with a name that starts like a script's", "application/pdf", pdfWith(catalog, pages, "<< /JSON (x) /JavaScripts 1 >>"), true},
		{"a PDF with a script to run on opening", "application/pdf",
			pdfWith("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", pages), false},
		{"a PDF with a script name in escapes", "application/pdf",
			pdfWith("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Java#53cript /J#53 (x) >> >>", pages), false},
		{"a PDF with a launch action", "application/pdf", pdfWith(catalog, pages, "<< /S /Launch /F (cmd.exe) >>"), false},
		{"a PDF with an embedded file", "application/pdf", pdfWith(catalog, pages, "<< /Type /EmbeddedFile /Length 1 >>"), false},
		{"a PDF with a script in an object stream", "application/pdf", pdfWith(catalog, pages,
			"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"+string(deflate("4 0 << /S /JavaScript /JS (x) >>"))+"\nendstream"), false},
		{"a PDF whose streams inflate without end", "application/pdf", pdfWith(catalog, pages,
			"<< /Filter /FlateDecode >>\nstream\n"+string(deflate(strings.Repeat("\x00", maxInflateForTest+1)))+"\nendstream"), false},
		{"a whole PNG", "image/png", pngFile, true},
		{"a minimal PNG", "image/png", pngOf(ihdr, idat, iend), true},
		{"a PNG signature alone", "image/png", pngSignature, false},
		{"a PNG cut after IHDR", "image/png", pngOf(ihdr), false},
		{"a truncated PNG", "image/png", pngFile[:len(pngFile)-5], false},
		{"a PNG without IEND", "image/png", pngOf(ihdr, idat), false},
		{"a PNG with a bad CRC", "image/png", pngOf(ihdr, badCRC, iend), false},
		{"a PNG with data after IEND", "image/png", append(pngOf(ihdr, idat, iend), "<html>"...), false},
		{"a PNG without IDAT", "image/png", pngOf(ihdr, iend), false},
		{"a PNG with IHDR not first", "image/png", pngOf(pngChunk("tEXt", []byte("a\x00b")), ihdr, idat, iend), false},
		{"a PNG whose image data is short", "image/png", pngOf(ihdr, pngChunk("IDAT", short.Bytes()), iend), false},
		{"a PNG whose image data is not zlib", "image/png", pngOf(ihdr, pngChunk("IDAT", []byte("not zlib")), iend), false},
		{"a PNG of too many pixels", "image/png", pngOf(pngChunk("IHDR", []byte{0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 0, 0, 0, 0}), idat, iend), false},
		{"a whole JPEG", "image/jpeg", jpg, true},
		{"a JPEG SOI alone", "image/jpeg", []byte{0xff, 0xd8, 0xff, 0xd9}, false},
		{"a truncated JPEG", "image/jpeg", jpg[:len(jpg)-10], false},
		{"a JPEG without EOI", "image/jpeg", jpg[:len(jpg)-2], false},
		{"a JPEG with data after EOI", "image/jpeg", append(append([]byte{}, jpg...), "<html>"...), false},
		{"a PNG as a PDF", "application/pdf", pngFile, false},
		{"a PDF as a JPEG", "image/jpeg", pdf, false},
		{"another type", "text/html", []byte("<html>"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dossier.CheckContent(tt.contentType, tt.b)
			if (err == nil) != tt.wantOK {
				t.Errorf("CheckContent(%s, %q…) = %v, want ok %v", tt.contentType, tt.b[:min(len(tt.b), 24)], err, tt.wantOK)
			}
			if err != nil && strings.Contains(err.Error(), "huisarts") {
				t.Errorf("CheckContent(%s) = %v: the reason repeats the content", tt.contentType, err)
			}
		})
	}
}

// FuzzCheckContent feeds CheckContent any bytes as each type: it never
// panics, and what it accepts starts as the type it is said to be and ends
// as that type ends.
func FuzzCheckContent(f *testing.F) {
	for _, seed := range [][]byte{testenv.PDF("x"), testenv.PNG("x"), testenv.JPEG(), []byte("%PDF-1.4\n%%EOF\n"), {0xff, 0xd8, 0xff, 0xd9}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ct := range []string{"application/pdf", "image/png", "image/jpeg"} {
			if dossier.CheckContent(ct, b) != nil {
				continue
			}
			switch ct {
			case "application/pdf":
				if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimRight(b, "\r\n \t"), []byte("%%EOF")) {
					t.Fatalf("CheckContent(pdf, %q) = nil for a file not framed as a PDF", b)
				}
			case "image/png":
				if !bytes.HasPrefix(b, pngSignature) || !bytes.HasSuffix(b, []byte("IEND\xaeB`\x82")) {
					t.Fatalf("CheckContent(png, %q) = nil for a file not framed as a PNG", b)
				}
			case "image/jpeg":
				if !bytes.HasPrefix(b, []byte{0xff, 0xd8}) || !bytes.HasSuffix(b, []byte{0xff, 0xd9}) {
					t.Fatalf("CheckContent(jpeg, %q) = nil for a file not framed as a JPEG", b)
				}
			}
		}
	})
}

// catalog and pages are the two objects every test PDF starts with.
const (
	catalog = "<< /Type /Catalog /Pages 2 0 R >>"
	pages   = "<< /Type /Pages /Kids [] /Count 0 >>"
)

// maxInflateForTest is dossier's bound on what a PDF's streams may
// inflate to (maxPDFInflate).
const maxInflateForTest = 64 << 20

// pdfWith returns a whole PDF of the objects, numbered from 1, with a
// cross-reference table that points at each.
func pdfWith(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offsets []int
	for i, o := range objects {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// deflate returns s compressed as zlib data, as a FlateDecode stream holds.
func deflate(s string) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(s)) //nolint:errcheck // in memory
	zw.Close()
	return z.Bytes()
}
