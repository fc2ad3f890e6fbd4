package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
)

// pageParams reads page and per_page.
func pageParams(c *fiber.Ctx) (int, int, error) {
	page, err := queryInt(c, "page", 1, 1, matching.MaxPage)
	if err != nil {
		return 0, 0, err
	}
	per, err := queryInt(c, "per_page", 20, 1, matching.MaxPerPage)
	return page, per, err
}

// handleSearchCandidates handles GET /api/v1/search/candidates (active
// employers): anonymised cards only.
func (s *Server) handleSearchCandidates(c *fiber.Ctx) error {
	return paged(c, func(page, per int) (any, error) {
		within, err := queryInt(c, "within_km", 0, 1, matching.MaxWithinKm)
		if err != nil {
			return nil, err
		}
		hours, err := queryInt(c, "hours_min", 0, 0, 60)
		if err != nil {
			return nil, err
		}
		var certs []string
		if v := c.Query("certificates"); v != "" {
			certs = strings.Split(v, ",")
		}
		return s.cfg.Matching.SearchCandidates(c.UserContext(), matching.CandidateSearch{
			Q: c.Query("q"), Place: c.Query("place"), Province: c.Query("province"), WithinKm: within,
			AvailableBefore: c.Query("available_before"), Certificates: certs, HoursMin: hours, Page: page, PerPage: per,
		})
	})
}

// handleSearchVacancies handles GET /api/v1/search/vacancies (probation
// workers; with candidate_id the candidate's restrictions apply).
func (s *Server) handleSearchVacancies(c *fiber.Ctx) error {
	return paged(c, func(page, per int) (any, error) {
		within, err := queryInt(c, "within_km", 0, 1, matching.MaxWithinKm)
		if err != nil {
			return nil, err
		}
		return s.cfg.Matching.SearchVacancies(c.UserContext(), matching.VacancySearch{
			Q: c.Query("q"), Place: c.Query("place"), Province: c.Query("province"), WithinKm: within,
			CandidateID: c.Query("candidate_id"), Page: page, PerPage: per,
		})
	})
}

// handleCandidateMatches handles GET /api/v1/candidates/{id}/matches.
func (s *Server) handleCandidateMatches(c *fiber.Ctx) error {
	return paged(c, func(page, per int) (any, error) {
		return s.cfg.Matching.MatchesForCandidate(c.UserContext(), candidates.ID(c.Params("id")), page, per)
	})
}

// handleVacancyMatches handles GET /api/v1/vacancies/{id}/matches.
func (s *Server) handleVacancyMatches(c *fiber.Ctx) error {
	return paged(c, func(page, per int) (any, error) {
		return s.cfg.Matching.MatchesForVacancy(c.UserContext(), employers.VacancyID(c.Params("id")), page, per)
	})
}

// paged reads page and per_page, calls fn and answers its result as JSON.
func paged(c *fiber.Ctx, fn func(page, per int) (any, error)) error {
	page, per, err := pageParams(c)
	if err != nil {
		return err
	}
	res, err := fn(page, per)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
