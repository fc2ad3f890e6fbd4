package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// handleUserList handles GET /api/v1/users (coordinators): the accounts,
// filtered by role and organisation.
func (s *Server) handleUserList(c *fiber.Ctx) error {
	list, err := s.cfg.Users.Accounts(c.UserContext(), users.Role(c.Query("role")), c.Query("employer_id"))
	if err != nil {
		return err
	}
	out := make([]userResponse, len(list))
	for i, u := range list {
		out[i] = newUserResponse(u)
	}
	return c.JSON(fiber.Map{"items": out})
}

type invitationRequest struct {
	By string `json:"by"`
}

type invitationResponse struct {
	By        string     `json:"by"`
	Link      string     `json:"link,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// handleUserInvite handles POST /api/v1/users/{id}/invitation
// (coordinators): a new invitation by mail, or a link to hand over in
// person, shown once.
func (s *Server) handleUserInvite(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	var req invitationRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	id := users.ID(c.Params("id"))
	switch req.By {
	case "mail":
		if err := s.cfg.Users.Invite(c.UserContext(), id); err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(invitationResponse{By: "mail"})
	case "link":
		link, until, err := s.cfg.Users.InvitationLink(c.UserContext(), id)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(invitationResponse{By: "link", Link: s.cfg.Mail.Link(link), ExpiresAt: &until})
	case "":
		return apperr.InvalidField("by", "is required")
	default:
		return apperr.InvalidField("by", "must be mail or link")
	}
}

type activeRequest struct {
	Active *bool `json:"active"`
}

// handleUserActive handles POST /api/v1/users/{id}/active (coordinators):
// deactivate an account (its sessions end at once) or activate it again.
func (s *Server) handleUserActive(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	var req activeRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if req.Active == nil {
		return apperr.InvalidField("active", "is required")
	}
	u, err := s.cfg.Users.SetDisabled(c.UserContext(), users.ID(c.Params("id")), !*req.Active)
	if err != nil {
		return err
	}
	return c.JSON(newUserResponse(u))
}

// handleUserTOTPReset handles POST /api/v1/users/{id}/totp-reset
// (coordinators): the account's second factor is removed.
func (s *Server) handleUserTOTPReset(c *fiber.Ctx) error {
	u, err := s.cfg.Users.ResetTOTP(c.UserContext(), users.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(newUserResponse(u))
}

type linkUseRequest struct {
	Code     string `json:"code"`
	Password string `json:"password"`
}

// handleInvitationAccept handles POST /api/v1/auth/invitation: an invited
// person chooses their password with the link's code.
func (s *Server) handleInvitationAccept(c *fiber.Ctx) error {
	var req linkUseRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if _, err := s.cfg.Users.AcceptInvitation(c.UserContext(), req.Code, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type resetRequest struct {
	Email string `json:"email"`
}

// resetAnswer is the one answer to a reset request, whether or not an
// account has the address.
const resetAnswer = "If an account has this address, a mail with a link is on its way."

// handleResetRequest handles POST /api/v1/auth/password-reset.
func (s *Server) handleResetRequest(c *fiber.Ctx) error {
	var req resetRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.cfg.Users.RequestReset(c.UserContext(), req.Email, s.web.ClientIP(c)); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": resetAnswer})
}

// handleResetConfirm handles POST /api/v1/auth/password-reset/confirm: a
// new password with the reset link's code; every session ends.
func (s *Server) handleResetConfirm(c *fiber.Ctx) error {
	var req linkUseRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if _, err := s.cfg.Users.ResetWithLink(c.UserContext(), req.Code, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleMailList handles GET /api/v1/mail (coordinators): the outbox of
// mail, newest first, without texts.
func (s *Server) handleMailList(c *fiber.Ctx) error {
	list, err := s.cfg.Mail.List(c.UserContext(), 200)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"configured": s.cfg.Mail.Configured(), "items": list})
}
