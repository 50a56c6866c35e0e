package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

func TestRatingsThroughThePublicAPIAreRateLimitedPerAddress(t *testing.T) {
	env := apptest.New(t)
	anon := env.Anonymous(t)
	limited := false
	for i := 0; i < 8 && !limited; i++ {
		resp := anon.JSON("POST", "/api/v1/public/cases/"+strings.Repeat("x", 26)+"/rating",
			map[string]any{"resolved": true, "satisfaction": "satisfied"})
		limited = resp.StatusCode == http.StatusTooManyRequests && strings.Contains(resp.Body, "操作过于频繁")
	}
	if !limited {
		t.Fatal("eight quick ratings from one address through the API were all answered")
	}
	if resp := anon.PostForm("/track/"+strings.Repeat("x", 26)+"/rating", url.Values{"resolved": {"1"}, "satisfaction": {"satisfied"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the tracking page's rating form did not share the API's limit: %d", resp.StatusCode)
	}
}
