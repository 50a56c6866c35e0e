package ledger

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// OpenAPI is the ledger import and export part of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	api := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.RegisterImport, f) }
	mux.Handle("POST /api/v1/imports", api(h.apiUpload))
	mux.Handle("GET /api/v1/imports/{id}", api(h.apiGet))
	mux.Handle("POST /api/v1/imports/{id}/mapping", api(h.apiRemap))
	mux.Handle("POST /api/v1/imports/{id}/commit", api(h.apiCommit))
	mux.Handle("GET /api/v1/imports/{id}/errors.xlsx", api(h.apiErrorReport))
	mux.Handle("GET /api/v1/exports/residents.xlsx", api(h.apiExportResidents))
	mux.Handle("GET /api/v1/exports/households.xlsx", api(h.apiExportHouseholds))
	mux.Handle("GET /api/v1/exports/buildings.xlsx", api(h.apiExportBuildings))
}

func (h *Handlers) apiUpload(w http.ResponseWriter, r *http.Request) {
	name, data, err := readUpload(w, r)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	im, err := h.ledger.Upload(r.Context(), uploadCommunity(r), name, data)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	// An optional mapping replaces the suggested one: a JSON array of field codes, one per column.
	if raw := strings.TrimSpace(r.FormValue("columns")); raw != "" {
		var cols []string
		if err := json.Unmarshal([]byte(raw), &cols); err != nil {
			h.kit.APIErr(w, r, errs.Field("columns", "columns 应为字段代码组成的 JSON 数组"))
			return
		}
		if im, err = h.ledger.Remap(r.Context(), im.ID, cols); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	web.JSON(w, http.StatusCreated, im)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	im, err := h.ledger.Get(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, im)
}

func (h *Handlers) apiRemap(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var body struct {
		Columns []string `json:"columns"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	im, err := h.ledger.Remap(r.Context(), id, body.Columns)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, im)
}

func (h *Handlers) apiCommit(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	im, err := h.ledger.Commit(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusAccepted, im)
}

func (h *Handlers) apiErrorReport(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var buf bytes.Buffer
	im, err := h.ledger.ErrorReport(r.Context(), id, &buf)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	attachment(w, errorReportName(im))
	_, _ = w.Write(buf.Bytes())
}

func (h *Handlers) apiExportResidents(w http.ResponseWriter, r *http.Request) {
	req := ExportRequest{Filter: exportFilter(r), Unmask: r.URL.Query().Get("unmask") == "true",
		Reason: r.URL.Query().Get("reason")}
	d := download(w, "居民台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportResidents(r.Context(), req, d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, true)
	}
}

func (h *Handlers) apiExportHouseholds(w http.ResponseWriter, r *http.Request) {
	d := download(w, "户台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportHouseholds(r.Context(), web.QueryInt64(r, "grid"), d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, true)
	}
}

func (h *Handlers) apiExportBuildings(w http.ResponseWriter, r *http.Request) {
	d := download(w, "楼院台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportBuildings(r.Context(), web.QueryInt64(r, "grid"), d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, true)
	}
}
