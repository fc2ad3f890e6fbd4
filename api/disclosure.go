package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/subjectaccess"
)

// handleCardGet handles GET /api/v1/cards/{id}: a candidate as the acting
// (active) employer may see them, at the level consent and introduction
// allow; every read is recorded in the candidate's disclosure log.
func (s *Server) handleCardGet(c *fiber.Ctx) error {
	d, err := s.cfg.Candidates.ViewFor(c.UserContext(), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

type disclosureLogResponse struct {
	Items []candidates.DisclosureEntry `json:"items"`
}

// handleDisclosureLog handles GET /api/v1/candidates/{id}/disclosures
// (?format=csv for the file to hand to the candidate).
func (s *Server) handleDisclosureLog(c *fiber.Ctx) error {
	format := c.Query("format", "json")
	if format != "json" && format != "csv" {
		return &apperr.Error{Code: apperr.BadRequest, Message: "A query parameter is not valid.", Fields: map[string]string{"format": "must be json or csv"}}
	}
	log, err := s.cfg.Candidates.DisclosureLog(c.UserContext(), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="disclosures-`+c.Params("id")+`.csv"`)
		return c.Send(candidates.DisclosureCSV(log))
	}
	return c.JSON(disclosureLogResponse{Items: log})
}

// handleCandidateErase handles DELETE /api/v1/candidates/{id}: the
// candidate's erasure on their request (GDPR art. 17), by their worker;
// the answer is the erasure's record (what was kept, and why).
func (s *Server) handleCandidateErase(c *fiber.Ctx) error {
	e, err := s.cfg.Candidates.Erase(c.UserContext(), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// handleCandidateExport handles GET /api/v1/candidates/{id}/export: all
// that is held about the candidate (GDPR art. 15), for their worker.
func (s *Server) handleCandidateExport(c *fiber.Ctx) error {
	x, err := subjectaccess.Of(c.UserContext(), subjectaccess.Services{Candidates: s.cfg.Candidates, Placements: s.cfg.Placements, Payments: s.cfg.Payments, Circles: s.cfg.Circles, Audit: s.cfg.Audit},
		candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="inzage-`+c.Params("id")+`.json"`)
	return c.JSON(x)
}
