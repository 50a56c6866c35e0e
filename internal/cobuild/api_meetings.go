package cobuild

import (
	"net/http"

	"linli/internal/errs"
	"linli/internal/web"
)

func (h *Handlers) apiProjects(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	pg := web.PagerFrom(r, 50)
	f := ProjectFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, State: ProjectState(r.URL.Query().Get("state")),
		Limit: pg.Limit, Offset: pg.Offset}
	if err == nil && f.State != "" && f.State.Label() == "" {
		err = errs.E(errs.Invalid, "参数 state 应为 approved、in_progress、done 或 rated")
	}
	var items []Project
	var n int
	if err == nil {
		items, n, err = h.svc.Projects(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiCreateProject(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in ProjectInput) (*Project, error) { return h.svc.CreateProject(r.Context(), in) })
}

func (h *Handlers) apiProject(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Project(r.Context(), id) })
}

func (h *Handlers) apiProjectAction(w http.ResponseWriter, r *http.Request) {
	id, b, err := readAction(r)
	var p *Project
	if err == nil {
		p, err = h.svc.ProjectAction(r.Context(), id, r.PathValue("action"), Evaluation{Satisfaction: b.Satisfaction, Note: b.Note})
	}
	h.kit.Reply(w, r, http.StatusOK, p, err)
}

func (h *Handlers) apiAddMilestone(w http.ResponseWriter, r *http.Request) {
	var in MilestoneInput
	id, err := web.PathID(r, "id")
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	var p *Project
	if err == nil {
		p, err = h.svc.AddMilestone(r.Context(), id, in)
	}
	h.kit.Reply(w, r, http.StatusCreated, p, err)
}

func (h *Handlers) apiCompleteMilestone(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var mid int64
	if err == nil {
		mid, err = web.PathID(r, "milestone")
	}
	var p *Project
	if err == nil {
		p, err = h.svc.CompleteMilestone(r.Context(), id, mid)
	}
	h.kit.Reply(w, r, http.StatusOK, p, err)
}

func (h *Handlers) apiUseResource(w http.ResponseWriter, r *http.Request) {
	var in UseInput
	id, err := web.PathID(r, "id")
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	var p *Project
	if err == nil {
		p, err = h.svc.UseResource(r.Context(), id, in)
	}
	h.kit.Reply(w, r, http.StatusCreated, p, err)
}

func (h *Handlers) apiMeetings(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	pg := web.PagerFrom(r, 50)
	f := MeetingFilter{RegionID: p.region, From: p.from, To: p.to, State: r.URL.Query().Get("state"), Limit: pg.Limit, Offset: pg.Offset}
	var items []Meeting
	var n int
	if err == nil {
		items, n, err = h.svc.Meetings(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiScheduleMeeting(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in MeetingInput) (*Meeting, error) { return h.svc.ScheduleMeeting(r.Context(), in) })
}

func (h *Handlers) apiMeeting(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Meeting(r.Context(), id) })
}

func (h *Handlers) apiProposeTopic(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in TopicInput) (*Meeting, error) { return h.svc.ProposeTopic(r.Context(), id, in) })
}

func (h *Handlers) apiRecordMinutes(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in MinutesInput) (*Meeting, error) { return h.svc.RecordMinutes(r.Context(), id, in) })
}

func (h *Handlers) apiAddDecision(w http.ResponseWriter, r *http.Request) {
	var in DecisionInput
	id, err := web.PathID(r, "id")
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	var d *Decision
	if err == nil {
		d, err = h.svc.AddDecision(r.Context(), id, in)
	}
	h.kit.Reply(w, r, http.StatusCreated, d, err)
}

// decisionFilter reads the decisions list's filters from the query.
func decisionFilter(r *http.Request) (DecisionFilter, error) {
	p, err := readPeriod(r)
	q := r.URL.Query()
	pg := web.PagerFrom(r, 50)
	return DecisionFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, State: q.Get("state"),
		OnTime: q.Get("on_time") == "1", Late: q.Get("late") == "1", Limit: pg.Limit, Offset: pg.Offset}, err
}

func (h *Handlers) apiDecisions(w http.ResponseWriter, r *http.Request) {
	f, err := decisionFilter(r)
	var items []Decision
	var n int
	if err == nil {
		items, n, err = h.svc.Decisions(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiDecision(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Decision(r.Context(), id) })
}

func (h *Handlers) apiCloseDecision(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in struct {
		Note string `json:"note"`
	}) (*Decision, error) {
		return h.svc.CloseDecision(r.Context(), id, in.Note)
	})
}

func (h *Handlers) apiActivities(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	pg := web.PagerFrom(r, 50)
	f := ActivityFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, Limit: pg.Limit, Offset: pg.Offset}
	if err == nil {
		f.NeedID, err = queryID(r, "need")
	}
	if err == nil {
		f.ProjectID, err = queryID(r, "project")
	}
	var items []Activity
	var n int
	if err == nil {
		items, n, err = h.svc.Activities(r.Context(), f)
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiRecordActivity(w http.ResponseWriter, r *http.Request) {
	create(h, w, r, func(in ActivityInput) (*Activity, error) { return h.svc.RecordActivity(r.Context(), in) })
}

func (h *Handlers) apiActivity(w http.ResponseWriter, r *http.Request) {
	h.withID(w, r, func(id int64) (any, error) { return h.svc.Activity(r.Context(), id) })
}
