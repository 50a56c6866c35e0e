package cases_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"linli/internal/cases"
)

func TestCasePageAndAPIOfferSignOnlyToWhoeverCanSign(t *testing.T) {
	p := newPage(t)
	var c cases.Case
	resp := p.api.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": leafID(t, p.api, "dispute.leak"),
		"description": "3号楼501漏水，渗到楼下", "grid_id": p.env.Fixture.Grids[0].ID, "address": "3号楼"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("intake: %d %s", resp.StatusCode, resp.Body)
	}
	resp.Decode(t, &c)
	p.act(t, c.ID, "accept", nil)
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})

	signForm := fmt.Sprintf(`action="/cases/%d/actions/sign"`, c.ID)
	offered := func(user string) (page, api bool) {
		body := p.env.Login(t, user).Get(fmt.Sprintf("/cases/%d", c.ID)).Body
		var d cases.Detail
		p.env.APIClient(t, user).Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &d)
		return strings.Contains(body, signForm), slices.Contains(d.Actions, cases.ActSign)
	}
	if page, api := offered("worker01"); page || api {
		t.Fatalf("a grid worker is offered 签收 on a grid task (page %v, API %v)", page, api)
	}
	if page, api := offered("grid01"); !page || !api {
		t.Fatalf("the grid leader is not offered 签收 (page %v, API %v)", page, api)
	}
	leader := p.env.APIClient(t, "grid01")
	if resp := leader.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/sign", c.ID), map[string]any{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign: %d %s", resp.StatusCode, resp.Body)
	}
	if page, api := offered("grid01"); page || api {
		t.Fatalf("the grid leader is still offered 签收 after signing (page %v, API %v)", page, api)
	}
}
