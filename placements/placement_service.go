package placements

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ownPlacement loads a placement the caller may see: the candidate's
// worker, a user of the employer, the assigned mentor, or a coordinator.
// Anyone else's is NotFound.
func (s *Service) ownPlacement(ctx context.Context, id string) (users.Actor, Placement, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return users.Actor{}, Placement{}, err
	}
	if !ids.Valid(id, "p_") {
		return a, Placement{}, errPlacementNotFound
	}
	p, err := s.store.placement(ctx, id)
	if err != nil {
		return a, Placement{}, err
	}
	switch {
	case a.Is(users.Coordinator):
	case a.Is(users.ProbationWorker) && p.WorkerID == a.UserID:
	case a.Is(users.Employer) && string(p.EmployerID) == a.EmployerID:
	case a.Is(users.Mentor) && p.MentorID != "" && p.MentorID == a.UserID:
	default:
		return a, Placement{}, errPlacementNotFound
	}
	return a, p, nil
}

// GetPlacement returns a placement of the caller's.
// Errors: Unauthenticated, NotFound.
func (s *Service) GetPlacement(ctx context.Context, id string) (PlacementView, error) {
	_, p, err := s.ownPlacement(ctx, id)
	if err != nil {
		return PlacementView{}, err
	}
	return placementViewOf(p), nil
}

// ListPlacements returns the caller's placements: a mentor's assigned ones,
// an employer's organisation's, a probation worker's caseload's.
// Errors: Unauthenticated, Forbidden (coordinators have reports instead).
func (s *Service) ListPlacements(ctx context.Context) ([]PlacementSummary, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer, users.Mentor)
	if err != nil {
		return nil, err
	}
	owner := "worker:" + string(a.UserID)
	switch {
	case a.Is(users.Employer):
		owner = "employer:" + a.EmployerID
	case a.Is(users.Mentor):
		owner = "mentor:" + string(a.UserID)
	}
	return s.store.placementList(ctx, owner)
}

// changePlacement applies step to a fresh read of a placement the caller
// may change and saves it conditionally, with its follow-up task.
func (s *Service) changePlacement(ctx context.Context, id string, roles []users.Role, op string, step func(a users.Actor, p *Placement) error) (Placement, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := store.Backoff(ctx, attempt); err != nil {
				return Placement{}, err
			}
		}
		a, p, err := s.ownPlacement(ctx, id)
		if err != nil {
			return Placement{}, err
		}
		if !a.Is(roles...) {
			return Placement{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
		}
		if err := step(a, &p); err != nil {
			return Placement{}, err
		}
		payload, err := s.audit.Intent(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionPlacement,
			Subject: "candidate:" + string(p.CandidateID), Details: map[string]string{"placement": p.ID, "op": op, "state": string(p.State)}})
		if err != nil {
			return Placement{}, err
		}
		task, err := s.outbox.EnqueueWith(ctx, taskPlacement, p.ID, payload)
		if err != nil {
			return Placement{}, err
		}
		p.UpdatedAt, p.Version = s.clock(), p.Version+1
		p.writes = append(p.writes, task.ID())
		if len(p.writes) > 8 {
			p.writes = p.writes[len(p.writes)-8:]
		}
		err = s.store.savePlacement(ctx, p)
		if errors.Is(err, store.ErrStale) {
			_ = s.outbox.Done(ctx, task)
			if attempt+1 < 8 {
				continue
			}
			return Placement{}, apperr.Errorf(apperr.Conflict, "The placement was changed at the same moment. Reload and try again.")
		}
		if err != nil {
			return Placement{}, err
		}
		if err := s.outbox.Complete(ctx, task); err != nil {
			s.log.WarnContext(ctx, "placement follow-up deferred to the outbox", "err", err)
		}
		return p, nil
	}
}

// followPlacement is the placement task's handler: the lists (a mentor's
// too), the candidate freed when it ended, the audit event. Idempotent.
func (s *Service) followPlacement(ctx context.Context, t store.Task) error {
	p, err := s.store.placement(ctx, t.Key())
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !slices.Contains(p.writes, t.ID()) {
		return nil
	}
	if err := s.store.listPlacement(ctx, p); err != nil {
		return err
	}
	if p.State == Ended {
		if err := s.candidates.Follow(ctx, p.CandidateID, candidates.Available, "placement "+p.ID+" ended"); err != nil {
			return err
		}
	}
	if s.Notify != nil && p.MentorID != "" && p.State == Active {
		if err := s.Notify(ctx, p.MentorID, t.ID(), "placement.mentor", "You are the mentor of a new placement.", "placement:"+p.ID); err != nil {
			return err
		}
	}
	return s.audit.RecordTask(ctx, t.ID(), t.Payload(), t.Retry())
}

// MentorInput names a placement's mentor.
type MentorInput struct {
	MentorID string `json:"mentor_id"`
}

// AssignMentor sets an active placement's mentor (a mentor user), by the
// candidate's worker or a coordinator.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (not a mentor),
// Conflict (ended).
func (s *Service) AssignMentor(ctx context.Context, id string, in MentorInput) (PlacementView, error) {
	m := strings.TrimSpace(in.MentorID)
	p, err := s.changePlacement(ctx, id, []users.Role{users.ProbationWorker, users.Coordinator}, "mentor", func(_ users.Actor, p *Placement) error {
		// Checked after access, so that another party's placement is
		// NotFound whatever the body says.
		u, err := s.users.Load(ctx, users.ID(m))
		if apperr.Is(err, apperr.NotFound) || (err == nil && (u.Role != users.Mentor || u.Disabled)) {
			return apperr.InvalidField("mentor_id", "is not a mentor")
		}
		if err != nil {
			return err
		}
		if p.State != Active {
			return apperr.Errorf(apperr.Conflict, "This placement has ended.")
		}
		p.MentorID = u.ID
		return nil
	})
	if err != nil {
		return PlacementView{}, err
	}
	return placementViewOf(p), nil
}

// EndInput says why a placement ended.
type EndInput struct {
	Reason string `json:"reason"`
}

// End ends an active placement, by the candidate's worker or the employer;
// the candidate is available again (unless exited).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (ended).
func (s *Service) End(ctx context.Context, id string, in EndInput) (PlacementView, error) {
	if !slices.Contains(endReasons, in.Reason) {
		return PlacementView{}, apperr.InvalidField("reason", "must be one of "+strings.Join(endReasons, ", "))
	}
	p, err := s.changePlacement(ctx, id, []users.Role{users.ProbationWorker, users.Employer}, "end", func(_ users.Actor, p *Placement) error {
		if p.State != Active {
			return apperr.Errorf(apperr.Conflict, "This placement has ended already.")
		}
		now := s.clock()
		p.State, p.EndReason, p.EndedAt = Ended, in.Reason, &now
		return nil
	})
	if err != nil {
		return PlacementView{}, err
	}
	return placementViewOf(p), nil
}
