package audit

import (
	"embed"
	"encoding/csv"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// OpenAPI is this package's part of the API document (paths and components).
//
//go:embed openapi.json
var OpenAPI []byte

// Access is what the audit handlers need from the sign-in layer, which this package cannot import:
// the route guards that admit only users who may read the audit log.
type Access struct {
	Page func(http.HandlerFunc) http.Handler
	API  func(http.HandlerFunc) http.Handler
}

// Handlers serves the audit log reader: pages under /audit and the API under /api/v1/audit.
type Handlers struct {
	svc    *Service
	kit    *web.Kit
	views  *web.Views
	access Access
}

// NewHandlers returns the audit log reader.
func NewHandlers(svc *Service, kit *web.Kit, access Access) *Handlers {
	funcs := template.FuncMap{"objectLabel": ObjectLabel, "detailText": DetailText}
	return &Handlers{svc: svc, kit: kit, views: kit.Views(templates, funcs), access: access}
}

// Routes registers the reader's pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.Handle("GET /audit", h.access.Page(h.listPage))
	mux.Handle("GET /audit/export.csv", h.access.Page(h.export))
	mux.Handle("GET /audit/{id}", h.access.Page(h.entryPage))
	mux.Handle("GET /api/v1/audit", h.access.API(h.apiList))
	mux.Handle("GET /api/v1/audit/{id}", h.access.API(h.apiGet))
}

// piiActions are the personal-data access log's actions.
var piiActions = []string{"pii.reveal", "pii.export"}

// filterFrom reads the reader's filters from the query. Dates are days in China time; "to" is
// inclusive.
func filterFrom(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Username: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		ObjectType: strings.TrimSpace(q.Get("object_type")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		IP: strings.TrimSpace(q.Get("ip"))}
	if q.Get("preset") == "pii" {
		f.Actions = piiActions
	}
	bad := errs.Fields{}
	var err error
	if f.From, err = parseDay(q.Get("from")); err != nil {
		bad.Add("from", "开始日期格式应为 2025-01-31")
	}
	if f.To, err = parseDay(q.Get("to")); err != nil {
		bad.Add("to", "结束日期格式应为 2025-01-31")
	} else if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	return f, bad.Err()
}

// parseDay reads a day (2006-01-02) or an RFC 3339 time; empty is the zero time.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, clock.Shanghai()); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

type listView struct {
	web.Page
	Records []Row
	Query   url.Values
	Pager   web.Pager
	Actions []ActionOption
	Objects []ActionOption
	PII     bool
}

func (h *Handlers) listPage(w http.ResponseWriter, r *http.Request) {
	v := &listView{Page: web.Page{Title: "审计日志"}, Query: r.URL.Query(), Actions: KnownActions(), Objects: KnownObjects(),
		PII: r.URL.Query().Get("preset") == "pii"}
	if v.PII {
		v.Title = "个人信息访问记录"
	}
	f, err := filterFrom(r)
	if err != nil {
		v.Error, v.Errors = errs.MessageOf(err), errs.FieldsOf(err)
		h.views.Render(w, r, http.StatusUnprocessableEntity, "audit.html", v)
		return
	}
	v.Pager = web.PagerFrom(r, 50)
	f.Limit, f.Offset = v.Pager.Limit, v.Pager.Offset
	v.Records, v.Pager.Total, err = h.svc.List(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "audit.html", v)
}

type entryView struct {
	web.Page
	Record  *Row
	Changes []Change
}

func (h *Handlers) entryPage(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	rec, changes, err := h.svc.Entry(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "audit_entry.html", &entryView{Page: web.Page{Title: "审计记录 #" + strconv.FormatInt(id, 10)},
		Record: rec, Changes: changes})
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	f, err := filterFrom(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	recs, err := h.svc.Export(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	name := "审计日志-" + time.Now().In(clock.Shanghai()).Format("20060102-1504") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write([]byte("\xEF\xBB\xBF")) // a BOM, so Excel opens the file as UTF-8
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"编号", "时间", "用户", "IP 地址", "操作", "操作代码", "对象类型", "对象编号", "区域", "说明", "变更前", "变更后"})
	for _, rec := range recs {
		row := []string{strconv.FormatInt(rec.ID, 10), rec.At.In(clock.Shanghai()).Format("2006-01-02 15:04:05"),
			rec.Username, rec.IP, rec.ActionName, rec.Action, ObjectLabel(rec.ObjectType), rec.ObjectID, rec.RegionName,
			rec.Detail, rec.Before, rec.After}
		for i, c := range row {
			row[i] = cell(c)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

// cell defuses text a spreadsheet would run as a formula: failed sign-ins record what strangers typed.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) {
	f, err := filterFrom(r)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	pager := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pager.Limit, pager.Offset
	recs, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Row]{Items: recs, Total: total})
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	rec, _, err := h.svc.Entry(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, rec)
}
