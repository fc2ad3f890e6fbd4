package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store/storetest"
)

func record(t *testing.T, r *audit.Recorder, n int, subject string) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := r.Record(context.Background(), audit.Entry{ActorID: "u1", Role: "coordinator", Action: "test.action", Subject: subject, Details: map[string]string{"i": fmt.Sprint(i)}})
		if err != nil {
			t.Fatalf("record: %v", err)
		}
	}
}

func TestVerify_Intact(t *testing.T) {
	db := storetest.Open(t)
	r := audit.NewRecorder(db, nil)
	record(t, r, 5, "candidate:c1")
	rep, err := r.Verify(context.Background())
	if err != nil || !rep.OK() || rep.Events != 5 {
		t.Fatalf("Verify = %+v, %v; want 5 intact events", rep, err)
	}
}

func TestVerify_Tampering(t *testing.T) {

	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		filter  bson.M
		update  bson.M
		del     bool
		wantSeq int64
	}{
		{name: "EditedAction", filter: bson.M{"_id": audit.DocID(3)}, update: bson.M{"$set": bson.M{"action": "something.else"}}, wantSeq: 3},
		{name: "EditedActor", filter: bson.M{"_id": audit.DocID(2)}, update: bson.M{"$set": bson.M{"actor_id": "u2"}}, wantSeq: 2},
		{name: "RehashedButUnlinked", filter: bson.M{"_id": audit.DocID(4)}, update: bson.M{"$set": bson.M{"prev_hash": "00"}}, wantSeq: 4},
		{name: "DeletedMiddle", filter: bson.M{"_id": audit.DocID(3)}, del: true, wantSeq: 3},
		{name: "DeletedLast", filter: bson.M{"_id": audit.DocID(6)}, del: true, wantSeq: 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.Open(t)
			r := audit.NewRecorder(db, nil)
			record(t, r, 6, "candidate:c1")
			coll := db.Collection("audit_events")
			var err error
			if tc.del {
				_, err = coll.DeleteOne(ctx, tc.filter)
			} else {
				_, err = coll.UpdateOne(ctx, tc.filter, tc.update)
			}
			if err != nil {
				t.Fatal(err)
			}
			rep, err := r.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.FirstBroken != tc.wantSeq {
				t.Fatalf("Verify = %+v; want first broken event %d", rep, tc.wantSeq)
			}
		})
	}
}

func TestRecord_ConcurrentRecordersKeepOneChain(t *testing.T) {
	db := storetest.Open(t)
	// Two recorders stand for two serve instances on one database: the chain
	// relies only on the unique _id of each event, which every backend
	// enforces atomically.
	a, b := audit.NewRecorder(db, nil), audit.NewRecorder(db, nil)
	var wg sync.WaitGroup
	for _, r := range []*audit.Recorder{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(t, r, 10, "user:u1")
		}()
	}
	wg.Wait()
	rep, err := a.Verify(context.Background())
	if err != nil || !rep.OK() || rep.Events != 40 {
		t.Fatalf("Verify = %+v, %v; want 40 intact events", rep, err)
	}
}

func TestBySubject_ConcurrentWritersInOneProcess(t *testing.T) {
	db := storetest.Open(t)
	r := audit.NewRecorder(db, nil)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(t, r, 10, "user:u1")
		}()
	}
	wg.Wait()
	evs, err := r.BySubject(context.Background(), "user:u1", 0, 100)
	if err != nil || len(evs) != 40 {
		t.Fatalf("BySubject = %d events, %v; want 40", len(evs), err)
	}
	if evs[0].Seq != 40 || evs[39].Seq != 1 {
		t.Fatalf("BySubject order: first %d last %d; want newest first", evs[0].Seq, evs[39].Seq)
	}
}

func TestBySubject_PagesAndFilters(t *testing.T) {
	db := storetest.Open(t)
	r := audit.NewRecorder(db, nil)
	record(t, r, 3, "candidate:a")
	record(t, r, 2, "candidate:b")
	record(t, r, 3, "candidate:a")
	page, err := r.BySubject(context.Background(), "candidate:a", 0, 4)
	if err != nil || len(page) != 4 {
		t.Fatalf("page 1: %d, %v", len(page), err)
	}
	rest, err := r.BySubject(context.Background(), "candidate:a", page[3].Seq, 4)
	if err != nil || len(rest) != 2 {
		t.Fatalf("page 2: %d, %v; want 2", len(rest), err)
	}
	for _, e := range append(page, rest...) {
		if e.Subject != "candidate:a" {
			t.Fatalf("event %d has subject %s", e.Seq, e.Subject)
		}
	}
}

func TestBySubject_SpansChunks(t *testing.T) {
	db := storetest.Open(t)
	r := audit.NewRecorder(db, nil)
	record(t, r, 250, "candidate:busy")
	record(t, r, 3, "candidate:quiet")
	all, err := r.BySubject(context.Background(), "candidate:busy", 0, 1000)
	if err != nil || len(all) != 250 {
		t.Fatalf("BySubject = %d events, %v; want 250 across three chunks", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq >= all[i-1].Seq {
			t.Fatalf("not newest first at %d: %d then %d", i, all[i-1].Seq, all[i].Seq)
		}
	}
	page, _ := r.BySubject(context.Background(), "candidate:busy", all[120].Seq, 10)
	if len(page) != 10 || page[0].Seq != all[121].Seq {
		t.Fatalf("page after %d starts at %d; want %d", all[120].Seq, page[0].Seq, all[121].Seq)
	}
}

// TestHead_SavedOffThePathAndCaughtUp: the head is saved after the events,
// off the request path; FlushHead waits for it. A process that starts on a
// head left behind (killed before its save) reads forward from it and
// chains its events after the last one stored.
func TestHead_SavedOffThePathAndCaughtUp(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	a := audit.NewRecorder(db, nil)
	record(t, a, 7, "candidate:c1")
	a.FlushHead(ctx)
	var h struct {
		Seq int64 `bson:"seq"`
	}
	if err := db.Collection("audit_head").FindOne(ctx, bson.M{"_id": "head"}).Decode(&h); err != nil || h.Seq != 7 {
		t.Fatalf("head after 7 events and a flush: %+v, %v; want seq 7", h, err)
	}
	setHead(t, db, 3)
	b := audit.NewRecorder(db, nil) // a new process: its head is read from the database
	record(t, b, 2, "candidate:c2")
	rep, err := b.Verify(ctx)
	if err != nil || !rep.OK() || rep.Events != 9 {
		t.Fatalf("Verify after a start on a head 4 behind = %+v, %v; want 9 intact events", rep, err)
	}
}

// TestBySubject_SlotsOfAClashAreSkipped: a process whose head is behind
// claims subject slots for sequence numbers that events about the same
// subject already hold; after the clash its events go after them, and the
// subject's list holds each event once, newest first.
func TestBySubject_SlotsOfAClashAreSkipped(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	a := audit.NewRecorder(db, nil)
	record(t, a, 3, "candidate:c1")
	a.FlushHead(ctx)
	setHead(t, db, 1)
	b := audit.NewRecorder(db, nil)
	record(t, b, 2, "candidate:c1")
	if seqs := subjectSeqs(t, b, "candidate:c1"); fmt.Sprint(seqs) != "[5 4 3 2 1]" {
		t.Fatalf("events about c1 = %v; want [5 4 3 2 1]", seqs)
	}
}

// setHead moves the stored head back to seq, as a process killed before
// its head's save leaves it.
func setHead(t *testing.T, db *mongo.Database, seq int64) {
	t.Helper()
	if _, err := db.Collection("audit_head").UpdateOne(context.Background(), bson.M{"_id": "head"}, bson.M{"$set": bson.M{"seq": seq}}); err != nil {
		t.Fatal(err)
	}
}

// subjectSeqs are the sequence numbers of the (first ten) events about
// subject, as BySubject lists them.
func subjectSeqs(t *testing.T, r *audit.Recorder, subject string) []int64 {
	t.Helper()
	evs, err := r.BySubject(context.Background(), subject, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, e := range evs {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}
