package app_test

import (
	"fmt"
	"net/http"
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
			WHERE r.birth_date < '2000-01-01' AND r.community_id = ` + nanguan + ` GROUP BY vr.resident_id ORDER BY COUNT(*) DESC LIMIT 1`)
		var visit int64
		if err := d.R.QueryRow(`SELECT MAX(visit_id) FROM visit_residents WHERE resident_id = $1`, row[0]).Scan(&visit); err != nil {
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
