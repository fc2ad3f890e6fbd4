package api_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/herstart/herstart/api/openapidoc"
)

// TestOpenAPI_MatchesRoutes fails when the app has a route the document
// lacks, or the document describes one the app does not have.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	e := newEnv(t)
	app := map[string]bool{}
	param := regexp.MustCompile(`:([a-z]+)`)
	for _, r := range e.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" || !strings.HasPrefix(r.Path, "/") || r.Path == "/" {
			continue
		}
		if len(r.Handlers) == 0 {
			continue
		}
		app[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	doc := documented(t)
	var missing, extra []string
	for k := range app {
		if !doc[k] {
			missing = append(missing, k)
		}
	}
	for k := range doc {
		if !app[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("openapi.yaml out of step.\nroutes not documented: %v\ndocumented, no route: %v", missing, extra)
	}
	if len(app) < 15 {
		t.Fatalf("only %d routes found; the route listing is broken", len(app))
	}
}

// documented is the set of "METHOD /path" pairs openapi.yaml documents.
func documented(t *testing.T) map[string]bool {
	t.Helper()
	ops, err := openapidoc.Operations("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, op := range ops {
		out[op] = true
	}
	return out
}
