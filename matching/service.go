package matching

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// Limits of searching.
const (
	MaxQueryLen     = 200
	MaxPerPage      = 50
	MaxPage         = 100
	MaxWithinKm     = 200
	DefaultWithinKm = 25
	// An employer user may search 60 times a minute.
	searchesPerMinute = 60
	// An organisation shown more different candidates than this in a day
	// is flagged to coordinators: far more than hiring for a few jobs needs
	// (the same cards seen again on repeated searches do not count).
	profilesPerDayFlag = 1000
	// Matches are ranked among this many engine hits.
	matchPool = 200
)

// Audit actions of this package.
const (
	ActionSearchCandidates = "search.candidates"
	ActionSearchVacancies  = "search.vacancies"
	ActionScrapingFlag     = "search.scraping_flag"
)

// Service answers searches and match requests: the engine finds, the hard
// rules are re-checked on every hit against the database, and only level-0
// cards leave it for employers.
type Service struct {
	index      Index
	tax        *taxonomy.Taxonomy
	places     *places.Table
	candidates *candidates.Service
	employers  *employers.Service
	audit      *audit.Recorder
	throttle   *store.Throttle
	tokens     Tokens
	now        func() time.Time
	log        *slog.Logger
}

// NewService returns a Service; tk hashes conflict lists and excluded
// sectors for the index. now may be nil.
func NewService(ix Index, tx *taxonomy.Taxonomy, tbl *places.Table, cs *candidates.Service, es *employers.Service, rec *audit.Recorder, th *store.Throttle, tk Tokens, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{index: ix, tax: tx, places: tbl, candidates: cs, employers: es, audit: rec, throttle: th, tokens: tk, now: now, log: slog.Default()}
}

// SetLogger sets the logger of warnings the service handles itself.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// CandidateSearch is an employer's search as typed.
type CandidateSearch struct {
	Q               string
	Place           string
	Province        string
	WithinKm        int // 0: DefaultWithinKm when a place is given
	AvailableBefore string
	Certificates    []string
	HoursMin        int
	Page, PerPage   int
}

// CandidateResult is one card with why it ranks there.
type CandidateResult struct {
	Card        candidates.Card `json:"card"`
	Score       float64         `json:"score"`
	Explanation Explanation     `json:"explanation"`
}

// CandidatePage is a page of cards.
type CandidatePage struct {
	Items  []CandidateResult       `json:"items"`
	Total  int                     `json:"total"`
	Page   int                     `json:"page"`
	Facets map[string][]FacetCount `json:"facets"`
}

type parsed struct {
	skills, words []string
	geo           *Geo
	place         *places.Place
	province      string
	offset, limit int
}

func (s *Service) parse(f *apperr.Fields, q, place, province string, withinKm, page, perPage int) parsed {
	var p parsed
	text := f.Text("q", q, MaxQueryLen, false)
	if text != "" {
		ms, rest := s.tax.Resolve(text)
		for _, m := range ms {
			p.skills = append(p.skills, m.Skills...)
		}
		p.words = rest
	}
	if place != "" {
		pl, err := s.places.Lookup(place, province)
		if err != nil {
			for k, v := range apperr.FieldsOf(err) {
				f.Add(k, v)
			}
		} else {
			p.place = &pl
			km := withinKm
			if km == 0 {
				km = DefaultWithinKm
			}
			p.geo = &Geo{Lat: pl.Lat, Lon: pl.Lon, Km: float64(km)}
		}
	} else if province != "" {
		if code, ok := places.ProvinceCode(province); !ok {
			f.Add("province", "is not a Dutch province")
		} else {
			p.province = places.ProvinceName(code)
		}
	}
	if withinKm < 0 || withinKm > MaxWithinKm {
		f.Addf("within_km", "must be between 1 and %d", MaxWithinKm)
	}
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = 20
	}
	if page < 1 || page > MaxPage {
		f.Addf("page", "must be between 1 and %d", MaxPage)
	}
	if perPage < 1 || perPage > MaxPerPage {
		f.Addf("per_page", "must be between 1 and %d", MaxPerPage)
	}
	p.offset, p.limit = (page-1)*perPage, perPage
	return p
}

// SearchCandidates answers an active employer's search with anonymised
// cards. Each search is rate limited and recorded; an organisation shown far
// more cards than hiring needs is flagged to coordinators.
// Errors: Unauthenticated, Forbidden (not an active employer), Invalid,
// TooManyRequests.
func (s *Service) SearchCandidates(ctx context.Context, in CandidateSearch) (CandidatePage, error) {
	actor, emp, err := s.employers.RequireActive(ctx)
	if err != nil {
		return CandidatePage{}, err
	}
	now := s.now()
	var f apperr.Fields
	p := s.parse(&f, in.Q, in.Place, in.Province, in.WithinKm, in.Page, in.PerPage)
	certs := f.Codes("certificates", in.Certificates, taxonomy.NewSet(taxonomy.Certificates).Codes(), false)
	if in.HoursMin < 0 || in.HoursMin > 60 {
		f.Add("hours_min", "must be between 0 and 60")
	}
	var before time.Time
	if in.AvailableBefore != "" {
		t, err := time.Parse(time.DateOnly, in.AvailableBefore)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			f.Add("available_before", "must be a date written YYYY-MM-DD")
		}
		before = t.Add(24*time.Hour - time.Second)
	}
	if err := f.Err(); err != nil {
		return CandidatePage{}, err
	}
	if n, err := s.throttle.Hit(ctx, "search:"+string(actor.UserID), now, time.Minute); err != nil {
		return CandidatePage{}, err
	} else if n > searchesPerMinute {
		return CandidatePage{}, apperr.Errorf(apperr.TooManyRequests, "Too many searches. Wait a minute and try again.")
	}
	res, err := s.index.SearchCandidates(ctx, CandidateQuery{
		Skills: p.skills, Words: p.words, Geo: p.geo, Province: p.province, Certificates: certs, HoursMin: in.HoursMin,
		AvailableBefore: before, ConfirmedAfter: now.Add(-candidates.ConfirmEvery), Offset: p.offset, Limit: p.limit, Facets: true,
		Viewer: ViewerOf(s.tokens, emp),
	})
	if err != nil {
		return CandidatePage{}, err
	}
	out := CandidatePage{Items: []CandidateResult{}, Total: res.Total, Page: p.offset/p.limit + 1, Facets: res.Facets}
	loaded, err := s.loadAll(ctx, res.Hits)
	if err != nil {
		return CandidatePage{}, err
	}
	for _, c := range loaded {
		if c.ID == "" {
			continue // gone since it was indexed
		}
		if !s.visibleTo(c, emp, p.place, now) {
			continue // the index lagged, or a rule the index cannot hold
		}
		probe := employers.Vacancy{Title: in.Q, HoursPerWeek: in.HoursMin, StartDate: now}
		if p.place != nil {
			probe.Place = employers.Place{Lat: p.place.Lat, Lon: p.place.Lon}
		} // else no place: the explanation says nothing about distance
		score, ex := Score(s.tax, c, probe, now)
		out.Items = append(out.Items, CandidateResult{Card: candidates.CardOf(c, now), Score: score, Explanation: ex})
	}
	if err := s.record(ctx, actor, emp, ActionSearchCandidates, map[string]string{
		"q": truncate(in.Q, 100), "place": in.Place, "within_km": strconv.Itoa(in.WithinKm), "page": strconv.Itoa(out.Page), "shown": strconv.Itoa(len(out.Items)),
	}, out.Items); err != nil {
		return CandidatePage{}, err
	}
	return out, nil
}

// visibleTo re-checks what an employer search without a vacancy can: the
// candidate searchable now, the employer not on the conflict list, not all
// of the employer's sectors excluded, and the search place within the
// candidate's own travel radius.
func (s *Service) visibleTo(c candidates.Candidate, e employers.Employer, at *places.Place, now time.Time) bool {
	if !c.Searchable(now) {
		return false
	}
	for _, k := range c.Restrictions.Conflicts {
		if (k.EmployerID != "" && k.EmployerID == string(e.ID)) || (k.KvK != "" && k.KvK == e.KvK) {
			return false
		}
	}
	if len(e.Sectors) > 0 {
		excluded := 0
		for _, sec := range e.Sectors {
			for _, x := range c.Restrictions.ExcludedSectors {
				if x == sec {
					excluded++
					break
				}
			}
		}
		if excluded == len(e.Sectors) {
			return false
		}
	}
	if at != nil {
		h := c.Profile.HomePlace
		if places.DistanceKm(h.Lat, h.Lon, at.Lat, at.Lon) > float64(c.Profile.TravelRadiusKm) {
			return false
		}
	}
	return true
}

// record writes the search's audit event — a disclosure, so the cards
// are not shown when it cannot be written (decisions.md, "One audit rule")
// — and counts the different candidates shown to the organisation today,
// flagging it once when that number passes the limit: paging through far
// more profiles than hiring needs looks like scraping.
func (s *Service) record(ctx context.Context, a users.Actor, e employers.Employer, action string, details map[string]string, shown []CandidateResult) error {
	if err := s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: action, Subject: "employer:" + string(e.ID), Details: details}); err != nil {
		return err
	}
	if len(shown) == 0 {
		return nil
	}
	ids := make([]string, len(shown))
	for i, r := range shown {
		ids[i] = string(r.Card.ID)
	}
	day := s.now().UTC().Format(time.DateOnly)
	before, after, cards, err := s.throttle.HitDistinct(ctx, "reach:"+string(e.ID)+":"+day, ids, s.now(), 24*time.Hour)
	if err != nil {
		// The signal is a heuristic beside the audit trail, which holds
		// every search: a counting failure does not withhold the answer.
		s.log.WarnContext(ctx, "count candidates shown", "err", err)
		return nil
	}
	if before < profilesPerDayFlag && after >= profilesPerDayFlag {
		msg := fmt.Sprintf("Automatic signal: about %d different candidate profiles (%d cards) shown to this organisation on %s — far more than hiring needs; possible scraping.", after, cards, day)
		// Flag is an employer write: its audit event comes with it.
		if err := s.employers.Flag(ctx, e.ID, msg); err != nil {
			s.log.WarnContext(ctx, "flag scraping", "err", err)
		}
	}
	return nil
}

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
	if n, err := s.throttle.Hit(ctx, "search:"+string(actor.UserID), now, time.Minute); err != nil {
		return CandidatePage{}, err
	} else if n > searchesPerMinute {
		return CandidatePage{}, apperr.Errorf(apperr.TooManyRequests, "Too many searches. Wait a minute and try again.")
	}
	vd := VacancyDocOf(s.tax, v)
	res, err := s.index.SearchCandidates(ctx, CandidateQuery{Skills: append(vd.Skills, vd.NiceSkills...),
		Geo:            &Geo{Lat: v.Place.Lat, Lon: v.Place.Lon, Km: float64(TravelBands[len(TravelBands)-1])},
		ConfirmedAfter: now.Add(-candidates.ConfirmEvery), Limit: matchPool, Facets: false, Viewer: ViewerOf(s.tokens, e)})
	if err != nil {
		return CandidatePage{}, err
	}
	var ranked []CandidateResult
	loaded, err := s.loadAll(ctx, res.Hits)
	if err != nil {
		return CandidatePage{}, err
	}
	for _, c := range loaded {
		if c.ID == "" || len(Check(c, v, e, now)) > 0 {
			continue
		}
		score, ex := Score(s.tax, c, v, now)
		ranked = append(ranked, CandidateResult{Card: candidates.CardOf(c, now), Score: score, Explanation: ex})
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Score > ranked[j].Score })
	out := CandidatePage{Items: pageOf(ranked, p.offset, p.limit), Total: len(ranked), Page: p.offset/p.limit + 1}
	if err := s.record(ctx, actor, emp, ActionSearchCandidates, map[string]string{"vacancy": string(v.ID), "shown": strconv.Itoa(len(out.Items))}, out.Items); err != nil {
		return CandidatePage{}, err
	}
	return out, nil
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

// IndexCandidate brings a candidate's index document in line with the
// database: indexed while available (confirmation is filtered at query
// time), removed otherwise. Idempotent, for the outbox.
func (s *Service) IndexCandidate(ctx context.Context, id candidates.ID) error {
	c, err := s.candidates.Load(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.index.DeleteCandidate(ctx, string(id))
	}
	if err != nil {
		return err
	}
	if c.Status != candidates.Available {
		return s.index.DeleteCandidate(ctx, string(id))
	}
	return s.index.UpsertCandidates(ctx, []CandidateDoc{CandidateDocOf(s.tax, s.tokens, c)})
}

// IndexCandidates indexes candidates in hand (bulk imports): the available
// ones upserted in one batch, the others removed.
func (s *Service) IndexCandidates(ctx context.Context, cs []candidates.Candidate) error {
	docs := make([]CandidateDoc, 0, len(cs))
	for _, c := range cs {
		if c.Status == candidates.Available {
			docs = append(docs, CandidateDocOf(s.tax, s.tokens, c))
		} else if err := s.index.DeleteCandidate(ctx, string(c.ID)); err != nil {
			return err
		}
	}
	if len(docs) == 0 {
		return nil
	}
	return s.index.UpsertCandidates(ctx, docs)
}

// IndexVacancy brings a vacancy's index document in line: indexed while
// open and its employer active, removed otherwise. Idempotent.
func (s *Service) IndexVacancy(ctx context.Context, id employers.VacancyID) error {
	v, e, err := s.employers.LoadVacancy(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.index.DeleteVacancy(ctx, string(id))
	}
	if err != nil {
		return err
	}
	if v.Status != employers.Open || !e.Active(s.now()) {
		return s.index.DeleteVacancy(ctx, string(id))
	}
	return s.index.UpsertVacancies(ctx, []VacancyDoc{VacancyDocOf(s.tax, v)})
}

// Reindex rebuilds the index from the database, reporting progress.
func (s *Service) Reindex(ctx context.Context, progress func(Progress)) error {
	if err := s.index.Clear(ctx); err != nil {
		return err
	}
	now := s.now()
	total, err := s.candidates.Count(ctx)
	if err != nil {
		return err
	}
	p := Progress{Kind: "candidates", Total: int(total)}
	batch := make([]CandidateDoc, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.index.UpsertCandidates(ctx, batch)
		p.Indexed += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(p)
		}
		return err
	}
	err = s.candidates.Each(ctx, func(c candidates.Candidate) error {
		p.Read++
		if c.Status != candidates.Available {
			return nil
		}
		batch = append(batch, CandidateDocOf(s.tax, s.tokens, c))
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	var vs []VacancyDoc
	read := 0
	err = s.employers.EachVacancy(ctx, func(v employers.Vacancy, e employers.Employer) error {
		read++
		if v.Status == employers.Open && e.Active(now) {
			vs = append(vs, VacancyDocOf(s.tax, v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(vs) > 0 {
		if err := s.index.UpsertVacancies(ctx, vs); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(Progress{Kind: "vacancies", Read: read, Total: read, Indexed: len(vs), Done: true})
	}
	return s.Compact(ctx)
}

// Progress is how far a rebuild is: of one kind, Read of about Total
// records read (Total is an estimate), Indexed of them searchable.
type Progress struct {
	Kind                 string
	Read, Total, Indexed int
	Done                 bool // the last report
}

// Compact merges the index's storage after a bulk load, where the engine
// can (Bleve); queries run markedly faster over one segment.
func (s *Service) Compact(ctx context.Context) error {
	if c, ok := s.index.(Compacter); ok {
		return c.Compact(ctx)
	}
	return nil
}
