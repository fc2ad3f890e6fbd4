// Package ratelimit holds limits counted in memory, per instance: a
// sliding window that answers without a database round trip, for limits
// that protect the service rather than an account (an employer user's
// searches a minute). Limits that guard accounts against guessing (logins)
// stay in the database (store.Throttle), where every instance sees every
// attempt.
package ratelimit

import (
	"sync"
	"time"
)

// Window allows at most Limit events per key in any window of Per: a
// sliding window, kept as each key's last Limit allowed times (a refused
// event is not counted, and costs no write anywhere). Safe for concurrent
// use; keys idle for a whole window are dropped now and then.
type Window struct {
	limit int
	per   time.Duration

	mu      sync.Mutex
	keys    map[string]*ring
	swept   time.Time
	maxKeys int
}

type ring struct {
	times []time.Time // the allowed events' times, oldest at next
	next  int
	last  time.Time
}

// NewWindow returns a limiter of limit events per per.
func NewWindow(limit int, per time.Duration) *Window {
	return &Window{limit: limit, per: per, keys: map[string]*ring{}}
}

// Allow counts an event of key at now and reports whether it is within
// the limit; a refused event is not counted.
func (w *Window) Allow(key string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.swept) > w.per {
		w.sweep(now)
	}
	r := w.keys[key]
	if r == nil {
		r = &ring{times: make([]time.Time, 0, w.limit)}
		w.keys[key] = r
	}
	if len(r.times) < w.limit {
		r.times = append(r.times, now)
		r.last = now
		return true
	}
	// Full: the oldest of the last limit events must have left the window.
	if now.Sub(r.times[r.next]) < w.per {
		return false
	}
	r.times[r.next] = now
	r.next = (r.next + 1) % w.limit
	r.last = now
	return true
}

// sweep drops keys without an event in the last window.
func (w *Window) sweep(now time.Time) {
	for k, r := range w.keys {
		if now.Sub(r.last) >= w.per {
			delete(w.keys, k)
		}
	}
	w.swept = now
}

// Len is the number of keys held, for tests.
func (w *Window) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.keys)
}
