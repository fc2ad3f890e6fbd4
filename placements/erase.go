package placements

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
)

var errGone = apperr.Errorf(apperr.NotFound, "Record not found.")

// Free texts about a candidate that an erasure blanks, per list field of a
// placement or an introduction: what mentors, employers and workers wrote
// (check-in concerns, workplace notes, escalation actions, notices) and an
// introduction's reason and interview place. Dates, states, scores and
// ids stay: the placement is kept pseudonymised for the payouts' ledger.
var erasedTexts = map[string][]string{
	"checkins":    {"concerns"},
	"notes":       {"concerns"},
	"escalations": {"action"},
	"notices":     {"text"},
	"milestones":  {"reason"},
}

// Record names a placement or an introduction and its employer.
type Record struct {
	ID         string `bson:"_id"`
	EmployerID string `bson:"employer_id"`
}

// CandidateRecords lists the placements and introductions of a candidate
// (no one acting: the erasure's own read). It scans, as erasures are rare.
// Errors: the database's.
func (s *Service) CandidateRecords(ctx context.Context, id candidates.ID) (placements, introductions []Record, err error) {
	if placements, err = idsOf(ctx, s.store.placements, id); err != nil {
		return nil, nil, err
	}
	introductions, err = idsOf(ctx, s.store.intros, id)
	return placements, introductions, err
}

func idsOf(ctx context.Context, coll *mongo.Collection, id candidates.ID) ([]Record, error) {
	cur, err := coll.Find(ctx, bson.M{"candidate_id": string(id)})
	if err != nil {
		return nil, fmt.Errorf("records of %s: %w", id, err)
	}
	out := []Record{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("records of %s: %w", id, err)
	}
	return out, nil
}

// EraseCandidate blanks the free texts about an erased candidate in their
// placements (with the archived check-ins) and introductions, each
// document conditionally on the version read. Idempotent: the erasure's
// follow-up calls it, again after a crash.
// Errors: the database's.
func (s *Service) EraseCandidate(ctx context.Context, id candidates.ID) error {
	pls, intros, err := s.CandidateRecords(ctx, id)
	if err != nil {
		return err
	}
	versions := s.store.versions
	for _, r := range pls {
		pid := r.ID
		_, err := versions.Update(ctx, s.store.placements, pid, func(doc bson.M) (bson.M, error) {
			if doc == nil {
				return nil, errGone
			}
			for list, fields := range erasedTexts {
				blank(doc[list], fields...)
			}
			return doc, nil
		})
		if err != nil {
			return fmt.Errorf("erase placement %s: %w", pid, err)
		}
		if _, err := s.store.archive.UpdateMany(ctx, bson.M{"placement": pid}, bson.M{"$set": bson.M{"checkin.concerns": ""}}); err != nil {
			return fmt.Errorf("erase archived check-ins of %s: %w", pid, err)
		}
	}
	for _, r := range intros {
		iid := r.ID
		_, err := versions.Update(ctx, s.store.intros, iid, func(doc bson.M) (bson.M, error) {
			if doc == nil {
				return nil, errGone
			}
			doc["reason"] = ""
			if iv, ok := asMap(doc["interview"]); ok {
				iv["place"] = ""
				doc["interview"] = iv
			}
			return doc, nil
		})
		if err != nil {
			return fmt.Errorf("erase introduction %s: %w", iid, err)
		}
	}
	return nil
}

// blank empties fields in every document of a list.
func blank(list any, fields ...string) {
	items, ok := list.(bson.A)
	if !ok {
		return
	}
	for i, it := range items {
		m, ok := asMap(it)
		if !ok {
			continue
		}
		for _, f := range fields {
			if _, has := m[f]; has {
				m[f] = ""
			}
		}
		items[i] = m
	}
}

func asMap(v any) (bson.M, bool) {
	switch d := v.(type) {
	case bson.M:
		return d, true
	case bson.D:
		return d.Map(), true
	}
	return nil, false
}
