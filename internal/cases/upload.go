package cases

// upload.go checks and cleans the photos residents and staff upload from the pages: images only
// (JPEG, PNG or WebP, recognised by their content, not their name), at most UploadMaxBytes each,
// with the metadata that may give away where and by whom a photo was taken (EXIF with GPS, XMP,
// text chunks) removed before anything is stored. The JPEG orientation is kept so phone photos
// stay upright.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of uploaded JPEGs
	_ "image/png"  // DecodeConfig of uploaded PNGs
	"net/http"

	"linli/internal/errs"
)

// UploadMaxBytes is the largest photo the pages accept.
const UploadMaxBytes = 8 << 20

// maxPixels guards against images that would take huge memory to show.
const maxPixels = 60_000_000

// CleanPhoto checks one uploaded file and returns it with its metadata stripped, or a field error
// with a Chinese message naming the file.
func CleanPhoto(name string, data []byte) (Photo, error) {
	label := name
	if label == "" {
		label = "照片"
	}
	if len(data) == 0 {
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”是空文件", label))
	}
	if len(data) > UploadMaxBytes {
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”超过%dMB，请压缩后再上传", label, UploadMaxBytes>>20))
	}
	var clean []byte
	var err error
	switch http.DetectContentType(data) {
	case "image/jpeg":
		clean, err = stripJPEG(data)
	case "image/png":
		clean, err = stripPNG(data)
	case "image/webp":
		clean, err = stripWebP(data)
	default:
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”不是图片，只能上传 JPG、PNG 或 WebP 格式的照片", label))
	}
	if err == nil && http.DetectContentType(clean) != "image/webp" {
		var cfg image.Config
		cfg, _, err = image.DecodeConfig(bytes.NewReader(clean))
		if err == nil && cfg.Width*cfg.Height > maxPixels {
			err = fmt.Errorf("too large: %dx%d", cfg.Width, cfg.Height)
		}
	}
	if err != nil {
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”已损坏或无法识别，请重新拍摄后上传", label))
	}
	return Photo{FileName: name, Data: clean}, nil
}

// CleanPhotos checks every file; at most MaxPhotos.
func CleanPhotos(files []Photo) ([]Photo, error) {
	if len(files) > MaxPhotos {
		return nil, errs.Field("photos", fmt.Sprintf("最多上传%d张照片", MaxPhotos))
	}
	out := make([]Photo, 0, len(files))
	for _, f := range files {
		p, err := CleanPhoto(f.FileName, f.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

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

// unlinkedPhotosCleanup removes photos uploaded for an action that then failed, so they do not
// linger on the case without a timeline entry.
func (s *Service) unlinkedPhotosCleanup(ctx context.Context, caseID int64, ids []int64) {
	for _, id := range ids {
		_, _ = s.db.W.ExecContext(ctx, `DELETE FROM case_attachments WHERE id = $1 AND case_id = $2 AND event_id IS NULL`, id, caseID)
	}
}
