package candidates_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// TestImport_KeyedLinesOnce: 20 imports of the same keyed file at once,
// over two instances on one database (a migration started twice, a run
// taken up again while the first still runs), register each line once:
// 30 lines make 30 candidates, the imports together report 30 made, and
// each worker's caseload lists its 15. A line whose candidate was erased
// since is not brought back by importing it again.
func TestImport_KeyedLinesOnce(t *testing.T) {
	db := storetest.Open(t)
	storetest.Create(t, db, "candidates", "candidate_identities", "caseloads", "outbox", "version_claims",
		"audit_events", "audit_head", "audit_subjects")
	insts := []instance{newInstance(db), newInstance(storetest.SecondInstance(t, db))}
	items := make([]candidates.ImportItem, 30)
	for i := range items {
		in := input()
		in.Identity.FirstName = "Mila" + strconv.Itoa(i)
		items[i] = candidates.ImportItem{WorkerID: users.ID("u_w" + strconv.Itoa(i%2)), Key: "file#" + strconv.Itoa(i+2), Input: in, Available: true}
	}
	ctx := context.Background()
	var mu sync.Mutex
	made := map[candidates.ID]int{}
	var wg sync.WaitGroup
	for n := 0; n < 20; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids, err := insts[n%2].svc.Import(ctx, items)
			if err != nil {
				t.Errorf("import %d: %v", n, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				made[id]++
			}
		}()
	}
	wg.Wait()
	if len(made) != 30 {
		t.Fatalf("the imports made %d distinct candidates; want 30", len(made))
	}
	for id, n := range made {
		if n != 1 {
			t.Fatalf("candidate %s reported made by %d imports; want 1", id, n)
		}
	}
	for _, coll := range []string{"candidates", "candidate_identities"} {
		if n, _ := db.Collection(coll).CountDocuments(ctx, bson.M{}); n != 30 {
			t.Fatalf("%s holds %d documents; want 30", coll, n)
		}
	}
	for w := 0; w < 2; w++ {
		wctx := users.WithActor(ctx, users.Actor{UserID: users.ID("u_w" + strconv.Itoa(w)), Role: users.ProbationWorker})
		list, err := insts[0].svc.List(wctx)
		if err != nil || len(list) != 15 {
			t.Fatalf("worker %d's caseload = %d entries, %v; want 15", w, len(list), err)
		}
	}

	// Erase the first line's candidate, then import the file once more.
	first := candidates.ID(ids.Derived("c_", "u_w0\x00file#2")) // as CreateKeyed derives it
	if made[first] != 1 {
		t.Fatalf("the first line's candidate is not %s", first)
	}
	wctx := users.WithActor(ctx, users.Actor{UserID: "u_w0", Role: users.ProbationWorker})
	if _, err := insts[0].svc.Erase(wctx, first); err != nil {
		t.Fatalf("erase: %v", err)
	}
	again, err := insts[1].svc.Import(ctx, items)
	if err != nil || len(again) != 0 {
		t.Fatalf("the same file again made %v, %v; want nothing", again, err)
	}
	if n, _ := db.Collection("candidate_identities").CountDocuments(ctx, bson.M{"_id": string(first)}); n != 0 {
		t.Fatal("importing the line again brought the erased candidate's identity back")
	}
	if c, err := insts[0].svc.Load(ctx, first); err != nil || c.Erasure == nil {
		t.Fatalf("the erased candidate reads as %+v, %v; want its tombstone", c, err)
	}
	if list, err := insts[0].svc.List(wctx); err != nil || len(list) != 14 {
		t.Fatalf("worker 0's caseload after the erasure and the import = %d entries, %v; want 14", len(list), err)
	}
}
