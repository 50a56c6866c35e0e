package deliberation_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/deliberation"
	"linli/internal/register"
)

// postMultipart sends a form with text fields and files under "photos", as a browser or an API
// client does.
func postMultipart(t *testing.T, c *apptest.Client, path string, fields map[string]string, files map[string][]byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("photos", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.ServerURL()+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

func TestTopicPhotosThroughTheFormsAndTheAPI(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	b := f.AddBuilding(t, f.Grids[0], "6号楼", 100.451, 38.931)
	h := f.AddHousehold(t, b, "1", "101")
	f.AddResident(t, register.ResidentInput{HouseholdID: h, Name: "钱桂兰", Phone: "13700005678", BirthDate: "1958-01-01", Relation: "户主"})
	admin := env.APIClient(t, "admin")
	topicJSON := `{"title":"六号楼屋顶漏水","description":"顶楼三户屋顶漏水，雨天尤其严重，建议申请维修资金。","region_id":` +
		fmt.Sprint(f.Grids[0].ID) + `,"source":"grid","threshold":3}`
	var tp deliberation.Topic
	t.Run("the API takes a topic with its photos as a multipart form", func(t *testing.T) {
		r := postMultipart(t, admin, "/api/v1/deliberation/topics", map[string]string{"topic": topicJSON},
			map[string][]byte{"屋顶.png": pngWithText(t)})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create with a photo: %d %s", r.StatusCode, r.Body)
		}
		r.Decode(t, &tp)
		var pa deliberation.Path
		admin.Get(fmt.Sprintf("/api/v1/deliberation/topics/%d", tp.ID)).Decode(t, &pa)
		if len(pa.Attachments) != 1 || pa.Attachments[0].Name != "屋顶.png" {
			t.Fatalf("the path's photos: %+v", pa.Attachments)
		}
		r = admin.Get(fmt.Sprintf("/api/v1/deliberation/topics/%d/photos/%d", tp.ID, pa.Attachments[0].ID))
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || strings.Contains(r.Body, "38.93N") {
			t.Fatalf("the photo: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		r = postMultipart(t, admin, "/api/v1/deliberation/topics", map[string]string{"topic": topicJSON},
			map[string][]byte{"说明.txt": []byte("not an image")})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "不是图片") {
			t.Fatalf("a text file: %d %s", r.StatusCode, r.Body)
		}
		r = postMultipart(t, admin, fmt.Sprintf("/api/v1/deliberation/topics/%d/photos", tp.ID), nil,
			map[string][]byte{"漏水.png": pngWithText(t)})
		if r.StatusCode != http.StatusOK || strings.Count(r.Body, `"by_label"`) != 2 {
			t.Fatalf("add a photo: %d %s", r.StatusCode, r.Body)
		}
	})
	t.Run("staff add photos on the topic's page; the public page shows them without file names", func(t *testing.T) {
		web := env.Login(t, "admin")
		to := fmt.Sprintf("/deliberation/topics/%d", tp.ID)
		r := postMultipart(t, web, to+"/photos", nil, map[string][]byte{"楼顶裂缝.png": pngWithText(t)})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("add on the page: %d %s", r.StatusCode, r.Body)
		}
		page := web.Get(to)
		if n := strings.Count(page.Body, `src="`+to+`/photos/`); n != 3 || !strings.Contains(page.Body, "楼顶裂缝.png") {
			t.Fatalf("the staff page shows %d photos", n)
		}
		anon := env.Anonymous(t)
		pub := anon.Get("/public/deliberation/topics/" + fmt.Sprint(tp.ID))
		src := regexp.MustCompile(`src="(/public/deliberation/topics/\d+/photos/\d+)"`).FindAllStringSubmatch(pub.Body, -1)
		if len(src) != 3 || strings.Contains(pub.Body, "楼顶裂缝") {
			t.Fatalf("the public page shows %d photos (file names hidden: %v)", len(src), !strings.Contains(pub.Body, "楼顶裂缝"))
		}
		if r := anon.Get(src[0][1]); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("a public photo: %d", r.StatusCode)
		}
	})
	t.Run("staff hide a photo on the page and through the API; the public page shows the reason", func(t *testing.T) {
		web := env.Login(t, "admin")
		to := fmt.Sprintf("/deliberation/topics/%d", tp.ID)
		var pa deliberation.Path
		admin.Get("/api/v1"+to).Decode(t, &pa)
		if r := web.PostForm(to+"/photos/hide", url.Values{"photo": {fmt.Sprint(pa.Attachments[0].ID)}, "reason": {""}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a hide without a reason: %d", r.StatusCode)
		}
		if r := web.PostForm(to+"/photos/hide", url.Values{"photo": {fmt.Sprint(pa.Attachments[0].ID)}, "reason": {"照片拍到住户门牌"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("hide on the page: %d %s", r.StatusCode, r.Body)
		}
		r := admin.JSON("POST", fmt.Sprintf("/api/v1%s/photos/%d/hide", to, pa.Attachments[1].ID), map[string]any{"reason": "与议题无关"})
		if r.StatusCode != http.StatusOK || strings.Count(r.Body, `"hidden":true`) != 2 {
			t.Fatalf("hide through the API: %d %s", r.StatusCode, r.Body)
		}
		if r := admin.JSON("POST", fmt.Sprintf("/api/v1%s/photos/%d/hide", to, pa.Attachments[1].ID), map[string]any{"reason": "与议题无关"}); r.StatusCode != http.StatusNotFound {
			t.Fatalf("hiding it again: %d %s", r.StatusCode, r.Body)
		}
		pub := env.Anonymous(t).Get("/public/deliberation/topics/" + fmt.Sprint(tp.ID))
		if n := strings.Count(pub.Body, `src="/public`+to+`/photos/`); n != 1 || !strings.Contains(pub.Body, "照片1已隐藏：照片拍到住户门牌") ||
			!strings.Contains(pub.Body, "与议题无关") || !strings.Contains(pub.Body, "顶楼三户屋顶漏水") {
			t.Fatalf("the public page shows %d photos", n)
		}
		if r := env.Anonymous(t).Get(fmt.Sprintf("/public%s/photos/%d", to, pa.Attachments[0].ID)); r.StatusCode != http.StatusNotFound {
			t.Fatalf("the hidden photo's public address: %d", r.StatusCode)
		}
		if page := web.Get(to); !strings.Contains(page.Body, "已隐藏：照片拍到住户门牌") || !strings.Contains(page.Body, `id="hide-photo"`) {
			t.Fatal("the staff page does not mark the hidden photo")
		}
	})
	t.Run("a verified resident raises a topic with photos", func(t *testing.T) {
		anon := env.Anonymous(t)
		anon.PostForm("/public/deliberation/code", url.Values{"name": {"钱桂兰"}, "phone": {"13700005678"}})
		m := regexp.MustCompile(`137\*\*\*\*5678.*?验证码为(\d{6})`).FindAllStringSubmatch(env.Log.String(), -1)
		if m == nil {
			t.Fatal("the demo gateway did not log the code")
		}
		if r := anon.PostForm("/public/deliberation/verify", url.Values{"name": {"钱桂兰"}, "phone": {"13700005678"},
			"code": {m[len(m)-1][1]}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", r.StatusCode)
		}
		if page := anon.Get("/public/deliberation/new"); !strings.Contains(page.Body, `name="photos"`) ||
			!strings.Contains(page.Body, `enctype="multipart/form-data"`) {
			t.Fatal("the public form has no photo field")
		}
		fields := map[string]string{"title": "六号楼门口积水", "description": "单元门口地势低，下雨就积水，希望垫高路面。", "scope": "building"}
		r := postMultipart(t, anon, "/public/deliberation/topics", fields, map[string][]byte{"积水.txt": []byte("not an image")})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "不是图片") || !strings.Contains(r.Body, "六号楼门口积水") {
			t.Fatalf("a text file: %d (the form keeps what was typed)", r.StatusCode)
		}
		r = postMultipart(t, anon, "/public/deliberation/topics", fields, map[string][]byte{"积水.png": pngWithText(t), "积水2.png": pngWithText(t)})
		loc := r.Header.Get("Location")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/public/deliberation/topics/") {
			t.Fatalf("raise: %d %s", r.StatusCode, r.Body)
		}
		page := anon.Get(loc)
		if n := strings.Count(page.Body, `src="`+loc+`/photos/`); n != 2 || strings.Contains(page.Body, "钱桂兰") {
			t.Fatalf("the new topic shows %d photos", n)
		}
	})
}
