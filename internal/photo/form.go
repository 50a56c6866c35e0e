package photo

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"linli/internal/errs"
)

// FromForm parses the request's form and returns the photos uploaded under "photos", at most most
// of them and MaxBytes each, refusing a file over the limit before reading it. A form that is not
// multipart is parsed as an ordinary form and carries no photos. The photos are not yet cleaned.
func FromForm(w http.ResponseWriter, r *http.Request, most int) ([]Photo, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, r.ParseForm()
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(most)*MaxBytes+(2<<20))
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, errs.Field("photos", fmt.Sprintf("上传内容过大：每张照片不超过%dMB，最多%d张", MaxBytes>>20, most))
	}
	var out []Photo
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size == 0 {
			continue // the empty part a browser sends when no file was chosen
		}
		if len(out) == most {
			return nil, errs.Field("photos", fmt.Sprintf("最多上传%d张照片", most))
		}
		if fh.Size > MaxBytes {
			return nil, errs.Field("photos", fmt.Sprintf("“%s”超过%dMB，请压缩后再上传", fh.Filename, MaxBytes>>20))
		}
		data, err := readPart(fh)
		if err != nil {
			return nil, errs.Field("photos", "读取照片失败，请重新选择")
		}
		out = append(out, Photo{FileName: fh.Filename, Data: data})
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxBytes+1))
}
