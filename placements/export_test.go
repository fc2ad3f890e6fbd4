package placements

import (
	"context"
	"fmt"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
)

// SeedForBench lists n open introductions of employer (list entries only,
// as the follow-up writes them), for the list benchmark.
func SeedForBench(ctx context.Context, st *Store, employer string, n int) error {
	now := time.Now().UTC()
	entries := map[string]any{}
	for i := 0; i < n; i++ {
		in := Introduction{ID: fmt.Sprintf("i_bench%06d", i), CandidateID: candidates.ID(fmt.Sprintf("c_bench%06d", i)), VacancyID: employers.VacancyID("v_bench"),
			EmployerID: employers.ID(employer), State: Proposed, UpdatedAt: now.Add(time.Duration(i) * time.Millisecond)}
		entries[in.ID] = introEntry(in)
	}
	_, err := st.lists.InsertOne(ctx, map[string]any{"_id": "intro:employer:" + employer, "entries": entries, "version": int64(1)})
	return err
}
