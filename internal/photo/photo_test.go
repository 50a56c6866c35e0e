package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"linli/internal/errs"
	"linli/internal/photo"
)

func TestCleanPhotoStripsLocationButKeepsOrientation(t *testing.T) {
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x02" +
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00" + // orientation 6
		"\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" + // GPS IFD pointer
		"\x00\x00\x00\x00GPSLatitude38.93")
	seg := append([]byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	jpeg := tinyJPEG(t)
	withExif := append(append(append([]byte{}, jpeg[:2]...), seg...), jpeg[2:]...)
	ph, err := photo.Clean("p.jpg", withExif)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ph.Data, []byte("GPSLatitude")) {
		t.Fatal("EXIF location kept")
	}
	if !bytes.Contains(ph.Data, []byte{0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06}) {
		t.Fatal("orientation lost")
	}
}

func tinyJPEG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tinyPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPNGChunk inserts a chunk of the given type right after the PNG header chunk.
func withPNGChunk(t testing.TB, kind, data string) []byte {
	b := tinyPNG(t)
	ihdr := 8 + 12 + int(binary.BigEndian.Uint32(b[8:]))
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, kind+data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE([]byte(kind+data)))
	return append(append(append([]byte{}, b[:ihdr]...), chunk...), b[ihdr:]...)
}

func TestCleanRefusesWhatIsNotAWholeSmallImage(t *testing.T) {
	for _, c := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"empty", "a.jpg", nil, "“a.jpg”是空文件"},
		{"not an image", "清单.pdf", []byte("%PDF-1.4 not an image"), "“清单.pdf”不是图片"},
		{"over the size limit", "大图.png", append(tinyPNG(t), make([]byte, photo.MaxBytes)...), "“大图.png”超过8MB"},
		{"cut short", "半张.jpg", tinyJPEG(t)[:40], "“半张.jpg”已损坏或无法识别"},
		{"no name", "", []byte("plain text"), "“照片”不是图片"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := photo.Clean(c.file, c.data)
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(errs.FieldsOf(err)["photos"], c.want) {
				t.Fatalf("err = %v, want a photos field error containing %q", err, c.want)
			}
		})
	}
}

func TestCleanStripsPNGTextButKeepsTheImage(t *testing.T) {
	in := withPNGChunk(t, "tEXt", "Location\x0038.93,121.6")
	out, err := photo.Clean("p.png", in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Data, []byte("38.93")) {
		t.Fatal("PNG text chunk kept")
	}
	if !bytes.Equal(out.Data, tinyPNG(t)) {
		t.Fatal("the image itself changed")
	}
	if out.FileName != "p.png" {
		t.Fatalf("file name %q", out.FileName)
	}
}

func TestCleanAllRefusesTooManyFiles(t *testing.T) {
	files := []photo.Photo{{FileName: "1.png", Data: tinyPNG(t)}, {FileName: "2.png", Data: tinyPNG(t)}}
	if out, err := photo.CleanAll(files, 2); err != nil || len(out) != 2 {
		t.Fatalf("two of two: %d photos, %v", len(out), err)
	}
	_, err := photo.CleanAll(files, 1)
	if !strings.Contains(errs.FieldsOf(err)["photos"], "最多上传1张照片") {
		t.Fatalf("two of one: %v", err)
	}
}
