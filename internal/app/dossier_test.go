package app_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
)

func TestTheResidentAndHouseholdPagesGatherTheirRecords(t *testing.T) {
	env := apptest.NewDemo(t)
	d := env.DB()
	one := func(query string, args ...any) (out []any) {
		t.Helper()
		var a, b any
		if err := d.R.QueryRow(query, args...).Scan(&a, &b); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return []any{a, b}
	}
	admin := env.Login(t, "admin")
	// admin is Nanguan's: the street's neighbours 西关社区 and 仓门社区 hold records of their own.
	const nanguan = `(SELECT id FROM regions WHERE code = '620702001001')`

	t.Run("a resident's page lists their visits, each linked, with the total", func(t *testing.T) {
		row := one(`SELECT vr.resident_id, COUNT(*) FROM visit_residents vr JOIN residents r ON r.id = vr.resident_id
			JOIN visits v ON v.id = vr.visit_id
			WHERE r.birth_date < '2000-01-01' AND v.kind = 'visit' AND r.community_id = ` + nanguan + ` GROUP BY vr.resident_id ORDER BY COUNT(*) DESC LIMIT 1`)
		var visit int64
		if err := d.R.QueryRow(`SELECT MAX(visit_id) FROM visit_residents vr JOIN visits v ON v.id = vr.visit_id
			WHERE vr.resident_id = $1 AND v.kind = 'visit'`, row[0]).Scan(&visit); err != nil {
			t.Fatal(err)
		}
		body := admin.Get(fmt.Sprintf("/residents/%v", row[0])).Body
		for _, want := range []string{fmt.Sprintf("走访记录 <small class=\"muted\">%v 条", row[1]), fmt.Sprintf(`href="/visits/%d"`, visit)} {
			if !strings.Contains(body, want) {
				t.Errorf("the resident's page lacks %q", want)
			}
		}
	})
	t.Run("a household's page lists its cases and mediation files", func(t *testing.T) {
		row := one(`SELECT household_id, COUNT(*) FROM cases WHERE household_id IS NOT NULL AND community_id = ` + nanguan + `
			GROUP BY household_id ORDER BY COUNT(*) DESC LIMIT 1`)
		var number string
		if err := d.R.QueryRow(`SELECT number FROM cases WHERE household_id = $1 ORDER BY id DESC LIMIT 1`, row[0]).Scan(&number); err != nil {
			t.Fatal(err)
		}
		resp := admin.Get(fmt.Sprintf("/households/%v", row[0]))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{fmt.Sprintf("本户诉求 <small class=\"muted\">%v 条", row[1]), number, "走访记录"} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("the household's page lacks %q", want)
			}
		}
	})
	t.Run("a resident in a care plan shows the plan: the tag's cadence, the last visit and the next one due", func(t *testing.T) {
		row := one(`SELECT r.id, r.household_id FROM residents r JOIN resident_tags t ON t.resident_id = r.id
			WHERE t.tag = 'elderly_alone' AND r.status = 'active' AND r.community_id = ` + nanguan + ` ORDER BY r.id LIMIT 1`)
		body := admin.Get(fmt.Sprintf("/residents/%v", row[0])).Body
		if !strings.Contains(body, "关爱计划 <small") || !regexp.MustCompile(`（[^（）]+，每\d+天）：`).MatchString(body) {
			t.Errorf("the care-planned resident's page lacks the plan")
		}
		if !strings.Contains(body, "下次应访 ") && !strings.Contains(body, "应尽快首访") {
			t.Errorf("the plan does not say when the next visit is due")
		}
		if hh := admin.Get(fmt.Sprintf("/households/%v", row[1])).Body; !strings.Contains(hh, "关爱计划 <small") {
			t.Errorf("the household's page lacks its member's care plan")
		}
		plain := one(`SELECT r.id, r.household_id FROM residents r WHERE r.status = 'active' AND r.birth_date < '1990-01-01'
			AND r.birth_date > '1970-01-01' AND r.community_id = ` + nanguan + `
			AND NOT EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = r.id) ORDER BY r.id LIMIT 1`)
		if body := admin.Get(fmt.Sprintf("/residents/%v", plain[0])).Body; strings.Contains(body, "关爱计划 <small") {
			t.Errorf("a resident in no care plan shows one")
		}
	})
	t.Run("a party member's page names their branch and links their membership", func(t *testing.T) {
		var resident, member, org int64
		if err := d.R.QueryRow(`SELECT m.resident_id, m.id, m.org_id FROM party_members m JOIN residents r ON r.id = m.resident_id
			WHERE m.active ORDER BY m.id LIMIT 1`).Scan(&resident, &member, &org); err != nil {
			t.Fatal(err)
		}
		body := admin.Get(fmt.Sprintf("/residents/%d", resident)).Body
		for _, want := range []string{"党员身份", fmt.Sprintf(`href="/party/orgs/%d"`, org), fmt.Sprintf(`href="/party/members/%d"`, member)} {
			if !strings.Contains(body, want) {
				t.Errorf("the member's page lacks %q", want)
			}
		}
	})
	t.Run("a covered household names the party member who contacts it, and lists the contacts apart from visits", func(t *testing.T) {
		var household, member int64
		var name string
		if err := d.R.QueryRow(`SELECT c.household_id, m.id, m.name FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
			JOIN party_members m ON m.id = l.member_id ORDER BY c.household_id LIMIT 1`).Scan(&household, &member, &name); err != nil {
			t.Fatal(err)
		}
		contacts := one(`SELECT household_id, COUNT(*) FROM visits WHERE kind = 'contact' AND household_id = $1 GROUP BY household_id`, household)
		body := admin.Get(fmt.Sprintf("/households/%d", household)).Body
		for _, want := range []string{"联系党员：" + name, fmt.Sprintf(`href="/party/members/%d"`, member),
			fmt.Sprintf("党员联系记录 <small class=\"muted\">%v 条", contacts[1])} {
			if !strings.Contains(body, want) {
				t.Errorf("the covered household's page lacks %q", want)
			}
		}
		var resident int64
		if err := d.R.QueryRow(`SELECT MIN(id) FROM residents WHERE household_id = $1 AND birth_date < '2000-01-01'`, household).Scan(&resident); err != nil {
			t.Fatal(err)
		}
		if body := admin.Get(fmt.Sprintf("/residents/%d", resident)).Body; !strings.Contains(body, "联系党员："+name) {
			t.Error("a resident of the covered household is not told who contacts them")
		}
	})
	t.Run("a resident's and a household's pages list the activities signed up for and attended", func(t *testing.T) {
		row := one(`SELECT x.resident_id, COUNT(*) FROM activity_registrations x JOIN residents r ON r.id = x.resident_id
			WHERE x.status <> 'cancelled' AND r.birth_date < '2000-01-01' GROUP BY x.resident_id ORDER BY COUNT(*) DESC, x.resident_id LIMIT 1`)
		var checked int
		var latest, household int64
		if err := d.R.QueryRow(`SELECT COUNT(x.checked_in_at) FROM activity_registrations x WHERE x.resident_id = $1 AND x.status <> 'cancelled'`,
			row[0]).Scan(&checked); err != nil {
			t.Fatal(err)
		}
		if err := d.R.QueryRow(`SELECT a.id FROM activity_registrations x JOIN activities a ON a.id = x.activity_id
			WHERE x.resident_id = $1 AND x.status <> 'cancelled' ORDER BY a.starts_at DESC, x.id DESC LIMIT 1`, row[0]).Scan(&latest); err != nil {
			t.Fatal(err)
		}
		body := admin.Get(fmt.Sprintf("/residents/%v", row[0])).Body
		for _, want := range []string{fmt.Sprintf("活动参与（报名 %v 次，签到 %d 次）", row[1], checked), fmt.Sprintf(`href="/activities/%d"`, latest)} {
			if !strings.Contains(body, want) {
				t.Errorf("the resident's page lacks %q", want)
			}
		}
		if err := d.R.QueryRow(`SELECT household_id FROM residents WHERE id = $1`, row[0]).Scan(&household); err != nil {
			t.Fatal(err)
		}
		if body := admin.Get(fmt.Sprintf("/households/%d", household)).Body; !strings.Contains(body, "本户活动参与（报名") ||
			!strings.Contains(body, fmt.Sprintf(`href="/activities/%d"`, latest)) {
			t.Error("the household's page lacks its members' activities")
		}
	})
	t.Run("what a user may not read is left out", func(t *testing.T) {
		var hh int64
		if err := d.R.QueryRow(`SELECT MIN(household_id) FROM visits WHERE region_id = (SELECT id FROM regions WHERE code = '62070200100101')`).Scan(&hh); err != nil {
			t.Fatal(err)
		}
		body := env.Login(t, "worker01").Get(fmt.Sprintf("/households/%d", hh)).Body
		if !strings.Contains(body, "走访记录") || strings.Contains(body, "矛盾纠纷调解") {
			t.Error("worker01 (no mediation permission) sees the mediation part, or not the visits")
		}
	})
}
