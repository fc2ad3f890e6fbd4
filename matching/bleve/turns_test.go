package bleve_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/enginebench"
)

// Searches take turns (decision 62): with every turn taken a search waits,
// runs once one is given back, and answers as it does with no limit; a
// search whose request is given up while it waits takes no turn.
func TestSearchesTakeTurns(t *testing.T) {
	ctx := context.Background()
	ix, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	gen := enginebench.Docs(300, 5, time.Now())
	if err := ix.UpsertCandidates(ctx, gen); err != nil {
		t.Fatal(err)
	}
	q := matching.CandidateQuery{Skills: gen[0].Skills, Limit: 10, Facets: true}
	ix.SetTurns(-1)
	want, err := ix.SearchCandidates(ctx, q)
	if err != nil || want.Total == 0 {
		t.Fatalf("search with no limit: total %d, %v", want.Total, err)
	}

	ix.SetTurns(1)
	giveBack, err := ix.TakeTurnForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		r   matching.Result
		err error
	}
	got := make(chan answer, 1)
	go func() {
		r, err := ix.SearchCandidates(ctx, q)
		got <- answer{r, err}
	}()
	select {
	case a := <-got:
		t.Fatalf("a search ran while the only turn was taken: %+v", a.err)
	case <-time.After(200 * time.Millisecond):
	}
	// One that is given up while it waits answers with its context's error.
	gone, cancel := context.WithCancel(ctx)
	given := make(chan error, 1)
	go func() {
		_, err := ix.SearchCandidates(gone, q)
		given <- err
	}()
	cancel()
	select {
	case err := <-given:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a search given up while waiting: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a search given up while waiting did not return")
	}
	giveBack()
	select {
	case a := <-got:
		if a.err != nil || !reflect.DeepEqual(a.r, want) {
			t.Fatalf("after its turn: total %d, %v; want the same answer as with no limit (total %d)", a.r.Total, a.err, want.Total)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting search did not run once the turn was given back")
	}
	// Every turn is back: a search runs at once.
	if _, err := ix.SearchCandidates(ctx, q); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.SearchVacancies(ctx, matching.VacancyQuery{Limit: 5}); err != nil {
		t.Fatal(err)
	}
}
