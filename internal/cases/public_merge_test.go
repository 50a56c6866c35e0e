package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
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

func TestPublicPostsDoNotReadLargeBodiesTheyHaveNoUseFor(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	big := make([]byte, 3<<20)
	fields := url.Values{"category_id": {p.leaf(t, "other.consult")}, "description": {"占位内容"}}
	for _, path := range []string{"/report/follow/1", "/track/" + strings.Repeat("x", 26) + "/rating"} {
		resp := postMultipart(t, anon, p.env, path, fields, map[string][]byte{"big.png": big})
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(resp.Body, "提交的内容过大") {
			t.Errorf("%s with a 3 MB body: %d (want 413, issue 11 H1)", path, resp.StatusCode)
		}
	}
	limited := false
	for i := 0; i < 8 && !limited; i++ {
		resp := postMultipart(t, anon, p.env, "/report", fields, map[string][]byte{"big.png": big})
		limited = resp.StatusCode == http.StatusTooManyRequests
		if limited && (strings.Contains(resp.Body, "占位内容") || !strings.Contains(resp.Body, "提交过于频繁")) {
			t.Errorf("a rate-limited submission was read in full or not told why: %s", resp.Body)
		}
	}
}
