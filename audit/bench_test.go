package audit_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store/storetest"
)

// BenchmarkRecord measures the append rate of one recorder (one process)
// with 1 and 8 concurrent writers, each event about one of 500 subjects
// (every search is an event). The chain is sequential, so appends take a
// process-wide mutex: 8 writers show what it costs against 1.
func BenchmarkRecord(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db := storetest.Open(b)
			storetest.IndexIDs(b, db, audit.NewRecorder(db, nil).Collections()...)
			r := audit.NewRecorder(db, nil)
			var n atomic.Int64
			b.SetParallelism((writers + 1) / 2) // GOMAXPROCS is 2 here
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if err := r.Record(context.Background(), audit.Entry{ActorID: "u", Role: "employer", Action: "search.candidates", Subject: fmt.Sprintf("employer:e%d", i%500)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkDisclosureLog measures reading a candidate's disclosure log (20
// disclosures among 2,000 reads of the record by its worker and the
// candidate themself): through its stream, and as it was read before the
// stream, the subject's own index walked for 3 × 1,000 events.
func BenchmarkDisclosureLog(b *testing.B) {
	db := storetest.Open(b)
	storetest.IndexIDs(b, db, audit.NewRecorder(db, nil).Collections()...)
	ctx := context.Background()
	r := audit.NewRecorder(db, nil)
	if err := r.Stream(ctx, "d", "disclosed"); err != nil {
		b.Fatal(err)
	}
	for i := range 2000 {
		action := "read"
		if i%100 == 0 {
			action = "disclosed"
		}
		if err := r.Record(ctx, audit.Entry{ActorID: "u", Role: "probation_worker", Action: action, Subject: "candidate:c1"}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		read func() ([]audit.Event, error)
	}{
		{"stream", func() ([]audit.Event, error) { return r.BySubjectStream(ctx, "candidate:c1", "d", 0, 1000) }},
		{"whole-subject", func() ([]audit.Event, error) { return r.BySubject(ctx, "candidate:c1", 0, 3000) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				evs, err := bc.read()
				if err != nil || len(evs) < 20 {
					b.Fatal(len(evs), err)
				}
			}
		})
	}
}
