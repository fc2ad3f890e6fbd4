package candidates

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
)

// Erased is the status of a candidate whose personal data was erased (GDPR
// art. 17): what is left is the pseudonymous id, whose caseload it was, and
// the erasure record.
const Erased Status = "erased"

// ActionErase is recorded for every erasure (subject: the candidate; the
// details hold counts, never what was erased).
const ActionErase = "candidate.erase"

// Reasons for an erasure.
const (
	ErasedOnRequest   = "request"   // the candidate asked (art. 17(1))
	ErasedByRetention = "retention" // the retention period after exit ran out
)

// Erasure is what is left of an erased candidate: when, why and by whom,
// the disclosure log as counts, and what was kept under art. 17(3) with
// its basis.
type Erasure struct {
	CandidateID ID             `json:"candidate_id"`
	At          time.Time      `json:"erased_at"`
	By          string         `json:"by"`     // the worker, or "system" (retention)
	Reason      string         `json:"reason"` // request, retention
	Disclosures map[string]int `json:"disclosures"`
	Consents    int            `json:"consents"`
	Kept        []Kept         `json:"kept"`
}

// Kept is a record kept after an erasure, with the exception of art. 17(3)
// that allows it.
type Kept struct {
	What  string `json:"what"`
	Basis string `json:"basis"`
}

// Always kept: the audit log (ids and counts only, no personal data;
// a hash chain that cannot lose an event).
var keptAudit = Kept{What: "audit log events about the pseudonymous id (ids, field names and counts; no personal data)",
	Basis: "art. 17(3)(b) and art. 5(2): accountability for every disclosure; the chain cannot lose an event"}

type erasureDoc struct {
	At          time.Time      `bson:"at"`
	By          string         `bson:"by"`
	Reason      string         `bson:"reason"`
	Disclosures map[string]int `bson:"disclosures,omitempty"`
	Consents    int            `bson:"consents"`
	Kept        []Kept         `bson:"kept,omitempty"`
}

// Erase erases a candidate of the acting worker's caseload on their
// request: identity and profile gone, the card gone from the search index
// and its files, the free texts about them in introductions and
// placements blanked; placements and payouts kept pseudonymised for the
// ledger, the disclosure log kept as counts. A placed candidate, or one
// in an introduction, is erased once that has ended.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (placed, introduced).
func (s *Service) Erase(ctx context.Context, id ID) (Erasure, error) {
	return store.RetryValue(ctx, s.writer, "candidate:"+string(id), errChanged, func(ctx context.Context) (Erasure, error) {
		a, c, err := s.own(ctx, id)
		if err != nil {
			return Erasure{}, err
		}
		switch c.Status {
		case Placed:
			return Erasure{}, apperr.Errorf(apperr.Conflict, "The candidate is placed: end the placement first, then erase.")
		case Introduced:
			return Erasure{}, apperr.Errorf(apperr.Conflict, "The candidate is in an introduction: close it first, then erase.")
		}
		return s.erase(ctx, c, string(a.UserID), string(a.Role), ErasedOnRequest)
	})
}

// erase writes c's tombstone through the one write path; its follow-up
// (eraseFollow, and followUp after a crash) removes the rest.
func (s *Service) erase(ctx context.Context, c Candidate, by, role, reason string) (Erasure, error) {
	now := s.clock()
	e := Erasure{CandidateID: c.ID, At: now, By: by, Reason: reason, Disclosures: map[string]int{}, Kept: []Kept{keptAudit}}
	if s.ErasureExceptions != nil {
		more, err := s.ErasureExceptions(ctx, c.ID)
		if err != nil {
			return Erasure{}, err
		}
		e.Kept = append(e.Kept, more...)
	}
	events, err := s.audit.BySubjectStream(ctx, subject(c.ID), DisclosureStream, 0, 100000)
	if err != nil {
		return Erasure{}, err
	}
	reads := 0
	for _, ev := range events {
		switch ev.Action {
		case ActionDisclosed:
			who := ev.Details["employer"]
			if who == "" {
				who = ev.Details["purpose"]
			}
			e.Disclosures[who]++
			reads++
		case audit.ActionConsentGrant:
			e.Consents++
		}
	}
	tomb := Candidate{ID: c.ID, WorkerID: c.WorkerID, Status: Erased, CreatedAt: c.CreatedAt, UpdatedAt: now, Version: c.Version + 1, writes: c.writes,
		Erasure: &e}
	ev := audit.Entry{ActorID: by, Role: role, Action: ActionErase, Subject: subject(c.ID),
		Details: map[string]string{"reason": reason, "disclosures": strconv.Itoa(reads), "consents": strconv.Itoa(e.Consents), "kept": strconv.Itoa(len(e.Kept))}}
	err = store.Do(ctx, s.writer, store.Write[writeTask]{
		Kind: taskWrite, Key: string(c.ID), Event: ev, Data: writeTask{Worker: c.WorkerID, Candidate: c.ID},
		Save: func(ctx context.Context, task string) error {
			tomb.writes = tomb.writes.With(task)
			return s.store.erase(ctx, tomb)
		},
		InHand: func(ctx context.Context) error { return s.eraseFollow(ctx, tomb) },
	})
	if err != nil {
		return Erasure{}, err
	}
	return e, nil
}

// eraseFollow removes what an erasure's tombstone leaves to remove: the
// caseload entry, the index document (and its traces in the index files),
// the free texts in the placements' records. Idempotent.
func (s *Service) eraseFollow(ctx context.Context, c Candidate) error {
	if _, err := s.store.identities.DeleteOne(ctx, bson.M{"_id": string(c.ID)}); err != nil {
		return fmt.Errorf("erase identity %s: %w", c.ID, err)
	}
	if err := s.store.unsetEntry(ctx, c.WorkerID, c.ID); err != nil {
		return err
	}
	if s.Indexer != nil {
		if err := s.Indexer(ctx, c.ID); err != nil {
			return err
		}
	}
	if s.OnErase != nil {
		if err := s.OnErase(ctx, c.ID); err != nil {
			return err
		}
	}
	if s.PurgeIndex != nil {
		return s.PurgeIndex(ctx)
	}
	return nil
}

// erase replaces the profile with the tombstone and deletes the identity,
// conditionally on the version read.
func (s *Store) erase(ctx context.Context, c Candidate) error {
	return s.replaceProfile(ctx, c, func(ctx context.Context, _ identityDoc) error {
		if _, err := s.identities.DeleteOne(ctx, bson.M{"_id": string(c.ID)}); err != nil {
			return fmt.Errorf("erase identity %s: %w", c.ID, err)
		}
		return nil
	})
}

// DefaultRetainExited is how long an exited candidate's record is kept
// before the retention job erases it: two years, so that a person who
// comes back to probation soon after is found again, and beyond the
// longest guarantee and subsidy period a placement may have had.
const DefaultRetainExited = 2 * 365 * 24 * time.Hour

// EraseExpired erases every candidate exited longer than retain ago (the
// retention job, no one acting): reason "retention", by "system". It scans
// the candidates, so it runs as a periodic job.
// Errors: the database's.
func (s *Service) EraseExpired(ctx context.Context, retain time.Duration) (int, error) {
	cutoff := s.clock().Add(-retain)
	cur, err := s.store.profiles.Find(ctx, bson.M{"status": string(Exited)})
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	var docs []profileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	n := 0
	for _, d := range docs {
		c := d.toDomain()
		exited := c.ExitedAt
		if exited.IsZero() {
			exited = c.UpdatedAt // exited before the date was kept
		}
		if exited.After(cutoff) {
			continue
		}
		err := s.writer.Retry(ctx, "candidate:"+string(c.ID), errChanged, func(ctx context.Context) error {
			c, err := s.store.profile(ctx, c.ID)
			if err != nil || c.Status != Exited {
				return err
			}
			_, err = s.erase(ctx, c, "system", "system", ErasedByRetention)
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
