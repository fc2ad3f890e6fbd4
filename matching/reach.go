package matching

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/herstart/herstart/employers"
)

// reachFlushEvery is how often an organisation's cards shown are added to
// its shared count (store.Throttle.HitDistinct) — one write per
// organisation per interval instead of one per search — and sooner when
// this instance's unflushed cards could carry the count past the limit.
const reachFlushEvery = 2 * time.Second

// reach counts the different candidates shown to each organisation today
// (the scraping signal): in memory per instance, added to the shared count
// in the database now and then, so that concurrent searches of one
// organisation do not take turns on one document.
type reach struct {
	mu   sync.Mutex
	orgs map[string]*orgReach
}

type orgReach struct {
	employer  employers.Employer
	day       string
	pending   []string
	known     int // the shared estimate after the last flush
	flushedAt time.Time
	flushing  bool
}

// add notes the cards shown and, when a flush is due, takes the pending
// cards for the caller to flush.
func (r *reach) add(e employers.Employer, day string, ids []string, now time.Time) (*orgReach, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.orgs == nil {
		r.orgs = map[string]*orgReach{}
	}
	o := r.orgs[string(e.ID)]
	if o == nil || o.day != day {
		if o != nil && o.flushing {
			return nil, nil // yesterday's flush still runs: count from the next search
		}
		o = &orgReach{day: day, flushedAt: now}
		r.orgs[string(e.ID)] = o
	}
	o.employer = e
	o.pending = append(o.pending, ids...)
	due := now.Sub(o.flushedAt) >= reachFlushEvery ||
		(o.known < profilesPerDayFlag && o.known+len(o.pending) >= profilesPerDayFlag)
	if !due || o.flushing {
		return nil, nil
	}
	o.flushing = true
	out := o.pending
	o.pending = nil
	return o, out
}

// done records a flush's result.
func (r *reach) done(o *orgReach, after int, now time.Time, failed []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o.flushing = false
	o.flushedAt = now
	if failed != nil {
		o.pending = append(failed, o.pending...)
		return
	}
	o.known = after
}

// countReach adds ids shown to e's organisation today and, when due,
// flushes this instance's pending cards into the shared count, flagging
// the organisation once when that count passes the limit.
func (s *Service) countReach(ctx context.Context, e employers.Employer, ids []string) {
	now := s.now()
	day := now.UTC().Format(time.DateOnly)
	o, batch := s.reach.add(e, day, ids, now)
	if o == nil {
		return
	}
	before, after, cards, err := s.throttle.HitDistinct(ctx, "reach:"+string(e.ID)+":"+day, batch, now, 24*time.Hour)
	if err != nil {
		// The signal is a heuristic beside the audit trail, which holds
		// every search: a counting failure does not withhold the answer.
		s.reach.done(o, 0, now, batch)
		s.log.WarnContext(ctx, "count candidates shown", "err", err)
		return
	}
	s.reach.done(o, after, now, nil)
	if before < profilesPerDayFlag && after >= profilesPerDayFlag {
		msg := fmt.Sprintf("Automatic signal: about %d different candidate profiles (%d cards) shown to this organisation on %s — far more than hiring needs; possible scraping.", after, cards, day)
		// Flag is an employer write: its audit event comes with it.
		if err := s.employers.Flag(ctx, e.ID, msg); err != nil {
			s.log.WarnContext(ctx, "flag scraping", "err", err)
		}
	}
}
