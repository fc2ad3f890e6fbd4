package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store/storetest"
)

// TestStream: a stream holds a subject's events of its actions, newest
// first, with the events recorded before the stream began read from the
// subject's own index; a second instance on the database finds where the
// stream began; 20 appenders in parallel over two instances leave every
// event in the stream once; paging with before goes on where it stopped.
func TestStream(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	a := audit.NewRecorder(db, nil)
	rec := func(r *audit.Recorder, action, subject string) {
		t.Helper()
		if err := r.Record(ctx, audit.Entry{ActorID: "u1", Role: "employer", Action: action, Subject: subject}); err != nil {
			t.Fatal(err)
		}
	}
	// Before the stream: a grant among reads.
	rec(a, "read", "candidate:a")
	rec(a, "grant", "candidate:a")
	rec(a, "read", "candidate:a")
	if err := a.Stream(ctx, "d", "grant", "disclosed"); err != nil {
		t.Fatal(err)
	}
	b := audit.NewRecorder(db, nil) // another instance, started later
	if err := b.Stream(ctx, "d", "grant", "disclosed"); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		rec(a, "read", "candidate:a")
		if i%8 == 0 {
			rec(b, "disclosed", "candidate:a")
		}
		rec(b, "disclosed", "candidate:b")
	}
	rec(a, "grant", "candidate:a")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := a
			if i%2 == 1 {
				r = b
			}
			errs <- r.Record(ctx, audit.Entry{ActorID: fmt.Sprint("u", i), Role: "employer", Action: "disclosed", Subject: "candidate:a"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// 20 parallel + 1 grant + 5 disclosed after the start, 1 grant before.
	const want = 27
	for _, r := range []*audit.Recorder{a, b} {
		evs, err := r.BySubjectStream(ctx, "candidate:a", "d", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != want {
			t.Fatalf("stream of candidate:a: %d events; want %d", len(evs), want)
		}
		seen := map[int64]bool{}
		for i, e := range evs {
			if e.Subject != "candidate:a" || (e.Action != "grant" && e.Action != "disclosed") || seen[e.Seq] {
				t.Fatalf("event %d: %+v (twice: %v)", i, e, seen[e.Seq])
			}
			seen[e.Seq] = true
			if i > 0 && e.Seq >= evs[i-1].Seq {
				t.Fatalf("not newest first: %d after %d", e.Seq, evs[i-1].Seq)
			}
		}
		if last := evs[len(evs)-1]; last.Action != "grant" || last.Seq != 2 {
			t.Fatalf("the oldest is %+v; want the grant recorded before the stream began (seq 2)", last)
		}
		// Pages of 10: the same events, in the same order.
		var paged []int64
		before := int64(0)
		for {
			page, err := r.BySubjectStream(ctx, "candidate:a", "d", before, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				paged = append(paged, e.Seq)
			}
			if len(page) < 10 {
				break
			}
			before = page[len(page)-1].Seq
		}
		if len(paged) != want {
			t.Fatalf("paged: %d events; want %d", len(paged), want)
		}
		for i, e := range evs {
			if paged[i] != e.Seq {
				t.Fatalf("paged event %d is %d; want %d", i, paged[i], e.Seq)
			}
		}
	}
	// A stream not asked for reads the subject's own index: all actions.
	c := audit.NewRecorder(db, nil)
	evs, err := c.BySubjectStream(ctx, "candidate:a", "d", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 30 {
		t.Fatalf("without the stream: %d events; want 3 × 10 of the subject's own", len(evs))
	}
	if n := countOnce(t, a, "candidate:a"); n != 69 {
		t.Fatalf("the subject's own index: %d events; want all 69 (3 before, 40 reads, 6 after, 20 in parallel)", n)
	}
}
