package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"linli/internal/cases"
)

func TestADispatcherPlacesACaseOfTheToLocateQueueFromItsPage(t *testing.T) {
	p := newPage(t)
	var c cases.Case
	resp := p.api.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": leafID(t, p.api, "other.consult"),
		"description": "咨询办事流程", "community_id": p.env.Fixture.Community.ID})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("intake: %d %s", resp.StatusCode, resp.Body)
	}
	resp.Decode(t, &c)
	if list := p.admin.Get("/cases?queue=to_locate").Body; !strings.Contains(list, c.Number) {
		t.Fatal("the case without a grid is not in 待定位")
	}
	page := p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
	if !strings.Contains(page, fmt.Sprintf(`href="/cases/%d/location"`, c.ID)) {
		t.Fatal("the case page offers no placing")
	}
	if r := p.env.Login(t, "grid01").Get(fmt.Sprintf("/cases/%d/location", c.ID)); r.StatusCode == http.StatusOK {
		t.Fatal("a grid leader opened the placing form")
	}
	form := p.admin.Get(fmt.Sprintf("/cases/%d/location", c.ID))
	if form.StatusCode != http.StatusOK || !strings.Contains(form.Body, "3号楼") {
		t.Fatalf("placing form: %d", form.StatusCode)
	}
	if r := p.admin.PostForm(fmt.Sprintf("/cases/%d/location", c.ID), url.Values{}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "请选择楼院或网格") {
		t.Fatalf("an empty placing: %d", r.StatusCode)
	}
	r := p.admin.PostForm(fmt.Sprintf("/cases/%d/location", c.ID), url.Values{"building_id": {strconv.FormatInt(p.building, 10)},
		"version": {strconv.Itoa(c.Version)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing: %d %s", r.StatusCode, clipBody(r.Body))
	}
	var got cases.Case
	p.api.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &got)
	if got.GridID == nil || *got.GridID != p.env.Fixture.Grids[0].ID || got.BuildingID == nil || *got.BuildingID != p.building {
		t.Fatalf("placed: grid %v building %v", got.GridID, got.BuildingID)
	}
	if list := p.admin.Get("/cases?queue=to_locate").Body; strings.Contains(list, c.Number) {
		t.Fatal("the placed case is still in 待定位")
	}
	// The API: a closed case cannot be placed; an unknown field is refused.
	if r := p.api.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/location", c.ID), map[string]any{"grid": 1}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown field: %d", r.StatusCode)
	}
	if r := p.api.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/location", c.ID), map[string]any{"grid_id": p.env.Fixture.Grids[1].ID}); r.StatusCode != http.StatusOK {
		t.Fatalf("placing again over the API: %d %s", r.StatusCode, r.Body)
	}
}
