package api

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/placements"
)

// FuzzDecodeStrict: any body is either read into the request type or
// refused as a 400 that names a field; never a panic or another status.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"identity":{"first_name":"Sem"},"hours_per_week":32}`, `{"hours_per_week":"32"}`, `{"email":{"$ne":""}}`, `null`, `[]`, `{} {}`,
		`{"identity":{"first_nam":"x"}}`, `{"restrictions":{"area_bans":[{"lat":"x"}]}}`, `{"actions":[{"due_date":1}]}`, "\xff", `{"a":1e999}`} {
		f.Add([]byte(s))
	}
	app := fiber.New()
	app.Post("/c", func(c *fiber.Ctx) error {
		var in candidates.Input
		return check(decodeStrict(c, &in))
	})
	app.Post("/k", func(c *fiber.Ctx) error {
		var in placements.CheckInInput
		return check(decodeStrict(c, &in))
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/c", "/k"} {
			req := httptest.NewRequest("POST", path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 400 {
				t.Fatalf("%s with %q = %d; want 200 or a 400 naming a field", path, body, resp.StatusCode)
			}
		}
	})
}

// check turns decodeStrict's answer into a status: 400 only for a coded
// BadRequest that names a field.
func check(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code == apperr.BadRequest && len(ae.Fields) > 0 {
		return fiber.NewError(400)
	}
	return fiber.NewError(500, err.Error())
}
