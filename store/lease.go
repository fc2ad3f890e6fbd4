package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Leases lets one of several serve instances run a periodic job: whoever
// holds the lease for a name runs it until the lease expires. Taking and
// renewing are conditional on the version read (Versions): a filtered
// update is read-then-write on FerretDB, and two instances could both
// have taken an expired lease.
type Leases struct {
	coll     *mongo.Collection
	versions *Versions
}

// NewLeases returns the lease collection of db.
func NewLeases(db *mongo.Database) *Leases {
	return &Leases{coll: db.Collection("leases"), versions: NewVersions(db)}
}

// Name is the lease collection's name.
func (l *Leases) Name() string { return l.coll.Name() }

type leaseDoc struct {
	Name    string    `bson:"_id"`
	Holder  string    `bson:"holder"`
	Until   time.Time `bson:"until"`
	Version int64     `bson:"version"`
}

var errHeld = errors.New("lease held")

// Acquire takes or renews the lease name for holder until now+ttl. It reports
// false, without error, when another holder's lease is still valid, or
// another instance took it at the same moment.
func (l *Leases) Acquire(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	_, err := UpdateAs(ctx, l.versions, l.coll, name, func(d *leaseDoc, exists bool) error {
		if exists && d.Holder != holder && now.Before(d.Until) {
			return errHeld
		}
		d.Name, d.Holder, d.Until = name, holder, now.Add(ttl).UTC()
		return nil
	})
	switch {
	case errors.Is(err, errHeld), errors.Is(err, ErrStale):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return true, nil
}

// Release gives up the lease if holder has it.
func (l *Leases) Release(ctx context.Context, name, holder string) error {
	_, err := UpdateAs(ctx, l.versions, l.coll, name, func(d *leaseDoc, exists bool) error {
		if !exists || d.Holder != holder {
			return errHeld
		}
		d.Until = time.Time{}
		return nil
	})
	if err != nil && !errors.Is(err, errHeld) {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// ReleaseAll gives up every lease holder has: at shutdown, so another
// instance takes the periodic jobs at once, and at start for the holder
// this data directory's process had before a crash (no one else can be
// that process: the data directory is locked).
func (l *Leases) ReleaseAll(ctx context.Context, holder string) (int, error) {
	cur, err := l.coll.Find(ctx, bson.M{"holder": holder})
	if err != nil {
		return 0, fmt.Errorf("leases of %s: %w", holder, err)
	}
	var held []leaseDoc
	if err := cur.All(ctx, &held); err != nil {
		return 0, fmt.Errorf("leases of %s: %w", holder, err)
	}
	n := 0
	for _, d := range held {
		if !d.Until.After(time.Time{}) {
			continue
		}
		if err := l.Release(ctx, d.Name, holder); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
