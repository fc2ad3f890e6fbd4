package meili_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/indextest"
	"github.com/herstart/herstart/matching/meili"
	"github.com/herstart/herstart/taxonomy"
)

func TestCandidateFilter(t *testing.T) {
	q := matching.CandidateQuery{
		Skills: []string{"forklift_driving", "order_picking"}, Province: "Utrecht", Certificates: []string{"forklift", "vca_basis"},
		HoursMin: 24, AvailableBefore: time.Unix(1800000000, 0), ConfirmedAfter: time.Unix(1790000000, 0),
	}
	want := `skills IN ["forklift_driving", "order_picking"] AND province = "Utrecht" AND certificates = "forklift" AND certificates = "vca_basis" AND hours >= 24 AND available_from <= 1800000000 AND confirmed_at >= 1790000000`
	if got := meili.CandidateFilter(q); got != want {
		t.Fatalf("filter\n got %s\nwant %s", got, want)
	}
	got := meili.CandidateFilter(matching.CandidateQuery{Viewer: &matching.Viewer{Tokens: []string{"aa", "bb"}, Sectors: []string{"s1", "s2"}}})
	if want := `NOT conflict_tokens IN ["aa", "bb"] AND (excluded_tokens != "s1" OR excluded_tokens != "s2")`; got != want {
		t.Fatalf("viewer filter\n got %s\nwant %s", got, want)
	}
	if got := meili.CandidateFilter(matching.CandidateQuery{}); got != "" {
		t.Fatalf("empty query filter = %q", got)
	}
}

func TestCandidateFilter_TravelBands(t *testing.T) {
	got := meili.CandidateFilter(matching.CandidateQuery{Geo: &matching.Geo{Lat: 52.09, Lon: 5.12, Km: 12}})
	for _, part := range []string{
		`(travel >= 0 AND travel < 1 AND _geoRadius(52.09, 5.12, 100))`,
		`(travel >= 3 AND travel < 4 AND _geoRadius(52.09, 5.12, 3000))`,
		`(travel >= 4 AND travel < 5 AND _geoRadius(52.09, 5.12, 4000))`,
		`(travel >= 5 AND travel < 10 AND _geoRadius(52.09, 5.12, 5000))`,
		`(travel >= 10 AND travel < 15 AND _geoRadius(52.09, 5.12, 10000))`,
		`(travel >= 15 AND travel < 20 AND _geoRadius(52.09, 5.12, 12000))`,
		`(travel >= 300 AND _geoRadius(52.09, 5.12, 12000))`,
	} {
		if !contains(got, part) {
			t.Fatalf("filter %s\nlacks %s", got, part)
		}
	}
}

func TestVacancyFilter(t *testing.T) {
	q := matching.VacancyQuery{Skills: []string{"welding"}, Geo: &matching.Geo{Lat: 51.92, Lon: 4.48, Km: 25}, HoursMax: 32,
		ExcludeSectors: []string{"childcare"}, ExcludeRisk: []string{"money", "persons"}, ExcludeEmployer: []string{"e_x"}}
	want := `(skills IN ["welding"] OR nice_skills IN ["welding"]) AND _geoRadius(51.92, 4.48, 25000) AND hours <= 32 AND NOT sector IN ["childcare"] AND NOT risk_areas IN ["money", "persons"] AND NOT employer IN ["e_x"]`
	if got := meili.VacancyFilter(q); got != want {
		t.Fatalf("filter\n got %s\nwant %s", got, want)
	}
}

// TestFilter_InjectionStaysALiteral: a value carrying filter syntax stays
// inside its quoted string.
func TestFilter_InjectionStaysALiteral(t *testing.T) {
	got := meili.CandidateFilter(matching.CandidateQuery{Province: `Utrecht" OR status = "placed`})
	want := `province = "Utrecht\" OR status = \"placed"`
	if got != want {
		t.Fatalf("filter %s; want %s", got, want)
	}
	got = meili.CandidateFilter(matching.CandidateQuery{Certificates: []string{`x\" OR 1=1`}})
	if want := `certificates = "x\\\" OR 1=1"`; got != want {
		t.Fatalf("filter %s; want %s", got, want)
	}
}

func TestSettings(t *testing.T) {
	s := meili.CandidateSettings()
	if fmt.Sprint(s.FilterableAttributes) != "[skills explicit_skills trades certificates province hours travel available_from confirmed_at conflict_tokens excluded_tokens _geo]" {
		t.Fatalf("filterable = %v", s.FilterableAttributes)
	}
	// Meilisearch's defaults would stop totals and pages at 1,000 hits,
	// count 100 facet values chosen alphabetically, and take a query's
	// last word as a prefix.
	for _, x := range []*ms.Settings{s, meili.VacancySettings()} {
		if x.Pagination == nil || x.Pagination.MaxTotalHits < 1_000_000 {
			t.Fatalf("pagination %+v", x.Pagination)
		}
		if f := x.Faceting; f == nil || f.MaxValuesPerFacet < 2000 || f.SortFacetValuesBy["*"] != ms.SortFacetTypeCount {
			t.Fatalf("faceting %+v", x.Faceting)
		}
		if x.PrefixSearch == nil || *x.PrefixSearch != "disabled" {
			t.Fatalf("prefix search %v", x.PrefixSearch)
		}
		if len(x.Synonyms) > 0 {
			t.Fatalf("synonyms %v", x.Synonyms)
		}
	}
	if fmt.Sprint(meili.VacancySettings().SortableAttributes) != "[id]" {
		t.Fatalf("vacancies sortable %v", meili.VacancySettings().SortableAttributes)
	}
	if fmt.Sprint(s.SearchableAttributes) != "[skill_text]" {
		t.Fatalf("searchable = %v: only level-0 skill labels are searchable", s.SearchableAttributes)
	}
	if tt := s.TypoTolerance; !tt.Enabled || tt.MinWordSizeForTypos.OneTypo != 5 || tt.MinWordSizeForTypos.TwoTypos != 9 {
		t.Fatalf("typo tolerance = %+v; want one typo from 5 letters, two from 9", tt)
	}
	doc := meili.CandidateDocument(indextest.Candidates()[0])
	for _, k := range []string{"name", "first_name", "birth_date", "email", "phone", "address", "conflicts", "risk_area_conflicts", "excluded_sectors", "area_bans"} {
		if _, ok := doc[k]; ok {
			t.Fatalf("the indexed document carries %s", k)
		}
	}
}

func TestFacets_HoursBands(t *testing.T) {
	f := meili.Facets(map[string]map[string]int{"hours": {"16": 2, "24": 1, "32": 3, "36": 4, "40": 1}, "province": {"Utrecht": 5, "Zeeland": 1}})
	if fmt.Sprint(f["hours"]) != "[{1-16 2} {17-24 1} {25-32 3} {33-40 5}]" {
		t.Fatalf("hours facet = %v", f["hours"])
	}
	if f["province"][0].Value != "Utrecht" {
		t.Fatalf("province facet = %v", f["province"])
	}
}

// TestConformance runs the shared suite against a real Meilisearch when
// MEILI_URL is set; CI has no Meilisearch server and says so.
func TestConformance(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL not set: Meilisearch conformance suite skipped (no Meilisearch server here; the filter and settings tests above still run)")
	}
	tx, _ := taxonomy.Load()
	n := 0
	indextest.Run(t, func(t *testing.T) matching.Index {
		n++
		ctx := context.Background()
		ix, err := meili.Open(ctx, url, os.Getenv("MEILI_API_KEY"), fmt.Sprintf("herstart_test_%d_%d_", time.Now().UnixNano(), n), tx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Drop(context.Background()) })
		return ix
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestCandidateTies: candidates of equal relevance are ordered as the
// embedded engine orders them (tie_available, tie_confirmed, id).
func TestCandidateTies(t *testing.T) {
	s := meili.CandidateSettings()
	if fmt.Sprint(s.SortableAttributes) != "[tie_available tie_confirmed id]" || fmt.Sprint(meili.CandidateSort) != "[tie_available:asc tie_confirmed:desc id:asc]" {
		t.Fatalf("sortable %v, sort %v", s.SortableAttributes, meili.CandidateSort)
	}
	now := time.Now()
	later := meili.CandidateDocument(matching.CandidateDoc{ID: "c_1", AvailableFrom: now.AddDate(0, 0, 10), ConfirmedAt: now})
	past := meili.CandidateDocument(matching.CandidateDoc{ID: "c_2", AvailableFrom: now.AddDate(-1, 0, 0), ConfirmedAt: now.AddDate(0, 0, -3)})
	if later["tie_available"].(int64)-past["tie_available"].(int64) != 10 || past["tie_confirmed"].(int64) != later["tie_confirmed"].(int64)-3 {
		t.Fatalf("tie fields: %v / %v", later, past)
	}
}

// TestCandidateWordsFilter: the second part of a search with codes and
// words takes the same conditions and none of the codes.
func TestCandidateWordsFilter(t *testing.T) {
	q := matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukadoor"}, Province: "Utrecht"}
	if got := meili.CandidateWordsFilter(q); got != `province = "Utrecht" AND NOT skills IN ["forklift_driving"]` {
		t.Fatalf("words filter %s", got)
	}
	if got := meili.CandidateWordsFilter(matching.CandidateQuery{Skills: []string{"a", "b"}}); got != `NOT skills IN ["a", "b"]` {
		t.Fatalf("words filter without conditions %s", got)
	}
	if got := meili.CandidateExplicitFilter(q); got != `province = "Utrecht" AND explicit_skills IN ["forklift_driving"]` {
		t.Fatalf("explicit filter %s", got)
	}
	if got := meili.CandidateClaimedFilter(q); got != `province = "Utrecht" AND skills IN ["forklift_driving"] AND NOT explicit_skills IN ["forklift_driving"]` {
		t.Fatalf("claimed filter %s", got)
	}
}

// TestCandidateParts: a search whose codes name a trade takes, after the
// codes, the profiles that claim the trade in their own words, for whom
// it is the trade first, then by coverage, then those of a related trade;
// the words part excludes them all.
func TestCandidateParts(t *testing.T) {
	q := matching.CandidateQuery{Skills: []string{"esco_7512_1"}, Words: []string{"brood"}, Province: "Utrecht",
		Trades: []matching.TradeTerm{{Token: "esco_7512_1", Boost: 1}, {Token: "esco_7512_1+", Boost: 1}, {Token: "esco_7512_1!", Boost: 1}, {Token: "esco_7512_3!", Boost: 0.25}}}
	want := []string{
		`province = "Utrecht" AND explicit_skills IN ["esco_7512_1"]`,
		`province = "Utrecht" AND skills IN ["esco_7512_1"] AND NOT explicit_skills IN ["esco_7512_1"]`,
		`province = "Utrecht" AND trades IN ["esco_7512_1!"] AND NOT skills IN ["esco_7512_1"]`,
		`province = "Utrecht" AND trades IN ["esco_7512_1+"] AND NOT skills IN ["esco_7512_1"] AND NOT trades IN ["esco_7512_1!"]`,
		`province = "Utrecht" AND trades IN ["esco_7512_1"] AND NOT skills IN ["esco_7512_1"] AND NOT trades IN ["esco_7512_1!", "esco_7512_1+"]`,
		`province = "Utrecht" AND trades IN ["esco_7512_3!"] AND NOT skills IN ["esco_7512_1"] AND NOT trades IN ["esco_7512_1!", "esco_7512_1+", "esco_7512_1"]`,
	}
	if got := meili.CandidateParts(q); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("parts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := meili.CandidateWordsFilter(q); got != `province = "Utrecht" AND NOT skills IN ["esco_7512_1"] AND NOT trades IN ["esco_7512_1", "esco_7512_1+", "esco_7512_1!", "esco_7512_3!"]` {
		t.Fatalf("words filter %s", got)
	}
	doc := meili.CandidateDocument(matching.CandidateDoc{ID: "c_1", Trades: []string{"esco_7512_1", "esco_7512_1+"}})
	if fmt.Sprint(doc["trades"]) != "[esco_7512_1 esco_7512_1+]" {
		t.Fatalf("document trades %v", doc["trades"])
	}
}

// TestWindows: what a page needs of each part, by the parts' totals.
func TestWindows(t *testing.T) {
	for _, c := range []struct {
		totals        []int
		offset, limit int
		want          string
	}{
		{[]int{5, 3}, 0, 20, "[[0 5] [0 3]] 0 12"},
		{[]int{1050, 100}, 1040, 20, "[[1040 10] [0 10]] 0 0"},
		{[]int{1050, 100}, 1060, 20, "[[0 0] [10 20]] 0 0"},
		{[]int{5, 3}, 10, 20, "[[0 0] [0 0]] 2 20"},
		{[]int{0, 0, 4}, 2, 1, "[[0 0] [0 0] [2 1]] 0 0"},
	} {
		w, ro, rl := meili.Windows(c.totals, c.offset, c.limit)
		if got := fmt.Sprint(w, " ", ro, " ", rl); got != c.want {
			t.Errorf("Windows(%v, %d, %d) = %s; want %s", c.totals, c.offset, c.limit, got, c.want)
		}
	}
}

func TestAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"1.23.0": true, "1.50.2": true, "2.0.0": true, "1.22.9": false, "1.14.0": false, "1.23.0-rc.1": true, "v1.9.0": false} {
		if got := meili.AtLeast(v, meili.MinVersion); got != want {
			t.Errorf("AtLeast(%s) = %v", v, got)
		}
	}
}

// TestCandidateParts_MoreCodesFirst: with several codes the profiles that
// name more of them come first (a filter does not score): a tier for each
// count up to four codes, all-then-any beyond.
func TestCandidateParts_MoreCodesFirst(t *testing.T) {
	parts := meili.CandidateParts(matching.CandidateQuery{Skills: []string{"a", "b", "c"}})
	want := []string{
		`(explicit_skills = "a" AND explicit_skills = "b" AND explicit_skills = "c")`,
		`((explicit_skills = "a" AND explicit_skills = "b") OR (explicit_skills = "a" AND explicit_skills = "c") OR (explicit_skills = "b" AND explicit_skills = "c")) AND NOT (explicit_skills = "a" AND explicit_skills = "b" AND explicit_skills = "c")`,
		`explicit_skills IN ["a", "b", "c"] AND NOT ((explicit_skills = "a" AND explicit_skills = "b") OR (explicit_skills = "a" AND explicit_skills = "c") OR (explicit_skills = "b" AND explicit_skills = "c"))`,
	}
	if len(parts) != 6 || fmt.Sprint(parts[:3]) != fmt.Sprint(want) {
		t.Fatalf("parts\n%s", strings.Join(parts, "\n"))
	}
	if !strings.HasSuffix(parts[5], `AND NOT explicit_skills IN ["a", "b", "c"]`) || !strings.HasPrefix(parts[5], `skills IN ["a", "b", "c"] AND NOT`) {
		t.Fatalf("the last claimed tier %s", parts[5])
	}
	if n := len(meili.CandidateParts(matching.CandidateQuery{Skills: []string{"a", "b", "c", "d", "e"}})); n != 4 {
		t.Fatalf("five codes: %d parts; want all-then-any for named and for claimed", n)
	}
}
