package matching

import (
	"context"
	"strconv"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

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
	Facets map[string][]FacetCount `json:"facets,omitempty"` // none for matches
	// Corrected is the query as searched when the one typed found nobody
	// and a word of it was one letter off a phrase the taxonomy knows.
	Corrected string `json:"corrected,omitempty"`
}

type parsed struct {
	skills, words []string
	trades        []string // what the query's own words describe (taxonomy.QueryTrades)
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
		p.trades = s.tax.QueryTrades(text)
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
	if withinKm != 0 && place == "" {
		f.Add("within_km", "is only with a place")
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
	if !s.searches.Allow(string(actor.UserID), now) {
		return CandidatePage{}, apperr.Errorf(apperr.TooManyRequests, "Too many searches. Wait a minute and try again.")
	}
	query := func(p parsed) CandidateQuery {
		return CandidateQuery{
			Skills: p.skills, Words: p.words, Trades: TradeTerms(s.tax, append(p.skills, p.trades...)), Geo: p.geo, Province: p.province, Certificates: certs, HoursMin: in.HoursMin,
			AvailableBefore: before, ConfirmedAfter: now.Add(-candidates.ConfirmEvery), Offset: p.offset, Limit: p.limit, Facets: true,
			Viewer: ViewerOf(s.tokens, emp),
		}
	}
	res, err := s.index.SearchCandidates(ctx, query(p))
	if err != nil {
		return CandidatePage{}, err
	}
	// A query that found nobody, with a word the taxonomy could not place,
	// is searched once more with that word corrected ("smit": smid), and
	// the page says so (taxonomy.Correct).
	text, corrected := in.Q, ""
	if res.Total == 0 && len(p.words) > 0 {
		if c, ok := s.tax.Correct(in.Q); ok {
			var again apperr.Fields
			if pc := s.parse(&again, c, in.Place, in.Province, in.WithinKm, in.Page, in.PerPage); again.Err() == nil {
				rc, err := s.index.SearchCandidates(ctx, query(pc))
				if err != nil {
					return CandidatePage{}, err
				}
				if rc.Total > 0 {
					res, p, text, corrected = rc, pc, c, c
				}
			}
		}
	}
	out := CandidatePage{Items: []CandidateResult{}, Total: res.Total, Page: p.offset/p.limit + 1, Facets: res.Facets, Corrected: corrected}
	probe := employers.Vacancy{Title: text, HoursPerWeek: in.HoursMin, StartDate: now}
	if p.place != nil {
		probe.Place = employers.Place{Lat: p.place.Lat, Lon: p.place.Lon}
	} // else no place: the explanation says nothing about distance
	// The cards come from the index (shown.go); a hit indexed before it
	// kept cards is read from the database and checked there.
	var old []Hit
	cards := make(map[string]CandidateResult, len(res.Hits))
	sc := NewScorer(s.tax, probe, now)
	for _, h := range res.Hits {
		sh, ok := s.shownHit(h)
		if !ok {
			old = append(old, h)
			continue
		}
		if !visibleShown(sh, p.place, now) {
			continue // the index lagged, or a rule the index cannot hold
		}
		score, ex := sc.Score(sh.candidate())
		cards[h.ID] = CandidateResult{Card: sh.Card, Score: score, Explanation: ex}
	}
	loaded, err := s.loadAll(ctx, old)
	if err != nil {
		return CandidatePage{}, err
	}
	for _, c := range loaded {
		if c.ID == "" || !s.visibleTo(c, emp, p.place, now) {
			continue // gone since it was indexed, the index lagged, or a rule the index cannot hold
		}
		score, ex := sc.Score(c)
		cards[string(c.ID)] = CandidateResult{Card: candidates.CardOf(c, now), Score: score, Explanation: ex}
	}
	for _, h := range res.Hits { // in the engine's order
		if r, ok := cards[h.ID]; ok {
			out.Items = append(out.Items, r)
		}
	}
	details := map[string]string{
		"q": truncate(in.Q, 100), "place": in.Place, "within_km": strconv.Itoa(in.WithinKm), "page": strconv.Itoa(out.Page), "shown": strconv.Itoa(len(out.Items)),
	}
	if corrected != "" {
		details["searched_as"] = truncate(corrected, 100)
	}
	if err := s.record(ctx, actor, emp, ActionSearchCandidates, details, out.Items); err != nil {
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
	if c.HiddenFrom(string(e.ID), e.KvK, e.Sectors) {
		return false
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
// — and counts the different candidates shown to the organisation today
// (countReach), flagging it once when that number passes the limit: paging
// through far more profiles than hiring needs looks like scraping.
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
	s.countReach(ctx, e, ids)
	return nil
}
