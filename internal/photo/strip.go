package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// stripJPEG drops the APP1 (EXIF, XMP), APP13 (IPTC) and comment segments before the image data,
// writing back a minimal EXIF block holding only the orientation when it is not the default.
func stripJPEG(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, fmt.Errorf("not a jpeg")
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)))
	out.Write(b[:2])
	orientation := uint16(1)
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil, fmt.Errorf("bad marker at %d", i)
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA { // start of scan: the rest is image data
			if orientation != 1 {
				out.Write(orientationSegment(orientation))
			}
			out.Write(b[i:])
			return out.Bytes(), nil
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil, fmt.Errorf("bad segment length")
		}
		seg := b[i : i+2+n]
		switch marker {
		case 0xE1:
			if o := exifOrientation(seg[4:]); o != 0 {
				orientation = o
			}
		case 0xED, 0xFE:
		default:
			out.Write(seg)
		}
		i += 2 + n
	}
	return nil, fmt.Errorf("no image data")
}

// exifOrientation reads tag 0x0112 from an APP1 payload ("Exif\0\0" + TIFF), 0 when absent.
func exifOrientation(p []byte) uint16 {
	if len(p) < 14 || string(p[:6]) != "Exif\x00\x00" {
		return 0
	}
	t := p[6:]
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for k := 0; k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := bo.Uint16(t[e+8:]); v >= 1 && v <= 8 {
				return v
			}
		}
	}
	return 0
}

// orientationSegment is an APP1 EXIF segment with the orientation tag only.
func orientationSegment(o uint16) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(o >> 8), byte(o), 0, 0, 0, 0, 0, 0}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// stripPNG drops the eXIf, text and time chunks.
func stripPNG(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("not a png")
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)))
	out.Write(b[:8])
	for i := 8; i < len(b); {
		if i+12 > len(b) {
			return nil, fmt.Errorf("truncated chunk")
		}
		n := int(binary.BigEndian.Uint32(b[i:]))
		end := i + 12 + n
		if n < 0 || end > len(b) {
			return nil, fmt.Errorf("bad chunk length")
		}
		switch string(b[i+4 : i+8]) {
		case "eXIf", "tEXt", "zTXt", "iTXt", "tIME":
		default:
			out.Write(b[i:end])
		}
		if string(b[i+4:i+8]) == "IEND" {
			return out.Bytes(), nil
		}
		i = end
	}
	return nil, fmt.Errorf("no IEND")
}

// stripWebP drops the EXIF and XMP chunks and clears their flags in the VP8X header.
func stripWebP(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return nil, fmt.Errorf("not a webp")
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)))
	out.Write(b[:12])
	hasImage := false
	for i := 12; i+8 <= len(b); {
		fourcc := string(b[i : i+4])
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		end := i + 8 + n + n%2
		if n < 0 || i+8+n > len(b) {
			return nil, fmt.Errorf("bad chunk length")
		}
		if end > len(b) {
			end = len(b)
		}
		switch fourcc {
		case "EXIF", "XMP ":
		case "VP8X":
			chunk := append([]byte(nil), b[i:end]...)
			if len(chunk) > 8 {
				chunk[8] &^= 0x08 | 0x04
			}
			out.Write(chunk)
		default:
			if fourcc == "VP8 " || fourcc == "VP8L" || fourcc == "ANIM" {
				hasImage = true
			}
			out.Write(b[i:end])
		}
		i = end
	}
	if !hasImage {
		return nil, fmt.Errorf("no image data")
	}
	res := out.Bytes()
	binary.LittleEndian.PutUint32(res[4:], uint32(len(res)-8))
	return res, nil
}
