package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Slots hands out at most a fixed number of numbered slots per key, each to
// one caller, by inserting a document with a unique _id: the one write that
// FerretDB v1 and MongoDB both apply atomically across connections and
// servers (an update with a filter is read-then-write on FerretDB). It
// serves limits that must hold under concurrency (failed logins per
// account) and once-only claims (a TOTP code's time step).
type Slots struct {
	coll *mongo.Collection
}

// NewSlots returns the slots kept in collection name.
func NewSlots(db *mongo.Database, name string) *Slots {
	return &Slots{coll: db.Collection(name)}
}

// Name is the slot collection's name.
func (s *Slots) Name() string { return s.coll.Name() }

type slotDoc struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

// Take claims the lowest free slot of key below limit and reports whether
// there was one. Of any number of concurrent callers at most limit succeed
// until Free.
func (s *Slots) Take(ctx context.Context, key string, limit int, now time.Time) (bool, error) {
	for i := 0; i < limit; i++ {
		_, err := s.coll.InsertOne(ctx, slotDoc{ID: key + "#" + strconv.Itoa(i), At: now.UTC()})
		if err == nil {
			return true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, fmt.Errorf("take slot: %w", err)
		}
	}
	return false, nil
}

// Once claims key for one caller: true for the first, false for every
// later or concurrent one.
func (s *Slots) Once(ctx context.Context, key string, now time.Time) (bool, error) {
	return s.Take(ctx, key, 1, now)
}

// Free releases every slot of key below limit, by _id (a filter on another
// field would scan on FerretDB).
func (s *Slots) Free(ctx context.Context, key string, limit int) error {
	for i := 0; i < limit; i++ {
		if _, err := s.coll.DeleteOne(ctx, bson.M{"_id": key + "#" + strconv.Itoa(i)}); err != nil {
			return fmt.Errorf("free slot: %w", err)
		}
	}
	return nil
}

// Prune deletes slots claimed before cutoff; a periodic job (it scans).
func (s *Slots) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.coll.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": cutoff.UTC()}})
	if err != nil {
		return 0, fmt.Errorf("prune slots: %w", err)
	}
	return res.DeletedCount, nil
}
