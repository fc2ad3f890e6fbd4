package candidates_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// instance is one serve process's candidate service over a database.
type instance struct {
	svc *candidates.Service
	rec *audit.Recorder
}

func newInstance(db *mongo.Database) instance {
	rec := audit.NewRecorder(db, nil)
	svc := candidates.NewService(candidates.NewStore(db), rec, places.New(), store.NewOutbox(db, nil), nil)
	return instance{svc: svc, rec: rec}
}

// TestTwoInstances_NoLostUpdate races 500 operations on five candidates
// from two service instances on one database (as two serve processes on
// one MongoDB, or — over PostgreSQL — two FerretDB servers on one
// database): profile updates, consent grants and withdrawals, conflict-list
// additions and removals. At the end every acknowledged change is there, no
// withdrawn consent is back, each candidate's version counts exactly its
// acknowledged writes, and the audit log holds exactly one event per
// acknowledged write. Before conditional writes, 7 of 30 withdrawals were
// silently undone by a racing update.
func TestTwoInstances_NoLostUpdate(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "candidates", "candidate_identities", "caseloads", "outbox", "version_claims",
		"audit_events", "audit_head", "audit_subjects")
	insts := []instance{newInstance(db), newInstance(storetest.SecondInstance(t, db))}
	ctx := users.WithActor(context.Background(), users.Actor{UserID: "u_w", Role: users.ProbationWorker})
	var ids []candidates.ID
	for i := 0; i < 5; i++ {
		r, err := insts[0].svc.Create(ctx, input())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}

	type state struct {
		mu        sync.Mutex
		writes    int // acknowledged writes after the create
		granted   map[string]bool
		withdrawn map[string]bool
		added     map[string]string // conflict id → kvk
		removed   map[string]bool
	}
	st := map[candidates.ID]*state{}
	for _, id := range ids {
		st[id] = &state{granted: map[string]bool{}, withdrawn: map[string]bool{}, added: map[string]string{}, removed: map[string]bool{}}
	}
	exp := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	var refused, clashes int
	var mu sync.Mutex
	var wg sync.WaitGroup
	const workers, perWorker = 10, 50
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; i < perWorker; i++ {
				in := insts[r.IntN(2)]
				id := ids[r.IntN(len(ids))]
				s := st[id]
				var err error
				switch op := r.IntN(5); op {
				case 0: // profile update
					h := 1 + r.IntN(40)
					_, err = in.svc.Update(ctx, id, candidates.Update{HoursPerWeek: &h}, 0)
					if err == nil {
						s.mu.Lock()
						s.writes++
						s.mu.Unlock()
					}
				case 1: // consent grant
					var k candidates.ConsentView
					k, err = in.svc.GrantConsent(ctx, id, candidates.ConsentInput{EmployerID: "e_x", Level: 1, Purpose: "kennismaking", ExpiresAt: exp})
					if err == nil {
						s.mu.Lock()
						s.writes++
						s.granted[k.ID] = true
						s.mu.Unlock()
					}
				case 2: // consent withdrawal of one granted
					s.mu.Lock()
					var kid string
					for k := range s.granted {
						if !s.withdrawn[k] {
							kid = k
							break
						}
					}
					s.mu.Unlock()
					if kid == "" {
						continue
					}
					_, err = in.svc.WithdrawConsent(ctx, id, kid)
					if err == nil {
						s.mu.Lock()
						s.writes++
						s.withdrawn[kid] = true
						s.mu.Unlock()
					}
				case 3: // conflict added
					var c candidates.ConflictView
					kvk := fmt.Sprintf("%08d", r.IntN(100000000))
					c, err = in.svc.AddConflict(ctx, id, candidates.ConflictInput{KvK: kvk, Reason: "netwerk"})
					if err == nil {
						s.mu.Lock()
						s.writes++
						s.added[c.ID] = kvk
						s.mu.Unlock()
					}
				case 4: // conflict removed
					s.mu.Lock()
					var cid string
					for c := range s.added {
						if !s.removed[c] {
							cid = c
							break
						}
					}
					s.mu.Unlock()
					if cid == "" {
						continue
					}
					err = in.svc.RemoveConflict(ctx, id, cid)
					if err == nil {
						s.mu.Lock()
						s.writes++
						s.removed[cid] = true
						s.mu.Unlock()
					}
				}
				switch {
				case err == nil:
				case apperr.Is(err, apperr.Conflict) && err.Error() != "":
					mu.Lock()
					if apperr.CodeOf(err) == apperr.Conflict {
						clashes++
					}
					mu.Unlock()
				case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Invalid):
					mu.Lock()
					refused++ // a removal or withdrawal raced its twin
					mu.Unlock()
				default:
					t.Errorf("operation: %v", err)
				}
			}
		}()
	}
	wg.Wait()

	acked := 0
	for _, id := range ids {
		s := st[id]
		acked += s.writes
		c, err := insts[0].svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != int64(1+s.writes) {
			t.Errorf("%s: version %d after %d acknowledged writes (a write was lost or doubled)", id, c.Version, s.writes)
		}
		have := map[string]candidates.ConsentView{}
		for _, k := range c.Consents {
			have[k.ID] = k
		}
		for k := range s.granted {
			got, ok := have[k]
			switch {
			case !ok:
				t.Errorf("%s: acknowledged consent %s is gone", id, k)
			case s.withdrawn[k] && got.WithdrawnAt == nil:
				t.Errorf("%s: withdrawn consent %s is back", id, k)
			case !s.withdrawn[k] && got.WithdrawnAt != nil:
				t.Errorf("%s: consent %s withdrawn though no withdrawal was acknowledged", id, k)
			}
		}
		conflicts := map[string]bool{}
		for _, x := range c.Restrictions.Conflicts {
			conflicts[x.ID] = true
		}
		for cid := range s.added {
			if conflicts[cid] == s.removed[cid] {
				t.Errorf("%s: conflict %s present=%v, removed=%v", id, cid, conflicts[cid], s.removed[cid])
			}
		}
		events, err := insts[1].rec.BySubject(context.Background(), "candidate:"+string(id), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		writes := 0
		for _, e := range events {
			switch e.Action {
			case audit.ActionCandidateWrite, audit.ActionConsentGrant, audit.ActionConsentRevoke:
				writes++
			}
		}
		if writes != 1+s.writes {
			t.Errorf("%s: %d write events for %d writes (create included)", id, writes, 1+s.writes)
		}
	}
	t.Logf("backend %s: %d operations, %d acknowledged writes, %d refused as changed meanwhile (409), %d refused as already done", storetest.Backend(), workers*perWorker, acked, clashes, refused)
	if acked < workers*perWorker/3 {
		t.Fatalf("only %d of %d operations were acknowledged", acked, workers*perWorker)
	}
}
