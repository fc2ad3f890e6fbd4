package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

var (
	contractOnce   sync.Once
	contractRouter routers.Router
	contractErr    error
)

// contract loads api/openapi.yaml once per test binary.
func contract() (routers.Router, error) {
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile("openapi.yaml")
		if err != nil {
			contractErr = err
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contractErr = err
			return
		}
		doc.Servers = openapi3.Servers{{URL: "http://herstart.test"}}
		contractRouter, contractErr = legacy.NewRouter(doc)
	})
	return contractRouter, contractErr
}

// checkContract validates one response the API tests received against
// openapi.yaml: its status must be documented for the operation, and its
// JSON body must match the documented schema (response schemas allow no
// undocumented field), so a field the document does not promise, or a
// missing one, fails a test rather than a client.
func checkContract(t testing.TB, method, target string, status int, header http.Header, body []byte) {
	t.Helper()
	r, err := contract()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	req, _ := http.NewRequest(method, "http://herstart.test"+target, nil)
	route, params, err := r.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return // a route that does not exist, answered as such
		}
		t.Errorf("%s %s (%d): not in openapi.yaml: %v", method, target, status, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if f := os.Getenv("HERSTART_DUMP_RESPONSES"); f != "" && len(body) > 0 && body[0] == '{' {
		out, _ := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		fmt.Fprintf(out, "%s %s %d %s\n", method, route.Path, status, bytes.ReplaceAll(body, []byte("\n"), nil))
		out.Close()
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		msg := err.Error()
		if len(msg) > 1500 {
			msg = msg[:1500] + "…"
		}
		t.Errorf("%s %s → %d does not match openapi.yaml: %s\nbody: %.600s", method, route.Path, status, strings.TrimSpace(msg), body)
	}
}
