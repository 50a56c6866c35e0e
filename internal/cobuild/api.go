package cobuild

import (
	_ "embed"
	"net/http"
	"strconv"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// OpenAPI is this package's part of the API document: its paths and components.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.CobuildRead, f) }
	act := func(f http.HandlerFunc) http.Handler { return h.auth.API("", f) } // the service checks write or claim
	mux.Handle("GET /api/v1/cobuild/figures", read(h.apiFigures))
	mux.Handle("GET /api/v1/cobuild/units", read(h.apiUnits))
	mux.Handle("POST /api/v1/cobuild/units", act(h.apiCreateUnit))
	mux.Handle("GET /api/v1/cobuild/units/{id}", read(h.apiUnit))
	mux.Handle("PUT /api/v1/cobuild/units/{id}", act(h.apiUpdateUnit))
	mux.Handle("POST /api/v1/cobuild/units/{id}/members", act(h.apiLinkMember))
	mux.Handle("GET /api/v1/cobuild/needs", read(h.apiNeeds))
	mux.Handle("POST /api/v1/cobuild/needs", act(h.apiRaiseNeed))
	mux.Handle("GET /api/v1/cobuild/needs/{id}", read(h.apiNeed))
	mux.Handle("GET /api/v1/cobuild/needs/{id}/matches", read(h.apiNeedMatches))
	mux.Handle("GET /api/v1/cobuild/needs/reviews", read(h.apiReviews))
	mux.Handle("POST /api/v1/cobuild/needs/{id}/review", act(h.apiReviewNeed))
	mux.Handle("POST /api/v1/cobuild/needs/{id}/actions/{action}", act(h.apiNeedAction))
	mux.Handle("GET /api/v1/cobuild/resources", read(h.apiResources))
	mux.Handle("POST /api/v1/cobuild/resources", act(h.apiOfferResource))
	mux.Handle("GET /api/v1/cobuild/resources/{id}", read(h.apiResource))
	mux.Handle("GET /api/v1/cobuild/resources/{id}/matches", read(h.apiResourceMatches))
	mux.Handle("GET /api/v1/cobuild/projects", read(h.apiProjects))
	mux.Handle("POST /api/v1/cobuild/projects", act(h.apiCreateProject))
	mux.Handle("GET /api/v1/cobuild/projects/{id}", read(h.apiProject))
	mux.Handle("POST /api/v1/cobuild/projects/{id}/actions/{action}", act(h.apiProjectAction))
	mux.Handle("POST /api/v1/cobuild/projects/{id}/milestones", act(h.apiAddMilestone))
	mux.Handle("POST /api/v1/cobuild/projects/{id}/milestones/{milestone}/done", act(h.apiCompleteMilestone))
	mux.Handle("POST /api/v1/cobuild/projects/{id}/uses", act(h.apiUseResource))
	mux.Handle("GET /api/v1/cobuild/meetings", read(h.apiMeetings))
	mux.Handle("POST /api/v1/cobuild/meetings", act(h.apiScheduleMeeting))
	mux.Handle("GET /api/v1/cobuild/meetings/{id}", read(h.apiMeeting))
	mux.Handle("POST /api/v1/cobuild/meetings/{id}/topics", act(h.apiProposeTopic))
	mux.Handle("POST /api/v1/cobuild/meetings/{id}/minutes", act(h.apiRecordMinutes))
	mux.Handle("POST /api/v1/cobuild/meetings/{id}/decisions", act(h.apiAddDecision))
	mux.Handle("GET /api/v1/cobuild/decisions", read(h.apiDecisions))
	mux.Handle("GET /api/v1/cobuild/decisions/{id}", read(h.apiDecision))
	mux.Handle("POST /api/v1/cobuild/decisions/{id}/close", act(h.apiCloseDecision))
	mux.Handle("GET /api/v1/cobuild/activities", read(h.apiActivities))
	mux.Handle("POST /api/v1/cobuild/activities", act(h.apiRecordActivity))
	mux.Handle("GET /api/v1/cobuild/activities/{id}", read(h.apiActivity))
}

// queryID reads an optional positive integer query parameter; a malformed one is a client error.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.E(errs.Invalid, "参数 %s 应为正整数", name)
	}
	return n, nil
}

// queryDate reads an optional YYYY-MM-DD query parameter.
func queryDate(r *http.Request, name string) (string, error) {
	s := r.URL.Query().Get(name)
	if s != "" && !validDate(s) {
		return "", errs.E(errs.Invalid, "参数 %s 应为 YYYY-MM-DD 格式的日期", name)
	}
	return s, nil
}

// period reads region, unit, from and to, the filters every list and the figures share.
type period struct {
	region, unit int64
	from, to     string
}

func readPeriod(r *http.Request) (period, error) {
	var p period
	var err error
	if p.region, err = queryID(r, "region"); err != nil {
		return p, err
	}
	if p.unit, err = queryID(r, "unit"); err != nil {
		return p, err
	}
	if p.from, err = queryDate(r, "from"); err != nil {
		return p, err
	}
	p.to, err = queryDate(r, "to")
	return p, err
}

func (h *Handlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	var f *Figures
	if err == nil {
		f, err = h.svc.Figures(r.Context(), auth.FromContext(r.Context()), FigureFilter{RegionID: p.region, From: p.from, To: p.to, UnitID: p.unit})
	}
	h.kit.Reply(w, r, http.StatusOK, f, err)
}

// replyList answers a list with its total.
func replyList[T any](h *Handlers, w http.ResponseWriter, r *http.Request, items []T, total int, err error) {
	h.kit.Reply(w, r, http.StatusOK, web.List[T]{Items: items, Total: total}, err)
}

// withID calls f with the {id} path value, answering not found for a malformed one.
func (h *Handlers) withID(w http.ResponseWriter, r *http.Request, f func(id int64) (any, error)) {
	id, err := web.PathID(r, "id")
	var v any
	if err == nil {
		v, err = f(id)
	}
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

// create decodes the body into in and calls f, answering 201 with what it made.
func create[T any, R any](h *Handlers, w http.ResponseWriter, r *http.Request, f func(in T) (R, error)) {
	var in T
	err := web.DecodeJSON(r, &in)
	var out R
	if err == nil {
		out, err = f(in)
	}
	h.kit.Reply(w, r, http.StatusCreated, out, err)
}

// update decodes the body for the {id} record and calls f, answering 200.
func update[T any, R any](h *Handlers, w http.ResponseWriter, r *http.Request, f func(id int64, in T) (R, error)) {
	var in T
	id, err := web.PathID(r, "id")
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	var out R
	if err == nil {
		out, err = f(id, in)
	}
	h.kit.Reply(w, r, http.StatusOK, out, err)
}

func (h *Handlers) apiUnits(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	region, err := queryID(r, "region")
	f := UnitFilter{RegionID: region, Kind: r.URL.Query().Get("kind"), Q: r.URL.Query().Get("q"), Limit: pg.Limit, Offset: pg.Offset}
	var items []Unit
	var n int
	if err == nil {
		items, n, err = h.svc.Units(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiCreateUnit(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in UnitInput) (*Unit, error) { return h.svc.CreateUnit(r.Context(), in) })
}

func (h *Handlers) apiUnit(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Unit(r.Context(), id) })
}

func (h *Handlers) apiUpdateUnit(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in UnitInput) (*Unit, error) { return h.svc.UpdateUnit(r.Context(), id, in) })
}

func (h *Handlers) apiLinkMember(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in struct {
		MemberID int64 `json:"member_id"`
	}) (*Unit, error) {
		if err := h.svc.LinkMember(r.Context(), id, in.MemberID); err != nil {
			return nil, err
		}
		return h.svc.Unit(r.Context(), id)
	})
}

// needFilter reads the needs list's filters from the query.
func needFilter(r *http.Request) (NeedFilter, error) {
	p, err := readPeriod(r)
	q := r.URL.Query()
	pg := web.PagerFrom(r, 50)
	f := NeedFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, State: NeedState(q.Get("state")),
		Category: q.Get("category"), By: q.Get("by"), Q: q.Get("q"), Limit: pg.Limit, Offset: pg.Offset}
	if err == nil && f.State != "" && f.State.Label() == "" {
		err = errs.E(errs.Invalid, "参数 state 应为 raised、claimed、in_progress、done 或 rated")
	}
	return f, err
}

func (h *Handlers) apiNeeds(w http.ResponseWriter, r *http.Request) {
	f, err := needFilter(r)
	var items []Need
	var n int
	if err == nil {
		items, n, err = h.svc.Needs(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiRaiseNeed(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in NeedInput) (*Need, error) { return h.svc.RaiseNeed(r.Context(), in) })
}

func (h *Handlers) apiNeed(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Need(r.Context(), id) })
}

func (h *Handlers) apiNeedMatches(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var items []Match
	if err == nil {
		items, err = h.svc.NeedMatches(r.Context(), id)
	}
	replyList(h, w, r, items, len(items), err)
}

// actionBody is the body of a need's or project's action: the unit claiming, or the evaluation.
type actionBody struct {
	UnitID       int64  `json:"unit_id"`
	Satisfaction string `json:"satisfaction"`
	Note         string `json:"note"`
}

func readAction(r *http.Request) (int64, actionBody, error) {
	var b actionBody
	id, err := web.PathID(r, "id")
	if err == nil && r.ContentLength != 0 {
		err = web.DecodeJSON(r, &b)
	}
	return id, b, err
}

func (h *Handlers) apiNeedAction(w http.ResponseWriter, r *http.Request) {
	id, b, err := readAction(r)
	var n *Need
	if err == nil {
		if action := r.PathValue("action"); action == "claim" {
			n, err = h.svc.Claim(r.Context(), id, b.UnitID)
		} else {
			n, err = h.svc.NeedAction(r.Context(), id, action, Evaluation{Satisfaction: b.Satisfaction, Note: b.Note})
		}
	}
	h.kit.Reply(w, r, http.StatusOK, n, err)
}

func (h *Handlers) apiResources(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	pg := web.PagerFrom(r, 50)
	f := ResourceFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, Kind: r.URL.Query().Get("kind"),
		Used: r.URL.Query().Get("used") == "1", Limit: pg.Limit, Offset: pg.Offset}
	var items []Resource
	var n int
	if err == nil {
		items, n, err = h.svc.Resources(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiOfferResource(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in ResourceInput) (*Resource, error) { return h.svc.OfferResource(r.Context(), in) })
}

func (h *Handlers) apiResource(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Resource(r.Context(), id) })
}

func (h *Handlers) apiResourceMatches(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var items []Match
	if err == nil {
		items, err = h.svc.ResourceMatches(r.Context(), id)
	}
	replyList(h, w, r, items, len(items), err)
}
