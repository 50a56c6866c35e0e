// Package errs defines the one error type every capability returns for failures a user can act on.
//
// A domain error carries a Code that the web kit maps to an HTTP status and a Chinese Message that
// is safe to show. Anything else is an internal error: logged with the request ID, shown generically.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies a domain error; each code maps to one HTTP status.
type Code string

// The codes a service may return.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooMany      Code = "too_many_requests"
	TooLarge     Code = "too_large"
	// Unsupported is a request body of a type the route does not take (415).
	Unsupported Code = "unsupported_media_type"
	Internal    Code = "internal"
)

// Error is a failure with a code and a Chinese message meant for the user.
type Error struct {
	Code    Code
	Message string
	// Fields holds per-field messages for form validation, keyed by the form field name.
	Fields map[string]string
	// Err is the underlying cause, never shown to the user.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// E returns a domain error with the given code and Chinese message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an invalid-input error for one form field.
func Field(field, message string) *Error {
	return &Error{Code: Invalid, Message: message, Fields: map[string]string{field: message}}
}

// Fields collects per-field validation messages; Err returns nil while it is empty.
type Fields map[string]string

// Add records a message for a field, keeping the first one.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Err returns an invalid-input error listing every field message, or nil if there is none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "提交的内容有误，请检查后重试"
	if len(f) == 1 {
		for _, m := range f {
			msg = m
		}
	}
	return &Error{Code: Invalid, Message: msg, Fields: f}
}

// CodeOf returns the code of a domain error, or Internal for any other error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err is a domain error with the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// MessageOf returns the user-facing Chinese message of err: a domain error's own, otherwise a
// generic one that reveals nothing.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "系统繁忙，请稍后再试"
}

// FieldsOf returns the per-field messages of a validation error, or nil.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
