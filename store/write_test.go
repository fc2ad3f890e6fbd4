package store_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
)

type noteDoc struct {
	ID     string       `bson:"_id"`
	Writes store.Writes `bson:"writes"`
}

// TestWriter_WhenATaskIsDropped: the one rule of the write path. A write
// that certainly did not land (ErrStale, a coded error) drops its task
// and records no event, but its follow-up runs to undo what it claimed; a
// write of unknown outcome leaves its task to the drain, which appends the
// event only if the document names the task; a write that landed appends
// its event once.
func TestWriter_WhenATaskIsDropped(t *testing.T) {
	db := storetest.Open(t)
	ob := store.NewOutbox(db, nil)
	rec := audit.NewRecorder(db, nil)
	w := store.NewWriter(ob, rec, nil)
	notes := db.Collection("notes")
	ctx := context.Background()
	var undone atomic.Int32
	type data struct {
		Note  string `json:"note"`
		Claim string `json:"claim"`
	}
	store.Handle(w, "test.note", func(ctx context.Context, f store.FollowUp[data]) (bool, error) {
		var d noteDoc
		err := notes.FindOne(ctx, bson.M{"_id": f.Data.Note}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			err = apperr.Errorf(apperr.NotFound, "no note") // as a domain store answers
		}
		landed, err := store.Landed(err, d.Writes, f.ID())
		if !landed && err == nil && f.Data.Claim != "" {
			undone.Add(1)
		}
		return landed, err
	})
	write := func(id string, save func(task string) error) error {
		return store.Do(ctx, w, store.Write[data]{Kind: "test.note", Key: id, Data: data{Note: id, Claim: "k-" + id},
			Event: audit.Entry{ActorID: "u_test", Role: "probation_worker", Action: "test.write", Subject: "note:" + id},
			Save:  func(_ context.Context, task string) error { return save(task) }})
	}
	events := func(id string) int {
		es, err := rec.BySubject(ctx, "note:"+id, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	pending := func() int64 {
		n, err := ob.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Landed.
	if err := write("n1", func(task string) error {
		_, err := notes.InsertOne(ctx, noteDoc{ID: "n1", Writes: store.Writes{}.With(task)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if events("n1") != 1 || pending() != 0 {
		t.Fatalf("landed: %d events, %d tasks left", events("n1"), pending())
	}
	// Certainly not written: a clash, a refusal.
	for i, refusal := range []error{store.ErrStale, apperr.Errorf(apperr.Conflict, "taken")} {
		id := []string{"n2", "n3"}[i]
		if err := write(id, func(string) error { return refusal }); !errors.Is(err, refusal) {
			t.Fatalf("%v came back as %v", refusal, err)
		}
		if events(id) != 0 || pending() != 0 {
			t.Fatalf("%v: %d events, %d tasks left; want none", refusal, events(id), pending())
		}
	}
	if undone.Load() != 2 {
		t.Fatalf("the follow-up undid %d refused writes; want 2", undone.Load())
	}
	// Unknown outcome: the insert landed, then the answer was lost.
	lost := errors.New("connection reset")
	if err := write("n4", func(task string) error {
		if _, err := notes.InsertOne(ctx, noteDoc{ID: "n4", Writes: store.Writes{}.With(task)}); err != nil {
			return err
		}
		return lost
	}); !errors.Is(err, lost) {
		t.Fatal(err)
	}
	if pending() != 1 || events("n4") != 0 {
		t.Fatalf("unknown outcome: %d tasks left, %d events; want the task kept, no event yet", pending(), events("n4"))
	}
	if _, err := ob.Drain(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if pending() != 0 || events("n4") != 1 {
		t.Fatalf("after the drain: %d tasks left, %d events; want none and one", pending(), events("n4"))
	}
}
