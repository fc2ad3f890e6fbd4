package frontend

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/users"
)

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
			b.WriteString(template.HTMLEscapeString(p.cfg.Places.Label(pl)))
			b.WriteString(`">`)
			b.WriteString(template.HTMLEscapeString(pl.Name + " (" + places.ProvinceName(pl.Province) + ")"))
			b.WriteString("</option>")
		}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(b.String())
}

// userNames names the accounts ids name, for the pages that show who
// approved, decided or read; an id that names no account any more is left
// out, and the page says so in words ("whoName"), never with the id.
func (p *Pages) userNames(c *fiber.Ctx, ids ...string) (map[string]string, error) {
	uids := make([]users.ID, 0, len(ids))
	for _, id := range ids {
		uids = append(uids, users.ID(id))
	}
	got, err := p.cfg.Users.Names(ctxAs(c), uids...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(got))
	for id, n := range got {
		out[string(id)] = n
	}
	return out, nil
}
