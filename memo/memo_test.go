package memo

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestMemo: an answer is made once per key, kept until the memo is full,
// and shared by callers on many goroutines.
func TestMemo(t *testing.T) {
	var m Memo[int]
	m.Max = 3
	var made atomic.Int32
	f := func(n int) func() int { return func() int { made.Add(1); return n } }
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := m.Get("a", f(1)); got != 1 {
				t.Errorf("Get(a) = %d; want 1", got)
			}
		}()
	}
	wg.Wait()
	before := made.Load()
	if m.Get("a", f(2)) != 1 || made.Load() != before {
		t.Fatal("a remembered answer was made again")
	}
	m.Get("b", f(2))
	m.Get("c", f(3)) // full at 3
	m.Get("d", f(4)) // emptied before d is kept
	if got := m.Get("a", f(5)); got != 5 {
		t.Fatalf("after the memo filled, Get(a) = %d; want a new answer 5", got)
	}
}
