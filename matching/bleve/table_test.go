package bleve_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/enginebench"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

func dayOf(t time.Time) int64 { return int64(math.Floor(float64(t.Unix()) / 86400)) }

// naive answers a candidate query by reading every document: the
// specification the engine and its candidate table must agree with.
func naive(docs map[string]matching.CandidateDoc, q matching.CandidateQuery) []string {
	var out []string
	for id, d := range docs {
		if q.Viewer.Hides(d.ConflictTokens, d.ExcludedTokens) {
			continue
		}
		if len(q.Skills) > 0 && !slices.ContainsFunc(q.Skills, func(s string) bool { return slices.Contains(d.Skills, s) }) {
			continue
		}
		if q.Geo != nil && !matching.Within(*q.Geo, d.Lat, d.Lon, d.TravelRadiusKm) {
			continue
		}
		if q.Province != "" && d.Province != q.Province {
			continue
		}
		if slices.ContainsFunc(q.Certificates, func(c string) bool { return !slices.Contains(d.Certificates, c) }) {
			continue
		}
		if d.HoursPerWeek < q.HoursMin {
			continue
		}
		if !q.AvailableBefore.IsZero() && dayOf(d.AvailableFrom) > dayOf(q.AvailableBefore) {
			continue
		}
		if !q.ConfirmedAfter.IsZero() && dayOf(d.ConfirmedAt) < dayOf(q.ConfirmedAfter) {
			continue
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestTableAgreesWithNaive runs random employer queries over generated
// candidates, indexed in several batches with updates and deletions (so
// over several segments, some with deleted documents), and checks every
// total, page and facet count against reading all documents. Then it
// reopens the index from disk and checks again.
func TestTableAgreesWithNaive(t *testing.T) {
	ctx := context.Background()
	tx, _ := taxonomy.Load()
	tbl := places.New()
	r := rand.New(rand.NewPCG(3, 4))
	gen := enginebench.Docs(3000, 11, time.Now())
	// Conflict lists and excluded sectors: a few employers and sectors, so
	// that random viewers meet them often.
	tk := matching.NewTokens([]byte("table test token key 0123456789"))
	employersOf := func(n int) []string {
		var out []string
		for k := 0; k < n; k++ {
			out = append(out, tk.Of("employer", fmt.Sprintf("e_%d", r.IntN(8))))
		}
		return out
	}
	sectors := []string{"logistics", "retail", "construction", "hospitality"}
	sectorsOf := func(n int) []string {
		var out []string
		for _, i := range r.Perm(len(sectors))[:n] {
			out = append(out, tk.Of("sector", sectors[i]))
		}
		return out
	}
	for i := range gen {
		if r.IntN(3) == 0 {
			gen[i].ConflictTokens = employersOf(1 + r.IntN(3))
		}
		if r.IntN(3) == 0 {
			gen[i].ExcludedTokens = sectorsOf(1 + r.IntN(3))
		}
	}
	docs := map[string]matching.CandidateDoc{}
	dir := t.TempDir()
	ix, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(gen); i += 500 {
		if err := ix.UpsertCandidates(ctx, gen[i:i+500]); err != nil {
			t.Fatal(err)
		}
		for _, d := range gen[i : i+500] {
			docs[d.ID] = d
		}
	}
	for i := 0; i < 200; i++ { // updates: new skills, hours and place
		d := gen[r.IntN(len(gen))]
		d.Skills = []string{tx.Skills[r.IntN(len(tx.Skills))].Code}
		d.ExplicitSkills = d.Skills // named: a subset of Skills, as CandidateDocOf makes it
		d.HoursPerWeek = 8 + r.IntN(33)
		d.Lat, d.Lon = d.Lat+0.05, d.Lon-0.05
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{d}); err != nil {
			t.Fatal(err)
		}
		docs[d.ID] = d
	}
	for i := 0; i < 100; i++ {
		id := gen[r.IntN(len(gen))].ID
		if err := ix.DeleteCandidates(ctx, id); err != nil {
			t.Fatal(err)
		}
		delete(docs, id)
	}

	towns := []string{"Utrecht", "Amsterdam", "Zwolle", "Eindhoven", "Gouda", "Groningen"}
	now := time.Now()
	queries := make([]matching.CandidateQuery, 150)
	for i := range queries {
		q := matching.CandidateQuery{Limit: 1 + r.IntN(30), Facets: true}
		if r.IntN(4) > 0 {
			for k := 1 + r.IntN(3); k > 0; k-- {
				q.Skills = append(q.Skills, tx.Skills[r.IntN(len(tx.Skills))].Code)
			}
		}
		switch r.IntN(3) {
		case 0:
			p, _ := tbl.Lookup(towns[r.IntN(len(towns))], "")
			q.Geo = &matching.Geo{Lat: p.Lat, Lon: p.Lon, Km: float64(5 + r.IntN(80))}
		case 1:
			q.Province = []string{"Utrecht", "Noord-Holland", "Zuid-Holland", "Gelderland", "Friesland"}[r.IntN(5)]
		}
		if r.IntN(4) == 0 {
			q.Certificates = []string{taxonomy.Certificates[r.IntN(len(taxonomy.Certificates))].Code}
		}
		if r.IntN(3) == 0 {
			q.HoursMin = 16 + r.IntN(25)
		}
		if r.IntN(2) == 0 {
			q.AvailableBefore = now.AddDate(0, 0, r.IntN(60)-20)
		}
		if r.IntN(2) == 0 {
			q.ConfirmedAfter = now.AddDate(0, 0, -r.IntN(40))
		}
		if r.IntN(5) == 0 {
			q.Offset = r.IntN(40)
		}
		if r.IntN(3) > 0 {
			q.Viewer = &matching.Viewer{Tokens: employersOf(1 + r.IntN(2)), Sectors: sectorsOf(r.IntN(3))}
		}
		queries[i] = q
	}

	check := func(t *testing.T, ix *bleve.Index) {
		nonEmpty := 0
		for i, q := range queries {
			res, err := ix.SearchCandidates(ctx, q)
			if err != nil {
				t.Fatalf("query %d: %v", i, err)
			}
			expect := naive(docs, q)
			if res.Total != len(expect) {
				t.Fatalf("query %d %+v: total %d; naive %d", i, q, res.Total, len(expect))
			}
			if want := max(0, min(q.Limit, len(expect)-q.Offset)); len(res.Hits) != want {
				t.Fatalf("query %d: %d hits; want %d", i, len(res.Hits), want)
			}
			if len(expect) > 0 {
				nonEmpty++
			}
			for k, h := range res.Hits {
				if _, ok := slices.BinarySearch(expect, h.ID); !ok {
					t.Fatalf("query %d: hit %s is not a match", i, h.ID)
				}
				if k > 0 && (h.Score > res.Hits[k-1].Score || (h.Score == res.Hits[k-1].Score && !tieBefore(docs[res.Hits[k-1].ID], docs[h.ID], now))) {
					t.Fatalf("query %d: hits not ordered by score, then available sooner, confirmed later, id: %+v", i, res.Hits)
				}
			}
			counts := map[string]map[string]int{"skills": {}, "province": {}, "certificates": {}, "hours": {}}
			for _, id := range expect {
				d := docs[id]
				counts["province"][d.Province]++
				for _, s := range d.Skills {
					counts["skills"][s]++
				}
				for _, c := range d.Certificates {
					counts["certificates"][c]++
				}
				for _, b := range matching.HoursBands {
					if d.HoursPerWeek >= b.Min && d.HoursPerWeek <= b.Max {
						counts["hours"][b.Name]++
					}
				}
			}
			for name, size := range map[string]int{"skills": 20, "province": 12, "certificates": 20, "hours": 5} {
				got := res.Facets[name]
				if len(got) != min(size, len(counts[name])) {
					t.Fatalf("query %d: facet %s has %d values; want %d", i, name, len(got), min(size, len(counts[name])))
				}
				least := math.MaxInt
				for _, f := range got {
					if counts[name][f.Value] != f.Count {
						t.Fatalf("query %d: facet %s %s = %d; naive %d", i, name, f.Value, f.Count, counts[name][f.Value])
					}
					least = min(least, f.Count)
				}
				if name != "hours" {
					for v, n := range counts[name] {
						if n > least && !slices.ContainsFunc(got, func(f matching.FacetCount) bool { return f.Value == v }) {
							t.Fatalf("query %d: facet %s leaves out %s (%d) but shows one of %d", i, name, v, n, least)
						}
					}
				}
			}
		}
		if nonEmpty < len(queries)/3 {
			t.Fatalf("only %d of %d queries match anything: the check is too weak", nonEmpty, len(queries))
		}
		t.Logf("%d queries agree with the naive reading, %d with matches", len(queries), nonEmpty)
	}
	check(t, ix)
	if err := ix.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	check(t, ix)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Created() {
		t.Fatal("reopened index reported as created")
	}
	check(t, ix)
}

// TestOlderSchemaIsRebuilt: an index written by an earlier version of the
// mapping is replaced by an empty one, and Created says so, so that serve
// rebuilds it from the database.
func TestOlderSchemaIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	ix, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ix.Created() {
		t.Fatal("new index not reported as created")
	}
	if err := ix.UpsertCandidates(context.Background(), enginebench.Docs(10, 1, time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bleve.SetSchemaForTest(filepath.Join(dir, "candidates.bleve"), "1"); err != nil {
		t.Fatal(err)
	}
	ix, err = bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !ix.Created() {
		t.Fatal("index of an older schema not reported as created")
	}
	r, err := ix.SearchCandidates(context.Background(), matching.CandidateQuery{Limit: 20})
	if err != nil || r.Total != 0 {
		t.Fatalf("rebuilt index holds %d, %v; want an empty index", r.Total, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "candidates.bleve")); err != nil {
		t.Fatal(err)
	}
}

// TestSearchWhileIndexing queries from several goroutines while batches are
// indexed and merged, as serve does while the outbox drains (run with
// -race): every search succeeds and a final search sees every document.
func TestSearchWhileIndexing(t *testing.T) {
	ctx := context.Background()
	ix, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	gen := enginebench.Docs(2000, 5, time.Now())
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 3; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: gen[g].Skills, Province: "Utrecht", Limit: 10, Facets: true}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < len(gen); i += 100 {
		if err := ix.UpsertCandidates(ctx, gen[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for g := 0; g < 3; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Limit: 1})
	if err != nil || r.Total != len(gen) {
		t.Fatalf("after indexing: total %d, %v; want %d", r.Total, err, len(gen))
	}
}

// tieBefore reports whether a comes before b at equal score: available
// sooner (everyone available today counts as today), then confirmed more
// recently, then by id.
func tieBefore(a, b matching.CandidateDoc, now time.Time) bool {
	day := func(t time.Time) int64 { return int64(math.Floor(float64(t.Unix()) / 86400)) }
	today := day(now)
	aa, ba := max(day(a.AvailableFrom), today), max(day(b.AvailableFrom), today)
	if aa != ba {
		return aa < ba
	}
	if ac, bc := day(a.ConfirmedAt), day(b.ConfirmedAt); ac != bc {
		return ac > bc
	}
	return a.ID < b.ID
}
