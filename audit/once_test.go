package audit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store/storetest"
)

func countOnce(t *testing.T, r *audit.Recorder, subject string) int {
	t.Helper()
	evs, err := r.BySubject(context.Background(), subject, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestRecordTask: a task's event is appended once: on its first run
// directly; on a re-run (the drain's) only when no event since the task was
// recorded names it — whether the first run crashed before the append, or
// after it (before the task was deleted).
func TestRecordTask(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	r := audit.NewRecorder(db, nil)
	intent := func(subject string) []byte {
		p, err := r.Intent(ctx, audit.Entry{ActorID: "u1", Role: "probation_worker", Action: "test.write", Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The first run appended, then crashed before the task's deletion:
	// two re-runs append nothing more.
	p := intent("candidate:c1")
	record(t, r, 2, "candidate:other") // others append meanwhile
	if err := r.RecordTask(ctx, "task-1", p, false); err != nil {
		t.Fatal(err)
	}
	record(t, r, 2, "candidate:other")
	for i := 0; i < 2; i++ {
		if err := r.RecordTask(ctx, "task-1", p, true); err != nil {
			t.Fatal(err)
		}
	}
	if n := countOnce(t, r, "candidate:c1"); n != 1 {
		t.Fatalf("a task run once and re-run twice gave %d events; want 1", n)
	}
	// The first run crashed before the append: the re-run appends it.
	p = intent("candidate:c2")
	record(t, r, 3, "candidate:other")
	if err := r.RecordTask(ctx, "task-2", p, true); err != nil {
		t.Fatal(err)
	}
	if n := countOnce(t, r, "candidate:c2"); n != 1 {
		t.Fatalf("a re-run after a crash before the append gave %d events; want 1", n)
	}
	if rep, err := r.Verify(ctx); err != nil || !rep.OK() {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

// TestRecord_ConcurrentSubjectIndex: eight writers over two instances
// record 200 events about one subject; the subject index lists all 200
// (its counter and chunks are conditional writes).
func TestRecord_ConcurrentSubjectIndex(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, audit.NewRecorder(db, nil).Collections()...)
	rs := []*audit.Recorder{audit.NewRecorder(db, nil), audit.NewRecorder(storetest.SecondInstance(t, db), nil)}
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := rs[w%2].Record(context.Background(), audit.Entry{ActorID: "u", Role: "r", Action: "test", Subject: "candidate:hot"}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	evs, err := rs[0].BySubject(context.Background(), "candidate:hot", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	if failed.Load() > 0 || len(evs) != 200 {
		t.Fatalf("%d failed; the subject index lists %d of 200 events", failed.Load(), len(evs))
	}
	if rep, err := rs[1].Verify(context.Background()); err != nil || !rep.OK() || rep.Events != 200 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

// TestBySubject_ReadsTheChunkedLayout: events indexed by an earlier
// version (a count and chunks of 25) are still listed, after newer ones.
func TestBySubject_ReadsTheChunkedLayout(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	r := audit.NewRecorder(db, nil)
	record(t, r, 3, "candidate:old")
	subjects := db.Collection("audit_subjects")
	// Rewrite the three as the chunked layout had them.
	if _, err := subjects.DeleteMany(ctx, bson.M{}); err != nil {
		t.Fatal(err)
	}
	if _, err := subjects.InsertOne(ctx, bson.M{"_id": "candidate:old", "count": int64(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := subjects.InsertOne(ctx, bson.M{"_id": "candidate:old#0", "seqs": bson.A{int64(1), int64(2), int64(3)}}); err != nil {
		t.Fatal(err)
	}
	r2 := audit.NewRecorder(db, nil) // a fresh process: no cached slots
	record(t, r2, 2, "candidate:old")
	if seqs := subjectSeqs(t, r2, "candidate:old"); fmt.Sprint(seqs) != "[5 4 3 2 1]" {
		t.Fatalf("events = %v; want [5 4 3 2 1], the new ones first", seqs)
	}
}
