// Package meili is the Meilisearch engine, used when MEILI_URL is set: two
// indexes whose settings (searchable, filterable, typo tolerance, synonyms
// from the taxonomy) are declared at start, and every write waited for —
// Meilisearch reports a write's error only on its task.
package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/taxonomy"
)

// Index is a matching.Index over Meilisearch.
type Index struct {
	client     ms.ServiceManager
	candidates string // index uids
	vacancies  string
}

var _ matching.Index = (*Index)(nil)

// MinVersion is the oldest Meilisearch this adapter works with: index
// compaction (Purge) came in 1.23; the settings it sends (typo tolerance
// with disableOnNumbers, which meilisearch-go always sends, 1.15; prefix
// search off, 1.12) and federated search with merged facets (1.11) are
// older.
const MinVersion = "1.23.0"

// Open connects, checks the server's version (MinVersion), creates the
// indexes (uids prefix+"candidates", prefix+"vacancies") and applies their
// settings.
func Open(ctx context.Context, url, apiKey, prefix string, tx *taxonomy.Taxonomy) (*Index, error) {
	ix := &Index{client: ms.New(url, ms.WithAPIKey(apiKey)), candidates: prefix + "candidates", vacancies: prefix + "vacancies"}
	v, err := ix.client.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("meilisearch version: %w", err)
	}
	if !AtLeast(v.PkgVersion, MinVersion) {
		return nil, fmt.Errorf("meilisearch %s at %s is older than %s, the oldest this service works with (README, \"Meilisearch\")", v.PkgVersion, url, MinVersion)
	}
	for uid, s := range map[string]*ms.Settings{ix.candidates: CandidateSettings(), ix.vacancies: VacancySettings()} {
		pk := "id"
		if err := ix.wait(ctx)(ix.client.CreateIndex(ctx, &ms.IndexConfig{Uid: uid, PrimaryKey: pk})); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
			return nil, fmt.Errorf("meilisearch create %s: %w", uid, err)
		}
		if err := ix.wait(ctx)(ix.client.Index(uid).UpdateSettings(ctx, s)); err != nil {
			return nil, fmt.Errorf("meilisearch settings %s: %w", uid, err)
		}
		// Synonyms of earlier versions go: the words that reach the engine
		// are those the taxonomy did not know, so no synonym of its ever
		// applied (decisions.md 48).
		if err := ix.wait(ctx)(ix.client.Index(uid).ResetSynonyms(ctx)); err != nil {
			return nil, fmt.Errorf("meilisearch synonyms %s: %w", uid, err)
		}
	}
	return ix, nil
}

// AtLeast reports whether version (as Meilisearch reports it: "1.23.0",
// maybe with a suffix such as "-rc.1") is min or later.
func AtLeast(version, min string) bool {
	parse := func(v string) [3]int {
		var out [3]int
		v, _, _ = strings.Cut(strings.TrimPrefix(v, "v"), "-")
		for i, p := range strings.SplitN(v, ".", 3) {
			out[i], _ = strconv.Atoi(p)
		}
		return out
	}
	a, b := parse(version), parse(min)
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return true
}

// typo is Meilisearch's default rule, declared so that the Bleve engine's
// explicit setting has something fixed to agree with.
func typo() *ms.TypoTolerance {
	return &ms.TypoTolerance{Enabled: true, MinWordSizeForTypos: ms.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
		DisableOnWords: []string{}, DisableOnAttributes: []string{}}
}

// MaxTotalHits is how many hits a search may count and page through
// (Meilisearch's default, 1,000, would end every list at the thousandth
// hit): more than the register will hold.
const MaxTotalHits = 1_000_000

// MaxFacetValues is how many values of a facet Meilisearch counts (its
// default is 100, chosen alphabetically): more than the taxonomy has
// codes, so that summing parts and cutting to matching.FacetSizes gives
// the embedded engine's facets.
const MaxFacetValues = 5000

// settings are what both indexes share: Meilisearch's own typo rule made
// explicit, no prefix search (the last word of a query would find every
// longer word it starts: the embedded engine matches words), totals and
// facets that do not stop at its defaults.
func settings() ms.Settings {
	off := "disabled"
	return ms.Settings{
		TypoTolerance: typo(),
		PrefixSearch:  &off,
		Pagination:    &ms.Pagination{MaxTotalHits: MaxTotalHits},
		Faceting:      &ms.Faceting{MaxValuesPerFacet: MaxFacetValues, SortFacetValuesBy: map[string]ms.SortFacetType{"*": ms.SortFacetTypeCount}},
	}
}

// CandidateSettings are the candidate index's settings. Changing the
// filterable attributes re-indexes everything: keep the list stable.
func CandidateSettings() *ms.Settings {
	s := settings()
	s.SearchableAttributes = []string{"skill_text"}
	s.FilterableAttributes = []string{"skills", "explicit_skills", "trades", "certificates", "province", "hours", "travel", "available_from", "confirmed_at", "conflict_tokens", "excluded_tokens", "_geo"}
	s.SortableAttributes = []string{"tie_available", "tie_confirmed", "id"}
	return &s
}

// VacancySettings are the vacancy index's settings.
func VacancySettings() *ms.Settings {
	s := settings()
	s.SearchableAttributes = []string{"title", "skill_text"}
	s.FilterableAttributes = []string{"skills", "nice_skills", "sector", "risk_areas", "employer", "province", "hours", "_geo"}
	s.SortableAttributes = []string{"id"}
	return &s
}

// wait turns a write's task into its outcome.
func (ix *Index) wait(ctx context.Context) func(*ms.TaskInfo, error) error {
	return func(ti *ms.TaskInfo, err error) error {
		if err != nil {
			return err
		}
		t, err := ix.client.WaitForTask(ctx, ti.TaskUID, 20*time.Millisecond)
		if err != nil {
			return err
		}
		if t.Status != ms.TaskStatusSucceeded {
			return fmt.Errorf("meilisearch task %d %s: %s (%s)", t.UID, t.Status, t.Error.Message, t.Error.Code)
		}
		return nil
	}
}

type geoDoc struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// CandidateDocument is a candidate as sent to Meilisearch.
func CandidateDocument(d matching.CandidateDoc) map[string]any {
	return map[string]any{
		"id": d.ID, "skills": nn(d.Skills), "explicit_skills": nn(d.ExplicitSkills), "trades": nn(d.Trades), "occupations": nn(d.Occupations), "skill_text": d.SkillText,
		"certificates": nn(d.Certificates), "languages": nn(d.Languages), "province": d.Province,
		"hours": d.HoursPerWeek, "travel": d.TravelRadiusKm,
		"available_from": d.AvailableFrom.Unix(), "confirmed_at": d.ConfirmedAt.Unix(),
		"tie_available": max(unixDay(d.AvailableFrom), unixDay(time.Now())), "tie_confirmed": unixDay(d.ConfirmedAt),
		"conflict_tokens": nn(d.ConflictTokens), "excluded_tokens": nn(d.ExcludedTokens),
		"_geo": geoDoc{Lat: d.Lat, Lng: d.Lon}, "shown": d.Shown,
	}
}

// CandidateSort breaks ties as the embedded engine does (matching/bleve's
// tieKey): available sooner (everyone available when indexed counts as that
// day), confirmed more recently, then id. Meilisearch applies it as its
// "sort" ranking rule, after the relevance rules that precede it.
var CandidateSort = []string{"tie_available:asc", "tie_confirmed:desc", "id:asc"}

func unixDay(t time.Time) int64 { return int64(math.Floor(float64(t.Unix()) / 86400)) }

func vacancyDocument(d matching.VacancyDoc) map[string]any {
	return map[string]any{
		"id": d.ID, "employer": d.EmployerID, "title": d.Title, "skills": nn(d.Skills), "nice_skills": nn(d.NiceSkills),
		"skill_text": d.SkillText, "sector": d.Sector, "risk_areas": nn(d.RiskAreas), "province": d.Province,
		"hours": d.HoursPerWeek, "start_date": d.StartDate.Unix(), "_geo": geoDoc{Lat: d.Lat, Lng: d.Lon},
	}
}

func nn(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// UpsertCandidates adds or replaces docs and waits for the task.
func (ix *Index) UpsertCandidates(ctx context.Context, docs []matching.CandidateDoc) error {
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		out[i] = CandidateDocument(d)
	}
	return ix.add(ctx, ix.candidates, out)
}

// DeleteCandidates removes candidates in one task.
func (ix *Index) DeleteCandidates(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return ix.wait(ctx)(ix.client.Index(ix.candidates).DeleteDocuments(ctx, ids, nil))
}

// Purge compacts the candidates index (Meilisearch 1.23 and later), so that
// deleted documents leave its files, and waits for the task.
func (ix *Index) Purge(ctx context.Context) error {
	return ix.wait(ctx)(ix.client.Index(ix.candidates).Compact(ctx))
}

// UpsertVacancies adds or replaces docs and waits for the task.
func (ix *Index) UpsertVacancies(ctx context.Context, docs []matching.VacancyDoc) error {
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		out[i] = vacancyDocument(d)
	}
	return ix.add(ctx, ix.vacancies, out)
}

// add adds or replaces docs in index uid, keyed by "id", and waits for the
// task.
func (ix *Index) add(ctx context.Context, uid string, docs []map[string]any) error {
	pk := "id"
	return ix.wait(ctx)(ix.client.Index(uid).AddDocuments(ctx, docs, &ms.DocumentOptions{PrimaryKey: &pk}))
}

// DeleteVacancy removes a vacancy.
func (ix *Index) DeleteVacancy(ctx context.Context, id string) error {
	return ix.wait(ctx)(ix.client.Index(ix.vacancies).DeleteDocument(ctx, id, nil))
}

// request is one search of a multi-search: the candidate fields the
// service reads, the ranking score, the tie order.
func request(uid, words, filter string, offset, limit int, facets, sort []string) *ms.SearchRequest {
	// A limit of 0 would be left out of the request (omitempty) and mean
	// Meilisearch's default of 20: callers ask for one and drop it.
	req := &ms.SearchRequest{IndexUID: uid, Query: words, Offset: int64(offset), Limit: int64(max(limit, 1)), Facets: facets,
		ShowRankingScore: true, MatchingStrategy: ms.All, AttributesToRetrieve: []string{"id", "shown"}, Sort: sort}
	if filter != "" {
		req.Filter = filter
	}
	return req
}

// hits decodes a response's hits.
func hits(raw ms.Hits) ([]matching.Hit, error) {
	out := make([]matching.Hit, 0, len(raw))
	for _, h := range raw {
		var d struct {
			ID    string  `json:"id"`
			Score float64 `json:"_rankingScore"`
			Shown string  `json:"shown"` // candidates only
		}
		if err := h.Decode(&d); err != nil {
			return nil, fmt.Errorf("meilisearch hit: %w", err)
		}
		out = append(out, matching.Hit{ID: d.ID, Score: d.Score, Shown: d.Shown})
	}
	return out, nil
}

// facetsOf decodes a facet distribution.
func facetsOf(raw []byte) (map[string][]matching.FacetCount, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string][]matching.FacetCount{}, nil
	}
	var dist map[string]map[string]int
	if err := json.Unmarshal(raw, &dist); err != nil {
		return nil, fmt.Errorf("meilisearch facets: %w", err)
	}
	return Facets(dist), nil
}

// multi runs searches in one request and gives each one's result (hits
// dropped where a search asked for none: limit 0).
func (ix *Index) multi(ctx context.Context, reqs []*ms.SearchRequest, limits []int) ([]matching.Result, error) {
	res, err := ix.client.MultiSearch(ctx, &ms.MultiSearchRequest{Queries: reqs})
	if err != nil {
		return nil, fmt.Errorf("meilisearch search: %w", err)
	}
	if len(res.Results) != len(reqs) {
		return nil, fmt.Errorf("meilisearch search: %d results for %d searches", len(res.Results), len(reqs))
	}
	out := make([]matching.Result, len(reqs))
	for i, r := range res.Results {
		if out[i].Hits, err = hits(r.Hits); err != nil {
			return nil, err
		}
		if limits[i] == 0 {
			out[i].Hits = nil
		}
		out[i].Total = int(r.EstimatedTotalHits)
		if len(reqs[i].Facets) > 0 {
			if out[i].Facets, err = facetsOf(r.FacetDistribution); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// anyWord finds the profiles that have any of words (each with the typo
// rule), as one federated search of a query a word: Meilisearch counts and
// returns each profile once, at its best rank, and the tie order breaks
// ties. One query of all the words would keep only the profiles that have
// the first (matchingStrategy "last").
func (ix *Index) anyWord(ctx context.Context, uid string, words []string, filter string, offset, limit int, facets, sort []string) (matching.Result, error) {
	fed := &ms.MultiSearchFederation{Offset: int64(offset), Limit: int64(max(limit, 1))}
	if len(facets) > 0 {
		fed.FacetsByIndex = map[string][]string{uid: facets}
		fed.MergeFacets = &ms.MultiSearchFederationMergeFacets{MaxValuesPerFacet: MaxFacetValues}
	}
	req := &ms.MultiSearchRequest{Federation: fed}
	for _, w := range words {
		q := request(uid, w, filter, 0, 0, nil, sort)
		q.Offset, q.Limit = 0, 0 // the federation pages
		req.Queries = append(req.Queries, q)
	}
	res, err := ix.client.MultiSearch(ctx, req)
	if err != nil {
		return matching.Result{}, fmt.Errorf("meilisearch search: %w", err)
	}
	out := matching.Result{Total: int(res.EstimatedTotalHits)}
	if out.Hits, err = hits(res.Hits); err != nil {
		return matching.Result{}, err
	}
	if limit == 0 {
		out.Hits = nil
	}
	if len(facets) > 0 {
		raw, err := json.Marshal(res.FacetDistribution)
		if err != nil {
			return matching.Result{}, err
		}
		if out.Facets, err = facetsOf(raw); err != nil {
			return matching.Result{}, err
		}
	}
	return out, nil
}

// Facets turns Meilisearch's facet distribution into the common shape:
// values by count (most first, then by value), as many as the embedded
// engine gives (matching.FacetSizes), hours summed into
// matching.HoursBands.
func Facets(dist map[string]map[string]int) map[string][]matching.FacetCount {
	out := map[string][]matching.FacetCount{}
	for name, values := range dist {
		if fc := facetCounts(name, values); len(fc) > 0 {
			out[name] = fc
		}
	}
	return out
}

func facetCounts(name string, values map[string]int) []matching.FacetCount {
	if name == "hours" {
		sums := map[string]int{}
		for v, n := range values {
			h, _ := strconv.Atoi(v)
			for _, b := range matching.HoursBands {
				if h >= b.Min && h <= b.Max {
					sums[b.Name] += n
				}
			}
		}
		var out []matching.FacetCount
		for _, b := range matching.HoursBands {
			if sums[b.Name] > 0 {
				out = append(out, matching.FacetCount{Value: b.Name, Count: sums[b.Name]})
			}
		}
		return out
	}
	fc := make([]matching.FacetCount, 0, len(values))
	for v, n := range values {
		if n > 0 {
			fc = append(fc, matching.FacetCount{Value: v, Count: n})
		}
	}
	sort.Slice(fc, func(i, j int) bool {
		return fc[i].Count > fc[j].Count || (fc[i].Count == fc[j].Count && fc[i].Value < fc[j].Value)
	})
	if size, ok := matching.FacetSizes[name]; ok && len(fc) > size {
		fc = fc[:size]
	}
	return fc
}

// Windows is what a page [offset, offset+limit) needs of disjoint parts in
// order, given their totals: per part the offset in it and how many hits
// ({0, 0}: none), and where in the parts after them the page goes on (the
// offset past all of them, and how many it still needs).
func Windows(totals []int, offset, limit int) (w [][2]int, restOffset, restLimit int) {
	w = make([][2]int, len(totals))
	pos, need, before := offset, limit, 0
	for i, total := range totals {
		if need > 0 && pos < before+total {
			start := pos - before
			n := min(need, total-start)
			w[i] = [2]int{start, n}
			pos, need = pos+n, need-n
		}
		before += total
	}
	return w, max(0, pos-before), need
}

// SearchCandidates answers an employer's search. Without codes it is one
// search (any of its words, or none). With codes it runs disjoint parts in
// order (CandidateParts): those that name a code, those that claim one by
// an occupation word, those that claim one of its trades in their own
// words (the better covered first), then those any other word finds. The
// filter parts go in one multi-search: for the first page each at the
// page's window; further on, first their totals and then, in a second, the
// windows the page needs of them (Windows). Totals and facet counts add
// up; a page that runs past one part goes on in the next.
func (ix *Index) SearchCandidates(ctx context.Context, q matching.CandidateQuery) (matching.Result, error) {
	var facets []string
	if q.Facets {
		facets = []string{"skills", "province", "certificates", "hours"}
	}
	limit := limitOf(q.Limit)
	extra := matching.ExtraWords(q)
	if len(q.Skills) == 0 {
		if len(extra) == 0 {
			r, err := ix.multi(ctx, []*ms.SearchRequest{request(ix.candidates, "", CandidateFilter(q), q.Offset, limit, facets, CandidateSort)}, []int{limit})
			if err != nil {
				return matching.Result{}, err
			}
			if !q.Facets {
				r[0].Facets = nil
			}
			return r[0], nil
		}
		r, err := ix.anyWord(ctx, ix.candidates, extra, CandidateFilter(q), q.Offset, limit, facets, CandidateSort)
		if !q.Facets {
			r.Facets = nil
		}
		return r, err
	}
	parts := CandidateParts(q)
	first := q.Offset == 0
	reqs, limits := make([]*ms.SearchRequest, len(parts)), make([]int, len(parts))
	for i, f := range parts {
		if first {
			limits[i] = limit
		}
		reqs[i] = request(ix.candidates, "", f, 0, limits[i], facets, CandidateSort)
	}
	res, err := ix.multi(ctx, reqs, limits)
	if err != nil {
		return matching.Result{}, err
	}
	out := matching.Result{Hits: []matching.Hit{}}
	totals := make([]int, len(res))
	for i, r := range res {
		totals[i] = r.Total
		out.Total += r.Total
		out.Facets = addFacets(out.Facets, r.Facets)
	}
	windows, restOffset, restLimit := Windows(totals, q.Offset, limit)
	if first {
		for i, w := range windows {
			out.Hits = append(out.Hits, res[i].Hits[:min(len(res[i].Hits), w[1])]...)
		}
	} else {
		var again []*ms.SearchRequest
		var lims []int
		for i, w := range windows {
			if w[1] > 0 {
				again = append(again, request(ix.candidates, "", parts[i], w[0], w[1], nil, CandidateSort))
				lims = append(lims, w[1])
			}
		}
		if len(again) > 0 {
			page, err := ix.multi(ctx, again, lims)
			if err != nil {
				return matching.Result{}, err
			}
			for _, r := range page {
				out.Hits = append(out.Hits, r.Hits...)
			}
		}
	}
	if len(extra) > 0 {
		// Any of the other words, among the profiles no part above holds.
		r, err := ix.anyWord(ctx, ix.candidates, extra, CandidateWordsFilter(q), restOffset, restLimit, facets, CandidateSort)
		if err != nil {
			return matching.Result{}, err
		}
		out.Hits = append(out.Hits, r.Hits...)
		out.Total += r.Total
		out.Facets = addFacets(out.Facets, r.Facets)
	}
	if !q.Facets {
		out.Facets = nil
	}
	return out, nil
}

// addFacets sums two disjoint parts' facet counts (most first, then by
// value, cut to matching.FacetSizes). Each part counted every value
// (MaxFacetValues), so the sum is the whole's count.
func addFacets(a, b map[string][]matching.FacetCount) map[string][]matching.FacetCount {
	out := map[string][]matching.FacetCount{}
	for _, name := range []string{"skills", "province", "certificates", "hours"} {
		sum := map[string]int{}
		for _, part := range []map[string][]matching.FacetCount{a, b} {
			for _, fc := range part[name] {
				sum[fc.Value] += fc.Count
			}
		}
		if len(sum) == 0 {
			continue
		}
		if name == "hours" { // already in bands
			for _, b := range matching.HoursBands {
				if sum[b.Name] > 0 {
					out[name] = append(out[name], matching.FacetCount{Value: b.Name, Count: sum[b.Name]})
				}
			}
			continue
		}
		out[name] = facetCounts(name, sum)
	}
	return out
}

// VacancySort orders vacancies as the embedded engine does when relevance
// ties: by id.
var VacancySort = []string{"id:asc"}

// SearchVacancies answers a probation worker's search.
func (ix *Index) SearchVacancies(ctx context.Context, q matching.VacancyQuery) (matching.Result, error) {
	var facets []string
	if q.Facets {
		facets = []string{"skills", "province", "sector", "hours"}
	}
	limit := limitOf(q.Limit)
	if len(q.Skills) == 0 && len(q.Words) > 0 {
		return ix.anyWord(ctx, ix.vacancies, q.Words, VacancyFilter(q), q.Offset, limit, facets, VacancySort)
	}
	r, err := ix.multi(ctx, []*ms.SearchRequest{request(ix.vacancies, "", VacancyFilter(q), q.Offset, limit, facets, VacancySort)}, []int{limit})
	if err != nil {
		return matching.Result{}, err
	}
	return r[0], nil
}

func limitOf(n int) int {
	if n <= 0 {
		return 20
	}
	return n
}

// Clear empties both indexes.
func (ix *Index) Clear(ctx context.Context) error {
	return errors.Join(
		ix.wait(ctx)(ix.client.Index(ix.candidates).DeleteAllDocuments(ctx, nil)),
		ix.wait(ctx)(ix.client.Index(ix.vacancies).DeleteAllDocuments(ctx, nil)),
	)
}

// Drop deletes both indexes (tests).
func (ix *Index) Drop(ctx context.Context) error {
	return errors.Join(
		ix.wait(ctx)(ix.client.DeleteIndex(ctx, ix.candidates)),
		ix.wait(ctx)(ix.client.DeleteIndex(ctx, ix.vacancies)),
	)
}

// Close releases nothing: the client holds no connection of its own.
func (ix *Index) Close() error { return nil }
