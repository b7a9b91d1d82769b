package dossier

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image/jpeg"
	"image/png"
	"io"
	"regexp"
	"strconv"
)

// Errors of CheckContent, each saying what is wrong with the file's
// structure (never anything of its content).
var (
	errPDFHeader    = errors.New("is not a PDF: it does not start with a %PDF-1.x or %PDF-2.x header")
	errPDFTrailer   = errors.New("is not a complete PDF: no %%EOF at its end")
	errPDFXref      = errors.New("is not a complete PDF: no startxref pointing at a cross-reference")
	errPDFMarkup    = errors.New("is not a plain PDF: it holds HTML or script markup")
	errPDFActive    = errors.New("is not a plain PDF: it holds active content (JavaScript, a launch action, an embedded file or rich media)")
	errPDFInflate   = errors.New("is a PDF whose compressed parts are too large to check")
	errPNG          = errors.New("is not a complete PNG")
	errPNGTooLarge  = errors.New("is a PNG with too many pixels")
	errJPEG         = errors.New("is not a complete JPEG")
	errJPEGTooLarge = errors.New("is a JPEG with too many pixels")
	errContentType  = errors.New("is of no accepted type")
)

// maxImagePixels bounds the pixels of an attachment image, so that
// checking (and later viewing) one cannot exhaust memory.
const maxImagePixels = 50_000_000

// CheckContent checks that b is a whole, well-formed file of contentType
// (application/pdf, image/png or image/jpeg) and nothing else: a header
// alone, a truncated file or a file that is also another kind (a PDF that a
// browser would read as HTML) is refused. It returns nil, or an error whose
// text is a field-error reason about the file's structure.
func CheckContent(contentType string, b []byte) error {
	switch contentType {
	case "application/pdf":
		return checkPDF(b)
	case "image/png":
		return checkPNG(b)
	case "image/jpeg":
		return checkJPEG(b)
	}
	return errContentType
}

var (
	pdfHeader = regexp.MustCompile(`\A%PDF-[12]\.[0-9][\r\n \t%]`)
	// pdfStartXref is the last startxref with its offset, before %%EOF.
	pdfStartXref = regexp.MustCompile(`startxref[\r\n \t]+([0-9]{1,12})[\r\n \t]+%%EOF[\r\n \t]*\z`)
	// pdfXrefAt is what a startxref offset must point at: a cross-reference
	// table, or the object of a cross-reference stream.
	pdfXrefAt = regexp.MustCompile(`\A(xref[\r\n \t]|[0-9]{1,10}[ \t\r\n]+[0-9]{1,5}[ \t\r\n]+obj\b)`)
	// pdfMarkup is what makes a browser, or a careless viewer, treat the
	// start of a file as HTML or script.
	pdfMarkup = regexp.MustCompile(`(?i)<\s*(html|head|body|script|iframe|svg|object|embed|meta|!doctype)\b|javascript:`)
)

// pdfMarkupWindow is how much of a PDF's start is searched for markup.
const pdfMarkupWindow = 4096

// checkPDF checks the frame of a PDF: the header, the startxref and %%EOF
// at its end (whitespace after), the offset pointing at the cross-reference,
// no HTML or script in its first KiBs, and no active content anywhere
// (pdfActive).
func checkPDF(b []byte) error {
	if !pdfHeader.Match(b) {
		return errPDFHeader
	}
	if pdfMarkup.Match(b[:min(len(b), pdfMarkupWindow)]) {
		return errPDFMarkup
	}
	if err := pdfActive(b); err != nil {
		return err
	}
	tail := b[max(0, len(b)-1024):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return errPDFTrailer
	}
	m := pdfStartXref.FindSubmatch(tail)
	if m == nil {
		return errPDFXref
	}
	off, err := strconv.Atoi(string(m[1]))
	if err != nil || off <= 0 || off >= len(b) || !pdfXrefAt.Match(b[off:]) {
		return errPDFXref
	}
	return nil
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// checkPNG walks every chunk of a PNG: the signature, IHDR first, each
// chunk's length within the file and its CRC right, at least one IDAT, and
// IEND last with nothing after it. The image data must inflate to exactly
// the size its header implies, and image/png must read the header.
func checkPNG(b []byte) error {
	if !bytes.HasPrefix(b, pngSignature) {
		return errPNG
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return errPNG
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return errPNGTooLarge
	}
	var (
		idat      bytes.Buffer
		header    []byte
		sawIDAT   bool
		idatEnded bool
	)
	rest := b[len(pngSignature):]
	for first := true; ; first = false {
		if len(rest) < 12 {
			return errPNG
		}
		n := binary.BigEndian.Uint32(rest)
		if n > 1<<31-1 || uint64(n) > uint64(len(rest)-12) {
			return errPNG
		}
		kind, data := rest[4:8], rest[8:8+n]
		crc := binary.BigEndian.Uint32(rest[8+n:])
		if crc32.ChecksumIEEE(rest[4:8+n]) != crc {
			return errPNG
		}
		rest = rest[12+n:]
		switch string(kind) {
		case "IHDR":
			if !first || n != 13 {
				return errPNG
			}
			header = data
		case "IDAT":
			if idatEnded {
				return errPNG // IDAT chunks must be consecutive
			}
			sawIDAT = true
			idat.Write(data)
		case "IEND":
			if !sawIDAT || n != 0 || len(rest) != 0 {
				return errPNG
			}
			return checkPNGData(header, idat.Bytes())
		default:
			if first {
				return errPNG
			}
			if sawIDAT {
				idatEnded = true
			}
		}
	}
}

// checkPNGData inflates the concatenated IDAT data and checks that it is
// exactly as long as the 13-byte IHDR says the filtered scanlines are.
func checkPNGData(ihdr, data []byte) error {
	w, h := int64(binary.BigEndian.Uint32(ihdr[0:])), int64(binary.BigEndian.Uint32(ihdr[4:]))
	depth, colour, interlace := int64(ihdr[8]), ihdr[9], ihdr[12]
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	if channels == 0 || w == 0 || h == 0 {
		return errPNG
	}
	bpp := channels * depth // bits per pixel
	rows := func(w, h int64) int64 {
		if w == 0 || h == 0 {
			return 0
		}
		return h * (1 + (w*bpp+7)/8)
	}
	want := rows(w, h)
	if interlace == 1 {
		// Adam7: seven passes, each a reduced image.
		want = 0
		for _, p := range [7][4]int64{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			want += rows((w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3])
		}
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return errPNG
	}
	got, err := io.Copy(io.Discard, io.LimitReader(zr, want+1))
	if err != nil || got != want {
		return errPNG
	}
	// The zlib stream must end there, its checksum right.
	if _, err := zr.Read(make([]byte, 1)); err != io.EOF {
		return errPNG
	}
	return nil
}

// checkJPEG walks the segments of a JPEG from SOI to EOI: each marker
// segment's length within the file, the entropy-coded data after each SOS
// holding only stuffed bytes and restart markers, a frame header (SOF)
// before the first scan, and EOI at the very end. image/jpeg must read the
// header.
func checkJPEG(b []byte) error {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return errJPEG
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return errJPEG
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return errJPEGTooLarge
	}
	i, sawFrame, sawScan := 2, false, false
	for {
		// A marker: 0xff, optional fill 0xff bytes, then the code.
		if i >= len(b) || b[i] != 0xff {
			return errJPEG
		}
		for i < len(b) && b[i] == 0xff {
			i++
		}
		if i >= len(b) {
			return errJPEG
		}
		code := b[i]
		i++
		switch {
		case code == 0xd9: // EOI
			if !sawScan || i != len(b) {
				return errJPEG
			}
			return nil
		case code == 0xd8, code == 0x00, code >= 0xd0 && code <= 0xd7, code == 0x01:
			return errJPEG // SOI again, a stuffed byte, a restart or TEM outside a scan
		}
		if i+2 > len(b) {
			return errJPEG
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return errJPEG
		}
		i += n
		switch {
		case code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc:
			sawFrame = true
		case code == 0xda: // SOS: entropy-coded data up to the next marker
			if !sawFrame {
				return errJPEG
			}
			sawScan = true
			for {
				if i+1 >= len(b) {
					return errJPEG
				}
				if b[i] == 0xff && b[i+1] != 0x00 && !(b[i+1] >= 0xd0 && b[i+1] <= 0xd7) {
					// A fill byte before a marker is part of the marker.
					if b[i+1] == 0xff {
						j := i + 1
						for j < len(b) && b[j] == 0xff {
							j++
						}
						if j < len(b) && (b[j] == 0x00 || b[j] >= 0xd0 && b[j] <= 0xd7) {
							i = j + 1
							continue
						}
					}
					break
				}
				i++
			}
		}
	}
}

// pdfActiveNames are the PDF names that carry active content: a script, a
// program to launch, an embedded file, rich media or an XFA form (which
// carries script of its own). A medical attachment or a signed form needs
// none of them.
var pdfActiveNames = map[string]bool{"JavaScript": true, "JS": true, "Launch": true, "EmbeddedFile": true,
	"EmbeddedFiles": true, "RichMedia": true, "XFA": true}

// pdfName is a PDF name object: a solidus and the regular characters after
// it (PDF 32000-1 §7.3.5; #xx escapes are decoded by pdfNameText).
var pdfName = regexp.MustCompile(`/([^\x00\t\n\f\r ()<>\[\]{}/%]*)`)

// maxPDFInflate bounds how much of a PDF's compressed streams pdfActive
// inflates in all, so that a small file cannot make the check inflate
// without end.
const maxPDFInflate = 64 << 20

// pdfActive returns errPDFActive when a name of pdfActiveNames appears in
// b, spelled plainly or with #xx escapes, or inside any of its streams
// that inflates as zlib data (object streams hide dictionaries there);
// errPDFInflate when the streams inflate beyond maxPDFInflate.
func pdfActive(b []byte) error {
	if pdfHasActiveName(b) {
		return errPDFActive
	}
	budget := int64(maxPDFInflate)
	rest := b
	for {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			return nil
		}
		isEnd := i >= 3 && string(rest[i-3:i]) == "end"
		rest = rest[i+len("stream"):]
		if isEnd {
			continue
		}
		rest = bytes.TrimPrefix(bytes.TrimPrefix(rest, []byte("\r")), []byte("\n"))
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			return nil
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[:j]))
		if err == nil {
			inflated, _ := io.ReadAll(io.LimitReader(zr, budget+1))
			budget -= int64(len(inflated))
			if budget < 0 {
				return errPDFInflate
			}
			if pdfHasActiveName(inflated) {
				return errPDFActive
			}
		}
		rest = rest[j+len("endstream"):]
	}
}

// pdfHasActiveName reports whether b holds a name of pdfActiveNames.
func pdfHasActiveName(b []byte) bool {
	for _, m := range pdfName.FindAllSubmatch(b, -1) {
		if pdfActiveNames[pdfNameText(m[1])] {
			return true
		}
	}
	return false
}

// pdfNameText decodes the #xx escapes of a name's characters; a # not
// followed by two hex digits stays as it is.
func pdfNameText(n []byte) string {
	if !bytes.Contains(n, []byte("#")) {
		return string(n)
	}
	var out []byte
	for i := 0; i < len(n); i++ {
		if n[i] == '#' && i+2 < len(n) {
			if v, err := strconv.ParseUint(string(n[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, n[i])
	}
	return string(out)
}
