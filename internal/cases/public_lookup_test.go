package cases_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestAResidentTracksByCaseNumberAndTheLastFourDigitsOfTheirPhone(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "infra.streetlight")}, "address": {"南关街路口"},
		"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)},
		"description":  {"路灯不亮已经三天"}, "reporter_name": {"李先生"}, "reporter_phone": {"13912345678"}}, nil)
	c := p.caseByTracking(t, code)

	t.Run("the public home offers reporting and both lookups without signing in", func(t *testing.T) {
		resp := anon.Get("/")
		for _, want := range []string{`href="/report"`, `action="/track"`, `name="number"`, `name="phone4"`, `name="code"`, `href="/login"`} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, want) {
				t.Errorf("the public home (%d) lacks %q", resp.StatusCode, want)
			}
		}
	})
	t.Run("the success page names the case number and the tracking code", func(t *testing.T) {
		body := anon.Get("/track/" + code + "?new=1").Body
		if !strings.Contains(body, c.Number) || !strings.Contains(body, `<strong class="code">`+code+`</strong>`) {
			t.Error("the success page does not show the number and the tracking code")
		}
	})
	t.Run("number and last four open the tracking page", func(t *testing.T) {
		resp := anon.PostForm("/track", url.Values{"number": {strings.ToLower(c.Number)}, "phone4": {"5678"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/track/"+code {
			t.Fatalf("%d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("a wrong pair is not found and says nothing about which part", func(t *testing.T) {
		for _, form := range []url.Values{{"number": {c.Number}, "phone4": {"1234"}}, {"number": {"NG-1999-000001"}, "phone4": {"5678"}}} {
			resp := anon.PostForm("/track", form)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Body, "未找到该案卷编号和手机号后四位对应的诉求") {
				t.Errorf("%v: %d", form, resp.StatusCode)
			}
		}
		resp := anon.PostForm("/track", url.Values{"number": {c.Number}, "phone4": {"56a8"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "后四位数字") {
			t.Errorf("bad last four: %d", resp.StatusCode)
		}
	})
	t.Run("guessing the four digits is stopped", func(t *testing.T) {
		other := p.env.Anonymous(t)
		var last int
		for i := range 15 {
			last = other.PostForm("/track", url.Values{"number": {c.Number}, "phone4": {strings.Repeat(strconv.Itoa(i%10), 4)}}).StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("the 15th guess answered %d", last)
		}
	})
}

func TestTheSuccessPageOffersTheTrackingLinkAsAQRCode(t *testing.T) {
	p := newPage(t)
	anon := p.env.Anonymous(t)
	code := p.submit(t, url.Values{"category_id": {p.leaf(t, "infra.streetlight")}, "address": {"南关街路口"},
		"community_id": {strconv.FormatInt(p.env.Fixture.Community.ID, 10)}, "description": {"路灯不亮已经三天"}}, nil)
	body := anon.Get("/track/" + code + "?new=1").Body
	if !strings.Contains(body, `src="/track/`+code+`/qr.png"`) || !strings.Contains(body, `data-copy=`) {
		t.Fatal("the success page lacks the QR code or the copy button")
	}
	qr := anon.Get("/track/" + code + "/qr.png")
	if qr.StatusCode != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Errorf("qr: %d %s", qr.StatusCode, qr.Header.Get("Content-Type"))
	}
	if resp := anon.Get("/track/aaaaaaaaaaaaaaaaaaaaaaaaaa/qr.png"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a made-up code's QR: %d", resp.StatusCode)
	}
}
