package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/web"
)

// handleInbox handles GET /api/v1/inbox: the caller's messages, newest
// first, with the unread count, in the caller's language.
func (s *Server) handleInbox(c *fiber.Ctx) error {
	p, err := s.cfg.Inbox.List(c.UserContext())
	if err != nil {
		return err
	}
	lang := web.LangOf(c)
	for i := range p.Items {
		p.Items[i].Text = web.Translate(lang, p.Items[i].Text)
	}
	return c.JSON(p)
}

// handleInboxRead handles POST /api/v1/inbox/{id}/read and
// POST /api/v1/inbox/read (all).
func (s *Server) handleInboxRead(c *fiber.Ctx) error {
	if err := s.cfg.Inbox.MarkRead(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
