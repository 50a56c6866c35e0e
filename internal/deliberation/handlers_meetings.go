package deliberation

import (
	"net/http"
	"strconv"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"linli/internal/activities"
	"linli/internal/clock"
	"linli/internal/web"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type meetingsView struct {
	web.Page
	Upcoming, Past, Cancelled []Meeting
	CanRun                    bool
}

func (h *Handlers) meetingsPage(w http.ResponseWriter, r *http.Request) {
	now := h.svc.Now()
	from, to := now.AddDate(-2, 0, 0), now.AddDate(1, 0, 0)
	q := r.URL.Query()
	if f, err := time.ParseInLocation(time.DateOnly, q.Get("from"), clock.Shanghai()); err == nil {
		from = f.UTC()
	}
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("to"), clock.Shanghai()); err == nil {
		to = t.AddDate(0, 0, 1).UTC()
	}
	ms, err := h.svc.Meetings(r.Context(), from, to, web.QueryInt64(r, "region"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &meetingsView{Page: web.Page{Title: "议事会"}}
	for _, m := range ms {
		if m.State == "cancelled" {
			v.Cancelled = append(v.Cancelled, m)
		} else if m.State == "scheduled" && m.EndsAt.After(now) {
			v.Upcoming = append([]Meeting{m}, v.Upcoming...)
		} else {
			v.Past = append(v.Past, m)
		}
	}
	v.CanRun = h.svc.CanManage(r.Context())
	h.views.Render(w, r, http.StatusOK, "meetings.html", v)
}

type meetingFormView struct {
	web.Page
	Venues []activities.Venue
	Topics []Topic
	Rules  string
}

func (h *Handlers) newMeeting(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.rooms.ListVenues(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	var hall []activities.Venue
	for _, v := range vs {
		if v.Kind == activities.KindDeliberation {
			hall = append([]activities.Venue{v}, hall...)
		} else {
			hall = append(hall, v)
		}
	}
	var topics []Topic
	for _, s := range []State{Discussing, Reviewing} {
		ts, _, err := h.svc.Topics(r.Context(), Filter{State: s, Limit: 100})
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		topics = append(topics, ts...)
	}
	h.views.Render(w, r, http.StatusOK, "meeting_form.html", &meetingFormView{Page: web.Page{Title: "安排议事会"}, Venues: hall,
		Topics: topics, Rules: DefaultSpeakingRules})
}

func (h *Handlers) createMeeting(w http.ResponseWriter, r *http.Request) {
	var topics []int64
	for _, s := range r.Form["topics"] {
		if id := formIDOf(s); id != 0 {
			topics = append(topics, id)
		}
	}
	m, err := h.svc.CreateMeeting(r.Context(), MeetingInput{Title: r.FormValue("title"), Body: Body(r.FormValue("body")),
		VoteBy: r.FormValue("vote_by"), VenueID: web.QueryInt64(r, "venue_id"), StartsAt: localDateTime(r.FormValue("starts_at")),
		EndsAt: localDateTime(r.FormValue("ends_at")), SpeakingRules: r.FormValue("speaking_rules"),
		Headcount: web.FormInt(r, "headcount"), Topics: topics})
	if err != nil {
		h.back(w, r, "/deliberation/meetings/new", "", err)
		return
	}
	web.Redirect(w, r, "/deliberation/meetings/"+itoa(m.ID), "议事会已安排，场地已预约")
}

type meetingView struct {
	web.Page
	M            *Meeting
	Agenda       []AgendaItem
	Participants []Participant
	Motions      []Motion
	CanRun       bool
	Link         string
}

func (h *Handlers) meetingPage(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	m, err := h.svc.Meeting(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &meetingView{Page: web.Page{Title: m.Title}, M: m, CanRun: h.svc.CanRun(r.Context(), m),
		Link: web.BaseURL(r, h.base) + "/public/deliberation/meetings/" + m.Token()}
	if v.Agenda, err = h.svc.Agenda(r.Context(), id); err == nil {
		if v.Participants, err = h.svc.Participants(r.Context(), id); err == nil {
			v.Motions, err = h.svc.Motions(r.Context(), id)
		}
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "meeting.html", v)
}

// meetingQR is the QR code shown in the room: residents scan it to sign in and vote on their phones.
func (h *Handlers) meetingQR(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	m, err := h.svc.Meeting(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.qr(w, r, web.BaseURL(r, h.base)+"/public/deliberation/meetings/"+m.Token())
}

// topicQR is the QR code of a topic's public page, printed on the decision's notice.
func (h *Handlers) topicQR(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if _, err := h.svc.Topic(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.qr(w, r, web.BaseURL(r, h.base)+"/public/deliberation/topics/"+itoa(id))
}

func (h *Handlers) qr(w http.ResponseWriter, r *http.Request, target string) {
	png, err := qrcode.Encode(target, qrcode.Medium, 512)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

func (h *Handlers) inviteForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.Invite(r.Context(), id, ParticipantInput{Kind: r.FormValue("kind"), Name: r.FormValue("name"),
		HouseholdID: web.QueryInt64(r, "household_id"), Entitled: r.FormValue("entitled") == "1"})
	h.back(w, r, meetingURL(r), "已邀请", err)
}

func (h *Handlers) attendForm(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "pid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, meetingURL(r), "已签到", h.svc.Attend(r.Context(), v[0], v[1]))
}

func (h *Handlers) motionForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.OpenMotion(r.Context(), id, MotionInput{TopicID: web.QueryInt64(r, "topic_id"), Text: r.FormValue("text"),
		Method: r.FormValue("method"), Secret: r.FormValue("secret") == "1"})
	h.back(w, r, meetingURL(r), "表决已开始", err)
}

func (h *Handlers) staffBallotForm(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "mid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, meetingURL(r), "已代为登记选票", h.svc.Ballot(r.Context(), v[1], web.QueryInt64(r, "participant_id"), Choice(r.FormValue("choice"))))
}

func (h *Handlers) closeMotionForm(w http.ResponseWriter, r *http.Request) {
	v, err := ids(r, "id", "mid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	mo, err := h.svc.CloseMotion(r.Context(), v[1], Count{Yes: web.FormInt(r, "yes"), No: web.FormInt(r, "no"), Abstain: web.FormInt(r, "abstain")})
	msg := ""
	if err == nil {
		msg = "表决结果：" + mo.ResultLabel()
	}
	h.back(w, r, meetingURL(r), msg, err)
}

func (h *Handlers) minutesForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, meetingURL(r), "会议纪要已保存", h.svc.SetMinutes(r.Context(), id, r.FormValue("minutes")))
}

func (h *Handlers) closeMeetingForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, meetingURL(r), "议事会已结束", h.svc.CloseMeeting(r.Context(), id))
}

func (h *Handlers) cancelMeetingForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.back(w, r, meetingURL(r), "议事会已取消，场地已释放", h.svc.CancelMeeting(r.Context(), id, r.FormValue("reason")))
}
