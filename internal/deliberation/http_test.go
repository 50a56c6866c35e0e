package deliberation_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/clock"
	"linli/internal/deliberation"
	"linli/internal/register"
)

// nextWednesday is 10:00 on the Wednesday at least six days ahead, in Asia/Shanghai: a working day
// past the venue's lead time whenever the test runs (holidays aside, which the calendar may move).
func nextWednesday() time.Time {
	n := time.Now().In(clock.Shanghai()).AddDate(0, 0, 6)
	for n.Weekday() != time.Wednesday {
		n = n.AddDate(0, 0, 1)
	}
	return time.Date(n.Year(), n.Month(), n.Day(), 10, 0, 0, 0, clock.Shanghai())
}

func TestTheHallThroughTheAPIAndPages(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	b := f.AddBuilding(t, f.Grids[0], "5号楼", 100.451, 38.931)
	h := f.AddHousehold(t, b, "1", "101")
	f.AddResident(t, register.ResidentInput{HouseholdID: h, Name: "赵秀英", Phone: "13700001234", BirthDate: "1960-01-01", Relation: "户主"})
	admin := env.APIClient(t, "admin")

	r := admin.JSON("POST", "/api/v1/deliberation/topics", map[string]any{"title": "五号楼楼道堆物清理",
		"description": "楼道堆放杂物，存在消防隐患，建议统一清理并约定管理办法。", "region_id": f.Grids[0].ID, "source": "grid", "threshold": 1})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create topic: %d %s", r.StatusCode, r.Body)
	}
	var tp deliberation.Topic
	r.Decode(t, &tp)
	base := fmt.Sprintf("/api/v1/deliberation/topics/%d", tp.ID)

	t.Run("bad input is refused in Chinese naming the field", func(t *testing.T) {
		r := admin.JSON("POST", "/api/v1/deliberation/topics", map[string]any{"title": "短", "description": "x"})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "议题名称") {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		r = admin.JSON("POST", base+"/actions/publish", map[string]any{})
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "不能公开决议") {
			t.Fatalf("publishing a proposal: %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("a household's support sends the topic to review", func(t *testing.T) {
		r := admin.JSON("POST", base+"/supports", map[string]any{"household_id": h})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"state":"queued"`) {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		r = admin.JSON("POST", base+"/actions/accept", map[string]any{"owner": "第一网格", "plan": "征求意见后上议事会"})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"state":"discussing"`) {
			t.Fatalf("accept: %d %s", r.StatusCode, r.Body)
		}
	})
	var meetingID int64
	t.Run("a meeting books the hall and lists the topic", func(t *testing.T) {
		r := admin.JSON("POST", "/api/v1/venues", map[string]any{"name": "居民议事厅", "kind": "deliberation", "capacity": 40})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("venue: %d %s", r.StatusCode, r.Body)
		}
		var v struct{ ID int64 }
		r.Decode(t, &v)
		start := nextWednesday()
		r = admin.JSON("POST", "/api/v1/deliberation/meetings", map[string]any{"title": "楼道治理议事会", "body": "representatives",
			"venue_id": v.ID, "starts_at": start, "ends_at": start.Add(90 * time.Minute), "topics": []int64{tp.ID}})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("meeting: %d %s", r.StatusCode, r.Body)
		}
		var m deliberation.Meeting
		r.Decode(t, &m)
		meetingID = m.ID
		r = admin.JSON("POST", "/api/v1/deliberation/meetings", map[string]any{"title": "同一时段的会", "body": "residents",
			"venue_id": v.ID, "starts_at": start, "ends_at": start.Add(time.Hour), "topics": []int64{tp.ID}})
		if r.StatusCode != http.StatusConflict && r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a second meeting in the booked hall: %d %s", r.StatusCode, r.Body)
		}
		r = admin.Get(fmt.Sprintf("/api/v1/deliberation/meetings/%d", m.ID))
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "五号楼楼道堆物清理") {
			t.Fatalf("meeting detail: %d %s", r.StatusCode, r.Body)
		}
		r = admin.Get(base)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"state":"resolving"`) {
			t.Fatalf("topic path: %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("pages for staff, the public and a phone", func(t *testing.T) {
		web := env.Login(t, "admin")
		for _, p := range []string{"/deliberation", fmt.Sprintf("/deliberation/topics/%d", tp.ID),
			fmt.Sprintf("/deliberation/meetings/%d", meetingID), "/deliberation/meetings", "/deliberation/figures", "/deliberation/topics/new",
			"/deliberation/meetings/new"} {
			if r := web.Get(p); r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", p, r.StatusCode, r.Body)
			}
		}
		anon := env.Anonymous(t)
		for _, p := range []string{"/public/deliberation", fmt.Sprintf("/public/deliberation/topics/%d", tp.ID), "/public/deliberation/new"} {
			r := anon.Get(p)
			if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "赵秀英") {
				t.Fatalf("%s: %d (a resident's name must never show)", p, r.StatusCode)
			}
		}
		page := web.Get(fmt.Sprintf("/deliberation/meetings/%d", meetingID))
		m := regexp.MustCompile(`/public/deliberation/meetings/([0-9a-f]+)`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no room link on the meeting page")
		}
		r := anon.PostForm("/public/deliberation/meetings/"+m[1]+"/checkin", url.Values{"name": {"赵秀英"}, "phone": {"13700001234"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("check-in answers with a redirect and a message: %d", r.StatusCode)
		}
		if r := anon.Get("/deliberation"); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusFound {
			t.Fatalf("the staff page without sign-in: %d", r.StatusCode)
		}
	})
	t.Run("a resident verifies the phone by a texted code and supports a topic", func(t *testing.T) {
		tp2 := admin.JSON("POST", "/api/v1/deliberation/topics", map[string]any{"title": "五号楼增设休息座椅",
			"description": "楼前没有座椅，老人散步没处歇脚，建议增设两张座椅。", "region_id": f.Grids[0].ID, "source": "grid"})
		var topic2 deliberation.Topic
		tp2.Decode(t, &topic2)
		anon := env.Anonymous(t)
		to := fmt.Sprintf("/public/deliberation/topics/%d", topic2.ID)
		if r := anon.PostForm(to+"/support", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("support without a verified phone: %d", r.StatusCode)
		}
		r := anon.PostForm("/public/deliberation/code", url.Values{"name": {"赵秀英"}, "phone": {"13700001234"}, "back": {to}})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "137****1234") {
			t.Fatalf("send code: %d %s", r.StatusCode, r.Body)
		}
		m := regexp.MustCompile(`137\*\*\*\*1234.*?验证码为(\d{6})`).FindAllStringSubmatch(env.Log.String(), -1)
		if m == nil {
			t.Fatal("the demo gateway did not log the code")
		}
		r = anon.PostForm("/public/deliberation/verify", url.Values{"name": {"赵秀英"}, "phone": {"13700001234"}, "back": {to}, "code": {"000000"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "验证码不正确") {
			t.Fatalf("a wrong code: %d", r.StatusCode)
		}
		r = anon.PostForm("/public/deliberation/verify", url.Values{"name": {"赵秀英"}, "phone": {"13700001234"}, "back": {to},
			"code": {m[len(m)-1][1]}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d %s", r.StatusCode, r.Body)
		}
		anon.PostForm(to+"/support", nil)
		if page := anon.Get(to); !strings.Contains(page.Body, "1 户") || !strings.Contains(page.Body, "已验证：5号楼居民") {
			t.Fatalf("after the support: %s", page.Body)
		}
		if strings.Contains(env.Log.String(), "13700001234") {
			t.Fatal("a phone number in the clear in the log")
		}
	})
	t.Run("figures drill to the records", func(t *testing.T) {
		day := time.Now().In(clock.Shanghai()).Format(time.DateOnly)
		r := admin.Get("/api/v1/deliberation/figures?from=" + day + "&to=" + day)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"topics":2`) || !strings.Contains(r.Body, `"accepted":1`) {
			t.Fatalf("%d %s", r.StatusCode, r.Body)
		}
		var fig deliberation.Figures
		r.Decode(t, &fig)
		list := env.Login(t, "admin").Get(fig.Links["topics"])
		if !strings.Contains(list.Body, "五号楼楼道堆物清理") {
			t.Fatalf("the topics figure's link lists the topic: %s", fig.Links["topics"])
		}
	})
	t.Run("another community sees nothing", func(t *testing.T) {
		r := env.APIClient(t, "other").Get(base)
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("%d", r.StatusCode)
		}
	})
}
