package mediation_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/mediation"
)

// TestAPIAndPages walks one case through the API (every answer checked against the OpenAPI
// document) and renders every page on the way.
func TestAPIAndPages(t *testing.T) {
	env := apptest.New(t)
	admin, med, worker := env.APIClient(t, "admin"), env.APIClient(t, "mediator01"), env.APIClient(t, "worker01")
	today := env.Main.Calendar // non-nil: the app's calendar is wired
	if today == nil {
		t.Fatal("no calendar")
	}
	var expert mediation.Expert
	res := admin.JSON("POST", "/api/v1/mediation/experts", mediation.ExpertInput{Name: "王秉正", Kind: "律师", Types: []string{"neighbour"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("add expert: %d %s", res.StatusCode, res.Body)
	}
	res.Decode(t, &expert)
	reg := mediation.Registration{Source: mediation.SourceApplyOral, TypeCode: "neighbour", Title: "楼上噪音纠纷", Facts: "夜间噪音",
		GridID: env.Fixture.Grids[0].ID, Parties: []mediation.PartyInput{
			{Side: "applicant", Name: "张桂兰", Phone: "13812345678", Consent: "agreed", ConsentHow: "书面"},
			{Side: "respondent", Name: "李建军", Consent: "agreed", ConsentHow: "口头"}}}
	res = med.JSON("POST", "/api/v1/mediation/cases", reg)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "consent_on") {
		t.Fatalf("consent without a date: %d %s", res.StatusCode, res.Body)
	}
	var d mediation.Detail
	for i := range reg.Parties {
		reg.Parties[i].ConsentOn, reg.Parties[i].NotifiedOn = "", ""
		reg.Parties[i].Consent, reg.Parties[i].ConsentHow = "", ""
	}
	res = med.JSON("POST", "/api/v1/mediation/cases", reg)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", res.StatusCode, res.Body)
	}
	res.Decode(t, &d)
	act := func(c *apptest.Client, a mediation.Action, in mediation.ActionInput, want int) {
		t.Helper()
		r := c.JSON("POST", fmt.Sprintf("/api/v1/mediation/cases/%d/actions/%s", d.ID, a), in)
		if r.StatusCode != want {
			t.Fatalf("%s: %d %s", a, r.StatusCode, r.Body)
		}
		if want == http.StatusOK {
			r.Decode(t, &d)
		}
	}
	act(med, mediation.ActAccept, mediation.ActionInput{}, http.StatusUnprocessableEntity)
	for _, p := range d.Parties {
		act(med, mediation.ActConsent, mediation.ActionInput{PartyID: p.ID, Consent: "agreed", ConsentHow: "书面", Notified: true}, http.StatusOK)
	}
	act(med, mediation.ActAccept, mediation.ActionInput{}, http.StatusOK)
	act(med, mediation.ActRecord, mediation.ActionInput{Record: &mediation.Record{Kind: "session", Content: "双方协商"}}, http.StatusOK)
	act(med, mediation.ActInvite, mediation.ActionInput{Participant: &mediation.Participant{Kind: "expert", ExpertID: &expert.ID, ConsentNote: "双方同意"}}, http.StatusOK)
	act(worker, mediation.ActJudge, mediation.ActionInput{}, http.StatusForbidden)
	act(med, mediation.ActAgree, mediation.ActionInput{Agreement: &mediation.Agreement{Facts: "噪音影响休息", Amount: 300,
		SignedOn: d.AcceptedOn, Terms: []mediation.Term{{Content: "夜间保持安静", Method: "自行履行", DueOn: d.AcceptedOn}}}}, http.StatusOK)

	pages := env.Login(t, "mediator01")
	for _, p := range []string{"/mediation", "/mediation/cases?figure=agreements", fmt.Sprintf("/mediation/cases/%d", d.ID),
		fmt.Sprintf("/mediation/cases/%d/agreement", d.ID), fmt.Sprintf("/mediation/cases/%d/file", d.ID),
		fmt.Sprintf("/mediation/cases/%d/confirmation", d.ID), "/mediation/experts", "/mediation/screenings",
		"/mediation/figures", "/mediation/cases/new", "/mediation/report.xlsx?month=" + d.AcceptedOn[:7]} {
		if r := pages.Get(p); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, r.StatusCode, env.Log.String())
		}
	}
	if r := pages.Get(fmt.Sprintf("/mediation/cases/%d/agreement", d.ID)); strings.Count(r.Body, "人民调解协议书</h1>") != 3 {
		t.Error("the agreement prints one copy per party and one for the committee")
	}
	r := pages.PostForm(fmt.Sprintf("/mediation/cases/%d/actions/follow_up", d.ID), url.Values{"version": {fmt.Sprint(d.Version)},
		"performance": {"performed"}, "satisfaction": {"satisfied"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("follow-up form: %d", r.StatusCode)
	}
	r = pages.PostForm(fmt.Sprintf("/mediation/cases/%d/actions/archive", d.ID), url.Values{})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "封底") {
		t.Fatalf("archive with documents missing: %d", r.StatusCode)
	}

	res = med.Get("/api/v1/mediation/figures?from=2000-01-01&to=2099-12-31")
	var f mediation.Figures
	res.Decode(t, &f)
	if f.Agreements != 1 || f.Amount != 300 || len(f.ByExpert) != 1 {
		t.Fatalf("figures %+v", f)
	}
	if r := worker.JSON("POST", "/api/v1/mediation/screenings", mediation.ScreeningInput{GridID: env.Fixture.Grids[0].ID,
		Items: []mediation.ScreeningItem{{Description: "两户因停车位发生口角", TypeCode: "neighbour"}}}); r.StatusCode != http.StatusCreated {
		t.Fatalf("screening: %d %s", r.StatusCode, r.Body)
	}
	for _, p := range []string{"/api/v1/mediation/screenings", "/api/v1/mediation/screenings/grids", "/api/v1/mediation/cases",
		fmt.Sprintf("/api/v1/mediation/cases/%d", d.ID), "/api/v1/mediation/types"} {
		if r := worker.Get(p); r.StatusCode != http.StatusOK || strings.Contains(r.Body, "张桂兰") {
			t.Errorf("worker01 GET %s: %d (content must stay hidden)", p, r.StatusCode)
		}
	}
	if r := worker.Get("/api/v1/mediation/figures"); r.StatusCode != http.StatusForbidden {
		t.Errorf("worker01 figures: %d", r.StatusCode)
	}
	if r := env.APIClient(t, "other").Get(fmt.Sprintf("/api/v1/mediation/cases/%d", d.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community: %d", r.StatusCode)
	}
	if r := med.Get("/api/v1/mediation/experts?type=neighbour"); r.StatusCode != http.StatusOK {
		t.Errorf("experts: %d", r.StatusCode)
	}
}

// bigPNG is a noisy PNG of about 150 KB: larger than the default body limit, so its upload passes
// only on a route listed with its own bound.
func bigPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rnd.IntN(256))
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if b.Len() < 100<<10 {
		t.Fatalf("the test photo is only %d bytes", b.Len())
	}
	return b.Bytes()
}

// TestPagesAssignAttachAndRetire uses the forms added to the case and expert pages: a case is
// assigned to a mediator, a large photo attached to it, and an expert taken out of the pool.
func TestPagesAssignAttachAndRetire(t *testing.T) {
	env := apptest.New(t)
	admin := env.Login(t, "admin")
	var expert mediation.Expert
	env.APIClient(t, "admin").JSON("POST", "/api/v1/mediation/experts", mediation.ExpertInput{Name: "王秉正", Kind: "律师"}).Decode(t, &expert)
	var d mediation.Detail
	res := env.APIClient(t, "admin").JSON("POST", "/api/v1/mediation/cases", mediation.Registration{Source: mediation.SourceApplyOral,
		TypeCode: "neighbour", Title: "楼道堆物纠纷", Facts: "堆物", GridID: env.Fixture.Grids[0].ID, Parties: []mediation.PartyInput{
			{Side: "applicant", Name: "张桂兰"}, {Side: "respondent", Name: "李建军"}}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", res.StatusCode, res.Body)
	}
	res.Decode(t, &d)
	casePath := fmt.Sprintf("/mediation/cases/%d", d.ID)
	if page := admin.Get(casePath); !strings.Contains(page.Body, `name="mediator_ids"`) || !strings.Contains(page.Body, `name="photos"`) {
		t.Fatal("the case page has no assign or attachment form")
	}
	med := env.Fixture.Users["mediator01"].UserID
	r := admin.PostForm(casePath+"/actions/assign", url.Values{"mediator_ids": {fmt.Sprint(med)}, "lead_mediator_id": {fmt.Sprint(med)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", r.StatusCode, r.Body)
	}
	if page := admin.Get(casePath); !strings.Contains(page.Body, "（主调）") {
		t.Error("the assigned lead mediator is not shown")
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("note", "现场照片")
	fw, _ := mw.CreateFormFile("photos", "现场.png")
	_, _ = fw.Write(bigPNG(t))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+casePath+"/attachments", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := env.Login(t, "mediator01").Do(req); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	link := regexp.MustCompile(`/mediation/cases/\d+/attachments/\d+`).FindString(admin.Get(casePath).Body)
	if link == "" {
		t.Fatal("the case page shows no attachment")
	}
	if r := admin.Get(link); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("attachment: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := env.Login(t, "other").Get(link); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community's admin: %d", r.StatusCode)
	}

	r = admin.PostForm(fmt.Sprintf("/mediation/experts/%d/active", expert.ID), url.Values{"active": {"0"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire expert: %d %s", r.StatusCode, r.Body)
	}
	if page := admin.Get("/mediation/experts"); !strings.Contains(page.Body, "已停用") {
		t.Error("the retired expert is not marked")
	}
	if r := env.Login(t, "other").PostForm(fmt.Sprintf("/mediation/experts/%d/active", expert.ID), url.Values{"active": {"1"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another community's admin restores the expert: %d", r.StatusCode)
	}
}
