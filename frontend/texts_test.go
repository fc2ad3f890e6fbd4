package frontend

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/herstart/herstart/web"
)

// pageTexts finds every text the pages show: the templates' .T "…" calls
// and the labels, hints and titles they pass to the field partials, and
// in the Go code the page titles, flash messages, T calls, job steps and
// the labels of codes.
func pageTexts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	tmpl := []*regexp.Regexp{regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`), regexp.MustCompile(`"(?:Label|Hint|Title)" "((?:[^"\\]|\\.)*)"`),
		regexp.MustCompile(`\.N "((?:[^"\\]|\\.)*)"`), regexp.MustCompile(`\.N "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"`)}
	files, _ := filepath.Glob("templates/*.html")
	if len(files) < 20 {
		t.Fatalf("found %d templates: the scan is broken", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range tmpl {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				out[m[1]] = f
			}
		}
	}
	calls := map[string]int{"handler": 0, "back": 2, "T": 0, "start": 1, "set": 0}
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fs := token.NewFileSet()
		file, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		str := func(e ast.Expr) (string, bool) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil && s != ""
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if i, ok := calls[name]; ok && len(x.Args) > i {
					if s, ok := str(x.Args[i]); ok {
						out[s] = fs.Position(x.Pos()).String()
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Label" {
					if s, ok := str(x.Value); ok {
						out[s] = fs.Position(x.Pos()).String()
					}
				}
			case *ast.CompositeLit:
				if id, ok := x.Type.(*ast.Ident); ok && id.Name == "checkItem" && len(x.Elts) > 1 {
					if s, ok := str(x.Elts[1]); ok {
						out[s] = fs.Position(x.Pos()).String()
					}
				}
			}
			return true
		})
	}
	for k, en := range labels {
		out[en] = "labels.go " + k
	}
	return out
}

// TestTexts_Translated: every text of the pages has its Dutch in the
// shared catalogue (web/pages.go).
func TestTexts_Translated(t *testing.T) {
	texts := pageTexts(t)
	t.Logf("%d page texts", len(texts))
	if len(texts) < 300 {
		t.Fatalf("found only %d page texts: the scan is broken", len(texts))
	}
	for s, where := range texts {
		if web.Known(s) {
			continue
		}
		sample := strings.NewReplacer("%d", "7", "%s", "x").Replace(s)
		if web.Translate("nl", sample) != sample {
			continue
		}
		t.Errorf("%s: %q has no Dutch form in web/pages.go", where, s)
	}
}
