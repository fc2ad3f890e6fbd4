package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Handler carries out one outbox task. It must be idempotent: after a crash
// it runs again for the same task, perhaps after it already succeeded.
type Handler func(ctx context.Context, t Task) error

// Outbox makes a change that touches several documents safe without
// transactions (FerretDB v1 has none): the follow-up work is recorded as a
// task before the first write, run after the last, and deleted when done.
// Drain re-runs whatever a crash left behind. The collection stays small —
// tasks live for milliseconds — so scanning it is cheap.
type Outbox struct {
	coll *mongo.Collection
	log  *slog.Logger

	mu       sync.RWMutex
	handlers map[string]Handler
}

// NewOutbox returns the outbox of db.
func NewOutbox(db *mongo.Database, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{coll: db.Collection("outbox"), log: log, handlers: map[string]Handler{}}
}

// Name is the outbox collection's name.
func (o *Outbox) Name() string { return o.coll.Name() }

// Register sets the handler for tasks of kind.
func (o *Outbox) Register(kind string, h Handler) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handlers[kind] = h
}

type taskDoc struct {
	ID      string    `bson:"_id"`
	Kind    string    `bson:"kind"`
	Key     string    `bson:"key"`
	Payload []byte    `bson:"payload,omitempty"`
	Created time.Time `bson:"created_at"`
	Tries   int       `bson:"tries"`
	LastErr string    `bson:"last_error,omitempty"`
}

// Task is a recorded piece of follow-up work.
type Task struct {
	id      string
	kind    string
	key     string
	payload []byte
	retry   bool
}

// ID is the task's own id: unique, so it names the write it follows up on
// (a document can list the tasks that wrote it; an audit event can be
// appended once per task).
func (t Task) ID() string { return t.id }

// Key is what the task is about.
func (t Task) Key() string { return t.key }

// Payload is what the writer handed the task (an audit event, say).
func (t Task) Payload() []byte { return t.payload }

// Retry reports whether this run is the drain's (the task was left by a
// crash or a failure, and its handler may have run before), not the
// writer's own first run.
func (t Task) Retry() bool { return t.retry }

// Enqueue records a task of kind for key. Call it before the first write
// the task follows up on, then Complete after the last.
func (o *Outbox) Enqueue(ctx context.Context, kind, key string) (Task, error) {
	return o.EnqueueWith(ctx, kind, key, nil)
}

// EnqueueWith is Enqueue with a payload the handler receives.
func (o *Outbox) EnqueueWith(ctx context.Context, kind, key string, payload []byte) (Task, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	t := Task{id: hex.EncodeToString(b[:]), kind: kind, key: key, payload: payload}
	_, err := o.coll.InsertOne(ctx, taskDoc{ID: t.id, Kind: kind, Key: key, Payload: payload, Created: time.Now().UTC()})
	if err != nil {
		return Task{}, fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return t, nil
}

// Complete runs the task's handler and deletes the task. When the handler
// fails the task stays, and Drain retries it.
func (o *Outbox) Complete(ctx context.Context, t Task) error {
	return o.run(ctx, taskDoc{ID: t.id, Kind: t.kind, Key: t.key, Payload: t.payload}, false)
}

// Done deletes the task without running its handler, for a caller that
// carried out the follow-up itself; a crash before Done leaves the task for
// Drain, whose handler must then find nothing left to do.
func (o *Outbox) Done(ctx context.Context, t Task) error {
	if _, err := o.coll.DeleteOne(ctx, bson.M{"_id": t.id}); err != nil {
		return fmt.Errorf("outbox delete %s: %w", t.id, err)
	}
	return nil
}

func (o *Outbox) run(ctx context.Context, d taskDoc, retry bool) error {
	o.mu.RLock()
	h := o.handlers[d.Kind]
	o.mu.RUnlock()
	if h == nil {
		return fmt.Errorf("outbox: no handler for %q", d.Kind)
	}
	if err := h(ctx, Task{id: d.ID, kind: d.Kind, key: d.Key, payload: d.Payload, retry: retry}); err != nil {
		_, _ = o.coll.UpdateOne(ctx, bson.M{"_id": d.ID}, bson.M{"$inc": bson.M{"tries": 1}, "$set": bson.M{"last_error": err.Error()}})
		return fmt.Errorf("outbox %s %s: %w", d.Kind, d.Key, err)
	}
	if _, err := o.coll.DeleteOne(ctx, bson.M{"_id": d.ID}); err != nil {
		return fmt.Errorf("outbox delete %s: %w", d.ID, err)
	}
	return nil
}

// Drain runs every task created before cutoff (those a crash or an error left
// behind) and reports how many succeeded.
func (o *Outbox) Drain(ctx context.Context, cutoff time.Time) (int, error) {
	cur, err := o.coll.Find(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("outbox scan: %w", err)
	}
	var docs []taskDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("outbox scan: %w", err)
	}
	done := 0
	for _, d := range docs {
		if !d.Created.Before(cutoff) {
			continue
		}
		if err := o.run(ctx, d, true); err != nil {
			o.log.Warn("outbox task failed", "kind", d.Kind, "task", d.ID, "tries", d.Tries+1, "err", err)
			continue
		}
		done++
	}
	return done, nil
}

// Pending returns how many tasks wait.
func (o *Outbox) Pending(ctx context.Context) (int64, error) {
	n, err := o.coll.CountDocuments(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("outbox count: %w", err)
	}
	return n, nil
}
