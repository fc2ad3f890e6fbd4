// Package memo remembers a function's answers by key, bounded: for look-ups
// that requests repeat many times over (the taxonomy's typo matching and
// trade claims, the cards a vacancy's pool decodes on every request).
package memo

import "sync"

// DefaultMax is a Memo's bound when its Max is 0.
const DefaultMax = 10000

// Memo remembers answers by key; it is emptied when it holds Max of them.
// Answers are shared between callers and must be treated as read only. The
// zero Memo is ready to use.
type Memo[V any] struct {
	Max int

	mu sync.Mutex
	m  map[string]V
}

// Get returns the answer remembered for key, or makes it with f (outside
// the lock, so two callers may both make it) and remembers it.
func (m *Memo[V]) Get(key string, f func() V) V {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	limit := m.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	m.mu.Lock()
	if m.m == nil || len(m.m) >= limit {
		m.m = map[string]V{}
	}
	m.m[key] = v
	m.mu.Unlock()
	return v
}
