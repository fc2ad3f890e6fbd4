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
