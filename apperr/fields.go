package apperr

import (
	"fmt"
	"strings"
	"unicode"
)

// The checks below read a field, record what is wrong with it under its
// path, and return the cleaned value, so that one pass over an input
// collects every problem for the form to show.

// Text trims s and checks it is present (when required), at most max
// characters and free of control characters.
func (f *Fields) Text(field, s string, max int, required bool) string {
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

// List checks a list of free texts: at most maxItems, each a Text of at most
// maxLen; duplicates (ignoring case) are dropped.
func (f *Fields) List(field string, in []string, maxItems, maxLen int) []string {
	if len(in) > maxItems {
		f.Addf(field, "must have at most %d entries", maxItems)
		return nil
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, s := range in {
		s = f.Text(fmt.Sprintf("%s[%d]", field, i), s, maxLen, true)
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// Codes checks a list of codes against the known ones (sorted, for the
// message); duplicates are dropped. required asks for at least one.
func (f *Fields) Codes(field string, in []string, known []string, required bool) []string {
	if len(in) == 0 && required {
		f.Add(field, "at least one is required")
		return nil
	}
	if len(in) > len(known) {
		f.Addf(field, "must have at most %d entries", len(known))
		return nil
	}
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, c := range in {
		if !set[c] {
			f.Addf(fmt.Sprintf("%s[%d]", field, i), "is not a known code (one of %s)", strings.Join(known, ", "))
			continue
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
