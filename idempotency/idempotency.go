// Package idempotency makes a creating request safe to send twice: the API's
// POSTs with an Idempotency-Key header, and the pages' forms, each of which
// carries a one-use token. The first request claims the key (a unique
// insert: of any number of requests, on any number of instances, one
// wins) and records its answer; a repeat gets that answer instead of a
// second record.
package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Keep is how long an answer is kept for a repeat.
const Keep = 24 * time.Hour

// Record is a claimed key and, once the first request finished, its answer.
type Record struct {
	Key      string    `bson:"_id"`
	Owner    string    `bson:"owner"` // the user who sent it: a key is theirs alone
	Hash     string    `bson:"hash"`  // what was sent (method, path, body)
	Done     bool      `bson:"done"`
	Status   int       `bson:"status,omitempty"`
	Location string    `bson:"location,omitempty"` // a page's redirect
	Body     []byte    `bson:"body,omitempty"`     // an API answer
	At       time.Time `bson:"at"`
}

// Service keeps the keys.
type Service struct {
	coll *mongo.Collection
}

// NewService returns the keys of db.
func NewService(db *mongo.Database) *Service {
	return &Service{coll: db.Collection("idempotency")}
}

// Name is the collection's name.
func (s *Service) Name() string { return s.coll.Name() }

// Begin claims key for owner. first: this request is the first and must
// run, then Finish (an answer to repeat) or Abandon (nothing was made: a
// repeat may run again). Otherwise rec is what the first left: done with
// its answer, or still running (Wait for it).
// Errors: the database's.
func (s *Service) Begin(ctx context.Context, key, owner, hash string) (rec Record, first bool, err error) {
	rec = Record{Key: key, Owner: owner, Hash: hash, At: time.Now().UTC()}
	_, err = s.coll.InsertOne(ctx, rec)
	if err == nil {
		return rec, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return Record{}, false, fmt.Errorf("claim %s: %w", key, err)
	}
	got, found, err := s.get(ctx, key)
	if err != nil {
		return Record{}, false, err
	}
	if !found { // abandoned meanwhile: try once more
		return s.Begin(ctx, key, owner, hash)
	}
	return got, false, nil
}

func (s *Service) get(ctx context.Context, key string) (Record, bool, error) {
	var rec Record
	err := s.coll.FindOne(ctx, bson.M{"_id": key}).Decode(&rec)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Record{}, false, nil
	case err != nil:
		return Record{}, false, fmt.Errorf("read %s: %w", key, err)
	}
	return rec, true, nil
}

// Finish records the first request's answer (only its claimant writes it).
func (s *Service) Finish(ctx context.Context, rec Record, status int, location string, body []byte) error {
	rec.Done, rec.Status, rec.Location, rec.Body = true, status, location, body
	if _, err := s.coll.ReplaceOne(ctx, bson.M{"_id": rec.Key}, rec); err != nil {
		return fmt.Errorf("finish %s: %w", rec.Key, err)
	}
	return nil
}

// Abandon gives the key up: the first request made nothing (it was
// refused, or failed), so a repeat may run.
func (s *Service) Abandon(ctx context.Context, key string) error {
	if _, err := s.coll.DeleteOne(ctx, bson.M{"_id": key}); err != nil {
		return fmt.Errorf("abandon %s: %w", key, err)
	}
	return nil
}

// Wait waits up to max for the first request of key to finish and returns
// what it left: found false when it was abandoned (the repeat may run),
// Done false when it is still running.
func (s *Service) Wait(ctx context.Context, key string, max time.Duration) (Record, bool, error) {
	deadline := time.Now().Add(max)
	for {
		rec, found, err := s.get(ctx, key)
		if err != nil || !found || rec.Done || time.Now().After(deadline) {
			return rec, found, err
		}
		select {
		case <-ctx.Done():
			return Record{}, false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Prune forgets answers older than Keep; a periodic job. It scans, so it
// runs under a lease, not on a request.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.coll.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": now.Add(-Keep).UTC()}})
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	return res.DeletedCount, nil
}
