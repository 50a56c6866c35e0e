package visits_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/register"
	"linli/internal/visits"
)

// M3: a minor met on a visit is recorded by a grid leader (who may see minors); a grid worker
// (no minors.read) reads the visit in the API list and answer, the visit page, the visits list
// page and the export, and the minor's name is in none of them, while the adult met still is.
func TestMinorsMetOnAVisitAreHiddenFromUsersWithoutMinorsRead(t *testing.T) {
	s := newSite(t)
	minor := s.env.Fixture.AddResident(t, register.ResidentInput{HouseholdID: s.hh1, Name: "张小雨",
		BirthDate: "2016-06-01", Relation: "孙女"})
	leader := s.env.Login(t, "grid01")
	form := url.Values{"client_uuid": {visits.NewUUID()}, "household_id": {fmt.Sprint(s.hh1)},
		"met": {fmt.Sprint(s.alone1), fmt.Sprint(minor)}, "method": {"home"}, "situation": {"祖孙二人在家，情况良好"}}
	rec := leader.PostForm("/visits", form)
	if rec.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", rec.StatusCode, rec.Body)
	}
	page := rec.Header.Get("Location")
	if b := leader.Get(page).Body; !strings.Contains(b, "张小雨") {
		t.Fatal("the grid leader, who may see minors, does not see the minor met; the test proves nothing")
	}
	id := strings.TrimPrefix(page, "/visits/")

	worker := s.env.Login(t, "worker01")
	api := s.env.APIClient(t, "worker01")
	for name, resp := range map[string]string{
		"GET /api/v1/visits":      api.Get("/api/v1/visits").Body,
		"GET /api/v1/visits/{id}": api.Get("/api/v1/visits/" + id).Body,
		"GET /visits/{id}":        worker.Get(page).Body,
		"GET /visits":             worker.Get("/visits").Body,
		"GET /visits/export.xlsx": xlsxText(t, []byte(worker.Get("/visits/export.xlsx").Body)),
	} {
		if strings.Contains(resp, "张小雨") {
			t.Errorf("%s names the minor to a user without minors.read", name)
		}
		if !strings.Contains(resp, "张桂兰") {
			t.Errorf("%s no longer names the adult met: the rule hid too much, or the visit is missing", name)
		}
	}
}
