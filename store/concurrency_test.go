package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
)

// TestMeasure_FilteredReplace records (it does not assert) what the server
// does with four writers each reading a counter and replacing it with a
// filter on the version read: a server that applies filter and write as
// one step loses nothing. FerretDB v1 loses most (docs/storage.md).
func TestMeasure_FilteredReplace(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	c := db.Collection("m")
	if _, err := c.InsertOne(ctx, bson.M{"_id": "x", "version": 0, "n": 0}); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				var d struct {
					Version int `bson:"version"`
					N       int `bson:"n"`
				}
				if err := c.FindOne(ctx, bson.M{"_id": "x"}).Decode(&d); err != nil {
					t.Error(err)
					return
				}
				res, err := c.ReplaceOne(ctx, bson.M{"_id": "x", "version": d.Version}, bson.M{"_id": "x", "version": d.Version + 1, "n": d.N + 1})
				if err != nil {
					t.Error(err)
					return
				}
				acked.Add(res.ModifiedCount)
			}
		}()
	}
	wg.Wait()
	var d struct {
		N int `bson:"n"`
	}
	_ = c.FindOne(ctx, bson.M{"_id": "x"}).Decode(&d)
	t.Logf("backend %s, plain filtered replace: %d acknowledged, counter %d (lost: %d)", storetest.Backend(), acked.Load(), d.N, acked.Load()-int64(d.N))
}

// TestVersions_NoLostUpdate: eight writers over two clients (two
// instances) increment one counter through Versions.Update; every
// acknowledged increment is there at the end.
func TestVersions_NoLostUpdate(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "m", "version_claims")
	dbs := []*mongo.Database{db, storetest.SecondInstance(t, db)}
	ctx := context.Background()
	var acked, stale atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := dbs[w%2]
			v := store.NewVersions(d)
			for i := 0; i < 40; i++ {
				_, err := v.Update(ctx, d.Collection("m"), "x", func(doc bson.M) (bson.M, error) {
					if doc == nil {
						doc = bson.M{"n": int64(0)}
					}
					doc["n"] = store.VersionOf(bson.M{"version": doc["n"]}) + 1
					return doc, nil
				})
				switch {
				case errors.Is(err, store.ErrStale):
					stale.Add(1)
				case err != nil:
					t.Error(err)
					return
				default:
					acked.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	var d bson.M
	if err := db.Collection("m").FindOne(ctx, bson.M{"_id": "x"}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	n := store.VersionOf(bson.M{"version": d["n"]})
	t.Logf("backend %s: %d increments acknowledged, %d gave up after %d clashes, counter %d", storetest.Backend(), acked.Load(), stale.Load(), store.MaxAttempts, n)
	if n != acked.Load() {
		t.Fatalf("counter %d; %d increments were acknowledged (lost updates)", n, acked.Load())
	}
	if acked.Load() < 200 {
		t.Fatalf("only %d of 320 increments succeeded", acked.Load())
	}
}

// TestVersions_CrashedClaimIsTakenOver: a claim left by a crashed writer
// blocks the document only until it is a minute old.
func TestVersions_CrashedClaimIsTakenOver(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	coll := db.Collection("m")
	v := store.NewVersions(db)
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "x", "version": int64(3), "n": 1}); err != nil {
		t.Fatal(err)
	}
	claims := db.Collection(v.Name())
	if _, err := claims.InsertOne(ctx, bson.M{"_id": "m/x@4#0", "at": time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := v.Replace(ctx, coll, "x", 3, bson.M{"_id": "x", "version": int64(4), "n": 2}); !errors.Is(err, store.ErrStale) {
		t.Fatalf("write past a live claim: %v; want ErrStale", err)
	}
	if _, err := claims.UpdateOne(ctx, bson.M{"_id": "m/x@4#0"}, bson.M{"$set": bson.M{"at": time.Now().Add(-2 * time.Minute).UTC()}}); err != nil {
		t.Fatal(err)
	}
	if err := v.Replace(ctx, coll, "x", 3, bson.M{"_id": "x", "version": int64(4), "n": 2}); err != nil {
		t.Fatalf("write past a crashed writer's claim: %v", err)
	}
	if err := v.Replace(ctx, coll, "x", 3, bson.M{"_id": "x", "version": int64(4), "n": 3}); !errors.Is(err, store.ErrStale) {
		t.Fatalf("a second write from the same version: %v; want ErrStale", err)
	}
}

// TestLeases_OneHolderUnderARace: sixteen instances (over two clients) try
// to take one expired lease at once; exactly one gets it.
func TestLeases_OneHolderUnderARace(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "leases", "version_claims")
	dbs := []*mongo.Database{db, storetest.SecondInstance(t, db)}
	ctx := context.Background()
	now := time.Now()
	if ok, err := store.NewLeases(db).Acquire(ctx, "job", "old", now.Add(-time.Hour), time.Minute); err != nil || !ok {
		t.Fatalf("first acquire: %v %v", ok, err)
	}
	var got atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := store.NewLeases(dbs[i%2]).Acquire(ctx, "job", fmt.Sprintf("holder-%d", i), now, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		}()
	}
	wg.Wait()
	if got.Load() != 1 {
		t.Fatalf("%d instances hold the lease; want exactly one", got.Load())
	}
}

// TestThrottle_NoLostHit: two instances' throttles count 200 hits on one
// key at once; the count is 200.
func TestThrottle_NoLostHit(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "th", "version_claims")
	ths := []*store.Throttle{store.NewThrottle(db, "th"), store.NewThrottle(storetest.SecondInstance(t, db), "th")}
	ctx := context.Background()
	now := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 25; k++ {
				if _, err := ths[i%2].Hit(ctx, "ip:1", now, time.Hour); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, err := ths[0].Count(ctx, "ip:1", now, time.Hour); err != nil || n != 200 {
		t.Fatalf("count after 200 concurrent hits = %d, %v", n, err)
	}
}
