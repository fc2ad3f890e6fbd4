package indextest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/herstart/herstart/matching"
)

// runEngineRules are the cases where an engine's own rules could differ
// from the service's (issue 26): written from Meilisearch's source and
// documentation, where its defaults would give other answers than the
// embedded engine — more than 1,000 hits, more than 100 facet values, a
// match on a query's second word only, a typo in the first letter, a
// prefix, the tie order in every part of a search, a small travel radius.
func runEngineRules(t *testing.T, fresh func(t *testing.T) matching.Index) {
	ctx := context.Background()
	utrechtLat, utrechtLon := at("Utrecht")
	load := func(t *testing.T, docs []matching.CandidateDoc) matching.Index {
		ix := fresh(t)
		for i := 0; i < len(docs); i += 500 {
			if err := ix.UpsertCandidates(ctx, docs[i:min(i+500, len(docs))]); err != nil {
				t.Fatal(err)
			}
		}
		return ix
	}
	t.Run("MoreThanAThousandHits", func(t *testing.T) {
		// 1,050 name the skill, 100 claim it by a trade word: every page
		// past the thousandth hit is full, none repeats a hit, and the
		// page that spans both parts has the last of one and the first of
		// the other.
		var docs []matching.CandidateDoc
		for i := range 1150 {
			d := cand(fmt.Sprintf("c_many_%04d", i), "Utrecht", "Utrecht", 25, []string{"forklift_driving"}, "heftruck", nil, 32, i%40)
			if i < 1050 {
				d.ExplicitSkills = []string{"forklift_driving"}
			}
			docs = append(docs, d)
		}
		ix := load(t, docs)
		seen := map[string]bool{}
		for off := 980; off < 1150; off += 20 {
			r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Offset: off, Limit: 20})
			if err != nil || r.Total != 1150 {
				t.Fatalf("page at %d: total %d, %v; want 1150", off, r.Total, err)
			}
			if want := min(20, 1150-off); len(r.Hits) != want {
				t.Fatalf("page at %d: %d hits; want %d", off, len(r.Hits), want)
			}
			for i, h := range r.Hits {
				if seen[h.ID] {
					t.Fatalf("page at %d repeats %s", off, h.ID)
				}
				seen[h.ID] = true
				if named := h.ID < "c_many_1050"; named != (off+i < 1050) {
					t.Fatalf("hit %d (%s): the 1,050 that name the skill come first", off+i, h.ID)
				}
			}
		}
		if len(seen) != 1150-980 {
			t.Fatalf("%d different hits past the 980th; want %d", len(seen), 1150-980)
		}
	})
	t.Run("FacetOfManyValues", func(t *testing.T) {
		// 150 skills on one candidate each, and one (last in the alphabet)
		// on 30: it heads the facet with its full count, and the facet
		// holds as many values as the embedded engine gives (20).
		var docs []matching.CandidateDoc
		for i := range 150 {
			skills := []string{fmt.Sprintf("skill_%03d", i)}
			if i < 30 {
				skills = append(skills, "zz_common")
			}
			docs = append(docs, cand(fmt.Sprintf("c_facet_%03d", i), "Utrecht", "Utrecht", 25, skills, "", nil, 32, 0))
		}
		ix := load(t, docs)
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Facets: true, Limit: 1})
		if err != nil || r.Total != 150 {
			t.Fatalf("total %d, %v", r.Total, err)
		}
		sk := r.Facets["skills"]
		if len(sk) != matching.FacetSizes["skills"] || sk[0] != (matching.FacetCount{Value: "zz_common", Count: 30}) || sk[1].Count != 1 {
			t.Fatalf("skills facet %v; want zz_common (30) first and %d values", sk, matching.FacetSizes["skills"])
		}
	})
	t.Run("SecondWordOnly", func(t *testing.T) {
		// Every word of a query finds the profiles that have it, not only
		// those that have the first.
		ix := load(t, []matching.CandidateDoc{
			cand("c_mason", "Utrecht", "Utrecht", 25, nil, "metselen", nil, 32, 0),
			cand("c_plaster", "Utrecht", "Utrecht", 25, nil, "stukadoren", nil, 32, 0),
		})
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{"stukadoren", "metselen"}, Limit: 20})
		want(t, "stukadoren metselen", r, err, "c_mason", "c_plaster")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukadoren", "metselen"}, Limit: 20})
		want(t, "a code, stukadoren, metselen", r, err, "c_mason", "c_plaster")
	})
	t.Run("TyposAndPrefixes", func(t *testing.T) {
		// A typo in the first letter counts as two (Meilisearch's rule,
		// both engines): none in a word of 5 to 8 letters, one beside it
		// from 9. A word is no prefix of a longer one.
		ix := load(t, []matching.CandidateDoc{
			cand("c_weld", "Utrecht", "Utrecht", 25, nil, "lassen", nil, 32, 0),
			cand("c_reach", "Utrecht", "Utrecht", 25, nil, "reachtruck", nil, 32, 0),
		})
		for _, c := range []struct {
			word string
			want []string
		}{
			{"kassen", nil},                     // first letter, 6 letters
			{"lasden", []string{"c_weld"}},      // another letter, 6 letters
			{"geachtruck", []string{"c_reach"}}, // first letter, 10 letters
			{"las", nil},                        // a prefix of 3 letters
			{"lass", nil},                       // a prefix of 4 (no typo allowed)
		} {
			r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{c.word}, Limit: 20})
			want(t, c.word, r, err, c.want...)
		}
	})
	t.Run("TieOrderInEveryPart", func(t *testing.T) {
		// Equally relevant profiles come in the tie order (available
		// sooner first) in each part of a search: the codes, a trade, the
		// words.
		ix := load(t, []matching.CandidateDoc{
			cand("c_code_late", "Utrecht", "Utrecht", 25, []string{"forklift_driving"}, "", nil, 32, 20),
			cand("c_code_soon", "Utrecht", "Utrecht", 25, []string{"forklift_driving"}, "", nil, 32, 2),
			withTrades(cand("c_trade_late", "Utrecht", "Utrecht", 25, nil, "", nil, 32, 30), "esco_8344_1"),
			withTrades(cand("c_trade_soon", "Utrecht", "Utrecht", 25, nil, "", nil, 32, 1), "esco_8344_1"),
			cand("c_word_late", "Utrecht", "Utrecht", 25, nil, "stukadoren", nil, 32, 40),
			cand("c_word_soon", "Utrecht", "Utrecht", 25, nil, "stukadoren", nil, 32, 3),
		})
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukadoren"},
			Trades: []matching.TradeTerm{{Token: "esco_8344_1", Boost: 1}}, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, h := range r.Hits {
			order = append(order, h.ID)
		}
		if want := []string{"c_code_soon", "c_code_late", "c_trade_soon", "c_trade_late", "c_word_soon", "c_word_late"}; !slices.Equal(order, want) {
			t.Fatalf("order %v; want %v", order, want)
		}
	})
	t.Run("MoreOfTheSkillsFirst", func(t *testing.T) {
		// Of those who name the query's skills, who has all three comes
		// before who has two, before who has one, though the tie order
		// (available sooner) says otherwise.
		named := func(id string, avail int, skills ...string) matching.CandidateDoc {
			d := cand(id, "Utrecht", "Utrecht", 25, skills, "", nil, 32, avail)
			d.ExplicitSkills = skills
			return d
		}
		ix := load(t, []matching.CandidateDoc{
			named("c_one", 0, "forklift_driving"),
			named("c_two", 5, "forklift_driving", "order_picking"),
			named("c_three", 10, "forklift_driving", "order_picking", "packing"),
		})
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving", "order_picking", "packing"}, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, h := range r.Hits {
			order = append(order, h.ID)
		}
		if want := []string{"c_three", "c_two", "c_one"}; !slices.Equal(order, want) || r.Total != 3 {
			t.Fatalf("order %v (total %d); want %v", order, r.Total, want)
		}
	})
	t.Run("SmallTravelRadius", func(t *testing.T) {
		// Someone who travels 3 km is found by a job 2 km from home and not
		// by one 4 km away, whatever radius the search asks.
		near := cand("c_three_km", "Utrecht", "Utrecht", 3, []string{"forklift_driving"}, "", nil, 32, 0)
		near.Lat, near.Lon = utrechtLat, utrechtLon
		ix := load(t, []matching.CandidateDoc{near})
		const kmPerDegreeLat = 111.2
		for _, c := range []struct {
			km   float64
			want []string
		}{{2, []string{"c_three_km"}}, {4, nil}} {
			r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"},
				Geo: &matching.Geo{Lat: utrechtLat + c.km/kmPerDegreeLat, Lon: utrechtLon, Km: 25}, Limit: 20})
			want(t, fmt.Sprintf("a job %.0f km away", c.km), r, err, c.want...)
		}
	})
}

func withTrades(d matching.CandidateDoc, trades ...string) matching.CandidateDoc {
	d.Trades = trades
	return d
}
