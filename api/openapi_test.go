package api_test

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
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

// documented reads "METHOD /path" pairs from the paths section of
// openapi.yaml (two-space path keys, four-space method keys).
func documented(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	pathRe := regexp.MustCompile(`^  (/[^:]*):\s*$`)
	methodRe := regexp.MustCompile(`^    (get|post|put|patch|delete):`)
	in, cur := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "paths:" {
			in = true
			continue
		}
		if !in {
			continue
		}
		if m := pathRe.FindStringSubmatch(line); m != nil {
			cur = m[1]
		} else if m := methodRe.FindStringSubmatch(line); m != nil && cur != "" {
			out[strings.ToUpper(m[1])+" "+cur] = true
		}
	}
	return out
}
