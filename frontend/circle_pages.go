package frontend

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/users"
)

// The circles around a candidate: the worker's and the partners' lists and
// pages (one route each, the role decides the view), the coordinators'
// partner organisations with their vetting and the report of actions on
// time, and the candidate's own part on /mijn.

// circleList lists the circles of the acting worker or partner.
func (p *Pages) circleList(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	rows, err := p.cfg.Circles.List(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = struct{ Rows []circles.Row }{rows}
	return p.render(c, fiber.StatusOK, "circles", pg)
}

// workerCircle is the worker's page of one circle.
type workerCircle struct {
	View       circles.WorkerView
	Partners   []circles.Partner // approved, to invite
	Owners     []circleOwner     // who may own an action, by purpose
	Accepted   []circleOwner     // accepted organisations (conference participants)
	Purposes   []circles.Purpose
	Today      string
	ExitPoints []string
	Topics     []struct{ Name, Label string } // the conference form's notes, one per purpose
}

type circleOwner struct {
	ID, Name string
	Purpose  circles.Purpose
}

// circlePage shows a circle: the whole for the candidate's worker, the
// partner's slice for a partner.
func (p *Pages) circlePage(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.ProbationWorker, users.Partner)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if a.Is(users.Partner) {
		v, err := p.cfg.Circles.PartnerGet(ctxAs(c), c.Params("id"))
		if err != nil {
			return err
		}
		pg.Data = partnerData(pg, v)
		return p.render(c, fiber.StatusOK, "circle_partner", pg)
	}
	d, err := p.workerCircle(c, pg)
	if err != nil {
		return err
	}
	pg.Data = d
	return p.render(c, fiber.StatusOK, "circle", pg)
}

func (p *Pages) workerCircle(c *fiber.Ctx, pg *Page) (workerCircle, error) {
	v, err := p.cfg.Circles.Get(ctxAs(c), c.Params("id"))
	if err != nil {
		return workerCircle{}, err
	}
	ps, err := p.cfg.Circles.Partners(ctxAs(c), "")
	if err != nil {
		return workerCircle{}, err
	}
	d := workerCircle{View: v, Partners: ps, Purposes: circles.Purposes, Today: pg.Now.Format(time.DateOnly), ExitPoints: circles.ExitPoints}
	for _, pu := range circles.Purposes {
		d.Topics = append(d.Topics, struct{ Name, Label string }{"topic_" + string(pu), pg.T("Discussed: %s", pg.L("purpose", pu))})
	}
	d.Owners = append(d.Owners, circleOwner{ID: circles.OwnerWorker, Name: pg.T("Probation (you)")})
	seen := map[string]bool{}
	for _, m := range v.Members {
		if m.State != circles.Accepted {
			continue
		}
		d.Owners = append(d.Owners, circleOwner{ID: m.Partner, Name: m.Name, Purpose: m.Purpose})
		if !seen[m.Partner] {
			seen[m.Partner] = true
			d.Accepted = append(d.Accepted, circleOwner{ID: m.Partner, Name: m.Name})
		}
	}
	return d, nil
}

// circleFormError shows the circle again with the form's problems.
func (p *Pages) circleFormError(c *fiber.Ctx, pg *Page, err error) error {
	a, _ := signedIn(c)
	if a.Is(users.Partner) {
		if !aboutTheForm(err) {
			return err
		}
		v, lerr := p.cfg.Circles.PartnerGet(ctxAs(c), c.Params("id"))
		if lerr != nil {
			return err
		}
		pg.Data = partnerData(pg, v)
		return p.invalid(c, err, "circle_partner", pg)
	}
	return p.invalidAgain(c, err, "circle", pg, func() (any, error) { return p.workerCircle(c, pg) })
}

func circlePath(c *fiber.Ctx, frag string) string { return "/kringen/" + c.Params("id") + "#" + frag }

// circleInvite invites a partner organisation (the worker).
func (p *Pages) circleInvite(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	_, err := p.cfg.Circles.AddMember(ctxAs(c), c.Params("id"), circles.MemberInput{PartnerID: f.Get("partner_id"), Purpose: f.Get("purpose"), Basis: f.Get("basis"),
		StatutoryTask: f.Get("statutory_task"), Consent: f.Get("consent") == "yes", CheckinConsent: f.Get("checkin_consent") == "yes", Need: f.Get("need")})
	if err != nil {
		return p.circleFormError(c, pg, err)
	}
	return back(c, circlePath(c, "members"), "The organisation is invited.")
}

// circleMember takes a membership step: the worker's consent, withdraw and
// end, the partner's accept and decline.
func (p *Pages) circleMember(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	pg.Form = formOf(c)
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	action := c.Params("action")
	in := circles.StepInput{Reason: pg.Form.Get("reason"), Checkins: pg.Form.Get("checkins") == "yes", CheckinsOnly: pg.Form.Get("checkins_only") == "yes"}
	if _, err := p.cfg.Circles.MemberStep(ctxAs(c), c.Params("id"), n, action, in); err != nil {
		return p.circleFormError(c, pg, err)
	}
	done := map[string]string{"accept": "You joined the circle.", "decline": "You declined the invitation.", "consent": "Consent recorded.",
		"withdraw": "Consent withdrawn.", "end": "The membership has ended."}[action]
	if action == "decline" {
		return back(c, "/kringen", done)
	}
	return back(c, circlePath(c, "members"), done)
}

// circleActionAdd adds a plan action (the worker, a partner).
func (p *Pages) circleActionAdd(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	owner, purpose := f.Get("owner"), f.Get("action_purpose")
	// The worker picks "owner|purpose": an organisation is there for a purpose.
	if o, pu, ok := strings.Cut(owner, "|"); ok {
		owner = o
		if purpose == "" {
			purpose = pu
		}
	}
	_, err := p.cfg.Circles.AddAction(ctxAs(c), c.Params("id"), circles.ActionInput{Purpose: purpose, Title: f.Get("title"), Owner: owner,
		Person: f.Get("person"), DueDate: f.Get("due_date"), ReviewDate: f.Get("review_date")})
	if err != nil {
		return p.circleFormError(c, pg, asFields(err, map[string]string{"purpose": "action_purpose"}))
	}
	return back(c, circlePath(c, "plan"), "Action added to the plan.")
}

// circleActionSet sets an action's status.
func (p *Pages) circleActionSet(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	pg.Form = formOf(c)
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	if _, err := p.cfg.Circles.UpdateAction(ctxAs(c), c.Params("id"), n, circles.ActionUpdate{Status: pg.Form.Get("status"), Note: pg.Form.Get("note")}); err != nil {
		return p.circleFormError(c, pg, err)
	}
	return back(c, circlePath(c, "plan"), "The action is updated.")
}

// circleLevel moves the circle up or down (the worker).
func (p *Pages) circleLevel(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	var f apperr.Fields
	level := number(&f, pg.Form, "level")
	if err := f.Err(); err != nil {
		return p.circleFormError(c, pg, err)
	}
	if _, err := p.cfg.Circles.SetLevel(ctxAs(c), c.Params("id"), circles.LevelInput{Level: level, Reason: pg.Form.Get("level_reason")}); err != nil {
		return p.circleFormError(c, pg, asFields(err, map[string]string{"reason": "level_reason"}))
	}
	return back(c, circlePath(c, "level"), "The circle's level is changed.")
}

// circleClose closes the circle (the worker).
func (p *Pages) circleClose(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	if _, err := p.cfg.Circles.Close(ctxAs(c), c.Params("id"), circles.CloseInput{ExitPoint: pg.Form.Get("exit_point"), Note: pg.Form.Get("close_note")}); err != nil {
		return p.circleFormError(c, pg, asFields(err, map[string]string{"note": "close_note"}))
	}
	return back(c, circlePath(c, "level"), "The circle is closed.")
}

// circleConference records a case conference (the worker): a topic per
// purpose, one decision and one dissent per form (more by the API).
func (p *Pages) circleConference(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	in := circles.ConferenceInput{Date: f.Get("conference_date"), Participants: f["participants"]}
	for _, pu := range circles.Purposes {
		if notes := strings.TrimSpace(f.Get("topic_" + string(pu))); notes != "" {
			in.Topics = append(in.Topics, struct {
				Purpose string `json:"purpose"`
				Notes   string `json:"notes"`
			}{string(pu), notes})
		}
	}
	if t := strings.TrimSpace(f.Get("decision_title")); t != "" {
		owner, purpose, _ := strings.Cut(f.Get("decision_owner"), "|")
		if purpose == "" {
			purpose = f.Get("decision_purpose")
		}
		in.Decisions = append(in.Decisions, circles.ActionInput{Purpose: purpose, Title: t, Owner: owner, DueDate: f.Get("decision_due")})
	}
	if t := strings.TrimSpace(f.Get("dissent_text")); t != "" {
		in.Dissent = append(in.Dissent, struct {
			PartnerID string `json:"partner_id"`
			Purpose   string `json:"purpose"`
			Text      string `json:"text"`
		}{f.Get("dissent_partner"), f.Get("dissent_purpose"), t})
	}
	_, err := p.cfg.Circles.AddConference(ctxAs(c), c.Params("id"), in)
	if err != nil {
		return p.circleFormError(c, pg, asFields(err, map[string]string{"date": "conference_date", "decisions[0].title": "decision_title", "decisions[0].owner": "decision_owner",
			"decisions[0].due_date": "decision_due", "decisions[0].purpose": "decision_owner", "dissent[0].partner_id": "dissent_partner",
			"dissent[0].purpose": "dissent_purpose", "dissent[0].text": "dissent_text"}))
	}
	return back(c, circlePath(c, "conferences"), "The case conference is recorded.")
}

// partnersPage is the coordinators' partner organisations: registration,
// vetting, accounts, and the report of actions on time.
func (p *Pages) partnersPage(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	d, err := p.partnersData(c, pg)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = d
	return p.render(c, fiber.StatusOK, "partners", pg)
}

type partnersData struct {
	Partners []circles.Partner
	Report   []circles.ReportRow
	Names    map[string]string
	Me       string
}

func (p *Pages) partnersData(c *fiber.Ctx, pg *Page) (partnersData, error) {
	ps, err := p.cfg.Circles.Partners(ctxAs(c), "")
	if err != nil {
		return partnersData{}, err
	}
	rep, err := p.cfg.Circles.Report(ctxAs(c))
	if err != nil {
		return partnersData{}, err
	}
	var ids []string
	for _, x := range ps {
		ids = append(ids, x.Approvals...)
	}
	names, err := p.userNames(c, ids...)
	if err != nil {
		return partnersData{}, err
	}
	a, _ := signedIn(c)
	// Waiting for vetting first, then by name.
	slices.SortStableFunc(ps, func(x, y circles.Partner) int {
		return rank(map[circles.Status]int{circles.Pending: 0, circles.Approved: 1, circles.Suspended: 2, circles.Rejected: 3}, x.Status) -
			rank(map[circles.Status]int{circles.Pending: 0, circles.Approved: 1, circles.Suspended: 2, circles.Rejected: 3}, y.Status)
	})
	return partnersData{Partners: ps, Report: rep, Names: names, Me: string(a.UserID)}, nil
}

func (p *Pages) partnersFormError(c *fiber.Ctx, pg *Page, err error) error {
	return p.invalidAgain(c, err, "partners", pg, func() (any, error) { return p.partnersData(c, pg) })
}

// partnerRegister registers a partner organisation (coordinators).
func (p *Pages) partnerRegister(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	in := circles.PartnerInput{Name: f.Get("name"), Kind: f.Get("kind"), KvK: f.Get("kvk"), Place: f.Get("place")}
	in.Contact.Name, in.Contact.Email, in.Contact.Phone = f.Get("contact_name"), f.Get("contact_email"), f.Get("contact_phone")
	if _, err := p.cfg.Circles.RegisterPartner(ctxAs(c), in); err != nil {
		return p.partnersFormError(c, pg, asFields(err, map[string]string{"contact.name": "contact_name", "contact.email": "contact_email", "contact.phone": "contact_phone"}))
	}
	return back(c, "/partners", "The organisation is registered; two coordinators approve it.")
}

// partnerVet takes a vetting step (coordinators).
func (p *Pages) partnerVet(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	if _, err := p.cfg.Circles.Vet(ctxAs(c), c.Params("id"), c.Params("action"), circles.Reasoned{Reason: pg.Form.Get("reason")}); err != nil {
		return p.partnersFormError(c, pg, err)
	}
	return back(c, "/partners", "The vetting step is recorded.")
}

// partnerUserAdd makes an account for a partner organisation (coordinators).
func (p *Pages) partnerUserAdd(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	if _, err := p.cfg.Circles.AddUser(ctxAs(c), c.Params("id"), circles.UserInput{Email: pg.Form.Get("email"), Name: pg.Form.Get("name")}); err != nil {
		return p.partnersFormError(c, pg, err)
	}
	return back(c, "/partners", "The account is made; the invitation is on its way by mail.")
}

// selfCircle is the candidate's consent or withdrawal for a partner.
func (p *Pages) selfCircle(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Candidate); err != nil {
		return err
	}
	pg.Form = formOf(c)
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	action, done := "consent", "Thank you: your permission is recorded."
	if c.Params("answer") == "intrekken" {
		action, done = "withdraw", "Your permission is withdrawn."
	}
	in := circles.StepInput{Checkins: pg.Form.Get("checkins") == "yes", CheckinsOnly: pg.Form.Get("checkins_only") == "yes"}
	if _, err := p.cfg.Circles.SelfStep(ctxAs(c), n, action, in); err != nil {
		return err
	}
	return back(c, "/mijn#h-circle", done)
}

// partnerCircle is a partner's page of one circle.
type partnerCircle struct {
	View     circles.PartnerView
	Purposes string         // its purposes, in words
	Sees     map[int]string // per invitation: what accepting shows, in words
}

func partnerData(pg *Page, v circles.PartnerView) partnerCircle {
	d := partnerCircle{View: v, Sees: map[int]string{}}
	var ps []string
	for _, pu := range v.Purposes {
		ps = append(ps, pg.L("purpose", pu))
	}
	d.Purposes = strings.Join(ps, ", ")
	for _, inv := range v.Invitations {
		var ss []string
		for _, s := range circles.Slices[inv.Purpose] {
			ss = append(ss, pg.L("section", s))
		}
		d.Sees[inv.Member] = strings.Join(ss, ", ")
	}
	return d
}
