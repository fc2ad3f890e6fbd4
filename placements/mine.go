package placements

import (
	"context"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/employers"
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
		for _, d := range p.Schedule {
			if d.Status == DueOpen && !d.graceEnd().Before(today) {
				out.CheckIns = append(out.CheckIns, MineCheckIn{Date: d.Date.Format(time.DateOnly), Status: d.Status})
			}
		}
	}
	return out, nil
}
