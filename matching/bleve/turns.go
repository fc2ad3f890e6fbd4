package bleve

import (
	"context"
	"runtime"

	"golang.org/x/sync/semaphore"
)

// Searches take turns on the cores (HERSTART_ENGINE_TURNS, decision 62).
// A search in this engine is work on the CPU and nothing else, so when
// more run at once than there are cores, the cores are shared among them
// and each takes its own time times the number running: at 200 clients a
// broad search of 20 CPU-ms waited more than a second while most took
// 350 ms. With turns, at most one search a core runs and the rest wait in
// the order they came (semaphore.Weighted serves its waiters first come,
// first served): each waits about as long as any other, then takes its own
// time only. The answers are the same; what changes is who waits. Short
// searches now wait behind long ones, so under overload the median rises
// while the slowest answers fall (measured in docs/benchmarks.md).

// unlimited is the number of turns when there is no limit.
const unlimited = 1 << 30

// newTurns lets n searches run at once: one a core for 0, any number for
// a negative n.
func newTurns(n int) *semaphore.Weighted {
	switch {
	case n == 0:
		n = runtime.GOMAXPROCS(0)
	case n < 0:
		n = unlimited
	}
	return semaphore.NewWeighted(int64(n))
}

// SetTurns sets how many searches run at once (HERSTART_ENGINE_TURNS): 0
// one a core (the default), a negative number every search at once. Call
// it before the index is used.
func (ix *Index) SetTurns(n int) { ix.turns = newTurns(n) }

// takeTurn waits for a turn (or for ctx to end); the returned func gives
// it back.
func (ix *Index) takeTurn(ctx context.Context) (func(), error) {
	if err := ix.turns.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { ix.turns.Release(1) }, nil
}
