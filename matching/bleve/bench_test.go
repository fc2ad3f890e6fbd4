package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/places"
	"github.com/herstart/herstart/matching/taxonomy"
	"github.com/herstart/herstart/store/storetest"
)

// synthetic makes n candidate documents: skills from the taxonomy, homes in
// the 1,407 Dutch places weighted towards the cities, travel radii and
// availability as a caseload would have them.
func synthetic(n int, seed uint64) []matching.CandidateDoc {
	tx, _ := taxonomy.Load()
	tbl := places.New()
	r := rand.New(rand.NewPCG(seed, seed+1))
	var cities []places.Place
	for _, name := range []string{"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Zwolle", "Amersfoort", "Leeuwarden", "Maastricht"} {
		p, _ := tbl.Lookup(name, "")
		cities = append(cities, p)
	}
	all := make([]places.Place, 0, 30)
	for _, name := range []string{"Zeist", "Houten", "Nieuwegein", "Woerden", "Gouda", "Hilversum", "Veenendaal", "Ede", "Hoofddorp", "Haarlem", "Leiden", "Delft", "Dordrecht", "Zoetermeer", "Deventer", "Enschede", "Venlo", "Heerlen", "Assen", "Emmen", "Lelystad", "Middelburg", "Goes", "Roosendaal", "Oss", "Helmond", "Alkmaar", "Den Helder", "Purmerend", "Zaandam"} {
		p, _ := tbl.Lookup(name, "")
		all = append(all, p)
	}
	certs := taxonomy.Certificates
	now := time.Now()
	out := make([]matching.CandidateDoc, n)
	for i := range out {
		p := cities[r.IntN(len(cities))]
		if r.IntN(2) == 0 {
			p = all[r.IntN(len(all))]
		}
		var skills []string
		for k := 1 + r.IntN(4); k > 0; k-- {
			skills = append(skills, tx.Skills[r.IntN(len(tx.Skills))].Code)
		}
		d := matching.CandidateDoc{
			ID: fmt.Sprintf("c_%08d", i), Skills: skills, SkillText: strings.Join(skills, " "),
			Certificates: []string{certs[r.IntN(len(certs))].Code}, Languages: []string{"nl"},
			HoursPerWeek: []int{16, 24, 32, 36, 38, 40}[r.IntN(6)], AvailableFrom: now.AddDate(0, 0, r.IntN(90)-30),
			Place: p.Name, Province: p.ProvinceName(), Lat: p.Lat + (r.Float64()-0.5)*0.05, Lon: p.Lon + (r.Float64()-0.5)*0.05,
			TravelRadiusKm: []int{5, 10, 15, 20, 25, 40, 60}[r.IntN(7)], ConfirmedAt: now.Add(-time.Duration(r.IntN(40*24)) * time.Hour),
		}
		out[i] = d
	}
	return out
}

func sizes() []int {
	if s := os.Getenv("HERSTART_BENCH_SIZES"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				out = append(out, n)
			}
		}
		return out
	}
	return []int{10000, 100000}
}

func report(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkEngine measures the embedded engine on generated data: indexing
// throughput, the typical employer query (a typo'd skill resolved through
// the taxonomy, place + 25 km, available within 30 days, confirmed within
// 30 days, three facets, 20 hits), the same without a skill (broad), and
// the engine part of matches for a vacancy; next to it, the same employer query as a plain MongoDB find on
// the same documents in the embedded FerretDB.
func BenchmarkEngine(b *testing.B) {
	tx, _ := taxonomy.Load()
	tbl := places.New()
	ctx := context.Background()
	utrecht, _ := tbl.Lookup("Utrecht", "")
	for _, n := range sizes() {
		docs := synthetic(n, 7)
		ix, err := bleve.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < len(docs); i += 2000 {
			if err := ix.UpsertCandidates(ctx, docs[i:min(i+2000, len(docs))]); err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		if err := ix.Compact(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("n=%d: compacted in %s", n, time.Since(start)-took)
		b.Run(fmt.Sprintf("n=%d/index", n), func(b *testing.B) {
			b.ReportMetric(float64(n)/took.Seconds(), "docs/s")
			for i := 0; i < b.N; i++ {
			}
		})
		queries := []string{"heftruk", "lasen", "schoonmake", "metzelen", "orderpiken", "kooken", "vakkevullen", "groenonderhout"}
		employerQuery := func(i int) matching.CandidateQuery {
			ms, rest := tx.Resolve(queries[i%len(queries)])
			var skills []string
			for _, m := range ms {
				skills = append(skills, m.Skills...)
			}
			now := time.Now()
			return matching.CandidateQuery{Skills: skills, Words: rest, Geo: &matching.Geo{Lat: utrecht.Lat, Lon: utrecht.Lon, Km: 25},
				AvailableBefore: now.AddDate(0, 0, 30), ConfirmedAfter: now.AddDate(0, 0, -30), Limit: 20, Facets: true}
		}
		for i := range queries {
			r, err := ix.SearchCandidates(ctx, employerQuery(i))
			if err != nil || len(r.Hits) == 0 {
				b.Fatalf("n=%d: employer query %q: %d hits, %v", n, queries[i], len(r.Hits), err)
			}
			if i == 0 {
				b.Logf("n=%d: employer query %q: %d matching, facets %v", n, queries[i], r.Total, r.Facets)
			}
		}
		b.Run(fmt.Sprintf("n=%d/employer-query", n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := ix.SearchCandidates(ctx, employerQuery(i)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat)
		})
		b.Run(fmt.Sprintf("n=%d/employer-query-nofacets", n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				q := employerQuery(i)
				q.Facets = false
				t0 := time.Now()
				if _, err := ix.SearchCandidates(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat)
		})
		b.Run(fmt.Sprintf("n=%d/employer-query-broad", n), func(b *testing.B) {
			// No skill: everyone near Utrecht, narrowed in the index by
			// place cells only, with facets.
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				q := employerQuery(i)
				q.Skills, q.Words = nil, nil
				t0 := time.Now()
				if _, err := ix.SearchCandidates(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat)
		})
		b.Run(fmt.Sprintf("n=%d/vacancy-matches", n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				_, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"order_picking", "forklift_driving", "packing"},
					Geo: &matching.Geo{Lat: utrecht.Lat, Lon: utrecht.Lon, Km: 300}, ConfirmedAfter: time.Now().AddDate(0, 0, -30), Limit: 200})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat)
		})
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.Logf("n=%d: heap in use after indexing and querying: %d MiB", n, ms.HeapInuse>>20)
		_ = ix.Close()

		if os.Getenv("HERSTART_BENCH_MONGO") == "" {
			continue
		}
		// The same employer query as a plain find on the embedded FerretDB.
		db := storetest.Open(b)
		coll := db.Collection("cards")
		batch := make([]any, 0, 5000)
		for _, d := range docs {
			batch = append(batch, bson.M{"_id": d.ID, "skills": d.Skills, "province": d.Province, "hours": d.HoursPerWeek,
				"available_from": d.AvailableFrom, "confirmed_at": d.ConfirmedAt, "lat": d.Lat, "lon": d.Lon, "travel": d.TravelRadiusKm})
			if len(batch) == cap(batch) {
				if _, err := coll.InsertMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			if _, err := coll.InsertMany(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("n=%d/employer-query-mongo-find", n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				q := employerQuery(i)
				dLat, dLon := 25.0/111, 25.0/68 // a bounding box around Utrecht
				filter := bson.M{"skills": bson.M{"$in": q.Skills}, "available_from": bson.M{"$lte": q.AvailableBefore},
					"confirmed_at": bson.M{"$gte": q.ConfirmedAfter},
					"lat":          bson.M{"$gte": utrecht.Lat - dLat, "$lte": utrecht.Lat + dLat}, "lon": bson.M{"$gte": utrecht.Lon - dLon, "$lte": utrecht.Lon + dLon}}
				t0 := time.Now()
				cur, err := coll.Find(ctx, filter, options.Find().SetLimit(20))
				if err != nil {
					b.Fatal(err)
				}
				var out []bson.M
				if err := cur.All(ctx, &out); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat)
		})
	}
}
