package matching

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// Explanation says in words why a result ranks where it does, in Dutch and
// English, and carries the parts it is made of.
type Explanation struct {
	NL             string   `json:"nl"`
	EN             string   `json:"en"`
	RequiredMet    int      `json:"required_skills_met"`
	RequiredTotal  int      `json:"required_skills_total"`
	NiceMet        int      `json:"nice_to_have_met"`
	DistanceKm     *float64 `json:"distance_km,omitempty"` // absent when the search named no place
	AvailableFrom  string   `json:"available_from"`
	HoursFit       bool     `json:"hours_fit"`
	CertificateMet int      `json:"certificates"`
	// Trade is set when the profile is found for a trade it describes in
	// its own words: the trade, how many of its five core words the
	// profile has, and the profile's labels that carry it.
	Trade *TradeExplanation `json:"trade,omitempty"`
}

// TradeExplanation says how a profile's own words fit a trade.
type TradeExplanation struct {
	Code      string   `json:"code"`
	NL        string   `json:"nl"`
	EN        string   `json:"en"`
	CoreWords int      `json:"core_words"`
	CoreTotal int      `json:"core_total"`
	Labels    []string `json:"labels"`
}

// Weights of the score's parts; they sum to 1.
const (
	wRequired = 0.45
	wNice     = 0.10
	wDistance = 0.20
	wAvail    = 0.10
	wHours    = 0.10
	wCert     = 0.05
)

var monthsNL = []string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}

// Score ranks a compatible pair and explains it: required-skill coverage,
// nice-to-have skills, distance against the candidate's travel radius,
// availability by the start date, hours fit and certificates.
func Score(tx *taxonomy.Taxonomy, c candidates.Candidate, v employers.Vacancy, now time.Time) (float64, Explanation) {
	return NewScorer(tx, v, now).Score(c)
}

// Scorer scores candidates against one vacancy (or a search's probe): the
// vacancy's skills are worked out once, not per candidate (a vacancy's
// matches rank a pool of 200).
type Scorer struct {
	tx        *taxonomy.Taxonomy
	v         employers.Vacancy
	now       time.Time
	req, nice []string
}

// NewScorer prepares the scoring of candidates against v at now.
func NewScorer(tx *taxonomy.Taxonomy, v employers.Vacancy, now time.Time) *Scorer {
	req, nice := vacancySkills(tx, v)
	return &Scorer{tx: tx, v: v, now: now, req: req, nice: nice}
}

// Score is the package's Score for c.
func (s *Scorer) Score(c candidates.Candidate) (float64, Explanation) {
	return s.score(c, true)
}

// Rank is c's score alone, without the words of its explanation (nor the
// count of a trade's core words they name): for ranking a pool of which
// only a page is shown.
func (s *Scorer) Rank(c candidates.Candidate) float64 {
	score, _ := s.score(c, false)
	return score
}

func (s *Scorer) score(c candidates.Candidate, explain bool) (float64, Explanation) {
	tx, v, now, req, nice := s.tx, s.v, s.now, s.req, s.nice
	have, _ := resolveAll(tx, c.Profile.Skills)
	haveSet := map[string]bool{}
	for _, s := range have {
		haveSet[s] = true
	}
	ex := Explanation{RequiredTotal: len(req)}
	// A trade the profile describes in its own words counts as met. The
	// profile's trades are worked out once, and only when the vacancy or
	// query names a trade the profile has no code of.
	var fits []taxonomy.TradeFit
	claimed := false
	for _, code := range append(append([]string{}, req...), nice...) {
		if haveSet[code] || !tx.IsTrade(code) {
			continue
		}
		if !claimed {
			fits, claimed = tx.Trades(c.Profile.Skills), true
		}
		for _, f := range fits {
			if f.Code != code {
				continue
			}
			haveSet[code] = true
			if ex.Trade == nil && explain {
				_, core, _ := tx.TradeFitOf(c.Profile.Skills, code)
				sk, _ := tx.Skill(code)
				ex.Trade = &TradeExplanation{Code: code, NL: sk.NL, EN: sk.EN, CoreWords: core, CoreTotal: taxonomy.TradeCore, Labels: f.Labels}
			}
		}
	}
	for _, s := range req {
		if haveSet[s] {
			ex.RequiredMet++
		}
	}
	for _, s := range nice {
		if haveSet[s] {
			ex.NiceMet++
		}
	}
	home := c.Profile.HomePlace
	placed := v.Place.Lat != 0 || v.Place.Lon != 0 // a search without a place probes with none
	km := 0.0
	if placed {
		km = math.Round(places.DistanceKm(home.Lat, home.Lon, v.Place.Lat, v.Place.Lon))
		ex.DistanceKm = &km
	}
	ex.AvailableFrom = c.Profile.AvailableFrom.Format(time.DateOnly)
	ex.HoursFit = c.Profile.HoursPerWeek >= v.HoursPerWeek
	ex.CertificateMet = len(c.Profile.Certificates)

	score := 0.0
	if ex.RequiredTotal > 0 {
		score += wRequired * float64(ex.RequiredMet) / float64(ex.RequiredTotal)
	} else {
		score += wRequired
	}
	if len(nice) > 0 {
		score += wNice * float64(ex.NiceMet) / float64(len(nice))
	}
	if r := float64(c.Profile.TravelRadiusKm); r > 0 {
		score += wDistance * math.Max(0, 1-km/r)
	} else {
		score += wDistance
	}
	start := v.StartDate
	if start.Before(now) {
		start = now
	}
	if !c.Profile.AvailableFrom.After(start) {
		score += wAvail
	} else {
		late := c.Profile.AvailableFrom.Sub(start).Hours() / 24
		score += wAvail * math.Max(0, 1-late/60)
	}
	if ex.HoursFit {
		score += wHours
	} else if v.HoursPerWeek > 0 {
		score += wHours * float64(c.Profile.HoursPerWeek) / float64(v.HoursPerWeek)
	}
	if ex.CertificateMet > 0 {
		score += wCert
	}
	if !explain {
		return score, ex
	}

	af := c.Profile.AvailableFrom
	nl := []string{fmt.Sprintf("%d van %d vereiste vaardigheden", ex.RequiredMet, ex.RequiredTotal)}
	en := []string{fmt.Sprintf("%d of %d required skills", ex.RequiredMet, ex.RequiredTotal)}
	if t := ex.Trade; t != nil {
		nl = append(nl, fmt.Sprintf("%d van de %d kernwoorden van %s (%s)", t.CoreWords, t.CoreTotal, t.NL, strings.Join(t.Labels, "; ")))
		en = append(en, fmt.Sprintf("%d of the %d core words of %s (%s)", t.CoreWords, t.CoreTotal, t.EN, strings.Join(t.Labels, "; ")))
	}
	if placed {
		nl, en = append(nl, fmt.Sprintf("%.0f km", km)), append(en, fmt.Sprintf("%.0f km", km))
	}
	nl = append(nl, fmt.Sprintf("beschikbaar vanaf %d %s", af.Day(), monthsNL[af.Month()-1]))
	en = append(en, fmt.Sprintf("available from %d %s", af.Day(), af.Month().String()[:3]))
	if ex.NiceMet > 0 {
		nl = append(nl, fmt.Sprintf("%d extra vaardigheden", ex.NiceMet))
		en = append(en, fmt.Sprintf("%d nice-to-have skills", ex.NiceMet))
	}
	if ex.HoursFit {
		nl, en = append(nl, "uren passen"), append(en, "hours fit")
	} else {
		nl = append(nl, fmt.Sprintf("%d van %d uur", c.Profile.HoursPerWeek, v.HoursPerWeek))
		en = append(en, fmt.Sprintf("%d of %d hours", c.Profile.HoursPerWeek, v.HoursPerWeek))
	}
	ex.NL, ex.EN = strings.Join(nl, "; "), strings.Join(en, "; ")
	return score, ex
}
