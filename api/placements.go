package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/placements"
)

// handleIntroductionCreate handles POST /api/v1/introductions: a probation
// worker proposes a candidate for a vacancy, or an employer asks to meet a
// candidate found in search.
func (s *Server) handleIntroductionCreate(c *fiber.Ctx) error {
	var req placements.CreateInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.Create(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/introductions/" + v.ID)
	return c.Status(fiber.StatusCreated).JSON(v)
}

type introductionListResponse struct {
	Items []placements.IntroductionSummary `json:"items"`
	Total int                              `json:"total"`
}

// handleIntroductionList handles GET /api/v1/introductions (the caller's).
func (s *Server) handleIntroductionList(c *fiber.Ctx) error {
	list, err := s.cfg.Placements.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(introductionListResponse{Items: list, Total: len(list)})
}

// handleIntroductionGet handles GET /api/v1/introductions/{id}.
func (s *Server) handleIntroductionGet(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleIntroductionStep handles POST /api/v1/introductions/{id}/{action};
// the body is optional for steps that need nothing (interested).
func (s *Server) handleIntroductionStep(c *fiber.Ctx) error {
	var req placements.TransitionInput
	if len(c.Body()) > 0 {
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
	}
	v, err := s.cfg.Placements.Transition(c.UserContext(), c.Params("id"), placements.Action(c.Params("action")), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type placementListResponse struct {
	Items []placements.PlacementSummary `json:"items"`
	Total int                           `json:"total"`
}

// handlePlacementList handles GET /api/v1/placements (the caller's: a
// mentor's assigned ones, an employer's, a probation worker's caseload's).
func (s *Server) handlePlacementList(c *fiber.Ctx) error {
	list, err := s.cfg.Placements.ListPlacements(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(placementListResponse{Items: list, Total: len(list)})
}

// handlePlacementGet handles GET /api/v1/placements/{id}.
func (s *Server) handlePlacementGet(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.GetPlacement(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handlePlacementParties handles GET /api/v1/placements/{id}/parties.
func (s *Server) handlePlacementParties(c *fiber.Ctx) error {
	v, err := s.cfg.Placements.Parties(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handlePlacementMentor handles POST /api/v1/placements/{id}/mentor.
func (s *Server) handlePlacementMentor(c *fiber.Ctx) error {
	var req placements.MentorInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.AssignMentor(c.UserContext(), c.Params("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handlePlacementEnd handles POST /api/v1/placements/{id}/end.
func (s *Server) handlePlacementEnd(c *fiber.Ctx) error {
	var req placements.EndInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Placements.End(c.UserContext(), c.Params("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
