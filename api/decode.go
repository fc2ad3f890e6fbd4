package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
)

// decodeStrict reads the JSON body into v. Unknown fields, wrong types
// (which is also how operator injection such as {"email": {"$ne": ""}} ends:
// an object where a string belongs), trailing data and non-JSON bodies are
// refused with a 400 that names the field.
func decodeStrict(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return &apperr.Error{Code: apperr.BadRequest, Message: "Send the body as JSON (Content-Type: application/json).",
			Fields: map[string]string{"body": "must be JSON"}}
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return &apperr.Error{Code: apperr.BadRequest, Message: "The request body is empty.", Fields: map[string]string{"body": "is required"}}
	}
	// null, a number or a list where an object belongs would decode as an
	// empty request (a null PATCH changed nothing but bumped the version).
	want := byte('{')
	if t := reflect.TypeOf(v); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice {
		want = '['
	}
	if bytes.TrimSpace(body)[0] != want {
		shape := "one JSON object"
		if want == '[' {
			shape = "a JSON list"
		}
		return &apperr.Error{Code: apperr.BadRequest, Message: "The request body cannot be read.", Fields: map[string]string{"body": "must be " + shape}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := unknownField(err); ok {
			if path := fieldPath(body, reflect.TypeOf(v), name); path != "" {
				name = path
			}
			return &apperr.Error{Code: apperr.BadRequest, Message: "The request body cannot be read.", Fields: map[string]string{name: "is not a known field"}}
		}
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &apperr.Error{Code: apperr.BadRequest, Message: "The request body holds more than one JSON value.", Fields: map[string]string{"body": "must be one JSON object"}}
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	bad := func(field, problem string) error {
		return &apperr.Error{Code: apperr.BadRequest, Message: "The request body cannot be read.", Fields: map[string]string{field: problem}}
	}
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return bad(field, "must be "+jsonKind(typeErr.Type.Kind().String())+", not "+typeErr.Value)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return bad("body", "is not valid JSON")
	default:
		return bad("body", "is not a valid JSON object")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "ptr":
		return "a value of the documented type"
	default:
		return "an object"
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// queryInt reads an integer query parameter within [min, max]; def when absent.
func queryInt(c *fiber.Ctx, name string, def, min, max int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, &apperr.Error{Code: apperr.BadRequest, Message: "A query parameter is not valid.",
			Fields: map[string]string{name: "must be a whole number from " + itoa(min) + " to " + itoa(max)}}
	}
	return n, nil
}

// unknownField reads the key name from the decoder's unknown-field error.
func unknownField(err error) (string, bool) {
	if !strings.HasPrefix(err.Error(), "json: unknown field ") {
		return "", false
	}
	name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
	return name, uerr == nil
}

// fieldPath finds where in body the unknown key name sits, by walking the
// JSON beside the Go type it was decoded into ("identity.bsn",
// "restrictions.area_bans[1].radius"); empty when it cannot tell. The
// decoder itself names only the key.
func fieldPath(body []byte, t reflect.Type, name string) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	return walkPath(doc, t, "", name)
}

func walkPath(v any, t reflect.Type, prefix, name string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	join := func(key string) string {
		if prefix == "" {
			return key
		}
		return prefix + "." + key
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return ""
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f, ok := jsonField(t, k)
			if !ok {
				if k == name {
					return join(k)
				}
				continue
			}
			if p := walkPath(val[k], f.Type, join(k), name); p != "" {
				return p
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return ""
		}
		for i, e := range val {
			if p := walkPath(e, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i), name); p != "" {
				return p
			}
		}
	}
	return ""
}

// jsonField finds the struct field that a JSON key decodes into, matching
// names the way encoding/json does (the tag first, case-insensitively).
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && derefType(f.Type).Kind() == reflect.Struct {
			if inner, ok := jsonField(derefType(f.Type), key); ok {
				return inner, true
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if strings.EqualFold(tag, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
