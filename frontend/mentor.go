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
	flashOf(c, pg)
	pg.Data = a
	return p.render(c, fiber.StatusOK, "agenda", pg)
}

type checkInData struct {
	P     placements.PlacementView
	Modes []string
	Flags []string
}

// checkInForm is the check-in form, made for a phone: one column, large
// targets, nothing to load but the page.
func (p *Pages) checkInForm(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Mentor); err != nil {
		return err
	}
	v, err := p.cfg.Placements.GetPlacement(ctxAs(c), c.Params("id"))
	if err != nil {
		return err
	}
	pg.Form.Set("date", pg.Now.Format(time.DateOnly))
	pg.Form.Set("mode", "visit")
	pg.Form.Set("attended", "yes")
	pg.Data = checkInData{v, placements.CheckInModes(), placements.RiskFlags()}
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
		return p.invalidAgain(c, err, "checkin", pg, func() (any, error) {
			v, err := p.cfg.Placements.GetPlacement(ctxAs(c), id)
			return checkInData{v, placements.CheckInModes(), placements.RiskFlags()}, err
		})
	}
	return back(c, "/agenda", "Check-in saved.")
}
