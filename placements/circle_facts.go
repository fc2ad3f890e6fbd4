package placements

import (
	"context"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
)

// CircleFacts is what a candidate's active placement may add to a partner's
// slice (the circles service decides which part, by purpose and consent):
// the workplace's place and province and the start date, and of the
// mentor's check-ins only the dates, wellbeing scores and risk flags —
// never a check-in's text.
type CircleFacts struct {
	Placed    bool
	Place     string
	Province  string
	StartDate time.Time
	Scores    []Score // newest first
}

// Score is one check-in's date, wellbeing score (1–5, 0 when not asked)
// and risk flags.
type Score struct {
	Date      string   `json:"date"`
	Wellbeing int      `json:"wellbeing,omitempty"`
	RiskFlags []string `json:"risk_flags,omitempty"`
}

// FactsFor returns the facts of the candidate's active placement (none
// when they have none), for the circles service, which has established
// that the caller may see them; never for a request's own reads.
// Errors: the database's.
func (s *Service) FactsFor(ctx context.Context, candidate candidates.ID) (CircleFacts, error) {
	list, err := s.store.placementList(ctx, "candidate:"+string(candidate))
	if err != nil {
		return CircleFacts{}, err
	}
	for _, x := range list {
		if x.State != Active {
			continue
		}
		p, err := s.store.placement(ctx, x.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return CircleFacts{}, err
		}
		if p.State != Active || p.CandidateID != candidate {
			continue
		}
		out := CircleFacts{Placed: true, StartDate: p.StartDate}
		if v, _, err := s.employers.LoadVacancy(ctx, p.VacancyID); err == nil {
			out.Place, out.Province = v.Place.Name, v.Place.Province
		} else if !apperr.Is(err, apperr.NotFound) {
			return CircleFacts{}, err
		}
		for i := len(p.CheckIns) - 1; i >= 0; i-- {
			ci := p.CheckIns[i]
			out.Scores = append(out.Scores, Score{Date: ci.Date.Format(time.DateOnly), Wellbeing: ci.Wellbeing, RiskFlags: ci.RiskFlags})
		}
		return out, nil
	}
	return CircleFacts{}, nil
}

// FirstStartAfter returns the start date of the candidate's first
// placement starting at or after t (ok false when none), for the exit
// trajectories' report.
// Errors: the database's.
func (s *Service) FirstStartAfter(ctx context.Context, candidate candidates.ID, t time.Time) (time.Time, bool, error) {
	list, err := s.store.placementList(ctx, "candidate:"+string(candidate))
	if err != nil {
		return time.Time{}, false, err
	}
	var first time.Time
	for _, x := range list {
		d, err := time.Parse(time.DateOnly, x.StartDate)
		if err != nil || d.Before(day(t)) {
			continue
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first, !first.IsZero(), nil
}
