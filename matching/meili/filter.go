package meili

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/herstart/herstart/matching"
)

// quote writes a filter string literal. Values are codes the services
// validated, but quoting escapes anyway: a value can never end the string
// and add filter syntax of its own.
func quote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

func list(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func geoRadius(lat, lon, km float64) string {
	return fmt.Sprintf("_geoRadius(%s, %s, %d)", num(lat), num(lon), int(math.Round(math.Max(km, 0.1)*1000)))
}

// TravelBands are matching.TravelBands with a band a kilometre below 5:
// radii are whole kilometres, so a radius under 5 is exact (with the
// shared bands someone who travels 3 km was found only within 100 m).
var TravelBands = append([]int{0, 1, 2, 3, 4}, matching.TravelBands[1:]...)

// travelFilter honours each candidate's travel radius in bands (a filter
// cannot compare a distance with a field): per band, candidates whose
// radius lies in the band and who live within min(km, band) of the point.
// Conservative by at most one band from 5 km (a candidate who travels
// 24 km is found up to 20 km away); the Bleve engine checks the exact
// radius.
func travelFilter(g matching.Geo) string {
	bands := TravelBands
	parts := make([]string, 0, len(bands))
	for i, b := range bands {
		cond := fmt.Sprintf("travel >= %d", b)
		if i+1 < len(bands) {
			cond += fmt.Sprintf(" AND travel < %d", bands[i+1])
		}
		parts = append(parts, fmt.Sprintf("(%s AND %s)", cond, geoRadius(g.Lat, g.Lon, math.Min(g.Km, float64(b)))))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// CandidateFilter is the filter expression of an employer's search.
func CandidateFilter(q matching.CandidateQuery) string {
	var and []string
	if len(q.Skills) > 0 {
		and = append(and, "skills IN "+list(q.Skills))
	}
	if q.Geo != nil {
		and = append(and, travelFilter(*q.Geo))
	}
	if q.Province != "" {
		and = append(and, "province = "+quote(q.Province))
	}
	for _, c := range q.Certificates {
		and = append(and, "certificates = "+quote(c))
	}
	if q.HoursMin > 0 {
		and = append(and, fmt.Sprintf("hours >= %d", q.HoursMin))
	}
	if !q.AvailableBefore.IsZero() {
		and = append(and, fmt.Sprintf("available_from <= %d", q.AvailableBefore.Unix()))
	}
	if !q.ConfirmedAfter.IsZero() {
		and = append(and, fmt.Sprintf("confirmed_at >= %d", q.ConfirmedAfter.Unix()))
	}
	if v := q.Viewer; v != nil {
		// matching.Viewer.Hides: none of the viewer's tokens on the
		// conflict list, and at least one of its sectors not excluded.
		if len(v.Tokens) > 0 {
			and = append(and, "NOT conflict_tokens IN "+list(v.Tokens))
		}
		if len(v.Sectors) > 0 {
			or := make([]string, len(v.Sectors))
			for i, s := range v.Sectors {
				or[i] = "excluded_tokens != " + quote(s)
			}
			and = append(and, "("+strings.Join(or, " OR ")+")")
		}
	}
	return strings.Join(and, " AND ")
}

// VacancyFilter is the filter expression of a probation worker's search,
// the candidate's restrictions as exclusions.
func VacancyFilter(q matching.VacancyQuery) string {
	var and []string
	if len(q.Skills) > 0 {
		and = append(and, fmt.Sprintf("(skills IN %s OR nice_skills IN %s)", list(q.Skills), list(q.Skills)))
	}
	if q.Geo != nil {
		and = append(and, geoRadius(q.Geo.Lat, q.Geo.Lon, q.Geo.Km))
	}
	if q.Province != "" {
		and = append(and, "province = "+quote(q.Province))
	}
	if q.HoursMax > 0 {
		and = append(and, fmt.Sprintf("hours <= %d", q.HoursMax))
	}
	if len(q.ExcludeSectors) > 0 {
		and = append(and, "NOT sector IN "+list(q.ExcludeSectors))
	}
	if len(q.ExcludeRisk) > 0 {
		and = append(and, "NOT risk_areas IN "+list(q.ExcludeRisk))
	}
	if len(q.ExcludeEmployer) > 0 {
		and = append(and, "NOT employer IN "+list(q.ExcludeEmployer))
	}
	return strings.Join(and, " AND ")
}

// CandidateWordsFilter is the filter of a search's last part, for the
// profiles its words find beside its skill codes: the same conditions, and
// none of the codes or trades (those came in the parts before).
func CandidateWordsFilter(q matching.CandidateQuery) string {
	if len(q.Trades) > 0 {
		return withRest(q, "NOT skills IN "+list(q.Skills)+" AND NOT trades IN "+list(matching.TradeTokens(q.Trades)))
	}
	return withRest(q, "NOT skills IN "+list(q.Skills))
}

// CandidateParts are the filters of a search with codes, in the order its
// hits come: the profiles that name a code as a skill, those with more of
// the codes first (tiers); those that claim one through an occupation
// word, the same way; then those that claim one of its trades
// in their own words — for whom it is the trade ("!"), then by coverage
// ("++", "+", the code alone), then those whose own trade is related —
// each part without the profiles of the parts before.
func CandidateParts(q matching.CandidateQuery) []string {
	var parts []string
	for _, t := range tiers("explicit_skills", q.Skills) {
		parts = append(parts, withRest(q, t))
	}
	for _, t := range tiers("skills", q.Skills) {
		parts = append(parts, withRest(q, t+" AND NOT explicit_skills IN "+list(q.Skills)))
	}
	var earlier []string
	for _, g := range tradeGroups(q.Trades) {
		cond := "trades IN " + list(g) + " AND NOT skills IN " + list(q.Skills)
		if len(earlier) > 0 {
			cond += " AND NOT trades IN " + list(earlier)
		}
		parts = append(parts, withRest(q, cond))
		earlier = append(earlier, g...)
	}
	return parts
}

// tiersMax is the most codes whose every count gets a tier of its own; a
// query with more has two: all of them, then any.
const tiersMax = 4

// tiers are the conditions on field for the profiles that have all of
// codes, then one fewer, …, then one: a filter does not score, so the
// profiles with 3 of 3 skills come before those with 1 of 3 this way (the
// embedded engine's relevance ranks them so). Disjoint, in order.
func tiers(field string, codes []string) []string {
	k := len(codes)
	if k <= 1 {
		return []string{field + " IN " + list(codes)}
	}
	counts := []int{}
	if k <= tiersMax {
		for m := k; m >= 1; m-- {
			counts = append(counts, m)
		}
	} else {
		counts = []int{k, 1}
	}
	var out []string
	prev := ""
	for _, m := range counts {
		cond := atLeast(field, codes, m)
		if prev != "" {
			cond += " AND NOT " + prev
		}
		out = append(out, cond)
		prev = atLeast(field, codes, m)
	}
	return out
}

// atLeast is the condition that field holds at least m of codes.
func atLeast(field string, codes []string, m int) string {
	if m <= 1 {
		return field + " IN " + list(codes)
	}
	var or []string
	var pick func(start int, chosen []string)
	pick = func(start int, chosen []string) {
		if len(chosen) == m {
			and := make([]string, len(chosen))
			for i, c := range chosen {
				and[i] = field + " = " + quote(c)
			}
			or = append(or, "("+strings.Join(and, " AND ")+")")
			return
		}
		for i := start; i < len(codes); i++ {
			pick(i+1, append(chosen, codes[i]))
		}
	}
	pick(0, nil)
	if len(or) == 1 {
		return or[0]
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// tradeGroups splits a query's trade tokens into the steps they rank in.
func tradeGroups(terms []matching.TradeTerm) [][]string {
	rank := func(t matching.TradeTerm) int {
		if t.Boost < 1 {
			return 4 // a related trade
		}
		switch {
		case strings.HasSuffix(t.Token, "!"):
			return 0
		case strings.HasSuffix(t.Token, "++"):
			return 1
		case strings.HasSuffix(t.Token, "+"):
			return 2
		}
		return 3
	}
	groups := make([][]string, 5)
	for _, t := range terms {
		groups[rank(t)] = append(groups[rank(t)], t.Token)
	}
	var out [][]string
	for _, g := range groups {
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// CandidateExplicitFilter is the first part of a search with skill codes:
// the profiles that name one of them as a skill.
func CandidateExplicitFilter(q matching.CandidateQuery) string {
	return withRest(q, "explicit_skills IN "+list(q.Skills))
}

// CandidateClaimedFilter is the second part: the profiles that claim one
// of the codes through an occupation word and name none as a skill.
func CandidateClaimedFilter(q matching.CandidateQuery) string {
	return withRest(q, "skills IN "+list(q.Skills)+" AND NOT explicit_skills IN "+list(q.Skills))
}

// withRest joins cond to the search's other conditions.
func withRest(q matching.CandidateQuery, cond string) string {
	rest := q
	rest.Skills, rest.Trades = nil, nil
	if base := CandidateFilter(rest); base != "" {
		return base + " AND " + cond
	}
	return cond
}
