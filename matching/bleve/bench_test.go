package bleve_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/enginebench"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store/storetest"
)

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
	at := func(p float64) float64 { return float64(enginebench.Percentile(lat, p).Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkEngine measures the embedded engine on generated data
// (enginebench: the same data and queries as `herstart bench search`):
// indexing throughput and each query kind's latency; next to it, with
// HERSTART_BENCH_MONGO set, the employer query as a plain MongoDB find on
// the same documents in the embedded FerretDB.
func BenchmarkEngine(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	queries := enginebench.Queries(now)
	utrecht, _ := places.New().Lookup("Utrecht", "")
	for _, n := range sizes() {
		docs := enginebench.Docs(n, 7, now)
		ix, err := bleve.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		rate, err := enginebench.Index(ctx, ix, docs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d/index", n), func(b *testing.B) {
			b.ReportMetric(rate, "docs/s")
			for i := 0; i < b.N; i++ {
			}
		})
		for i := range enginebench.TypoedSkills {
			r, err := ix.SearchCandidates(ctx, queries[0].Make(i))
			if err != nil || len(r.Hits) == 0 {
				b.Fatalf("n=%d: employer query %q: %d hits, %v", n, enginebench.TypoedSkills[i], len(r.Hits), err)
			}
			if i == 0 {
				b.Logf("n=%d: employer query %q: %d matching, facets %v", n, enginebench.TypoedSkills[i], r.Total, r.Facets)
			}
		}
		for _, q := range queries {
			b.Run(fmt.Sprintf("n=%d/%s", n, q.Name), func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					query := q.Make(i)
					t0 := time.Now()
					if _, err := ix.SearchCandidates(ctx, query); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
				}
				report(b, lat)
			})
		}
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
				q := queries[0].Make(i)
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
