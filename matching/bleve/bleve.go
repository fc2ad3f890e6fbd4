// Package bleve is the embedded search engine (the default): two Bleve v2
// indexes, candidates and vacancies, under the data dir, or in memory.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	blv "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/semaphore"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// Index is a matching.Index over Bleve.
type Index struct {
	dir     string // empty: in memory
	created bool   // the on-disk indexes did not exist (or were of an older schema) before Open

	turns      *semaphore.Weighted // searches worked on at once (turns.go)
	mu         sync.RWMutex
	candidates blv.Index
	table      *table // rows of the candidates index's segments
	vacancies  blv.Index
	closed     bool // after Close: a rebuild still running at shutdown stops instead of closing it again
}

var _ matching.Index = (*Index)(nil)

// errClosed is a rebuild of an index that was closed meanwhile.
var errClosed = errors.New("bleve: index closed")

// schemaKey names the internal value holding an index's schema version; an
// index of another version is rebuilt (Created reports it).
const schemaKey = "herstart_schema"

var schemas = map[string]string{"candidates": "6", "vacancies": "2"}

// Open opens (or creates) the indexes under dir; an empty dir keeps them in
// memory.
func Open(dir string) (*Index, error) {
	ix := &Index{dir: dir, table: newTable(), turns: newTurns(0)}
	var err error
	var created bool
	if ix.candidates, created, err = open(dir, "candidates", candidateMapping()); err != nil {
		return nil, err
	}
	ix.created = created
	if ix.vacancies, created, err = open(dir, "vacancies", vacancyMapping()); err != nil {
		_ = ix.candidates.Close()
		return nil, err
	}
	ix.created = ix.created || created
	if err := ix.warm(); err != nil {
		_ = ix.Close()
		return nil, err
	}
	return ix, nil
}

// open opens the named index under dir, creating it when it is absent or of
// another schema version (created is then true for an on-disk index).
func open(dir, name string, m mapping.IndexMapping) (idx blv.Index, created bool, err error) {
	if dir == "" {
		idx, err = blv.NewUsing("", m, scorch.Name, scorch.Name, nil) // scorch without persistence: the candidate table reads its segments
		if err == nil {
			err = idx.SetInternal([]byte(schemaKey), []byte(schemas[name]))
		}
		return idx, false, err
	}
	path := filepath.Join(dir, name+".bleve")
	idx, err = blv.Open(path)
	if err == nil {
		v, gerr := idx.GetInternal([]byte(schemaKey))
		if gerr == nil && string(v) == schemas[name] {
			return idx, false, nil
		}
		_ = idx.Close()
		if err := os.RemoveAll(path); err != nil {
			return nil, false, fmt.Errorf("remove index %s of an older schema: %w", name, err)
		}
	} else if !errors.Is(err, blv.ErrorIndexPathDoesNotExist) {
		return nil, false, fmt.Errorf("open index %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("index dir: %w", err)
	}
	if idx, err = blv.New(path, m); err != nil {
		return nil, false, fmt.Errorf("create index %s: %w", name, err)
	}
	if err := idx.SetInternal([]byte(schemaKey), []byte(schemas[name])); err != nil {
		_ = idx.Close()
		return nil, false, err
	}
	return idx, true, nil
}

// warm builds the candidate table of the current segments.
func (ix *Index) warm() error {
	adv, err := ix.candidates.Advanced()
	if err != nil {
		return err
	}
	return ix.table.warm(adv)
}

func field(f *mapping.FieldMapping) *mapping.FieldMapping {
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	return f
}

func keywordField() *mapping.FieldMapping {
	f := field(mapping.NewKeywordFieldMapping())
	f.Analyzer = keyword.Name
	f.DocValues = true
	return f
}

func textField() *mapping.FieldMapping {
	f := field(mapping.NewTextFieldMapping())
	f.Analyzer = standard.Name
	f.DocValues = false
	return f
}

func numField() *mapping.FieldMapping {
	f := field(mapping.NewNumericFieldMapping())
	f.DocValues = true
	return f
}
func dateField() *mapping.FieldMapping {
	f := field(mapping.NewDateTimeFieldMapping())
	f.DocValues = false
	return f
}

// storedNum is a number kept only to be read back from hits (the exact
// distance check), not searched.
func storedNum() *mapping.FieldMapping {
	f := field(mapping.NewNumericFieldMapping())
	f.Index, f.Store, f.DocValues = false, true, false
	return f
}

func newMapping(fields map[string]*mapping.FieldMapping) *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	for name, f := range fields {
		doc.AddFieldMappingsAt(name, f)
	}
	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = standard.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

func candidateMapping() mapping.IndexMapping {
	// Facets and most filters come from the candidate table (table.go),
	// so no candidate field needs doc values.
	kw := func() *mapping.FieldMapping {
		f := keywordField()
		f.DocValues = false
		return f
	}
	card := field(mapping.NewKeywordFieldMapping())
	card.Index, card.Store, card.DocValues = false, true, false
	return newMapping(map[string]*mapping.FieldMapping{
		"skills": kw(), "explicit_skills": kw(), "trades": kw(), "skill_text": textField(), "certificates": kw(), "province": kw(),
		matching.FieldCell: kw(), matching.FieldCoarseCell: kw(), fieldCard: card, fieldShown: card,
	})
}

func vacancyMapping() mapping.IndexMapping {
	return newMapping(map[string]*mapping.FieldMapping{
		"skills": keywordField(), "nice_skills": keywordField(), "skill_text": textField(), "title": textField(),
		"sector": keywordField(), "risk_areas": keywordField(), "employer": keywordField(), "province": keywordField(),
		"hours": numField(), "start_date": dateField(),
		matching.FieldCell: keywordField(), matching.FieldCoarseCell: keywordField(), "lat": storedNum(), "lon": storedNum(),
	})
}

func candidateFields(d matching.CandidateDoc) map[string]any {
	return map[string]any{
		"skills": d.Skills, "explicit_skills": d.ExplicitSkills, "trades": d.Trades, "skill_text": d.SkillText, "certificates": d.Certificates, "province": d.Province,
		matching.FieldCell: matching.CellOf(d.Lat, d.Lon), matching.FieldCoarseCell: matching.CoarseCellOf(d.Lat, d.Lon),
		fieldCard: encodeCard(d), fieldShown: d.Shown,
	}
}

func vacancyFields(d matching.VacancyDoc) map[string]any {
	return map[string]any{
		"skills": d.Skills, "nice_skills": d.NiceSkills, "skill_text": d.SkillText, "title": d.Title,
		"sector": d.Sector, "risk_areas": d.RiskAreas, "employer": d.EmployerID, "province": d.Province,
		"hours": float64(d.HoursPerWeek), "start_date": d.StartDate,
		matching.FieldCell: matching.CellOf(d.Lat, d.Lon), matching.FieldCoarseCell: matching.CoarseCellOf(d.Lat, d.Lon),
		"lat": d.Lat, "lon": d.Lon,
	}
}

// Created reports whether Open created the indexes afresh, so that a caller
// with data can rebuild them (matching.Service.Reindex).
func (ix *Index) Created() bool { return ix.created }

// UpsertCandidates indexes docs in one batch, replacing earlier versions.
func (ix *Index) UpsertCandidates(ctx context.Context, docs []matching.CandidateDoc) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.candidates.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, candidateFields(d)); err != nil {
			return fmt.Errorf("index candidate %s: %w", d.ID, err)
		}
	}
	return ix.candidates.Batch(b)
}

// DeleteCandidates removes candidates in one batch (one wait for the
// batch to be stored, not one per candidate); removing an absent one is no
// error.
func (ix *Index) DeleteCandidates(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.candidates.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	return ix.candidates.Batch(b)
}

// UpsertVacancies indexes docs in one batch.
func (ix *Index) UpsertVacancies(ctx context.Context, docs []matching.VacancyDoc) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.vacancies.NewBatch()
	for _, d := range docs {
		if err := b.Index(d.ID, vacancyFields(d)); err != nil {
			return fmt.Errorf("index vacancy %s: %w", d.ID, err)
		}
	}
	return ix.vacancies.Batch(b)
}

// DeleteVacancy removes a vacancy.
func (ix *Index) DeleteVacancy(ctx context.Context, id string) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.vacancies.Delete(id)
}

func terms(fieldName string, values []string) []query.Query {
	out := make([]query.Query, 0, len(values))
	for _, v := range values {
		q := blv.NewTermQuery(v)
		q.SetField(fieldName)
		out = append(out, q)
	}
	return out
}

// words matches each unrecognised word in the text fields, with the typo
// allowance set explicitly to Meilisearch's rule (Bleve's "auto" differs):
// one typo from 5 letters, two from 9, and a typo in the first letter
// counts as two — none in a word under 9 letters, and nothing beside it
// from 9. No word is a prefix of a longer one. Each match carries boost
// (a disjunction's own boost is not applied by Bleve).
func words(ws []string, boost float64, fields ...string) []query.Query {
	var out []query.Query
	match := func(w, f string, fuzzy, prefix int) *query.MatchQuery {
		q := blv.NewMatchQuery(w)
		q.SetField(f)
		q.SetFuzziness(fuzzy)
		q.SetPrefix(prefix)
		q.SetBoost(boost)
		return q
	}
	for _, w := range ws {
		for _, f := range fields {
			switch n := taxonomy.Allowed(w); n {
			case 0:
				out = append(out, match(w, f, 0, 0))
			case 1:
				out = append(out, match(w, f, 1, 1))
			default:
				// A typo in the first letter and none beside it: found,
				// and scored as the rarest of matches (the exact word
				// matches both, and must not score twice).
				firstLetter := match(w, f, 1, 0)
				firstLetter.SetBoost(boost * 0.01)
				out = append(out, blv.NewDisjunctionQuery(match(w, f, n, 1), firstLetter))
			}
		}
	}
	return out
}

func numRange(fieldName string, min, max float64, maxInclusive bool) query.Query {
	t, mi := true, maxInclusive
	var pmin, pmax *float64
	if !math.IsInf(min, -1) {
		pmin = &min
	}
	if !math.IsInf(max, 1) {
		pmax = &max
	}
	q := blv.NewNumericRangeInclusiveQuery(pmin, pmax, &t, &mi)
	q.SetField(fieldName)
	return q
}

// cellFilter finds documents whose home cell lies within km of the point:
// a superset, narrowed exactly after.
func cellFilter(g matching.Geo) query.Query {
	field, cells := matching.CellsNear(g.Lat, g.Lon, g.Km)
	return blv.NewDisjunctionQuery(terms(field, cells)...)
}

// day is the day number of t (days since 1970-01-01 UTC): dates are indexed
// as day numbers, whose ranges expand to far fewer terms than a datetime's.
func day(t time.Time) float64 {
	return math.Floor(float64(t.Unix()) / 86400)
}

// exact is the check run applies to each hit when the query had a place:
// the hit's stored fields decide.
type exact func(fields map[string]any) bool

func num(fields map[string]any, name string) float64 {
	f, _ := fields[name].(float64)
	return f
}

// run executes a boolean query: scoring clauses in must (or match-all),
// every condition in one filter conjunction (AddFilter replaces the filter,
// so the conditions are wrapped together), exclusions in must-not. With an
// exact check, it reads hits from the start in growing windows, keeps those
// that pass, and pages over them.
func run(ctx context.Context, idx blv.Index, scoring, filters, exclude []query.Query, offset, limit int, facets map[string]*blv.FacetRequest, check exact) (matching.Result, error) {
	b := blv.NewBooleanQuery()
	if len(scoring) > 0 {
		b.AddMust(blv.NewDisjunctionQuery(scoring...))
	} else {
		b.AddMust(blv.NewMatchAllQuery())
	}
	if len(filters) > 0 {
		b.AddFilter(blv.NewConjunctionQuery(filters...))
	}
	if len(exclude) > 0 {
		b.AddMustNot(exclude...)
	}
	from, size := offset, limit
	if check != nil {
		from, size = 0, (offset+limit)*2+50
	}
	for {
		req := blv.NewSearchRequestOptions(b, size, from, false)
		req.SortBy([]string{"-_score", "_id"})
		for name, f := range facets {
			req.AddFacet(name, f)
		}
		if check != nil {
			req.Fields = []string{"lat", "lon", "travel_km"}
		}
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return matching.Result{}, fmt.Errorf("search: %w", err)
		}
		out := matching.Result{Total: int(res.Total), Hits: make([]matching.Hit, 0, limit)}
		if len(facets) > 0 {
			out.Facets = map[string][]matching.FacetCount{}
			for name, fr := range res.Facets {
				out.Facets[name] = facetCounts(fr)
			}
		}
		if check == nil {
			for _, h := range res.Hits {
				out.Hits = append(out.Hits, matching.Hit{ID: h.ID, Score: h.Score})
			}
			return out, nil
		}
		kept := 0
		for _, h := range res.Hits {
			if !check(h.Fields) {
				continue
			}
			if kept >= offset && len(out.Hits) < limit {
				out.Hits = append(out.Hits, matching.Hit{ID: h.ID, Score: h.Score})
			}
			kept++
		}
		complete := len(res.Hits) < size || uint64(size) >= res.Total
		if complete || len(out.Hits) == limit || size >= 10000 {
			if complete {
				out.Total = kept
			} else if n := len(res.Hits); n > 0 {
				out.Total = int(float64(res.Total) * float64(kept) / float64(n)) // estimated beyond the window read
			}
			return out, nil
		}
		size *= 4
	}
}

func facetCounts(fr *search.FacetResult) []matching.FacetCount {
	out := []matching.FacetCount{}
	for _, t := range fr.Terms.Terms() {
		out = append(out, matching.FacetCount{Value: t.Term, Count: t.Count})
	}
	for _, band := range matching.HoursBands {
		for _, r := range fr.NumericRanges {
			if r.Name == band.Name && r.Count > 0 {
				out = append(out, matching.FacetCount{Value: r.Name, Count: r.Count})
			}
		}
	}
	return out
}

func standardFacets(skillsField string) map[string]*blv.FacetRequest {
	hours := blv.NewFacetRequest("hours", len(matching.HoursBands))
	for _, b := range matching.HoursBands {
		min, max := float64(b.Min), float64(b.Max)+1
		hours.AddNumericRange(b.Name, &min, &max)
	}
	return map[string]*blv.FacetRequest{
		"skills":   blv.NewFacetRequest(skillsField, 20),
		"province": blv.NewFacetRequest("province", 12),
		"hours":    hours,
	}
}

// textBoost weighs a free-label word beside skill codes: a profile the
// codes find ranks above one found only by its words.
const textBoost = 0.01

// tradeBoost weighs a trade a profile claims in its own words (its
// coverage steps add up) below a code it names or claims by name.
const tradeBoost = 0.1

// SearchCandidates answers an employer's search. Bleve finds and scores
// the skill terms or words; the candidate table applies the rest exactly
// (distance with each candidate's travel radius, dates, hours,
// certificates, province) and counts the facets. A query with no skill or
// word narrows by place cells, province or certificates in the index first.
func (ix *Index) SearchCandidates(ctx context.Context, q matching.CandidateQuery) (matching.Result, error) {
	// The codes first: one a profile names as a skill counts twice (in
	// skills, all its codes, and in explicit_skills), one claimed through
	// an occupation word ("metselaar") once; then the trades a profile
	// claims in its own words, by coverage (tradeBoost). Every other word of the query
	// searches the free skill labels too (typo-tolerant), so that a profile
	// whose words no code names is found, ranked after those the codes find.
	scoring := append(terms("skills", q.Skills), terms("explicit_skills", q.Skills)...)
	for _, t := range q.Trades {
		tq := blv.NewTermQuery(t.Token)
		tq.SetField("trades")
		tq.SetBoost(tradeBoost * t.Boost)
		scoring = append(scoring, tq)
	}
	boost := 1.0
	if len(scoring) > 0 {
		boost = textBoost
	}
	scoring = append(scoring, words(matching.ExtraWords(q), boost, "skill_text")...)
	var inner query.Query
	score := ""
	switch {
	case len(scoring) > 0:
		inner = blv.NewDisjunctionQuery(scoring...)
	default:
		score = "none" // no relevance to rank by: the order is by id
		var narrow []query.Query
		if q.Geo != nil {
			narrow = append(narrow, cellFilter(*q.Geo))
		}
		if q.Province != "" {
			narrow = append(narrow, terms("province", []string{q.Province})...)
		}
		narrow = append(narrow, terms("certificates", q.Certificates)...)
		if len(narrow) == 0 {
			inner = blv.NewMatchAllQuery()
		} else if len(narrow) == 1 {
			inner = narrow[0]
		} else {
			inner = blv.NewConjunctionQuery(narrow...)
		}
	}
	done, err := ix.takeTurn(ctx)
	if err != nil {
		return matching.Result{}, err
	}
	defer done()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	f := newFilter(ix.table.names, q)
	req := blv.NewSearchRequestOptions(&tableQuery{inner: inner, table: ix.table, filter: f}, limitOf(q.Limit), q.Offset, false)
	req.SortBy([]string{"-_score", "_id"})
	req.Score = score
	res, err := ix.candidates.SearchInContext(ctx, req)
	if err != nil {
		return matching.Result{}, fmt.Errorf("search: %w", err)
	}
	out := matching.Result{Total: int(res.Total), Hits: make([]matching.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		// The hits are named by their tie keys (tieKey), so bleve cannot
		// load their stored fields itself: read each card by its id.
		id := untie(h.ID)
		shown, err := ix.storedShown(id)
		if err != nil {
			return matching.Result{}, err
		}
		out.Hits = append(out.Hits, matching.Hit{ID: id, Score: h.Score, Shown: shown})
	}
	if q.Facets {
		out.Facets = f.results()
	}
	return out, nil
}

// storedShown reads a candidate's stored card (CandidateDoc.Shown); "" when
// it has none. Under ix.mu.
func (ix *Index) storedShown(id string) (string, error) {
	doc, err := ix.candidates.Document(id)
	if err != nil {
		return "", fmt.Errorf("read card %s: %w", id, err)
	}
	shown := ""
	if doc != nil {
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fieldShown {
				shown = string(f.Value())
			}
		})
	}
	return shown, nil
}

// SearchVacancies answers a probation worker's search for a candidate.
func (ix *Index) SearchVacancies(ctx context.Context, q matching.VacancyQuery) (matching.Result, error) {
	scoring := append(terms("skills", q.Skills), terms("nice_skills", q.Skills)...)
	if len(scoring) == 0 {
		scoring = words(q.Words, 1, "title", "skill_text")
	}
	var filters, exclude []query.Query
	if len(scoring) > 0 {
		filters = append(filters, blv.NewDisjunctionQuery(scoring...))
	}
	var check exact
	if q.Geo != nil {
		g := *q.Geo
		filters = append(filters, cellFilter(g))
		check = func(f map[string]any) bool {
			return places.DistanceKm(g.Lat, g.Lon, num(f, "lat"), num(f, "lon")) <= g.Km
		}
	}
	if q.Province != "" {
		filters = append(filters, terms("province", []string{q.Province})...)
	}
	if q.HoursMax > 0 {
		filters = append(filters, numRange("hours", math.Inf(-1), float64(q.HoursMax), true))
	}
	exclude = append(exclude, terms("sector", q.ExcludeSectors)...)
	exclude = append(exclude, terms("risk_areas", q.ExcludeRisk)...)
	exclude = append(exclude, terms("employer", q.ExcludeEmployer)...)
	var facets map[string]*blv.FacetRequest
	if q.Facets {
		facets = standardFacets("skills")
		facets["sector"] = blv.NewFacetRequest("sector", 20)
	}
	done, err := ix.takeTurn(ctx)
	if err != nil {
		return matching.Result{}, err
	}
	defer done()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return run(ctx, ix.vacancies, scoring, filters, exclude, q.Offset, limitOf(q.Limit), facets, check)
}

func limitOf(n int) int {
	if n <= 0 {
		return 20
	}
	return n
}

// Clear empties both indexes, for a rebuild.
func (ix *Index) Clear(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return errClosed
	}
	ix.table = newTable()
	for _, p := range []struct {
		idx  *blv.Index
		name string
		m    mapping.IndexMapping
	}{{&ix.candidates, "candidates", candidateMapping()}, {&ix.vacancies, "vacancies", vacancyMapping()}} {
		if err := (*p.idx).Close(); err != nil {
			return err
		}
		if ix.dir != "" {
			if err := os.RemoveAll(filepath.Join(ix.dir, p.name+".bleve")); err != nil {
				return err
			}
		}
		idx, _, err := open(ix.dir, p.name, p.m)
		if err != nil {
			return err
		}
		*p.idx = idx
	}
	return nil
}

// Compact merges each index's segments into one, looping because a force
// merge takes at most ten segments a call: after a bulk load, queries over
// one segment run markedly faster.
func (ix *Index) Compact(ctx context.Context) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, idx := range []blv.Index{ix.candidates, ix.vacancies} {
		adv, err := idx.Advanced()
		if err != nil {
			return err
		}
		si, ok := adv.(*scorch.Scorch)
		if !ok {
			continue
		}
		for i := 0; i < 50 && segments(si) > 1; i++ {
			err := si.ForceMerge(ctx, &mergeplan.MergePlanOptions{MaxSegmentsPerTier: 1, MaxSegmentSize: mergeplan.MaxSegmentSizeLimit,
				SegmentsPerMergeTask: 10, FloorSegmentSize: 10000})
			if err != nil {
				return fmt.Errorf("compact: %w", err)
			}
		}
	}
	return ix.warm()
}

// purgeSentinel is the document Purge adds for the length of a merge: never
// confirmed, so no search returns it, and holding nothing of anyone.
const purgeSentinel = "c_purge_sentinel"

// Purge rewrites the candidates index's segments without their deleted
// documents and waits until the files they replace are removed, so that
// an erased candidate's card is gone from the disk. A deletion only marks
// the document in its segment's file, and Bleve's merge planner leaves a
// lone segment alone whatever it holds: Purge adds a sentinel document
// (a second segment once persisted), merges every segment into one, and
// deletes the sentinel again (its mark is all that is left of it).
func (ix *Index) Purge(ctx context.Context) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	adv, err := ix.candidates.Advanced()
	if err != nil {
		return err
	}
	si, ok := adv.(*scorch.Scorch)
	if !ok || ix.dir == "" {
		return nil // in memory: nothing on a disk
	}
	store := filepath.Join(ix.dir, "candidates.bleve", "store")
	before := segmentFiles(store)
	if err := ix.candidates.Index(purgeSentinel, candidateFields(matching.CandidateDoc{ID: purgeSentinel})); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	stat := func(k string) uint64 { n, _ := si.StatsMap()[k].(uint64); return n }
	if err := waitFor(ctx, func() bool { return stat("TotMemorySegmentsAtRoot") == 0 }); err != nil {
		return fmt.Errorf("purge: the sentinel was not persisted: %w", err)
	}
	// A budget of no segments: every segment is merged into one.
	opts := &mergeplan.MergePlanOptions{MaxSegmentsPerTier: 1, MaxSegmentSize: mergeplan.MaxSegmentSizeLimit, SegmentsPerMergeTask: 10, FloorSegmentSize: 10000,
		CalcBudget: func(int64, int64, *mergeplan.MergePlanOptions) int { return 0 }}
	for i := 0; i < 50; i++ {
		if err := si.ForceMerge(ctx, opts); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		if segments(si) <= 1 {
			break
		}
	}
	if err := ix.candidates.Delete(purgeSentinel); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	// The persister removes the replaced files once no snapshot holds them.
	return waitFor(ctx, func() bool {
		for f := range segmentFiles(store) {
			if before[f] {
				return false
			}
		}
		return true
	})
}

// waitFor polls done for up to 10 seconds.
func waitFor(ctx context.Context, done func() bool) error {
	for deadline := time.Now().Add(10 * time.Second); !done(); {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// segmentFiles names the segment files of a scorch store folder.
func segmentFiles(dir string) map[string]bool {
	out := map[string]bool{}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".zap") {
			out[e.Name()] = true
		}
	}
	return out
}

func segments(si *scorch.Scorch) uint64 {
	n, _ := si.StatsMap()["TotFileSegmentsAtRoot"].(uint64)
	return n
}

// Close closes both indexes.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	return errors.Join(ix.candidates.Close(), ix.vacancies.Close())
}
