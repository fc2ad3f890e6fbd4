package candidates

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
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
	writer *store.Writer
	now    func() time.Time
	log    *slog.Logger
	bulk   sync.Mutex // one Write's database stage at a time (see Write)

	// EmployerExists, when set, checks an employer id named in a conflict
	// list (wired by cmd to the employers service; candidates does not
	// import employers).
	EmployerExists func(ctx context.Context, id string) (bool, error)
	// EmployerActive, when set, checks that a consent names an employer
	// that is approved and current (wired by cmd like EmployerExists).
	EmployerActive func(ctx context.Context, id string) (bool, error)
	// EmployerOf, when set, tells ViewFor who the acting employer is (wired
	// by cmd); without it no employer sees a candidate.
	EmployerOf func(ctx context.Context, id string) (EmployerStanding, error)
	// IntroductionLevel, when set, is the disclosure level the candidate's
	// introduction to the employer allows (1 from candidate_consented, 2
	// once placed; wired to the introductions when they exist). Without it
	// no employer gets beyond the card, whatever the consents.
	IntroductionLevel func(ctx context.Context, candidate ID, employer string) (int, error)
	// WorkerContact, when set, names a probation worker and their e-mail:
	// the probation contact a level-2 view shows (wired to the users
	// service). Without it level 2 shows no probation contact.
	WorkerContact func(ctx context.Context, worker users.ID) (ProbationContact, error)

	// Indexer, when set, brings the candidate's search-index document in
	// line (wired by cmd to the matching service). Every write records an
	// outbox task for it first, so a crash between the database write and
	// the index write heals on the next drain.
	Indexer func(ctx context.Context, id ID) error
	// IndexBatch, when set, indexes candidates in hand in one go (Import);
	// the outbox task behind it falls back to Indexer one by one.
	IndexBatch func(ctx context.Context, cs []Candidate) error

	// ErasureExceptions, when set, lists what an erasure keeps beyond the
	// audit log, with its art. 17(3) basis (placements and payouts kept
	// pseudonymised for the ledger, a payout not yet settled); wired to the
	// placements and payments.
	ErasureExceptions func(ctx context.Context, id ID) ([]Kept, error)
	// OnErase, when set, blanks what other records say about an erased
	// candidate in free text (check-in notes, escalation actions); it runs
	// in the erasure's follow-up, so a crash repeats it. Idempotent.
	OnErase func(ctx context.Context, id ID) error
	// PurgeIndex, when set, rewrites the search index's files without the
	// deleted documents (matching.Service.Purge), after an erasure.
	PurgeIndex func(ctx context.Context) error
	// InviteAccount makes (or finds) the candidate's own account and
	// invites them (wired to the users service), recording ev: by mail
	// to email, or without one a login and a link to print.
	InviteAccount func(ctx context.Context, candidate, name, email string, ev audit.Entry) (AccountInvite, error)
}

// Outbox tasks. taskWrite follows up every write of one candidate: the
// caseload entry, the search-index document, and the write's audit event.
// taskCaseload and taskIndex serve Import.
const (
	taskWrite    = "candidates.write"
	taskCaseload = "candidates.caseload"
	taskIndex    = "candidates.index"
)

// writeTask is what a candidate write's follow-up needs beside the
// candidate: whose caseload lists it.
type writeTask struct {
	Worker    users.ID `json:"worker"`
	Candidate ID       `json:"candidate"`
}

// NewService returns a Service and registers its outbox tasks. now may be nil.
func NewService(st *Store, rec *audit.Recorder, tbl *places.Table, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, audit: rec, places: tbl, outbox: ob, writer: store.NewWriter(ob, rec, nil), now: now, log: slog.Default()}
	store.Handle(s.writer, taskWrite, s.followUp)
	// Tasks of Import.
	ob.Register(taskIndex, func(ctx context.Context, t store.Task) error {
		ids := strings.Split(t.Key(), ",")
		if s.Indexer != nil {
			for _, id := range ids {
				if err := s.Indexer(ctx, ID(id)); err != nil {
					return err
				}
			}
		}
		if _, err := s.store.profile(ctx, ID(ids[0])); apperr.Is(err, apperr.NotFound) {
			return nil // the import did not land
		} else if err != nil {
			return err
		}
		return s.recordEvent(ctx, t)
	})
	// Key: "worker/id1,id2,…".
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
	return s.create(ctx, ID(store.NewID("c_")), in)
}

// CreateKeyed is Create for a step that may run twice (a resumed import's
// line, a request sent again): the candidate's id derives from key and the
// actor, and a second run returns the candidate the first made.
// Errors: as Create.
func (s *Service) CreateKeyed(ctx context.Context, key string, in Input) (Record, error) {
	actor, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return Record{}, err
	}
	id := ID(ids.Derived("c_", string(actor.UserID)+"\x00"+key))
	made := func() (Record, bool) { // the first run's candidate
		c, err := s.store.profile(ctx, id)
		if err != nil || c.WorkerID != actor.UserID {
			return Record{}, false
		}
		return RecordOf(c, s.clock()), true
	}
	if r, ok := made(); ok {
		return r, nil
	}
	r, err := s.create(ctx, id, in)
	if errors.Is(err, store.ErrStale) { // made by a run at the same moment
		if r, ok := made(); ok {
			return r, nil
		}
	}
	return r, err
}

func (s *Service) create(ctx context.Context, id ID, in Input) (Record, error) {
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
		ID: id, WorkerID: actor.UserID, Status: Registered,
		Identity: r.identity, Profile: r.profile, Restrictions: r.restrictions,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	ev := audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "create"}}
	if err := s.write(ctx, c, true, true, ev); err != nil {
		return Record{}, err
	}
	return RecordOf(c, now), nil
}

// write saves c through the one write path (store.Do): its follow-up
// brings the caseload entry and the search index in line and appends ev,
// the write's audit event, once the write took effect. An update is
// conditional on the version read: store.ErrStale when another writer
// came first.
func (s *Service) write(ctx context.Context, c Candidate, insert, identityChanged bool, ev audit.Entry) error {
	ev.Subject = subject(c.ID)
	return store.Do(ctx, s.writer, store.Write[writeTask]{
		Kind: taskWrite, Key: string(c.ID), Event: ev, Data: writeTask{Worker: c.WorkerID, Candidate: c.ID},
		Save: func(ctx context.Context, task string) error {
			c.writes = c.writes.With(task)
			return s.store.save(ctx, c, insert, identityChanged)
		},
		InHand: func(ctx context.Context) error { return s.follow(ctx, c) },
	})
}

// follow brings c's caseload entry and index document in line.
func (s *Service) follow(ctx context.Context, c Candidate) error {
	if err := s.store.setEntry(ctx, c); err != nil {
		return err
	}
	if s.Indexer != nil {
		return s.Indexer(ctx, c.ID)
	}
	return nil
}

// followUp is taskWrite's handler, run by the drain for a task a crash or a
// failure left, and for a write that did not land: it re-reads the
// candidate. Idempotent.
func (s *Service) followUp(ctx context.Context, t store.FollowUp[writeTask]) (bool, error) {
	id, worker := t.Data.Candidate, t.Data.Worker
	if id == "" { // a task of the version before typed payloads: "worker/id"
		w, c, _ := strings.Cut(t.Key(), "/")
		worker, id = users.ID(w), ID(c)
	}
	if err := s.store.syncCaseload(ctx, worker, id); err != nil {
		return false, err
	}
	if s.Indexer != nil {
		if err := s.Indexer(ctx, id); err != nil {
			return false, err
		}
	}
	c, err := s.store.profile(ctx, id)
	if err == nil && c.Status == Erased {
		if err := s.eraseFollow(ctx, c); err != nil {
			return false, err
		}
	}
	return store.Landed(err, c.writes, t.ID())
}

// recordEvent appends the event an import task carries.
func (s *Service) recordEvent(ctx context.Context, t store.Task) error {
	if len(t.Payload()) == 0 {
		return nil
	}
	return s.audit.RecordTask(ctx, t.ID(), t.Payload(), t.Retry())
}

// change applies fn to a fresh read of a candidate of the actor's caseload
// and writes the result, conditional on the version read; after a clash
// with another writer it reads and applies fn again (store.Writer.Retry).
// expect, when above 0, is the caller's If-Match: a clash with it is 409.
// fn must only change c (it may run more than once) and returns the write's
// audit event, and whether the identity changed.
// Errors: fn's; Conflict when the candidate kept changing or expect is stale.
func (s *Service) change(ctx context.Context, id ID, expect int64, fn func(a users.Actor, c *Candidate, now time.Time) (ev audit.Entry, identity bool, err error)) (Candidate, error) {
	return s.changeWith(ctx, id, expect, func(ctx context.Context) (users.Actor, Candidate, error) { return s.own(ctx, id) }, fn)
}

// changeWith is change with the read that says who may write (own: the
// worker; self: the candidate).
func (s *Service) changeWith(ctx context.Context, id ID, expect int64, load func(ctx context.Context) (users.Actor, Candidate, error), fn func(a users.Actor, c *Candidate, now time.Time) (ev audit.Entry, identity bool, err error)) (Candidate, error) {
	return store.RetryValue(ctx, s.writer, "candidate:"+string(id), errChanged, func(ctx context.Context) (Candidate, error) {
		actor, c, err := load(ctx)
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
		return c, s.write(ctx, c, false, identity, ev)
	})
}

// Follow moves a candidate's status as their introductions and placement
// go (the placements package calls it; no worker acts): to Introduced
// from Available, to Placed from Available or Introduced, and back to
// Available from Introduced or Placed (an exited candidate stays exited).
// A move that does not apply is no change. The write is audited as the
// system's.
// Errors: NotFound, Invalid (another status).
func (s *Service) Follow(ctx context.Context, id ID, to Status, reason string) error {
	from := map[Status][]Status{Introduced: {Available}, Placed: {Available, Introduced}, Available: {Introduced, Placed}}[to]
	if from == nil {
		return apperr.InvalidField("status", "must be one of introduced, placed, available")
	}
	return s.writer.Retry(ctx, "candidate:"+string(id), errChanged, func(ctx context.Context) error {
		c, err := s.store.profile(ctx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, c.Status) {
			return nil
		}
		if err := s.store.withIdentity(ctx, &c); err != nil {
			return err
		}
		now := s.clock()
		c.Status, c.UpdatedAt, c.Version = to, now, c.Version+1
		ev := audit.Entry{ActorID: "system", Role: "system", Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "status", "status": string(to), "reason": reason}}
		return s.write(ctx, c, false, false, ev)
	})
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
	if c.WorkerID != actor.UserID || c.Status == Erased {
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
			network := networkBans(c.Restrictions.AreaBans)
			c.Restrictions = r.restrictions
			c.Restrictions.Conflicts = conflicts
			c.Restrictions.AreaBans = append(c.Restrictions.AreaBans, network...) // kept: changed only through the trajectory
		}
		if u.Status != nil && *u.Status != c.Status {
			c.Status, c.ExitedAt = *u.Status, time.Time{}
			switch c.Status {
			case Available:
				c.ConfirmedAt = now
			case Exited:
				c.ExitedAt = now // the retention period runs from here
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
	c, err := s.change(ctx, id, 0, confirm)
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

// confirm confirms an available candidate's availability.
func confirm(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
	if c.Status != Available {
		return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "Only an available candidate's availability can be confirmed; set the status to available first.")
	}
	c.ConfirmedAt = now
	return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "confirm_availability"}}, false, nil
}

// StaleSoon lists the available candidates of worker's caseload whose
// availability was confirmed between warn and ConfirmEvery ago (about to
// leave search), for the reminders job: ids and dates, no identity read.
// Never for a request.
func (s *Service) StaleSoon(ctx context.Context, worker users.ID, now time.Time, warn time.Duration) ([]Summary, error) {
	all, err := s.store.caseload(ctx, worker)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, c := range all {
		if c.Status != Available || c.ConfirmedAt == nil {
			continue
		}
		if age := now.Sub(*c.ConfirmedAt); age >= warn && age < ConfirmEvery {
			out = append(out, Summary{ID: c.ID, Status: c.Status, ConfirmedAt: c.ConfirmedAt})
		}
	}
	return out, nil
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
func (s *Service) SetLogger(l *slog.Logger) { s.log = l; s.writer.SetLogger(l) }
