package visits

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/web"
)

type formView struct {
	web.Page
	Form       VisitInput
	Household  *VisitHousehold
	Met        map[int64]bool
	Choices    []HouseholdChoice
	Q          string
	Categories []cases.Category
	Methods    []Method
	Today      string
	IsMember   bool
	Noun       string // 走访 or 联系
}

// NewUUID returns a random version-4 UUID for a new draft.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func noun(p *auth.Principal) string {
	if p.Role == auth.PartyMember {
		return "联系"
	}
	return "走访"
}

func (h *Handlers) newVisit(w http.ResponseWriter, r *http.Request) {
	in := VisitInput{ClientUUID: NewUUID(), Method: MethodHome, HouseholdID: web.QueryInt64(r, "household")}
	h.renderForm(w, r, http.StatusOK, &formView{Form: in, Q: strings.TrimSpace(r.URL.Query().Get("q"))})
}

func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, v *formView) {
	ctx := r.Context()
	p := auth.FromContext(ctx)
	v.Noun, v.IsMember, v.Methods, v.Today = noun(p), p.Role == auth.PartyMember, Methods, h.svc.Today()
	v.Title = "记录" + v.Noun
	if v.Form.VisitedOn == "" {
		v.Form.VisitedOn = v.Today
	}
	var err error
	if v.Form.HouseholdID != 0 {
		if v.Household, err = h.svc.Household(ctx, v.Form.HouseholdID); err != nil {
			h.kit.Error(w, r, err)
			return
		}
		if v.Met == nil {
			v.Met = v.Household.Due
		}
	} else if v.IsMember {
		covered, err := h.svc.MyCovered(ctx)
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		for _, c := range covered {
			note := "本月未联系"
			if c.ThisMonth > 0 {
				note = fmt.Sprintf("本月已联系%d次", c.ThisMonth)
			}
			v.Choices = append(v.Choices, HouseholdChoice{ID: c.HouseholdID, Address: c.Address, Note: note})
		}
	} else if v.Q != "" {
		if v.Choices, err = h.svc.SearchHouseholds(ctx, v.Q); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	} else {
		due, _, err := h.svc.CarePlan(ctx, CareFilter{State: "due", Limit: 2000})
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		hh, _, _ := groupDue(due)
		for _, d := range hh {
			names := make([]string, 0, len(d.Residents))
			for _, r := range d.Residents {
				names = append(names, r.Name)
			}
			v.Choices = append(v.Choices, HouseholdChoice{ID: d.HouseholdID, Address: d.Address, Note: strings.Join(names, "、")})
		}
	}
	if p.Can(auth.CasesIntake) {
		if v.Categories, err = h.svc.CaseCategories(ctx); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	h.views.Render(w, r, status, "visit_form.html", v)
}

// MaxFormBytes bounds a visit form, the photos and a little text; the app hands it to the kit's
// web.BodyLimits.
const MaxFormBytes = MaxPhotos*photo.MaxBytes + 1<<20

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) {
	photos, err := photo.FromForm(w, r, MaxPhotos)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := visitForm(r.Form)
	res, err := h.svc.Record(r.Context(), in, photos)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			h.kit.Error(w, r, err)
			return
		}
		v := &formView{Form: in, Met: map[int64]bool{}}
		for _, id := range in.Met {
			v.Met[id] = true
		}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	flash := noun(auth.FromContext(r.Context())) + "记录已保存"
	switch {
	case !res.Created:
		flash = "该记录此前已提交，未重复保存"
	case res.CaseErr != nil:
		flash += "，但转为诉求未成功：" + errs.MessageOf(res.CaseErr) + "。可在下方重新转为诉求"
	case res.Visit.CaseID != nil:
		flash += "，发现的需求已转为诉求 " + res.Visit.CaseNumber
	}
	web.Redirect(w, r, "/visits/"+strconv.FormatInt(res.Visit.ID, 10), flash)
}

// visitForm reads the form fields of a visit.
func visitForm(f url.Values) VisitInput {
	in := VisitInput{ClientUUID: f.Get("client_uuid"), Method: Method(f.Get("method")), VisitedOn: f.Get("visited_on"),
		Situation: f.Get("situation"), Needs: f.Get("needs"), FollowUpOn: f.Get("follow_up_on")}
	in.HouseholdID, _ = strconv.ParseInt(f.Get("household_id"), 10, 64)
	if f.Get("to_case") != "" {
		in.NeedCategoryID, _ = strconv.ParseInt(f.Get("need_category_id"), 10, 64)
		if in.NeedCategoryID == 0 {
			in.NeedCategoryID = -1 // asked for a case without a category: Record says so
		}
	}
	for _, s := range f["met"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.Met = append(in.Met, id)
		}
	}
	return in
}

type visitView struct {
	web.Page
	Visit      *Visit
	Categories []cases.Category
	CanCase    bool
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	h.renderVisit(w, r, http.StatusOK, &visitView{})
}

func (h *Handlers) renderVisit(w http.ResponseWriter, r *http.Request, status int, v *visitView) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ctx := r.Context()
	if v.Visit, err = h.svc.Get(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Title = "走访记录"
	if v.Visit.Kind == KindContact {
		v.Title = "联系记录"
	}
	p := auth.FromContext(ctx)
	v.CanCase = v.Visit.CaseID == nil && v.Visit.Needs != "" && p.Can(auth.CasesIntake) && h.svc.opts.Cases != nil
	if v.CanCase {
		if v.Categories, err = h.svc.CaseCategories(ctx); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	h.views.Render(w, r, status, "visit.html", v)
}

func (h *Handlers) toCase(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	cat, _ := strconv.ParseInt(r.FormValue("need_category_id"), 10, 64)
	v, err := h.svc.ToCase(r.Context(), id, cat)
	if err != nil {
		vv := &visitView{}
		h.kit.FormFailed(w, r, err, &vv.Page, func(status int) { h.renderVisit(w, r, status, vv) })
		return
	}
	web.Redirect(w, r, "/visits/"+strconv.FormatInt(id, 10), "已转为诉求 "+v.CaseNumber)
}

func (h *Handlers) photo(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pid, err := web.PathID(r, "photo")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ph, b, err := h.svc.OpenPhoto(r.Context(), id, pid)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ph.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
