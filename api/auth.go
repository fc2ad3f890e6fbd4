package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Role      string    `json:"role"`
	UserID    string    `json:"user_id"`
}

// handleTokenCreate handles POST /api/v1/auth/token.
func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	sess, err := s.cfg.Users.Login(c.UserContext(), users.Credentials{Email: req.Email, Password: req.Password, TOTP: req.TOTP, IP: s.web.ClientIP(c)}, false)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tokenResponse{Token: sess.Token, ExpiresAt: sess.ExpiresAt, Role: string(sess.Role), UserID: string(sess.UserID)})
}

// handleTokenRevoke handles DELETE /api/v1/auth/token: the presented token
// stops working.
func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	if _, err := users.ActorFrom(c.UserContext()); err != nil {
		return err
	}
	tok := web.Token(c)
	if err := s.cfg.Users.Logout(c.UserContext(), tok); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type sessionResponse struct {
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
	Role      string    `json:"role"`
	UserID    string    `json:"user_id"`
}

// handleSessionCreate handles POST /api/v1/auth/session: a web login that
// sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token
// that unsafe requests must echo in X-CSRF-Token.
func (s *Server) handleSessionCreate(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	sess, err := s.cfg.Users.Login(c.UserContext(), users.Credentials{Email: req.Email, Password: req.Password, TOTP: req.TOTP, IP: s.web.ClientIP(c)}, true)
	if err != nil {
		return err
	}
	s.web.SetSession(c, sess)
	return c.Status(fiber.StatusCreated).JSON(sessionResponse{CSRFToken: sess.CSRF, ExpiresAt: sess.ExpiresAt, Role: string(sess.Role), UserID: string(sess.UserID)})
}

// handleSessionDelete handles DELETE /api/v1/auth/session (sign out).
func (s *Server) handleSessionDelete(c *fiber.Ctx) error {
	if tok := web.Token(c); tok != "" {
		if err := s.cfg.Users.Logout(c.UserContext(), tok); err != nil {
			return err
		}
	}
	web.ClearSession(c)
	return c.SendStatus(fiber.StatusNoContent)
}

type totpBeginResponse struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// handleTOTPBegin handles POST /api/v1/auth/totp.
func (s *Server) handleTOTPBegin(c *fiber.Ctx) error {
	e, err := s.cfg.Users.BeginTOTP(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(totpBeginResponse{Secret: e.Secret, URL: e.URL})
}

type totpConfirmRequest struct {
	Code string `json:"code"`
}

// handleTOTPConfirm handles POST /api/v1/auth/totp/confirm.
func (s *Server) handleTOTPConfirm(c *fiber.Ctx) error {
	var req totpConfirmRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.cfg.Users.ConfirmTOTP(c.UserContext(), req.Code); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"totp_enabled": true})
}

type userResponse struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	EmployerID  string    `json:"employer_id,omitempty"`
	PartnerID   string    `json:"partner_id,omitempty"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
	Active      bool      `json:"active"`
	Invited     bool      `json:"invited"` // has not chosen a password yet
}

func newUserResponse(u users.User) userResponse {
	return userResponse{ID: string(u.ID), Email: u.Email, Name: u.Name, Role: string(u.Role), EmployerID: u.EmployerID, PartnerID: u.PartnerID, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt,
		Active: !u.Disabled, Invited: u.Invited}
}

// handleMe handles GET /api/v1/users/me.
func (s *Server) handleMe(c *fiber.Ctx) error {
	u, err := s.cfg.Users.Me(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(newUserResponse(u))
}

type createUserRequest struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	Password   string `json:"password"`
	Role       string `json:"role"`
	EmployerID string `json:"employer_id"`
}

// handleUserCreate handles POST /api/v1/users (coordinators).
func (s *Server) handleUserCreate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err // before decoding: nobody else learns what the body should be
	}
	var req createUserRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	u, err := s.cfg.Users.Create(c.UserContext(), users.NewUser{Email: req.Email, Name: req.Name, Password: req.Password, Role: users.Role(req.Role), EmployerID: req.EmployerID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newUserResponse(u))
}
