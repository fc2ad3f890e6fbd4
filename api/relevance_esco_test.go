package api_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// TestRelevance_Occupations is the project's own relevance set over the
// taxonomy's occupations (ESCO's entry-level ones, every 13th): three
// candidates per occupation who write their work as people do (the Dutch
// name, another Dutch name, the English name) in five cities, and four
// queries per occupation (Dutch, English with place and radius, a typo,
// another name from a postcode or a municipality). The expected results
// are the occupation's own candidates within reach; precision@10 and
// recall@10 are reported per ISCO major group, with a floor.
func TestRelevance_Occupations(t *testing.T) {
	s := newSearchEnv(t)
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	tbl := places.New()
	var occs []taxonomy.Skill
	for _, sk := range tx.Skills {
		if sk.URI != "" {
			occs = append(occs, sk)
		}
	}
	sort.Slice(occs, func(i, j int) bool { return occs[i].Code < occs[j].Code })
	cities := []string{"Utrecht", "Amsterdam", "Rotterdam", "Groningen", "Eindhoven"}
	var corpus []occCand
	var items []candidates.ImportItem
	var queries []occQuery
	picked := 0
	for i := 0; i < len(occs) && picked < 70; i += 13 {
		o := occs[i]
		nl := append([]string{o.NL}, dutchOnly(o)...)
		if len(nl) < 2 {
			continue
		}
		picked++
		for k, label := range []string{nl[0], nl[1], o.EN} {
			pl := cities[(picked+k)%len(cities)]
			p, _ := tbl.Lookup(pl, "")
			corpus = append(corpus, occCand{occ: o.Code, lat: p.Lat, lon: p.Lon})
			items = append(items, candidates.ImportItem{WorkerID: "u_rel", Available: true, Input: candidates.Input{
				Identity: candidates.IdentityInput{FirstName: "R", LastName: o.Code, BirthDate: "1990-05-06"},
				Skills:   []string{label}, HoursPerWeek: 32, AvailableFrom: time.Now().Format(time.DateOnly), HomePlace: pl, TravelRadiusKm: 60}})
		}
		where := "3011" // a Rotterdam postcode
		if picked%2 == 1 {
			where = "Stichtse Vecht" // a municipality that is no place's name
		}
		queries = append(queries,
			occQuery{occ: o.Code, q: nl[0]},
			occQuery{occ: o.Code, q: o.EN, place: "Utrecht", km: 50},
			occQuery{occ: o.Code, q: typo(nl[0])},
			occQuery{occ: o.Code, q: nl[len(nl)-1], place: where, km: 40},
		)
	}
	ids, err := s.candidates.Import(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	for i := range corpus {
		corpus[i].id = string(ids[i])
	}
	if picked < 60 || len(queries) < 250 {
		t.Fatalf("%d occupations, %d queries; want 60 and 250 or more", picked, len(queries))
	}
	P, R, _ := scoreOccupations(t, s, corpus, queries)
	t.Logf("over %d occupations and %d queries: precision@10 %.3f, recall@10 %.3f", picked, len(queries), P, R)
	if P < 0.9 || R < 0.9 {
		t.Fatalf("precision@10 %.3f, recall@10 %.3f; want both 0.9 or more", P, R)
	}
}

// occCand is a candidate of a relevance set by occupation code, and
// occQuery a query whose expected results are that occupation's
// candidates within reach.
type occCand struct {
	id, occ  string
	lat, lon float64
}

type occQuery struct {
	occ, q, place string
	km            int
}

// scoreOccupations runs the queries through the API and scores each
// against its occupation's candidates within reach: precision@10 and
// recall@10 over all queries and per ISCO major group (logged, with every
// imperfect query). The queries are spread over enough employers for the
// search limit (60 a minute each).
func scoreOccupations(t *testing.T, s *searchEnv, corpus []occCand, queries []occQuery) (P, R float64, groups map[string][2]float64) {
	t.Helper()
	tbl := places.New()
	type score struct {
		p, r float64
		n    int
	}
	toks := []string{s.empTok}
	for len(toks)*55 < len(queries) {
		id, tok := s.employer(fmt.Sprintf("relevantie%d", len(toks)))
		s.approve(id, s.c1, s.c2)
		toks = append(toks, tok)
	}
	per := map[string]*score{}
	var all score
	occOf := map[string]string{}
	for _, c := range corpus {
		occOf[c.id] = c.occ
	}
	var misses []string
	for qi, q := range queries {
		want := map[string]bool{}
		var pl places.Place
		if q.place != "" {
			var err error
			if pl, err = tbl.Lookup(q.place, ""); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range corpus {
			if c.occ != q.occ {
				continue
			}
			if q.place != "" && places.DistanceKm(pl.Lat, pl.Lon, c.lat, c.lon) > float64(q.km) {
				continue
			}
			want[c.id] = true
		}
		v := url.Values{"q": {q.q}, "per_page": {"10"}}
		if q.place != "" {
			v.Set("place", q.place)
			v.Set("within_km", fmt.Sprint(q.km))
		}
		st, b := s.do("GET", "/api/v1/search/candidates?"+v.Encode(), toks[qi%len(toks)], nil)
		if st != 200 {
			t.Fatalf("%+v: %d %v", q, st, b)
		}
		got := itemIDs(b)
		hit := 0
		var wrong []string
		for _, id := range got {
			if want[id] {
				hit++
			} else {
				wrong = append(wrong, occOf[id])
			}
		}
		p, r := 1.0, 1.0
		if len(got) > 0 {
			p = float64(hit) / float64(len(got))
		} else if len(want) > 0 {
			p = 0
		}
		if len(want) > 0 {
			r = float64(hit) / float64(min(len(want), 10))
		}
		g := "ISCO " + strings.TrimPrefix(q.occ, "esco_")[:1]
		if per[g] == nil {
			per[g] = &score{}
		}
		for _, x := range []*score{per[g], &all} {
			x.p, x.r, x.n = x.p+p, x.r+r, x.n+1
		}
		if p < 1 || r < 1 {
			misses = append(misses, fmt.Sprintf("%s %q place=%q: precision %.2f recall %.2f (got %d, want %d; others %v)", q.occ, q.q, q.place, p, r, len(got), len(want), wrong))
		}
	}
	names := make([]string, 0, len(per))
	for g := range per {
		names = append(names, g)
	}
	sort.Strings(names)
	groups = map[string][2]float64{}
	for _, g := range names {
		x := per[g]
		groups[g] = [2]float64{x.p / float64(x.n), x.r / float64(x.n)}
		t.Logf("%s: %3d queries, precision@10 %.3f, recall@10 %.3f", g, x.n, x.p/float64(x.n), x.r/float64(x.n))
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Logf("imperfect: %s", m)
	}
	return all.p / float64(all.n), all.r / float64(all.n), groups
}

// dutchOnly is an occupation's other Dutch names: its synonyms up to the
// first English one (esco.tsv lists the Dutch before the English).
func dutchOnly(o taxonomy.Skill) []string {
	var out []string
	for _, x := range o.Synonyms {
		if x == o.EN || isASCIIEnglish(x, o) {
			break
		}
		out = append(out, x)
	}
	return out
}

// isASCIIEnglish tells where the English labels begin: the generator
// writes Dutch alternatives, then English ones; the first that is one of
// the English label's words is taken as English.
func isASCIIEnglish(x string, o taxonomy.Skill) bool {
	for _, w := range strings.Fields(strings.ToLower(o.EN)) {
		if len(w) > 3 && strings.Contains(strings.ToLower(x), w) {
			return true
		}
	}
	return false
}

// typo drops a letter from the middle of a word of five letters or more
// (one edit, which the typo rule allows from five letters).
func typo(s string) string {
	r := []rune(s)
	if len(r) < 6 {
		return s
	}
	i := len(r) / 2
	if r[i] == ' ' {
		i++
	}
	return string(append(r[:i:i], r[i+1:]...))
}
