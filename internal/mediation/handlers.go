package mediation

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/photo"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves people's mediation's pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the mediation handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	funcs := template.FuncMap{
		"perfLabel": func(s string) string { return PerformanceLabels[s] },
		"satLabel":  func(s string) string { return SatisfactionLabels[s] },
		"pct": func(f float64) string {
			return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
		},
		"termRows": func() []int { return []int{1, 2, 3} },
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, funcs)}
}

// Routes registers the mediation pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.MediationRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.MediationWrite, f) }
	screen := func(f http.HandlerFunc) http.Handler { return h.auth.Page("", f) } // the service decides
	mux.Handle("GET /mediation", read(h.list))
	mux.Handle("GET /mediation/cases", read(h.list))
	mux.Handle("GET /mediation/cases/new", write(h.newCase))
	mux.Handle("POST /mediation/cases", write(h.create))
	mux.Handle("GET /mediation/cases/{id}", read(h.show))
	mux.Handle("POST /mediation/cases/{id}/actions/{action}", write(h.act))
	mux.Handle("GET /mediation/cases/{id}/agreement", read(h.agreement))
	mux.Handle("GET /mediation/cases/{id}/confirmation", read(h.confirmation))
	mux.Handle("GET /mediation/cases/{id}/file", read(h.file))
	mux.Handle("POST /mediation/parties/{id}/reveal", write(h.reveal))
	mux.Handle("POST /mediation/cases/{id}/attachments", write(h.addAttachments))
	mux.Handle("GET /mediation/cases/{id}/attachments/{attachment}", read(h.attachment))
	mux.Handle("GET /mediation/experts", read(h.experts))
	mux.Handle("POST /mediation/experts", write(h.addExpert))
	mux.Handle("POST /mediation/experts/{id}/active", write(h.setExpertActive))
	mux.Handle("GET /mediation/screenings", screen(h.screenings))
	mux.Handle("POST /mediation/screenings", screen(h.recordScreening))
	mux.Handle("GET /mediation/figures", read(h.figures))
	mux.Handle("GET /mediation/report.xlsx", read(h.report))
	h.apiRoutes(mux)
}

type listView struct {
	web.Page
	Cases    []Case
	Filter   Filter
	Types    []DisputeType
	States   []State
	Sources  []Source
	Pager    web.Pager
	Query    url.Values
	CanWrite bool
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	f := FilterFrom(r.URL.Query())
	pg := web.PagerFrom(r, 30)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	items, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	types, err := h.svc.DisputeTypes(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total = total
	v := &listView{Page: web.Page{Title: "人民调解"}, Cases: items, Filter: f, Types: types, States: States, Sources: Sources,
		Pager: pg, Query: f.Values(), CanWrite: auth.FromContext(r.Context()).Can(auth.MediationWrite)}
	h.views.Render(w, r, http.StatusOK, "list.html", v)
}

type formView struct {
	web.Page
	Form    Registration
	Types   []DisputeType
	Sources []Source
}

func (h *Handlers) newCase(w http.ResponseWriter, r *http.Request) {
	v := &formView{Page: web.Page{Title: "受理登记"}, Form: Registration{RegisteredOn: h.svc.Today(), Source: SourceApplyOral,
		TypeCode: "neighbour", Parties: []PartyInput{{Side: "applicant"}, {Side: "respondent"}}}}
	if id := web.QueryInt64(r, "case"); id != 0 {
		if err := h.svc.FromCase(r.Context(), id, &v.Form); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	if id := web.QueryInt64(r, "screening_item"); id != 0 {
		if err := h.svc.FromScreening(r.Context(), id, &v.Form); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	h.renderForm(w, r, http.StatusOK, v)
}

func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, v *formView) {
	types, err := h.svc.DisputeTypes(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Types, v.Sources = types, Sources
	h.views.Render(w, r, status, "new.html", v)
}

// registrationFrom reads the registration form: two parties (申请人, 被申请人), each with consent.
func registrationFrom(r *http.Request) Registration {
	n := func(k string) int64 { v, _ := strconv.ParseInt(r.PostFormValue(k), 10, 64); return v }
	in := Registration{Source: Source(r.PostFormValue("source")), TypeCode: r.PostFormValue("type"),
		Title: r.PostFormValue("title"), Facts: r.PostFormValue("facts"), RegisteredOn: r.PostFormValue("registered_on"),
		HouseholdID: n("household_id"), GridID: n("grid_id"), CaseID: n("case_id"), Number: r.PostFormValue("number"),
		ScreeningItemID: n("screening_item_id")}
	for i, side := range []string{"applicant", "respondent"} {
		k := func(f string) string { return r.PostFormValue("p" + strconv.Itoa(i) + "_" + f) }
		pi := PartyInput{Side: side, Name: k("name"), Phone: k("phone"), IDNumber: k("id_number"), Address: k("address"),
			Representative: k("representative")}
		pi.ResidentID, _ = strconv.ParseInt(k("resident_id"), 10, 64)
		if k("consent") != "" {
			pi.Consent, pi.ConsentOn, pi.ConsentHow = k("consent"), in.RegisteredOn, k("consent_how")
		}
		if k("notified") != "" {
			pi.NotifiedOn = in.RegisteredOn
		}
		in.Parties = append(in.Parties, pi)
	}
	return in
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) {
	in := registrationFrom(r)
	d, err := h.svc.Register(r.Context(), in)
	if err != nil {
		v := &formView{Page: web.Page{Title: "受理登记"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/mediation/cases/"+strconv.FormatInt(d.ID, 10), "已受理登记："+d.Number)
}

type caseView struct {
	web.Page
	D         *Detail
	Experts   []Expert
	Documents [][2]string
	Today     string
	Revealed  map[int64]string
	Can       map[string]bool
	Sources   []Source
	// Mediators are the committee's mediators the case may be assigned to; Assigned and Lead
	// are those assigned now.
	Mediators []MediatorOption
	Assigned  map[int64]bool
	Lead      int64
	// Attachments are the file's photos; MaxUpload how many one upload takes.
	Attachments []Attachment
	MaxUpload   int
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	v, err := h.caseView(r, nil)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "case.html", v)
}

// caseView reads the case page of the path's case, with numbers revealed just now.
func (h *Handlers) caseView(r *http.Request, revealed map[int64]string) (*caseView, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := &caseView{Page: web.Page{Title: d.Number}, D: d, Documents: ManualDocuments(), Today: h.svc.Today(),
		Revealed: revealed, Can: map[string]bool{}}
	for _, a := range d.Actions {
		v.Can[string(a)] = true
	}
	if v.Attachments, err = h.svc.Attachments(r.Context(), id); err != nil {
		return nil, err
	}
	v.MaxUpload = MaxAttachmentsPerUpload
	if v.Can[string(ActAssign)] {
		if v.Mediators, err = h.svc.CommitteeMediators(r.Context(), id); err != nil {
			return nil, err
		}
		v.Assigned = map[int64]bool{}
		for _, m := range d.Mediators {
			v.Assigned[m.UserID] = true
			if m.Lead {
				v.Lead = m.UserID
			}
		}
	}
	if v.Can[string(ActInvite)] {
		if v.Experts, err = h.svc.Experts(r.Context(), d.TypeCode); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (h *Handlers) act(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	a := Action(r.PathValue("action"))
	in := actionFrom(r, a)
	if _, err := h.svc.Act(r.Context(), id, a, in); err != nil {
		v, verr := h.caseView(r, nil)
		if verr != nil {
			h.kit.Error(w, r, verr)
			return
		}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "case.html", v) })
		return
	}
	web.Redirect(w, r, "/mediation/cases/"+strconv.FormatInt(id, 10), "已完成："+a.Label())
}

// actionFrom reads an action's form.
func actionFrom(r *http.Request, a Action) ActionInput {
	f := r.PostFormValue
	n := func(k string) int64 { v, _ := strconv.ParseInt(f(k), 10, 64); return v }
	ver, _ := strconv.Atoi(f("version"))
	in := ActionInput{Version: ver, On: f("on"), Note: f("note"), PartyID: n("party_id"), Consent: f("consent"),
		ConsentHow: f("consent_how"), Notified: f("notified") != "", Referral: f("referral"), Until: f("until"),
		Confirmation: f("confirmation"), DocumentKind: f("document_kind"), PreventedCriminal: f("prevented_criminal") != "",
		PreventedPetition: f("prevented_petition") != "", LeadMediator: n("lead_mediator_id")}
	in.PreventedPeople, _ = strconv.Atoi(f("prevented_people"))
	switch a {
	case ActRecord:
		in.Record = &Record{Kind: f("kind"), HeldOn: f("held_on"), Place: f("place"), Attendees: f("attendees"),
			Content: f("content"), Result: f("result")}
	case ActInvite:
		in.Participant = &Participant{Kind: f("kind"), Name: f("name"), Relation: f("relation"), ConsentNote: f("consent_note")}
		if id := n("expert_id"); id != 0 && in.Participant.Kind == "expert" {
			in.Participant.ExpertID = &id
		}
	case ActAgree, ActAgreeOral:
		amount, _ := strconv.ParseInt(strings.TrimSpace(f("amount")), 10, 64)
		ag := &Agreement{Facts: f("facts"), Text: f("text"), Amount: amount, SignedOn: f("signed_on")}
		for i, c := range r.PostForm["term_content"] {
			t := Term{Content: c}
			if i < len(r.PostForm["term_method"]) {
				t.Method = r.PostForm["term_method"][i]
			}
			if i < len(r.PostForm["term_due"]) {
				t.DueOn = r.PostForm["term_due"][i]
			}
			if strings.TrimSpace(t.Content+t.Method+t.DueOn) != "" {
				ag.Terms = append(ag.Terms, t)
			}
		}
		in.Agreement = ag
	case ActFollowUp:
		in.Followup = &Followup{DoneOn: f("done_on"), Performance: f("performance"), Satisfaction: f("satisfaction"), Note: f("followup_note")}
	case ActAssign:
		for _, s := range r.PostForm["mediator_ids"] {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				in.Mediators = append(in.Mediators, id)
			}
		}
	}
	return in
}

// addAttachments keeps the photos of the form in the case file (of one record when record_id is set).
func (h *Handlers) addAttachments(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	files, err := photo.FromForm(w, r, MaxAttachmentsPerUpload)
	n := 0
	if err == nil {
		record, _ := strconv.ParseInt(r.PostFormValue("record_id"), 10, 64)
		n, err = h.svc.AddAttachments(r.Context(), id, record, r.PostFormValue("note"), files)
	}
	if err != nil {
		v, verr := h.caseView(r, nil)
		if verr != nil {
			h.kit.Error(w, r, verr)
			return
		}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "case.html", v) }, web.AlwaysMessage())
		return
	}
	web.Redirect(w, r, "/mediation/cases/"+strconv.FormatInt(id, 10), "已上传附件"+strconv.Itoa(n)+"个")
}

// attachment answers one attachment's image.
func (h *Handlers) attachment(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	aid, err := web.PathID(r, "attachment")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	data, ctype, err := h.svc.AttachmentContent(r.Context(), id, aid)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
}

func (h *Handlers) reveal(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	plain, err := h.svc.RevealParty(r.Context(), id, r.PostFormValue("field"), r.PostFormValue("reason"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	r.SetPathValue("id", r.PostFormValue("case_id"))
	v, err := h.caseView(r, map[int64]string{id: plain})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "case.html", v)
}
