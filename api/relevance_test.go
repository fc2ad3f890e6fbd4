package api_test

import (
	"fmt"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
)

// The relevance set: candidates in labelled skill groups, each group's
// workers describing their skill in their own words, and queries in Dutch
// and English, with typos, place and radius, province and certificates.
// The expected results come from the labels and the places' coordinates,
// not from the taxonomy under test.

type relGroup struct {
	name   string
	labels []string // how candidates write the skill, one per candidate
	cert   string   // the first candidate also holds this certificate
}

var relGroups = []relGroup{
	{"forklift", []string{"heftruck rijden", "vorkheftruck", "heftruckchauffeur", "forklift driving"}, "forklift"},
	{"welding", []string{"lassen", "MIG/MAG lassen", "lasser", "welding"}, "welding"},
	{"cleaning", []string{"schoonmaken", "kantoorschoonmaak", "interieurverzorging", "office cleaning"}, ""},
	{"cooking", []string{"koken", "kok", "koken in een keuken", "cooking"}, "haccp"},
	{"bricklaying", []string{"metselen", "metselwerk", "metselaar", "bricklaying"}, "vca_basis"},
	{"painting", []string{"schilderen", "schilderwerk", "verven", "painting"}, ""},
	{"orderpicking", []string{"orderpicken", "orders verzamelen", "orderpicker", "order picking"}, ""},
	{"green", []string{"groenonderhoud", "hovenier", "groenvoorziening", "gardener"}, "chainsaw"},
	{"truck", []string{"vrachtwagen rijden", "vrachtwagenchauffeur", "chauffeur CE", "truck driver"}, "driving_ce"},
	{"cashier", []string{"kassa", "kassawerk", "caissière", "cashier"}, ""},
}

var relPlaces = []string{"Utrecht", "Amsterdam", "Rotterdam", "Groningen"}

type relQuery struct {
	q, place, province, certs string
	withinKm                  int
	group                     string
}

func relQueries() []relQuery {
	var out []relQuery
	words := map[string][4]string{ // Dutch, English, synonym, typo
		"forklift":     {"heftruck", "forklift", "vorkheftruck", "heftruk"},
		"welding":      {"lassen", "welder", "lasser", "lasen"},
		"cleaning":     {"schoonmaak", "cleaner", "schoonmaker", "schoonmake"},
		"cooking":      {"koken", "cook", "kok", "kooken"},
		"bricklaying":  {"metselen", "bricklayer", "metselaar", "metzelen"},
		"painting":     {"schilderen", "painter", "schilder", "schideren"},
		"orderpicking": {"orderpicken", "order picking", "orderpicker", "oderpicken"},
		"green":        {"groenonderhoud", "gardener", "hovenier", "groenonderhout"},
		"truck":        {"vrachtwagenchauffeur", "truck driver", "chauffeur", "vrachtwagen rijde"},
		"cashier":      {"kassa", "cashier", "caissière", "kassaa"},
	}
	for _, g := range relGroups {
		w := words[g.name]
		out = append(out,
			relQuery{q: w[0], group: g.name},
			relQuery{q: w[1], place: "Utrecht", withinKm: 40, group: g.name},
			relQuery{q: w[2], province: "Zuid-Holland", group: g.name},
			relQuery{q: w[3], place: "Amsterdam", withinKm: 25, group: g.name},
		)
		if g.cert != "" {
			out = append(out, relQuery{q: w[0], certs: g.cert, group: g.name})
		}
	}
	return out
}

type relCand struct {
	id, group, place string
	lat, lon         float64
	cert             string
	province         string
}

func TestRelevance(t *testing.T) {
	s := newSearchEnv(t)
	tbl := places.New()
	var corpus []relCand
	var items []candidates.ImportItem
	for _, g := range relGroups {
		for i, label := range g.labels {
			pl := relPlaces[i%len(relPlaces)]
			p, _ := tbl.Lookup(pl, "")
			c := relCand{group: g.name, place: pl, lat: p.Lat, lon: p.Lon, province: p.ProvinceName()}
			in := candidates.Input{
				Identity: candidates.IdentityInput{FirstName: "R", LastName: g.name, BirthDate: "1992-03-04"},
				Skills:   []string{label}, HoursPerWeek: 32, AvailableFrom: time.Now().Format(time.DateOnly),
				HomePlace: pl, TravelRadiusKm: 60,
			}
			if i == 0 && g.cert != "" {
				in.Certificates = []string{g.cert}
				c.cert = g.cert
			}
			corpus = append(corpus, c)
			items = append(items, candidates.ImportItem{WorkerID: "u_rel", Input: in, Available: true})
		}
	}
	ids, err := s.candidates.Import(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	for i := range corpus {
		corpus[i].id = string(ids[i])
	}

	queries := relQueries()
	if len(queries) < 40 {
		t.Fatalf("only %d relevance queries; want 40 or more", len(queries))
	}
	var sumP, sumR float64
	var misses []string
	for _, q := range queries {
		expected := map[string]bool{}
		for _, c := range corpus {
			if c.group != q.group {
				continue
			}
			if q.place != "" {
				p, _ := tbl.Lookup(q.place, "")
				if d := places.DistanceKm(p.Lat, p.Lon, c.lat, c.lon); d > float64(q.withinKm) || d > 60 {
					continue
				}
			}
			if q.province != "" && c.province != q.province {
				continue
			}
			if q.certs != "" && c.cert != q.certs {
				continue
			}
			expected[c.id] = true
		}
		v := url.Values{"q": {q.q}, "per_page": {"10"}}
		if q.place != "" {
			v.Set("place", q.place)
			v.Set("within_km", fmt.Sprint(q.withinKm))
		}
		if q.province != "" {
			v.Set("province", q.province)
		}
		if q.certs != "" {
			v.Set("certificates", q.certs)
		}
		st, b := s.do("GET", "/api/v1/search/candidates?"+v.Encode(), s.empTok, nil)
		if st != 200 {
			t.Fatalf("%v: %d %v", q, st, b)
		}
		got := itemIDs(b)
		hit := 0
		for _, id := range got {
			if expected[id] {
				hit++
			}
		}
		p, r := 1.0, 1.0
		if len(got) > 0 {
			p = float64(hit) / float64(len(got))
		} else if len(expected) > 0 {
			p = 0
		}
		if len(expected) > 0 {
			r = float64(hit) / float64(min(len(expected), 10))
		}
		sumP, sumR = sumP+p, sumR+r
		if p < 1 || r < 1 {
			misses = append(misses, fmt.Sprintf("%q place=%s province=%s certs=%s: precision %.2f recall %.2f (got %d, want %d)", q.q, q.place, q.province, q.certs, p, r, len(got), len(expected)))
		}
	}
	n := float64(len(queries))
	sort.Strings(misses)
	for _, m := range misses {
		t.Logf("imperfect: %s", m)
	}
	t.Logf("relevance over %d queries: mean precision@10 %.3f, mean recall@10 %.3f", len(queries), sumP/n, sumR/n)
	if sumP/n < 0.9 || sumR/n < 0.9 {
		t.Fatalf("mean precision@10 %.3f, recall@10 %.3f; want both 0.9 or more", sumP/n, sumR/n)
	}
}
