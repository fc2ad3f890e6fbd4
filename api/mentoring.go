package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/placements"
)

// num reads a positive whole path parameter; anything else is not found.
func num(c *fiber.Ctx, name string) (int, error) {
	n, err := strconv.Atoi(c.Params(name))
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, apperr.Errorf(apperr.NotFound, "Not found.")
	}
	return n, nil
}

// respond answers v with status (or the error).
func respond[T any](c *fiber.Ctx, status int, v T, err error) error {
	if err != nil {
		return err
	}
	return c.Status(status).JSON(v)
}

// handleCheckIn handles POST /api/v1/placements/{id}/checkins (the mentor).
func (s *Server) handleCheckIn(c *fiber.Ctx) error {
	var req placements.CheckInInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.RecordCheckIn(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleCheckInEdit handles PUT /api/v1/placements/{id}/checkins/{n}.
func (s *Server) handleCheckInEdit(c *fiber.Ctx) error {
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	var req placements.CheckInInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.EditCheckIn(c.UserContext(), c.Params("id"), n, req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleNote handles POST /api/v1/placements/{id}/workplace-notes (the employer).
func (s *Server) handleNote(c *fiber.Ctx) error {
	var req placements.NoteInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.AddNote(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleEscalationStep handles POST /api/v1/placements/{id}/escalations/{n}/{acknowledge|close}.
func (s *Server) handleEscalationStep(c *fiber.Ctx) error {
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	switch c.Params("action") {
	case "acknowledge":
		v, err := s.cfg.Placements.Acknowledge(c.UserContext(), c.Params("id"), n)
		return respond(c, fiber.StatusOK, v, err)
	case "close":
		var req placements.EscalationInput
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
		v, err := s.cfg.Placements.Close(c.UserContext(), c.Params("id"), n, req)
		return respond(c, fiber.StatusOK, v, err)
	}
	return apperr.Errorf(apperr.NotFound, "Not found.")
}

type escalationListResponse struct {
	Items []placements.EscalationSummary `json:"items"`
	Total int                            `json:"total"`
}

// handleEscalations handles GET /api/v1/escalations (a worker's caseload's,
// or all for coordinators).
func (s *Server) handleEscalations(c *fiber.Ctx) error {
	l, err := s.cfg.Placements.Escalations(c.UserContext())
	return respond(c, fiber.StatusOK, escalationListResponse{Items: l, Total: len(l)}, err)
}

// handleAgenda handles GET /api/v1/agenda (a mentor's).
func (s *Server) handleAgenda(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.Agenda(c.UserContext())
	return respond(c, fiber.StatusOK, v, err)
}

// handleReport handles GET /api/v1/reports/placements.
func (s *Server) handleReport(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.Report(c.UserContext())
	return respond(c, fiber.StatusOK, v, err)
}

// handleTemplateGet handles GET /api/v1/checkin-templates/{name}.
func (s *Server) handleTemplateGet(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.Template(c.UserContext(), c.Params("name"))
	return respond(c, fiber.StatusOK, v, err)
}

// handleTemplatePut handles PUT /api/v1/checkin-templates/{name} (coordinators).
func (s *Server) handleTemplatePut(c *fiber.Ctx) error {
	var req placements.TemplateInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.SetTemplate(c.UserContext(), c.Params("name"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleGuarantee handles POST /api/v1/placements/{id}/guarantees (coordinators).
func (s *Server) handleGuarantee(c *fiber.Ctx) error {
	var req placements.GuaranteeInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.AddGuarantee(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleClaim handles POST /api/v1/placements/{id}/guarantees/{g}/claims (the employer).
func (s *Server) handleClaim(c *fiber.Ctx) error {
	g, err := num(c, "g")
	if err != nil {
		return err
	}
	var req placements.ClaimInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.FileClaim(c.UserContext(), c.Params("id"), g, req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleClaimDecision handles POST /api/v1/placements/{id}/guarantees/{g}/claims/{n}/{approve|reject}.
func (s *Server) handleClaimDecision(c *fiber.Ctx) error {
	g, err := num(c, "g")
	if err != nil {
		return err
	}
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	switch c.Params("action") {
	case "approve":
		v, err := s.cfg.Placements.ApproveClaim(c.UserContext(), c.Params("id"), g, n)
		return respond(c, fiber.StatusOK, v, err)
	case "reject":
		var req placements.DecisionInput
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
		v, err := s.cfg.Placements.RejectClaim(c.UserContext(), c.Params("id"), g, n, req)
		return respond(c, fiber.StatusOK, v, err)
	}
	return apperr.Errorf(apperr.NotFound, "Not found.")
}
