package frontend

import (
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
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
	Query      template.URL // the query string without page, for the pager (url.Values.Encode)
	Certs      []taxonomy.Term
	Provinces  []string
	Radii      []int
	Suggest    []placeLink // places the search may have meant, when its place is unknown
	Labels     map[string]string
}

// searchLabels name the search's fields in its problems (texts of the
// form's own labels).
var searchLabels = map[string]string{"q": "Skill, trade or word", "place": "Place", "within_km": "Radius", "available_before": "Available before",
	"hours_min": "At least hours", "certificates": "Certificates"}

// search is the employer's candidate search: anonymised cards with the
// reasons they match, facets, place and radius; as you type with htmx
// (the results part only), a plain GET form without it.
func (p *Pages) search(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Employer); err != nil {
		return err
	}
	q := url.Values{}
	// vacancy: the vacancy the search is for (from the overview's "find
	// candidates"); the cards' interest form starts on it.
	for _, k := range []string{"q", "place", "within_km", "province", "available_before", "hours_min", "vacancy"} {
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
	d := searchData{Certs: taxonomy.Certificates, Radii: []int{5, 10, 25, 50, 100}, Labels: searchLabels}
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
	d.Query = template.URL(q.Encode())
	d.Searched = true
	res, err := p.cfg.Matching.SearchCandidates(ctxAs(c), matching.CandidateSearch{
		Q: q.Get("q"), Place: q.Get("place"), Province: q.Get("province"), WithinKm: within,
		AvailableBefore: q.Get("available_before"), Certificates: q["certificates"], HoursMin: hours, Page: page, PerPage: 20,
	})
	if err != nil {
		d.Searched = false
		if _, bad := apperr.FieldsOf(err)["place"]; bad {
			d.Suggest = p.nearPlaces(q, 5)
		}
		pg.Data = d
		return p.invalid(c, err, "search", pg)
	}
	d.Result = res
	d.Next, d.Prev = nextPage(page, 20, res.Total), page-1
	pg.Data = d
	return p.render(c, fiber.StatusOK, "search", pg)
}

// placeLink is a place the search may have meant, with the search's query
// for it.
type placeLink struct {
	Name  string
	Query template.URL // url.Values.Encode: safe in the link as it is
}

// nearPlaces are the places whose names begin as the typed place does, from
// its whole name down to its first three letters ("Utrect" finds
// Utrecht), most populous first; each links to the same search there.
func (p *Pages) nearPlaces(q url.Values, n int) []placeLink {
	if p.cfg.Places == nil {
		return nil
	}
	typed := []rune(strings.TrimSpace(q.Get("place")))
	for l := len(typed); l >= 3; l-- {
		found := p.cfg.Places.Suggest(string(typed[:l]), n)
		if len(found) == 0 {
			continue
		}
		out := make([]placeLink, 0, len(found))
		for _, pl := range found {
			qq := url.Values{}
			for k, v := range q {
				qq[k] = v
			}
			qq.Set("place", pl.Name)
			out = append(out, placeLink{Name: pl.Name + " (" + places.ProvinceName(pl.Province) + ")", Query: template.URL(qq.Encode())})
		}
		return out
	}
	return nil
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
	titles := map[string]string{} // an introduction names its vacancy by title
	for _, v := range vacs {
		titles[string(v.ID)] = v.Title
		if v.Status == employers.Open {
			open = append(open, v)
		}
	}
	intros, err := p.cfg.Placements.List(ctxAs(c))
	if err != nil {
		return err
	}
	var mine []placements.IntroductionSummary
	taken := map[string]bool{} // a vacancy the candidate is introduced or placed for already
	for _, in := range intros {
		if in.CandidateID == string(id) {
			mine = append(mine, in)
			taken[in.VacancyID] = taken[in.VacancyID] || in.State.Open() || in.State == placements.Placed
		}
	}
	if !d.Searchable { // placed, or not available now: nobody to ask to meet
		open = nil
	}
	open = slices.DeleteFunc(open, func(v employers.VacancySummary) bool { return taken[string(v.ID)] })
	flashOf(c, pg)
	// The interest form starts on the vacancy the search was for, else on
	// the newest open one.
	pg.Form.Set("vacancy_id", c.Query("vacancy"))
	pg.Data = struct {
		ID            candidates.ID
		Level         int
		Card          candidates.Card
		Level1        *candidates.Level1
		Level2        *candidates.Level2
		Vacancies     []employers.VacancySummary
		Introductions []placements.IntroductionSummary
		VacancyTitles map[string]string
	}{id, d.Level, cardOf(d), level1Of(d), level2Of(d), open, mine, titles}
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

func paymentsBank(c *fiber.Ctx) payments.BankInput {
	return payments.BankInput{IBAN: c.FormValue("iban"), BIC: c.FormValue("bic"), Holder: c.FormValue("holder")}
}
