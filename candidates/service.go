package candidates

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Service applies the candidate rules: caseload ownership, consent and
// disclosure levels. Probation workers own the registry; other roles reach
// candidate data only through the disclosure views of later flows.
type Service struct {
	store  *Store
	audit  *audit.Recorder
	places *places.Table
	outbox *store.Outbox
	now    func() time.Time
	log    *slog.Logger
	stopAt func(step string) error // tests: stop a write at a step, as a crash there would

	// EmployerExists, when set, checks an employer id named in a conflict
	// list (wired by cmd to the employers service; candidates does not
	// import employers).
	EmployerExists func(ctx context.Context, id string) (bool, error)
	// EmployerActive, when set, checks that a consent names an employer
	// that is approved and current (wired by cmd like EmployerExists).
	EmployerActive func(ctx context.Context, id string) (bool, error)

	// Indexer, when set, brings the candidate's search-index document in
	// line (wired by cmd to the matching service). Every write records an
	// outbox task for it first, so a crash between the database write and
	// the index write heals on the next drain.
	Indexer func(ctx context.Context, id ID) error
	// IndexBatch, when set, indexes candidates in hand in one go (Import);
	// the outbox task behind it falls back to Indexer one by one.
	IndexBatch func(ctx context.Context, cs []Candidate) error
}

// Outbox tasks. taskWrite follows up every write of one candidate: the
// caseload entry, the search-index document, and the write's audit event
// (its payload). taskCaseload and taskIndex serve Import.
const (
	taskWrite    = "candidates.write"
	taskCaseload = "candidates.caseload"
	taskIndex    = "candidates.index"
)

// maxWrites is how many of its last writes' task ids a candidate keeps: the
// follow-up of a write that a crash interrupted learns from them whether
// the write took effect (so that its audit event is recorded) or not (a
// clash, or a crash before the write).
const maxWrites = 8

// maxAttempts bounds how often a change is re-applied to a fresh read after
// it clashed with another writer's.
const maxAttempts = 8

// NewService returns a Service and registers its outbox task. now may be nil.
func NewService(st *Store, rec *audit.Recorder, tbl *places.Table, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, audit: rec, places: tbl, outbox: ob, now: now, log: slog.Default()}
	ob.Register(taskWrite, s.followUp)
	// Tasks of the kinds before taskWrite, and of Import.
	ob.Register(taskIndex, func(ctx context.Context, t store.Task) error {
		ids := strings.Split(t.Key(), ",")
		if s.Indexer != nil {
			for _, id := range ids {
				if err := s.Indexer(ctx, ID(id)); err != nil {
					return err
				}
			}
		}
		return s.recordIfWritten(ctx, t, ID(ids[0]), false)
	})
	// Key: "worker/id" or, from Import, "worker/id1,id2,…".
	ob.Register(taskCaseload, func(ctx context.Context, t store.Task) error {
		worker, ids, _ := strings.Cut(t.Key(), "/")
		for _, id := range strings.Split(ids, ",") {
			if err := st.syncCaseload(ctx, users.ID(worker), ID(id)); err != nil {
				return err
			}
		}
		return nil
	})
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Create registers a candidate in the actor's caseload. The candidate starts
// registered, or available (confirmed now) when available_from is given and
// the worker says so through a later status change.
// Errors: Unauthenticated, Forbidden (not a probation worker), Invalid.
func (s *Service) Create(ctx context.Context, in Input) (Record, error) {
	actor, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return Record{}, err
	}
	now := s.clock()
	r, err := resolve(in, s.places, now)
	if err != nil {
		return Record{}, err
	}
	c := Candidate{
		ID: ID(store.NewID("c_")), WorkerID: actor.UserID, Status: Registered,
		Identity: r.identity, Profile: r.profile, Restrictions: r.restrictions,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	ev := audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "create"}}
	if err := s.write(ctx, c, true, true, ev); err != nil {
		return Record{}, err
	}
	return RecordOf(c, now), nil
}

// write saves c and records its follow-up first: one outbox task that
// brings the caseload entry and the search index in line and appends ev,
// the write's audit event (the one audit rule: a write's event is part of
// its outbox task, appended once the write took effect, exactly once even
// after a crash; docs/decisions.md). An update is conditional on the
// version read: store.ErrStale when another writer came first.
func (s *Service) write(ctx context.Context, c Candidate, insert, identityChanged bool, ev audit.Entry) error {
	ev.Subject, ev.RequestID = subject(c.ID), audit.RequestID(ctx)
	task, err := s.outbox.EnqueueWith(ctx, taskWrite, string(c.WorkerID)+"/"+string(c.ID), audit.EncodeEntry(ev))
	if err != nil {
		return err
	}
	if err := s.step("recorded"); err != nil {
		return err
	}
	c.writes = append(c.writes, task.ID())
	if len(c.writes) > maxWrites {
		c.writes = c.writes[len(c.writes)-maxWrites:]
	}
	if err := s.store.save(ctx, c, insert, identityChanged); err != nil {
		if errors.Is(err, store.ErrStale) {
			_ = s.outbox.Done(ctx, task) // nothing was written
		}
		// Otherwise the task stays: the drain finds out whether the write
		// took effect.
		return err
	}
	if err := s.step("written"); err != nil {
		return err
	}
	if err := s.outbox.Complete(ctx, task); err != nil {
		s.log.WarnContext(ctx, "candidate follow-up deferred to the outbox", "err", err)
	}
	return nil
}

// followUp is taskWrite's handler. Idempotent.
func (s *Service) followUp(ctx context.Context, t store.Task) error {
	worker, id, _ := strings.Cut(t.Key(), "/")
	if err := s.store.syncCaseload(ctx, users.ID(worker), ID(id)); err != nil {
		return err
	}
	if s.Indexer != nil {
		if err := s.Indexer(ctx, ID(id)); err != nil {
			return err
		}
	}
	return s.recordIfWritten(ctx, t, ID(id), true)
}

// recordIfWritten appends the event in t's payload once, if the write it
// follows up on took effect: the candidate names t among its last writes
// (byTask), or simply exists (an import).
func (s *Service) recordIfWritten(ctx context.Context, t store.Task, id ID, byTask bool) error {
	if len(t.Payload()) == 0 {
		return nil
	}
	c, err := s.store.profile(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if byTask && !slices.Contains(c.writes, t.ID()) {
		return nil
	}
	ev, err := audit.DecodeEntry(t.Payload())
	if err != nil {
		return fmt.Errorf("audit payload of task %s: %w", t.ID(), err)
	}
	if err := s.step("event"); err != nil {
		return err
	}
	if err := s.audit.RecordOnce(ctx, t.ID(), ev); err != nil {
		return err
	}
	return s.step("recorded-event")
}

func (s *Service) step(name string) error {
	if s.stopAt == nil {
		return nil
	}
	return s.stopAt(name)
}

// change applies fn to a fresh read of a candidate of the actor's caseload
// and writes the result, conditional on the version read; after a clash
// with another writer it reads and applies fn again (up to maxAttempts).
// expect, when above 0, is the caller's If-Match: a clash with it is 409.
// fn must only change c (it may run more than once) and returns the write's
// audit event, and whether the identity changed.
// Errors: fn's; Conflict when the candidate kept changing or expect is stale.
func (s *Service) change(ctx context.Context, id ID, expect int64, fn func(a users.Actor, c *Candidate, now time.Time) (ev audit.Entry, identity bool, err error)) (Candidate, error) {
	unlock := s.store.locks.Lock("candidate:" + string(id))
	defer unlock()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := store.Backoff(ctx, attempt); err != nil {
				return Candidate{}, err
			}
		}
		actor, c, err := s.own(ctx, id)
		if err != nil {
			return Candidate{}, err
		}
		if expect > 0 && expect != c.Version {
			return Candidate{}, errChanged
		}
		now := s.clock()
		ev, identity, err := fn(actor, &c, now)
		if err != nil {
			return Candidate{}, err
		}
		ev.ActorID, ev.Role = string(actor.UserID), string(actor.Role)
		c.UpdatedAt, c.Version = now, c.Version+1
		err = s.write(ctx, c, false, identity, ev)
		if errors.Is(err, store.ErrStale) && attempt+1 < maxAttempts {
			continue
		}
		if errors.Is(err, store.ErrStale) {
			return Candidate{}, errChanged
		}
		return c, err
	}
}

var errChanged = apperr.Errorf(apperr.Conflict, "The candidate was changed by someone else. Reload and try again.")

// own returns the candidate if it is in the actor's caseload. Anyone else's
// candidate is NotFound, so ids cannot be probed.
func (s *Service) own(ctx context.Context, id ID) (users.Actor, Candidate, error) {
	actor, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return users.Actor{}, Candidate{}, err
	}
	if !store.ValidID(string(id), "c_") {
		return users.Actor{}, Candidate{}, errNotFound
	}
	c, err := s.store.profile(ctx, id)
	if err != nil {
		return users.Actor{}, Candidate{}, err
	}
	if c.WorkerID != actor.UserID {
		return users.Actor{}, Candidate{}, errNotFound
	}
	if err := s.store.withIdentity(ctx, &c); err != nil {
		return users.Actor{}, Candidate{}, err
	}
	return actor, c, nil
}

// Get returns the full record of a candidate in the actor's caseload; the
// identity read is audited.
// Errors: Unauthenticated, Forbidden (role), NotFound (unknown or not own).
func (s *Service) Get(ctx context.Context, id ID) (Record, error) {
	actor, c, err := s.own(ctx, id)
	if err != nil {
		return Record{}, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionIdentityRead, Subject: subject(c.ID)})
	if err != nil {
		return Record{}, err
	}
	return RecordOf(c, s.clock()), nil
}

// Update changes a candidate of the actor's caseload. expectVersion, when
// above 0, must match the stored version (409 otherwise).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Update(ctx context.Context, id ID, u Update, expectVersion int64) (Record, error) {
	c, err := s.change(ctx, id, expectVersion, func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		r, err := resolve(u.apply(c.input()), s.places, now)
		var f apperr.Fields
		if u.Status != nil {
			switch st := *u.Status; {
			case !validStatus(st):
				f.Add("status", "must be one of registered, available, introduced, placed, exited")
			case !canMove(c.Status, st):
				f.Addf("status", "cannot change from %s to %s here", c.Status, st)
			}
		}
		f.Merge("", apperr.FieldsOf(err))
		if err := f.Err(); err != nil {
			return audit.Entry{}, false, err
		}
		c.Identity, c.Profile = r.identity, r.profile
		if u.Restrictions != nil {
			conflicts := c.Restrictions.Conflicts // kept: changed only through the conflict routes
			c.Restrictions = r.restrictions
			c.Restrictions.Conflicts = conflicts
		}
		if u.Status != nil && *u.Status != c.Status {
			c.Status = *u.Status
			if c.Status == Available {
				c.ConfirmedAt = now
			}
		}
		return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "update", "fields": strings.Join(u.fields(), ",")}}, u.Identity != nil, nil
	})
	if err != nil {
		return Record{}, err
	}
	return RecordOf(c, c.UpdatedAt), nil
}

// ConfirmAvailability records that the candidate is still available today;
// a profile unconfirmed for 30 days leaves employer search.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (not available).
func (s *Service) ConfirmAvailability(ctx context.Context, id ID) (Record, error) {
	c, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if c.Status != Available {
			return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "Only an available candidate's availability can be confirmed; set the status to available first.")
		}
		c.ConfirmedAt = now
		return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "confirm_availability"}}, false, nil
	})
	if err != nil {
		return Record{}, err
	}
	return RecordOf(c, c.UpdatedAt), nil
}

// List returns the actor's caseload. The list shows names, so reading it is
// an audited identity read.
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	actor, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return nil, err
	}
	out, err := s.store.caseload(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionIdentityRead,
		Subject: "caseload:" + string(actor.UserID), Details: map[string]string{"count": itoa(len(out))}})
	return out, err
}

// ConsentInput records a candidate's consent to disclose to one employer.
type ConsentInput struct {
	EmployerID string `json:"employer_id"`
	Level      int    `json:"level"`
	Purpose    string `json:"purpose"`
	ExpiresAt  string `json:"expires_at"` // YYYY-MM-DD; at most a year ahead
}

// maxConsents bounds the consents embedded in one candidate document.
const maxConsents = 100

// GrantConsent records consent given by the candidate (to their worker).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too many).
func (s *Service) GrantConsent(ctx context.Context, id ID, in ConsentInput) (ConsentView, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return ConsentView{}, err
	}
	now := s.clock()
	var f apperr.Fields
	emp := strings.TrimSpace(in.EmployerID)
	switch {
	case emp == "":
		f.Add("employer_id", "is required")
	case len(emp) > 64 || strings.ContainsFunc(emp, unicode.IsControl):
		f.Add("employer_id", "is not a valid employer id")
	}
	if in.Level != 1 && in.Level != 2 {
		f.Add("level", "must be 1 (introduction) or 2 (placement)")
	}
	purpose := f.Text("purpose", in.Purpose, 300, true)
	exp, ok := date(&f, "expires_at", in.ExpiresAt, true)
	if ok {
		switch {
		case !exp.After(dateOf(now)):
			f.Add("expires_at", "must be after today")
		case exp.After(dateOf(now).AddDate(1, 0, 0)):
			f.Add("expires_at", "must be at most one year ahead")
		}
	}
	if _, bad := f["employer_id"]; !bad && s.EmployerActive != nil {
		active, err := s.EmployerActive(ctx, emp)
		if err != nil {
			return ConsentView{}, err
		}
		if !active {
			f.Add("employer_id", "is not an approved employer")
		}
	}
	if err := f.Err(); err != nil {
		return ConsentView{}, err
	}
	var k Consent
	_, err := s.change(ctx, id, 0, func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if len(c.Consents) >= maxConsents {
			return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This candidate has the maximum number of consent records.")
		}
		k = Consent{ID: store.NewID("k_"), EmployerID: emp, Level: in.Level, Purpose: purpose,
			GrantedAt: now, ExpiresAt: exp.Add(24*time.Hour - time.Millisecond), RecordedBy: a.UserID}
		c.Consents = append(c.Consents, k)
		return audit.Entry{Action: audit.ActionConsentGrant, Details: map[string]string{"consent": k.ID, "employer": k.EmployerID, "level": itoa(k.Level)}}, false, nil
	})
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// WithdrawConsent withdraws a consent at once: the disclosure level it
// backed drops on the next read.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (already withdrawn).
func (s *Service) WithdrawConsent(ctx context.Context, id ID, consentID string) (ConsentView, error) {
	var k Consent
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		for i := range c.Consents {
			if c.Consents[i].ID != consentID {
				continue
			}
			if c.Consents[i].WithdrawnAt != nil {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This consent was withdrawn already.")
			}
			c.Consents[i].WithdrawnAt = &now
			k = c.Consents[i]
			return audit.Entry{Action: audit.ActionConsentRevoke, Details: map[string]string{"consent": k.ID, "employer": k.EmployerID}}, false, nil
		}
		return audit.Entry{}, false, apperr.Errorf(apperr.NotFound, "Consent not found.")
	})
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// fields names the parts an update touches, for the audit event (names
// only, never values).
func (u Update) fields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(u.Identity != nil, "identity")
	add(u.Skills != nil, "skills")
	add(u.DesiredOccupations != nil, "desired_occupations")
	add(u.Certificates != nil, "certificates")
	add(u.Languages != nil, "languages")
	add(u.HoursPerWeek != nil, "hours_per_week")
	add(u.AvailableFrom != nil, "available_from")
	add(u.HomePlace != nil || u.HomeProvince != nil, "home_place")
	add(u.TravelRadiusKm != nil, "travel_radius_km")
	add(u.Motivation != nil, "motivation")
	add(u.WorkHistory != nil, "work_history")
	add(u.Restrictions != nil, "restrictions")
	add(u.Status != nil, "status")
	return out
}

func subject(id ID) string { return "candidate:" + string(id) }

func validStatus(s Status) bool {
	switch s {
	case Registered, Available, Introduced, Placed, Exited:
		return true
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

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
	var index store.Task
	if s.Indexer != nil {
		all := make([]string, len(cs))
		for i, c := range cs {
			all[i] = string(c.ID)
		}
		var err error
		if index, err = s.outbox.Enqueue(ctx, taskIndex, strings.Join(all, ",")); err != nil {
			return nil, err
		}
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
	if s.Indexer != nil {
		if s.IndexBatch != nil && s.IndexBatch(ctx, cs) == nil {
			if err := s.outbox.Done(ctx, index); err != nil {
				return nil, err
			}
		} else if err := s.outbox.Complete(ctx, index); err != nil {
			s.log.WarnContext(ctx, "index update deferred", "err", err)
		}
	}
	ids := make([]ID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	err := s.audit.Record(ctx, audit.Entry{ActorID: "system", Role: "system", Action: audit.ActionCandidateWrite,
		Subject: "import", Details: map[string]string{"op": "import", "count": itoa(len(cs))}})
	return ids, err
}

// ConflictInput names an employer in conflict with a candidate: by id, by
// KvK number, or both.
type ConflictInput struct {
	EmployerID string `json:"employer_id"`
	KvK        string `json:"kvk"`
	Reason     string `json:"reason"`
}

// maxConflicts bounds a candidate's conflict list.
const maxConflicts = 50

// AddConflict adds an employer to the candidate's conflict list; matching
// never pairs them. The list is visible only to the candidate's worker.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (full, or
// listed already).
func (s *Service) AddConflict(ctx context.Context, id ID, in ConflictInput) (ConflictView, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return ConflictView{}, err
	}
	var f apperr.Fields
	emp := strings.TrimSpace(in.EmployerID)
	kvk := strings.NewReplacer(" ", "", ".", "").Replace(strings.TrimSpace(in.KvK))
	reason := f.Text("reason", in.Reason, 300, true)
	switch {
	case emp == "" && kvk == "":
		f.Add("employer_id", "give an employer id or a KvK number")
	case kvk != "" && !kvkRe.MatchString(kvk):
		f.Add("kvk", "must be exactly 8 digits")
	}
	if emp != "" {
		known := len(emp) <= 40 && strings.HasPrefix(emp, "e_")
		if known && s.EmployerExists != nil {
			var err error
			if known, err = s.EmployerExists(ctx, emp); err != nil {
				return ConflictView{}, err
			}
		}
		if !known {
			f.Add("employer_id", "is not a known employer")
		}
	}
	if err := f.Err(); err != nil {
		return ConflictView{}, err
	}
	var k Conflict
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if len(c.Restrictions.Conflicts) >= maxConflicts {
			return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "The conflict list is full (%d entries).", maxConflicts)
		}
		for _, x := range c.Restrictions.Conflicts {
			if (emp != "" && x.EmployerID == emp) || (kvk != "" && x.KvK == kvk) {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This employer is on the conflict list already.")
			}
		}
		k = Conflict{ID: store.NewID("x_"), EmployerID: emp, KvK: kvk, Reason: reason, AddedAt: now}
		c.Restrictions.Conflicts = append(c.Restrictions.Conflicts, k)
		return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "conflict_add", "conflict": k.ID}}, false, nil
	})
	if err != nil {
		return ConflictView{}, err
	}
	return ConflictView(k), nil
}

// RemoveConflict takes an entry off the candidate's conflict list.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) RemoveConflict(ctx context.Context, id ID, conflictID string) error {
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, _ time.Time) (audit.Entry, bool, error) {
		for i, k := range c.Restrictions.Conflicts {
			if k.ID == conflictID {
				c.Restrictions.Conflicts = append(c.Restrictions.Conflicts[:i], c.Restrictions.Conflicts[i+1:]...)
				return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "conflict_remove", "conflict": k.ID}}, false, nil
			}
		}
		return audit.Entry{}, false, apperr.Errorf(apperr.NotFound, "Conflict-list entry not found.")
	})
	return err
}

// Load returns a candidate's profile without identity, for the matching
// service, which decides itself who may see what of it (only level-0 cards
// leave it). Never for a request's own reads.
// Errors: NotFound.
func (s *Service) Load(ctx context.Context, id ID) (Candidate, error) {
	if !store.ValidID(string(id), "c_") {
		return Candidate{}, errNotFound
	}
	return s.store.profile(ctx, id)
}

// LoadOwn returns a candidate of the acting probation worker's caseload,
// for matching on the worker's behalf.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) LoadOwn(ctx context.Context, id ID) (Candidate, error) {
	_, c, err := s.own(ctx, id)
	return c, err
}

// Count estimates how many candidates Each will visit, for progress.
func (s *Service) Count(ctx context.Context) (int64, error) {
	return s.store.count(ctx)
}

// Each calls fn for every candidate, in batches, for rebuilding the search
// index; it scans, so it runs as a command or a job, never on a request.
func (s *Service) Each(ctx context.Context, fn func(Candidate) error) error {
	return s.store.each(ctx, fn)
}

// SetLogger sets the logger of warnings the service handles itself (cmd
// passes the platform's).
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }
