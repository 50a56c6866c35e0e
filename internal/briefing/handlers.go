package briefing

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves the briefing pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the briefing handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, nil)}
}

// Routes registers the briefing pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.BriefingRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.BriefingWrite, f) }
	mux.Handle("GET /briefings", read(h.list))
	mux.Handle("POST /briefings", write(h.generate))
	mux.Handle("GET /briefings/{id}", read(h.show))
	mux.Handle("GET /briefings/{id}/edit", write(h.edit))
	mux.Handle("POST /briefings/{id}", write(h.update))
	mux.Handle("POST /briefings/{id}/publish", write(h.publish))
	mux.Handle("POST /briefings/{id}/delete", write(h.delete))
	mux.Handle("GET /briefings/{id}/print", read(h.print))
	mux.Handle("GET /briefings/{id}/briefing.docx", read(h.docx))
	mux.Handle("GET /briefings/{id}/appendix.xlsx", read(h.appendix))
	mux.Handle("GET /briefings/{id}/chart.png", read(h.chart))
	h.apiRoutes(mux)
}

// Rendered is a View with the helpers its templates use.
type rendered struct {
	*View
}

// HTML renders a text's paragraphs, each figure as its value linked to the records it counts,
// with its definition on hover.
func (v rendered) HTML(text string) template.HTML {
	var b strings.Builder
	for _, para := range Paragraphs(text) {
		b.WriteString("<p>")
		for _, seg := range para {
			if seg.Ref == "" {
				b.WriteString(template.HTMLEscapeString(seg.Text))
				continue
			}
			val, ok := v.Values[seg.Ref]
			if !ok {
				b.WriteString(`<mark class="fig-error" title="` + template.HTMLEscapeString(seg.Ref) + `">【指标有误】</mark>`)
				continue
			}
			b.WriteString(figureLink(val))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// Chart is the comparison's data for the page's chart: the count figures by region.
func (v rendered) Chart() *chartData { return v.chart() }

// DistributionLines are the 报/送/发 lines.
func (v rendered) DistributionLines() []string {
	var out []string
	for _, l := range strings.Split(v.Distribution, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Cell renders one figure of the comparison table.
func (v rendered) Cell(ref string) template.HTML { return template.HTML(figureLink(v.Values[ref])) }

func figureLink(val Value) string {
	title := val.Label
	if d := defByKey[val.Key]; d != nil {
		title += "：" + d.Definition
	}
	return `<a class="fig" href="` + template.HTMLEscapeString(val.Href) + `" title="` + template.HTMLEscapeString(title) +
		`" data-ref="` + template.HTMLEscapeString(val.Ref) + `">` + template.HTMLEscapeString(val.Text) + `</a>`
}

// Defs are the definitions of the figures the briefing quotes, for the appendix.
func (v rendered) Defs() []Value {
	var out []Value
	for _, ref := range v.Refs() {
		out = append(out, v.Values[ref])
	}
	return out
}

// Definition is a figure's definition.
func (v rendered) Definition(key string) string {
	if d := defByKey[key]; d != nil {
		return d.Definition
	}
	return ""
}

type listView struct {
	web.Page
	Items    []Briefing
	Regions  []RegionRef
	Form     GenerateInput
	Pager    web.Pager
	Query    url.Values
	CanWrite bool
	Presets  []preset
}

// preset is a period the generate form offers in one click.
type preset struct {
	Label, From, To string
}

func presets(now time.Time) []preset {
	t := now.In(clock.Shanghai())
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	month := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	quarter := time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, t.Location())
	year := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, t.Location())
	return []preset{
		{"本月", day(month), day(t)},
		{"上月", day(month.AddDate(0, -1, 0)), day(month.AddDate(0, 0, -1))},
		{"本季度", day(quarter), day(t)},
		{"本年", day(year), day(t)},
		{"上年", day(year.AddDate(-1, 0, 0)), day(year.AddDate(0, 0, -1))},
	}
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, http.StatusOK, &listView{Page: web.Page{Title: "工作简报"}})
}

func (h *Handlers) renderList(w http.ResponseWriter, r *http.Request, status int, v *listView) {
	q := r.URL.Query()
	v.Query, v.Pager = q, web.PagerFrom(r, 30)
	v.CanWrite = auth.FromContext(r.Context()).Can(auth.BriefingWrite)
	v.Presets = presets(h.svc.Now())
	if v.Form.From == "" {
		p := v.Presets[3]
		v.Form.From, v.Form.To = p.From, p.To
	}
	var err error
	v.Items, v.Pager.Total, err = h.svc.List(r.Context(), Filter{RegionID: web.QueryInt64(r, "region"), State: State(q.Get("state")),
		Limit: v.Pager.Limit, Offset: v.Pager.Offset})
	if err == nil {
		v.Regions, err = h.svc.Regions(r.Context())
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "briefings.html", v)
}

func (h *Handlers) generate(w http.ResponseWriter, r *http.Request) {
	in := GenerateInput{RegionID: web.QueryInt64(r, "region"), From: strings.TrimSpace(r.FormValue("from")), To: strings.TrimSpace(r.FormValue("to"))}
	if from, to, ok := strings.Cut(r.FormValue("preset"), "/"); ok {
		in.From, in.To = from, to
	}
	v, err := h.svc.Generate(r.Context(), in)
	if err != nil {
		lv := &listView{Page: web.Page{Title: "工作简报"}, Form: in}
		h.kit.FormFailed(w, r, err, &lv.Page, func(status int) { h.renderList(w, r, status, lv) })
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/briefings/%d", v.ID), "简报初稿已生成：数字均为统计指标，可修改文字后发布")
}

type showView struct {
	web.Page
	B         rendered
	CanWrite  bool
	HasCharts bool
	// Print shows the briefing alone, for printing on A4 (the browser prints it to PDF).
	Print bool
	// Chart is the print page's chart (its image is /briefings/{id}/chart.png); nil for none.
	Chart *chartData
}

func (h *Handlers) load(w http.ResponseWriter, r *http.Request) (*View, bool) {
	id, err := web.PathID(r, "id")
	var v *View
	if err == nil {
		v, err = h.svc.Get(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return v, true
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	h.views.Render(w, r, http.StatusOK, "briefing.html", &showView{Page: web.Page{Title: v.Title}, B: rendered{v},
		CanWrite: auth.FromContext(r.Context()).Can(auth.BriefingWrite), HasCharts: h.kit.HasAsset("vendor/echarts.min.js")})
}

func (h *Handlers) print(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	c, err := h.svc.chartOf(r.Context(), v)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "briefing.html", &showView{Page: web.Page{Title: v.Title}, B: rendered{v}, Print: true, Chart: c})
}

type editView struct {
	web.Page
	B    rendered
	Defs []*Def
}

func (h *Handlers) edit(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	if v.State != Draft {
		web.Redirect(w, r, fmt.Sprintf("/briefings/%d", v.ID), "简报已发布，不能再修改")
		return
	}
	h.views.Render(w, r, http.StatusOK, "briefing_form.html", &editView{Page: web.Page{Title: "修改简报"}, B: rendered{v}, Defs: defs})
}

func (h *Handlers) update(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.kit.Error(w, r, errs.E(errs.Invalid, "表单无法读取"))
		return
	}
	field := func(name string) *string { s := r.PostForm.Get(name); return &s }
	in := Input{Title: field("title"), Issuer: field("issuer"), Note: field("note"), Headline: field("headline"),
		Distribution: field("distribution"), Sections: map[string]string{}}
	for _, so := range sectionOrder {
		if vs, ok := r.PostForm["section_"+so.Key]; ok {
			in.Sections[so.Key] = strings.Join(vs, "\n")
		}
	}
	if _, err := h.svc.Update(r.Context(), id, in); err != nil {
		v, gerr := h.svc.Get(r.Context(), id)
		if gerr != nil {
			h.kit.Error(w, r, gerr)
			return
		}
		_ = in.apply(v.Briefing) // show what was typed
		ev := &editView{Page: web.Page{Title: "修改简报"}, B: rendered{v}, Defs: defs}
		h.kit.FormFailed(w, r, err, &ev.Page, func(status int) { h.views.Render(w, r, status, "briefing_form.html", ev) },
			web.AlwaysMessage())
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/briefings/%d", id), "简报已保存")
}

func (h *Handlers) publish(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.Publish(r.Context(), id)
	}
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid || errs.CodeOf(err) == errs.Conflict {
			web.Redirect(w, r, fmt.Sprintf("/briefings/%d", id), "未能发布："+errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/briefings/%d", id), "简报已发布，数字已按发布时的统计固定")
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.Delete(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/briefings", "草稿已删除")
}

// fileName is the download name of a briefing: 南关社区工作简报2024年第1期.docx.
func fileName(v *View, ext string) string {
	issue := v.Issue()
	if v.Number == 0 {
		issue = "草稿"
	}
	return v.RegionName + "工作简报" + itoa(v.Year) + "年" + issue + ext
}

func download(w http.ResponseWriter, contentType, name, ascii string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", ascii, url.PathEscape(name)))
	_, _ = w.Write(b)
}

const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func (h *Handlers) docx(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var b []byte
	var v *View
	if err == nil {
		b, v, err = h.svc.Docx(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	download(w, docxType, fileName(v, ".docx"), "briefing.docx", b)
}

func (h *Handlers) appendix(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var b []byte
	var v *View
	if err == nil {
		b, v, err = h.svc.Appendix(r.Context(), id, web.BaseURL(r, ""))
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	download(w, xlsxType, fileName(v, "指标附录.xlsx"), "appendix.xlsx", b)
}

// chart serves the comparison's chart as a PNG, for the print page.
func (h *Handlers) chart(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var b []byte
	if err == nil {
		b, _, err = h.svc.Chart(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(b)
}
