package app

import (
	"context"
	"fmt"
	"net/url"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/mediation"
	"linli/internal/visits"
	"linli/internal/web"
)

// dossierShown is how many records of each kind the resident and household pages list.
const dossierShown = 10

// dossier is 一人一档 / 一户一档: the visits, cases and mediation files of a resident (kind
// "resident") or a household, each read as the signed-in user — within their scope and with their
// permissions; a kind they may not read is left out, and a failure to read one kind leaves that
// kind out rather than the page.
func (m *Main) dossier(ctx context.Context, kind string, id, householdID int64) []web.Related {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil
	}
	var out []web.Related
	key := map[string]string{"resident": "resident", "household": "household"}[kind]
	if key == "" {
		return nil
	}
	more := func(path string) string { return path + "?" + url.Values{key: {fmt.Sprint(id)}}.Encode() }
	if m.services.visits != nil && p.Can(auth.VisitsRead) {
		f := visits.Filter{Limit: dossierShown}
		if kind == "resident" {
			f.ResidentID = id
		} else {
			f.HouseholdID = id
		}
		if list, total, err := m.services.visits.List(ctx, f); err == nil {
			r := web.Related{Title: "走访记录", Total: total, More: more("/visits"), Empty: "尚无走访记录"}
			for _, v := range list {
				r.Items = append(r.Items, web.RelatedItem{Text: v.VisitedOn + " " + v.Method.Label() + "：" + v.Situation,
					Href: fmt.Sprintf("/visits/%d", v.ID), Note: v.CreatedByName})
			}
			out = append(out, r)
		} else {
			m.Log.Warn("dossier visits", "err", err)
		}
	}
	if m.services.cases != nil && p.Can(auth.CasesRead) {
		f := cases.Filter{Limit: dossierShown}
		title := "反映的诉求"
		if kind == "resident" {
			f.ResidentID = id
		} else {
			f.HouseholdID, title = id, "本户诉求"
		}
		if list, total, err := m.services.cases.List(ctx, f); err == nil {
			r := web.Related{Title: title, Total: total, More: more("/cases"), Empty: "尚无诉求"}
			for _, c := range list {
				r.Items = append(r.Items, web.RelatedItem{Text: c.Number + " " + c.Title, Href: fmt.Sprintf("/cases/%d", c.ID),
					Note: c.StateLabel()})
			}
			out = append(out, r)
		} else {
			m.Log.Warn("dossier cases", "err", err)
		}
	}
	if m.services.mediation != nil && p.Can(auth.MediationRead) && householdID != 0 {
		if list, total, err := m.services.mediation.List(ctx, mediation.Filter{HouseholdID: householdID, Limit: dossierShown}); err == nil {
			r := web.Related{Title: "矛盾纠纷调解", Total: total, Empty: "本户尚无调解案件"}
			for _, c := range list {
				r.Items = append(r.Items, web.RelatedItem{Text: c.Number + " " + c.Title, Href: fmt.Sprintf("/mediation/cases/%d", c.ID),
					Note: c.StateLabel})
			}
			out = append(out, r)
		} else {
			m.Log.Warn("dossier mediation", "err", err)
		}
	}
	return out
}
