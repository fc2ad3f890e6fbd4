package placements_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// BenchmarkLists measures what an employer's page load reads: its
// introductions list and an inbox, each with 2,000 entries, on the
// embedded default; reports p50 and p99.
func BenchmarkLists(b *testing.B) {
	db := storetest.Open(b)
	ob := store.NewOutbox(db, nil)
	rec := audit.NewRecorder(db, nil)
	us := users.NewService(users.NewStore(db), rec, ob, nil)
	cs := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
	es := employers.NewService(employers.NewStore(db), us, rec, places.New(), store.NewThrottle(db, "throttle"), ob, nil)
	st := placements.NewStore(db)
	storetest.IndexIDs(b, db, append(st.Collections(), "inboxes", "version_claims")...)
	ps := placements.NewService(st, cs, es, us, rec, ob, nil)
	ib := inbox.NewService(db, nil)
	n := 2000
	if s := os.Getenv("HERSTART_BENCH_INTROS"); s != "" {
		fmt.Sscan(s, &n)
	}
	ctx := context.Background()
	start := time.Now()
	if err := placements.SeedForBench(ctx, st, "e_bench", n); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n && i < 200; i++ { // an inbox keeps its newest 200
		if err := ib.Notify(ctx, "u_bench", "introduction.proposed", "A probation worker proposed a candidate for one of your vacancies.", fmt.Sprintf("introduction:i_%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d introductions in %s", n, time.Since(start).Round(time.Millisecond))
	emp := users.WithActor(ctx, users.Actor{UserID: "u_bench", Role: users.Employer, EmployerID: "e_bench"})
	b.Run(fmt.Sprintf("introductions=%d", n), func(b *testing.B) {
		measure(b, func() error {
			l, err := ps.List(emp)
			if err == nil && len(l) != n {
				return fmt.Errorf("list has %d", len(l))
			}
			return err
		})
	})
	b.Run("inbox=200", func(b *testing.B) {
		measure(b, func() error {
			p, err := ib.List(emp)
			if err == nil && len(p.Items) != min(n, 200) {
				return fmt.Errorf("inbox has %d", len(p.Items))
			}
			return err
		})
	})
}

// BenchmarkMentoring measures a mentor's agenda across 40 placements and
// their worker's escalation list, each one document read, on the
// embedded default; and, for comparison, the worker's report, which reads
// every placement. Reports p50 and p99.
func BenchmarkMentoring(b *testing.B) {
	db := storetest.Open(b)
	ob := store.NewOutbox(db, nil)
	rec := audit.NewRecorder(db, nil)
	us := users.NewService(users.NewStore(db), rec, ob, nil)
	cs := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
	es := employers.NewService(employers.NewStore(db), us, rec, places.New(), store.NewThrottle(db, "throttle"), ob, nil)
	st := placements.NewStore(db)
	storetest.IndexIDs(b, db, append(st.Collections(), "version_claims")...)
	now := time.Now()
	ps := placements.NewService(st, cs, es, us, rec, ob, func() time.Time { return now })
	n := 40
	ctx := context.Background()
	t0 := time.Now()
	if err := placements.SeedMentoring(ctx, st, "u_mentor", "u_worker", n, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d placements in %s", n, time.Since(t0).Round(time.Millisecond))
	mentor := users.WithActor(ctx, users.Actor{UserID: "u_mentor", Role: users.Mentor})
	worker := users.WithActor(ctx, users.Actor{UserID: "u_worker", Role: users.ProbationWorker})
	b.Run(fmt.Sprintf("agenda/placements=%d", n), func(b *testing.B) {
		measure(b, func() error {
			a, err := ps.Agenda(mentor)
			if err == nil && len(a.Overdue)+len(a.DueToday)+len(a.ThisWeek) == 0 {
				return fmt.Errorf("empty agenda")
			}
			return err
		})
	})
	b.Run(fmt.Sprintf("escalations/placements=%d", n), func(b *testing.B) {
		measure(b, func() error {
			l, err := ps.Escalations(worker)
			if err == nil && len(l) == 0 {
				return fmt.Errorf("no escalations")
			}
			return err
		})
	})
	b.Run(fmt.Sprintf("report/placements=%d", n), func(b *testing.B) {
		measure(b, func() error {
			r, err := ps.Report(worker)
			if err == nil && r.Placements != n {
				return fmt.Errorf("report has %d placements", r.Placements)
			}
			return err
		})
	})
}

// measure times op b.N times and reports the p50 and p99 latencies.
func measure(b *testing.B, op func() error) {
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Microseconds())/1000, "p99-ms")
}
