package frontend

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/exits"
	"github.com/herstart/herstart/users"
)

// The exit trajectory's pages: the worker's list (with the cases offered
// to them), one trajectory with its forms, and the coordinators' report.

func (p *Pages) trajectoryList(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	l, err := p.cfg.Exits.List(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = l
	return p.render(c, fiber.StatusOK, "trajectories", pg)
}

// trajectoryData is the worker's page of one trajectory.
type trajectoryData struct {
	View         exits.View
	Phases       []exits.Phase
	Outcomes     []string
	Kinds        []string
	Handover     []string
	Workers      []users.User // colleagues a case can be handed to
	CarePartners []circles.Partner
	Caseload     []struct{ ID, Name string } // relatives to link
	Safety       struct{ Risks, Measures, Contacts string }
}

func (p *Pages) trajectoryData(c *fiber.Ctx, pg *Page) (trajectoryData, error) {
	a, err := signedIn(c, users.ProbationWorker)
	if err != nil {
		return trajectoryData{}, err
	}
	v, err := p.cfg.Exits.Get(ctxAs(c), c.Params("id"))
	if err != nil {
		return trajectoryData{}, err
	}
	d := trajectoryData{View: v, Phases: exits.Phases, Outcomes: exits.Outcomes, Kinds: exits.ExploitationKinds, Handover: exits.HandoverItems}
	ws, err := p.cfg.Users.List(ctxAs(c), users.ProbationWorker)
	if err != nil {
		return trajectoryData{}, err
	}
	for _, w := range ws {
		if w.ID != a.UserID && !w.Disabled {
			d.Workers = append(d.Workers, w)
		}
	}
	ps, err := p.cfg.Circles.Partners(ctxAs(c), "")
	if err != nil {
		return trajectoryData{}, err
	}
	for _, x := range ps {
		if x.Kind == circles.KindCare {
			d.CarePartners = append(d.CarePartners, x)
		}
	}
	cl, err := p.cfg.Candidates.List(ctxAs(c))
	if err != nil {
		return trajectoryData{}, err
	}
	for _, x := range cl {
		if string(x.ID) != v.ID {
			d.Caseload = append(d.Caseload, struct{ ID, Name string }{string(x.ID), x.DisplayName})
		}
	}
	d.Safety.Risks, d.Safety.Measures = strings.Join(v.Safety.Risks, "\n"), strings.Join(v.Safety.Measures, "\n")
	var cs []string
	for _, k := range v.Safety.Contacts {
		cs = append(cs, strings.Join([]string{k.Name, k.Role, k.Phone}, "; "))
	}
	d.Safety.Contacts = strings.Join(cs, "\n")
	return d, nil
}

func (p *Pages) trajectoryPage(c *fiber.Ctx, pg *Page) error {
	d, err := p.trajectoryData(c, pg)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = d
	return p.render(c, fiber.StatusOK, "trajectory", pg)
}

// trajectoryStep runs one of the page's forms.
func (p *Pages) trajectoryStep(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f, id, ctx := pg.Form, c.Params("id"), ctxAs(c)
	var err error
	frag, done := "phase", "The trajectory is updated."
	switch c.Params("step") {
	case "openen":
		_, err = p.cfg.Exits.Open(ctx, id, exits.OpenInput{Conditions: f.Get("conditions")})
		done = "The exit trajectory is open."
	case "fase":
		_, err = p.cfg.Exits.SetPhase(ctx, id, exits.PhaseInput{Phase: f.Get("phase"), Conditions: f.Get("conditions")})
	case "evaluatie":
		_, err = p.cfg.Exits.AddReview(ctx, id, exits.ReviewInput{Note: f.Get("note")})
		frag = "reviews"
	case "netwerk":
		var fs apperr.Fields
		radius := number(&fs, f, "radius_km")
		if err = fs.Err(); err == nil {
			_, err = p.cfg.Exits.AddEntry(ctx, id, exits.EntryInput{Kind: f.Get("kind"), Name: f.Get("name"), KvK: f.Get("kvk"), Place: f.Get("place"),
				RadiusKm: float64(radius), Relation: f.Get("relation"), Source: f.Get("source")})
		}
		frag = "network"
	case "bestemming":
		var fs apperr.Fields
		radius := number(&fs, f, "radius_km")
		if err = fs.Err(); err == nil {
			_, err = p.cfg.Exits.SetDestination(ctx, id, exits.DestinationInput{Place: f.Get("destination"), RadiusKm: radius})
			err = asFields(err, map[string]string{"place": "destination"})
		}
		frag = "destination"
	case "veiligheid":
		in := exits.SafetyInput{Risks: lines(f.Get("risks")), Measures: lines(f.Get("measures")), Contacts: []exits.Contact{}}
		for _, l := range lines(f.Get("contacts")) {
			parts := strings.Split(l, ";")
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			in.Contacts = append(in.Contacts, exits.Contact{Name: strings.TrimSpace(parts[0]), Role: strings.TrimSpace(parts[1]), Phone: strings.TrimSpace(parts[2])})
		}
		_, err = p.cfg.Exits.SetSafety(ctx, id, in)
		err = asFields(err, map[string]string{"contacts[0].name": "contacts", "contacts[0].phone": "contacts"})
		frag = "safety"
	case "uitbuiting":
		_, err = p.cfg.Exits.SetExploitation(ctx, id, exits.ExploitationInput{Kinds: f["kinds"], CarePartnerID: f.Get("care_partner_id")})
		frag = "exploitation"
	case "familie":
		_, err = p.cfg.Exits.LinkRelative(ctx, id, exits.RelativeInput{CandidateID: f.Get("candidate_id")})
		frag = "relatives"
	case "overdracht":
		_, err = p.cfg.Exits.StartTransfer(ctx, id, exits.TransferInput{ToWorkerID: f.Get("to_worker_id"), Handover: f["handover"], Note: f.Get("note")})
		frag, done = "transfer", "The case is offered; it moves once the receiving worker accepts."
	case "sluiten":
		_, err = p.cfg.Exits.Close(ctx, id, exits.CloseInput{Outcome: f.Get("outcome"), Note: f.Get("note")})
		done = "The trajectory is closed."
	default:
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	if err != nil {
		return p.invalidAgain(c, err, "trajectory", pg, func() (any, error) { return p.trajectoryData(c, pg) })
	}
	return back(c, "/trajecten/"+id+"#"+frag, done)
}

// trajectoryEntryRemove removes a network entry.
func (p *Pages) trajectoryEntryRemove(c *fiber.Ctx, pg *Page) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	if _, err := p.cfg.Exits.RemoveEntry(ctxAs(c), c.Params("id"), n); err != nil {
		return err
	}
	return back(c, "/trajecten/"+c.Params("id")+"#network", "The entry is removed.")
}

// trajectoryAccept is the receiving worker's acceptance.
func (p *Pages) trajectoryAccept(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Exits.AcceptTransfer(ctxAs(c), c.Params("id")); err != nil {
		return err
	}
	return back(c, "/trajecten/"+c.Params("id"), "The case is yours now.")
}

// trajectoryReport is the coordinators' report per region.
func (p *Pages) trajectoryReport(c *fiber.Ctx, pg *Page) error {
	rows, err := p.cfg.Exits.Report(ctxAs(c))
	if err != nil {
		return err
	}
	pg.Data = struct {
		Rows   []exits.ReportRow
		Phases []exits.Phase
	}{rows, exits.Phases}
	return p.render(c, fiber.StatusOK, "trajectory_report", pg)
}
