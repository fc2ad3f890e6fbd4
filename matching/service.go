package matching

import (
	"log/slog"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/memo"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/ratelimit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
)

// Limits of searching.
const (
	MaxQueryLen     = 200
	MaxPerPage      = 50
	MaxPage         = 100
	MaxWithinKm     = 200
	DefaultWithinKm = 25
	// An employer user may search 60 times in any minute (per instance:
	// decisions.md 46).
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
	// searches limits each employer user's searches, in memory (a refused
	// search writes nothing); reach counts cards shown per organisation.
	searches *ratelimit.Window
	reach    reach
	cards    memo.Memo[decodedShown] // the cards of hits, by their stored text (shown.go)
}

// NewService returns a Service; tk hashes conflict lists and excluded
// sectors for the index. now may be nil.
func NewService(ix Index, tx *taxonomy.Taxonomy, tbl *places.Table, cs *candidates.Service, es *employers.Service, rec *audit.Recorder, th *store.Throttle, tk Tokens, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{index: ix, tax: tx, places: tbl, candidates: cs, employers: es, audit: rec, throttle: th, tokens: tk, now: now, log: slog.Default(),
		searches: ratelimit.NewWindow(searchesPerMinute, time.Minute)}
}

// SetLogger sets the logger of warnings the service handles itself.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }
