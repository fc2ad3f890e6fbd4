package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// userMessages finds, in the platform's Go code (tests aside), every
// string literal that becomes a message a person reads: apperr.Errorf and
// Wrap messages, Message fields of apperr.Error values, field problems
// given to Add, Addf and InvalidField, and the strings returned by the
// functions that produce field problems (named below).
func userMessages(t *testing.T) map[string]string {
	t.Helper()
	problemFuncs := map[string]bool{"identifying": true, "checkEmail": true, "fiberMessage": true}
	out := map[string]string{}
	err := filepath.Walk("..", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "node_modules" || strings.HasPrefix(info.Name(), ".")) && p != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "web/messages.go") {
			return nil
		}
		fs := token.NewFileSet()
		f, err := parser.ParseFile(fs, p, nil, 0)
		if err != nil {
			return err
		}
		str := func(e ast.Expr) (string, bool) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		add := func(e ast.Expr, where token.Pos) {
			if s, ok := str(e); ok && s != "" {
				out[s] = fs.Position(where).String()
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if problemFuncs[x.Name.Name] && x.Body != nil {
					ast.Inspect(x.Body, func(n ast.Node) bool {
						if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							add(r.Results[0], r.Pos())
						}
						return true
					})
				}
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, _ := sel.X.(*ast.Ident)
				arg := func(i int) {
					if i < len(x.Args) {
						add(x.Args[i], x.Pos())
					}
				}
				switch {
				case sel.Sel.Name == "Errorf" && pkg != nil && pkg.Name == "apperr":
					arg(1)
				case sel.Sel.Name == "Wrap" && pkg != nil && pkg.Name == "apperr":
					arg(2)
				case sel.Sel.Name == "InvalidField", sel.Sel.Name == "InvalidFieldf", sel.Sel.Name == "Add", sel.Sel.Name == "Addf":
					arg(1)
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Message" {
					add(x.Value, x.Pos())
				}
			case *ast.ValueSpec:
				for i, name := range x.Names {
					if name.Name == "badLogin" && i < len(x.Values) {
						add(x.Values[i], x.Pos())
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCatalogue_Complete: every message in the code has a Dutch form.
func TestCatalogue_Complete(t *testing.T) {
	msgs := userMessages(t)
	if len(msgs) < 80 {
		t.Fatalf("found only %d messages: the scan is broken", len(msgs))
	}
	for msg, where := range msgs {
		if _, ok := catalogue[msg]; ok {
			continue
		}
		if msg == "%s" {
			continue // a message made elsewhere and checked there
		}
		sample := strings.NewReplacer("%d", "7", "%s", "x").Replace(msg)
		if Translate("nl", sample) != sample {
			continue // an instance of a catalogue format
		}
		t.Errorf("%s: %q has no Dutch form in web/messages.go", where, msg)
	}
}

func TestTranslate(t *testing.T) {
	for _, tc := range []struct{ lang, in, want string }{
		{"nl", "Candidate not found.", "Kandidaat niet gevonden."},
		{"nl", "must be at most 300 characters", "mag hoogstens 300 tekens lang zijn"},
		{"nl", "must be between 1 and 200", "moet tussen 1 en 200 liggen"},
		{"nl", "An employer that is pending cannot be suspended.", "Een werkgever met status pending kan niet suspended worden."},
		{"en", "Candidate not found.", "Candidate not found."},
		{"nl", "something new", "something new"},
	} {
		if got := Translate(tc.lang, tc.in); got != tc.want {
			t.Errorf("Translate(%s, %q) = %q; want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

func TestLang(t *testing.T) {
	for in, want := range map[string]string{
		"": "nl", "en-GB,en;q=0.9": "en", "nl-NL,nl;q=0.9,en;q=0.8": "nl", "de-DE,de;q=0.9": "nl",
		"de,en;q=0.5,nl;q=0.4": "en", "fr, nl;q=0.2": "nl", "en;q=0": "nl", "EN-us": "en",
	} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q) = %s; want %s", in, got, want)
		}
	}
}
