package frontend

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// home is the sign-in page for someone signed out, their start page for
// someone signed in.
func (p *Pages) home(c *fiber.Ctx, pg *Page) error {
	if pg.User != nil {
		return c.Redirect(startPage(pg.User.Role), fiber.StatusSeeOther)
	}
	flashOf(c, pg)
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
