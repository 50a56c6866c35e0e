// Package photo checks and cleans uploaded photos: images only (JPEG, PNG or WebP, recognised by
// their content, not their name), at most MaxBytes each, with the metadata that may give away where
// and by whom a photo was taken (EXIF with GPS, XMP, IPTC, text chunks) removed before anything is
// stored. The JPEG orientation is kept so phone photos stay upright.
package photo

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of uploaded JPEGs
	_ "image/png"  // DecodeConfig of uploaded PNGs
	"net/http"

	"linli/internal/errs"
)

// MaxBytes is the largest photo accepted.
const MaxBytes = 8 << 20

// maxPixels guards against images that would take huge memory to show.
const maxPixels = 60_000_000

// Photo is an uploaded file: its name as sent and its content.
type Photo struct {
	FileName string
	Data     []byte
}

// Clean checks one uploaded file and returns it with its metadata stripped, or an error on the
// field "photos" with a Chinese message naming the file.
func Clean(name string, data []byte) (Photo, error) {
	label := name
	if label == "" {
		label = "照片"
	}
	if len(data) == 0 {
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”是空文件", label))
	}
	if len(data) > MaxBytes {
		return Photo{}, errs.Field("photos", fmt.Sprintf("“%s”超过%dMB，请压缩后再上传", label, MaxBytes>>20))
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

// CleanAll checks every file and returns them cleaned; more than most files is an error.
func CleanAll(files []Photo, most int) ([]Photo, error) {
	if len(files) > most {
		return nil, errs.Field("photos", fmt.Sprintf("最多上传%d张照片", most))
	}
	out := make([]Photo, 0, len(files))
	for _, f := range files {
		p, err := Clean(f.FileName, f.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
