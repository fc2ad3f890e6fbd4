package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
)

func TestKeys(t *testing.T) {
	ctx := context.Background()
	k := store.NewKeys(storetest.Open(t), "keys")
	if err := k.Claim(ctx, "a@example.nl", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := k.Claim(ctx, "a@example.nl", "u1"); err != nil {
		t.Fatalf("re-claim by the owner: %v; want idempotent success", err)
	}
	if err := k.Claim(ctx, "a@example.nl", "u2"); !errors.Is(err, store.ErrKeyTaken) {
		t.Fatalf("claim by another = %v; want ErrKeyTaken", err)
	}
	if o, _ := k.Owner(ctx, "a@example.nl"); o != "u1" {
		t.Fatalf("owner = %q", o)
	}
	if err := k.Release(ctx, "a@example.nl", "u2"); err != nil {
		t.Fatal(err)
	}
	if o, _ := k.Owner(ctx, "a@example.nl"); o != "u1" {
		t.Fatalf("release by a non-owner removed the key")
	}
}

func TestLeases(t *testing.T) {
	ctx := context.Background()
	l := store.NewLeases(storetest.Open(t))
	now := time.Now()
	if ok, err := l.Acquire(ctx, "job", "a", now, time.Minute); !ok || err != nil {
		t.Fatalf("first acquire = %v, %v", ok, err)
	}
	if ok, _ := l.Acquire(ctx, "job", "b", now.Add(30*time.Second), time.Minute); ok {
		t.Fatal("b took a lease a still holds")
	}
	if ok, _ := l.Acquire(ctx, "job", "a", now.Add(30*time.Second), time.Minute); !ok {
		t.Fatal("a could not renew its own lease")
	}
	if ok, _ := l.Acquire(ctx, "job", "b", now.Add(2*time.Minute), time.Minute); !ok {
		t.Fatal("b could not take an expired lease")
	}
}

// TestLeases_ReleaseAll: a holder's leases are given up at once (at
// shutdown, or for the holder a crashed process had), so another takes
// the jobs without waiting for them to expire; others' stay.
func TestLeases_ReleaseAll(t *testing.T) {
	ctx := context.Background()
	l := store.NewLeases(storetest.Open(t))
	now := time.Now()
	for _, name := range []string{"payments-sweep", "outbox"} {
		if ok, err := l.Acquire(ctx, name, "a", now, 20*time.Minute); !ok || err != nil {
			t.Fatalf("acquire %s = %v, %v", name, ok, err)
		}
	}
	if ok, _ := l.Acquire(ctx, "prune", "c", now, 20*time.Minute); !ok {
		t.Fatal("c could not take prune")
	}
	if n, err := l.ReleaseAll(ctx, "a"); err != nil || n != 2 {
		t.Fatalf("ReleaseAll = %d, %v; want 2", n, err)
	}
	if ok, _ := l.Acquire(ctx, "payments-sweep", "b", now.Add(time.Second), 20*time.Minute); !ok {
		t.Fatal("b could not take a released lease at once")
	}
	if ok, _ := l.Acquire(ctx, "prune", "b", now.Add(time.Second), 20*time.Minute); ok {
		t.Fatal("b took c's lease: ReleaseAll gave up another holder's")
	}
	if n, _ := l.ReleaseAll(ctx, "a"); n != 0 {
		t.Fatalf("a second ReleaseAll gave up %d", n)
	}
}

func TestOutbox_DrainRecoversLeftTasks(t *testing.T) {
	ctx := context.Background()
	ob := store.NewOutbox(storetest.Open(t), nil)
	var runs atomic.Int32
	fail := true
	ob.Register("k", func(ctx context.Context, _ store.Task) error {
		runs.Add(1)
		if fail {
			return errors.New("down")
		}
		return nil
	})
	// A task enqueued and never completed stands for a crash after the writes.
	if _, err := ob.Enqueue(ctx, "k", "x"); err != nil {
		t.Fatal(err)
	}
	task, _ := ob.Enqueue(ctx, "k", "y")
	if err := ob.Complete(ctx, task); err == nil {
		t.Fatal("Complete with a failing handler returned nil")
	}
	if n, _ := ob.Pending(ctx); n != 2 {
		t.Fatalf("pending = %d; want 2", n)
	}
	fail = false
	n, err := ob.Drain(ctx, time.Now().Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("Drain = %d, %v; want 2", n, err)
	}
	if p, _ := ob.Pending(ctx); p != 0 {
		t.Fatalf("pending after drain = %d", p)
	}
	if n, _ := ob.Drain(ctx, time.Now().Add(time.Second)); n != 0 {
		t.Fatalf("second drain ran %d tasks", n)
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := store.NewID("c_")
		if len(id) != 18 || seen[id] {
			t.Fatalf("id %q: wrong length or repeated", id)
		}
		seen[id] = true
	}
}

// TestThrottle_HitDistinct: repeats do not count, the estimate stays within
// a few percent of the truth, crosses a limit once, and a new window starts
// afresh.
func TestThrottle_HitDistinct(t *testing.T) {
	ctx := context.Background()
	th := store.NewThrottle(storetest.Open(t), "throttle")
	now := time.Now()
	page := func(from, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("c_%06d", from+i)
		}
		return out
	}
	for i := 0; i < 30; i++ { // the same 20 cards, thirty times
		if _, _, _, err := th.HitDistinct(ctx, "k", page(0, 20), now, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	before, after, total, err := th.HitDistinct(ctx, "k", page(0, 20), now, 24*time.Hour)
	if err != nil || before != 20 || after != 20 || total != 620 {
		t.Fatalf("repeats: before %d, after %d, total %d, %v; want 20, 20, 620", before, after, total, err)
	}
	crossed := 0
	for from := 20; from < 3000; from += 50 {
		before, after, _, err := th.HitDistinct(ctx, "k", page(from, 50), now, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if before < 1000 && after >= 1000 {
			crossed++
		}
	}
	_, after, _, _ = th.HitDistinct(ctx, "k", nil, now, 24*time.Hour)
	if after < 2880 || after > 3120 || crossed != 1 {
		t.Fatalf("3,000 distinct estimated as %d (limit crossed %d times); want within 4%% and once", after, crossed)
	}
	if _, after, total, _ := th.HitDistinct(ctx, "k", page(0, 5), now.Add(25*time.Hour), 24*time.Hour); after != 5 || total != 5 {
		t.Fatalf("next window: %d distinct, %d in all; want 5, 5", after, total)
	}
}
