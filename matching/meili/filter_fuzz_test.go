package meili

import (
	"strings"
	"testing"

	"github.com/herstart/herstart/matching"
)

// skeleton replaces each string literal of a filter by "?" (honouring the
// escapes quote writes), and fails on an unterminated one.
func skeleton(t *testing.T, filter string) string {
	var b strings.Builder
	in, esc := false, false
	for _, r := range filter {
		switch {
		case in && esc:
			esc = false
		case in && r == '\\':
			esc = true
		case in && r == '"':
			in = false
			b.WriteString(`"?"`)
		case in:
		case r == '"':
			in = true
		default:
			b.WriteRune(r)
		}
	}
	if in {
		t.Fatalf("unterminated string in %s", filter)
	}
	return b.String()
}

// FuzzCandidateFilter: whatever the values (skills, certificates,
// province, viewer tokens), the filter has the same structure as with
// plain values: no value can end its string and add filter syntax.
func FuzzCandidateFilter(f *testing.F) {
	for _, s := range []string{`heftruck`, `" OR status = "placed`, `\`, `\"`, `a\\" OR 1=1`, "x\ny", ``, `]`, `"]) OR (skills EXISTS`} {
		f.Add(s, s+"2", s+"3")
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if a == "" || b == "" || c == "" {
			return // an empty value leaves its clause out: another structure by design
		}
		q := func(x, y, z string) matching.CandidateQuery {
			return matching.CandidateQuery{Skills: []string{x, y}, Certificates: []string{z}, Province: y, Words: []string{x},
				Geo: &matching.Geo{Lat: 52.09, Lon: 5.12, Km: 25}, Viewer: &matching.Viewer{Tokens: []string{z}, Sectors: []string{x}}}
		}
		plain := q("a", "b", "c")
		fuzzed := q(a, b, c)
		for name, fn := range map[string]func(matching.CandidateQuery) string{"all": CandidateFilter, "words": CandidateWordsFilter,
			"explicit": CandidateExplicitFilter, "claimed": CandidateClaimedFilter} {
			if got, want := skeleton(t, fn(fuzzed)), skeleton(t, fn(plain)); got != want {
				t.Fatalf("%s filter with %q, %q, %q:\n%s\nhas another structure than with plain values:\n%s", name, a, b, c, fn(fuzzed), fn(plain))
			}
		}
		vq := func(x, y, z string) matching.VacancyQuery {
			return matching.VacancyQuery{Skills: []string{x, y}, Province: z, ExcludeSectors: []string{x}, ExcludeRisk: []string{y}, ExcludeEmployer: []string{z}}
		}
		if got, want := skeleton(t, VacancyFilter(vq(a, b, c))), skeleton(t, VacancyFilter(vq("a", "b", "c"))); got != want {
			t.Fatalf("vacancy filter with %q, %q, %q has another structure", a, b, c)
		}
	})
}
