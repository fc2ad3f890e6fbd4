package matching

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/users"
)

// MatchesForVacancy ranks the candidates who may be matched to a vacancy of
// the acting employer's (active) organisation; every hard rule is checked.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, TooManyRequests.
func (s *Service) MatchesForVacancy(ctx context.Context, id employers.VacancyID, page, perPage int) (CandidatePage, error) {
	actor, emp, err := s.employers.RequireActive(ctx)
	if err != nil {
		return CandidatePage{}, err
	}
	var f apperr.Fields
	p := s.parse(&f, "", "", "", 0, page, perPage)
	if err := f.Err(); err != nil {
		return CandidatePage{}, err
	}
	v, e, err := s.employers.LoadVacancy(ctx, id)
	if err != nil || e.ID != emp.ID {
		return CandidatePage{}, apperr.Errorf(apperr.NotFound, "Vacancy not found.")
	}
	now := s.now()
	if !s.searches.Allow(string(actor.UserID), now) {
		return CandidatePage{}, apperr.Errorf(apperr.TooManyRequests, "Too many searches. Wait a minute and try again.")
	}
	vd := VacancyDocOf(s.tax, v)
	skills := append(vd.Skills, vd.NiceSkills...)
	res, err := s.index.SearchCandidates(ctx, CandidateQuery{Skills: skills, Trades: TradeTerms(s.tax, skills),
		Geo:            &Geo{Lat: v.Place.Lat, Lon: v.Place.Lon, Km: float64(TravelBands[len(TravelBands)-1])},
		ConfirmedAfter: now.Add(-candidates.ConfirmEvery), Limit: matchPool, Facets: false, Viewer: ViewerOf(s.tokens, e)})
	if err != nil {
		return CandidatePage{}, err
	}
	out, err := s.rankPool(ctx, res.Hits, v, e, p.offset, p.limit, now)
	if err != nil {
		return CandidatePage{}, err
	}
	if err := s.record(ctx, actor, emp, ActionSearchCandidates, map[string]string{"vacancy": string(v.ID), "shown": strconv.Itoa(len(out.Items))}, out.Items); err != nil {
		return CandidatePage{}, err
	}
	return out, nil
}

// rankPool ranks a vacancy's pool of engine hits and returns the page
// asked for. The pool is ranked by the cards the index holds (shown.go);
// every hard rule (Check) is then checked against the database only down
// the ranking as far as the page needs, eight candidates at a time, so a
// first page reads some twenty candidates instead of the whole pool. The
// page's cards are fully checked and scored on what the database holds;
// the total is the pool that passes what the index knows, less those the
// checks so far turned away: exact once a page reaches the end, an upper
// bound before. A pool with hits indexed before cards were kept is read
// and checked whole, as before.
func (s *Service) rankPool(ctx context.Context, hits []Hit, v employers.Vacancy, e employers.Employer, offset, limit int, now time.Time) (CandidatePage, error) {
	page := offset/limit + 1
	type pooled struct {
		hit   Hit
		score float64
	}
	pool := make([]pooled, 0, len(hits))
	sc := NewScorer(s.tax, v, now)
	for _, h := range hits {
		sh, ok := s.shownHit(h)
		if !ok {
			pool = nil
			break
		}
		c := sh.candidate()
		if !c.Confirmed(now) || places.DistanceKm(sh.Lat, sh.Lon, v.Place.Lat, v.Place.Lon) > float64(c.Profile.TravelRadiusKm) {
			continue // Check would turn it away: confirmation and travel radius are on the card
		}
		pool = append(pool, pooled{h, sc.Rank(c)})
	}
	checked := func(hs []Hit) ([]CandidateResult, int, error) {
		loaded, err := s.loadAll(ctx, hs)
		if err != nil {
			return nil, 0, err
		}
		var out []CandidateResult
		failed := 0
		for _, c := range loaded {
			if c.ID == "" || len(Check(c, v, e, now)) > 0 {
				failed++
				continue
			}
			score, ex := sc.Score(c)
			out = append(out, CandidateResult{Card: candidates.CardOf(c, now), Score: score, Explanation: ex})
		}
		return out, failed, nil
	}
	if pool == nil && len(hits) > 0 {
		ranked, _, err := checked(hits)
		if err != nil {
			return CandidatePage{}, err
		}
		sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Score > ranked[j].Score })
		return CandidatePage{Items: pageOf(ranked, offset, limit), Total: len(ranked), Page: page}, nil
	}
	sort.SliceStable(pool, func(i, j int) bool { return pool[i].score > pool[j].score })
	need := offset + limit
	var passed []CandidateResult
	failed, next := 0, 0
	for len(passed) < need && next < len(pool) {
		end := min(len(pool), next+max(8, need-len(passed)))
		hs := make([]Hit, 0, end-next)
		for _, x := range pool[next:end] {
			hs = append(hs, x.hit)
		}
		next = end
		ok, nf, err := checked(hs)
		if err != nil {
			return CandidatePage{}, err
		}
		passed, failed = append(passed, ok...), failed+nf
	}
	return CandidatePage{Items: pageOf(passed, offset, limit), Total: len(pool) - failed, Page: page}, nil
}

// loadAll reads the hits' candidates from the database, eight at a time and
// in hit order; a candidate gone since it was indexed comes back empty.
func (s *Service) loadAll(ctx context.Context, hits []Hit) ([]candidates.Candidate, error) {
	out := make([]candidates.Candidate, len(hits))
	errs := make([]error, len(hits))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, h := range hits {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := s.candidates.Load(ctx, candidates.ID(h.ID))
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				errs[i] = err
				return
			}
			out[i] = c
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func pageOf[T any](xs []T, offset, limit int) []T {
	if offset >= len(xs) {
		return []T{}
	}
	end := min(offset+limit, len(xs))
	return xs[offset:end]
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// VacancySearch is a probation worker's search as typed; with CandidateID
// the candidate's restrictions apply.
type VacancySearch struct {
	Q             string
	Place         string
	Province      string
	WithinKm      int
	CandidateID   string
	Page, PerPage int
}

// VacancyResult is one vacancy with why it ranks there.
type VacancyResult struct {
	Vacancy      employers.VacancyView `json:"vacancy"`
	EmployerName string                `json:"employer_name"`
	Score        float64               `json:"score"`
	Explanation  *Explanation          `json:"explanation,omitempty"`
}

// VacancyPage is a page of vacancies.
type VacancyPage struct {
	Items  []VacancyResult         `json:"items"`
	Total  int                     `json:"total"`
	Page   int                     `json:"page"`
	Facets map[string][]FacetCount `json:"facets,omitempty"`
}

// SearchVacancies answers a probation worker's search; with a candidate of
// their caseload, every hard rule is applied and results are ranked for
// that candidate.
// Errors: Unauthenticated, Forbidden, NotFound (candidate), Invalid.
func (s *Service) SearchVacancies(ctx context.Context, in VacancySearch) (VacancyPage, error) {
	actor, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return VacancyPage{}, err
	}
	var f apperr.Fields
	p := s.parse(&f, in.Q, in.Place, in.Province, in.WithinKm, in.Page, in.PerPage)
	if err := f.Err(); err != nil {
		return VacancyPage{}, err
	}
	var cand *candidates.Candidate
	if in.CandidateID != "" {
		c, err := s.candidates.LoadOwn(ctx, candidates.ID(in.CandidateID))
		if err != nil {
			return VacancyPage{}, err
		}
		cand = &c
	}
	out, err := s.vacancies(ctx, cand, p, true)
	if err != nil {
		return VacancyPage{}, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: ActionSearchVacancies,
		Subject: "caseload:" + string(actor.UserID), Details: map[string]string{"q": truncate(in.Q, 100), "candidate": in.CandidateID}})
	if err != nil {
		return VacancyPage{}, err
	}
	return out, nil
}

// MatchesForCandidate ranks the vacancies a candidate of the worker's
// caseload may be matched to.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) MatchesForCandidate(ctx context.Context, id candidates.ID, page, perPage int) (VacancyPage, error) {
	c, err := s.candidates.LoadOwn(ctx, id)
	if err != nil {
		return VacancyPage{}, err
	}
	var f apperr.Fields
	p := s.parse(&f, "", "", "", 0, page, perPage)
	if err := f.Err(); err != nil {
		return VacancyPage{}, err
	}
	skills, _ := resolveAll(s.tax, c.Profile.Skills)
	p.skills = skills
	h := c.Profile.HomePlace
	p.geo = &Geo{Lat: h.Lat, Lon: h.Lon, Km: float64(max(c.Profile.TravelRadiusKm, 1))}
	return s.vacancies(ctx, &c, p, false)
}

// vacancies queries the vacancy index, re-checks every hit and ranks.
func (s *Service) vacancies(ctx context.Context, c *candidates.Candidate, p parsed, facets bool) (VacancyPage, error) {
	now := s.now()
	q := VacancyQuery{Skills: p.skills, Words: p.words, Geo: p.geo, Province: p.province, Offset: p.offset, Limit: p.limit, Facets: facets}
	if c != nil {
		q.ExcludeSectors = c.Restrictions.ExcludedSectors
		q.ExcludeRisk = c.Restrictions.RiskAreaConflicts
		for _, k := range c.Restrictions.Conflicts {
			if k.EmployerID != "" {
				q.ExcludeEmployer = append(q.ExcludeEmployer, k.EmployerID)
			}
		}
		// Rank among a pool, then page: the score is ours, not the engine's.
		q.Offset, q.Limit = 0, matchPool
	}
	res, err := s.index.SearchVacancies(ctx, q)
	if err != nil {
		return VacancyPage{}, err
	}
	var items []VacancyResult
	for _, h := range res.Hits {
		v, e, err := s.employers.LoadVacancy(ctx, employers.VacancyID(h.ID))
		if err != nil {
			continue
		}
		if v.Status != employers.Open || !e.Active(now) {
			continue
		}
		r := VacancyResult{Vacancy: employers.VacancyOf(v), EmployerName: e.Name, Score: h.Score}
		if c != nil {
			if len(Check(*c, v, e, now)) > 0 {
				continue
			}
			score, ex := Score(s.tax, *c, v, now)
			r.Score, r.Explanation = score, &ex
		}
		items = append(items, r)
	}
	out := VacancyPage{Total: res.Total, Page: p.offset/p.limit + 1, Facets: res.Facets}
	if c != nil {
		sort.SliceStable(items, func(i, j int) bool { return items[i].Score > items[j].Score })
		out.Total = len(items)
		items = pageOf(items, p.offset, p.limit)
	}
	out.Items = items
	if out.Items == nil {
		out.Items = []VacancyResult{}
	}
	return out, nil
}
