package frontend

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/web"
)

// The pages of the one-time links (signed out): an invitation to choose a
// password, a request for a reset link, and the reset itself.

// forgotForm asks for the address to send a reset link to.
func (p *Pages) forgotForm(c *fiber.Ctx, pg *Page) error {
	return p.render(c, fiber.StatusOK, "password_forgot", pg)
}

// forgotSend asks for the link; the answer is the same whether or not an
// account has the address.
func (p *Pages) forgotSend(c *fiber.Ctx, pg *Page) error {
	pg.Form = formOf(c)
	err := p.cfg.Users.RequestReset(ctxAs(c), pg.Form.Get("email"), p.web.ClientIP(c))
	if apperr.Is(err, apperr.TooManyRequests) {
		status, d := web.Describe(err, pg.Lang)
		pg.Flash = d.Message
		return p.render(c, status, "password_forgot", pg)
	}
	if err != nil {
		return p.invalid(c, err, "password_forgot", pg)
	}
	pg.Data = true // asked
	return p.render(c, fiber.StatusOK, "password_forgot", pg)
}

// linkForm shows the form of a link's page: choose a password.
func (p *Pages) linkForm(c *fiber.Ctx, pg *Page, name string) error {
	pg.Form.Set("code", c.Query("code"))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer") // the code stays on this page
	pg.Data = linkPage{}
	if name == "invitation" {
		info, err := p.cfg.Users.CheckInvitation(ctxAs(c), c.Query("code"))
		if err != nil {
			pg.Data = linkPage{Gone: true}
			return p.render(c, fiber.StatusOK, name, pg)
		}
		pg.Data = linkPage{Name: info.Name, Email: info.Email}
	}
	return p.render(c, fiber.StatusOK, name, pg)
}

type linkPage struct {
	Gone        bool
	Name, Email string
}

func (p *Pages) invitationForm(c *fiber.Ctx, pg *Page) error { return p.linkForm(c, pg, "invitation") }
func (p *Pages) resetForm(c *fiber.Ctx, pg *Page) error      { return p.linkForm(c, pg, "password_reset") }

// linkUse sets the password with the link's code.
func (p *Pages) linkUse(c *fiber.Ctx, pg *Page, name string) error {
	pg.Form = formOf(c)
	f := pg.Form
	pg.Data = linkPage{}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if f.Get("password") != f.Get("password_again") {
		pg.Errors["password_again"] = pg.T("is not the same as the password")
		pg.Flash = pg.T("Please correct the fields marked below.")
		return p.render(c, fiber.StatusUnprocessableEntity, name, pg)
	}
	var err error
	if name == "invitation" {
		_, err = p.cfg.Users.AcceptInvitation(ctxAs(c), f.Get("code"), f.Get("password"))
	} else {
		_, err = p.cfg.Users.ResetWithLink(ctxAs(c), f.Get("code"), f.Get("password"))
	}
	if _, gone := apperr.FieldsOf(err)["code"]; gone {
		pg.Data = linkPage{Gone: true}
		return p.render(c, fiber.StatusUnprocessableEntity, name, pg)
	}
	if err != nil {
		f.Del("password")
		f.Del("password_again")
		return p.invalid(c, err, name, pg)
	}
	return back(c, "/", "Your password is set. Sign in with it.")
}

func (p *Pages) invitationAccept(c *fiber.Ctx, pg *Page) error { return p.linkUse(c, pg, "invitation") }
func (p *Pages) resetUse(c *fiber.Ctx, pg *Page) error         { return p.linkUse(c, pg, "password_reset") }
