package candidates

import (
	"context"
	"strings"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ImportItem is one candidate of a bulk import, for a given worker.
type ImportItem struct {
	WorkerID users.ID
	// Key, when set, names the line in its source (a file's hash and line
	// number): the candidate's id derives from the worker and the key, as
	// CreateKeyed's does, so that importing the same line again (a run
	// taken up after a crash, a file sent twice) writes nothing new.
	Key       string
	Input     Input
	Available bool // registered as available, confirmed now
}

// MaxImport is the largest batch Import takes.
const MaxImport = 5000

// Prepared is a batch of an import that passed validation, ready to be
// written (Write). Preparing the next batch while one is written keeps
// both cores busy.
type Prepared struct{ cs []Candidate }

// Len is the number of candidates in the batch.
func (p Prepared) Len() int { return len(p.cs) }

// Prepare validates a batch the way Create validates one candidate; nothing
// is written. Every item is checked, and the error names each bad one
// (items[i].field).
// Errors: Invalid, Conflict (batch too large).
func (s *Service) Prepare(items []ImportItem) (Prepared, error) {
	if len(items) > MaxImport {
		return Prepared{}, apperr.Errorf(apperr.Conflict, "At most %d candidates per import.", MaxImport)
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
		id := ID(store.NewID("c_"))
		if it.Key != "" {
			id = ID(ids.Derived("c_", string(it.WorkerID)+"\x00"+it.Key))
		}
		c := Candidate{ID: id, WorkerID: it.WorkerID, Status: Registered,
			Identity: r.identity, Profile: r.profile, Restrictions: r.restrictions, CreatedAt: now, UpdatedAt: now, Version: 1}
		if it.Available {
			c.Status, c.ConfirmedAt = Available, now
		}
		cs = append(cs, c)
	}
	if err := f.Err(); err != nil {
		return Prepared{}, err
	}
	return Prepared{cs: cs}, nil
}

// Import registers many candidates at once, for data migration, the demo
// generator and benchmarks: Prepare, then Write.
// Errors: as Prepare and Write.
func (s *Service) Import(ctx context.Context, items []ImportItem) ([]ID, error) {
	p, err := s.Prepare(items)
	if err != nil {
		return nil, err
	}
	return s.Write(ctx, p)
}

// Write stores a prepared batch in bulk: identities, profiles and caseload
// entries, then the whole batch in one index batch, and the batch as one
// audit event. It returns the candidates it made; a keyed candidate that
// exists already (made by an earlier import of the same line, or erased
// since) is left as it is. Outbox tasks are recorded first, so a crash
// part-way heals like a single write. Only a coordinator-run command may
// call it: it takes no actor from the request.
func (s *Service) Write(ctx context.Context, p Prepared) ([]ID, error) {
	cs := p.cs
	if len(cs) == 0 {
		return []ID{}, nil
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
	// The database takes one bulk insert at a time anyway (SQLite has one
	// writer); in turn, two Writes at once overlap one's index batch with
	// the other's inserts.
	s.bulk.Lock()
	made, err := s.store.insertMany(ctx, cs)
	s.bulk.Unlock()
	if err != nil {
		return nil, err
	}
	// insertMany wrote the caseload entries itself.
	for _, t := range tasks {
		if err := s.outbox.Done(ctx, t); err != nil {
			return nil, err
		}
	}
	if s.IndexBatch != nil && s.IndexBatch(ctx, made) == nil && s.recordEvent(ctx, index) == nil {
		if err := s.outbox.Done(ctx, index); err != nil {
			return nil, err
		}
	} else if err := s.outbox.Complete(ctx, index); err != nil {
		s.log.WarnContext(ctx, "import follow-up deferred to the outbox", "err", err)
	}
	out := make([]ID, len(made))
	for i, c := range made {
		out[i] = c.ID
	}
	return out, nil
}
