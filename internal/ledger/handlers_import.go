package ledger

import (
	"bytes"
	"embed"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/register"
	"linli/internal/web"
)

//go:embed templates/import*.html
var ledgerTemplates embed.FS

// Handlers serves the ledger import and export pages and API.
type Handlers struct {
	ledger *Ledger
	auth   auth.Guard
	kit    *web.Kit
	views  *web.Views
}

// NewHandlers returns the ledger handlers.
func NewHandlers(l *Ledger, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{ledger: l, auth: a, kit: kit, views: kit.Views(ledgerTemplates, nil)}
}

// Routes registers /imports, the ledger exports and their API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	page := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.RegisterImport, f) }
	mux.Handle("GET /imports", page(h.list))
	mux.Handle("POST /imports", page(h.upload))
	mux.Handle("GET /imports/{id}", page(h.show))
	mux.Handle("POST /imports/{id}/mapping", page(h.remap))
	mux.Handle("POST /imports/{id}/commit", page(h.commit))
	mux.Handle("GET /imports/{id}/errors.xlsx", page(h.errorReport))
	mux.Handle("GET /exports/residents.xlsx", page(h.exportResidents))
	mux.Handle("POST /exports/residents.xlsx", page(h.exportResidents))
	mux.Handle("GET /exports/households.xlsx", page(h.exportHouseholds))
	mux.Handle("GET /exports/buildings.xlsx", page(h.exportBuildings))
	h.apiRoutes(mux)
}

type importsView struct {
	web.Page
	Imports     []Import
	Communities []register.Region
	Tags        []register.Tag
	CanUnmask   bool
	MaxMB       int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, http.StatusOK, "")
}

func (h *Handlers) renderList(w http.ResponseWriter, r *http.Request, status int, formErr string) {
	ctx := r.Context()
	imports, err := h.ledger.List(ctx, 30)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	communities, err := h.ledger.Communities(ctx, auth.FromContext(ctx))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "imports.html", &importsView{Page: web.Page{Title: "台账导入导出", Error: formErr},
		Imports: imports, Communities: communities, Tags: register.Tags, CanUnmask: auth.FromContext(ctx).Can(auth.RevealPII),
		MaxMB: MaxLedgerBytes >> 20})
}

// readUpload reads the uploaded ledger file of a multipart form, within the size limit.
func readUpload(w http.ResponseWriter, r *http.Request) (name string, data []byte, err error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, ledgerErr("文件超过 %d MB，请拆分后分批导入", MaxLedgerBytes>>20)
		}
		return "", nil, errs.Field("file", "请选择要上传的台账文件（.xlsx 或 .csv）")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, errs.Field("file", "请选择要上传的台账文件（.xlsx 或 .csv）")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, MaxLedgerBytes+1))
	if err != nil {
		return "", nil, err
	}
	if len(data) > MaxLedgerBytes {
		return "", nil, ledgerErr("文件超过 %d MB，请拆分后分批导入", MaxLedgerBytes>>20)
	}
	return hdr.Filename, data, nil
}

// uploadCommunity is the community an upload goes to: the form's choice, or the user's own.
func uploadCommunity(r *http.Request) int64 {
	if id := web.QueryInt64(r, "community_id"); id != 0 {
		return id
	}
	return auth.FromContext(r.Context()).RegionID
}

func (h *Handlers) upload(w http.ResponseWriter, r *http.Request) {
	name, data, err := readUpload(w, r)
	if err == nil {
		var im *Import
		if im, err = h.ledger.Upload(r.Context(), uploadCommunity(r), name, data); err == nil {
			web.Redirect(w, r, "/imports/"+strconv.FormatInt(im.ID, 10), "文件已上传并完成校验，请核对列对应关系和预览后确认导入")
			return
		}
	}
	if errs.CodeOf(err) != errs.Invalid {
		h.kit.Error(w, r, err)
		return
	}
	h.renderList(w, r, http.StatusUnprocessableEntity, errs.MessageOf(err))
}

type importView struct {
	web.Page
	Import  *Import
	Fields  []LedgerField
	Columns []mappingColumn
	HTMX    bool
}

// mappingColumn is one row of the mapping form.
type mappingColumn struct {
	Index  int
	Header string
	Field  string
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	im, err := h.ledger.Get(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	// The progress poll swaps only the progress box; once the commit ends, reload the whole page.
	if r.Header.Get("HX-Request") == "true" && im.Status != ImportCommitting {
		w.Header().Set("HX-Refresh", "true")
	}
	h.renderImport(w, r, http.StatusOK, im, "")
}

func (h *Handlers) renderImport(w http.ResponseWriter, r *http.Request, status int, im *Import, formErr string) {
	v := &importView{Page: web.Page{Title: "台账导入 · " + im.FileName, Error: formErr}, Import: im,
		Fields: LedgerFields(), HTMX: h.kit.HasAsset("vendor/htmx.min.js")}
	for i, hd := range im.Mapping.Headers {
		c := mappingColumn{Index: i, Header: hd}
		if i < len(im.Mapping.Columns) {
			c.Field = im.Mapping.Columns[i]
		}
		if c.Header == "" {
			c.Header = "（第" + strconv.Itoa(i+1) + "列，无列名）"
		}
		v.Columns = append(v.Columns, c)
	}
	h.views.Render(w, r, status, "import.html", v)
}

func (h *Handlers) remap(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.kit.Error(w, r, errs.E(errs.Invalid, "表单内容无效"))
		return
	}
	im, err := h.ledger.Get(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	cols := make([]string, len(im.Mapping.Headers))
	for i := range cols {
		cols[i] = r.PostFormValue("col" + strconv.Itoa(i))
	}
	next, err := h.ledger.Remap(r.Context(), id, cols)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal || errs.CodeOf(err) == errs.NotFound {
			h.kit.Error(w, r, err)
			return
		}
		im.Mapping.Columns = cols
		h.renderImport(w, r, web.Status(err), im, errs.MessageOf(err))
		return
	}
	web.Redirect(w, r, "/imports/"+strconv.FormatInt(next.ID, 10), "已按新的列对应关系重新校验")
}

func (h *Handlers) commit(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if _, err := h.ledger.Commit(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/imports/"+strconv.FormatInt(id, 10), "已开始导入，完成前请勿重复提交")
}

// download is an .xlsx download with a Chinese file name, written as it is made.
func download(w http.ResponseWriter, name string) *web.Download {
	return web.NewDownload(w, web.XLSXType, name, "ledger.xlsx")
}

// attachment sets the headers of a downloaded .xlsx with a Chinese file name.
func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="ledger.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

func (h *Handlers) errorReport(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	im, err := h.ledger.ErrorReport(r.Context(), id, &buf)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	attachment(w, errorReportName(im))
	_, _ = w.Write(buf.Bytes())
}

// exportFilter reads the resident list's filters from a query or form.
func exportFilter(r *http.Request) register.ResidentFilter {
	return register.ResidentFilter{Q: strings.TrimSpace(r.FormValue("q")), GridID: web.QueryInt64(r, "grid"),
		BuildingID: web.QueryInt64(r, "building"), HouseholdID: web.QueryInt64(r, "household"),
		Tag: r.FormValue("tag"), Status: r.FormValue("status")}
}

func (h *Handlers) exportResidents(w http.ResponseWriter, r *http.Request) {
	req := ExportRequest{Filter: exportFilter(r)}
	if r.Method == http.MethodPost {
		req.Unmask = r.PostFormValue("unmask") != ""
		req.Reason = r.PostFormValue("reason")
	}
	d := download(w, "居民台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportResidents(r.Context(), req, d); err != nil {
		if errs.CodeOf(err) == errs.Invalid && !d.Started() {
			h.renderList(w, r, http.StatusUnprocessableEntity, errs.MessageOf(err))
			return
		}
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}

func (h *Handlers) exportHouseholds(w http.ResponseWriter, r *http.Request) {
	d := download(w, "户台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportHouseholds(r.Context(), web.QueryInt64(r, "grid"), d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}

func (h *Handlers) exportBuildings(w http.ResponseWriter, r *http.Request) {
	d := download(w, "楼院台账-"+ledgerToday().Format("20060102")+".xlsx")
	if _, err := h.ledger.ExportBuildings(r.Context(), web.QueryInt64(r, "grid"), d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}
