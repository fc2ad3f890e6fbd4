package candidates

import (
	"context"
	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
	"strings"
)

// ImportItem is one candidate of a bulk import, for a given worker.
type ImportItem struct {
	WorkerID  users.ID
	Input     Input
	Available bool // registered as available, confirmed now
}

// MaxImport is the largest batch Import takes.
const MaxImport = 5000

// Import registers many candidates at once, for data migration, the demo
// generator and benchmarks. Every item is validated before anything is
// written; the batch is one audit event. Only a coordinator-run command may
// call it: it takes no actor from the request.
// Errors: Invalid (naming items[i].field), Conflict (batch too large).
func (s *Service) Import(ctx context.Context, items []ImportItem) ([]ID, error) {
	if len(items) > MaxImport {
		return nil, apperr.Errorf(apperr.Conflict, "At most %d candidates per import.", MaxImport)
	}
	now := s.clock()
	cs := make([]Candidate, 0, len(items))
	var f apperr.Fields
	for i, it := range items {
		r, err := resolve(it.Input, s.places, now)
		if err != nil {
			if fe, ok := apperr.As(err); ok {
				f.Merge("items["+itoa(i)+"]", fe.Fields)
			}
			continue
		}
		if it.WorkerID == "" {
			f.Add("items["+itoa(i)+"].worker_id", "is required")
			continue
		}
		c := Candidate{ID: ID(store.NewID("c_")), WorkerID: it.WorkerID, Status: Registered,
			Identity: r.identity, Profile: r.profile, Restrictions: r.restrictions, CreatedAt: now, UpdatedAt: now, Version: 1}
		if it.Available {
			c.Status, c.ConfirmedAt = Available, now
		}
		cs = append(cs, c)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// One outbox task per worker, naming that worker's new candidates.
	perWorker := map[users.ID][]string{}
	for _, c := range cs {
		perWorker[c.WorkerID] = append(perWorker[c.WorkerID], string(c.ID))
	}
	tasks := make([]store.Task, 0, len(perWorker))
	for w, ids := range perWorker {
		t, err := s.outbox.Enqueue(ctx, taskCaseload, string(w)+"/"+strings.Join(ids, ","))
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	// One task indexes the batch and carries its audit event.
	payload, err := s.audit.Intent(ctx, audit.Entry{ActorID: "system", Role: "system", Action: audit.ActionCandidateWrite,
		Subject: "import", Details: map[string]string{"op": "import", "count": itoa(len(cs))}})
	if err != nil {
		return nil, err
	}
	all := make([]string, len(cs))
	for i, c := range cs {
		all[i] = string(c.ID)
	}
	index, err := s.outbox.EnqueueWith(ctx, taskIndex, strings.Join(all, ","), payload)
	if err != nil {
		return nil, err
	}
	if err := s.store.insertMany(ctx, cs); err != nil {
		return nil, err
	}
	// insertMany wrote the caseload entries itself.
	for _, t := range tasks {
		if err := s.outbox.Done(ctx, t); err != nil {
			return nil, err
		}
	}
	if s.IndexBatch != nil && s.IndexBatch(ctx, cs) == nil && s.recordEvent(ctx, index) == nil {
		if err := s.outbox.Done(ctx, index); err != nil {
			return nil, err
		}
	} else if err := s.outbox.Complete(ctx, index); err != nil {
		s.log.WarnContext(ctx, "import follow-up deferred to the outbox", "err", err)
	}
	ids := make([]ID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids, nil
}
