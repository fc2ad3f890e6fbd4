package frontend

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// agenda is the mentor's start page: overdue check-ins first, then today's
// and this week's, each one tap from its form.
func (p *Pages) agenda(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Mentor); err != nil {
		return err
	}
	a, err := p.cfg.Placements.Agenda(ctxAs(c))
	if err != nil {
		return err
	}
	// Whom to visit or call: each placement's parties (the candidate's
	// first name and phone are a recorded disclosure, one per placement).
	parties := map[string]placements.Parties{}
	for _, l := range [][]placements.AgendaItem{a.Overdue, a.DueToday, a.ThisWeek} {
		for _, it := range l {
			if _, done := parties[it.PlacementID]; done {
				continue
			}
			pt, err := p.cfg.Placements.Parties(ctxAs(c), it.PlacementID)
			if err != nil {
				return err
			}
			parties[it.PlacementID] = pt
		}
	}
	flashOf(c, pg)
	pg.Data = struct {
		placements.Agenda
		Parties map[string]placements.Parties
	}{a, parties}
	return p.render(c, fiber.StatusOK, "agenda", pg)
}

type checkInData struct {
	P       placements.PlacementView
	Modes   []string
	Flags   []string
	Parties placements.Parties
}

// checkInData reads the placement and its parties for the form.
func (p *Pages) checkInData(c *fiber.Ctx, id string) (checkInData, error) {
	v, err := p.cfg.Placements.GetPlacement(ctxAs(c), id)
	if err != nil {
		return checkInData{}, err
	}
	pt, err := p.cfg.Placements.Parties(ctxAs(c), id)
	if err != nil {
		return checkInData{}, err
	}
	return checkInData{v, placements.CheckInModes(), placements.RiskFlags(), pt}, nil
}

// checkInForm is the check-in form, made for a phone: one column, large
// targets, nothing to load but the page.
func (p *Pages) checkInForm(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Mentor); err != nil {
		return err
	}
	d, err := p.checkInData(c, c.Params("id"))
	if err != nil {
		return err
	}
	pg.Form.Set("date", pg.Now.Format(time.DateOnly))
	pg.Form.Set("mode", "visit")
	pg.Form.Set("attended", "yes")
	pg.Data = d
	return p.render(c, fiber.StatusOK, "checkin", pg)
}

func (p *Pages) checkInCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Mentor); err != nil {
		return err
	}
	id := c.Params("id")
	pg.Form = formOf(c)
	f := pg.Form
	var fl apperr.Fields
	in := placements.CheckInInput{Date: f.Get("date"), Mode: f.Get("mode"), Concerns: f.Get("concerns"), RiskFlags: nonNil(f["risk_flags"])}
	switch f.Get("attended") {
	case "yes", "no":
		att := f.Get("attended") == "yes"
		in.Attended = &att
	}
	for _, s := range []struct {
		field string
		dst   **int
	}{{"wellbeing", &in.Wellbeing}, {"work", &in.Work}} {
		if v := f.Get(s.field); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				fl.Add(s.field, "must be a whole number")
				continue
			}
			*s.dst = &n
		}
	}
	if t := f.Get("action_text"); t != "" {
		in.Actions = append(in.Actions, placements.FollowUpInput{Text: t, DueDate: f.Get("action_due")})
	}
	err := fl.Err()
	if err == nil {
		_, err = p.cfg.Placements.RecordCheckIn(ctxAs(c), id, in)
	}
	if err != nil {
		err = asFields(err, map[string]string{"actions[0].text": "action_text", "actions[0].due_date": "action_due", "actions": "action_text"})
		return p.invalidAgain(c, err, "checkin", pg, func() (any, error) { return p.checkInData(c, id) })
	}
	return back(c, "/agenda", "Check-in saved.")
}
