package frontend

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

func (p *Pages) routes(app *fiber.App) {
	app.Get("/", p.handler("Sign in", p.home))
	app.Post("/signin", p.handler("Sign in", p.signIn))
	app.Post("/signout", p.signOut)
	app.Post("/lang", p.handler("", p.setLang))
	app.Get("/setup", p.handler("Set up Herstart", p.setupForm))
	app.Post("/setup", p.handler("Set up Herstart", p.setupCreate))
	app.Get("/apply", p.handler("Apply as an employer", p.applyForm))
	app.Post("/apply", p.handler("Apply as an employer", p.applyCreate))
	app.Get("/inbox", p.handler("Messages", p.inboxPage))
	app.Post("/inbox/read", p.handler("Messages", p.inboxRead))
	app.Get("/places", p.handler("", p.placeOptions))

	// Probation worker.
	app.Get("/caseload", p.handler("Caseload", p.caseload))
	app.Get("/candidates/new", p.handler("Register a candidate", p.candidateNew))
	app.Get("/candidates/import", p.handler("Import candidates", p.importForm))
	app.Post("/candidates/import", p.handler("Import candidates", p.importStart))
	app.Post("/candidates/new", p.handler("Register a candidate", p.candidateCreate))
	app.Get("/candidates/:id", p.handler("Candidate", p.candidatePage))
	app.Get("/candidates/:id/edit", p.handler("Edit candidate", p.candidateEdit))
	app.Post("/candidates/:id/edit", p.handler("Edit candidate", p.candidateUpdate))
	app.Post("/candidates/:id/confirm", p.handler("Caseload", p.candidateConfirm))
	app.Post("/candidates/:id/consents", p.handler("Candidate", p.consentCreate))
	app.Post("/candidates/:id/consents/:cid/withdraw", p.handler("Candidate", p.consentWithdraw))
	app.Post("/candidates/:id/conflicts", p.handler("Candidate", p.conflictAdd))
	app.Post("/candidates/:id/conflicts/:cid/remove", p.handler("Candidate", p.conflictRemove))
	app.Get("/candidates/:id/vacancies", p.handler("Vacancies for this candidate", p.candidateVacancies))
	app.Post("/candidates/:id/propose", p.handler("Vacancies for this candidate", p.propose))
	app.Get("/candidates/:id/disclosures", p.handler("Disclosure log", p.disclosures))
	app.Get("/candidates/:id/disclosures.csv", p.handler("Disclosure log", p.disclosuresCSV))
	app.Get("/escalations", p.handler("Escalations", p.escalations))
	app.Post("/escalations/:pid/:n/:action", p.handler("Escalations", p.escalationStep))

	// Shared by the roles of an introduction.
	app.Get("/introductions", p.handler("Introductions", p.introductions))
	app.Get("/introductions/:id", p.handler("Introduction", p.introduction))
	app.Post("/introductions/:id/:action", p.handler("Introduction", p.introductionStep))

	// Employer.
	app.Get("/employer", p.handler("Overview", p.employerHome))
	app.Get("/vacancies/new", p.handler("New vacancy", p.vacancyNew))
	app.Post("/vacancies/new", p.handler("New vacancy", p.vacancyCreate))
	app.Post("/vacancies/:id/close", p.handler("Overview", p.vacancyClose))
	app.Get("/search", p.handler("Find candidates", p.search))
	app.Get("/cards/:id", p.handler("Candidate", p.card))
	app.Post("/cards/:id/interest", p.handler("Candidate", p.interest))
	app.Post("/payout-account", p.handler("Overview", p.payoutAccount))

	// Placements: employer, mentor, worker and coordinator, each their part.
	app.Get("/placements", p.handler("Placements", p.placementsList))
	app.Get("/placements/:id", p.handler("Placement", p.placementPage))
	app.Get("/placements/:id/checkin", p.handler("Log a check-in", p.checkInForm))
	app.Post("/placements/:id/checkin", p.handler("Log a check-in", p.checkInCreate))
	app.Post("/placements/:id/notes", p.handler("Placement", p.noteCreate))
	app.Post("/placements/:id/claims", p.handler("Placement", p.claimCreate))
	app.Post("/placements/:id/mentor", p.handler("Placement", p.mentorAssign))
	app.Post("/placements/:id/guarantees", p.handler("Placement", p.guaranteeCreate))
	app.Post("/placements/:id/schemes", p.handler("Placement", p.schemeAttach))
	app.Post("/placements/:id/end", p.handler("Placement", p.placementEnd))
	app.Post("/placements/:id/claims/:g/:n/:action", p.handler("Placement", p.claimDecide))

	// Mentor.
	app.Get("/agenda", p.handler("Check-ins", p.agenda))

	// Coordinator.
	app.Get("/dashboard", p.handler("Dashboard", p.dashboard))
	app.Get("/vetting", p.handler("Vetting", p.vettingQueue))
	app.Get("/vetting/:id", p.handler("Vetting", p.vettingPage))
	app.Post("/vetting/:id/checklist", p.handler("Vetting", p.vettingChecklist))
	app.Post("/vetting/:id/concerns", p.handler("Vetting", p.vettingConcern))
	app.Post("/vetting/:id/:action", p.handler("Vetting", p.vettingStep))
	app.Get("/payouts", p.handler("Payouts", p.payouts))
	app.Post("/payouts/:id/approve", p.handler("Payouts", p.payoutApprove))
	app.Post("/sepa-exports", p.handler("Payouts", p.exportCreate))
	app.Get("/sepa-exports/:id", p.handler("Payouts", p.exportFile))
	app.Get("/schemes", p.handler("Schemes", p.schemes))
	app.Post("/schemes", p.handler("Schemes", p.schemeCreate))
	app.Get("/audit", p.handler("Audit log", p.auditLog))
	app.Get("/accounts", p.handler("Accounts", p.accounts))
	app.Post("/accounts", p.handler("Accounts", p.accountCreate))
	app.Post("/reindex", p.handler("Dashboard", p.reindexStart))
	app.Get("/jobs/:id", p.handler("Work in progress", p.jobPage))
}

// home is the sign-in page for someone signed out, their start page for
// someone signed in.
func (p *Pages) home(c *fiber.Ctx, pg *Page) error {
	if pg.User != nil {
		return c.Redirect(startPage(pg.User.Role), fiber.StatusSeeOther)
	}
	return p.signInPage(c, pg, fiber.StatusOK)
}

func (p *Pages) signInPage(c *fiber.Ctx, pg *Page, status int) error {
	pre := c.Cookies(preCookie)
	if len(pre) != 32 {
		pre = randomToken()
		c.Cookie(&fiber.Cookie{Name: preCookie, Value: pre, Path: "/", HTTPOnly: true, Secure: !p.web.CookieInsecure(), SameSite: fiber.CookieSameSiteStrictMode})
	}
	pg.CSRF = pre
	if pg.Form.Get("next") == "" {
		pg.Form.Set("next", c.Query("next"))
	}
	return p.render(c, status, "signin", pg)
}

// localPath is next when it is a path of this site, else "".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func (p *Pages) signIn(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	pre := c.Cookies(preCookie)
	if pre == "" || c.FormValue(web.CSRFField) != pre {
		pg.Flash = pg.T("The form has expired. Reload the page and try again.")
		return p.signInPage(c, pg, fiber.StatusForbidden)
	}
	sess, err := p.cfg.Users.Login(ctxAs(c), users.Credentials{Email: pg.Form.Get("email"), Password: pg.Form.Get("password"), TOTP: pg.Form.Get("totp"), IP: p.web.ClientIP(c)}, true)
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.TooManyRequests) || apperr.Is(err, apperr.Invalid) {
			status, d := web.Describe(err, pg.Lang)
			pg.Flash = d.Message
			pg.Form.Del("password")
			return p.signInPage(c, pg, status)
		}
		return err
	}
	p.web.SetSession(c, sess)
	c.ClearCookie(preCookie)
	to := localPath(pg.Form.Get("next"))
	if to == "" || to == "/" {
		to = startPage(sess.Role)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (p *Pages) signOut(c *fiber.Ctx) error {
	if tok := web.Token(c); tok != "" {
		if err := p.cfg.Users.Logout(ctxAs(c), tok); err != nil {
			return err
		}
	}
	web.ClearSession(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

// setLang remembers the chosen language: on the account when signed in,
// in a cookie always (the sign-in page is before any account).
func (p *Pages) setLang(c *fiber.Ctx, pg *Page) error {
	lang := c.FormValue("lang")
	if lang != "nl" && lang != "en" {
		return apperr.InvalidField("lang", "must be nl or en")
	}
	if pg.User != nil {
		if err := p.cfg.Users.SetLanguage(ctxAs(c), lang); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true, Secure: !p.web.CookieInsecure(), SameSite: fiber.CookieSameSiteLaxMode})
	to := localPath(c.FormValue("back"))
	if to == "" {
		to = "/"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// setupForm is the first run's page for creating the first coordinator.
func (p *Pages) setupForm(c *fiber.Ctx, pg *Page) error {
	tok := c.Query("token")
	if !p.cfg.Setup.valid(tok) {
		return apperr.Errorf(apperr.NotFound, "This setup link is not valid (any more).")
	}
	pg.Form.Set("token", tok)
	return p.render(c, fiber.StatusOK, "setup", pg)
}

func (p *Pages) setupCreate(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	tok := pg.Form.Get("token")
	if !p.cfg.Setup.use(tok) {
		return apperr.Errorf(apperr.NotFound, "This setup link is not valid (any more).")
	}
	if pg.Form.Get("password") != pg.Form.Get("password_again") {
		p.cfg.Setup.release()
		pg.Errors["password_again"] = pg.T("is not the same as the password")
		pg.Flash = pg.T("Please correct the fields marked below.")
		return p.render(c, fiber.StatusUnprocessableEntity, "setup", pg)
	}
	created, err := p.cfg.Users.FirstCoordinator(ctxAs(c), pg.Form.Get("name"), pg.Form.Get("email"), pg.Form.Get("password"))
	if err != nil {
		p.cfg.Setup.release()
		return p.invalid(c, err, "setup", pg)
	}
	if !created {
		return apperr.Errorf(apperr.Conflict, "Herstart is set up already: sign in.")
	}
	sess, err := p.cfg.Users.Login(ctxAs(c), users.Credentials{Email: pg.Form.Get("email"), Password: pg.Form.Get("password"), IP: p.web.ClientIP(c)}, true)
	if err != nil {
		return err
	}
	p.web.SetSession(c, sess)
	return back(c, "/dashboard", "Welcome. You are the first coordinator: create the other accounts under Accounts.")
}

func (p *Pages) inboxPage(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c); err != nil {
		return err
	}
	box, err := p.cfg.Inbox.List(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = box
	return p.render(c, fiber.StatusOK, "inbox", pg)
}

func (p *Pages) inboxRead(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c); err != nil {
		return err
	}
	if err := p.cfg.Inbox.MarkRead(ctxAs(c), ""); err != nil {
		return err
	}
	return back(c, "/inbox", "All messages are marked as read.")
}

// placeOptions answers the place pickers (htmx): the options of a
// datalist for what was typed.
func (p *Pages) placeOptions(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c); err != nil {
		return err
	}
	// htmx sends the one field that asked, under its own name.
	q := ""
	for _, v := range c.Queries() {
		if v != "" {
			q = v
			break
		}
	}
	if len(q) > 60 {
		q = q[:60]
	}
	var b strings.Builder
	if p.cfg.Places != nil {
		for _, pl := range p.cfg.Places.Suggest(q, 12) {
			b.WriteString(`<option value="`)
			b.WriteString(template.HTMLEscapeString(pl.Name))
			b.WriteString(`">`)
			b.WriteString(template.HTMLEscapeString(pl.Name + " (" + places.ProvinceName(pl.Province) + ")"))
			b.WriteString("</option>")
		}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(b.String())
}
