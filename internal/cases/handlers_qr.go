package cases

import (
	"fmt"
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"linli/internal/web"
)

type qrView struct {
	web.Page
	Target *QRTarget
	URL    string
	Image  string
}

// qrURL is the address of the public form preselected for the grid or building.
func (h *Handlers) qrURL(r *http.Request, t *QRTarget) string {
	return fmt.Sprintf("%s/report?%s=%d", h.baseURL(r), t.Kind, t.ID)
}

// qrTarget reads the grid or building of the path, answering 404 for one outside the user's scope.
func (h *Handlers) qrTarget(w http.ResponseWriter, r *http.Request, kind string) (*QRTarget, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, false
	}
	t, err := h.svc.QRTarget(r.Context(), kind, id)
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return t, true
}

// qrPage is the printable sheet with the QR code residents scan to report a problem.
func (h *Handlers) qrPage(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := h.qrTarget(w, r, kind)
		if !ok {
			return
		}
		v := &qrView{Page: web.Page{Title: "扫码反映问题 · " + t.Name}, Target: t, URL: h.qrURL(r, t),
			Image: fmt.Sprintf("/%ss/%d/qr.png", kind, t.ID)}
		h.views.Render(w, r, http.StatusOK, "qr.html", v)
	}
}

// qrImage is the QR code itself as a PNG.
func (h *Handlers) qrImage(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := h.qrTarget(w, r, kind)
		if !ok {
			return
		}
		png, err := qrcode.Encode(h.qrURL(r, t), qrcode.Medium, 640)
		if err != nil {
			h.kit.Error(w, r, fmt.Errorf("qr code: %w", err))
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "private, max-age=300")
		_, _ = w.Write(png)
	}
}

// trackQR is the QR code of a case's tracking link, for the resident to scan into their phone from
// the success page; a code that tracks nothing is not found.
func (h *Handlers) trackQR(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if _, err := h.svc.TrackAny(r.Context(), code); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	png, err := qrcode.Encode(h.baseURL(r)+"/track/"+strings.ToLower(code), qrcode.Medium, 480)
	if err != nil {
		h.kit.Error(w, r, fmt.Errorf("qr code: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(png)
}
