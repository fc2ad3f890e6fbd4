package taxonomy_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herstart/herstart/taxonomy"
)

// FuzzResolve: any text resolves without panicking into known skill and
// occupation codes, and whatever it does not place comes back as rest
// words of the text itself (folded); the same text resolves the same way
// again (the memo).
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"heftruk rijden", "stukadoor", "plasterer", "muren stucen, gipsplaten plaatsen", "lasen MIG", "", "   ", "ß ñ 漢字 🚜",
		"a b c d e f g h i j k l m n o p q r s t u v w x y z", "kapper kapster barbier", "\x00\xff"} {
		f.Add(s)
	}
	tx, err := taxonomy.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 300 {
			return // the services refuse longer text first
		}
		matches, rest := tx.Resolve(text)
		for _, m := range matches {
			for _, code := range m.Skills {
				_, skill := tx.Skill(code)
				_, occ := tx.Occupation(code)
				if !skill && !occ {
					t.Fatalf("%q resolved to an unknown code %q", text, code)
				}
			}
			if m.Occupation != "" {
				if _, ok := tx.Occupation(m.Occupation); !ok {
					t.Fatalf("%q resolved to an unknown occupation %q", text, m.Occupation)
				}
			}
			if m.Typos < 0 || m.Typos > 2*len(strings.Fields(text)) {
				t.Fatalf("%q: %d typos", text, m.Typos)
			}
		}
		folded := taxonomy.Fold(text)
		for _, w := range rest {
			if !strings.Contains(folded, w) || (utf8.ValidString(text) && !utf8.ValidString(w)) {
				t.Fatalf("%q: rest word %q is not from the text (%q)", text, w, folded)
			}
		}
		again, rest2 := tx.Resolve(text)
		if len(again) != len(matches) || len(rest2) != len(rest) {
			t.Fatalf("%q resolved differently the second time", text)
		}
	})
}
