package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
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
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return bad(name, "is not a known field")
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
