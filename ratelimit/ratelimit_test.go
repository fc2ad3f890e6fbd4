package ratelimit

import (
	"sync"
	"testing"
	"time"
)

func TestWindow_SlidesAndCountsOnlyAllowed(t *testing.T) {
	w := NewWindow(3, time.Minute)
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, true, true, false, false} {
		if got := w.Allow("a", t0.Add(time.Duration(i)*10*time.Second)); got != want {
			t.Fatalf("event %d at +%ds = %v; want %v", i, i*10, got, want)
		}
	}
	// Across a fixed window's edge nothing more gets through: the first
	// event (t0) leaves the window at +60 s, the second at +70 s.
	if w.Allow("a", t0.Add(59*time.Second)) {
		t.Fatal("a 4th event within 60 s of the first was allowed")
	}
	if !w.Allow("a", t0.Add(60*time.Second)) {
		t.Fatal("the first event left the window, yet the next was refused")
	}
	if w.Allow("a", t0.Add(65*time.Second)) {
		t.Fatal("allowed a 4th event within 60 s of the second")
	}
	if !w.Allow("b", t0.Add(65*time.Second)) {
		t.Fatal("another key was limited by the first")
	}
	// Idle keys are swept.
	w.Allow("c", t0.Add(10*time.Minute))
	if n := w.Len(); n != 1 {
		t.Fatalf("keys after ten idle minutes = %d; want 1", n)
	}
}

// 20 parallel callers on one key: exactly the limit gets through.
func TestWindow_Parallel(t *testing.T) {
	w := NewWindow(60, time.Minute)
	now := time.Now()
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if w.Allow("u", now) {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 60 {
		t.Fatalf("allowed %d of 200 parallel events; want 60", allowed)
	}
}
