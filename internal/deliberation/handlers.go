package deliberation

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves the deliberation hall's staff pages, the public pages and the API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	base  string
	// public limits the residents' forms per client address: a burst of 20, then one every 30 seconds.
	public *web.Limiter
}

// NewHandlers returns the handlers; it parses the templates and panics if one is broken. baseURL is
// the public address residents reach (empty: the request's host), for the QR codes.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit, baseURL string) *Handlers {
	funcs := template.FuncMap{
		"clock": func(t time.Time) string { return t.In(clock.Shanghai()).Format("15:04") },
		"dt": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
		},
		"steps":       func() []string { return Steps },
		"participant": ParticipantLabel,
		"ownerLabel":  OwnerLabel,
		"ratio": func(f float64) string {
			return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
		},
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, funcs), base: baseURL,
		public: web.NewLimiter(30*time.Second, 20)}
}

// Routes registers the pages, the public pages and the API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.DeliberationRead, f) }
	raise := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.DeliberationRaise, f) }
	manage := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.DeliberationManage, f) }
	mux.Handle("GET /deliberation", read(h.topicsPage))
	mux.Handle("GET /deliberation/topics", read(h.topicsPage))
	mux.Handle("GET /deliberation/topics/new", raise(h.newTopic))
	mux.Handle("POST /deliberation/topics", raise(h.createTopic))
	mux.Handle("GET /deliberation/topics/{id}", read(h.topicPage))
	mux.Handle("POST /deliberation/topics/{id}/photos", raise(h.photosForm))
	mux.Handle("GET /deliberation/topics/{id}/photos/{photo}", read(h.photo))
	mux.Handle("POST /deliberation/topics/{id}/photos/hide", manage(h.hidePhotoForm))
	mux.Handle("POST /deliberation/topics/{id}/actions/{action}", manage(h.actionForm))
	mux.Handle("POST /deliberation/topics/{id}/supports", raise(h.supportForm))
	mux.Handle("POST /deliberation/topics/{id}/comments", read(h.commentForm))
	mux.Handle("POST /deliberation/topics/{id}/comments/{cid}/hide", manage(h.hideForm))
	mux.Handle("POST /deliberation/topics/{id}/decision", manage(h.decisionForm))
	mux.Handle("POST /deliberation/topics/{id}/progress", manage(h.progressForm))
	mux.Handle("POST /deliberation/topics/{id}/questions/{qid}/answer", manage(h.answerForm))
	mux.Handle("GET /deliberation/topics/{id}/notice", read(h.noticePage))
	mux.Handle("GET /deliberation/topics/{id}/qr.png", read(h.topicQR))
	mux.Handle("GET /deliberation/meetings", read(h.meetingsPage))
	mux.Handle("GET /deliberation/meetings/new", manage(h.newMeeting))
	mux.Handle("POST /deliberation/meetings", manage(h.createMeeting))
	mux.Handle("GET /deliberation/meetings/{id}", read(h.meetingPage))
	mux.Handle("GET /deliberation/meetings/{id}/qr.png", read(h.meetingQR))
	mux.Handle("POST /deliberation/meetings/{id}/participants", manage(h.inviteForm))
	mux.Handle("POST /deliberation/meetings/{id}/participants/{pid}/attend", manage(h.attendForm))
	mux.Handle("POST /deliberation/meetings/{id}/motions", manage(h.motionForm))
	mux.Handle("POST /deliberation/meetings/{id}/motions/{mid}/ballots", manage(h.staffBallotForm))
	mux.Handle("POST /deliberation/meetings/{id}/motions/{mid}/close", manage(h.closeMotionForm))
	mux.Handle("POST /deliberation/meetings/{id}/minutes", manage(h.minutesForm))
	mux.Handle("POST /deliberation/meetings/{id}/close", manage(h.closeMeetingForm))
	mux.Handle("POST /deliberation/meetings/{id}/cancel", manage(h.cancelMeetingForm))
	mux.Handle("GET /deliberation/figures", read(h.figuresPage))
	h.publicRoutes(mux)
	h.apiRoutes(mux)
}

// back answers a button's POST: to the page with the outcome as a flash, error or not.
func (h *Handlers) back(w http.ResponseWriter, r *http.Request, to, ok string, err error) {
	if err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict && c != errs.Forbidden && c != errs.NotFound &&
			c != errs.Unauthorized {
			h.kit.Error(w, r, err)
			return
		}
		web.Redirect(w, r, to, errs.MessageOf(err))
		return
	}
	web.Redirect(w, r, to, ok)
}

// localDateTime reads a datetime-local field in Asia/Shanghai.
func localDateTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), clock.Shanghai())
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func ids(r *http.Request, names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, n := range names {
		id, err := web.PathID(r, n)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

func topicURL(r *http.Request) string { return "/deliberation/topics/" + r.PathValue("id") }

func meetingURL(r *http.Request) string { return "/deliberation/meetings/" + r.PathValue("id") }
