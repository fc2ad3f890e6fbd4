package api_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herstart/herstart/store/storetest"
)

// oks counts the 200s loadUntil saw, for waitForOKs.
var oks atomic.Int64

// waitForOKs waits (up to ten seconds) until the load got n answers 200,
// so that the change comes while requests go through.
func waitForOKs(n int64) {
	for deadline := time.Now().Add(10 * time.Second); oks.Load() < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// loadUntil sends requests from n clients until stop closes, and counts
// by status the answers to requests that started after the time in
// after (0: not yet), and all answers before.
func loadUntil(n int, send func() int, after *atomic.Int64, stop chan struct{}) (before, later map[int]int) {
	before, later = map[int]int{}, map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now().UnixNano()
				st := send()
				if st == 200 {
					oks.Add(1)
				}
				mu.Lock()
				if a := after.Load(); a != 0 && start > a {
					later[st]++
				} else {
					before[st]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return before, later
}

// holdsNextRequest runs send from 20 clients, makes change (a status
// 200/204 expected) once 20 answers were 200, and fails unless every
// request that started after the change's answer got want — and at least
// one did.
func holdsNextRequest(t *testing.T, send func() (int, map[string]any), change func() (int, map[string]any), want int) {
	t.Helper()
	oks.Store(0)
	var answered atomic.Int64
	var firstRefusal atomic.Pointer[map[string]any]
	stop := make(chan struct{})
	done := make(chan struct{})
	var before, later map[int]int
	go func() {
		defer close(done)
		before, later = loadUntil(20, func() int {
			st, b := send()
			if st != 200 && answered.Load() == 0 {
				firstRefusal.CompareAndSwap(nil, &b)
			}
			return st
		}, &answered, stop)
	}()
	waitForOKs(20)
	st, b := change()
	answered.Store(time.Now().UnixNano())
	time.Sleep(400 * time.Millisecond)
	close(stop)
	<-done
	if st != 200 && st != 204 {
		t.Fatalf("the change: %d %v", st, b)
	}
	if before[200] == 0 {
		t.Fatalf("no request got through before the change (%v; the first refusal: %v): the test shows nothing", before, firstRefusal.Load())
	}
	if later[want] == 0 || len(later) != 1 {
		t.Fatalf("requests that started after the change's answer: %v; want only %d, at least one", later, want)
	}
}

// An employer's standing is cached (employers.Service.standing), yet a
// suspension holds from the next request, on every instance: 20 clients
// search through a second instance while a coordinator suspends the
// organisation through the first, and every search that started after the
// suspension's answer is refused.
func TestStaleness_SuspensionHoldsOnTheNextRequest_TwoInstances(t *testing.T) {
	s := newSearchEnv(t)
	other := newEnvOn(t, storetest.SecondInstance(t, s.mongoDB()))
	holdsNextRequest(t, func() (int, map[string]any) {
		return other.do("GET", "/api/v1/search/candidates?q=heftruck", s.empTok, nil)
	}, func() (int, map[string]any) {
		return s.do("POST", "/api/v1/employers/"+s.emp+"/vetting/suspend", s.c1, map[string]any{"reason": "onderzoek"})
	}, 403)
}

// Tokens are cached (users.Service.tokens), yet a revoked token stops on
// the next request, on every instance: 20 clients use a token through a
// second instance while it is revoked through the first.
func TestStaleness_RevokedTokenStopsOnTheNextRequest_TwoInstances(t *testing.T) {
	e := newEnv(t)
	other := newEnvOn(t, storetest.SecondInstance(t, e.mongoDB()))
	_, tok := e.user("probation_worker", "w@example.nl")
	holdsNextRequest(t, func() (int, map[string]any) {
		return other.do("GET", "/api/v1/users/me", tok, nil)
	}, func() (int, map[string]any) {
		return e.do("DELETE", "/api/v1/auth/token", tok, nil)
	}, 401)
}
