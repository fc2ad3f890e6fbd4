package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/exits"
	"github.com/herstart/herstart/users"
)

// The exit trajectory of a candidate: everything under
// /api/v1/candidates/{id}/trajectory is their worker's, but the acceptance
// of a transfer (the receiving worker's).

func (s *Server) handleTrajectoryGet(c *fiber.Ctx) error {
	v, err := s.cfg.Exits.Get(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// trajectoryWrite decodes a worker's body into in and runs do.
func trajectoryWrite[T any](s *Server, c *fiber.Ctx, status int, do func(id string, in T) (exits.View, error)) error {
	var in T
	if err := roleThenBody(c, &in, users.ProbationWorker); err != nil {
		return err
	}
	v, err := do(c.Params("id"), in)
	return respond(c, status, v, err)
}

func (s *Server) handleTrajectoryOpen(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusCreated, func(id string, in exits.OpenInput) (exits.View, error) {
		return s.cfg.Exits.Open(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryPhase(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.PhaseInput) (exits.View, error) {
		return s.cfg.Exits.SetPhase(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryReview(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusCreated, func(id string, in exits.ReviewInput) (exits.View, error) {
		return s.cfg.Exits.AddReview(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryEntry(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusCreated, func(id string, in exits.EntryInput) (exits.View, error) {
		return s.cfg.Exits.AddEntry(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryEntryRemove(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.ProbationWorker); err != nil {
		return err
	}
	n, err := num(c, "n")
	if err != nil {
		return err
	}
	v, err := s.cfg.Exits.RemoveEntry(c.UserContext(), c.Params("id"), n)
	return respond(c, fiber.StatusOK, v, err)
}

func (s *Server) handleTrajectoryDestination(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.DestinationInput) (exits.View, error) {
		return s.cfg.Exits.SetDestination(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectorySafety(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.SafetyInput) (exits.View, error) {
		return s.cfg.Exits.SetSafety(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryExploitation(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.ExploitationInput) (exits.View, error) {
		return s.cfg.Exits.SetExploitation(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryRelative(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.RelativeInput) (exits.View, error) {
		return s.cfg.Exits.LinkRelative(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryTransfer(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.TransferInput) (exits.View, error) {
		return s.cfg.Exits.StartTransfer(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryAccept(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.ProbationWorker); err != nil {
		return err
	}
	v, err := s.cfg.Exits.AcceptTransfer(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

func (s *Server) handleTrajectoryClose(c *fiber.Ctx) error {
	return trajectoryWrite(s, c, fiber.StatusOK, func(id string, in exits.CloseInput) (exits.View, error) {
		return s.cfg.Exits.Close(c.UserContext(), id, in)
	})
}

func (s *Server) handleTrajectoryList(c *fiber.Ctx) error {
	v, err := s.cfg.Exits.List(c.UserContext())
	return respond(c, fiber.StatusOK, v, err)
}

func (s *Server) handleTrajectoryReport(c *fiber.Ctx) error {
	v, err := s.cfg.Exits.Report(c.UserContext())
	return respond(c, fiber.StatusOK, fiber.Map{"regions": v}, err)
}
