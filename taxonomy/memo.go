package taxonomy

import "sync"

// memoSize bounds a memo; it is emptied when full.
const memoSize = 10000

// memo remembers a function's answers by key, for the taxonomy's look-ups
// that a request repeats many times over (Resolve scans every phrase for
// typos; a vacancy's matches weigh its whole pool's labels). Answers are
// shared between callers and must be treated as read only. The zero memo
// is ready to use.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

// get returns the answer remembered for key, or makes it with f (outside
// the lock, so two callers may both make it) and remembers it.
func (m *memo[V]) get(key string, f func() V) V {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	m.mu.Lock()
	if m.m == nil || len(m.m) >= memoSize {
		m.m = map[string]V{}
	}
	m.m[key] = v
	m.mu.Unlock()
	return v
}
