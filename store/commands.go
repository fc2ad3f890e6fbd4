package store

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/event"
)

// CommandCount is how many commands of one kind reached one collection.
type CommandCount struct {
	Command    string // find, insert, update, delete, aggregate, …
	Collection string
	N          int64
}

// commandCounter counts the commands the driver sends, by command and
// collection: the database round trips a request costs (serve's /metrics,
// herstart bench load).
type commandCounter struct {
	mu sync.RWMutex
	n  map[[2]string]*atomic.Int64
}

func (c *commandCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
		key := [2]string{e.CommandName, coll}
		c.mu.RLock()
		n := c.n[key]
		c.mu.RUnlock()
		if n == nil {
			c.mu.Lock()
			if n = c.n[key]; n == nil {
				n = &atomic.Int64{}
				c.n[key] = n
			}
			c.mu.Unlock()
		}
		n.Add(1)
	}}
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
		out = append(out, CommandCount{Command: k[0], Collection: k[1], N: n.Load()})
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].N > out[j].N })
	return out
}
