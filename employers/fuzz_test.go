package employers_test

import (
	"testing"

	"github.com/herstart/herstart/employers"
)

// FuzzKvK: a KvK number that passes, after the spaces and dots people type
// are taken out, is exactly eight digits.
func FuzzKvK(f *testing.F) {
	for _, s := range []string{"12345678", "1234 5678", "12.34.56.78", "1234567", "123456789", "１２３４５６７８", "12345678\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := employers.NormalizeKvK(s)
		if !employers.ValidKvK(n) {
			return
		}
		if len(n) != 8 {
			t.Fatalf("%q passed as %q", s, n)
		}
		for _, r := range n {
			if r < '0' || r > '9' {
				t.Fatalf("%q passed as %q", s, n)
			}
		}
	})
}
