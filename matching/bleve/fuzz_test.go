package bleve_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/indextest"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// FuzzSearchText sends arbitrary query text and place names the way the
// service does (resolved through the taxonomy and the places table) to the
// engine: nothing panics, the engine never errors, and every hit is one of
// the indexed candidates. `go test` runs the seeds; `go test -fuzz
// FuzzSearchText ./matching/bleve/` searches further.
func FuzzSearchText(f *testing.F) {
	for _, seed := range [][2]string{
		{"heftruk", "Utrecht"}, {"lasen MIG", "Den Haag"}, {`" OR status = "placed`, "Zeist"},
		{"province = Utrecht", "Hengelo (Gld)"}, {"*", ""}, {"(((", "\\"}, {"reachtruk magazijn", "Amersfoort, Utrecht"},
		{"ß ñ 漢字 🚜", "'s-Hertogenbosch"}, {"a b c d e f g h i j k l m n o p", "x"},
	} {
		f.Add(seed[0], seed[1], uint8(25))
	}
	tx, err := taxonomy.Load()
	if err != nil {
		f.Fatal(err)
	}
	tbl := places.New()
	ix, err := bleve.Open("")
	if err != nil {
		f.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	docs := indextest.Candidates()
	if err := ix.UpsertCandidates(ctx, docs); err != nil {
		f.Fatal(err)
	}
	known := map[string]bool{}
	for _, d := range docs {
		known[d.ID] = true
	}
	f.Fuzz(func(t *testing.T, text, place string, km uint8) {
		if !utf8.ValidString(text) || len(text) > 200 {
			return // the service refuses these with a 422 before the engine
		}
		ms, rest := tx.Resolve(text)
		q := matching.CandidateQuery{Words: rest, Limit: 20, Facets: true}
		for _, m := range ms {
			q.Skills = append(q.Skills, m.Skills...)
		}
		if p, err := tbl.Lookup(place, ""); err == nil {
			q.Geo = &matching.Geo{Lat: p.Lat, Lon: p.Lon, Km: float64(km%200) + 1}
		}
		res, err := ix.SearchCandidates(ctx, q)
		if err != nil {
			t.Fatalf("search %q near %q: %v", text, place, err)
		}
		for _, h := range res.Hits {
			if !known[h.ID] {
				t.Fatalf("search %q returned unknown id %q", text, h.ID)
			}
		}
		if res.Total < len(res.Hits) {
			t.Fatalf("total %d below %d hits", res.Total, len(res.Hits))
		}
	})
}
