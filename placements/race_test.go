package placements_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

func instance(db *mongo.Database, now func() time.Time) *placements.Service {
	ob := store.NewOutbox(db, nil)
	rec := audit.NewRecorder(db, nil)
	us := users.NewService(users.NewStore(db), rec, ob, nil)
	cs := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
	es := employers.NewService(employers.NewStore(db), us, rec, places.New(), store.NewThrottle(db, "throttle"), ob, nil)
	return placements.NewService(placements.NewStore(db), cs, es, us, rec, ob, now)
}

// TestTwoInstances_CheckInsNotLost: two instances on one database (over
// PostgreSQL, two FerretDB servers) record 32 check-ins and 8 workplace
// notes on one placement at the same moment. Every acknowledged one is
// there exactly once (the oldest moved to the archive), numbered without
// a gap.
func TestTwoInstances_CheckInsNotLost(t *testing.T) {
	db := storetest.Open(t)
	st := placements.NewStore(db)
	storetest.Create(t, db, append(st.Collections(), "outbox", "version_claims", "audit_events", "audit_head", "audit_subjects", "inboxes")...)
	now := time.Now().UTC()
	if err := placements.SeedMentoring(context.Background(), st, "u_mentor", "u_worker", 1, now); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	insts := []*placements.Service{instance(db, clock), instance(storetest.SecondInstance(t, db), clock)}
	mentor := users.WithActor(context.Background(), users.Actor{UserID: "u_mentor", Role: users.Mentor})
	emp := users.WithActor(context.Background(), users.Actor{UserID: "u_emp", Role: users.Employer, EmployerID: "e_bench"})
	const pid = "p_bench000000"
	yes, four := true, 4
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := insts[g%2]
			for i := 0; i < 4; i++ {
				c, err := s.RecordCheckIn(mentor, pid, placements.CheckInInput{Date: now.Format(time.DateOnly), Mode: "phone", Attended: &yes, Wellbeing: &four, Work: &four,
					Concerns: fmt.Sprintf("goroutine %d, check-in %d", g, i)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if seen[c.N] {
					errs <- fmt.Errorf("check-in number %d given twice", c.N)
				}
				seen[c.N] = true
				mu.Unlock()
			}
			if _, err := s.AddNote(emp, pid, placements.NoteInput{Date: now.Format(time.DateOnly), Attendance: "good", Punctuality: "good"}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	p, err := insts[0].GetPlacement(mentor, pid)
	if err != nil {
		t.Fatal(err)
	}
	archived, err := db.Collection("placement_checkins").CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	base := p.CheckInsArchived + len(p.CheckIns) - 32 // the seeded ones
	t.Logf("check-ins: %d embedded, %d archived (%d documents), %d seeded before; notes %d", len(p.CheckIns), p.CheckInsArchived, archived, base, len(p.Notes))
	if len(seen) != 32 || len(p.CheckIns) != 24 || base < 0 || int(archived) < p.CheckInsArchived-base {
		t.Fatalf("acknowledged %d check-ins; the placement keeps %d and archived %d (%d documents)", len(seen), len(p.CheckIns), p.CheckInsArchived, archived)
	}
	for i, c := range p.CheckIns[1:] {
		if c.N != p.CheckIns[i].N+1 {
			t.Fatalf("check-in numbers have a gap: %d after %d", c.N, p.CheckIns[i].N)
		}
	}
	for n := range seen {
		if n <= base {
			t.Fatalf("a new check-in got number %d, one of the seeded ones", n)
		}
	}
	if len(p.Notes) != 8 {
		t.Fatalf("notes %d; want 8", len(p.Notes))
	}
}
