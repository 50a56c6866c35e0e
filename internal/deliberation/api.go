package deliberation

import (
	"context"
	_ "embed" // the OpenAPI fragment
	"net/http"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/web"
)

// OpenAPI is this package's part of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.DeliberationRead, f) }
	raise := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.DeliberationRaise, f) }
	manage := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.DeliberationManage, f) }
	mux.Handle("GET /api/v1/deliberation/topics", read(h.apiTopics))
	mux.Handle("POST /api/v1/deliberation/topics", raise(h.apiCreateTopic))
	mux.Handle("GET /api/v1/deliberation/topics/{id}", read(h.apiTopic))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/photos", raise(h.apiAddPhotos))
	mux.Handle("GET /api/v1/deliberation/topics/{id}/photos/{photo}", read(h.apiPhoto))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/photos/{item}/hide", manage(h.apiHide(h.svc.HidePhoto)))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/comments/{item}/hide", manage(h.apiHide(h.svc.HideComment)))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/questions/{item}/answer", manage(h.apiAnswer))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/actions/{action}", manage(h.apiAct))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/supports", raise(h.apiSupport))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/decision", manage(h.apiDecide))
	mux.Handle("POST /api/v1/deliberation/topics/{id}/progress", manage(h.apiProgress))
	mux.Handle("GET /api/v1/deliberation/meetings", read(h.apiMeetings))
	mux.Handle("POST /api/v1/deliberation/meetings", manage(h.apiCreateMeeting))
	mux.Handle("GET /api/v1/deliberation/meetings/{id}", read(h.apiMeeting))
	mux.Handle("POST /api/v1/deliberation/meetings/{id}/motions", manage(h.apiOpenMotion))
	mux.Handle("POST /api/v1/deliberation/motions/{id}/close", manage(h.apiCloseMotion))
	mux.Handle("GET /api/v1/deliberation/figures", read(h.apiFigures))
}

func (h *Handlers) apiID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, errs.E(errs.NotFound, "记录不存在"))
		return 0, false
	}
	return id, true
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handlers) apiTopics(w http.ResponseWriter, r *http.Request) {
	f := filterFrom(r)
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	items, total, err := h.svc.Topics(r.Context(), f)
	h.kit.Reply(w, r, http.StatusOK, web.List[Topic]{Items: orEmpty(items), Total: total}, err)
}

// apiCreateTopic takes the topic as JSON or, with photos, as a multipart form: the topic's JSON in
// the part "topic" and the photos in "photos".
func (h *Handlers) apiCreateTopic(w http.ResponseWriter, r *http.Request) {
	var in TopicInput
	var files []photo.Photo
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if files, err = photo.FromForm(w, r, MaxPhotos); err == nil {
			err = web.DecodeJSONBytes([]byte(r.PostFormValue("topic")), &in)
		}
	} else {
		err = web.DecodeJSON(r, &in)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	t, err := h.svc.CreateTopic(r.Context(), in, files...)
	h.kit.Reply(w, r, http.StatusCreated, t, err)
}

// apiAddPhotos adds the photos of a multipart form ("photos") to an open topic and answers its path.
func (h *Handlers) apiAddPhotos(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	files, err := photo.FromForm(w, r, MaxPhotos)
	if err == nil {
		_, err = h.svc.AddPhotos(r.Context(), id, files)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	h.apiTopic(w, r)
}

func (h *Handlers) apiTopic(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	pa, err := h.svc.TopicPath(r.Context(), id)
	if err == nil {
		pa.Supports, pa.Comments, pa.Meetings, pa.Motions = orEmpty(pa.Supports), orEmpty(pa.Comments), orEmpty(pa.Meetings), orEmpty(pa.Motions)
		pa.Updates, pa.Questions = orEmpty(pa.Updates), orEmpty(pa.Questions)
	}
	h.kit.Reply(w, r, http.StatusOK, pa, err)
}

func (h *Handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in ReviewInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	t, err := h.svc.Act(r.Context(), id, Action(r.PathValue("action")), in)
	h.kit.Reply(w, r, http.StatusOK, t, err)
}

func (h *Handlers) apiSupport(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in struct {
		HouseholdID int64 `json:"household_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	t, err := h.svc.Support(r.Context(), id, in.HouseholdID)
	h.kit.Reply(w, r, http.StatusOK, t, err)
}

func (h *Handlers) apiDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in DecisionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	d, err := h.svc.Decide(r.Context(), id, in)
	h.kit.Reply(w, r, http.StatusCreated, d, err)
}

func (h *Handlers) apiProgress(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in struct {
		Progress int    `json:"progress"`
		Note     string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	d, err := h.svc.ReportProgress(r.Context(), id, in.Progress, in.Note)
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

func (h *Handlers) apiMeetings(w http.ResponseWriter, r *http.Request) {
	now := h.svc.Now()
	from, to := now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)
	f := Period{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	if f.From != "" || f.To != "" {
		var err error
		if from, to, err = f.span(now); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	ms, err := h.svc.Meetings(r.Context(), from, to, formIDOf(r.URL.Query().Get("region_id")))
	h.kit.Reply(w, r, http.StatusOK, web.List[Meeting]{Items: orEmpty(ms), Total: len(ms)}, err)
}

func (h *Handlers) apiCreateMeeting(w http.ResponseWriter, r *http.Request) {
	var in MeetingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	m, err := h.svc.CreateMeeting(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, m, err)
}

// MeetingDetail is a meeting with its agenda, participants and motions.
type MeetingDetail struct {
	*Meeting
	Agenda       []AgendaItem  `json:"agenda"`
	Participants []Participant `json:"participants"`
	Motions      []Motion      `json:"motions"`
}

func (h *Handlers) apiMeeting(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	m, err := h.svc.Meeting(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	d := MeetingDetail{Meeting: m}
	if d.Agenda, err = h.svc.Agenda(r.Context(), id); err == nil {
		if d.Participants, err = h.svc.Participants(r.Context(), id); err == nil {
			d.Motions, err = h.svc.Motions(r.Context(), id)
		}
	}
	d.Agenda, d.Participants, d.Motions = orEmpty(d.Agenda), orEmpty(d.Participants), orEmpty(d.Motions)
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

func (h *Handlers) apiOpenMotion(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in MotionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	mo, err := h.svc.OpenMotion(r.Context(), id, in)
	h.kit.Reply(w, r, http.StatusCreated, mo, err)
}

func (h *Handlers) apiCloseMotion(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r)
	if !ok {
		return
	}
	var in Count
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	mo, err := h.svc.CloseMotion(r.Context(), id, in)
	h.kit.Reply(w, r, http.StatusOK, mo, err)
}

func (h *Handlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := h.svc.Figures(r.Context(), Period{RegionID: formIDOf(q.Get("region_id")), From: q.Get("from"), To: q.Get("to")})
	if err == nil {
		f.Children = orEmpty(f.Children)
	}
	h.kit.Reply(w, r, http.StatusOK, f, err)
}

// apiHide hides a topic's photo or comment (the path's second id) with the public reason of the
// JSON body, and answers the topic's path as staff see it.
func (h *Handlers) apiHide(hide func(ctx context.Context, topicID, id int64, reason string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := ids(r, "id", "item")
		if err != nil {
			h.kit.APIErr(w, r, errs.E(errs.NotFound, "记录不存在"))
			return
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := web.DecodeJSON(r, &in); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
		if err := hide(r.Context(), v[0], v[1], in.Reason); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
		h.apiTopic(w, r)
	}
}

// apiAnswer answers a question raised during a decision's publication (the path's second id).
func (h *Handlers) apiAnswer(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "item")
	if err != nil {
		h.kit.APIErr(w, r, errs.E(errs.NotFound, "记录不存在"))
		return
	}
	var in struct {
		Answer string `json:"answer"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	if err := h.svc.Answer(r.Context(), v[0], v[1], in.Answer); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	h.apiTopic(w, r)
}

// apiPhoto answers one photo of a topic (audited like the staff page's).
func (h *Handlers) apiPhoto(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "photo")
	if err != nil {
		h.kit.APIErr(w, r, errs.E(errs.NotFound, "照片不存在"))
		return
	}
	data, ctype, err := h.svc.PhotoContent(r.Context(), v[0], v[1])
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	h.image(w, r, data, ctype, "private, no-store", nil)
}
