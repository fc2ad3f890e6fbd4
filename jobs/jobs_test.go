package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// counter is a job kind that counts to its total, recording each step it
// did, slowly enough to be seen half-way.
type counter struct {
	mu   sync.Mutex
	did  []int
	runs atomic.Int32
}

func (c *counter) work(ctx context.Context, r *jobs.JobRun) error {
	c.runs.Add(1)
	j := r.Job()
	for i := j.Done; i < 10; i++ {
		r.Set("Counting", i, 10)
		c.mu.Lock()
		c.did = append(c.did, i)
		c.mu.Unlock()
		time.Sleep(60 * time.Millisecond)
	}
	r.SetResult("/done")
	return nil
}

func wait(t *testing.T, svc *jobs.Service, ctx context.Context, id string) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		j, err := svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Ended {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s did not end", id)
	return jobs.Job{}
}

// TestJobs_ProgressOnEveryInstance: a job started on one instance shows
// its progress, half-way and at the end, on another; only to the person
// who started it.
func TestJobs_ProgressOnEveryInstance(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "jobs", "version_claims")
	a, b := jobs.NewService(db, "a", nil), jobs.NewService(storetest.SecondInstance(t, db), "b", nil)
	c := &counter{}
	a.Register("count", c.work)
	b.Register("count", c.work)
	me := users.WithActor(context.Background(), users.Actor{UserID: "u_worker", Role: users.ProbationWorker})
	other := users.WithActor(context.Background(), users.Actor{UserID: "u_other", Role: users.ProbationWorker})
	j, err := a.Start(me, "count", "Count to ten", nil)
	if err != nil {
		t.Fatal(err)
	}
	seenHalfway := false
	for i := 0; i < 100 && !seenHalfway; i++ {
		got, err := b.Get(me, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		seenHalfway = got.Done > 0 && !got.Ended
		time.Sleep(40 * time.Millisecond)
	}
	if !seenHalfway {
		t.Fatal("the other instance never saw the job half-way")
	}
	if _, err := b.Get(other, j.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another person's read of the job: %v; want NotFound", err)
	}
	end := wait(t, b, me, j.ID)
	if end.Percent() != 100 || end.Result != "/done" || end.Error != "" {
		t.Fatalf("ended job: %+v", end)
	}
}

// TestJobs_TakenUpAfterAStop: a job whose instance stopped half-way (its
// hold lapsed) is taken up by one of two instances that look at once, and
// goes on from where it got to.
func TestJobs_TakenUpAfterAStop(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "jobs", "version_claims")
	me := users.WithActor(context.Background(), users.Actor{UserID: "u_worker", Role: users.ProbationWorker})
	// An instance that starts the job and stops (its work never returns;
	// its hold is made to lapse).
	gone := jobs.NewService(db, "gone", nil)
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	gone.Register("count", func(ctx context.Context, r *jobs.JobRun) error {
		r.Set("Counting", 4, 10)
		<-stuck
		return nil
	})
	j, err := gone.Start(me, "count", "Count to ten", nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // progress written: 4 of 10
	jobs.Lapse(t, db, j.ID)
	c := &counter{}
	insts := []*jobs.Service{jobs.NewService(db, "a", nil), jobs.NewService(storetest.SecondInstance(t, db), "b", nil)}
	var taken atomic.Int32
	var wg sync.WaitGroup
	for _, s := range insts {
		s.Register("count", c.work)
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.Resume(context.Background())
			if err != nil {
				t.Error(err)
			}
			taken.Add(int32(n))
		}()
	}
	wg.Wait()
	if taken.Load() != 1 {
		t.Fatalf("the job was taken up %d times; want once", taken.Load())
	}
	end := wait(t, insts[0], me, j.ID)
	c.mu.Lock()
	defer c.mu.Unlock()
	if end.Percent() != 100 || c.runs.Load() != 1 || len(c.did) != 6 || c.did[0] != 4 {
		t.Fatalf("taken up: %+v; steps done %v in %d runs; want 4…9 in one run", end, c.did, c.runs.Load())
	}
}
