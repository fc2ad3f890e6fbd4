package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/users"
)

// decodeOptional decodes a JSON body when there is one.
func decodeOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeStrict(c, v)
}

// roleThenBody checks the caller's role before the body is read: who asks
// comes before what they sent.
func roleThenBody(c *fiber.Ctx, v any, roles ...users.Role) error {
	if _, err := users.RequireRole(c.UserContext(), roles...); err != nil {
		return err
	}
	return decodeStrict(c, v)
}

// handlePartnerRegister handles POST /api/v1/partners (coordinators).
func (s *Server) handlePartnerRegister(c *fiber.Ctx) error {
	var req circles.PartnerInput
	if err := roleThenBody(c, &req, users.Coordinator); err != nil {
		return err
	}
	p, err := s.cfg.Circles.RegisterPartner(c.UserContext(), req)
	return respond(c, fiber.StatusCreated, p, err)
}

// handlePartnerList handles GET /api/v1/partners (coordinators; workers see the approved ones).
func (s *Server) handlePartnerList(c *fiber.Ctx) error {
	v, err := s.cfg.Circles.Partners(c.UserContext(), c.Query("status"))
	return respond(c, fiber.StatusOK, fiber.Map{"partners": v}, err)
}

// handlePartnerGet handles GET /api/v1/partners/{id}.
func (s *Server) handlePartnerGet(c *fiber.Ctx) error {
	v, err := s.cfg.Circles.GetPartner(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// handlePartnerVet handles POST /api/v1/partners/{id}/vetting/{action}.
func (s *Server) handlePartnerVet(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	var req circles.Reasoned
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Circles.Vet(c.UserContext(), c.Params("id"), c.Params("action"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handlePartnerUser handles POST /api/v1/partners/{id}/users (coordinators).
func (s *Server) handlePartnerUser(c *fiber.Ctx) error {
	var req circles.UserInput
	if err := roleThenBody(c, &req, users.Coordinator); err != nil {
		return err
	}
	u, err := s.cfg.Circles.AddUser(c.UserContext(), c.Params("id"), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newUserResponse(u))
}

// handleCircleList handles GET /api/v1/circles (workers, partners).
func (s *Server) handleCircleList(c *fiber.Ctx) error {
	v, err := s.cfg.Circles.List(c.UserContext())
	return respond(c, fiber.StatusOK, fiber.Map{"circles": v}, err)
}

// handleCircleGet handles GET /api/v1/circles/{id}: the whole circle for
// the candidate's worker, its slice for a partner.
func (s *Server) handleCircleGet(c *fiber.Ctx) error {
	a, err := users.RequireRole(c.UserContext(), users.ProbationWorker, users.Partner)
	if err != nil {
		return err
	}
	if a.Is(users.Partner) {
		v, err := s.cfg.Circles.PartnerGet(c.UserContext(), c.Params("id"))
		return respond(c, fiber.StatusOK, v, err)
	}
	v, err := s.cfg.Circles.Get(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// handleMemberAdd handles POST /api/v1/circles/{id}/members (the worker).
func (s *Server) handleMemberAdd(c *fiber.Ctx) error {
	var req circles.MemberInput
	if err := roleThenBody(c, &req, users.ProbationWorker); err != nil {
		return err
	}
	v, err := s.cfg.Circles.AddMember(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleMemberStep handles POST /api/v1/circles/{id}/members/{n}/{action}.
func (s *Server) handleMemberStep(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	var req circles.StepInput
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Circles.MemberStep(c.UserContext(), c.Params("id"), n, c.Params("action"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleCircleLevel handles POST /api/v1/circles/{id}/level (the worker).
func (s *Server) handleCircleLevel(c *fiber.Ctx) error {
	var req circles.LevelInput
	if err := roleThenBody(c, &req, users.ProbationWorker); err != nil {
		return err
	}
	v, err := s.cfg.Circles.SetLevel(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleCircleClose handles POST /api/v1/circles/{id}/close (the worker).
func (s *Server) handleCircleClose(c *fiber.Ctx) error {
	var req circles.CloseInput
	if err := roleThenBody(c, &req, users.ProbationWorker); err != nil {
		return err
	}
	v, err := s.cfg.Circles.Close(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleActionAdd handles POST /api/v1/circles/{id}/actions (the worker, a partner).
func (s *Server) handleActionAdd(c *fiber.Ctx) error {
	var req circles.ActionInput
	if err := roleThenBody(c, &req, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	v, err := s.cfg.Circles.AddAction(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleActionUpdate handles POST /api/v1/circles/{id}/actions/{n}.
func (s *Server) handleActionUpdate(c *fiber.Ctx) error {
	var req circles.ActionUpdate
	if err := roleThenBody(c, &req, users.ProbationWorker, users.Partner); err != nil {
		return err
	}
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	v, err := s.cfg.Circles.UpdateAction(c.UserContext(), c.Params("id"), n, req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleConferenceAdd handles POST /api/v1/circles/{id}/conferences (the worker).
func (s *Server) handleConferenceAdd(c *fiber.Ctx) error {
	var req circles.ConferenceInput
	if err := roleThenBody(c, &req, users.ProbationWorker); err != nil {
		return err
	}
	v, err := s.cfg.Circles.AddConference(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

// handleSelfCircleStep handles POST /api/v1/self/circle/{n}/{action}
// (candidates): consent or withdraw for a partner in their circle.
func (s *Server) handleSelfCircleStep(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Candidate); err != nil {
		return err
	}
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	var req circles.StepInput
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Circles.SelfStep(c.UserContext(), n, c.Params("action"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handlePartnerReport handles GET /api/v1/reports/partner-actions (coordinators).
func (s *Server) handlePartnerReport(c *fiber.Ctx) error {
	v, err := s.cfg.Circles.Report(c.UserContext())
	return respond(c, fiber.StatusOK, fiber.Map{"organisations": v}, err)
}
