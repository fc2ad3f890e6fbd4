package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Leases lets one of several serve instances run a periodic job: whoever
// holds the lease for a name runs it until the lease expires.
type Leases struct {
	coll *mongo.Collection
}

// NewLeases returns the lease collection of db.
func NewLeases(db *mongo.Database) *Leases {
	return &Leases{coll: db.Collection("leases")}
}

// Name is the lease collection's name.
func (l *Leases) Name() string { return l.coll.Name() }

// Acquire takes or renews the lease name for holder until now+ttl. It reports
// false, without error, when another holder's lease is still valid.
func (l *Leases) Acquire(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	filter := bson.M{"_id": name, "$or": bson.A{
		bson.M{"holder": holder},
		bson.M{"until": bson.M{"$lt": now}},
	}}
	update := bson.M{"$set": bson.M{"holder": holder, "until": now.Add(ttl)}}
	res, err := l.coll.UpdateOne(ctx, filter, update)
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if res.MatchedCount == 1 {
		return true, nil
	}
	_, err = l.coll.InsertOne(ctx, bson.M{"_id": name, "holder": holder, "until": now.Add(ttl)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return true, nil
}

// Release gives up the lease if holder has it.
func (l *Leases) Release(ctx context.Context, name, holder string) error {
	_, err := l.coll.UpdateOne(ctx, bson.M{"_id": name, "holder": holder},
		bson.M{"$set": bson.M{"until": time.Time{}}}, options.Update())
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
