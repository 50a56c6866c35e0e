package deliberation

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/photo"
	"linli/internal/web"
)

type topicsView struct {
	web.Page
	Items    []Topic
	Pager    web.Pager
	Query    url.Values
	States   []State
	Filter   Filter
	CanRaise bool
	CanRun   bool
}

func filterFrom(r *http.Request) Filter {
	q := r.URL.Query()
	f := Filter{State: State(q.Get("state")), Q: q.Get("q"), From: q.Get("from"), To: q.Get("to"), By: q.Get("by"),
		Open: q.Get("open") == "1"}
	f.RegionID = formIDOf(q.Get("region"))
	return f
}

func formIDOf(s string) int64 {
	var n int64
	for _, c := range strings.TrimSpace(s) {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func (h *Handlers) topicsPage(w http.ResponseWriter, r *http.Request) {
	f := filterFrom(r)
	pg := web.PagerFrom(r, 30)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	items, total, err := h.svc.Topics(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total = total
	p := auth.FromContext(r.Context())
	h.views.Render(w, r, http.StatusOK, "topics.html", &topicsView{Page: web.Page{Title: "居民议事厅"}, Items: items, Pager: pg,
		Query: r.URL.Query(), States: States, Filter: f, CanRaise: p.Can(auth.DeliberationRaise), CanRun: p.Can(auth.DeliberationManage)})
}

type topicFormView struct {
	web.Page
	Form      TopicInput
	Sources   []Source
	MaxPhotos int
}

var staffSources = []Source{SrcCommunity, SrcGrid, SrcParty, SrcUnit, SrcCase, SrcVisit}

func (h *Handlers) newTopic(w http.ResponseWriter, r *http.Request) {
	in := TopicInput{Source: SrcGrid, Threshold: DefaultThreshold, CaseID: formIDOf(r.URL.Query().Get("case")),
		VisitID: formIDOf(r.URL.Query().Get("visit"))}
	if in.CaseID != 0 {
		in.Source = SrcCase
	} else if in.VisitID != 0 {
		in.Source = SrcVisit
	}
	h.views.Render(w, r, http.StatusOK, "topic_form.html", &topicFormView{Page: web.Page{Title: "提出议题"}, Form: in, Sources: staffSources, MaxPhotos: MaxPhotos})
}

func (h *Handlers) createTopic(w http.ResponseWriter, r *http.Request) {
	files, ferr := photo.FromForm(w, r, MaxPhotos)
	in := TopicInput{Title: r.FormValue("title"), Description: r.FormValue("description"), RegionID: web.QueryInt64(r, "region_id"),
		BuildingID: web.QueryInt64(r, "building_id"), Source: Source(r.FormValue("source")), CaseID: web.QueryInt64(r, "case_id"),
		VisitID: web.QueryInt64(r, "visit_id"), Threshold: web.FormInt(r, "threshold"), ThresholdPct: web.FormInt(r, "threshold_pct"),
		ResidentID: web.QueryInt64(r, "resident_id")}
	var t *Topic
	err := ferr
	if err == nil {
		t, err = h.svc.CreateTopic(r.Context(), in, files...)
	}
	if err != nil {
		v := &topicFormView{Page: web.Page{Title: "提出议题"}, Form: in, Sources: staffSources, MaxPhotos: MaxPhotos}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "topic_form.html", v) })
		return
	}
	web.Redirect(w, r, "/deliberation/topics/"+itoa(t.ID), "议题已登记，开始征集支持")
}

type topicView struct {
	web.Page
	*Path
	Actions []Action
	CanRun  bool
	Raise   bool
	Public  bool
	Me      *Resident // the verified resident on the public page
	// AddPhotos: staff may add photos (the topic is open and has room); MaxPhotos is the limit.
	AddPhotos bool
	MaxPhotos int
	// HidePhotos: staff who run the topic may hide a photo still shown, with a public reason.
	HidePhotos bool
	// PhotosShown counts the photos not hidden (what MaxPhotos bounds).
	PhotosShown int
}

func (h *Handlers) topicPage(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pa, err := h.svc.TopicPath(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "topic.html", h.staffTopicView(r, pa))
}

func (h *Handlers) staffTopicView(r *http.Request, pa *Path) *topicView {
	p := auth.FromContext(r.Context())
	raise := p.Can(auth.DeliberationRaise)
	shown := 0
	for _, a := range pa.Attachments {
		if !a.Hidden {
			shown++
		}
	}
	runs := p.Covers(pa.Topic.regionPath)
	return &topicView{Page: web.Page{Title: pa.Topic.Title}, Path: pa, Actions: Actions(p, pa.Topic.State),
		CanRun: p.Can(auth.DeliberationManage), Raise: raise, MaxPhotos: MaxPhotos,
		AddPhotos:  raise && runs && pa.Topic.State.Open() && shown < MaxPhotos,
		HidePhotos: p.Can(auth.DeliberationManage) && runs && shown > 0, PhotosShown: shown}
}

// hidePhotoForm hides a topic's photo with a public reason.
func (h *Handlers) hidePhotoForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	err = h.svc.HidePhoto(r.Context(), id, web.QueryInt64(r, "photo"), r.FormValue("reason"))
	h.back(w, r, topicURL(r)+"#photos", "照片已隐藏", err)
}

// photosForm adds photos to an open topic.
func (h *Handlers) photosForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	files, err := photo.FromForm(w, r, MaxPhotos)
	n := 0
	if err == nil {
		n, err = h.svc.AddPhotos(r.Context(), id, files)
	}
	h.back(w, r, topicURL(r), "已添加照片"+strconv.Itoa(n)+"张", err)
}

// photo answers one photo of a topic to staff (audited by the service).
func (h *Handlers) photo(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "photo")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	data, ctype, err := h.svc.PhotoContent(r.Context(), v[0], v[1])
	h.image(w, r, data, ctype, "private, no-store", err)
}

// publicPhoto answers one photo of a topic on the public page.
func (h *Handlers) publicPhoto(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "photo")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	data, ctype, err := h.svc.PublicPhotoContent(r.Context(), v[0], v[1])
	h.image(w, r, data, ctype, "public, max-age=300", err)
}

func (h *Handlers) image(w http.ResponseWriter, r *http.Request, data []byte, ctype, cache string, err error) {
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
}

func (h *Handlers) actionForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	a := Action(r.PathValue("action"))
	_, err = h.svc.Act(r.Context(), id, a, ReviewInput{Owner: r.FormValue("owner"), Plan: r.FormValue("plan"),
		Reason: r.FormValue("reason"), Into: web.QueryInt64(r, "into"), Summary: r.FormValue("summary")})
	h.back(w, r, topicURL(r), "已"+a.Label(), err)
}

func (h *Handlers) supportForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.Support(r.Context(), id, web.QueryInt64(r, "household_id"))
	h.back(w, r, topicURL(r), "已代居民户登记支持", err)
}

func (h *Handlers) commentForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	err = h.svc.Comment(r.Context(), id, r.FormValue("body"), r.FormValue("stakeholder") == "1")
	h.back(w, r, topicURL(r), "意见已发表", err)
}

func (h *Handlers) hideForm(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "cid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, topicURL(r), "意见已隐藏", h.svc.HideComment(r.Context(), v[0], v[1], r.FormValue("reason")))
}

func (h *Handlers) decisionForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.Decide(r.Context(), id, DecisionInput{Text: r.FormValue("text"), OwnerKind: r.FormValue("owner_kind"),
		OwnerName: r.FormValue("owner_name"), DueOn: r.FormValue("due_on"), CaseID: web.QueryInt64(r, "case_id"),
		ProjectID: web.QueryInt64(r, "project_id"), PublishDays: web.FormInt(r, "publish_days")})
	h.back(w, r, topicURL(r), "决议已形成，请公开", err)
}

func (h *Handlers) progressForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.ReportProgress(r.Context(), id, web.FormInt(r, "progress"), r.FormValue("note"))
	h.back(w, r, topicURL(r), "落实进度已更新", err)
}

func (h *Handlers) answerForm(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "qid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, topicURL(r), "已答复", h.svc.Answer(r.Context(), v[0], v[1], r.FormValue("answer")))
}

type noticeView struct {
	web.Page
	*Path
	Link string
}

// noticePage is the printable A4 notice of a decision for the grid's board, with the public page's address.
func (h *Handlers) noticePage(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pa, err := h.svc.TopicPath(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "notice.html", &noticeView{Page: web.Page{Title: "决议公示"}, Path: pa,
		Link: web.BaseURL(r, h.base) + "/public/deliberation/topics/" + itoa(id)})
}

type figuresView struct {
	web.Page
	F *Figures
}

func (h *Handlers) figuresPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := h.svc.Figures(r.Context(), Period{RegionID: formIDOf(q.Get("region")), From: q.Get("from"), To: q.Get("to")})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "figures.html", &figuresView{Page: web.Page{Title: "议事统计"}, F: f})
}
