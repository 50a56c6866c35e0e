package cobuild

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// funcs are the template functions the co-building pages add to the kit's.
var funcs = template.FuncMap{
	"hours":      func(min int) string { return strconv.FormatFloat(float64(min)/60, 'f', 1, 64) },
	"categories": func() []string { return Categories },
	"unitKinds":  func() []Choice { return UnitKinds },
	"resKinds":   func() []Choice { return ResourceKinds },
	"urgencies":  func() []Choice { return Urgencies },
	"benefits":   func() []Choice { return Beneficiaries },
	"sats":       func() []Choice { return Satisfactions },
	"cadences":   func() []Choice { return Cadences },
	"needStates": func() []NeedState { return NeedStates },
	"projStates": func() []ProjectState { return ProjectStates },
	"derefID":    derefID,
	"hasID":      func(ids []int64, id int64) bool { return containsID(ids, id) },
	// exportURL is a list's export with the filters on screen; built whole, so that html/template
	// does not escape the query's = and & as it would inside an href's query part.
	"exportURL": func(path string, q url.Values) string {
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	},
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (h *Handlers) pageRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.CobuildRead, f) }
	act := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.CobuildRead, f) } // the service checks write, raise or claim
	mux.Handle("GET /cobuild", read(h.home))
	mux.Handle("GET /cobuild/figures", read(h.figures))
	mux.Handle("GET /cobuild/units", read(h.units))
	mux.Handle("GET /cobuild/units/new", act(h.newUnit))
	mux.Handle("POST /cobuild/units", act(h.createUnit))
	mux.Handle("GET /cobuild/units/{id}", read(h.unit))
	mux.Handle("GET /cobuild/units/{id}/edit", act(h.editUnit))
	mux.Handle("POST /cobuild/units/{id}", act(h.updateUnit))
	mux.Handle("POST /cobuild/units/{id}/members", act(h.unitMember))
	mux.Handle("POST /cobuild/units/{id}/location", act(h.unitLocation))
	h.photoRoutes(mux, read)
	mux.Handle("GET /cobuild/needs", read(h.needs))
	mux.Handle("GET /cobuild/needs.xlsx", read(h.needsXLSX))
	mux.Handle("GET /cobuild/needs/new", h.auth.Page(auth.CobuildRaise, h.newNeed))
	mux.Handle("POST /cobuild/needs", h.auth.Page(auth.CobuildRaise, h.raiseNeed))
	mux.Handle("GET /cobuild/needs/review", h.auth.Page(auth.CobuildWrite, h.reviews))
	mux.Handle("POST /cobuild/needs/{id}/review", h.auth.Page(auth.CobuildWrite, h.reviewNeed))
	mux.Handle("GET /cobuild/needs/{id}", read(h.need))
	mux.Handle("POST /cobuild/needs/{id}/claim", act(h.claim))
	mux.Handle("POST /cobuild/needs/{id}/actions/{action}", act(h.needAction))
	mux.Handle("GET /cobuild/resources", read(h.resources))
	mux.Handle("GET /cobuild/resources.xlsx", read(h.resourcesXLSX))
	mux.Handle("GET /cobuild/resources/new", act(h.newResource))
	mux.Handle("POST /cobuild/resources", act(h.offerResource))
	mux.Handle("GET /cobuild/resources/{id}", read(h.resource))
	mux.Handle("GET /cobuild/projects", read(h.projects))
	mux.Handle("GET /cobuild/projects.xlsx", read(h.projectsXLSX))
	mux.Handle("POST /cobuild/projects", act(h.createProject))
	mux.Handle("GET /cobuild/projects/{id}", read(h.project))
	mux.Handle("POST /cobuild/projects/{id}/milestones", act(h.addMilestone))
	mux.Handle("POST /cobuild/projects/{id}/milestones/{milestone}/done", act(h.completeMilestone))
	mux.Handle("POST /cobuild/projects/{id}/uses", act(h.useResource))
	mux.Handle("POST /cobuild/projects/{id}/actions/{action}", act(h.projectAction))
	mux.Handle("GET /cobuild/meetings", read(h.meetings))
	mux.Handle("GET /cobuild/meetings/new", act(h.newMeeting))
	mux.Handle("POST /cobuild/meetings", act(h.scheduleMeeting))
	mux.Handle("GET /cobuild/meetings/{id}", read(h.meeting))
	mux.Handle("GET /cobuild/meetings/{id}/notice", read(h.notice))
	mux.Handle("POST /cobuild/meetings/{id}/topics", act(h.proposeTopic))
	mux.Handle("POST /cobuild/meetings/{id}/minutes", act(h.recordMinutes))
	mux.Handle("POST /cobuild/meetings/{id}/decisions", act(h.addDecision))
	mux.Handle("GET /cobuild/decisions", read(h.decisions))
	mux.Handle("POST /cobuild/decisions/{id}/close", act(h.closeDecision))
	mux.Handle("GET /cobuild/activities", read(h.activities))
	mux.Handle("GET /cobuild/activities.xlsx", read(h.activitiesXLSX))
	mux.Handle("GET /cobuild/activities/new", act(h.newActivity))
	mux.Handle("POST /cobuild/activities", act(h.recordActivity))
	mux.Handle("GET /cobuild/card", read(h.card))
	mux.Handle("GET /cobuild/card.xlsx", read(h.cardXLSX))
}

// who says what the signed-in user may do here, for the templates.
type who struct {
	Staff bool // cobuild.write: the community
	Unit  bool // a unit contact
	Raise bool // may raise needs
}

func whoOf(r *http.Request) who {
	p := auth.FromContext(r.Context())
	return who{Staff: p.Can(auth.CobuildWrite), Unit: p.Can(auth.CobuildClaim), Raise: p.Can(auth.CobuildRaise)}
}

// done redirects after a successful action with a flash, or shows the error page.
func (h *Handlers) done(w http.ResponseWriter, r *http.Request, err error, to, flash string) {
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			web.Redirect(w, r, to, flashOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, to, flash)
}

// flashOf is an error's message for a flash: every field's message when there are several.
func flashOf(err error) string {
	fields := errs.FieldsOf(err)
	if len(fields) < 2 {
		return errs.MessageOf(err)
	}
	msgs := make([]string, 0, len(fields))
	for _, m := range fields {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	return strings.Join(msgs, "；")
}

func formIDs(r *http.Request, name string) []int64 {
	_ = r.ParseForm()
	var out []int64
	for _, v := range r.Form[name] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// xlsx sends a workbook as a download.
func (h *Handlers) xlsx(w http.ResponseWriter, r *http.Request, name string, b []byte, err error) {
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"cobuild.xlsx\"; filename*=UTF-8''%s", url.PathEscape(name)))
	_, _ = w.Write(b)
}

// period reads from/to from the query, defaulting to this year up to today.
func (h *Handlers) pagePeriod(r *http.Request) (period, error) {
	p, err := readPeriod(r)
	if err == nil && p.from == "" && p.to == "" && r.URL.Query().Get("all") == "" {
		today := h.svc.today()
		p.from, p.to = today[:4]+"-01-01", today
	}
	return p, err
}

// unitOptions lists the units the user may pick in a form.
func (h *Handlers) unitOptions(r *http.Request) []Unit {
	units, _, _ := h.svc.Units(r.Context(), UnitFilter{Limit: 500})
	return units
}
