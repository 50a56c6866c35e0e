package activities_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/apptest"
	"linli/internal/clock"
)

// today returns the whole of today in Asia/Shanghai (00:00–23:59), so an activity in it has
// started and can be checked in to whenever the test runs.
func today() (time.Time, time.Time) {
	n := time.Now().In(clock.Shanghai())
	start := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, clock.Shanghai())
	return start, start.Add(23*time.Hour + 59*time.Minute)
}

// tomorrow returns 09:00–11:00 tomorrow in Asia/Shanghai, open for sign-up.
func tomorrow() (time.Time, time.Time) {
	n := time.Now().In(clock.Shanghai()).AddDate(0, 0, 1)
	start := time.Date(n.Year(), n.Month(), n.Day(), 9, 0, 0, 0, clock.Shanghai())
	return start, start.Add(2 * time.Hour)
}

func TestActivityThroughTheAPIAndPages(t *testing.T) {
	env := apptest.New(t)
	admin := env.APIClient(t, "admin")
	create := func(title string, start, end time.Time) (activities.Activity, string) {
		r := admin.JSON("POST", "/api/v1/activities", map[string]any{"title": title, "kind": "homework", "organiser": "南关社区",
			"place": "社区广场", "starts_at": start, "ends_at": end, "capacity": 1, "public": true,
			"volunteers": []map[string]any{{"title": "作业辅导", "slots": 2}}})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var a activities.Activity
		r.Decode(t, &a)
		return a, fmt.Sprintf("/api/v1/activities/%d", a.ID)
	}
	ts, te := tomorrow()
	a, base := create("四点半课堂", ts, te)
	hs, he := today()
	held, heldBase := create("暑期托管", hs, he)

	t.Run("a minor without consent is refused in Chinese, with it signed up; the next waits", func(t *testing.T) {
		r := admin.JSON("POST", base+"/registrations", map[string]any{"name": "小明", "phone": "13900001111", "minor": true,
			"guardian_name": "王芳", "guardian_relation": "母亲"})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "监护人同意") {
			t.Fatalf("without consent: %d %s", r.StatusCode, r.Body)
		}
		r = admin.JSON("POST", base+"/registrations", map[string]any{"name": "小明", "phone": "13900001111", "minor": true,
			"guardian_name": "王芳", "guardian_relation": "母亲", "consent": true})
		if r.StatusCode != http.StatusCreated || !strings.Contains(r.Body, `"status":"registered"`) {
			t.Fatalf("with consent: %d %s", r.StatusCode, r.Body)
		}
		r = admin.JSON("POST", base+"/registrations", map[string]any{"name": "李华", "phone": "13900002222"})
		if !strings.Contains(r.Body, `"status":"waitlisted"`) {
			t.Fatalf("past capacity: %s", r.Body)
		}
	})
	t.Run("the door's check-in page checks in by phone, without signing in", func(t *testing.T) {
		page := env.Login(t, "admin").Get(fmt.Sprintf("/activities/%d", held.ID))
		m := regexp.MustCompile(`/checkin/([0-9a-f]+)`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no check-in link on the organiser's page")
		}
		anon := env.Anonymous(t)
		if r := anon.Get("/checkin/" + m[1]); r.StatusCode != http.StatusOK {
			t.Fatalf("check-in page: %d", r.StatusCode)
		}
		if r := anon.PostForm("/checkin/"+m[1], url.Values{"phone": {"139 0000 1111"}}); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "现场参加请填写姓名") {
			t.Fatalf("an unknown phone without a name: %d", r.StatusCode)
		}
		r := anon.PostForm("/checkin/"+m[1], url.Values{"phone": {"139 0000 1111"}, "name": {"张伟"}})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "签到成功") || !strings.Contains(r.Body, "张伟") {
			t.Fatalf("check-in: %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("volunteer hours beyond the activity are refused; approved ones print a proof", func(t *testing.T) {
		page := env.Anonymous(t).Get(fmt.Sprintf("/public/activities/%d", held.ID))
		if !strings.Contains(page.Body, "志愿者招募") {
			t.Fatalf("public page without volunteer posts")
		}
		m := regexp.MustCompile(`name="role_id"><option value="(\d+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no post to choose")
		}
		r := admin.JSON("POST", heldBase+"/volunteers", map[string]any{"role_id": atoi(m[1]), "name": "刘洋", "phone": "13700001234"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("volunteer: %d %s", r.StatusCode, r.Body)
		}
		var v activities.Volunteer
		r.Decode(t, &v)
		path := fmt.Sprintf("%s/volunteers/%d", heldBase, v.ID)
		if r := admin.JSON("PUT", path+"/hours", map[string]any{"minutes": 24 * 60}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a whole day of hours for an activity a minute shorter: %d %s", r.StatusCode, r.Body)
		}
		if r := admin.JSON("PUT", path+"/hours", map[string]any{"minutes": 90, "content": "作业辅导"}); r.StatusCode != http.StatusOK {
			t.Fatalf("hours: %d %s", r.StatusCode, r.Body)
		}
		if r := admin.JSON("POST", path+"/actions/approve", nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "cert_no") {
			t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
		}
		proof := env.Login(t, "admin").Get(fmt.Sprintf("/activities/%d/volunteers/%d/proof", held.ID, v.ID))
		if proof.StatusCode != http.StatusOK || !strings.Contains(proof.Body, "志愿服务证明") || !strings.Contains(proof.Body, "1.5小时") {
			t.Errorf("proof: %d", proof.StatusCode)
		}
		x := env.Login(t, "admin").Get("/activities/hours/export.xlsx")
		if x.StatusCode != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("export: %d", x.StatusCode)
		}
	})
	t.Run("photos after the activity are kept and shown", func(t *testing.T) {
		c := env.Login(t, "admin")
		var img bytes.Buffer
		_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("photos", "现场.png")
		_, _ = fw.Write(img.Bytes())
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+fmt.Sprintf("/activities/%d/photos", held.ID), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if r := c.Do(req); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
		}
		page := c.Get(fmt.Sprintf("/activities/%d", held.ID))
		m := regexp.MustCompile(`/activities/\d+/photos/\d+`).FindString(page.Body)
		if m == "" {
			t.Fatal("the page shows no photo")
		}
		if r := c.Get(m); r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("photo answered %s", r.Header.Get("Content-Type"))
		}
		if r := env.Login(t, "other").Get(m); r.StatusCode != http.StatusNotFound {
			t.Errorf("北关's admin sees the photo: %d", r.StatusCode)
		}
	})
	t.Run("another community's admin finds nothing", func(t *testing.T) {
		if r := env.APIClient(t, "other").Get(base); r.StatusCode != http.StatusNotFound {
			t.Errorf("北关's admin reads it: %d", r.StatusCode)
		}
	})
	t.Run("every page renders", func(t *testing.T) {
		c := env.Login(t, "admin")
		for _, p := range []string{"/venues", "/activities", "/activities?all=1", "/activities/new", fmt.Sprintf("/activities/%d", a.ID),
			fmt.Sprintf("/activities/%d/poster", a.ID), fmt.Sprintf("/activities/%d/poster?kind=checkin", a.ID),
			"/activities/figures", "/activities/hours", "/activities/figures/reach?tag=elderly_alone"} {
			if r := c.Get(p); r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", p, r.StatusCode)
			}
		}
		if r := c.Get(fmt.Sprintf("/activities/%d/qr.png", a.ID)); r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("QR code: %s", r.Header.Get("Content-Type"))
		}
		anon := env.Anonymous(t)
		if r := anon.Get("/public/activities"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "四点半课堂") {
			t.Errorf("public list: %d", r.StatusCode)
		}
		if r := anon.Get("/activities"); r.StatusCode == http.StatusOK {
			t.Errorf("the staff list without signing in")
		}
	})
}

func TestVenueBookingAndCalendarFeed(t *testing.T) {
	env := apptest.New(t)
	admin := env.APIClient(t, "admin")
	r := admin.JSON("POST", "/api/v1/venues", map[string]any{"name": "新时代文明实践站", "kind": "practice", "capacity": 40,
		"open_days": "all", "opens": "08:00", "closes": "20:00"})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("venue: %d %s", r.StatusCode, r.Body)
	}
	var v activities.Venue
	r.Decode(t, &v)
	day := time.Now().In(clock.Shanghai()).AddDate(0, 0, 3)
	at := func(h int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, clock.Shanghai())
	}
	long := strings.Repeat("共建单位党员志愿者培训，", 8)
	r = admin.JSON("POST", fmt.Sprintf("/api/v1/venues/%d/bookings", v.ID), map[string]any{"starts_at": at(9), "ends_at": at(11),
		"purpose": long, "headcount": 20})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("book: %d %s", r.StatusCode, r.Body)
	}
	r = admin.JSON("POST", fmt.Sprintf("/api/v1/venues/%d/bookings", v.ID), map[string]any{"starts_at": at(10), "ends_at": at(12),
		"purpose": "座谈", "headcount": 5})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "已被预约") {
		t.Fatalf("clash: %d %s", r.StatusCode, r.Body)
	}
	week := env.Login(t, "admin").Get(fmt.Sprintf("/venues/%d?week=%s", v.ID, day.Format(time.DateOnly)))
	if !strings.Contains(week.Body, "09:00–11:00") {
		t.Errorf("the week view does not show the booking")
	}
	ics := env.Anonymous(t).Get(fmt.Sprintf("/api/v1/venues/%d/calendar.ics", v.ID))
	if ics.StatusCode != http.StatusOK || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", ics.StatusCode, ics.Header.Get("Content-Type"))
	}
	body := ics.Body
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:booking-", "DTSTAMP:", "DTSTART:" + at(9).UTC().Format("20060102T150405Z"),
		"DTEND:" + at(11).UTC().Format("20060102T150405Z"), "END:VCALENDAR\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if strings.Contains(line, "\n") {
			t.Errorf("bare LF in %q", line)
		}
	}
	if !strings.Contains(body, "\r\n ") {
		t.Error("a long summary is not folded")
	}
	anon := env.Anonymous(t)
	pub := fmt.Sprintf("/public/venues/%d", v.ID)
	r = anon.PostForm(pub+"/bookings", url.Values{"name": {"赵敏"}, "phone": {"13912345678"}, "date": {day.Format(time.DateOnly)},
		"from": {"14:00"}, "to": {"15:00"}, "purpose": {"兴趣小组活动"}, "headcount": {"6"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "预约已提交") {
		t.Fatalf("a resident books on the public page: %d", r.StatusCode)
	}
	week = anon.Get(pub + "?week=" + day.Format(time.DateOnly))
	if !strings.Contains(week.Body, "14:00–15:00 已预约") || strings.Contains(week.Body, "赵敏") || strings.Contains(week.Body, "兴趣小组") {
		t.Errorf("the public week shows the taken hour without who took it")
	}
	r = anon.PostForm(pub+"/bookings", url.Values{"name": {"钱多"}, "phone": {"13912345679"}, "date": {day.Format(time.DateOnly)},
		"from": {"14:30"}, "to": {"15:30"}, "purpose": {"聚会"}, "headcount": {"6"}})
	if r.StatusCode != http.StatusConflict {
		t.Errorf("a clashing public booking: %d", r.StatusCode)
	}
	if r := anon.Get("/api/v1/activities/calendar.ics"); r.StatusCode != http.StatusOK {
		t.Errorf("activities feed: %d", r.StatusCode)
	}
}

func atoi(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

func TestThePublicFormsRefuseAFloodFromOneAddress(t *testing.T) {
	env := apptest.New(t)
	anon := env.Anonymous(t)
	last := 0
	for range 21 {
		last = anon.PostForm("/checkin/0123456789abcdef01234567", url.Values{"phone": {"13900001111"}}).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the 21st post in a row answered %d", last)
	}
}

// TestVenueSettingsAndPhotos edits a room's booking rules through its form and adds a photo that
// staff and the public booking page show.
func TestVenueSettingsAndPhotos(t *testing.T) {
	env := apptest.New(t)
	api := env.APIClient(t, "admin")
	var ven activities.Venue
	res := api.JSON("POST", "/api/v1/venues", activities.VenueInput{Name: "党群活动室", Kind: activities.KindPartyRoom, Capacity: 30})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create venue: %d %s", res.StatusCode, res.Body)
	}
	res.Decode(t, &ven)
	c := env.Login(t, "admin")
	path := fmt.Sprintf("/venues/%d", ven.ID)
	if page := c.Get(path + "/settings"); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `name="max_hours"`) {
		t.Fatalf("settings form: %d", page.StatusCode)
	}
	form := url.Values{"name": {"党群活动室"}, "capacity": {"30"}, "opens": {"09:00"}, "closes": {"21:00"}, "open_days": {"all"},
		"bookers": {"staff", "resident"}, "max_hours": {"3"}, "max_consecutive": {"1"}, "month_hours": {"12"}, "lead_days": {"3"},
		"noshow_limit": {"2"}, "suspend_days": {"60"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("max_hours", "30")
	if r := c.PostForm(path+"/settings", bad); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "单次预约时长上限应为1至24小时") {
		t.Fatalf("a 30-hour booking limit: %d", r.StatusCode)
	}
	if r := c.PostForm(path+"/settings", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.StatusCode, r.Body)
	}
	var got activities.Venue
	api.Get(path[0:0]+fmt.Sprintf("/api/v1/venues/%d", ven.ID)).Decode(t, &got)
	if got.Rules.MaxHours != 3 || got.Rules.LeadDays != 3 || got.Rules.NeedsApproval || got.OpenDays != "all" || got.Closes != "21:00" ||
		len(got.Bookers) != 2 {
		t.Fatalf("saved %+v", got)
	}
	if r := env.Login(t, "other").PostForm(path+"/settings", form); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community's admin edits the room: %d", r.StatusCode)
	}

	img := image.NewRGBA(image.Rect(0, 0, 160, 160))
	for i := range img.Pix {
		img.Pix[i] = byte((i * 2654435761) >> 13)
	}
	var pic bytes.Buffer
	_ = png.Encode(&pic, img)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("photos", "活动室.png")
	_, _ = fw.Write(pic.Bytes())
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path+"/photos", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := c.Do(req); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload (%d bytes): %d %s", pic.Len(), r.StatusCode, r.Body)
	}
	staff := regexp.MustCompile(`/venues/\d+/photos/\d+`).FindString(c.Get(path).Body)
	if staff == "" {
		t.Fatal("the venue page shows no photo")
	}
	if r := c.Get(staff); r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("photo answered %s", r.Header.Get("Content-Type"))
	}
	public := regexp.MustCompile(`/public/venues/\d+/photos/\d+`).FindString(env.Anonymous(t).Get("/public" + path).Body)
	if public == "" {
		t.Fatal("the public booking page shows no photo")
	}
	if r := env.Anonymous(t).Get(public); r.StatusCode != http.StatusOK {
		t.Errorf("public photo: %d", r.StatusCode)
	}
}
