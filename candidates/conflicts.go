package candidates

import (
	"context"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

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
	// The input's problems are told once the candidate is the caller's
	// (inside change): another worker learns nothing but "not found".
	invalid := f.Err()
	var k Conflict
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if invalid != nil {
			return audit.Entry{}, false, invalid
		}
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
	return conflictView(k), nil
}

// RemoveConflict takes an entry off the candidate's conflict list.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) RemoveConflict(ctx context.Context, id ID, conflictID string) error {
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, _ time.Time) (audit.Entry, bool, error) {
		for i, k := range c.Restrictions.Conflicts {
			if k.ID == conflictID && !k.Network {
				c.Restrictions.Conflicts = append(c.Restrictions.Conflicts[:i], c.Restrictions.Conflicts[i+1:]...)
				return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "conflict_remove", "conflict": k.ID}}, false, nil
			}
		}
		return audit.Entry{}, false, apperr.Errorf(apperr.NotFound, "Conflict-list entry not found.")
	})
	return err
}
