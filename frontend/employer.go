package frontend

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// amsterdam is the time zone of interview times typed into a form.
var amsterdam = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

func (p *Pages) applyForm(c *fiber.Ctx, pg *Page) error {
	pg.Data = taxonomy.Sectors
	return p.render(c, fiber.StatusOK, "apply", pg)
}

// applyCreate registers an employer's application (signed out: the
// applicant's account is made with it) and signs the applicant in.
func (p *Pages) applyCreate(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	pg.Data = taxonomy.Sectors
	f := pg.Form
	if f.Get("password") != f.Get("password_again") {
		pg.Errors["password_again"] = pg.T("is not the same as the password")
		pg.Flash = pg.T("Please correct the fields marked below.")
		return p.render(c, fiber.StatusUnprocessableEntity, "apply", pg)
	}
	reg := employers.Registration{
		Name: f.Get("name"), KvK: f.Get("kvk"), Sectors: nonNil(f["sectors"]),
		Locations: []employers.LocationInput{{Address: f.Get("locations[0].address"), Place: f.Get("locations[0].place")}},
		Contact:   employers.ContactInput{Name: f.Get("contact.name"), Email: f.Get("contact.email"), Phone: f.Get("contact.phone")},
		Password:  f.Get("password"), CodeOfConductAccepted: f.Get("code_of_conduct_accepted") == "yes",
	}
	if _, err := p.cfg.Employers.Register(ctxAs(c), reg, p.web.ClientIP(c)); err != nil {
		return p.invalid(c, err, "apply", pg)
	}
	sess, err := p.cfg.Users.Login(ctxAs(c), users.Credentials{Email: reg.Contact.Email, Password: reg.Password, IP: p.web.ClientIP(c)}, true)
	if err != nil {
		return back(c, "/", "Your application is in. Sign in to follow it.")
	}
	p.web.SetSession(c, sess)
	return back(c, "/employer", "Your application is in. A coordinator checks it; you see the progress here.")
}

// employerHome is the employer's start page: vetting status, vacancies,
// payout account.
func (p *Pages) employerHome(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Employer)
	if err != nil {
		return err
	}
	v, err := p.cfg.Employers.Get(ctxAs(c), employers.ID(a.EmployerID))
	if err != nil {
		return err
	}
	var vacs []employers.VacancySummary
	if v.Status == employers.Approved {
		if vacs, err = p.cfg.Employers.Vacancies(ctxAs(c), employers.ID(a.EmployerID)); err != nil {
			return err
		}
	}
	flashOf(c, pg)
	pg.Data = struct {
		Employer  employers.View
		Vacancies []employers.VacancySummary
		Admin     bool
	}{v, vacs, a.Admin}
	return p.render(c, fiber.StatusOK, "employer", pg)
}

func (p *Pages) vacancyNew(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Employer); err != nil {
		return err
	}
	pg.Form.Set("hours_per_week", "32")
	pg.Form.Set("start_date", pg.Now.AddDate(0, 0, 14).Format(time.DateOnly))
	pg.Form.Set("shifts[0].from", "08:00")
	pg.Form.Set("shifts[0].to", "16:30")
	pg.Data = formData()
	return p.render(c, fiber.StatusOK, "vacancy_form", pg)
}

func (p *Pages) vacancyCreate(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Employer)
	if err != nil {
		return err
	}
	pg.Form = formOf(c)
	pg.Data = formData()
	var fl apperr.Fields
	f := pg.Form
	vog := f.Get("vog_required") == "yes"
	in := employers.VacancyInput{
		Title: f.Get("title"), Description: f.Get("description"), RequiredSkills: list(f.Get("required_skills")), NiceSkills: list(f.Get("nice_to_have_skills")),
		Place: f.Get("place"), Address: f.Get("address"), HoursPerWeek: number(&fl, f, "hours_per_week"), Sector: f.Get("sector"),
		Shifts: []employers.Shift{}, StartDate: f.Get("start_date"), RiskAreas: nonNil(f["risk_areas"]), VOGRequired: &vog,
	}
	if from, to := f.Get("shifts[0].from"), f.Get("shifts[0].to"); from != "" || to != "" {
		in.Shifts = append(in.Shifts, employers.Shift{From: from, To: to})
	}
	if err := fl.Err(); err != nil {
		return p.invalid(c, err, "vacancy_form", pg)
	}
	if _, err := p.cfg.Employers.CreateVacancy(ctxAs(c), employers.ID(a.EmployerID), in); err != nil {
		return p.invalid(c, err, "vacancy_form", pg)
	}
	return back(c, "/employer", "Vacancy published.")
}

func (p *Pages) vacancyClose(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Employers.CloseVacancy(ctxAs(c), employers.VacancyID(c.Params("id"))); err != nil {
		return err
	}
	return back(c, "/employer", "Vacancy closed.")
}

// searchData is the search page: the query as typed, the results and
// their facets.
type searchData struct {
	Result     matching.CandidatePage
	Searched   bool
	Next, Prev int
	Page       int
	Query      string // the query string without page, for the pager
	Certs      []taxonomy.Term
	Provinces  []string
	Radii      []int
}

// search is the employer's candidate search: anonymised cards with the
// reasons they match, facets, place and radius; as you type with htmx
// (the results part only), a plain GET form without it.
func (p *Pages) search(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Employer); err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"q", "place", "within_km", "province", "available_before", "hours_min"} {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			q.Set(k, v)
		}
	}
	args := c.Context().QueryArgs()
	for _, v := range args.PeekMulti("certificates") {
		if s := strings.TrimSpace(string(v)); s != "" {
			q.Add("certificates", s)
		}
	}
	pg.Form = q
	d := searchData{Certs: taxonomy.Certificates, Radii: []int{5, 10, 25, 50, 100}}
	var f apperr.Fields
	within := number(&f, q, "within_km")
	hours := number(&f, q, "hours_min")
	page := number(&f, url.Values{"page": {c.Query("page")}}, "page")
	if page < 1 {
		page = 1
	}
	if err := f.Err(); err != nil {
		pg.Data = d
		return p.invalid(c, err, "search", pg)
	}
	d.Page = page
	d.Query = q.Encode()
	d.Searched = true
	res, err := p.cfg.Matching.SearchCandidates(ctxAs(c), matching.CandidateSearch{
		Q: q.Get("q"), Place: q.Get("place"), Province: q.Get("province"), WithinKm: within,
		AvailableBefore: q.Get("available_before"), Certificates: q["certificates"], HoursMin: hours, Page: page, PerPage: 20,
	})
	if err != nil {
		pg.Data = d
		return p.invalid(c, err, "search", pg)
	}
	d.Result = res
	d.Next, d.Prev = nextPage(page, 20, res.Total), page-1
	pg.Data = d
	return p.render(c, fiber.StatusOK, "search", pg)
}

// card is one candidate as the employer may see them: the card, or more
// when consent and the introduction allow (candidates.ViewFor logs it).
func (p *Pages) card(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Employer)
	if err != nil {
		return err
	}
	id := candidates.ID(c.Params("id"))
	d, err := p.cfg.Candidates.ViewFor(ctxAs(c), id)
	if err != nil {
		return err
	}
	vacs, err := p.cfg.Employers.Vacancies(ctxAs(c), employers.ID(a.EmployerID))
	if err != nil {
		return err
	}
	open := vacs[:0:0]
	for _, v := range vacs {
		if v.Status == employers.Open {
			open = append(open, v)
		}
	}
	intros, err := p.cfg.Placements.List(ctxAs(c))
	if err != nil {
		return err
	}
	var mine []placements.IntroductionSummary
	for _, in := range intros {
		if in.CandidateID == string(id) {
			mine = append(mine, in)
		}
	}
	flashOf(c, pg)
	pg.Data = struct {
		ID            candidates.ID
		Level         int
		Card          candidates.Card
		Level1        *candidates.Level1
		Level2        *candidates.Level2
		Vacancies     []employers.VacancySummary
		Introductions []placements.IntroductionSummary
	}{id, d.Level, cardOf(d), level1Of(d), level2Of(d), open, mine}
	return p.render(c, fiber.StatusOK, "card", pg)
}

func cardOf(d candidates.Disclosed) candidates.Card {
	switch v := d.View.(type) {
	case candidates.Card:
		return v
	case candidates.Level1:
		return v.Card
	case candidates.Level2:
		return v.Card
	}
	return candidates.Card{}
}

func level1Of(d candidates.Disclosed) *candidates.Level1 {
	switch v := d.View.(type) {
	case candidates.Level1:
		return &v
	case candidates.Level2:
		return &v.Level1
	}
	return nil
}

func level2Of(d candidates.Disclosed) *candidates.Level2 {
	if v, ok := d.View.(candidates.Level2); ok {
		return &v
	}
	return nil
}

// interest marks the employer's interest in a candidate for a vacancy: an
// introduction the candidate's worker sees.
func (p *Pages) interest(c *fiber.Ctx, pg *Page) error {
	in, err := p.cfg.Placements.Create(ctxAs(c), placements.CreateInput{CandidateID: c.Params("id"), VacancyID: c.FormValue("vacancy_id")})
	if err != nil {
		return err
	}
	return back(c, "/introductions/"+in.ID, "Interest sent: the candidate's probation worker asks the candidate.")
}

func (p *Pages) payoutAccount(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Employer)
	if err != nil {
		return err
	}
	if c.FormValue("iban") != "" {
		if _, err := p.cfg.Payments.SetBank(ctxAs(c), a.EmployerID, paymentsBank(c)); err != nil {
			return err
		}
		return back(c, "/employer", "Bank account saved.")
	}
	u, err := p.cfg.Users.Me(ctxAs(c))
	if err != nil {
		return err
	}
	acc, err := p.cfg.Payments.SetupStripe(ctxAs(c), a.EmployerID, u.Email)
	if err != nil {
		return err
	}
	if acc.OnboardingURL != "" && strings.HasPrefix(acc.OnboardingURL, "https://") {
		return c.Redirect(acc.OnboardingURL, fiber.StatusSeeOther)
	}
	return back(c, "/employer", "Payout account ready.")
}

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
	Ratings    []string
	EndReasons []string
	Schemes    []payments.SchemeView // coordinators: to attach
	Guarantees []string              // the kinds a coordinator may give
}

// placementData is the placement page's data for the actor.
func (p *Pages) placementData(c *fiber.Ctx, v placements.PlacementView) (placementData, error) {
	d := placementData{P: v, Ratings: placements.NoteRatings(), EndReasons: placements.EndReasons(), Guarantees: placements.GuaranteeKinds()}
	if a, err := users.ActorFrom(ctxAs(c)); err == nil && a.Is(users.Coordinator) {
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
		return err
	}
	return back(c, "/placements/"+id, "Mentor assigned.")
}

func paymentsBank(c *fiber.Ctx) payments.BankInput {
	return payments.BankInput{IBAN: c.FormValue("iban"), BIC: c.FormValue("bic"), Holder: c.FormValue("holder")}
}
