package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// handleCandidateInvite handles POST /api/v1/candidates/{id}/account (the
// candidate's worker): an invitation to a page of their own, by mail or
// with a login and a one-time link to print.
func (s *Server) handleCandidateInvite(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.ProbationWorker); err != nil {
		return err
	}
	var req candidates.InviteInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	in, err := s.cfg.Candidates.Invite(c.UserContext(), candidates.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	if in.ByMail {
		return c.Status(fiber.StatusAccepted).JSON(in)
	}
	in.Link = s.cfg.Mail.Link(in.Link)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(in)
}

type selfResponse struct {
	candidates.SelfView
	placements.Mine
	Circle []circles.SelfMember `json:"circle"` // the partners in their circle, each with its consent
}

// handleSelf handles GET /api/v1/self (candidates): their own card as
// employers see it, what each level adds, who saw what, their
// introductions and coming check-ins.
func (s *Server) handleSelf(c *fiber.Ctx) error {
	v, err := s.cfg.Candidates.Self(c.UserContext())
	if err != nil {
		return err
	}
	m, err := s.cfg.Placements.Mine(c.UserContext())
	if err != nil {
		return err
	}
	k, err := s.cfg.Circles.Self(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(selfResponse{SelfView: v, Mine: m, Circle: k})
}

// handleSelfConfirm handles POST /api/v1/self/confirm-availability
// (candidates): "I am still available".
func (s *Server) handleSelfConfirm(c *fiber.Ctx) error {
	r, err := s.cfg.Candidates.ConfirmSelf(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": r.Status, "confirmed_at": r.ConfirmedAt})
}

// handleSelfWithdraw handles POST /api/v1/self/consents/{cid}/withdraw
// (candidates).
func (s *Server) handleSelfWithdraw(c *fiber.Ctx) error {
	k, err := s.cfg.Candidates.WithdrawOwn(c.UserContext(), c.Params("cid"))
	if err != nil {
		return err
	}
	return c.JSON(k)
}

// handleSelfShareContact handles POST
// /api/v1/self/placements/{id}/share-contact (candidates): the employer of
// their active placement may see their contact details (level 2).
func (s *Server) handleSelfShareContact(c *fiber.Ctx) error {
	k, err := s.cfg.Placements.ShareContact(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(k)
}
