// Package matching pairs candidates with vacancies: the hard rules that are
// never broken whatever the score (this file), ranking with its
// explanation, the search Index interface with its engines in bleve/ and
// meili/, and the service that searches and keeps the index in line.
package matching

import (
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
)

// Rule names a hard rule.
type Rule string

// The hard rules of DESIGN.md, plus the travel radius the candidate gave.
const (
	RuleCandidateAvailable Rule = "candidate_available" // available and confirmed within 30 days
	RuleEmployerActive     Rule = "employer_active"     // approved and within the approval
	RuleVacancyOpen        Rule = "vacancy_open"
	RuleAreaBan            Rule = "area_ban"
	RuleExcludedSector     Rule = "excluded_sector"
	RuleRiskArea           Rule = "risk_area"
	RuleConflictList       Rule = "conflict_list"
	RuleCurfew             Rule = "curfew"
	RuleTravelRadius       Rule = "travel_radius"
)

// Violation is a broken rule. It is for the candidate's probation worker
// ("why is this job not offered?"); an employer is never told which rule
// kept a candidate away, since that would hint at an offence.
type Violation struct {
	Rule Rule
	NL   string
	EN   string
}

// Check applies every hard rule to a candidate and a vacancy of employer and
// returns what is broken; none means the pair may be matched.
func Check(c candidates.Candidate, v employers.Vacancy, e employers.Employer, now time.Time) []Violation {
	var out []Violation
	add := func(r Rule, nl, en string) { out = append(out, Violation{Rule: r, NL: nl, EN: en}) }

	if !c.Searchable(now) {
		add(RuleCandidateAvailable, "Kandidaat is niet beschikbaar of de beschikbaarheid is langer dan 30 dagen niet bevestigd.",
			"The candidate is not available, or availability was not confirmed within 30 days.")
	}
	if !e.Active(now) || e.ID != v.EmployerID {
		add(RuleEmployerActive, "De werkgever is niet (meer) goedgekeurd.", "The employer is not (or no longer) approved.")
	}
	if v.Status != employers.Open {
		add(RuleVacancyOpen, "De vacature is gesloten.", "The vacancy is closed.")
	}
	for _, b := range c.Restrictions.AreaBans {
		if places.DistanceKm(b.Lat, b.Lon, v.Place.Lat, v.Place.Lon) <= b.RadiusKm {
			add(RuleAreaBan, "De werkplek ligt in een gebiedsverbod.", "The workplace lies in an area ban.")
			break
		}
	}
	// An exit trajectory's network places keep out employers based there
	// too, wherever the vacancy is (the worker alone reads the reason).
network:
	for _, b := range c.Restrictions.AreaBans {
		if !b.Network {
			continue
		}
		for _, l := range e.Locations {
			if places.DistanceKm(b.Lat, b.Lon, l.Place.Lat, l.Place.Lon) <= b.RadiusKm {
				add(RuleAreaBan, "De werkgever is gevestigd in of bij een plaats van het oude netwerk.", "The employer is based in or near a place of the old network.")
				break network
			}
		}
	}
	if c.ExcludesSector(v.Sector) {
		add(RuleExcludedSector, "De sector van deze vacature is voor de kandidaat uitgesloten.", "The vacancy's sector is excluded for the candidate.")
	}
	if meet(c.Restrictions.RiskAreaConflicts, v.RiskAreas) {
		add(RuleRiskArea, "De risicogebieden van deze functie passen niet bij de kandidaat.", "The job's risk areas do not suit the candidate.")
	}
	// The one "withheld from" rule (candidates.Candidate.HiddenFrom),
	// named by its part.
	switch {
	case c.OnConflictList(string(e.ID), e.KvK):
		add(RuleConflictList, "Deze werkgever staat op de conflictlijst van de kandidaat.", "This employer is on the candidate's conflict list.")
	case c.HiddenFrom(string(e.ID), e.KvK, e.Sectors) && !c.ExcludesSector(v.Sector):
		add(RuleExcludedSector, "Alle sectoren van deze werkgever zijn voor de kandidaat uitgesloten.", "Every sector of this employer is excluded for the candidate.")
	}
	if cf := c.Restrictions.Curfew; cf != nil {
		for _, s := range v.Shifts {
			if Overlaps(cf.From, cf.To, s.From, s.To) {
				add(RuleCurfew, "Een dienst valt binnen de avondklok van de kandidaat.", "A shift falls within the candidate's curfew.")
				break
			}
		}
	}
	home := c.Profile.HomePlace
	if d := places.DistanceKm(home.Lat, home.Lon, v.Place.Lat, v.Place.Lon); d > float64(c.Profile.TravelRadiusKm) {
		add(RuleTravelRadius, "De werkplek ligt verder weg dan de kandidaat wil reizen.", "The workplace is further than the candidate will travel.")
	}
	return out
}

func meet(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Overlaps reports whether two daily windows ("HH:MM"–"HH:MM", either may
// cross midnight; the end is exclusive) share a minute.
func Overlaps(aFrom, aTo, bFrom, bTo string) bool {
	for _, x := range spans(minutes(aFrom), minutes(aTo)) {
		for _, y := range spans(minutes(bFrom), minutes(bTo)) {
			if x[0] < y[1] && y[0] < x[1] {
				return true
			}
		}
	}
	return false
}

// spans splits a daily window into ranges within one day.
func spans(from, to int) [][2]int {
	switch {
	case from < 0 || to < 0 || from == to:
		return nil
	case from < to:
		return [][2]int{{from, to}}
	default:
		return [][2]int{{from, 24 * 60}, {0, to}}
	}
}

// minutes parses "HH:MM" into minutes after midnight, or -1.
func minutes(s string) int {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return -1
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return -1
	}
	return hh*60 + mm
}
