package app

import (
	"context"
	"fmt"
	"net/url"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/mediation"
	"linli/internal/party"
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
		// A grid worker's visits and the liaison party member's contacts 联系记录, apart.
		for _, part := range []struct {
			kind         visits.Kind
			title, empty string
		}{{visits.KindVisit, "走访记录", "尚无走访记录"}, {visits.KindContact, "党员联系记录", "尚无党员联系记录"}} {
			f := visits.Filter{Kind: part.kind, Limit: dossierShown}
			if kind == "resident" {
				f.ResidentID = id
			} else {
				f.HouseholdID = id
			}
			list, total, err := m.services.visits.List(ctx, f)
			if err != nil {
				m.Log.Warn("dossier visits", "err", err)
				continue
			}
			r := web.Related{Title: part.title, Total: total, Empty: part.empty,
				More: more("/visits") + "&" + url.Values{"kind": {string(part.kind)}}.Encode()}
			for _, v := range list {
				r.Items = append(r.Items, web.RelatedItem{Text: v.VisitedOn + " " + v.Method.Label() + "：" + v.Situation,
					Href: fmt.Sprintf("/visits/%d", v.ID), Note: v.CreatedByName})
			}
			out = append(out, r)
		}
	}
	if r, ok := m.dossierCare(ctx, p, kind, id); ok {
		out = append(out, r)
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
	out = append(out, m.dossierParty(ctx, p, kind, id, householdID)...)
	if r, ok := m.dossierActivities(ctx, p, kind, id); ok {
		out = append(out, r)
	}
	return out
}

// dossierCare is the care plan 关爱计划 of the resident (or of each member of the household): the
// tag that sets the cadence, the last care visit and the next one due, overdue marked. A resident
// in no care plan shows nothing.
func (m *Main) dossierCare(ctx context.Context, p *auth.Principal, kind string, id int64) (web.Related, bool) {
	if m.services.visits == nil || !p.Can(auth.VisitsRead) {
		return web.Related{}, false
	}
	f := visits.CareFilter{Limit: dossierShown}
	if kind == "resident" {
		f.ResidentID = id
	} else {
		f.HouseholdID = id
	}
	list, total, err := m.services.visits.CarePlan(ctx, f)
	if err != nil {
		m.Log.Warn("dossier care plan", "err", err)
		return web.Related{}, false
	}
	if total == 0 {
		return web.Related{}, false
	}
	r := web.Related{Title: "关爱计划", Total: total, More: "/care-plans/residents"}
	for _, c := range list {
		last := "尚未走访"
		if c.LastOn != "" {
			last = "上次走访 " + c.LastOn
		}
		next := "应尽快首访"
		if c.NextDue != "" {
			next = "下次应访 " + c.NextDue
		}
		note := ""
		switch c.State {
		case visits.StateOverdue:
			note = fmt.Sprintf("已逾期%d天", c.DaysOverdue)
		case visits.StateNew:
			note = "待首访"
		default:
			note = "按期"
		}
		text := fmt.Sprintf("%s（%s，每%d天）：%s，%s", c.Name, c.Tag.Label(), c.Cadence, last, next)
		href := fmt.Sprintf("/residents/%d", c.ResidentID)
		if kind == "resident" {
			href = ""
			if p.Can(auth.VisitsWrite) {
				href = fmt.Sprintf("/visits/new?household=%d", c.HouseholdID) // the visit it calls for
			}
		}
		r.Items = append(r.Items, web.RelatedItem{Text: text, Href: href, Note: note})
	}
	return r, true
}

// dossierParty is the party organisation's part of the file: the resident's membership (their
// branch, linked to the party pages) and the household's liaison — the party member whose liaison
// household contacts it, or the liaison point the household itself is. Read as the signed-in user
// (PartyRead, their scope); a resident who is no member shows no membership.
func (m *Main) dossierParty(ctx context.Context, p *auth.Principal, kind string, id, householdID int64) []web.Related {
	if m.services.party == nil || !p.Can(auth.PartyRead) {
		return nil
	}
	var out []web.Related
	if kind == "resident" {
		members, total, err := m.services.party.Members(ctx, party.MemberFilter{ResidentID: id, Limit: dossierShown})
		if err != nil {
			m.Log.Warn("dossier party members", "err", err)
		} else if total > 0 {
			r := web.Related{Title: "党员身份", Total: total}
			for _, mb := range members {
				joined := ""
				if mb.JoinedOn != "" {
					joined = "入党日期 " + mb.JoinedOn
				}
				r.Items = append(r.Items,
					web.RelatedItem{Text: "所在党组织：" + mb.OrgName, Href: fmt.Sprintf("/party/orgs/%d", mb.OrgID),
						Note: mb.Status.Label() + "，" + mb.Kind.Label()},
					web.RelatedItem{Text: "党员档案：" + mb.Name, Href: fmt.Sprintf("/party/members/%d", mb.ID),
						Note: joined})
			}
			out = append(out, r)
		}
	}
	if householdID == 0 {
		return out
	}
	r := web.Related{Title: "党员联系户", Empty: "本户尚未纳入党员联系户"}
	own, _, err := m.services.party.Liaisons(ctx, party.LiaisonFilter{HouseholdID: householdID, Limit: dossierShown})
	if err != nil {
		m.Log.Warn("dossier liaison", "err", err)
		return out
	}
	for _, l := range own {
		r.Items = append(r.Items, web.RelatedItem{Text: fmt.Sprintf("本户为党员联系户：党员%s，联系 %d 户", l.MemberName, l.Covered),
			Href: fmt.Sprintf("/party/liaison/%d", l.ID), Note: l.OrgName})
	}
	covered, _, err := m.services.party.Covered(ctx, party.CoveredFilter{HouseholdID: householdID, Limit: dossierShown})
	if err != nil {
		m.Log.Warn("dossier covered", "err", err)
		return out
	}
	for _, c := range covered {
		l, err := m.services.party.Liaison(ctx, c.LiaisonID)
		if err != nil {
			m.Log.Warn("dossier covering liaison", "err", err)
			continue
		}
		r.Items = append(r.Items, web.RelatedItem{Text: "联系党员：" + l.MemberName, Href: fmt.Sprintf("/party/members/%d", l.MemberID),
			Note: l.OrgName + "，联系户 " + l.Address})
	}
	r.Total = len(r.Items)
	return append(out, r)
}

// dossierActivities is the activities a resident, or the members of a household, signed up for
// and attended, read through the activities service (ActivitiesRead, scope, the minors rule).
func (m *Main) dossierActivities(ctx context.Context, p *auth.Principal, kind string, id int64) (web.Related, bool) {
	if m.services.activities == nil || !p.Can(auth.ActivitiesRead) {
		return web.Related{}, false
	}
	f := activities.ParticipationFilter{Limit: dossierShown}
	if kind == "resident" {
		f.ResidentID = id
	} else {
		f.HouseholdID = id
	}
	list, n, err := m.services.activities.Participations(ctx, f)
	if err != nil {
		m.Log.Warn("dossier activities", "err", err)
		return web.Related{}, false
	}
	r := web.Related{Title: "活动参与", Total: n.SignedUp, Empty: "尚无活动报名记录"}
	if kind == "household" {
		r.Title, r.Empty = "本户活动参与", "本户尚无活动报名记录"
	}
	if n.SignedUp > 0 {
		r.Title += fmt.Sprintf("（报名 %d 次，签到 %d 次）", n.SignedUp, n.CheckedIn)
	}
	for _, x := range list {
		note := x.StatusLabel()
		if kind == "household" {
			note = x.ResidentName + " " + note
		}
		r.Items = append(r.Items, web.RelatedItem{Text: clock.Date(x.StartsAt) + " " + x.Title,
			Href: fmt.Sprintf("/activities/%d", x.ActivityID), Note: note})
	}
	return r, true
}
