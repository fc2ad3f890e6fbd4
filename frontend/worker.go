package frontend

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/csvcell"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// staleAfter is when an availability counts as stale: the search drops a
// candidate whose worker has not confirmed it for candidates.ConfirmEvery.
const staleAfter = candidates.ConfirmEvery

// caseloadRow is one candidate of the caseload as the page shows it.
type caseloadRow struct {
	candidates.Summary
	Stale     bool
	Confirmed string
}

func rowOf(s candidates.Summary, now time.Time) caseloadRow {
	r := caseloadRow{Summary: s}
	if s.ConfirmedAt != nil {
		r.Confirmed = s.ConfirmedAt.Format(time.DateOnly)
	}
	r.Stale = s.Status == candidates.Available && (s.ConfirmedAt == nil || now.Sub(*s.ConfirmedAt) > staleAfter-3*24*time.Hour)
	return r
}

func (p *Pages) caseload(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	list, err := p.cfg.Candidates.List(ctxAs(c))
	if err != nil {
		return err
	}
	rows := make([]caseloadRow, len(list))
	stale := 0
	for i, s := range list {
		rows[i] = rowOf(s, pg.Now)
		if rows[i].Stale {
			stale++
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Stale && !rows[j].Stale })
	flashOf(c, pg)
	pg.Data = struct {
		Rows  []caseloadRow
		Stale int
	}{rows, stale}
	return p.render(c, fiber.StatusOK, "caseload", pg)
}

// candidateAvailable makes a registered candidate available (and so
// confirmed today) in one click, from the candidate's page that says why
// employers do not find them yet.
func (p *Pages) candidateAvailable(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	st := candidates.Available
	if _, err := p.cfg.Candidates.Update(ctxAs(c), id, candidates.Update{Status: &st}, 0); err != nil {
		ae, ok := apperr.As(err)
		if !ok || !aboutTheForm(err) {
			return err
		}
		return back(c, "/candidates/"+string(id), ae.Message) // shown when it is a catalogue text
	}
	return back(c, "/candidates/"+string(id), "The candidate is available: employers find them now.")
}

// candidateConfirm confirms a candidate's availability in one click: with
// htmx the row is replaced in place, without it the caseload reloads.
func (p *Pages) candidateConfirm(c *fiber.Ctx, pg *Page) error {
	rec, err := p.cfg.Candidates.ConfirmAvailability(ctxAs(c), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	if c.Get("HX-Request") == "true" {
		confirmed := rec.ConfirmedAt
		row := rowOf(candidates.Summary{ID: rec.ID, DisplayName: displayName(rec.Identity), Status: rec.Status, Place: rec.HomePlace.Name, ConfirmedAt: confirmed, UpdatedAt: rec.UpdatedAt}, pg.Now)
		return p.renderPart(c, "caseload", "row", pg, map[string]any{"P": pg, "R": row})
	}
	return back(c, "/caseload", "Availability confirmed.")
}

func displayName(id candidates.IdentityInput) string {
	n := id.FirstName
	if r := []rune(id.LastName); len(r) > 0 {
		n += " " + string(r[0]) + "."
	}
	return n
}

// candidateFormData is what the candidate form offers to pick from.
type candidateFormData struct {
	Sectors, RiskAreas, Certificates, Languages []taxonomy.Term
	ID                                          candidates.ID
	Edit                                        bool
}

func formData() candidateFormData {
	return candidateFormData{Sectors: taxonomy.Sectors, RiskAreas: taxonomy.RiskAreas, Certificates: taxonomy.Certificates, Languages: taxonomy.Languages}
}

func (p *Pages) candidateNew(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form.Set("travel_radius_km", "25")
	pg.Form.Set("hours_per_week", "32")
	pg.Form.Set("available_from", pg.Now.Format(time.DateOnly))
	pg.Form.Set("languages", "nl")
	pg.Data = formData()
	return p.render(c, fiber.StatusOK, "candidate_form", pg)
}

func (p *Pages) candidateCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	pg.Data = formData()
	in, err := candidateInput(pg.Form)
	if err != nil {
		return p.invalid(c, err, "candidate_form", pg)
	}
	rec, err := p.cfg.Candidates.Create(ctxAs(c), in)
	if err != nil {
		return p.invalid(c, err, "candidate_form", pg)
	}
	return back(c, "/candidates/"+string(rec.ID), "Candidate registered.")
}

func (p *Pages) candidateEdit(c *fiber.Ctx, pg *Page) error {
	rec, err := p.cfg.Candidates.Get(ctxAs(c), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	pg.Form = recordForm(rec, p.cfg.Places)
	d := formData()
	d.ID, d.Edit = rec.ID, true
	pg.Data = d
	return p.render(c, fiber.StatusOK, "candidate_form", pg)
}

func (p *Pages) candidateUpdate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	id := candidates.ID(c.Params("id"))
	pg.Form = formOf(c)
	d := formData()
	d.ID, d.Edit = id, true
	pg.Data = d
	in, err := candidateInput(pg.Form)
	if err != nil {
		return p.invalid(c, err, "candidate_form", pg)
	}
	version, _ := strconv.ParseInt(pg.Form.Get("version"), 10, 64)
	st := candidates.Status(pg.Form.Get("status"))
	u := candidates.Update{Identity: &in.Identity, Skills: &in.Skills, DesiredOccupations: &in.DesiredOccupations, Certificates: &in.Certificates,
		Languages: &in.Languages, HoursPerWeek: &in.HoursPerWeek, AvailableFrom: &in.AvailableFrom, HomePlace: &in.HomePlace,
		TravelRadiusKm: &in.TravelRadiusKm, Motivation: &in.Motivation, WorkHistory: &in.WorkHistory, Restrictions: &in.Restrictions}
	if st != "" {
		u.Status = &st
	}
	if _, err := p.cfg.Candidates.Update(ctxAs(c), id, u, version); err != nil {
		return p.invalid(c, err, "candidate_form", pg)
	}
	return back(c, "/candidates/"+string(id), "Changes saved.")
}

// list splits a text field into its entries (commas or lines).
func list(s string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// number reads a whole number field; a problem is added to f.
func number(f *apperr.Fields, form url.Values, field string) int {
	v := strings.TrimSpace(form.Get(field))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.Add(field, "must be a whole number")
	}
	return n
}

// banRows is how many area-ban rows the form offers.
const banRows = 3

// candidateInput reads the candidate form into the service's input.
func candidateInput(form url.Values) (candidates.Input, error) {
	var f apperr.Fields
	in := candidates.Input{
		Identity: candidates.IdentityInput{FirstName: form.Get("identity.first_name"), LastName: form.Get("identity.last_name"),
			BirthDate: form.Get("identity.birth_date"), Email: form.Get("identity.email"), Phone: form.Get("identity.phone"),
			Address: form.Get("identity.address"), Postcode: form.Get("identity.postcode")},
		Skills: list(form.Get("skills")), DesiredOccupations: list(form.Get("desired_occupations")),
		Certificates: nonNil(form["certificates"]), Languages: nonNil(form["languages"]),
		HoursPerWeek: number(&f, form, "hours_per_week"), AvailableFrom: form.Get("available_from"),
		HomePlace: form.Get("home_place"), TravelRadiusKm: number(&f, form, "travel_radius_km"),
		Motivation: form.Get("motivation"), WorkHistory: lines(form.Get("work_history")),
		Restrictions: candidates.RestrictionsInput{AreaBans: []candidates.AreaBanInput{}, ExcludedSectors: nonNil(form["restrictions.excluded_sectors"]),
			RiskAreaConflicts: nonNil(form["restrictions.risk_area_conflicts"])},
	}
	for i := 0; i < banRows; i++ {
		key := "restrictions.area_bans[" + strconv.Itoa(i) + "]"
		place := strings.TrimSpace(form.Get(key + ".place"))
		if place == "" {
			continue
		}
		r, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(form.Get(key+".radius_km")), ",", "."), 64)
		if err != nil {
			f.Add(key+".radius_km", "must be a number of kilometres")
		}
		in.Restrictions.AreaBans = append(in.Restrictions.AreaBans, candidates.AreaBanInput{Place: place, RadiusKm: r})
	}
	if from, to := form.Get("restrictions.curfew.from"), form.Get("restrictions.curfew.to"); from != "" || to != "" {
		in.Restrictions.Curfew = &candidates.CurfewInput{From: from, To: to}
	}
	return in, f.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// recordForm fills the candidate form from the record; the place as the
// table labels it, so a name that repeats ("Hoeven") is sent back as the
// same place.
func recordForm(r candidates.Record, tbl *places.Table) url.Values {
	v := url.Values{}
	v.Set("identity.first_name", r.Identity.FirstName)
	v.Set("identity.last_name", r.Identity.LastName)
	v.Set("identity.birth_date", r.Identity.BirthDate)
	v.Set("identity.email", r.Identity.Email)
	v.Set("identity.phone", r.Identity.Phone)
	v.Set("identity.address", r.Identity.Address)
	v.Set("identity.postcode", r.Identity.Postcode)
	v.Set("skills", strings.Join(r.Skills, ", "))
	v.Set("desired_occupations", strings.Join(r.DesiredOccupations, ", "))
	v["certificates"] = r.Certificates
	v["languages"] = r.Languages
	v.Set("hours_per_week", strconv.Itoa(r.HoursPerWeek))
	v.Set("available_from", r.AvailableFrom)
	v.Set("home_place", r.HomePlace.Name)
	if tbl != nil && r.HomePlace.ID != 0 {
		if pl, ok := tbl.ByID(r.HomePlace.ID); ok {
			v.Set("home_place", tbl.Label(pl))
		}
	}
	v.Set("travel_radius_km", strconv.Itoa(r.TravelRadiusKm))
	v.Set("motivation", r.Motivation)
	v.Set("work_history", strings.Join(r.WorkHistory, "\n"))
	v["restrictions.excluded_sectors"] = r.Restrictions.ExcludedSectors
	v["restrictions.risk_area_conflicts"] = r.Restrictions.RiskAreaConflicts
	for i, b := range r.Restrictions.AreaBans {
		if i >= banRows {
			break
		}
		key := "restrictions.area_bans[" + strconv.Itoa(i) + "]"
		v.Set(key+".place", b.Place)
		v.Set(key+".radius_km", strconv.FormatFloat(b.RadiusKm, 'f', -1, 64))
	}
	if r.Restrictions.Curfew != nil {
		v.Set("restrictions.curfew.from", r.Restrictions.Curfew.From)
		v.Set("restrictions.curfew.to", r.Restrictions.Curfew.To)
	}
	v.Set("version", strconv.FormatInt(r.Version, 10))
	v.Set("status", string(r.Status))
	return v
}

// candidateView is the worker's page of one candidate.
type candidateView struct {
	Rec           candidates.Record
	Introductions []placements.IntroductionSummary
	Employers     []string          // the employers of the candidate's introductions: the consent form's choices
	Names         map[string]string // employer ids of introductions, consents and the conflict list, by name
	Stale         bool
	Sectors       map[string]string
	Statuses      []candidates.Status
}

func (p *Pages) candidateView(c *fiber.Ctx, pg *Page) (candidateView, error) {
	rec, err := p.cfg.Candidates.Get(ctxAs(c), candidates.ID(c.Params("id")))
	if err != nil {
		return candidateView{}, err
	}
	intros, err := p.cfg.Placements.List(ctxAs(c))
	if err != nil {
		return candidateView{}, err
	}
	v := candidateView{Rec: rec, Statuses: []candidates.Status{candidates.Registered, candidates.Available, candidates.Exited}}
	seen := map[string]bool{}
	for _, in := range intros {
		if in.CandidateID == string(rec.ID) {
			v.Introductions = append(v.Introductions, in)
			if !seen[in.EmployerID] {
				seen[in.EmployerID] = true
				v.Employers = append(v.Employers, in.EmployerID)
			}
		}
	}
	v.Stale = rec.Status == candidates.Available && (rec.ConfirmedAt == nil || pg.Now.Sub(*rec.ConfirmedAt) > staleAfter-3*24*time.Hour)
	// Every employer the page names, by its name (one read each).
	v.Names = map[string]string{}
	name := func(id string) {
		if _, done := v.Names[id]; done || id == "" {
			return
		}
		v.Names[id] = pg.T("an employer that was removed")
		if e, err := p.cfg.Employers.Load(ctxAs(c), employers.ID(id)); err == nil {
			v.Names[id] = e.Name
		}
	}
	for _, id := range v.Employers {
		name(id)
	}
	// Each introduction by its vacancy's title (one read per vacancy).
	for _, in := range v.Introductions {
		if _, done := v.Names[in.VacancyID]; done {
			continue
		}
		v.Names[in.VacancyID] = pg.T("a vacancy that was removed")
		if vac, _, err := p.cfg.Employers.LoadVacancy(ctxAs(c), employers.VacancyID(in.VacancyID)); err == nil {
			v.Names[in.VacancyID] = vac.Title
		}
	}
	for _, k := range rec.Consents {
		name(k.EmployerID)
	}
	for _, k := range rec.Restrictions.Conflicts {
		name(k.EmployerID)
	}
	return v, nil
}

func (p *Pages) candidatePage(c *fiber.Ctx, pg *Page) error {
	v, err := p.candidateView(c, pg)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if pg.Form.Get("expires_at") == "" {
		pg.Form.Set("expires_at", pg.Now.AddDate(0, 6, 0).Format(time.DateOnly))
		pg.Form.Set("level", "1")
	}
	pg.Data = v
	pg.Title = v.Rec.Identity.FirstName + " " + v.Rec.Identity.LastName
	return p.render(c, fiber.StatusOK, "candidate", pg)
}

// candidateFormError shows the candidate page again with a form's input
// and problems (consent, conflict).
func (p *Pages) candidateFormError(c *fiber.Ctx, pg *Page, err error) error {
	return p.invalidAgain(c, err, "candidate", pg, func() (any, error) { return p.candidateView(c, pg) })
}

// candidateErase erases a candidate on their request (GDPR art. 17), once
// the worker ticked that the candidate asked for it.
func (p *Pages) candidateErase(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	// The candidate must be the worker's before the box is looked at:
	// another worker gets "not found", never the form's problem.
	if _, err := p.cfg.Candidates.LoadOwn(ctxAs(c), candidates.ID(c.Params("id"))); err != nil {
		return err
	}
	if pg.Form.Get("confirm") != "yes" {
		return p.candidateFormError(c, pg, apperr.InvalidField("confirm", "tick the box: only the candidate can ask for an erasure"))
	}
	if _, err := p.cfg.Candidates.Erase(ctxAs(c), candidates.ID(c.Params("id"))); err != nil {
		return p.candidateFormError(c, pg, err)
	}
	return back(c, "/caseload", "The candidate is erased: their identity and profile are gone, and nobody can read them again.")
}

func (p *Pages) consentCreate(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	var f apperr.Fields
	level := number(&f, pg.Form, "level")
	if err := f.Err(); err != nil {
		return p.candidateFormError(c, pg, err)
	}
	id := candidates.ID(c.Params("id"))
	_, err := p.cfg.Candidates.GrantConsent(ctxAs(c), id, candidates.ConsentInput{EmployerID: pg.Form.Get("employer_id"), Level: level,
		Purpose: pg.Form.Get("purpose"), ExpiresAt: pg.Form.Get("expires_at")})
	if err != nil {
		return p.candidateFormError(c, pg, err)
	}
	return back(c, "/candidates/"+string(id)+"#consents", "Consent recorded.")
}

func (p *Pages) consentWithdraw(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	if _, err := p.cfg.Candidates.WithdrawConsent(ctxAs(c), id, c.Params("cid")); err != nil {
		return err
	}
	return back(c, "/candidates/"+string(id)+"#consents", "Consent withdrawn.")
}

func (p *Pages) conflictAdd(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	id := candidates.ID(c.Params("id"))
	_, err := p.cfg.Candidates.AddConflict(ctxAs(c), id, candidates.ConflictInput{EmployerID: pg.Form.Get("employer_id"), KvK: pg.Form.Get("kvk"), Reason: pg.Form.Get("reason")})
	if err != nil {
		return p.candidateFormError(c, pg, err)
	}
	return back(c, "/candidates/"+string(id)+"#conflicts", "Added to the conflict list.")
}

func (p *Pages) conflictRemove(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	if err := p.cfg.Candidates.RemoveConflict(ctxAs(c), id, c.Params("cid")); err != nil {
		return err
	}
	return back(c, "/candidates/"+string(id)+"#conflicts", "Removed from the conflict list.")
}

func (p *Pages) candidateVacancies(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	rec, err := p.cfg.Candidates.Get(ctxAs(c), id)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.Query("page", "1"))
	if page < 1 || page > 50 {
		page = 1
	}
	res, err := p.cfg.Matching.MatchesForCandidate(ctxAs(c), id, page, 20)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = struct {
		Rec   candidates.Record
		Page  any
		Next  int
		Prev  int
		Total int
	}{rec, res, nextPage(page, 20, res.Total), page - 1, res.Total}
	return p.render(c, fiber.StatusOK, "candidate_vacancies", pg)
}

func nextPage(page, per, total int) int {
	if page*per < total {
		return page + 1
	}
	return 0
}

func (p *Pages) propose(c *fiber.Ctx, pg *Page) error {
	id := c.Params("id")
	in, err := p.cfg.Placements.Create(ctxAs(c), placements.CreateInput{CandidateID: id, VacancyID: c.FormValue("vacancy_id")})
	if err != nil {
		return err
	}
	return back(c, "/introductions/"+in.ID, "Proposed to the employer.")
}

func (p *Pages) disclosures(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	rows, err := p.disclosureRows(c, pg, id)
	if err != nil {
		return err
	}
	pg.Data = struct {
		ID    candidates.ID
		Items []disclosureRow
	}{id, rows}
	return p.render(c, fiber.StatusOK, "disclosures", pg)
}

// disclosureRow is one line of the disclosure log as a person reads it: the
// employer and the user by name, what was shown in words.
type disclosureRow struct {
	At                      time.Time
	What, Employer, Level   string
	Shown, By, Role, Action string
}

// disclosureRows reads the candidate's disclosure log (audited by the
// service) in plain words (disclosureRowsOf).
func (p *Pages) disclosureRows(c *fiber.Ctx, pg *Page, id candidates.ID) ([]disclosureRow, error) {
	log, err := p.cfg.Candidates.DisclosureLog(ctxAs(c), id)
	if err != nil {
		return nil, err
	}
	return p.disclosureRowsOf(c, pg, log)
}

// disclosureRowsOf puts a disclosure log in plain words: names for the
// employer and the user who read or recorded, the fields in words, in the
// page's language. The names are the recipients' own (GDPR art. 15 gives
// the candidate the right to know them); an employer that no longer
// resolves is shown by its id, an account as "een verwijderd account".
func (p *Pages) disclosureRowsOf(c *fiber.Ctx, pg *Page, log []candidates.DisclosureEntry) ([]disclosureRow, error) {
	ctx := ctxAs(c)
	employerNames := map[string]string{}
	employerName := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := employerNames[id]; ok {
			return n
		}
		n := id
		if e, err := p.cfg.Employers.Load(ctx, employers.ID(id)); err == nil {
			n = e.Name
		}
		employerNames[id] = n
		return n
	}
	partnerNames := map[string]string{}
	partnerName := func(id string) string {
		if n, ok := partnerNames[id]; ok {
			return n
		}
		n := p.cfg.Circles.Name(ctx, id)
		if n == "" {
			n = id
		}
		partnerNames[id] = n
		return n
	}
	by := make([]string, 0, len(log))
	for _, e := range log {
		by = append(by, e.By)
	}
	userNames, err := p.userNames(c, by...)
	if err != nil {
		return nil, err
	}
	userName := func(id string) string { return pg.Who(userNames, id) }
	rows := make([]disclosureRow, 0, len(log))
	for _, e := range log {
		var shown []string
		for _, f := range strings.Split(e.Fields, ",") {
			if f = strings.TrimSpace(f); f != "" {
				shown = append(shown, pg.L("shown", f))
			}
		}
		what := pg.L("disclosure", e.What)
		if state, ok := strings.CutPrefix(e.What, "introduction_"); ok {
			what = pg.T("introduction: %s", pg.L("intro", state))
		}
		if e.Purpose == "mentoring" {
			what = pg.T("shown to the mentor")
		}
		org := employerName(e.Employer)
		if e.Partner != "" {
			org = partnerName(e.Partner)
			if e.What == "disclosed" {
				what = pg.T("shown to a partner in the circle")
			}
		}
		rows = append(rows, disclosureRow{At: e.At, What: what, Employer: org, Level: e.Level,
			Shown: strings.Join(shown, ", "), By: userName(e.By), Role: pg.L("role", e.Role)})
	}
	return rows, nil
}

// disclosuresCSV is the disclosure log as the candidate may be handed it:
// the same plain words as the page, in its language (the API keeps the
// codes, for machines).
func (p *Pages) disclosuresCSV(c *fiber.Ctx, pg *Page) error {
	id := candidates.ID(c.Params("id"))
	rows, err := p.disclosureRows(c, pg, id)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{pg.T("When"), pg.T("What"), pg.T("Employer"), pg.T("Level"), pg.T("Fields shown"), pg.T("By"), pg.T("Role")})
	for _, r := range rows {
		_ = w.Write(csvcell.Row([]string{r.At.Local().Format("2006-01-02 15:04"), r.What, r.Employer, r.Level, r.Shown, r.By, r.Role}))
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="inzagelog-`+string(id)+`.csv"`)
	return c.Send(b.Bytes())
}

func (p *Pages) escalations(c *fiber.Ctx, pg *Page) error {
	data, err := p.escalationData(c)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = data
	return p.render(c, fiber.StatusOK, "escalations", pg)
}

// escalationData is the escalations with the names a person needs: the
// candidate's (for their own probation worker; a coordinator sees none)
// and the mentor's.
func (p *Pages) escalationData(c *fiber.Ctx) (any, error) {
	ctx := ctxAs(c)
	list, err := p.cfg.Placements.Escalations(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if a, err := users.ActorFrom(ctx); err == nil && a.Is(users.ProbationWorker) && len(list) > 0 {
		cands, err := p.cfg.Candidates.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range cands {
			names[string(s.ID)] = s.DisplayName
		}
	}
	for _, e := range list {
		if _, done := names[e.MentorID]; e.MentorID == "" || done {
			continue
		}
		if u, err := p.cfg.Users.Load(ctx, users.ID(e.MentorID)); err == nil && u.Name != "" {
			names[e.MentorID] = u.Name
		}
	}
	return struct {
		Items []placements.EscalationSummary
		Names map[string]string
	}{list, names}, nil
}

func (p *Pages) escalationStep(c *fiber.Ctx, pg *Page) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.Errorf(apperr.NotFound, "Escalation not found.")
	}
	pid := c.Params("pid")
	switch c.Params("action") {
	case "acknowledge":
		_, err = p.cfg.Placements.Acknowledge(ctxAs(c), pid, n)
	case "close":
		_, err = p.cfg.Placements.Close(ctxAs(c), pid, n, placements.EscalationInput{Action: c.FormValue("action")})
	default:
		return apperr.Errorf(apperr.NotFound, "No such route.")
	}
	if err != nil {
		pg.Form = formOf(c)
		pg.Form.Set("for", pid+"/"+c.Params("n")) // which escalation's form the problem is beside
		return p.invalidAgain(c, err, "escalations", pg, func() (any, error) { return p.escalationData(c) })
	}
	return back(c, "/escalations", "Escalation updated.")
}
