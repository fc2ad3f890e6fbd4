package placements_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// TestKaplanMeier_ByHand: six placements, worked out on paper.
//
//	day  at risk  failed  censored  S
//	 20     6       1        0      5/6           = 0.8333
//	 40     5       0        1      0.8333        (a contract that ended: censored)
//	 50     4       1        0      0.8333 × 3/4  = 0.6250
//	100     3       1        0      0.6250 × 2/3  = 0.4167
//	200     2       0        1      0.4167        (moved away: censored)
//	400     1       0        1      0.4167        (still running: censored)
//
// Counting the censored ones as failures would give 1/6 at day 400.
func TestKaplanMeier_ByHand(t *testing.T) {
	obs := []placements.Observation{{Days: 100, Failed: true}, {Days: 20, Failed: true}, {Days: 400}, {Days: 40}, {Days: 50, Failed: true}, {Days: 200}}
	curve := placements.KaplanMeier(obs)
	want := []placements.SurvivalStep{{20, 6, 1, 0, 5.0 / 6}, {40, 5, 0, 1, 5.0 / 6}, {50, 4, 1, 0, 0.625}, {100, 3, 1, 0, 0.625 * 2 / 3}, {200, 2, 0, 1, 0.625 * 2 / 3}, {400, 1, 0, 1, 0.625 * 2 / 3}}
	if len(curve) != len(want) {
		t.Fatalf("curve %v", curve)
	}
	for i, w := range want {
		c := curve[i]
		if c.Day != w.Day || c.AtRisk != w.AtRisk || c.Events != w.Events || c.Censored != w.Censored || math.Abs(c.Survival-w.Survival) > 1e-9 {
			t.Fatalf("step %d = %+v; want %+v", i, c, w)
		}
	}
	for day, s := range map[int]float64{0: 1, 19: 1, 20: 5.0 / 6, 30: 5.0 / 6, 91: 0.625, 182: 0.625 * 2 / 3, 365: 0.625 * 2 / 3, 1000: 0.625 * 2 / 3} {
		if got := placements.SurvivalAt(curve, day); math.Abs(got-s) > 1e-9 {
			t.Fatalf("S(%d) = %v; want %v", day, got, s)
		}
	}
	// Two failures and a censoring on one day: the censored one is still at risk then.
	c2 := placements.KaplanMeier([]placements.Observation{{Days: 10, Failed: true}, {Days: 10, Failed: true}, {Days: 10}, {Days: 30}})
	if c2[0].AtRisk != 4 || math.Abs(c2[0].Survival-0.5) > 1e-9 || c2[1].AtRisk != 1 || math.Abs(c2[1].Survival-0.5) > 1e-9 {
		t.Fatalf("ties: %+v", c2)
	}
	if len(placements.KaplanMeier(nil)) != 0 {
		t.Fatal("no placements, no curve")
	}
}

// TestRunSweep_OneInstance: two instances on one database run the job at
// the same moment; the lease lets one of them.
func TestRunSweep_OneInstance(t *testing.T) {
	db := storetest.Open(t)
	leases := store.NewLeases(db)
	now := func() time.Time { return time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC) }
	mk := func() *placements.Service {
		ob := store.NewOutbox(db, nil)
		rec := audit.NewRecorder(db, nil)
		us := users.NewService(users.NewStore(db), rec, ob, nil)
		cs := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
		es := employers.NewService(employers.NewStore(db), us, rec, places.New(), store.NewThrottle(db, "throttle"), ob, nil)
		return placements.NewService(placements.NewStore(db), cs, es, us, rec, ob, now)
	}
	a, b := mk(), mk()
	var wg sync.WaitGroup
	ran := make([]bool, 2)
	errs := make([]error, 2)
	for i, s := range []*placements.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran[i], _, errs[i] = s.RunSweep(context.Background(), leases, []string{"a", "b"}[i], time.Hour)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || ran[0] == ran[1] {
		t.Fatalf("ran %v, errors %v; want exactly one to run", ran, errs)
	}
}
