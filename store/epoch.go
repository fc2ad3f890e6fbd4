package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Epoch is a counter in one small document that every instance bumps when
// something cached elsewhere must stop holding at once: a token revoked,
// an account disabled, an employer suspended. A cache fills with the epoch
// it read and is good while the epoch stays.
//
// Reading it on every request would cost a round trip each; instead each
// instance reuses a read that started at most Fresh ago (requests after
// that wait for a new read, one shared by all of them), and Bump returns
// only 2×Fresh after its write is stored. So a request that arrives after
// the answer to a bump uses a read that started after the bump was stored
// — on every instance — at the cost of a few reads a second under load
// and a slower answer to the rare change that bumps.
type Epoch struct {
	coll     *mongo.Collection
	id       string
	versions *Versions

	mu      sync.Mutex
	last    epochRead  // the newest read done
	running *epochRead // the read in flight
	pending *epochRead // the next read, joined by requests that arrive meanwhile
}

// Fresh is how long an epoch read is reused.
const Fresh = 100 * time.Millisecond

type epochRead struct {
	done    chan struct{}
	started time.Time
	n       int64
	err     error
}

// EpochCollection holds the epochs; AccessEpoch is the one bumped when a
// token is revoked, an account disabled or an employer's standing changes.
const (
	EpochCollection = "epochs"
	AccessEpoch     = "access"
)

// NewEpoch returns the epoch named id in collection coll of db: one per
// database handle in a process, so that the services that share it (users,
// employers) share its reads.
func NewEpoch(db *mongo.Database, coll, id string) *Epoch {
	key := epochKey{db, coll, id}
	epochsMu.Lock()
	defer epochsMu.Unlock()
	if e := epochs[key]; e != nil {
		return e
	}
	e := &Epoch{coll: db.Collection(coll), id: id, versions: NewVersions(db)}
	epochs[key] = e
	return e
}

type epochKey struct {
	db       *mongo.Database
	coll, id string
}

var (
	epochsMu sync.Mutex
	epochs   = map[epochKey]*Epoch{}
)

// Bump moves the epoch on and returns 2×Fresh after the write is stored:
// by then every instance's reads in use started after it.
func (e *Epoch) Bump(ctx context.Context) error {
	if err := e.bump(ctx); err != nil {
		return err
	}
	select {
	case <-time.After(2 * Fresh):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// bump adds one, conditionally on the version read (Versions): FerretDB
// applies $inc as a read and a write, and two bumps that both wrote the
// same number would let a cache filled between them outlive the second.
func (e *Epoch) bump(ctx context.Context) error {
	_, err := UpdateAs(ctx, e.versions, e.coll, e.id, func(d *epochDoc, _ bool) error {
		d.ID = e.id
		d.N++
		return nil
	})
	if err != nil {
		return fmt.Errorf("epoch %s: %w", e.id, err)
	}
	return nil
}

type epochDoc struct {
	ID      string `bson:"_id"`
	N       int64  `bson:"n"`
	Version int64  `bson:"version"`
}

// Current returns the epoch as read by a read that started at most Fresh
// before this call (or after it began).
func (e *Epoch) Current(ctx context.Context) (int64, error) {
	e.mu.Lock()
	if e.last.done != nil && e.last.err == nil && time.Since(e.last.started) < Fresh {
		n := e.last.n
		e.mu.Unlock()
		return n, nil
	}
	if e.pending == nil {
		e.pending = &epochRead{done: make(chan struct{})}
	}
	r := e.pending
	if e.running == nil {
		e.start()
	}
	e.mu.Unlock()
	select {
	case <-r.done:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// start runs the pending read. Under e.mu.
func (e *Epoch) start() {
	r := e.pending
	e.running, e.pending = r, nil
	go func() {
		// Shared by many requests: not cancelled with any one of them.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r.started = time.Now()
		r.n, r.err = e.read(ctx)
		cancel()
		close(r.done)
		e.mu.Lock()
		e.running = nil
		if r.err == nil {
			e.last = *r
		}
		if e.pending != nil {
			e.start()
		}
		e.mu.Unlock()
	}()
}

func (e *Epoch) read(ctx context.Context) (int64, error) {
	var d struct {
		N int64 `bson:"n"`
	}
	err := e.coll.FindOne(ctx, bson.M{"_id": e.id}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("epoch %s: %w", e.id, err)
	}
	return d.N, nil
}

// Cached keeps values read from the database for up to ttl, and forgets
// them all when the epoch moves: a value is served from memory only to a
// request that read the epoch unchanged since the value was read.
type Cached[V any] struct {
	epoch *Epoch
	ttl   time.Duration
	max   int

	mu sync.Mutex
	at int64 // the epoch the entries were read under
	m  map[string]cachedEntry[V]
}

type cachedEntry[V any] struct {
	v  V
	at time.Time
}

// NewCached returns a cache of at most max values, each kept for ttl.
func NewCached[V any](e *Epoch, ttl time.Duration, max int) *Cached[V] {
	return &Cached[V]{epoch: e, ttl: ttl, max: max, m: map[string]cachedEntry[V]{}}
}

// Get returns key's value from memory, or from load (and keeps it). Errors
// are not kept.
func (c *Cached[V]) Get(ctx context.Context, key string, now time.Time, load func(context.Context) (V, error)) (V, error) {
	ep, err := c.epoch.Current(ctx)
	if err != nil {
		var zero V
		return zero, err
	}
	c.mu.Lock()
	if ep != c.at {
		clear(c.m)
		c.at = ep
	}
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		return e.v, nil
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.at == ep {
		if len(c.m) >= c.max {
			clear(c.m)
		}
		c.m[key] = cachedEntry[V]{v: v, at: now}
	}
	c.mu.Unlock()
	return v, nil
}

// Forget drops key here at once (other instances follow the epoch).
func (c *Cached[V]) Forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}
