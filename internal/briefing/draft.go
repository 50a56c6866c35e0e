package briefing

import (
	"context"
	"strings"
	"time"

	"linli/internal/activities"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/cobuild"
)

// levelWord is how a briefing names its own region's level.
func levelWord(level string) string {
	switch level {
	case "district":
		return "全区"
	case "street":
		return "街道"
	}
	return "社区"
}

// previous is the period just before [from, to]: the same number of whole months when the period
// is whole months (a month, a quarter, a year), otherwise the same number of days.
func previous(from, to string) (string, string) {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	before := f.AddDate(0, 0, -1).Format(time.DateOnly)
	if f.Day() == 1 && t.AddDate(0, 0, 1).Day() == 1 {
		months := (t.Year()-f.Year())*12 + int(t.Month()-f.Month()) + 1
		return f.AddDate(0, -months, 0).Format(time.DateOnly), before
	}
	days := int(t.Sub(f).Hours()/24) + 1
	return f.AddDate(0, 0, -days).Format(time.DateOnly), before
}

func ref(key string, kv ...string) string {
	var b strings.Builder
	b.WriteString("{{" + key)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(" " + kv[i] + "=" + kv[i+1])
	}
	b.WriteString("}}")
	return b.String()
}

// periodText names the period in words: 2024年1月1日至10月15日.
func periodText(from, to string) string {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	out := f.Format("2006年1月2日") + "至"
	if t.Year() != f.Year() {
		return out + t.Format("2006年1月2日")
	}
	return out + t.Format("1月2日")
}

// draft writes the first text of a briefing from the records: every number a reference, the
// examples and the problems chosen from what the figures show. The author edits it afterwards.
func (s *Service) draft(ctx context.Context, r *resolver, b *Briefing) error {
	p := Params{RegionID: b.RegionID, From: b.From, To: b.To}
	val := func(key string) Value { v, _ := r.resolve(ctx, key, p); return v }
	lw := levelWord(b.Level)
	b.Title = b.RegionName + "工作简报"
	b.Issuer = b.RegionName + "党委办公室"
	if b.Level == "community" {
		b.Issuer = b.RegionName + "党委"
	}
	b.Distribution = "报：上级党委、政府\n送：有关部门\n发：各网格党支部、共建单位"
	b.Headline = "党建引领聚合力 共建共治惠民生"

	sections := map[string]string{}
	sections["basic"] = periodText(b.From, b.To) + "，" + b.RegionName + "坚持党建引领基层治理，" + lw + "划分网格" + ref("register.grids") +
		"个，配备专职网格员" + ref("register.grid_leaders") + "名，建立网格党支部" + ref("party.branches") + "个，" +
		"有党员" + ref("party.members") + "名（其中报到的在职党员" + ref("party.in_service_members") + "名），" +
		"登记住户" + ref("register.households") + "户、居民" + ref("register.residents") + "人。"
	sections["grid_party"] = "健全“" + lw + "党委—网格党支部—党员联系户”组织链条，设立党员联系户" + ref("party.liaison_households") +
		"户，联系群众" + ref("party.covered_households") + "户，做到民情在网格掌握、问题在网格解决。"

	cb := "发挥大党委作用，与驻区单位签订共建协议，梳理需求清单" + ref("cobuild.needs") + "项、资源清单" + ref("cobuild.resources") +
		"项、项目清单" + ref("cobuild.projects") + "个，召开党建联席会议" + ref("cobuild.meetings") + "次，开展共建活动" +
		ref("cobuild.activities") + "场，办结群众需求" + ref("cobuild.needs_met") + "项。"
	if projects, _, err := s.src.Cobuild.Projects(ctx, cobuild.ProjectFilter{RegionID: b.RegionID, From: b.From, To: b.To, Limit: 3}); err == nil && len(projects) > 0 {
		var names []string
		for _, pr := range projects {
			names = append(names, "“"+pr.Title+"”")
		}
		cb += "\n实施" + strings.Join(names, "、") + "等共建项目，把单位资源转化为群众可感可及的服务。"
	}
	sections["cobuild"] = cb

	med := "组建人民调解委员会和“红色智囊团”，邀请法律工作者、退休干部、“五老”人员参与疑难纠纷化解，受理矛盾纠纷" +
		ref("mediation.received") + "件，调解成功" + ref("mediation.agreements") + "件，调解成功率" + ref("mediation.success_rate") + "。"
	if mf, err := r.mediation(ctx, p); err == nil {
		var types []string
		for _, t := range mf.ByType {
			if t.Agreements > 0 && len(types) < 3 {
				types = append(types, t.Label)
			}
		}
		if len(types) > 0 {
			med += "\n化解的纠纷以" + strings.Join(types, "、") + "为主，做到小事不出网格、大事不出社区。"
		}
	}
	sections["mediation"] = med

	cs := "畅通12345热线、网格走访、“书记信箱”、微信群等诉求渠道，办理12345热线诉求" + ref("cases.hotline_handled") +
		"件，为群众办实事" + ref("cases.practical_matters") + "件，按期办结率" + ref("cases.on_time_rate") + "，群众满意率" +
		ref("cases.satisfaction_rate") + "。"
	prevFrom, prevTo := previous(b.From, b.To)
	hotline := cases.Filter{Channel: "hotline_12345", By: "closed", RegionID: b.RegionID, From: b.From, To: b.To}
	before := hotline
	before.From, before.To = prevFrom, prevTo
	if cats, err := r.casesByCategory(ctx, hotline); err == nil {
		if _, err := r.casesByCategory(ctx, before); err != nil {
			return err
		}
		var parts []string
		for _, c := range cats {
			if n, _ := number(c.Figures["closed"]); len(parts) == 3 || n == 0 {
				break
			}
			key := id(c.ID)
			part := c.Name + ref("cases.hotline_handled", "category", key) + "件"
			prev := "cases.hotline_handled category=" + key + " from=" + prevFrom + " to=" + prevTo
			if v, err := r.resolve(ctx, prev, p); err == nil && v.Value > 0 {
				part += "（上期" + "{{" + prev + "}}" + "件）"
			}
			parts = append(parts, part)
		}
		if len(parts) > 0 {
			cs += "\n从热线诉求的类别看，" + strings.Join(parts, "、") + "居前。"
		}
	}
	sections["cases"] = cs

	if s.src.Deliberation != nil {
		sections["deliberation"] = "搭建居民议事厅，围绕停车、加装电梯、环境整治等群众关心的事，征集议事议题" + ref("deliberation.topics") +
			"个，召开议事会议" + ref("deliberation.meetings") + "次，表决形成议事决定" + ref("deliberation.decisions") + "项，落实" +
			ref("deliberation.decisions_done") + "项，做到大家的事大家议、大家办。"
	}

	act := "用好党群服务中心、新时代文明实践站等阵地，打造特色活动品牌" + ref("activities.featured_series") + "个，开展活动" +
		ref("activities.held") + "场，参与群众" + ref("activities.participants") + "人次，志愿服务" + ref("activities.volunteer_hours") + "小时。"
	if af, err := r.activities(ctx, p); err == nil {
		var parts []string
		for _, c := range af.BySeries {
			if len(parts) < 4 && c.Count > 0 && c.Key != "" && c.Key != "0" {
				parts = append(parts, "“"+strings.Trim(c.Label, "“”\"")+"”"+ref("activities.series_held", "series", c.Key)+"场")
			}
		}
		if len(parts) > 0 {
			act += "\n其中" + strings.Join(parts, "、") + "。"
			if line := s.summaryLine(ctx, b); line != "" {
				act += line
			}
		}
	}
	sections["activities"] = act

	sections["results"] = "通过党建引领、多网合一、共驻共建，" + lw + "办理12345热线诉求" + ref("cases.hotline_handled") + "件、办实事" +
		ref("cases.practical_matters") + "件，化解疑难问题" + ref("mediation.agreements") + "件，群众满意率达到" +
		ref("cases.satisfaction_rate") + "，基层治理效能和群众获得感不断提升。"

	var problems, next []string
	if v := val("cases.on_time_rate"); !v.Null && v.Value < 0.9 {
		problems = append(problems, "诉求按期办结率为"+ref("cases.on_time_rate")+"，部分诉求办理超出时限。")
		next = append(next, "加强诉求办理时限督办，对临期、超期诉求逐件跟踪。")
	}
	if v := val("cases.satisfaction_rate"); !v.Null && v.Value < 0.9 {
		problems = append(problems, "群众满意率为"+ref("cases.satisfaction_rate")+"，回访中仍有不满意的诉求。")
		next = append(next, "对回访不满意的诉求开展“回头看”，重办到群众满意。")
	}
	// Open work is the state today: it belongs in a briefing of a period that ends about now.
	recent := b.To >= s.Now().In(clock.Shanghai()).AddDate(0, -1, 0).Format(time.DateOnly)
	if v := val("mediation.near_limit"); recent && v.Value > 0 {
		problems = append(problems, "有"+ref("mediation.near_limit")+"件调解案件临近或超过期限。")
		next = append(next, "对临期调解案件提级研判，必要时邀请红色智囊团专家参与。")
	}
	if v := val("cobuild.decisions_late"); v.Value > 0 {
		problems = append(problems, "党建联席会议有"+ref("cobuild.decisions_late")+"项决定未按期落实。")
		next = append(next, "将联席会议决定纳入清单管理，按期销号。")
	}
	if len(problems) == 0 {
		problems = append(problems, "服务的精细化水平与群众的新期待相比仍有差距，部分网格力量不足。")
	}
	next = append(next, "持续深化党建引领基层治理，完善需求、资源、项目三张清单，办好群众身边的小事、难事、急事。")
	sections["problems"] = strings.Join(problems, "\n")
	sections["next"] = strings.Join(next, "\n")

	b.Sections = b.Sections[:0]
	for _, so := range sectionOrder {
		if sections[so.Key] == "" {
			continue
		}
		b.Sections = append(b.Sections, Section{Key: so.Key, Title: so.Title, Part: so.Part, Text: sections[so.Key]})
	}
	return nil
}

// summaryLine is one sentence from the newest summary of the period's featured activities, when it
// carries no typed number (a briefing quotes numbers only as figures).
func (s *Service) summaryLine(ctx context.Context, b *Briefing) string {
	list, _, err := s.src.Activities.ListActivities(ctx, activities.Filter{RegionID: b.RegionID, From: b.From, To: b.To,
		Featured: true, Limit: 50})
	if err != nil {
		return ""
	}
	for i := len(list) - 1; i >= 0; i-- {
		sum := strings.TrimSpace(list[i].Summary)
		if sum == "" {
			continue
		}
		first, _, _ := strings.Cut(sum, "。")
		if first == "" || typed.MatchString(first) || len([]rune(first)) > 80 {
			continue
		}
		return "如“" + list[i].Title + "”活动中，" + first + "。"
	}
	return ""
}
