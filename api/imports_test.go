package api_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports_EdgeStaysThin keeps storage and vendor SDKs out of the edge:
// api and frontend never import the Mongo driver, a search engine or Stripe
// themselves (the domain packages do), nor each other.
func TestImports_EdgeStaysThin(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../api/...", "../frontend/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []string{"go.mongodb.org/", "github.com/blevesearch/", "github.com/meilisearch/", "github.com/stripe/", "github.com/FerretDB/"}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 {
		t.Fatalf("go list found %d packages; want api and frontend", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		for _, imp := range imports {
			for _, b := range banned {
				if strings.HasPrefix(imp, b) {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
			isAPI := strings.Contains(pkg, "/api")
			if (isAPI && strings.Contains(imp, "herstart/frontend")) || (!isAPI && strings.Contains(imp, "herstart/api")) {
				t.Errorf("%s imports %s: api and frontend stay apart", pkg, imp)
			}
		}
	}
}
