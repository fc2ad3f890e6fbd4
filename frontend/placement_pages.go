package frontend

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// placementsList lists the placements the actor may see.
func (p *Pages) placementsList(c *fiber.Ctx, pg *Page) error {
	list, err := p.cfg.Placements.ListPlacements(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = list
	return p.render(c, fiber.StatusOK, "placements", pg)
}

type placementData struct {
	P          placements.PlacementView
	Parties    placements.Parties
	Mentors    []users.User // for the worker and coordinators: whom to assign
	Ratings    []string
	EndReasons []string
	Schemes    []payments.SchemeView // coordinators: to attach
	Guarantees []string              // the kinds a coordinator may give
}

// placementData is the placement page's data for the actor.
func (p *Pages) placementData(c *fiber.Ctx, v placements.PlacementView) (placementData, error) {
	d := placementData{P: v, Ratings: placements.NoteRatings(), EndReasons: placements.EndReasons(), Guarantees: placements.GuaranteeKinds()}
	pt, err := p.cfg.Placements.Parties(ctxAs(c), v.ID)
	if err != nil {
		return d, err
	}
	d.Parties = pt
	a, err := users.ActorFrom(ctxAs(c))
	if err != nil {
		return d, err
	}
	if a.Is(users.Coordinator, users.ProbationWorker) {
		ms, err := p.cfg.Users.List(ctxAs(c), users.Mentor)
		if err != nil {
			return d, err
		}
		for _, m := range ms {
			if !m.Disabled {
				d.Mentors = append(d.Mentors, m)
			}
		}
	}
	if a.Is(users.Coordinator) {
		schemes, err := p.cfg.Payments.Schemes(ctxAs(c))
		if err != nil {
			return d, err
		}
		d.Schemes = schemes
	}
	return d, nil
}

func (p *Pages) placementPage(c *fiber.Ctx, pg *Page) error {
	v, err := p.cfg.Placements.GetPlacement(ctxAs(c), c.Params("id"))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if pg.Form.Get("date") == "" {
		pg.Form.Set("date", pg.Now.Format(time.DateOnly))
		pg.Form.Set("loss_date", pg.Now.Format(time.DateOnly))
		pg.Form.Set("start_date", v.StartDate)
		pg.Form.Set("end_date", pg.Now.AddDate(1, 0, 0).Format(time.DateOnly))
	}
	d, err := p.placementData(c, v)
	if err != nil {
		return err
	}
	pg.Data = d
	return p.render(c, fiber.StatusOK, "placement", pg)
}

func (p *Pages) placementFormError(c *fiber.Ctx, pg *Page, err error) error {
	return p.invalidAgain(c, err, "placement", pg, func() (any, error) {
		v, err := p.cfg.Placements.GetPlacement(ctxAs(c), c.Params("id"))
		if err != nil {
			return nil, err
		}
		return p.placementData(c, v)
	})
}

func (p *Pages) noteCreate(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	f := pg.Form
	id := c.Params("id")
	if _, err := p.cfg.Placements.AddNote(ctxAs(c), id, placements.NoteInput{Date: f.Get("date"), Attendance: f.Get("attendance"), Punctuality: f.Get("punctuality"), Concerns: f.Get("concerns")}); err != nil {
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Note added; the mentor sees it.")
}

// parseEuro reads an amount in euros ("1250", "1.250,50", "1250.50") as cents.
func parseEuro(f *apperr.Fields, field, s string) *int64 {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if s == "" {
		f.Add(field, "is required")
		return nil
	}
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		f.Add(field, "must be an amount in euros, such as 1250,00")
		return nil
	}
	cents := int64(v*100 + 0.5)
	if v < 0 {
		cents = int64(v*100 - 0.5)
	}
	return &cents
}

func (p *Pages) claimCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Employer); err != nil {
		return err // before the form: who may not file learns nothing of it
	}
	if _, err := p.cfg.Placements.GetPlacement(ctxAs(c), c.Params("id")); err != nil {
		return err // another employer's placement: "not found", not the form's problems
	}
	pg.Form = formOf(c)
	f := pg.Form
	id := c.Params("id")
	var fl apperr.Fields
	amount := parseEuro(&fl, "amount", f.Get("amount"))
	g := number(&fl, f, "guarantee")
	if err := fl.Err(); err != nil {
		return p.placementFormError(c, pg, err)
	}
	if _, err := p.cfg.Placements.FileClaim(ctxAs(c), id, g, placements.ClaimInput{AmountCents: amount, LossDate: f.Get("loss_date"), Description: f.Get("description")}); err != nil {
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Claim filed; a coordinator decides on it.")
}

func (p *Pages) claimDecide(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	g, err1 := strconv.Atoi(c.Params("g"))
	n, err2 := strconv.Atoi(c.Params("n"))
	if err1 != nil || err2 != nil {
		return apperr.Errorf(apperr.NotFound, "Claim not found.")
	}
	var err error
	switch c.Params("action") {
	case "approve":
		_, err = p.cfg.Placements.ApproveClaim(ctxAs(c), id, g, n)
	case "reject":
		_, err = p.cfg.Placements.RejectClaim(ctxAs(c), id, g, n, placements.DecisionInput{Reason: c.FormValue("reason")})
	default:
		return apperr.Errorf(apperr.NotFound, "No such route.")
	}
	if err != nil {
		return err
	}
	return back(c, "/placements/"+id, "Claim decided.")
}

func (p *Pages) guaranteeCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	id := c.Params("id")
	var fl apperr.Fields
	cover := parseEuro(&fl, "cover", f.Get("cover"))
	if err := fl.Err(); err != nil {
		return p.placementFormError(c, pg, err)
	}
	if _, err := p.cfg.Placements.AddGuarantee(ctxAs(c), id, placements.GuaranteeInput{Kind: f.Get("kind"), CoverCents: cover, StartDate: f.Get("start_date"), EndDate: f.Get("end_date")}); err != nil {
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Guarantee given.")
}

func (p *Pages) schemeAttach(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	if _, err := p.cfg.Payments.Attach(ctxAs(c), id, payments.AttachInput{SchemeID: c.FormValue("scheme_id")}); err != nil {
		pg.Form = formOf(c)
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Scheme attached: its payouts are scheduled.")
}

func (p *Pages) placementEnd(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	if _, err := p.cfg.Placements.End(ctxAs(c), id, placements.EndInput{Reason: c.FormValue("reason")}); err != nil {
		pg.Form = formOf(c)
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Placement ended.")
}

func (p *Pages) mentorAssign(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	if _, err := p.cfg.Placements.AssignMentor(ctxAs(c), id, placements.MentorInput{MentorID: c.FormValue("mentor_id")}); err != nil {
		pg.Form = formOf(c)
		return p.placementFormError(c, pg, err)
	}
	return back(c, "/placements/"+id, "Mentor assigned.")
}
