// Package jobs keeps long work that a person starts from a page in the
// database, so that any instance shows its progress and a restart does
// not lose it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Service keeps long work that a person starts from a page (a caseload
// import, a rebuild of the search index, a SEPA export) in the database:
// its state, progress and input in one document. So any instance shows the
// progress page, and work that a stopped instance left unfinished is taken
// up again by another (or the same, restarted) from where it got to
// (Resume). A job runs where it started while that instance holds it; the
// hold is renewed as the job reports progress and lapses jobHold after the
// instance stopped.
type Service struct {
	coll     *mongo.Collection
	versions *store.Versions
	holder   string
	log      *slog.Logger

	mu    sync.RWMutex
	kinds map[string]JobFunc
}

// JobFunc does the work of one kind of job, as the user who started it
// (ctx carries their actor). It reads its input from the run and reports
// progress through it; resumed after a stop, it starts at
// run.Job().Done and must make each step safe to do twice (the step in
// hand when the instance stopped runs again).
type JobFunc func(ctx context.Context, run *JobRun) error

// Job is a job as it stands.
type Job struct {
	ID       string    `bson:"_id"`
	Kind     string    `bson:"kind"`
	Owner    string    `bson:"owner"` // the user who started it: only they see it
	Role     string    `bson:"role"`
	Employer string    `bson:"employer,omitempty"`
	Title    string    `bson:"title"`
	Step     string    `bson:"step,omitempty"`
	Done     int       `bson:"done"`
	Total    int       `bson:"total"`
	Ended    bool      `bson:"ended"`
	Error    string    `bson:"error,omitempty"`
	Result   string    `bson:"result,omitempty"` // where the work's outcome is shown
	Problems []string  `bson:"problems,omitempty"`
	Input    []byte    `bson:"input,omitempty"`
	Started  time.Time `bson:"started"`
	Updated  time.Time `bson:"updated"`
	Holder   string    `bson:"holder,omitempty"`
	Until    time.Time `bson:"until"`
	Resumed  int       `bson:"resumed,omitempty"`
	Version  int64     `bson:"version"`
}

const (
	// jobHold is how long an instance holds a running job without
	// reporting progress; after that another may take it up.
	jobHold = time.Minute
	// jobFlush is how often progress is written at most (and at least,
	// while the job runs).
	jobFlush = 250 * time.Millisecond
	// maxProblems bounds the problems a job keeps (an import's bad lines).
	maxProblems = 200
	// jobKeep is how long an ended job stays readable.
	jobKeep = 24 * time.Hour
)

// errNoJob is a job that does not exist or is not the asker's.
var errNoJob = apperr.Errorf(apperr.NotFound, "Not found.")

// NewService returns the jobs of db, run by this instance as holder (a
// name for the logs; unique per instance).
func NewService(db *mongo.Database, holder string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{coll: db.Collection("jobs"), versions: store.NewVersions(db), holder: holder, log: log, kinds: map[string]JobFunc{}}
}

// Name is the collection's name.
func (js *Service) Name() string { return js.coll.Name() }

// Register sets the work of kind.
func (js *Service) Register(kind string, f JobFunc) {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.kinds[kind] = f
}

// Start records a job of kind for the acting user and starts it here.
// title is what the progress page says it does; input is what it works on.
// Errors: Unauthenticated; the database's; a kind without work.
func (js *Service) Start(ctx context.Context, kind, title string, input []byte) (Job, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return Job{}, err
	}
	j := Job{Kind: kind, Owner: string(a.UserID), Role: string(a.Role), Employer: a.EmployerID, Title: title, Input: input}
	js.mu.RLock()
	f := js.kinds[j.Kind]
	js.mu.RUnlock()
	if f == nil {
		return Job{}, fmt.Errorf("jobs: no work for %q", j.Kind)
	}
	now := time.Now().UTC()
	j.ID, j.Started, j.Updated, j.Holder, j.Until, j.Version = ids.New("j_"), now, now, js.holder, now.Add(jobHold), 1
	j.Done, j.Ended, j.Error, j.Problems = 0, false, "", nil
	if _, err := js.coll.InsertOne(ctx, j); err != nil {
		return Job{}, fmt.Errorf("insert job: %w", err)
	}
	go js.run(context.WithoutCancel(ctx), j, f)
	return j, nil
}

// Get returns a job of the acting user's.
// Errors: Unauthenticated, NotFound (none, or another's).
func (js *Service) Get(ctx context.Context, id string) (Job, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return Job{}, err
	}
	if !ids.Valid(id, "j_") {
		return Job{}, errNoJob
	}
	var j Job
	err = js.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&j)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Job{}, errNoJob
	case err != nil:
		return Job{}, fmt.Errorf("find job %s: %w", id, err)
	case j.Owner != string(a.UserID):
		return Job{}, errNoJob
	}
	return j, nil
}

// Resume takes up the jobs whose holder stopped (their hold lapsed) and
// runs them here from where they got to; it also forgets jobs that ended
// more than a day ago. A periodic job, and once at start. It scans the
// collection, which holds a day of page work.
func (js *Service) Resume(ctx context.Context) (int, error) {
	cur, err := js.coll.Find(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("scan jobs: %w", err)
	}
	var all []Job
	if err := cur.All(ctx, &all); err != nil {
		return 0, fmt.Errorf("scan jobs: %w", err)
	}
	now := time.Now()
	n := 0
	for _, j := range all {
		switch {
		case j.Ended && now.Sub(j.Updated) > jobKeep:
			_, _ = js.coll.DeleteOne(ctx, bson.M{"_id": j.ID})
		case !j.Ended && now.After(j.Until):
			js.mu.RLock()
			f := js.kinds[j.Kind]
			js.mu.RUnlock()
			if f == nil {
				continue
			}
			taken, err := js.take(ctx, j)
			if errors.Is(err, store.ErrStale) {
				continue // another instance took it
			}
			if err != nil {
				return n, err
			}
			js.log.InfoContext(ctx, "job taken up again", "job", j.ID, "kind", j.Kind, "from", j.Done)
			go js.run(context.WithoutCancel(ctx), taken, f)
			n++
		}
	}
	return n, nil
}

// take moves a lapsed job to this instance: conditional on the version
// read, so of several instances one takes it.
func (js *Service) take(ctx context.Context, j Job) (Job, error) {
	from := j.Version
	j.Holder, j.Until, j.Resumed, j.Version, j.Updated = js.holder, time.Now().UTC().Add(jobHold), j.Resumed+1, from+1, time.Now().UTC()
	if err := js.versions.Replace(ctx, js.coll, j.ID, from, j); err != nil {
		return Job{}, err
	}
	return j, nil
}

// run does the work and records how it ended.
func (js *Service) run(ctx context.Context, j Job, f JobFunc) {
	ctx = users.WithActor(ctx, users.Actor{UserID: users.ID(j.Owner), Role: users.Role(j.Role), EmployerID: j.Employer})
	r := &JobRun{js: js, job: j}
	stop := make(chan struct{})
	go func() { // progress is written while the work runs, and renews the hold
		t := time.NewTicker(jobFlush)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := r.flush(ctx, false); err != nil {
					js.log.WarnContext(ctx, "job progress not written", "job", j.ID, "err", err)
				}
			}
		}
	}()
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("job %s panicked: %v", j.ID, p)
			}
		}()
		return f(ctx, r)
	}()
	close(stop)
	r.mu.Lock()
	r.job.Ended = true
	if err != nil {
		r.job.Error = "Internal error."
		if coded, ok := apperr.As(err); ok {
			r.job.Error = coded.Message
		} else {
			r.js.log.ErrorContext(ctx, "job failed", "job", j.ID, "kind", j.Kind, "err", err)
		}
	} else if r.job.Total > 0 {
		r.job.Done = r.job.Total
	}
	r.mu.Unlock()
	for attempt := 0; attempt < 5; attempt++ {
		if err := r.flush(ctx, true); err == nil {
			return
		} else {
			js.log.WarnContext(ctx, "job end not written", "job", j.ID, "err", err)
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
}

// Percent is how far the job got, 0 to 100.
func (j Job) Percent() int {
	switch {
	case j.Ended && j.Error == "":
		return 100
	case j.Total > 0:
		return min(100, j.Done*100/j.Total)
	}
	return 0
}

// JobRun is a running job as its work sees it.
type JobRun struct {
	js *Service

	mu      sync.Mutex
	job     Job
	dirty   bool
	written time.Time
}

// Job returns the job as it stands (Done is where a resumed job starts).
func (r *JobRun) Job() Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.job
	j.Problems = append([]string(nil), r.job.Problems...)
	return j
}

// Set reports progress: what is being done, how far of how much.
func (r *JobRun) Set(step string, done, total int) {
	r.mu.Lock()
	r.job.Step, r.job.Done, r.job.Total, r.dirty = step, done, total, true
	r.mu.Unlock()
}

// Problem records a part of the work that failed (the rest goes on).
func (r *JobRun) Problem(msg string) {
	r.mu.Lock()
	if len(r.job.Problems) < maxProblems {
		r.job.Problems = append(r.job.Problems, msg)
	}
	r.dirty = true
	r.mu.Unlock()
}

// SetResult names where the outcome is shown (a page's path).
func (r *JobRun) SetResult(path string) {
	r.mu.Lock()
	r.job.Result, r.dirty = path, true
	r.mu.Unlock()
}

// flush writes the job when it changed (or always when final, or when the
// hold needs renewing), conditional on the version this run wrote last. A
// run that finds its job moved on (another instance took it up while this
// one was stuck) stops writing.
func (r *JobRun) flush(ctx context.Context, final bool) error {
	r.mu.Lock()
	renew := time.Since(r.written) > jobHold/3
	if !final && !r.dirty && !renew {
		r.mu.Unlock()
		return nil
	}
	from := r.job.Version
	next := r.job
	next.Problems = append([]string(nil), r.job.Problems...)
	now := time.Now().UTC()
	next.Updated, next.Until, next.Version = now, now.Add(jobHold), from+1
	r.mu.Unlock()
	if err := r.js.versions.Replace(ctx, r.js.coll, next.ID, from, next); err != nil {
		return err
	}
	r.mu.Lock()
	r.job.Version, r.job.Updated, r.job.Until, r.written = next.Version, next.Updated, next.Until, now
	if r.job.Step == next.Step && r.job.Done == next.Done && len(r.job.Problems) == len(next.Problems) && r.job.Result == next.Result {
		r.dirty = false
	}
	r.mu.Unlock()
	return nil
}
