package cases

import (
	_ "embed"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// OpenAPI is this package's fragment of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

// API serves the cases JSON API under /api/v1.
type API struct {
	svc  *Service
	auth auth.Guard
	kit  *web.Kit
}

// NewAPI returns the cases API handlers.
func NewAPI(svc *Service, a auth.Guard, kit *web.Kit) *API {
	return &API{svc: svc, auth: a, kit: kit}
}

// Routes registers the API routes.
func (h *API) Routes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/cases", h.auth.API(auth.CasesIntake, h.create))
	mux.Handle("GET /api/v1/cases", h.auth.API(auth.CasesRead, h.list))
	mux.Handle("GET /api/v1/cases/figures", h.auth.API(auth.CasesRead, h.figures))
	mux.Handle("GET /api/v1/cases/categories", h.auth.API("", h.categories))
	mux.Handle("GET /api/v1/cases/channels", h.auth.API("", h.channels))
	mux.Handle("GET /api/v1/cases/targets", h.auth.API(auth.CasesDispatch, h.targets))
	mux.Handle("POST /api/v1/cases/imports", h.auth.API(auth.CasesDispatch, h.importHotline))
	mux.Handle("GET /api/v1/cases/{id}", h.auth.API(auth.CasesRead, h.get))
	mux.Handle("POST /api/v1/cases/{id}/actions/{action}", h.auth.API(auth.CasesRead, h.act))
	mux.Handle("POST /api/v1/cases/{id}/location", h.auth.API(auth.CasesDispatch, h.place))
	mux.HandleFunc("GET /api/v1/public/cases/{tracking}", h.track)
	mux.HandleFunc("POST /api/v1/public/cases/{tracking}/rating", h.rate)
}

// targets answers the dispatch targets of the caller's scope (the page's select).
func (h *API) targets(w http.ResponseWriter, r *http.Request) {
	ch, err := h.svc.DispatchChoices(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, ch)
}

func (h *API) create(w http.ResponseWriter, r *http.Request) {
	var in Intake
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		c, created, err := h.svc.IntakeIdempotent(r.Context(), key, in)
		if err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
		status := http.StatusCreated
		if !created {
			status = http.StatusOK
		}
		web.JSON(w, status, c)
		return
	}
	c, err := h.svc.Intake(r.Context(), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, c)
}

// FilterFromQuery reads a list filter from query parameters: queue, state, category, channel,
// region, grid, handler, from, to, by, overdue, supervised, involved (me: 经办), q, phone, name, sort,
// figure, limit (at most MaxListLimit), offset.
func FilterFromQuery(q url.Values) (Filter, error) {
	f := Filter{Queue: q.Get("queue"), State: State(q.Get("state")), Channel: q.Get("channel"), From: q.Get("from"),
		To: q.Get("to"), By: q.Get("by"), Q: strings.TrimSpace(q.Get("q")), Figure: q.Get("figure"),
		Phone: strings.TrimSpace(q.Get("phone")), Name: strings.TrimSpace(q.Get("name")), Sort: q.Get("sort")}
	fields := errs.Fields{}
	num := func(key string) int64 {
		v := q.Get(key)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fields.Add(key, key+" 应为非负整数")
		}
		return n
	}
	f.CategoryID, f.RegionID, f.GridID, f.HandlerID = num("category"), num("region"), num("grid"), num("handler")
	f.ResidentID, f.HouseholdID = num("resident"), num("household")
	f.Limit, f.Offset = int(num("limit")), int(num("offset"))
	if f.Limit > MaxListLimit {
		fields.Add("limit", "每页条数（limit）不能超过"+strconv.Itoa(MaxListLimit))
	}
	if _, err := sortOrder(f.Sort); err != nil {
		fields.Add("sort", errs.MessageOf(err))
	}
	if utf8.RuneCountInString(f.Q) > 100 || utf8.RuneCountInString(f.Name) > 50 || len(f.Phone) > 20 {
		fields.Add("q", "搜索内容过长")
	}
	switch q.Get("overdue") {
	case "":
	case "true", "1":
		t := true
		f.Overdue = &t
	case "false", "0":
		v := false
		f.Overdue = &v
	default:
		fields.Add("overdue", "overdue 应为 true 或 false")
	}
	f.Supervised = q.Get("supervised") == "true" || q.Get("supervised") == "1"
	switch q.Get("involved") {
	case "":
	case "me":
		f.Involved = true
	default:
		fields.Add("involved", "involved 只能为 me（我经办的案件）")
	}
	return f, fields.Err()
}

// caseList is a page of cases: total counts up to ListCountCap (a queue QueueListCap), and more says there are more.
type caseList struct {
	Items []Case `json:"items"`
	Total int    `json:"total"`
	More  bool   `json:"more,omitempty"`
}

// scopedFilter reads the list filter of the query and checks its region and grid against the
// caller's scope; on failure it has answered (400, or 404 outside scope).
func (h *API) scopedFilter(w http.ResponseWriter, r *http.Request) (Filter, bool) {
	f, err := FilterFromQuery(r.URL.Query())
	if err == nil {
		err = h.svc.CheckFilterScope(r.Context(), f)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return Filter{}, false
	}
	return f, true
}

// caseID reads the case id of the path; a malformed one answers 404 like a case outside scope.
func (h *API) caseID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, errs.E(errs.NotFound, "案件不存在或您无权查看"))
		return 0, false
	}
	return id, true
}

func (h *API) list(w http.ResponseWriter, r *http.Request) {
	f, ok := h.scopedFilter(w, r)
	if !ok {
		return
	}
	items, total, more, err := h.svc.ListPage(r.Context(), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, caseList{Items: items, Total: total, More: more})
}

func (h *API) figures(w http.ResponseWriter, r *http.Request) {
	f, ok := h.scopedFilter(w, r)
	if !ok {
		return
	}
	figs, err := h.svc.Figures(r.Context(), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, figs)
}

func (h *API) categories(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Categories(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Category]{Items: list, Total: len(list)})
}

func (h *API) channels(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Channels(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Channel]{Items: list, Total: len(list)})
}

func (h *API) get(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	d, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, d)
}

func (h *API) act(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	var in ActionInput
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	c, err := h.svc.Act(r.Context(), id, Action(r.PathValue("action")), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, c)
}

func (h *API) importHotline(w http.ResponseWriter, r *http.Request) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.kit.APIErr(w, r, errs.Field("file", "请上传12345工单导出文件（.xlsx 或 .csv，不超过20MB）"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		h.kit.APIErr(w, r, errs.Field("file", "读取上传文件失败"))
		return
	}
	community, _ := strconv.ParseInt(r.FormValue("community_id"), 10, 64)
	confirm := r.FormValue("confirm") == "true" || r.FormValue("confirm") == "1"
	res, err := h.svc.ImportHotline(r.Context(), HotlineFile{Name: hdr.Filename, Data: data, CommunityID: community, Confirm: confirm})
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	status := http.StatusOK
	if len(res.Errors) > 0 && !confirm {
		status = http.StatusUnprocessableEntity
	}
	web.JSON(w, status, res)
}

func (h *API) track(w http.ResponseWriter, r *http.Request) {
	pc, err := h.svc.Track(r.Context(), r.PathValue("tracking"))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, pc)
}

func (h *API) rate(w http.ResponseWriter, r *http.Request) {
	if !h.svc.publicLimiter().Allow(r, time.Now()) {
		h.kit.APIErr(w, r, errs.E(errs.TooMany, "操作过于频繁，请稍后再试"))
		return
	}
	var in Rating
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	pc, err := h.svc.Rate(r.Context(), r.PathValue("tracking"), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, pc)
}
