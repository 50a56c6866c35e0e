package web

import (
	"net/http"

	"linli/internal/errs"
)

// FormFailed answers a form post that err refused: for a validation or conflict error it puts the
// messages on page — each field's under its name in page.Errors, and the error's own message in
// page.Error unless exactly one field carries it — and calls render with the error's status to show
// the form again as typed; anything else gets the error page.
func (k *Kit) FormFailed(w http.ResponseWriter, r *http.Request, err error, page *Page, render func(status int)) {
	code := errs.CodeOf(err)
	if code != errs.Invalid && code != errs.Conflict {
		k.Error(w, r, err)
		return
	}
	page.Errors = errs.FieldsOf(err)
	if len(page.Errors) != 1 {
		page.Error = errs.MessageOf(err)
	}
	render(Status(err))
}
