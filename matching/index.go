package matching

import (
	"context"
	"slices"
	"strings"
	"time"
)

// CandidateDoc is what the search index holds about a candidate: only
// disclosure-level-0 fields (DESIGN.md), so no query and no bug in a page can
// leak more. Names, birth dates, contact details, restrictions, conflict lists
// and risk-area conflicts are never indexed; the service re-checks those on
// the hits before they leave it.
type CandidateDoc struct {
	ID             string
	Skills         []string // taxonomy skill codes
	SkillText      string   // the free skill labels, for words the taxonomy does not know
	ExplicitSkills []string // the codes named as skills, not claimed through an occupation word: they rank first
	Trades         []string // the trades (ESCO occupations) the free labels describe in their own words, with coverage steps (trades.go)
	Occupations    []string // taxonomy occupation codes
	Certificates   []string
	Languages      []string
	HoursPerWeek   int
	AvailableFrom  time.Time
	Place          string
	Province       string
	Lat, Lon       float64
	TravelRadiusKm int
	AgeBand        string
	ConfirmedAt    time.Time
	// Hidden from: keyed hashes (Tokens.Of) of the employer ids and KvK
	// numbers on the candidate's conflict list, and of the sectors the
	// candidate excludes. The engine compares them with a query's Viewer so
	// that totals, facets and pages never count a candidate the asking
	// employer may not see; the index itself holds no employer id, KvK
	// number or sector of a conflict list.
	ConflictTokens []string
	ExcludedTokens []string
	// Shown is the card (level 0) and the facts the service re-checks, as
	// the service encodes them (shown.go): the engines keep it, search
	// nothing in it and return it with each hit.
	Shown string
}

// VacancyDoc is what the index holds about an open vacancy of an active
// employer.
type VacancyDoc struct {
	ID             string
	EmployerID     string
	Title          string
	Skills         []string // required skill codes
	NiceSkills     []string
	SkillText      string
	Sector         string
	RiskAreas      []string
	HoursPerWeek   int
	StartDate      time.Time
	Place          string
	Province       string
	Lat, Lon       float64
	ShiftStartsMin []int // minutes after midnight
	ShiftEndsMin   []int
}

// Geo limits results to those within Km of a point.
type Geo struct {
	Lat, Lon float64
	Km       float64
}

// CandidateQuery is an employer's search, resolved: skill codes from the
// taxonomy, the rest as words.
type CandidateQuery struct {
	Skills          []string    // any of these skill codes
	Words           []string    // words the taxonomy did not recognise, matched in skill labels (typo-tolerant); beside Skills they find, ranked after, profiles whose words no code names (see ExtraWords)
	Trades          []TradeTerm // the trades among Skills and their ISCO group: profiles that claim them in their own words, ranked after those the codes find
	Geo             *Geo        // the job's place and radius; the candidate's own travel radius is honoured too
	Province        string
	Certificates    []string // all of these
	HoursMin        int
	AvailableBefore time.Time // available from on or before
	ConfirmedAfter  time.Time // confirmed within the last 30 days
	Offset, Limit   int
	Facets          bool
	Viewer          *Viewer // the asking employer; nil: no one is hidden (benchmarks, tests)
}

// Viewer is the asking employer as the engines compare it with a
// candidate's ConflictTokens and ExcludedTokens: a candidate is hidden when
// one of Tokens is on its conflict list, or when every one of Sectors (at
// least one) is excluded.
type Viewer struct {
	Tokens  []string // keyed hashes of the employer's id and KvK number
	Sectors []string // keyed hashes of the employer's sectors
}

// Hides reports whether v may not see a candidate with these tokens: the
// rule both engines apply, written once for tests and the service.
func (v *Viewer) Hides(conflicts, excluded []string) bool {
	if v == nil {
		return false
	}
	for _, t := range v.Tokens {
		if slices.Contains(conflicts, t) {
			return true
		}
	}
	if len(v.Sectors) == 0 {
		return false
	}
	for _, s := range v.Sectors {
		if !slices.Contains(excluded, s) {
			return false
		}
	}
	return true
}

// VacancyQuery is a probation worker's search for a candidate, with the
// candidate's restrictions as filters.
type VacancyQuery struct {
	Skills          []string // any of these, required or nice to have
	Words           []string // matched in title and skill labels; used only when Skills is empty
	Geo             *Geo
	Province        string
	ExcludeSectors  []string
	ExcludeRisk     []string // risk areas the candidate must not meet
	ExcludeEmployer []string
	HoursMax        int
	Offset, Limit   int
	Facets          bool
}

// Hit is one result: an id, the engine's relevance score, and for a
// candidate the CandidateDoc.Shown the index holds.
type Hit struct {
	ID    string
	Score float64
	Shown string
}

// FacetCount is one value of a facet and how many results have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is a page of hits, the total, and facets when asked.
type Result struct {
	Hits   []Hit
	Total  int
	Facets map[string][]FacetCount // skills, province, certificates, hours
}

// Index is a search engine holding candidate cards and vacancies. Two
// implementations: matching/bleve (embedded, the default) and matching/meili
// (Meilisearch); matching/indextest runs one conformance suite against both.
type Index interface {
	UpsertCandidates(ctx context.Context, docs []CandidateDoc) error
	// DeleteCandidates removes candidates in one batch; absent ones are no error.
	DeleteCandidates(ctx context.Context, ids ...string) error
	UpsertVacancies(ctx context.Context, docs []VacancyDoc) error
	DeleteVacancy(ctx context.Context, id string) error
	SearchCandidates(ctx context.Context, q CandidateQuery) (Result, error)
	SearchVacancies(ctx context.Context, q VacancyQuery) (Result, error)
	// Clear removes everything, for a rebuild.
	Clear(ctx context.Context) error
	Close() error
}

// TravelBands are the steps in which a candidate's travel radius is
// expressed to the engines: a candidate whose radius lies in
// [TravelBands[i], TravelBands[i+1]) is found when the job lies within
// TravelBands[i] of home. Conservative by at most one band; the service
// checks the exact distance after.
var TravelBands = []int{0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 150, 200, 300}

// FacetSizes are how many values of each facet an engine returns, the most
// frequent first (then by value); hours come in HoursBands.
var FacetSizes = map[string]int{"skills": 20, "province": 12, "certificates": 20, "sector": 20}

// HoursBands are the buckets of the hours facet.
var HoursBands = []struct {
	Name     string
	Min, Max int // inclusive
}{
	{"1-16", 1, 16}, {"17-24", 17, 24}, {"25-32", 25, 32}, {"33-40", 33, 40}, {"41-60", 41, 60},
}

// Compacter is an Index that can merge its storage after a bulk load.
type Compacter interface {
	Compact(ctx context.Context) error
}

// Purger is an Index that can rewrite its files so that deleted documents
// leave them (an erased candidate's card is gone from the disk too, not
// only from the answers).
type Purger interface {
	Purge(ctx context.Context) error
}

// stopWords are the small words of a query that name no work.
var stopWords = map[string]bool{"en": true, "of": true, "met": true, "in": true, "de": true, "het": true, "een": true, "voor": true, "van": true,
	"op": true, "bij": true, "and": true, "or": true, "the": true, "with": true, "for": true, "a": true, "an": true, "to": true, "at": true}

// ExtraWords are the words of q that search skill labels beside its skill
// codes: all of them when it has no codes; otherwise those of three
// letters or more that are not small words, so that "lassen en heftruck"
// does not bring everyone whose label says "en".
func ExtraWords(q CandidateQuery) []string {
	if len(q.Skills) == 0 {
		return q.Words
	}
	var out []string
	for _, w := range q.Words {
		if len([]rune(w)) >= 3 && !stopWords[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}
