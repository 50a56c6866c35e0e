package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/cases"
)

func TestTheCasePageLetsASupervisorDenyASuspendRequest(t *testing.T) {
	p := newPage(t)
	var c cases.Case
	p.api.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": leafID(t, p.api, "dispute.leak"),
		"description": "3号楼501漏水，渗到楼下", "grid_id": p.env.Fixture.Grids[0].ID, "address": "3号楼"}).Decode(t, &c)
	p.act(t, c.ID, "accept", nil)
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
	leader := p.env.APIClient(t, "grid01")
	for _, a := range []string{"sign", "suspend"} {
		if resp := leader.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", c.ID, a), map[string]any{"note": "等待住户回京"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", a, resp.StatusCode, resp.Body)
		}
	}
	denyForm := fmt.Sprintf(`action="/cases/%d/actions/deny_suspend"`, c.ID)
	if body := p.env.Login(t, "grid01").Get(fmt.Sprintf("/cases/%d", c.ID)).Body; strings.Contains(body, denyForm) {
		t.Fatal("the grid leader who asked is offered 驳回挂起")
	}
	page := p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
	if !strings.Contains(page, denyForm) || !strings.Contains(page, "等待住户回京") {
		t.Fatalf("the supervisor's page has no 驳回挂起 beside the request: %s", page)
	}
	resp := p.admin.PostForm(fmt.Sprintf("/cases/%d/actions/deny_suspend", c.ID), url.Values{"note": {"可先行维修"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deny: %d %s", resp.StatusCode, resp.Body)
	}
	page = p.admin.Get(fmt.Sprintf("/cases/%d", c.ID)).Body
	if strings.Contains(page, denyForm) || !strings.Contains(page, "驳回挂起") || !strings.Contains(page, "可先行维修") {
		t.Fatalf("after the denial: %s", page)
	}
}
