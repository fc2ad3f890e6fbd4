package frontend

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// introductions is the introductions board: one column per state.
func (p *Pages) introductions(c *fiber.Ctx, pg *Page) error {
	list, err := p.cfg.Placements.List(ctxAs(c))
	if err != nil {
		return err
	}
	states := []placements.State{placements.Proposed, placements.EmployerInterested, placements.CandidateConsented, placements.Interview,
		placements.Placed, placements.Declined, placements.Withdrawn}
	type column struct {
		State string
		Items []placements.IntroductionSummary
	}
	cols := make([]column, len(states))
	for i, s := range states {
		cols[i].State = string(s)
		for _, in := range list {
			if in.State == s {
				cols[i].Items = append(cols[i].Items, in)
			}
		}
	}
	// Names the caller may see anyway: a worker's own candidates, an
	// employer's own vacancies (each one read for the lot).
	names := map[string]string{}
	if a, err := users.ActorFrom(ctxAs(c)); err == nil {
		switch {
		case a.Is(users.ProbationWorker):
			cands, err := p.cfg.Candidates.List(ctxAs(c))
			if err != nil {
				return err
			}
			for _, s := range cands {
				names[string(s.ID)] = s.DisplayName
			}
			// The vacancies their candidates are introduced for, with
			// their employers (one read per vacancy).
			for _, in := range list {
				if _, done := names[string(in.VacancyID)]; done {
					continue
				}
				if v, e, err := p.cfg.Employers.LoadVacancy(ctxAs(c), employers.VacancyID(in.VacancyID)); err == nil {
					names[string(v.ID)] = v.Title + " · " + e.Name
				}
			}
		case a.Is(users.Employer):
			vacs, err := p.cfg.Employers.Vacancies(ctxAs(c), employers.ID(a.EmployerID))
			if err != nil {
				return err
			}
			for _, v := range vacs {
				names[string(v.ID)] = v.Title
			}
		}
	}
	flashOf(c, pg)
	pg.Data = struct {
		Columns any
		Names   map[string]string
	}{cols, names}
	return p.render(c, fiber.StatusOK, "introductions", pg)
}

func (p *Pages) introduction(c *fiber.Ctx, pg *Page) error {
	in, err := p.cfg.Placements.Get(ctxAs(c), c.Params("id"))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if pg.Form.Get("expires_at") == "" {
		pg.Form.Set("expires_at", pg.Now.AddDate(0, 6, 0).Format(time.DateOnly))
		pg.Form.Set("start_date", pg.Now.AddDate(0, 0, 14).Format(time.DateOnly))
		pg.Form.Set("hours_per_week", "32")
	}
	pg.Data = introData{in, placements.Contracts(), p.introNames(c, in)}
	return p.render(c, fiber.StatusOK, "introduction", pg)
}

type introData struct {
	In        placements.IntroductionView
	Contracts []string
	Names     map[string]string // the candidate (for their worker), the vacancy and the employer by name
}

// introNames names what an introduction's page shows by id: the vacancy's
// title and its employer's name (both parties know them), and, for the
// candidate's own probation worker, the candidate (their caseload names
// them). An employer sees the candidate as "Candidate" until the card
// tells more.
func (p *Pages) introNames(c *fiber.Ctx, in placements.IntroductionView) map[string]string {
	names := map[string]string{}
	ctx := ctxAs(c)
	if v, e, err := p.cfg.Employers.LoadVacancy(ctx, employers.VacancyID(in.VacancyID)); err == nil {
		names[string(v.ID)], names[string(e.ID)] = v.Title, e.Name
	}
	if a, err := users.ActorFrom(ctx); err == nil && a.Is(users.ProbationWorker) {
		if list, err := p.cfg.Candidates.List(ctx); err == nil {
			for _, s := range list {
				if string(s.ID) == string(in.CandidateID) {
					names[string(s.ID)] = s.DisplayName
				}
			}
		}
	}
	return names
}

// introductionStep takes one step of an introduction, by the role that
// owns it; the form's problems show beside its fields.
func (p *Pages) introductionStep(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	pg.Form = formOf(c)
	f := pg.Form
	var fl apperr.Fields
	in := placements.TransitionInput{Reason: f.Get("reason"), Place: f.Get("place"), Purpose: f.Get("purpose"), ExpiresAt: f.Get("expires_at"),
		StartDate: f.Get("start_date"), EndDate: f.Get("end_date"), Contract: f.Get("contract")}
	if at := f.Get("at"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, amsterdam)
		if err != nil {
			fl.Add("at", "must be a date and time")
		} else {
			in.At = t.Format(time.RFC3339)
		}
	}
	if f.Has("hours_per_week") {
		in.Hours = number(&fl, f, "hours_per_week")
	}
	err := fl.Err()
	if err == nil {
		_, err = p.cfg.Placements.Transition(ctxAs(c), id, placements.Action(c.Params("action")), in)
	}
	if err != nil {
		return p.invalidAgain(c, err, "introduction", pg, func() (any, error) {
			view, err := p.cfg.Placements.Get(ctxAs(c), id)
			return introData{view, placements.Contracts(), p.introNames(c, view)}, err
		})
	}
	return back(c, "/introductions/"+id, "Introduction updated.")
}
