package web

import (
	"net/http"
	"slices"

	"linli/internal/errs"
)

// FormOption changes which refusals FormFailed shows on the form, and how.
type FormOption func(*formOptions)

type formOptions struct {
	codes  []errs.Code
	always bool
}

// ShowOn makes FormFailed show the form again for errors of these codes (by default Invalid and
// Conflict); any other error gets the error page.
func ShowOn(codes ...errs.Code) FormOption {
	return func(o *formOptions) { o.codes = codes }
}

// AlwaysMessage makes FormFailed put the error's message in page.Error even when one field carries
// it, and "请检查填写的内容" when field messages come without one.
func AlwaysMessage() FormOption {
	return func(o *formOptions) { o.always = true }
}

// FormFailed answers a form post that err refused: for a validation or conflict error (or the
// codes given with ShowOn) it puts the messages on page — each field's under its name in
// page.Errors, and the error's own message in page.Error unless exactly one field carries it (or
// always, with AlwaysMessage) — and calls render with the error's status to show the form again as
// typed; anything else gets the error page.
func (k *Kit) FormFailed(w http.ResponseWriter, r *http.Request, err error, page *Page, render func(status int), opts ...FormOption) {
	o := formOptions{codes: []errs.Code{errs.Invalid, errs.Conflict}}
	for _, opt := range opts {
		opt(&o)
	}
	if !slices.Contains(o.codes, errs.CodeOf(err)) {
		k.Error(w, r, err)
		return
	}
	page.Errors = errs.FieldsOf(err)
	switch {
	case o.always:
		page.Error = errs.MessageOf(err)
		if page.Error == "" && len(page.Errors) > 0 {
			page.Error = "请检查填写的内容"
		}
	case len(page.Errors) != 1:
		page.Error = errs.MessageOf(err)
	}
	render(Status(err))
}
