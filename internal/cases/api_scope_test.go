package cases_test

import (
	"fmt"
	"net/http"
	"testing"

	"linli/internal/apptest"
)

func TestListAndFiguresAPIAnswer404ForARegionOrGridOutsideTheCallersScope(t *testing.T) {
	env := apptest.New(t)
	fx := env.Fixture
	grid02 := env.APIClient(t, "grid02")
	admin := env.APIClient(t, "admin")
	for _, path := range []string{"/api/v1/cases", "/api/v1/cases/figures"} {
		for _, q := range []string{
			fmt.Sprintf("grid=%d", fx.Grids[0].ID),    // the neighbouring grid
			fmt.Sprintf("region=%d", fx.Community.ID), // the grid's own community, above its scope
			fmt.Sprintf("region=%d", fx.Other.ID),     // another community
			"grid=999999",                             // no such grid
		} {
			if resp := grid02.Get(path + "?" + q); resp.StatusCode != http.StatusNotFound {
				t.Errorf("grid02 %s?%s: %d %s", path, q, resp.StatusCode, resp.Body)
			}
		}
		if resp := admin.Get(fmt.Sprintf("%s?grid=%d", path, fx.Grids[1].ID)); resp.StatusCode != http.StatusOK {
			t.Errorf("admin %s?grid=<grid 02>: %d %s", path, resp.StatusCode, resp.Body)
		}
		if resp := admin.Get(fmt.Sprintf("%s?region=%d", path, fx.Other.ID)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("admin %s?region=<北关社区>: %d %s", path, resp.StatusCode, resp.Body)
		}
	}
}
