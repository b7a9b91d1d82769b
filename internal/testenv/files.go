package testenv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// PDF returns a small, well-formed PDF (header, two objects, a
// cross-reference table, trailer, startxref and %%EOF) with note in a
// comment line, as tests upload for attachments. note must not hold a line
// break.
func PDF(note string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n% " + note + "\n")
	offsets := []int{}
	for _, obj := range []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"} {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// PNG returns a small, well-formed PNG whose tEXt chunk holds note.
func PNG(note string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	raw := b.Bytes()
	// After the signature (8) and IHDR (8 + 13 + 4), a tEXt chunk.
	at := 8 + 25
	data := append([]byte("Comment\x00"), note...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte{}, raw[:at]...), chunk...), raw[at:]...)
}

// JPEG returns a small, well-formed JPEG.
func JPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	img.Set(3, 3, color.RGBA{G: 200, A: 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}
