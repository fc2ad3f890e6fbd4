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
			list, err := p.cfg.Candidates.List(ctxAs(c))
			if err != nil {
				return err
			}
			for _, s := range list {
				names[string(s.ID)] = s.DisplayName
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
	pg.Data = introData{in, placements.Contracts()}
	return p.render(c, fiber.StatusOK, "introduction", pg)
}

type introData struct {
	In        placements.IntroductionView
	Contracts []string
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
			return introData{view, placements.Contracts()}, err
		})
	}
	return back(c, "/introductions/"+id, "Introduction updated.")
}
