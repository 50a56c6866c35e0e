package mediation

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/web"
)

type docView struct {
	web.Page
	D         *Detail
	Committee string
	Copies    []string
}

// document renders one printable document of a case (agreement, confirmation application, file).
func (h *Handlers) document(w http.ResponseWriter, r *http.Request, name, title string) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	d, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &docView{Page: web.Page{Title: title + " " + d.Number}, D: d, Committee: d.CommunityName + "人民调解委员会"}
	for _, p := range d.Parties {
		v.Copies = append(v.Copies, p.SideLabel()+p.Name+"执")
	}
	v.Copies = append(v.Copies, "调解委员会存档")
	h.views.Render(w, r, http.StatusOK, name, v)
}

func (h *Handlers) agreement(w http.ResponseWriter, r *http.Request) {
	h.document(w, r, "agreement.html", "人民调解协议书")
}

func (h *Handlers) confirmation(w http.ResponseWriter, r *http.Request) {
	h.document(w, r, "confirmation.html", "司法确认申请书")
}

func (h *Handlers) file(w http.ResponseWriter, r *http.Request) {
	h.document(w, r, "file.html", "卷宗目录")
}

type expertsView struct {
	web.Page
	Experts  []Expert
	Types    []DisputeType
	Kinds    []string
	Form     ExpertInput
	CanWrite bool
	TypeName map[string]string
}

func (h *Handlers) experts(w http.ResponseWriter, r *http.Request) {
	h.renderExperts(w, r, http.StatusOK, &expertsView{Page: web.Page{Title: "红色智囊团"}})
}

func (h *Handlers) renderExperts(w http.ResponseWriter, r *http.Request, status int, v *expertsView) {
	var err error
	if v.Experts, err = h.svc.Experts(r.Context(), r.URL.Query().Get("type")); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Types, err = h.svc.DisputeTypes(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.TypeName = map[string]string{}
	for _, t := range v.Types {
		v.TypeName[t.Code] = t.Name
	}
	v.Kinds, v.CanWrite = ExpertKinds, auth.FromContext(r.Context()).Can(auth.MediationWrite)
	h.views.Render(w, r, status, "experts.html", v)
}

func (h *Handlers) addExpert(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	in := ExpertInput{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Types: r.PostForm["types"], Availability: r.PostFormValue("availability"), Phone: r.PostFormValue("phone")}
	if _, err := h.svc.AddExpert(r.Context(), in); err != nil {
		v := &expertsView{Page: web.Page{Title: "红色智囊团"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderExperts(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/mediation/experts", "已加入智囊团："+in.Name)
}

// setExpertActive takes an expert out of the pool (active=0) or back in (active=1).
func (h *Handlers) setExpertActive(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	active := r.PostFormValue("active") == "1"
	if err := h.svc.SetExpertActive(r.Context(), id, active); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	msg := "已停用该专家，历史案件保留"
	if active {
		msg = "已恢复该专家"
	}
	web.Redirect(w, r, "/mediation/experts", msg)
}

type screeningsView struct {
	web.Page
	Grids     []GridScreening
	Days      int
	Rounds    []Screening
	Types     []DisputeType
	Today     string
	CanRecord bool
	CanRead   bool
	CanWrite  bool
	Form      ScreeningInput
}

func (h *Handlers) screenings(w http.ResponseWriter, r *http.Request) {
	h.renderScreenings(w, r, http.StatusOK, &screeningsView{Page: web.Page{Title: "矛盾纠纷排查"}})
}

func (h *Handlers) renderScreenings(w http.ResponseWriter, r *http.Request, status int, v *screeningsView) {
	var err error
	if v.Grids, v.Days, err = h.svc.GridStatus(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Rounds, _, err = h.svc.Screenings(r.Context(), web.QueryInt64(r, "grid"), 30, 0); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Types, err = h.svc.DisputeTypes(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	p := auth.FromContext(r.Context())
	v.Today, v.CanRecord, v.CanRead = h.svc.Today(), p.Can(auth.MediationScreen), p.Can(auth.MediationRead)
	v.CanWrite = p.Can(auth.MediationWrite)
	h.views.Render(w, r, status, "screenings.html", v)
}

func (h *Handlers) recordScreening(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	gid, _ := strconv.ParseInt(r.PostFormValue("grid_id"), 10, 64)
	in := ScreeningInput{GridID: gid, HeldOn: r.PostFormValue("held_on"), Note: r.PostFormValue("note")}
	types := r.PostForm["item_type"]
	for i, d := range r.PostForm["item_description"] {
		if strings.TrimSpace(d) == "" {
			continue
		}
		it := ScreeningItem{Description: d}
		if i < len(types) {
			it.TypeCode = types[i]
		}
		in.Items = append(in.Items, it)
	}
	if _, err := h.svc.RecordScreening(r.Context(), in); err != nil {
		v := &screeningsView{Page: web.Page{Title: "矛盾纠纷排查"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderScreenings(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/mediation/screenings", "已登记排查")
}

type figuresView struct {
	web.Page
	F      *Figures
	Filter FigureFilter
	Month  string
}

// figureFilterFrom reads the period and region; without a period it is this year to today.
func (h *Handlers) figureFilterFrom(r *http.Request) FigureFilter {
	q := r.URL.Query()
	f := FigureFilter{RegionID: web.QueryInt64(r, "region"), From: q.Get("from"), To: q.Get("to")}
	if f.From == "" && f.To == "" {
		today := h.svc.Today()
		f.From, f.To = today[:4]+"-01-01", today
	}
	return f
}

func (h *Handlers) figures(w http.ResponseWriter, r *http.Request) {
	ff := h.figureFilterFrom(r)
	f, err := h.svc.Figures(r.Context(), ff)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "figures.html", &figuresView{Page: web.Page{Title: "人民调解统计"}, F: f, Filter: ff,
		Month: h.svc.Today()[:7]})
}

// report sends the monthly report (月报) of ?month=YYYY-MM as .xlsx.
func (h *Handlers) report(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = h.svc.Today()[:7]
	}
	b, err := h.svc.MonthlyReport(r.Context(), month, web.QueryInt64(r, "region"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="mediation-%s.xlsx"`, month))
	_, _ = w.Write(b)
}
