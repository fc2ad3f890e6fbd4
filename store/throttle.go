package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	mathbits "math/bits"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Throttle counts events per key in fixed windows, in the database, so that
// every serve instance sees the same counts (a limiter in memory would let
// each instance allow the full rate).
type Throttle struct {
	coll     *mongo.Collection
	versions *Versions
	locks    Locks
}

// NewThrottle returns the throttle kept in collection name.
func NewThrottle(db *mongo.Database, name string) *Throttle {
	return &Throttle{coll: db.Collection(name), versions: NewVersions(db)}
}

// Name is the throttle collection's name.
func (t *Throttle) Name() string { return t.coll.Name() }

type throttleDoc struct {
	Key     string    `bson:"_id"`
	Start   time.Time `bson:"start"`
	Count   int       `bson:"count"`
	Bits    []byte    `bson:"bits,omitempty"` // HitDistinct's bitmap
	Version int64     `bson:"version"`
}

// Hit counts one event against key and returns the count in the current
// window.
func (t *Throttle) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	return t.HitN(ctx, key, 1, now, window)
}

// HitN counts n events against key and returns the count in the current
// window.
func (t *Throttle) HitN(ctx context.Context, key string, n int, now time.Time, window time.Duration) (int, error) {
	d, err := t.update(ctx, key, now, window, func(d *throttleDoc) { d.Count += n })
	return d.Count, err
}

// update applies fn to key's document of the current window (a fresh one
// when there is none or it has run out) and saves it conditionally on the
// version read (Versions), so that no instance's hit is lost; within this
// process callers take turns, so they seldom clash.
func (t *Throttle) update(ctx context.Context, key string, now time.Time, window time.Duration, fn func(d *throttleDoc)) (throttleDoc, error) {
	unlock := t.locks.Lock(key)
	defer unlock()
	d, err := UpdateAs(ctx, t.versions, t.coll, key, func(d *throttleDoc, exists bool) error {
		if !exists || !now.Before(d.Start.Add(window)) {
			*d = throttleDoc{Key: key, Start: now}
		}
		fn(d)
		return nil
	})
	if err != nil {
		return throttleDoc{}, fmt.Errorf("throttle: %w", err)
	}
	return d, nil
}

// distinctBits is the size of a distinct counter's bitmap (4 KiB): linear
// counting over 32,768 bits estimates up to ~50,000 distinct items within a
// few percent.
const distinctBits = 1 << 15

// HitDistinct counts items against key and returns the estimated number of
// distinct items in the current window before and after them, and how many
// items were counted in all. The estimate only grows within a window, so a
// limit is crossed once: before < limit <= after.
func (t *Throttle) HitDistinct(ctx context.Context, key string, items []string, now time.Time, window time.Duration) (before, after, total int, err error) {
	d, err := t.update(ctx, key, now, window, func(d *throttleDoc) {
		if len(d.Bits) != distinctBits/8 {
			d.Bits = make([]byte, distinctBits/8)
		}
		before = distinctEstimate(d.Bits)
		for _, it := range items {
			h := fnv.New64a()
			_, _ = h.Write([]byte(it))
			bit := h.Sum64() % distinctBits
			d.Bits[bit/8] |= 1 << (bit % 8)
		}
		d.Count += len(items)
	})
	if err != nil {
		return 0, 0, 0, err
	}
	return before, distinctEstimate(d.Bits), d.Count, nil
}

// distinctEstimate is linear counting: with z of m bits still zero, about
// m·ln(m/z) distinct items were added.
func distinctEstimate(bits []byte) int {
	zero := 0
	for _, b := range bits {
		zero += 8 - mathbits.OnesCount8(b)
	}
	m := float64(len(bits) * 8)
	if zero == 0 {
		return int(m * math.Log(m)) // saturated: a floor
	}
	return int(math.Round(m * math.Log(m/float64(zero))))
}

// Count returns the count for key in the current window without counting.
func (t *Throttle) Count(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	d, err := t.get(ctx, key)
	if err != nil || d.Key == "" || !now.Before(d.Start.Add(window)) {
		return 0, err
	}
	return d.Count, nil
}

// Clear forgets key.
func (t *Throttle) Clear(ctx context.Context, key string) error {
	if _, err := t.coll.DeleteOne(ctx, bson.M{"_id": key}); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

func (t *Throttle) get(ctx context.Context, key string) (throttleDoc, error) {
	var d throttleDoc
	err := t.coll.FindOne(ctx, bson.M{"_id": key}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return throttleDoc{}, fmt.Errorf("throttle: %w", err)
	}
	return d, nil
}
