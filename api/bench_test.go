package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/api"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/candidates/candidatetest"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// benchEnv is a server on a real socket over a database seeded with n
// candidates; the bench worker has a caseload of 50 of them.
type benchEnv struct {
	base  string
	token string
	// creators are 40 other workers: creates go round-robin over their
	// caseloads, so no caseload grows past a realistic size over the runs.
	creators []string
	db       *mongo.Database
	worker   string
	own      []string // the bench worker's candidate ids
	client   *http.Client
}

var (
	benchMu   sync.Mutex
	benchEnvs = map[int]*benchEnv{} // seeded once per size, shared by -count runs
)

func seededEnv(b *testing.B, n int) *benchEnv {
	benchMu.Lock()
	defer benchMu.Unlock()
	if e, ok := benchEnvs[n]; ok {
		return e
	}
	db := storetest.Open(b)
	// The database outlives this benchmark for reuse by later -count runs;
	// storetest drops it when the benchmark that made it ends, so keep a
	// second handle that is not dropped.
	db = db.Client().Database(db.Name() + "_keep")
	rec := audit.NewRecorder(db, nil)
	ob := store.NewOutbox(db, slog.New(slog.DiscardHandler))
	ust, cst := users.NewStore(db), candidates.NewStore(db)
	// As serve does at start (store.DB.IndexIDs).
	storetest.IndexIDs(b, db, append(append(append(rec.Collections(), ust.Collections()...), cst.Collections()...), ob.Name())...)
	us := users.NewService(ust, rec, ob, nil)
	cs := candidates.NewService(cst, rec, places.New(), ob, nil)
	app := api.New(api.Config{Users: us, Candidates: cs, Audit: rec, Logger: slog.New(slog.DiscardHandler)}, web.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()

	ctx := context.Background()
	u, err := us.CreateUnchecked(ctx, users.NewUser{Email: "bench@example.nl", Password: "benchmark password", Role: users.ProbationWorker})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	e := &benchEnv{base: "http://" + ln.Addr().String(), db: db, worker: string(u.ID),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	start := time.Now()
	for done := 0; done < n; {
		batch := make([]candidates.ImportItem, 0, 2000)
		for len(batch) < cap(batch) && done+len(batch) < n {
			i := done + len(batch)
			w := users.ID(fmt.Sprintf("u_seed%05d", i/50))
			if i < 50 {
				w = u.ID
			}
			batch = append(batch, candidates.ImportItem{WorkerID: w, Input: candidatetest.Input(r, now), Available: true})
		}
		ids, err := cs.Import(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		for i, id := range ids {
			if done+i < 50 {
				e.own = append(e.own, string(id))
			}
		}
		done += len(batch)
	}
	b.Logf("seeded %d candidates in %s (%s)", n, time.Since(start).Round(time.Millisecond), storetest.Backend())
	tok, err := us.Login(ctx, users.Credentials{Email: "bench@example.nl", Password: "benchmark password"}, false)
	if err != nil {
		b.Fatal(err)
	}
	e.token = tok.Token
	for i := 0; i < 40; i++ {
		email := fmt.Sprintf("creator%d@example.nl", i)
		if _, err := us.CreateUnchecked(ctx, users.NewUser{Email: email, Password: "benchmark password", Role: users.ProbationWorker}); err != nil {
			b.Fatal(err)
		}
		t, err := us.Login(ctx, users.Credentials{Email: email, Password: "benchmark password", IP: fmt.Sprintf("10.0.0.%d", i)}, false)
		if err != nil {
			b.Fatal(err)
		}
		e.creators = append(e.creators, t.Token)
	}
	benchEnvs[n] = e
	return e
}

func (e *benchEnv) call(b *testing.B, method, path string, body []byte, want int) {
	e.callAs(b, e.token, method, path, body, want)
}

func (e *benchEnv) callAs(b *testing.B, token, method, path string, body []byte, want int) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s = %d; want %d", method, path, resp.StatusCode, want)
	}
}

// measure runs op b.N times and reports ops/s and the p50 and p99 latency.
func measure(b *testing.B, op func(i int)) {
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		op(i)
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func benchSizes() []int {
	s := os.Getenv("HERSTART_BENCH_SIZES")
	if s == "" {
		return []int{2000, 20000}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n >= 50 {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkCandidates measures create, read and list-my-caseload through the
// HTTP API (real socket, authentication, validation, audit, outbox) next to
// the same storage operations straight through the driver, so the API's
// overhead is a ratio. The driver-scan rows show what a filtered find costs
// on FerretDB, which is why caseloads are documents of their own.
func BenchmarkCandidates(b *testing.B) {
	for _, n := range benchSizes() {
		e := seededEnv(b, n)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(3, 4))
		profiles, identities, caseloads := e.db.Collection("candidates"), e.db.Collection("candidate_identities"), e.db.Collection("caseloads")
		prefix := fmt.Sprintf("n=%d/", n)

		b.Run(prefix+"create/api", func(b *testing.B) {
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i], _ = json.Marshal(candidatetest.Input(r, time.Now()))
			}
			measure(b, func(i int) { e.callAs(b, e.creators[i%len(e.creators)], "POST", "/api/v1/candidates", bodies[i], 201) })
		})
		b.Run(prefix+"create/driver", func(b *testing.B) {
			in := candidatetest.Input(r, time.Now())
			measure(b, func(i int) {
				id, w := store.NewID("c_"), fmt.Sprintf("u_driver%d", i%40)
				if _, err := identities.InsertOne(ctx, bson.M{"_id": id, "first_name": in.Identity.FirstName, "last_name": in.Identity.LastName, "birth_date": time.Now(), "phone": in.Identity.Phone}); err != nil {
					b.Fatal(err)
				}
				if _, err := profiles.InsertOne(ctx, bson.M{"_id": id, "worker_id": w, "status": "registered", "skills": in.Skills, "certificates": in.Certificates,
					"languages": in.Languages, "hours_per_week": in.HoursPerWeek, "home_place": bson.M{"name": in.HomePlace}, "travel_radius_km": in.TravelRadiusKm,
					"motivation": in.Motivation, "work_history": in.WorkHistory, "created_at": time.Now(), "updated_at": time.Now(), "version": 1}); err != nil {
					b.Fatal(err)
				}
				if _, err := caseloads.UpdateOne(ctx, bson.M{"_id": w}, bson.M{"$set": bson.M{"entries." + id: "registered|0|0|Utrecht|Sem d."}}, options.Update().SetUpsert(true)); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(prefix+"read/api", func(b *testing.B) {
			measure(b, func(i int) { e.call(b, "GET", "/api/v1/candidates/"+e.own[i%len(e.own)], nil, 200) })
		})
		b.Run(prefix+"read/driver", func(b *testing.B) {
			measure(b, func(i int) {
				var p, d bson.M
				id := e.own[i%len(e.own)]
				if err := profiles.FindOne(ctx, bson.M{"_id": id}).Decode(&p); err != nil {
					b.Fatal(err)
				}
				if err := identities.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(prefix+"update/api", func(b *testing.B) {
			// A read-modify-write of one candidate (the conditional write).
			measure(b, func(i int) {
				e.call(b, "PATCH", "/api/v1/candidates/"+e.own[i%len(e.own)], []byte(fmt.Sprintf(`{"hours_per_week": %d}`, 8+i%30)), 200)
			})
		})
		b.Run(prefix+"list/api", func(b *testing.B) {
			measure(b, func(i int) { e.call(b, "GET", "/api/v1/candidates", nil, 200) })
		})
		b.Run(prefix+"list/driver", func(b *testing.B) {
			measure(b, func(i int) {
				var d bson.M
				if err := caseloads.FindOne(ctx, bson.M{"_id": e.worker}).Decode(&d); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(prefix+"list/driver-scan", func(b *testing.B) {
			measure(b, func(i int) {
				cur, err := profiles.Find(ctx, bson.M{"worker_id": e.worker}, options.Find().SetProjection(bson.M{"_id": 1, "status": 1, "updated_at": 1}))
				if err != nil {
					b.Fatal(err)
				}
				var out []bson.M
				if err := cur.All(ctx, &out); err != nil || len(out) < 50 {
					b.Fatalf("scan found %d: %v", len(out), err)
				}
			})
		})
	}
}
