// Package enginebench measures a search engine (matching.Index) on
// generated candidates: indexing throughput and the latency of the queries
// issue 4 names. `herstart bench search` and the Go benchmark in
// matching/bleve share it, so both measure the same data and queries.
package enginebench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// Docs makes n candidate documents: skills from the taxonomy, homes across
// 46 towns weighted towards the cities, travel radii 5–60 km, availability
// from 30 days ago to 60 days ahead, a quarter unconfirmed for over 30 days.
func Docs(n int, seed uint64, now time.Time) []matching.CandidateDoc {
	tx, _ := taxonomy.Load()
	tbl := places.New()
	r := rand.New(rand.NewPCG(seed, seed+1))
	lookup := func(names ...string) []places.Place {
		out := make([]places.Place, 0, len(names))
		for _, name := range names {
			p, _ := tbl.Lookup(name, "")
			out = append(out, p)
		}
		return out
	}
	cities := lookup("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Zwolle", "Amersfoort", "Leeuwarden", "Maastricht")
	towns := lookup("Zeist", "Houten", "Nieuwegein", "Woerden", "Gouda", "Hilversum", "Veenendaal", "Ede", "Hoofddorp", "Haarlem", "Leiden", "Delft", "Dordrecht", "Zoetermeer", "Deventer", "Enschede", "Venlo", "Heerlen", "Assen", "Emmen", "Lelystad", "Middelburg", "Goes", "Roosendaal", "Oss", "Helmond", "Alkmaar", "Den Helder", "Purmerend", "Zaandam")
	certs := taxonomy.Certificates
	// The project's own skills, as before ESCO joined (so that the figures
	// stay comparable), and for one candidate in five an ESCO occupation's
	// code besides: the larger taxonomy's share of the index.
	var own, esco []string
	for _, s := range tx.Skills {
		if s.URI == "" {
			own = append(own, s.Code)
		} else {
			esco = append(esco, s.Code)
		}
	}
	// One candidate in three describes a trade in their own words and
	// claims about three (matching.CandidateDoc.Trades): the first as
	// primary, each with coverage steps.
	var trades []string
	for _, c := range esco {
		if tx.IsTrade(c) {
			trades = append(trades, c)
		}
	}
	out := make([]matching.CandidateDoc, n)
	for i := range out {
		p := cities[r.IntN(len(cities))]
		if r.IntN(2) == 0 {
			p = towns[r.IntN(len(towns))]
		}
		var skills []string
		for k := 1 + r.IntN(4); k > 0; k-- {
			skills = append(skills, own[r.IntN(len(own))])
		}
		named := append([]string(nil), skills...) // named as skills, so they count in explicit_skills too
		if len(esco) > 0 && r.IntN(5) == 0 {
			skills = append(skills, esco[r.IntN(len(esco))])
		}
		var claimed []string
		if len(trades) > 0 && r.IntN(3) == 0 {
			for k := range 1 + r.IntN(5) {
				c := trades[r.IntN(len(trades))]
				claimed = append(claimed, c, c+"+")
				if k == 0 {
					claimed = append(claimed, c+"++", c+"!")
				}
			}
		}
		out[i] = matching.CandidateDoc{
			ID: fmt.Sprintf("c_%08d", i), Skills: skills, ExplicitSkills: named, Trades: claimed, SkillText: strings.Join(skills, " "),
			Certificates: []string{certs[r.IntN(len(certs))].Code}, Languages: []string{"nl"},
			HoursPerWeek: []int{16, 24, 32, 36, 38, 40}[r.IntN(6)], AvailableFrom: now.AddDate(0, 0, r.IntN(90)-30),
			Place: p.Name, Province: p.ProvinceName(), Lat: p.Lat + (r.Float64()-0.5)*0.05, Lon: p.Lon + (r.Float64()-0.5)*0.05,
			TravelRadiusKm: []int{5, 10, 15, 20, 25, 40, 60}[r.IntN(7)], ConfirmedAt: now.Add(-time.Duration(r.IntN(40*24)) * time.Hour),
		}
	}
	return out
}

// TypoedSkills are what employers type in the employer query: one typo
// each, resolved through the taxonomy inside the timed path.
var TypoedSkills = []string{"heftruk", "lasen", "schoonmake", "metzelen", "orderpiken", "kooken", "vakkevullen", "groenonderhout"}

// TypoedTrades are trade titles the project's file does not list, with a
// typo each: ESCO occupations, found by code and by the trades profiles
// claim in their own words (and those related).
var TypoedTrades = []string{"bakkr", "kappre", "tapijtleger", "schoenmaer", "schoorsteenveer", "behangr", "kleermker", "horlogemakr"}

// Query is one kind of query the benchmark times; Make builds the i-th.
type Query struct {
	Name string
	Make func(i int) matching.CandidateQuery
}

// Queries are the timed kinds: the typical employer query (a typo'd skill,
// Utrecht + 25 km with each candidate's travel radius, available and
// confirmed within 30 days, 20 hits, facets), the same for a trade title
// (its code, the profiles that claim it and those related), the same
// without facets, the same without a skill (broad), and the engine part of
// matches for a vacancy (three skills, everyone whose travel radius
// reaches Utrecht up to 300 km, a pool of 200).
func Queries(now time.Time) []Query {
	tx, _ := taxonomy.Load()
	utrecht, _ := places.New().Lookup("Utrecht", "")
	typed := func(text string) matching.CandidateQuery {
		ms, rest := tx.Resolve(text)
		var skills []string
		for _, m := range ms {
			skills = append(skills, m.Skills...)
		}
		return matching.CandidateQuery{Skills: skills, Words: rest, Trades: matching.TradeTerms(tx, skills), Geo: &matching.Geo{Lat: utrecht.Lat, Lon: utrecht.Lon, Km: 25},
			AvailableBefore: now.AddDate(0, 0, 30), ConfirmedAfter: now.AddDate(0, 0, -30), Limit: 20, Facets: true}
	}
	employer := func(i int) matching.CandidateQuery { return typed(TypoedSkills[i%len(TypoedSkills)]) }
	return []Query{
		{"employer-query", employer},
		{"employer-query-trade", func(i int) matching.CandidateQuery { return typed(TypoedTrades[i%len(TypoedTrades)]) }},
		{"employer-query-nofacets", func(i int) matching.CandidateQuery {
			q := employer(i)
			q.Facets = false
			return q
		}},
		{"employer-query-broad", func(i int) matching.CandidateQuery {
			q := employer(i)
			q.Skills, q.Words = nil, nil
			return q
		}},
		{"vacancy-matches", func(int) matching.CandidateQuery {
			return matching.CandidateQuery{Skills: []string{"order_picking", "forklift_driving", "packing"},
				Geo: &matching.Geo{Lat: utrecht.Lat, Lon: utrecht.Lon, Km: 300}, ConfirmedAfter: now.AddDate(0, 0, -30), Limit: 200}
		}},
	}
}

// Index loads docs into ix in batches of 2,000 and compacts it when it
// can; it returns the indexing throughput (compaction not counted).
func Index(ctx context.Context, ix matching.Index, docs []matching.CandidateDoc) (docsPerSec float64, err error) {
	start := time.Now()
	for i := 0; i < len(docs); i += 2000 {
		if err := ix.UpsertCandidates(ctx, docs[i:min(i+2000, len(docs))]); err != nil {
			return 0, err
		}
	}
	took := time.Since(start)
	if c, ok := ix.(matching.Compacter); ok {
		if err := c.Compact(ctx); err != nil {
			return 0, err
		}
	}
	return float64(len(docs)) / took.Seconds(), nil
}

// Latency is a query kind's percentiles over one run.
type Latency struct {
	Name          string
	P50, P95, P99 time.Duration
	Total         int // matches of the first query, to show the queries find something
}

// Time runs n queries of kind q against ix, one after another.
func Time(ctx context.Context, ix matching.Index, q Query, n int) (Latency, error) {
	lat := make([]time.Duration, 0, n)
	out := Latency{Name: q.Name}
	for i := 0; i < n; i++ {
		query := q.Make(i)
		t0 := time.Now()
		res, err := ix.SearchCandidates(ctx, query)
		if err != nil {
			return Latency{}, fmt.Errorf("%s: %w", q.Name, err)
		}
		lat = append(lat, time.Since(t0))
		if i == 0 {
			out.Total = res.Total
		}
	}
	out.P50, out.P95, out.P99 = Percentile(lat, 0.50), Percentile(lat, 0.95), Percentile(lat, 0.99)
	return out, nil
}

// Percentile is the p-th percentile of ds (nearest rank below); ds is
// sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[int(p*float64(len(ds)-1))]
}
