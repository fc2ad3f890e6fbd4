package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Throttle counts events per key in fixed windows, in the database, so that
// every serve instance sees the same counts (a limiter in memory would let
// each instance allow the full rate).
type Throttle struct {
	coll  *mongo.Collection
	locks Locks
}

// NewThrottle returns the throttle kept in collection name.
func NewThrottle(db *mongo.Database, name string) *Throttle {
	return &Throttle{coll: db.Collection(name)}
}

// Name is the throttle collection's name.
func (t *Throttle) Name() string { return t.coll.Name() }

type throttleDoc struct {
	Key   string    `bson:"_id"`
	Start time.Time `bson:"start"`
	Count int       `bson:"count"`
}

// Hit counts one event against key and returns the count in the current
// window.
func (t *Throttle) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	return t.HitN(ctx, key, 1, now, window)
}

// HitN counts n events against key and returns the count in the current
// window.
func (t *Throttle) HitN(ctx context.Context, key string, n int, now time.Time, window time.Duration) (int, error) {
	unlock := t.locks.Lock(key)
	defer unlock()
	d, err := t.get(ctx, key)
	if err != nil {
		return 0, err
	}
	if d.Key == "" || !now.Before(d.Start.Add(window)) {
		d = throttleDoc{Key: key, Start: now}
	}
	d.Count += n
	_, err = t.coll.ReplaceOne(ctx, bson.M{"_id": key}, d, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // another instance created it first
		_, err = t.coll.ReplaceOne(ctx, bson.M{"_id": key}, d)
	}
	if err != nil {
		return 0, fmt.Errorf("throttle: %w", err)
	}
	return d.Count, nil
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
