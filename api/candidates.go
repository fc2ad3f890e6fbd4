package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/users"
)

// candidateRoles may call the candidate registry routes at all; the service
// decides ownership. Checking the role before decoding means another role
// gets 403 whatever it sends.
var candidateRoles = []users.Role{users.ProbationWorker}

// handleCandidateCreate handles POST /api/v1/candidates.
func (s *Server) handleCandidateCreate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), candidateRoles...); err != nil {
		return err
	}
	var req candidates.Input
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	rec, err := s.cfg.Candidates.Create(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/candidates/" + string(rec.ID))
	return c.Status(fiber.StatusCreated).JSON(rec)
}

type caseloadResponse struct {
	Items []candidates.Summary `json:"items"`
	Total int                  `json:"total"`
}

// handleCandidateList handles GET /api/v1/candidates: the actor's caseload.
func (s *Server) handleCandidateList(c *fiber.Ctx) error {
	list, err := s.cfg.Candidates.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(caseloadResponse{Items: list, Total: len(list)})
}

// handleCandidateGet handles GET /api/v1/candidates/{id}.
func (s *Server) handleCandidateGet(c *fiber.Ctx) error {
	rec, err := s.cfg.Candidates.Get(c.UserContext(), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(rec.Version, 10)))
	return c.JSON(rec)
}

// handleCandidateUpdate handles PATCH /api/v1/candidates/{id}. An If-Match
// header with the version (ETag) guards against lost updates.
func (s *Server) handleCandidateUpdate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), candidateRoles...); err != nil {
		return err
	}
	var req candidates.Update
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	var version int64
	if m := c.Get(fiber.HeaderIfMatch); m != "" {
		v, err := strconv.ParseInt(trimQuotes(m), 10, 64)
		if err != nil || v < 1 {
			return &apperr.Error{Code: apperr.BadRequest, Message: "If-Match must be the candidate's version.", Fields: map[string]string{"If-Match": "must be a version number"}}
		}
		version = v
	}
	rec, err := s.cfg.Candidates.Update(c.UserContext(), candidates.ID(c.Params("id")), req, version)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(rec.Version, 10)))
	return c.JSON(rec)
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// handleCandidateConfirm handles POST /api/v1/candidates/{id}/confirm-availability.
func (s *Server) handleCandidateConfirm(c *fiber.Ctx) error {
	rec, err := s.cfg.Candidates.ConfirmAvailability(c.UserContext(), candidates.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(rec)
}

// handleConsentCreate handles POST /api/v1/candidates/{id}/consents.
func (s *Server) handleConsentCreate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), candidateRoles...); err != nil {
		return err
	}
	var req candidates.ConsentInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	k, err := s.cfg.Candidates.GrantConsent(c.UserContext(), candidates.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(k)
}

// handleConsentDelete handles DELETE /api/v1/candidates/{id}/consents/{cid}:
// the consent is withdrawn (kept, marked withdrawn), never erased.
func (s *Server) handleConsentDelete(c *fiber.Ctx) error {
	k, err := s.cfg.Candidates.WithdrawConsent(c.UserContext(), candidates.ID(c.Params("id")), c.Params("cid"))
	if err != nil {
		return err
	}
	return c.JSON(k)
}

// handleConflictAdd handles POST /api/v1/candidates/{id}/conflicts.
func (s *Server) handleConflictAdd(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), candidateRoles...); err != nil {
		return err
	}
	var req candidates.ConflictInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	k, err := s.cfg.Candidates.AddConflict(c.UserContext(), candidates.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(k)
}

// handleConflictRemove handles DELETE /api/v1/candidates/{id}/conflicts/{cid}.
func (s *Server) handleConflictRemove(c *fiber.Ctx) error {
	if err := s.cfg.Candidates.RemoveConflict(c.UserContext(), candidates.ID(c.Params("id")), c.Params("cid")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
