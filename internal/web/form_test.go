package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"linli/internal/errs"
)

func TestFormFailedShowsTheFormAgainOnlyForWhatTheUserCanFix(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	many := errs.Fields{}
	many.Add("name", "请填写姓名")
	many.Add("phone", "电话号码格式不正确")
	for _, c := range []struct {
		name       string
		err        error
		wantStatus int // of the form shown again; 0 when the error page answers
		wantError  string
		wantFields int
	}{
		{"one field: its message stays by the field", errs.Field("phone", "电话号码格式不正确"), 422, "", 1},
		{"several fields: a summary as well", many.Err(), 422, errs.MessageOf(many.Err()), 2},
		{"a conflict", errs.E(errs.Conflict, "该组织已有书记"), 409, "该组织已有书记", 0},
		{"not found", errs.E(errs.NotFound, "党组织不存在"), 0, "", 0},
		{"an internal error", errors.New("disk full"), 0, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var page Page
			rendered := 0
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/party/orgs", nil)
			kit.FormFailed(rec, req, c.err, &page, func(status int) { rendered = status })
			if rendered != c.wantStatus {
				t.Fatalf("form shown with status %d, want %d", rendered, c.wantStatus)
			}
			if c.wantStatus == 0 && rec.Code < 400 {
				t.Fatalf("the error page answered %d", rec.Code)
			}
			if page.Error != c.wantError || len(page.Errors) != c.wantFields {
				t.Fatalf("page error %q fields %v, want %q and %d fields", page.Error, page.Errors, c.wantError, c.wantFields)
			}
		})
	}
}
