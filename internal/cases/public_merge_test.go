package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

var mergedLinkRe = regexp.MustCompile(`href="(/track/f[0-9a-z-]+)"`)

func TestAResidentWhoseCaseWasMergedFollowsTheCaseItWasMergedInto(t *testing.T) {
	p := newPage(t)
	b := strconv.FormatInt(p.building, 10)
	leak := p.leaf(t, "dispute.leak")
	dup := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {leak}, "building_id": {b}, "description": {"楼上漏水"}, "anonymous": {"1"}}, nil))
	main := p.caseByTracking(t, p.submit(t, url.Values{"category_id": {leak}, "building_id": {b}, "description": {"天花板漏水"}, "anonymous": {"1"}}, nil))
	p.act(t, main.ID, "accept", map[string]any{})
	p.act(t, dup.ID, "merge", map[string]any{"merge_into": main.ID, "note": "同一处漏水"})
	anon := p.env.Anonymous(t)
	m := mergedLinkRe.FindStringSubmatch(anon.Get("/track/" + dup.TrackingCode).Body)
	if m == nil {
		t.Fatal("the merged case's tracking page does not lead to the case it was merged into")
	}
	resp := anon.Get(m[1])
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(regexp.QuoteMeta(main.Number)).MatchString(resp.Body) {
		t.Fatalf("%s: %d", m[1], resp.StatusCode)
	}
	if regexp.MustCompile(`请评价本次办理`).MatchString(resp.Body) {
		t.Fatal(fmt.Sprintf("%s lets the merged case's reporter rate the other case", m[1]))
	}
}
