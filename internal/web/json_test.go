package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"linli/internal/errs"
)

type intakeBody struct {
	Channel    string     `json:"channel"`
	CategoryID int64      `json:"category_id"`
	Lon        *float64   `json:"lon,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	Anonymous  bool       `json:"anonymous"`
	Where      struct {
		Grid int64 `json:"grid_id"`
	} `json:"where"`
}

func decodeReq(ct, body string) (intakeBody, error) {
	r := httptest.NewRequest("POST", "/api/v1/things", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	var v intakeBody
	err := DecodeJSON(r, &v)
	return v, err
}

func TestDecodeJSONIsStrictAndSpeaksChinese(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body string
		status         int
		fields         []string // every field the error must name
		says           string
	}{
		{"text/plain", "text/plain", `{"channel":"phone"}`, http.StatusUnsupportedMediaType, nil, "application/json"},
		{"no content type", "", `{"channel":"phone"}`, http.StatusUnsupportedMediaType, nil, "application/json"},
		{"trailing data", "application/json", `{"channel":"phone"} {"x":1}`, 422, nil, "只能是一个 JSON 对象"},
		{"trailing garbage", "application/json", `{"channel":"phone"}xyz`, 422, nil, "只能是一个 JSON 对象"},
		{"an array", "application/json", `[{"channel":"phone"}]`, 422, nil, "JSON 对象"},
		{"null", "application/json", `null`, 422, nil, "JSON 对象"},
		{"empty", "application/json", ``, 422, nil, "为空"},
		{"broken", "application/json", `{"channel":`, 422, nil, "不完整"},
		{"every bad field at once", "application/json; charset=utf-8",
			`{"channel":1,"category_id":9.5,"lon":"东经","tags":"a","received_at":"昨天","anonymous":"yes","where":{"grid_id":"x"},"colour":"red"}`,
			422, []string{"channel", "category_id", "lon", "tags", "received_at", "anonymous", "where", "colour"}, ""},
		{"a NUL character", "application/json", `{"channel":"ph\u0000one","tags":["a","b\u0000"]}`, 422, []string{"channel", "tags"}, "空字符"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeReq(tc.ct, tc.body)
			if err == nil {
				t.Fatal("accepted")
			}
			if Status(err) != tc.status {
				t.Fatalf("status %d, want %d (%v)", Status(err), tc.status, err)
			}
			msg := errs.MessageOf(err)
			fields := errs.FieldsOf(err)
			for _, f := range tc.fields {
				if fields[f] == "" || !strings.Contains(fields[f], f) {
					t.Errorf("field %s: %q", f, fields[f])
				}
			}
			all := msg
			for _, m := range fields {
				all += m
			}
			if tc.says != "" && !strings.Contains(all, tc.says) {
				t.Errorf("message %q does not say %q", all, tc.says)
			}
			for _, goSpeak := range []string{"json:", "cannot unmarshal", "Go struct", "invalid character", "parsing time"} {
				if strings.Contains(all, goSpeak) {
					t.Errorf("Go's message reached the user: %q", all)
				}
			}
		})
	}
	v, err := decodeReq("application/json", `{"channel":"phone","Category_ID":7,"where":{"grid_id":3},"received_at":"2024-03-07T14:46:00+08:00"}`)
	if err != nil || v.Channel != "phone" || v.CategoryID != 7 || v.Where.Grid != 3 || v.ReceivedAt == nil {
		t.Fatalf("a good body: %+v %v", v, err)
	}
}

func TestBodiesRefuseANULInAFormOrQuery(t *testing.T) {
	kit, mux := bodiesKit(t)
	reached := false
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) { reached = true })
	mux.HandleFunc("GET /api/v1/cases", func(w http.ResponseWriter, r *http.Request) { reached = true })
	h, err := kit.Bodies(mux, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, target, body, field string }{
		{"POST", "/report", "description=%E6%BC%8F%00%E6%B0%B4&address=3", "description"},
		{"GET", "/api/v1/cases?q=%00", "", "q"},
	} {
		reached = false
		req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnprocessableEntity || reached || !strings.Contains(rec.Body.String(), "空字符") ||
			!strings.Contains(rec.Body.String(), tc.field) {
			t.Errorf("%s %s: %d reached=%v %s", tc.method, tc.target, rec.Code, reached, rec.Body.String())
		}
	}
}
