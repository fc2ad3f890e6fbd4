package employers

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/matching/taxonomy"
)

func itoa(n int) string { return strconv.Itoa(n) }

// text trims s and checks its length and characters.
func text(f *apperr.Fields, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		f.Add(field, "is required")
	case len([]rune(s)) > max:
		f.Addf(field, "must be at most %d characters", max)
	case strings.ContainsFunc(s, unicode.IsControl):
		f.Add(field, "must not contain control characters")
	}
	return s
}

func list(f *apperr.Fields, field string, in []string, maxItems, maxLen int) []string {
	if len(in) > maxItems {
		f.Addf(field, "must have at most %d entries", maxItems)
		return nil
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, s := range in {
		s = text(f, fmt.Sprintf("%s[%d]", field, i), s, maxLen, true)
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func codes(f *apperr.Fields, field string, in []string, set taxonomy.Set, required bool) []string {
	if len(in) == 0 && required {
		f.Add(field, "at least one is required")
		return nil
	}
	if len(in) > len(set) {
		f.Addf(field, "must have at most %d entries", len(set))
		return nil
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, c := range in {
		if !set.Has(c) {
			f.Addf(fmt.Sprintf("%s[%d]", field, i), "is not a known code (one of %s)", strings.Join(set.Codes(), ", "))
			continue
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
