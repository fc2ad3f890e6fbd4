package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
)

type registeredResponse struct {
	Employer employers.View `json:"employer"`
	User     userResponse   `json:"user"`
}

// handleEmployerRegister handles POST /api/v1/employers: open to anyone,
// rate limited per IP; the organisation starts pending.
func (s *Server) handleEmployerRegister(c *fiber.Ctx) error {
	var req employers.Registration
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	r, err := s.cfg.Employers.Register(c.UserContext(), req, s.web.ClientIP(c))
	if err != nil {
		return err
	}
	c.Location("/api/v1/employers/" + string(r.Employer.ID))
	return c.Status(fiber.StatusCreated).JSON(registeredResponse{Employer: r.Employer, User: newUserResponse(r.User)})
}

type employerListResponse struct {
	Items []employers.Summary `json:"items"`
	Total int                 `json:"total"`
}

// handleEmployerList handles GET /api/v1/employers?status= (coordinators).
func (s *Server) handleEmployerList(c *fiber.Ctx) error {
	list, err := s.cfg.Employers.List(c.UserContext(), employers.Status(c.Query("status")))
	if err != nil {
		return err
	}
	return c.JSON(employerListResponse{Items: list, Total: len(list)})
}

// handleEmployerGet handles GET /api/v1/employers/{id}.
func (s *Server) handleEmployerGet(c *fiber.Ctx) error {
	v, err := s.cfg.Employers.Get(c.UserContext(), employers.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleChecklist handles PATCH /api/v1/employers/{id}/vetting/checklist.
func (s *Server) handleChecklist(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	var req employers.ChecklistUpdate
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Employers.UpdateChecklist(c.UserContext(), employers.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleVetting handles POST /api/v1/employers/{id}/vetting/{action}:
// approve and reinstate (four eyes), reject and suspend (with a reason).
func (s *Server) handleVetting(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	id := employers.ID(c.Params("id"))
	ctx := c.UserContext()
	var (
		v   employers.View
		err error
	)
	switch c.Params("action") {
	case "approve":
		v, err = s.cfg.Employers.Approve(ctx, id)
	case "reinstate":
		v, err = s.cfg.Employers.Reinstate(ctx, id)
	case "reject", "suspend":
		var req employers.Reasoned
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
		if c.Params("action") == "reject" {
			v, err = s.cfg.Employers.Reject(ctx, id, req)
		} else {
			v, err = s.cfg.Employers.Suspend(ctx, id, req)
		}
	default:
		return apperr.Errorf(apperr.NotFound, "No such vetting step: use approve, reject, suspend or reinstate.")
	}
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleConcern handles POST /api/v1/employers/{id}/concerns (coordinators).
func (s *Server) handleConcern(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Coordinator); err != nil {
		return err
	}
	var req employers.ConcernInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Employers.AddConcern(c.UserContext(), employers.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

// handleEmployerUserAdd handles POST /api/v1/employers/{id}/users: an
// approved employer's administrator adds a colleague.
func (s *Server) handleEmployerUserAdd(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Employer); err != nil {
		return err
	}
	var req employers.ColleagueInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	u, err := s.cfg.Employers.AddUser(c.UserContext(), employers.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newUserResponse(u))
}

// handleVacancyCreate handles POST /api/v1/employers/{id}/vacancies.
func (s *Server) handleVacancyCreate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Employer); err != nil {
		return err
	}
	var req employers.VacancyInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Employers.CreateVacancy(c.UserContext(), employers.ID(c.Params("id")), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/vacancies/" + string(v.ID))
	return c.Status(fiber.StatusCreated).JSON(v)
}

type vacancyListResponse struct {
	Items []employers.VacancySummary `json:"items"`
	Total int                        `json:"total"`
}

// handleVacancyList handles GET /api/v1/employers/{id}/vacancies.
func (s *Server) handleVacancyList(c *fiber.Ctx) error {
	list, err := s.cfg.Employers.Vacancies(c.UserContext(), employers.ID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(vacancyListResponse{Items: list, Total: len(list)})
}

// handleVacancyGet handles GET /api/v1/vacancies/{id}.
func (s *Server) handleVacancyGet(c *fiber.Ctx) error {
	v, err := s.cfg.Employers.Vacancy(c.UserContext(), employers.VacancyID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleVacancyUpdate handles PATCH /api/v1/vacancies/{id}.
func (s *Server) handleVacancyUpdate(c *fiber.Ctx) error {
	if _, err := users.RequireRole(c.UserContext(), users.Employer); err != nil {
		return err
	}
	var req employers.VacancyUpdate
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Employers.UpdateVacancy(c.UserContext(), employers.VacancyID(c.Params("id")), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleVacancyClose handles POST /api/v1/vacancies/{id}/close.
func (s *Server) handleVacancyClose(c *fiber.Ctx) error {
	v, err := s.cfg.Employers.CloseVacancy(c.UserContext(), employers.VacancyID(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(v)
}
