package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// ErrStale reports that a document changed since it was read: the write
// was not made. Services re-read and retry, or answer 409 when the caller's
// own If-Match was stale.
var ErrStale = errors.New("document changed since it was read")

// Versions makes a read-modify-write conditional on the version read, on
// FerretDB v1 as on MongoDB. MongoDB applies ReplaceOne({_id, version}) as
// one atomic step; FerretDB v1 does not (measured here: four writers made
// 259 acknowledged version-filtered replaces of one document and 75 took
// effect — SQLite and PostgreSQL backends alike). What both apply
// atomically is the insert of a unique _id, so a writer first claims the
// move of the document from version v to v+1 by inserting the claim
// "collection/id@v+1"; of any number of writers, servers included, one
// wins. Under the claim it writes by _id alone: FerretDB pushes only an
// exact {_id} filter down to its backend and evaluates any other filter in
// Go over the whole collection (a {_id, version} replace read every
// caseload on each write, measured as a 3× slower create). Only the
// claim's holder may move the document from v; a writer of several
// documents, or one whose read may be old, first reads that the main
// document is still at v (Write). Claims stay
// (pruned after an hour): a late writer that read v finds v+1 claimed and
// re-reads at once. A writer that crashed holding a claim blocks that
// document for claimTTL; then the next writer takes over with a claim of
// the next attempt number. Writes under a claim are bounded by
// writeTimeout (well below claimTTL), so a slow holder gives up before
// anyone may take over. See docs/storage.md.
type Versions struct {
	coll *mongo.Collection
}

// NewVersions returns the version claims of db.
func NewVersions(db *mongo.Database) *Versions {
	return &Versions{coll: db.Collection("version_claims")}
}

// Name is the claim collection's name.
func (v *Versions) Name() string { return v.coll.Name() }

const (
	claimTTL     = time.Minute
	writeTimeout = 15 * time.Second
	// MaxAttempts and RetryFor bound the retries after a clash (Update,
	// Writer.Retry): at least MaxAttempts attempts, and more while less
	// than RetryFor has passed (a busy or slow machine — the race detector
	// makes every write several times slower — clashes more often, not
	// more wrongly).
	MaxAttempts = 20
	RetryFor    = 2 * time.Second
)

// retrying reports whether attempt number n (0, 1, …) of a loop that
// started at start may still run.
func retrying(n int, start time.Time) bool {
	return n < MaxAttempts || time.Since(start) < RetryFor
}

type claimDoc struct {
	ID     string    `bson:"_id"`
	At     time.Time `bson:"at"`
	Holder string    `bson:"holder,omitempty"`
}

// claimHolder names this process in the claims it takes (SetClaimHolder).
var claimHolder atomic.Value

// SetClaimHolder names this process in the claims it takes from now on,
// so that the next run of a process that was killed can release its
// claims at once (ReleaseHeldBy) instead of every document it was writing
// staying blocked for claimTTL. serve sets it to its holder id.
func SetClaimHolder(h string) { claimHolder.Store(h) }

// ReleaseHeldBy deletes the claims taken by holder, a process known to be
// gone (a killed serve of this data directory). Its writes that completed
// need no claim any more — the next writer reads their version — and
// those it did not complete never happened.
// Errors: the database's.
func (v *Versions) ReleaseHeldBy(ctx context.Context, holder string) (int64, error) {
	if holder == "" {
		return 0, nil
	}
	res, err := v.coll.DeleteMany(ctx, bson.M{"holder": holder})
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	return res.DeletedCount, nil
}

// claim takes the move of key to version next, or reports ErrStale while
// another writer holds it (or held it: claims are kept).
func (v *Versions) claim(ctx context.Context, key string, next int64) error {
	base := key + "@" + strconv.FormatInt(next, 10)
	for attempt := 0; attempt < 4; attempt++ {
		id := base + "#" + strconv.Itoa(attempt)
		h, _ := claimHolder.Load().(string)
		_, err := v.coll.InsertOne(ctx, claimDoc{ID: id, At: time.Now().UTC(), Holder: h})
		if err == nil {
			return nil // kept: it answers a late writer of the same version at once
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("claim %s: %w", id, err)
		}
		var held claimDoc
		err = v.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&held)
		if errors.Is(err, mongo.ErrNoDocuments) {
			attempt-- // released meanwhile: try the same one again
			continue
		}
		if err != nil {
			return fmt.Errorf("read claim %s: %w", id, err)
		}
		if time.Since(held.At) < claimTTL {
			return ErrStale
		}
	}
	return ErrStale
}

// hold claims the move of coll's document id from version from to from+1
// and returns the context its writes run in, bounded by writeTimeout.
func (v *Versions) hold(ctx context.Context, coll *mongo.Collection, id string, from int64) (context.Context, context.CancelFunc, error) {
	if err := v.claim(ctx, coll.Name()+"/"+id, from+1); err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	return wctx, cancel, nil
}

// Write runs write while holding the claim on coll's document id moving
// from version from to from+1, after checking that the document is still
// at from (a document without a version field counts as version 0). write
// must store the document with version from+1, by _id.
// Errors: ErrStale when the document moved on or another writer holds it.
func (v *Versions) Write(ctx context.Context, coll *mongo.Collection, id string, from int64, write func(ctx context.Context) error) error {
	wctx, cancel, err := v.hold(ctx, coll, id, from)
	if err != nil {
		return err
	}
	defer cancel()
	var cur struct {
		Version int64 `bson:"version"`
	}
	err = coll.FindOne(wctx, bson.M{"_id": id}).Decode(&cur)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrStale
	case err != nil:
		return fmt.Errorf("read %s/%s: %w", coll.Name(), id, err)
	case cur.Version != from:
		return ErrStale
	}
	return write(wctx)
}

// Replace writes doc (whose version field must be from+1) over coll's
// document id if it is still at version from, for a caller that read it
// at from moments ago (within the claim's minute): holding the claim of
// from+1, nobody else moved it since, so no check read is needed.
// Errors: ErrStale.
func (v *Versions) Replace(ctx context.Context, coll *mongo.Collection, id string, from int64, doc any) error {
	wctx, cancel, err := v.hold(ctx, coll, id, from)
	if err != nil {
		return err
	}
	defer cancel()
	res, err := coll.ReplaceOne(wctx, bson.M{"_id": id}, doc)
	if err != nil {
		return fmt.Errorf("replace %s/%s: %w", coll.Name(), id, err)
	}
	if res.MatchedCount == 0 {
		return ErrStale
	}
	return nil
}

// Update applies fn to coll's document id (nil when there is none; fn may
// fill in a new map) and stores the result conditionally on the version it
// read, re-reading and re-applying fn after a clash (MaxAttempts times,
// or for RetryFor). fn returning an error stops without a write. For small shared
// documents: a caseload, the employer registry, a throttle window.
// Errors: fn's, ErrStale after MaxAttempts clashes.
func (v *Versions) Update(ctx context.Context, coll *mongo.Collection, id string, fn func(doc bson.M) (bson.M, error)) (bson.M, error) {
	start := time.Now()
	for attempt := 0; retrying(attempt, start); attempt++ {
		if attempt > 0 {
			if err := Backoff(ctx, attempt); err != nil {
				return nil, err
			}
		}
		var doc bson.M
		err := coll.FindOne(ctx, bson.M{"_id": id}).Decode(&doc)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("read %s/%s: %w", coll.Name(), id, err)
		}
		exists := err == nil
		from := VersionOf(doc)
		out, err := fn(doc)
		if err != nil {
			return nil, err
		}
		out["_id"], out["version"] = id, from+1
		if !exists {
			_, err = coll.InsertOne(ctx, out)
			if mongo.IsDuplicateKeyError(err) {
				continue // created meanwhile: apply fn to that one
			}
			if err != nil {
				return nil, fmt.Errorf("insert %s/%s: %w", coll.Name(), id, err)
			}
			return out, nil
		}
		err = v.Replace(ctx, coll, id, from, out)
		if errors.Is(err, ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("update %s/%s: %w", coll.Name(), id, ErrStale)
}

// VersionOf reads a raw document's version (0 when absent).
func VersionOf(doc bson.M) int64 {
	switch n := doc["version"].(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// Backoff waits a little before retry number attempt (1, 2, …): up to a
// few milliseconds more with each attempt (a write under a claim takes
// 3–10 ms), jittered so that two clashing writers do not meet again and a
// busy instance cannot starve another.
func Backoff(ctx context.Context, attempt int) error {
	d := time.Duration(1+rand.IntN(6*min(attempt, 16))) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Prune deletes claims older than ten minutes (ten times claimTTL: no
// writer waits on them any more); a periodic job every ten minutes, so
// the collection holds about twenty minutes of writes.
func (v *Versions) Prune(ctx context.Context, now time.Time) (int64, error) {
	res, err := v.coll.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": now.Add(-10 * time.Minute).UTC()}})
	if err != nil {
		return 0, fmt.Errorf("prune claims: %w", err)
	}
	return res.DeletedCount, nil
}

// UpdateAs is Update through a typed document: fn gets the stored document
// decoded into a T (the zero T and exists false when there is none).
func UpdateAs[T any](ctx context.Context, v *Versions, coll *mongo.Collection, id string, fn func(d *T, exists bool) error) (T, error) {
	var out T
	_, err := v.Update(ctx, coll, id, func(doc bson.M) (bson.M, error) {
		var d T
		if doc != nil {
			b, err := bson.Marshal(doc)
			if err == nil {
				err = bson.Unmarshal(b, &d)
			}
			if err != nil {
				return nil, fmt.Errorf("decode %s/%s: %w", coll.Name(), id, err)
			}
		}
		if err := fn(&d, doc != nil); err != nil {
			return nil, err
		}
		b, err := bson.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("encode %s/%s: %w", coll.Name(), id, err)
		}
		var m bson.M
		if err := bson.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("encode %s/%s: %w", coll.Name(), id, err)
		}
		out = d
		return m, nil
	})
	return out, err
}
