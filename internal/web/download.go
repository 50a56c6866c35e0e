package web

import (
	"net/http"
	"net/url"
	"strings"
)

// XLSXType is the content type of an .xlsx download.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Download is a response that becomes a file download with its first byte: an export writes into
// it as it reads its rows (memory flat, the first bytes out at once), and until the first byte
// the handler may still answer with an error page instead — see Kit.DownloadFailed.
type Download struct {
	w               http.ResponseWriter
	name, ascii, ct string
	started         bool
}

// NewDownload is a download of the given content type named name (Chinese as it is; ascii is
// the plain file name for clients that cannot read the encoded one, "" for none).
func NewDownload(w http.ResponseWriter, contentType, name, ascii string) *Download {
	return &Download{w: w, ct: contentType, name: name, ascii: ascii}
}

func (d *Download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.w.Header()
		h.Set("Content-Type", d.ct)
		disp := "attachment; "
		if d.ascii != "" {
			disp += `filename="` + strings.NewReplacer(`"`, "", `\`, "").Replace(d.ascii) + `"; `
		}
		h.Set("Content-Disposition", disp+"filename*=UTF-8''"+url.PathEscape(d.name))
		h.Set("Cache-Control", "no-store")
		d.w.WriteHeader(http.StatusOK)
	}
	return d.w.Write(p)
}

// Header is the response's header, for headers set before the download starts.
func (d *Download) Header() http.Header { return d.w.Header() }

// Started reports whether the download's first byte has been written.
func (d *Download) Started() bool { return d.started }

// DownloadFailed answers an export that failed: with the error page if nothing of the file has
// been sent (the JSON error for the API), otherwise by cutting the connection, so the browser
// reports a failed download rather than saving a broken file.
func (k *Kit) DownloadFailed(w http.ResponseWriter, r *http.Request, d *Download, err error, api bool) {
	if !d.Started() {
		if api {
			k.APIErr(w, r, err)
		} else {
			k.Error(w, r, err)
		}
		return
	}
	k.logIfInternal(r, err)
	panic(http.ErrAbortHandler)
}
