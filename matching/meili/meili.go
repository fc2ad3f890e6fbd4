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

// Open connects, creates the indexes (uids prefix+"candidates",
// prefix+"vacancies") and applies their settings.
func Open(ctx context.Context, url, apiKey, prefix string, tx *taxonomy.Taxonomy) (*Index, error) {
	ix := &Index{client: ms.New(url, ms.WithAPIKey(apiKey)), candidates: prefix + "candidates", vacancies: prefix + "vacancies"}
	syn := Synonyms(tx)
	for uid, s := range map[string]*ms.Settings{ix.candidates: CandidateSettings(syn), ix.vacancies: VacancySettings(syn)} {
		pk := "id"
		if err := ix.wait(ctx)(ix.client.CreateIndex(ctx, &ms.IndexConfig{Uid: uid, PrimaryKey: pk})); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
			return nil, fmt.Errorf("meilisearch create %s: %w", uid, err)
		}
		if err := ix.wait(ctx)(ix.client.Index(uid).UpdateSettings(ctx, s)); err != nil {
			return nil, fmt.Errorf("meilisearch settings %s: %w", uid, err)
		}
	}
	return ix, nil
}

// typo is Meilisearch's default rule, declared so that the Bleve engine's
// explicit setting has something fixed to agree with.
func typo() *ms.TypoTolerance {
	return &ms.TypoTolerance{Enabled: true, MinWordSizeForTypos: ms.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
		DisableOnWords: []string{}, DisableOnAttributes: []string{}}
}

// CandidateSettings are the candidate index's settings. Changing the
// filterable attributes re-indexes everything: keep the list stable.
func CandidateSettings(syn map[string][]string) *ms.Settings {
	return &ms.Settings{
		SearchableAttributes: []string{"skill_text"},
		FilterableAttributes: []string{"skills", "explicit_skills", "trades", "certificates", "province", "hours", "travel", "available_from", "confirmed_at", "conflict_tokens", "excluded_tokens", "_geo"},
		SortableAttributes:   []string{"tie_available", "tie_confirmed", "id"},
		TypoTolerance:        typo(),
		Synonyms:             syn,
	}
}

// VacancySettings are the vacancy index's settings.
func VacancySettings(syn map[string][]string) *ms.Settings {
	return &ms.Settings{
		SearchableAttributes: []string{"title", "skill_text"},
		FilterableAttributes: []string{"skills", "nice_skills", "sector", "risk_areas", "employer", "province", "hours", "_geo"},
		TypoTolerance:        typo(),
		Synonyms:             syn,
	}
}

// Synonyms lists, for each skill's Dutch and English label and synonyms,
// the others: "heftruck" finds "forklift" in a free skill label.
func Synonyms(tx *taxonomy.Taxonomy) map[string][]string {
	out := map[string][]string{}
	if tx == nil {
		return out
	}
	for _, s := range tx.Skills {
		if s.URI != "" {
			// ESCO's entries: a thousand occupations with a score of labels
			// each would make a settings payload of hundreds of thousands of
			// synonym pairs; they are found by their codes (the skills filter).
			continue
		}
		group := []string{strings.ToLower(s.NL), strings.ToLower(s.EN)}
		for _, x := range s.Synonyms {
			group = append(group, strings.ToLower(x))
		}
		for _, a := range group {
			for _, b := range group {
				if a != b && !contains(out[a], b) {
					out[a] = append(out[a], b)
				}
			}
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
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

// DeleteCandidate removes a candidate.
func (ix *Index) DeleteCandidate(ctx context.Context, id string) error {
	return ix.wait(ctx)(ix.client.Index(ix.candidates).DeleteDocument(ctx, id, nil))
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

func (ix *Index) search(ctx context.Context, uid string, words []string, filter string, offset, limit int, facets, sort []string) (matching.Result, error) {
	req := &ms.SearchRequest{Offset: int64(offset), Limit: int64(limit), Facets: facets, ShowRankingScore: true,
		MatchingStrategy: ms.Last, AttributesToRetrieve: []string{"id", "shown"}, Sort: sort}
	if filter != "" {
		req.Filter = filter
	}
	res, err := ix.client.Index(uid).Search(ctx, strings.Join(words, " "), req)
	if err != nil {
		return matching.Result{}, fmt.Errorf("meilisearch search: %w", err)
	}
	out := matching.Result{Total: int(res.EstimatedTotalHits), Hits: make([]matching.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		var d struct {
			ID    string  `json:"id"`
			Score float64 `json:"_rankingScore"`
			Shown string  `json:"shown"` // candidates only
		}
		if err := h.Decode(&d); err != nil {
			return matching.Result{}, fmt.Errorf("meilisearch hit: %w", err)
		}
		out.Hits = append(out.Hits, matching.Hit{ID: d.ID, Score: d.Score, Shown: d.Shown})
	}
	if len(facets) > 0 {
		var dist map[string]map[string]int
		if err := json.Unmarshal(res.FacetDistribution, &dist); err != nil && len(res.FacetDistribution) > 0 {
			return matching.Result{}, fmt.Errorf("meilisearch facets: %w", err)
		}
		out.Facets = Facets(dist)
	}
	return out, nil
}

// Facets turns Meilisearch's facet distribution into the common shape, with
// hours summed into matching.HoursBands.
func Facets(dist map[string]map[string]int) map[string][]matching.FacetCount {
	out := map[string][]matching.FacetCount{}
	for name, values := range dist {
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
			for _, b := range matching.HoursBands {
				if sums[b.Name] > 0 {
					out["hours"] = append(out["hours"], matching.FacetCount{Value: b.Name, Count: sums[b.Name]})
				}
			}
			continue
		}
		fc := make([]matching.FacetCount, 0, len(values))
		for v, n := range values {
			fc = append(fc, matching.FacetCount{Value: v, Count: n})
		}
		sort.Slice(fc, func(i, j int) bool {
			return fc[i].Count > fc[j].Count || (fc[i].Count == fc[j].Count && fc[i].Value < fc[j].Value)
		})
		out[name] = fc
	}
	return out
}

// SearchCandidates answers an employer's search.
func (ix *Index) SearchCandidates(ctx context.Context, q matching.CandidateQuery) (matching.Result, error) {
	var facets []string
	if q.Facets {
		facets = []string{"skills", "province", "certificates", "hours"}
	}
	extra := matching.ExtraWords(q)
	if len(q.Skills) == 0 {
		return ix.search(ctx, ix.candidates, extra, CandidateFilter(q), q.Offset, limitOf(q.Limit), facets, CandidateSort)
	}
	// Disjoint parts, in this order: the profiles that name a code as a
	// skill; those that claim it through an occupation word; those that
	// claim one of its trades in their own words; those the other words
	// find among the rest (by relevance). The first three are filters in
	// the tie order. Totals and facet counts add up, and a page that runs
	// past one part goes on in the next.
	type part struct {
		words  []string
		filter string
		sort   []string
	}
	parts := []part{{nil, CandidateExplicitFilter(q), CandidateSort}, {nil, CandidateClaimedFilter(q), CandidateSort}}
	if len(q.Trades) > 0 {
		parts = append(parts, part{nil, CandidateTradesFilter(q), CandidateSort})
	}
	if len(extra) > 0 {
		parts = append(parts, part{extra, CandidateWordsFilter(q), nil})
	}
	limit := limitOf(q.Limit)
	out := matching.Result{Hits: []matching.Hit{}}
	offset := q.Offset
	for _, pt := range parts {
		// A limit of 0 is left out of the request (omitempty) and would
		// mean Meilisearch's default of 20: ask for one and drop it.
		room := limit - len(out.Hits)
		r, err := ix.search(ctx, ix.candidates, pt.words, pt.filter, offset, max(room, 1), facets, pt.sort)
		if err != nil {
			return matching.Result{}, err
		}
		if room > 0 {
			out.Hits = append(out.Hits, r.Hits...)
		}
		offset = max(0, offset-r.Total)
		out.Total += r.Total
		out.Facets = addFacets(out.Facets, r.Facets)
	}
	if !q.Facets {
		out.Facets = nil
	}
	return out, nil
}

// addFacets sums two disjoint parts' facet counts (most first, then by value).
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
		fc := make([]matching.FacetCount, 0, len(sum))
		for v, n := range sum {
			fc = append(fc, matching.FacetCount{Value: v, Count: n})
		}
		sort.Slice(fc, func(i, j int) bool {
			return fc[i].Count > fc[j].Count || (fc[i].Count == fc[j].Count && fc[i].Value < fc[j].Value)
		})
		out[name] = fc
	}
	return out
}

// SearchVacancies answers a probation worker's search.
func (ix *Index) SearchVacancies(ctx context.Context, q matching.VacancyQuery) (matching.Result, error) {
	var facets []string
	if q.Facets {
		facets = []string{"skills", "province", "sector", "hours"}
	}
	var words []string
	if len(q.Skills) == 0 {
		words = q.Words
	}
	return ix.search(ctx, ix.vacancies, words, VacancyFilter(q), q.Offset, limitOf(q.Limit), facets, nil)
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
