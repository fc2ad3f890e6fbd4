package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
)

// 20 bumps at once over two instances: none is lost (a lost one could
// leave a cache filled between two bumps standing), and a read that starts
// after they answered sees all of them on either instance.
func TestEpoch_Parallel_NoLostBump(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, store.EpochCollection, "version_claims")
	eps := []*store.Epoch{store.NewEpoch(db, store.EpochCollection, "x"), store.NewEpoch(storetest.SecondInstance(t, db), store.EpochCollection, "x")}
	ctx := context.Background()
	if n, err := eps[1].Current(ctx); err != nil || n != 0 {
		t.Fatalf("epoch before any bump = %d, %v", n, err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := eps[i%2].Bump(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, e := range eps {
		if n, err := e.Current(ctx); err != nil || n != 20 {
			t.Fatalf("instance %d: epoch after 20 parallel bumps = %d, %v; want 20", i, n, err)
		}
	}
}

// A cached value serves until the epoch moves on any instance.
func TestCached_EmptiedByABumpElsewhere(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, store.EpochCollection, "version_claims")
	here := store.NewCached[int](store.NewEpoch(db, store.EpochCollection, "y"), time.Hour, 10)
	there := store.NewEpoch(storetest.SecondInstance(t, db), store.EpochCollection, "y")
	ctx := context.Background()
	loads := 0
	load := func(context.Context) (int, error) { loads++; return loads, nil }
	for range 3 {
		if v, err := here.Get(ctx, "k", time.Now(), load); err != nil || v != 1 {
			t.Fatalf("cached value = %d, %v; want the first load's 1", v, err)
		}
	}
	if err := there.Bump(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := here.Get(ctx, "k", time.Now(), load); err != nil || v != 2 {
		t.Fatalf("value after a bump on another instance = %d, %v; want a fresh load (2)", v, err)
	}
}
