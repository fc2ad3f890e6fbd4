// Package apperr defines the error codes the platform speaks in and the safe
// message a person may see. It imports nothing but the standard library, so
// every layer can use it.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error for the API and the pages.
type Code string

// The codes, each mapped to one HTTP status by the api package.
const (
	BadRequest      Code = "bad_request"       // 400: the request cannot be read (not JSON, wrong type, unknown field)
	Invalid         Code = "invalid"           // 422: the input is read but wrong; Fields says where
	Unauthenticated Code = "unauthenticated"   // 401: no or bad credentials
	Forbidden       Code = "forbidden"         // 403: known actor, not allowed
	NotFound        Code = "not_found"         // 404: unknown, or not the actor's to see
	Conflict        Code = "conflict"          // 409: clashes with the current state
	TooManyRequests Code = "too_many_requests" // 429: slow down
	Internal        Code = "internal"          // 500: never carries details
)

// Error is an error with a code and a message that is safe to show.
type Error struct {
	Code    Code
	Message string            // a full sentence, safe to show to the person
	Fields  map[string]string // field path → what is wrong with it
	cause   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an Error with the given code and a formatted safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with the given code and message that keeps cause for
// logs; the cause is never shown to the person.
func Wrap(cause error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// CodeOf returns the code of err, or Internal when err carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the Error err carries, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// FieldsOf returns the field problems err carries (none for an error
// without fields), for merging one validation into another.
func FieldsOf(err error) Fields {
	if e, ok := As(err); ok {
		return e.Fields
	}
	return nil
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Fields collects field errors so that a form can show all of them at once.
// The zero value is ready to use.
type Fields map[string]string

// Add records a problem with field unless one is recorded already; the first
// problem found for a field is the one shown.
func (f *Fields) Add(field, problem string) {
	if *f == nil {
		*f = Fields{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = problem
	}
}

// Addf records a formatted problem with field.
func (f *Fields) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// Merge adds every problem of other under prefix (prefix.field).
func (f *Fields) Merge(prefix string, other Fields) {
	for k, v := range other {
		if prefix != "" {
			k = prefix + "." + k
		}
		f.Add(k, v)
	}
}

// Err returns an Invalid error naming every field, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Some fields are not valid.", Fields: map[string]string(f)}
}

// InvalidFieldf is InvalidField with a formatted problem (the catalogue
// translates it by its pattern).
func InvalidFieldf(field, format string, args ...any) error {
	return InvalidField(field, fmt.Sprintf(format, args...))
}

// InvalidField returns an Invalid error for a single field.
func InvalidField(field, problem string) error {
	return &Error{Code: Invalid, Message: "Some fields are not valid.", Fields: map[string]string{field: problem}}
}
