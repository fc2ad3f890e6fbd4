package store

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/event"
)

// CommandCount is how many commands of one kind reached one collection.
type CommandCount struct {
	Command    string // find, insert, update, delete, aggregate, …
	Collection string
	N          int64
	Seconds    float64 // the time they took, as the driver saw it
}

// commandCounter counts the commands the driver sends, by command and
// collection: the database round trips a request costs (serve's /metrics,
// herstart bench load).
type commandCounter struct {
	mu       sync.RWMutex
	n        map[[2]string]*commandStats
	inflight sync.Map // request id → *commandStats
}

type commandStats struct {
	n     atomic.Int64
	nanos atomic.Int64
}

func (c *commandCounter) stats(key [2]string) *commandStats {
	c.mu.RLock()
	st := c.n[key]
	c.mu.RUnlock()
	if st == nil {
		c.mu.Lock()
		if st = c.n[key]; st == nil {
			st = &commandStats{}
			c.n[key] = st
		}
		c.mu.Unlock()
	}
	return st
}

func (c *commandCounter) monitor() *event.CommandMonitor {
	done := func(id int64, d time.Duration) {
		if st, ok := c.inflight.LoadAndDelete(id); ok {
			st.(*commandStats).nanos.Add(int64(d))
		}
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
			st := c.stats([2]string{e.CommandName, coll})
			st.n.Add(1)
			c.inflight.Store(e.RequestID, st)
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { done(e.RequestID, e.Duration) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { done(e.RequestID, e.Duration) },
	}
}

// Commands returns the counts so far, most first.
func (db *DB) Commands() []CommandCount {
	c := db.commands
	if c == nil {
		return nil
	}
	c.mu.RLock()
	out := make([]CommandCount, 0, len(c.n))
	for k, n := range c.n {
		out = append(out, CommandCount{Command: k[0], Collection: k[1], N: n.n.Load(), Seconds: float64(n.nanos.Load()) / 1e9})
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N })
	return out
}
