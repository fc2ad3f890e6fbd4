package api_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/herstart/herstart/"

// deps lists, for each package matched by patterns, its imports (or, with
// all, every package it depends on) within the module and outside it.
func deps(t *testing.T, all bool, patterns ...string) map[string][]string {
	t.Helper()
	field := ".Imports"
	if all {
		field = ".Deps"
	}
	args := append([]string{"list", "-f", `{{.ImportPath}} {{join ` + field + ` " "}}`}, patterns...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[f[0]] = f[1:]
	}
	return m
}

// TestImports_EdgeStaysThin keeps storage and vendor SDKs out of the edge:
// api, web and frontend never import the Mongo driver, a search engine,
// Stripe or the store themselves (the domain packages do); api and
// frontend never import each other.
func TestImports_EdgeStaysThin(t *testing.T) {
	m := deps(t, false, "../api/...", "../web/...", "../frontend/...")
	if len(m) < 3 {
		t.Fatalf("go list found %d packages; want api, web and frontend", len(m))
	}
	banned := []string{"go.mongodb.org/", "github.com/blevesearch/", "github.com/meilisearch/", "github.com/stripe/", "github.com/FerretDB/", mod + "store"}
	for pkg, imports := range m {
		for _, imp := range imports {
			for _, b := range banned {
				if strings.HasPrefix(imp, b) {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
			isAPI, isPages := strings.HasPrefix(pkg, mod+"api"), strings.HasPrefix(pkg, mod+"frontend")
			if (isAPI && strings.HasPrefix(imp, mod+"frontend")) || (isPages && strings.HasPrefix(imp, mod+"api")) {
				t.Errorf("%s imports %s: api and frontend stay apart", pkg, imp)
			}
			if strings.HasPrefix(pkg, mod+"web") && (strings.HasPrefix(imp, mod+"api") || strings.HasPrefix(imp, mod+"frontend")) {
				t.Errorf("%s imports %s: web is below both faces", pkg, imp)
			}
		}
	}
}

// TestImports_PointDown: the reference data (places, taxonomy) and ids
// depend on no domain package, and no domain package on the edge; so the
// folders no longer go back and forth (matching imported candidates, which
// imported matching/places).
func TestImports_PointDown(t *testing.T) {
	domain := []string{"candidates", "employers", "matching", "users", "audit", "inbox", "placements", "payments"}
	edge := []string{"api", "web", "frontend", "cmd"}
	for pkg, ds := range deps(t, true, "../places/...", "../taxonomy/...", "../ids/...", "../apperr/...") {
		for _, d := range ds {
			for _, p := range append(domain, edge...) {
				if strings.HasPrefix(d, mod+p) {
					t.Errorf("%s depends on %s: reference data imports no domain package", pkg, d)
				}
			}
		}
	}
	for _, p := range domain {
		if _, err := os.Stat("../" + p); err != nil {
			continue // not built yet
		}
		for pkg, ds := range deps(t, true, "../"+p+"/...") {
			if strings.Contains(pkg, "/"+p+"test") || strings.HasSuffix(pkg, "test") {
				continue
			}
			for _, d := range ds {
				for _, e := range edge {
					if strings.HasPrefix(d, mod+e) {
						t.Errorf("%s depends on %s: domain packages never import the edge", pkg, d)
					}
				}
			}
		}
	}
}
