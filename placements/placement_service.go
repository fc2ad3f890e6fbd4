package placements

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
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
	a, p, err := s.ownPlacement(ctx, id)
	if err != nil {
		return PlacementView{}, err
	}
	return viewFor(p, a), nil
}

// ListPlacements returns the caller's placements: a mentor's assigned ones,
// an employer's organisation's, a probation worker's caseload's, and every
// placement for a coordinator (who assigns mentors and decides claims).
// Errors: Unauthenticated, Forbidden.
func (s *Service) ListPlacements(ctx context.Context) ([]PlacementSummary, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer, users.Mentor, users.Coordinator)
	if err != nil {
		return nil, err
	}
	owner := "worker:" + string(a.UserID)
	switch {
	case a.Is(users.Coordinator):
		owner = "all" // coordinators assign mentors and decide claims on every placement
	case a.Is(users.Employer):
		owner = "employer:" + a.EmployerID
	case a.Is(users.Mentor):
		owner = "mentor:" + string(a.UserID)
	}
	list, err := s.store.placementList(ctx, owner)
	if err != nil {
		return nil, err
	}
	return list, s.nameList(ctx, a, list)
}

// changePlacement applies step to a fresh read of a placement the caller
// may change and saves it conditionally, with its follow-up task.
func (s *Service) changePlacement(ctx context.Context, id string, roles []users.Role, op string, step func(a users.Actor, p *Placement) error) (Placement, error) {
	return s.writeAs(ctx, id, roles, op, func(a users.Actor, p *Placement) (map[string]string, error) { return nil, step(a, p) })
}

// errUnchanged from a step means there is nothing to write.
var errUnchanged = errors.New("unchanged")

var errPlacementChanged = apperr.Errorf(apperr.Conflict, "The placement was changed at the same moment. Reload and try again.")

// placementTask names the placement a write's follow-up is about.
type placementTask struct {
	Placement string `json:"placement"`
}

// writePlacement is the one write path of a placement: load (a fresh read
// and the access check), step (the change; its details join the audit
// event), then store.Do. Records the step adds with an empty Task
// (notices, escalations, milestones) get the task's id, so that its
// follow-up acts on them once. A clash re-reads and re-applies the step
// (store.Writer.Retry).
func (s *Service) writePlacement(ctx context.Context, id string, load func() (users.Actor, Placement, error), op string, step func(a users.Actor, p *Placement) (map[string]string, error)) (Placement, error) {
	return store.RetryValue(ctx, s.writer, "placement:"+id, errPlacementChanged, func(ctx context.Context) (Placement, error) {
		a, p, err := load()
		if err != nil {
			return Placement{}, err
		}
		details, err := step(a, &p)
		if err != nil {
			return p, err
		}
		d := map[string]string{"placement": p.ID, "op": op, "state": string(p.State)}
		for k, v := range details {
			d[k] = v
		}
		err = store.Do(ctx, s.writer, store.Write[placementTask]{
			Kind: taskPlacement, Key: p.ID, Data: placementTask{Placement: p.ID},
			Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionPlacement, Subject: "candidate:" + string(p.CandidateID), Details: d},
			Save: func(ctx context.Context, task string) error {
				stamp(&p, task)
				p.UpdatedAt, p.Version = s.clock(), p.Version+1
				p.writes = p.writes.With(task)
				return s.store.savePlacement(ctx, p)
			},
		})
		return p, err
	})
}

// stamp gives the records a write added the write's task id.
func stamp(p *Placement, task string) {
	for i := range p.Notices {
		if p.Notices[i].Task == "" {
			p.Notices[i].Task = task
		}
	}
	if len(p.Notices) > keepNotices {
		p.Notices = p.Notices[len(p.Notices)-keepNotices:]
	}
	for i := range p.Escalations {
		if p.Escalations[i].Task == "" {
			p.Escalations[i].Task = task
		}
	}
	for i := range p.Milestones {
		if p.Milestones[i].Task == "" {
			p.Milestones[i].Task = task
		}
	}
}

// caseManager addresses a notice to the case manager of the candidate's
// exit trajectory, resolved by the follow-up (CaseManagerOf).
const caseManager = "case-manager"

// notify queues an inbox message for the write's follow-up.
func (p *Placement) notify(to users.ID, kind, text string) {
	if to != "" {
		p.Notices = append(p.Notices, Notice{To: string(to), Kind: kind, Text: text})
	}
}

// followPlacement is the placement task's handler: the lists (a mentor's
// too), the candidate freed and the active-placement key released when it
// ended, the notices. Idempotent.
func (s *Service) followPlacement(ctx context.Context, t store.FollowUp[placementTask]) (bool, error) {
	p, err := s.store.placement(ctx, cmp.Or(t.Data.Placement, t.Key()))
	if landed, err := store.Landed(err, p.writes, t.ID()); !landed {
		return false, err
	}
	if err := s.store.listPlacement(ctx, p); err != nil {
		return false, err
	}
	if err := s.store.listMentoring(ctx, p, s.clock()); err != nil {
		return false, err
	}
	if p.State == Ended {
		if err := s.store.releasePlacement(ctx, p.CandidateID, p.Claim); err != nil {
			return false, err
		}
		if err := s.candidates.Follow(ctx, p.CandidateID, candidates.Available, "placement "+p.ID+" ended"); err != nil {
			return false, err
		}
	}
	if s.Notify != nil {
		for i, n := range p.Notices {
			if n.Task != t.ID() {
				continue
			}
			to := users.ID(n.To)
			if n.To == caseManager {
				if s.CaseManagerOf == nil {
					continue
				}
				if to, err = s.CaseManagerOf(ctx, string(p.CandidateID)); err != nil {
					return false, err
				}
				if to == "" {
					continue // no exit trajectory open
				}
			}
			if err := s.Notify(ctx, to, t.ID()+"#"+strconv.Itoa(i), n.Kind, n.Text, "placement:"+p.ID); err != nil {
				return false, err
			}
		}
	}
	return true, nil
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
		if p.MentorID != "" && p.MentorID != u.ID && !slices.Contains(p.Mentors, p.MentorID) {
			p.Mentors = append(p.Mentors, p.MentorID)
		}
		if p.MentorID != u.ID {
			p.notify(u.ID, "placement.mentor", "You are the mentor of a new placement.")
		}
		p.MentorID = u.ID
		return nil
	})
	if err != nil {
		return PlacementView{}, err
	}
	a, _ := users.ActorFrom(ctx)
	return viewFor(p, a), nil
}

// EndInput says why a placement ended.
type EndInput struct {
	Reason string `json:"reason"`
}

// End ends an active placement, by the candidate's worker or the employer;
// the candidate is available again (unless exited).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (ended).
func (s *Service) End(ctx context.Context, id string, in EndInput) (PlacementView, error) {
	p, err := s.changePlacement(ctx, id, []users.Role{users.ProbationWorker, users.Employer}, "end", func(_ users.Actor, p *Placement) error {
		// The reason is checked after the access check: who may not end
		// this placement learns nothing of what ending it asks.
		if !slices.Contains(endReasons, in.Reason) {
			return apperr.InvalidField("reason", "must be one of "+strings.Join(endReasons, ", "))
		}
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
	a, _ := users.ActorFrom(ctx)
	return viewFor(p, a), nil
}
