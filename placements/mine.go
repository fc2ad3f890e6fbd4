package placements

import (
	"context"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// Mine is what a candidate sees of their own introductions and placement:
// the states of their introductions (with the workplace's name, which they
// know), and the dates of the check-ins still to come. Never a check-in's
// text, a workplace note or an escalation: those are the mentor's and the
// worker's.
type Mine struct {
	Introductions []MineIntroduction `json:"introductions"`
	CheckIns      []MineCheckIn      `json:"checkins"`
	Placement     *MinePlacement     `json:"placement,omitempty"` // the active one
}

// MinePlacement is the candidate's active placement: where they work.
type MinePlacement struct {
	ID         string `json:"id"`
	EmployerID string `json:"employer_id"`
	Employer   string `json:"employer"`
	Vacancy    string `json:"vacancy"`
	StartDate  string `json:"start_date"`
}

// MineIntroduction is one of the candidate's introductions.
type MineIntroduction struct {
	ID         string    `json:"id"`
	EmployerID string    `json:"employer_id"`
	VacancyID  string    `json:"vacancy_id"`
	Employer   string    `json:"employer"` // the organisation's name
	Vacancy    string    `json:"vacancy"`  // the vacancy's title
	State      State     `json:"state"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MineCheckIn is a check-in planned with the mentor.
type MineCheckIn struct {
	Date   string    `json:"date"`
	Status DueStatus `json:"status"`
}

// Mine returns the acting candidate's introductions and coming check-ins,
// from their introduction list and their active placement.
// Errors: Unauthenticated, Forbidden (another role).
func (s *Service) Mine(ctx context.Context) (Mine, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return Mine{}, err
	}
	list, err := s.store.introList(ctx, "candidate:"+a.Candidate)
	if err != nil {
		return Mine{}, err
	}
	out := Mine{Introductions: []MineIntroduction{}, CheckIns: []MineCheckIn{}}
	today := day(s.clock())
	for _, x := range list {
		mi := MineIntroduction{ID: x.ID, EmployerID: x.EmployerID, VacancyID: x.VacancyID, State: x.State, UpdatedAt: x.UpdatedAt}
		if v, e, err := s.employers.LoadVacancy(ctx, employers.VacancyID(x.VacancyID)); err == nil {
			mi.Employer, mi.Vacancy = e.Name, v.Title
		} else if !apperr.Is(err, apperr.NotFound) {
			return Mine{}, err
		}
		out.Introductions = append(out.Introductions, mi)
		if x.State != Placed {
			continue
		}
		p, err := s.store.placement(ctx, placementID(x.ID))
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return Mine{}, err
		}
		if p.State != Active || string(p.CandidateID) != a.Candidate {
			continue
		}
		out.Placement = &MinePlacement{ID: p.ID, EmployerID: string(p.EmployerID), Employer: mi.Employer, Vacancy: mi.Vacancy, StartDate: p.StartDate.Format(time.DateOnly)}
		for _, d := range p.Schedule {
			if d.Status == DueOpen && !d.graceEnd().Before(today) {
				out.CheckIns = append(out.CheckIns, MineCheckIn{Date: d.Date.Format(time.DateOnly), Status: d.Status})
			}
		}
	}
	return out, nil
}

// ShareContact is the candidate's own consent, on their page, that the
// employer of their active placement sees level 2: their last name, phone
// and e-mail, and their probation contact (the consent a worker may also
// record for them). It runs for a year, the longest a consent may.
// Errors: Unauthenticated, Forbidden (another role), NotFound (not their
// active placement), Conflict (given already).
func (s *Service) ShareContact(ctx context.Context, id string) (candidates.ConsentView, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return candidates.ConsentView{}, err
	}
	if !ids.Valid(id, "p_") {
		return candidates.ConsentView{}, errPlacementNotFound
	}
	p, err := s.store.placement(ctx, id)
	if err != nil {
		return candidates.ConsentView{}, err
	}
	if string(p.CandidateID) != a.Candidate || p.State != Active {
		return candidates.ConsentView{}, errPlacementNotFound
	}
	return s.candidates.GrantOwn(ctx, candidates.ConsentInput{EmployerID: string(p.EmployerID), Level: 2,
		Purpose: "Contact during the placement", ExpiresAt: day(s.clock()).AddDate(1, 0, 0).Format(time.DateOnly)})
}
