package matching

import (
	"slices"
	"strings"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/taxonomy"
)

// resolveAll turns free skill labels into taxonomy skill codes and the
// occupations named. A label that names an occupation ("lasser", "kok")
// claims that occupation's skills: someone who says they are a welder can
// weld (found by the relevance set: without it such candidates were missed).
func resolveAll(tx *taxonomy.Taxonomy, labels []string) (skills, occupations []string) {
	seenS, seenO := map[string]bool{}, map[string]bool{}
	for _, l := range labels {
		ms, _ := tx.Resolve(l)
		for _, m := range ms {
			if m.Occupation != "" && !seenO[m.Occupation] {
				seenO[m.Occupation] = true
				occupations = append(occupations, m.Occupation)
			}
			for _, s := range m.Skills {
				if !seenS[s] {
					seenS[s] = true
					skills = append(skills, s)
				}
			}
		}
	}
	return skills, occupations
}

// vacancySkills splits a vacancy's skills: required are those it lists (or,
// when it lists none, those of the occupation its title names); the title's
// occupation skills otherwise count as nice to have, so that a search for
// the trade finds the job without inflating what it requires. A title the
// taxonomy cannot place whole names the trades its words describe
// (taxonomy.QueryTrades).
func vacancySkills(tx *taxonomy.Taxonomy, v employers.Vacancy) (required, nice []string) {
	required, _ = resolveAll(tx, v.RequiredSkills)
	titled, _ := resolveAll(tx, []string{v.Title})
	for _, c := range tx.QueryTrades(v.Title) { // a title no file lists, by its words
		if !slices.Contains(titled, c) {
			titled = append(titled, c)
		}
	}
	extra, _ := resolveAll(tx, v.NiceSkills)
	if len(required) == 0 {
		return titled, extra
	}
	seen := map[string]bool{}
	for _, s := range required {
		seen[s] = true
	}
	for _, s := range append(extra, titled...) {
		if !seen[s] {
			seen[s] = true
			nice = append(nice, s)
		}
	}
	return required, nice
}

// explicitSkills are the codes a profile's labels name as skills, not
// through an occupation ("metselen", not "metselaar"): they rank first.
func explicitSkills(tx *taxonomy.Taxonomy, labels []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range labels {
		ms, _ := tx.Resolve(l)
		for _, m := range ms {
			if m.Occupation != "" {
				continue
			}
			for _, s := range m.Skills {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// CandidateDocOf is the index document of a candidate: level-0 fields,
// and the keyed hashes of whom the candidate is hidden from.
func CandidateDocOf(tx *taxonomy.Taxonomy, tk Tokens, c candidates.Candidate) CandidateDoc {
	skills, occs := resolveAll(tx, c.Profile.Skills)
	_, desired := resolveAll(tx, c.Profile.DesiredOccupations)
	occs = append(occs, desired...)
	p := c.Profile.HomePlace
	return CandidateDoc{
		ID: string(c.ID), Skills: skills, ExplicitSkills: explicitSkills(tx, c.Profile.Skills), Trades: tradeTokens(tx, c.Profile.Skills), SkillText: strings.Join(c.Profile.Skills, ", "), Occupations: occs,
		Certificates: c.Profile.Certificates, Languages: c.Profile.Languages, HoursPerWeek: c.Profile.HoursPerWeek,
		AvailableFrom: c.Profile.AvailableFrom, Place: p.Name, Province: p.Province, Lat: p.Lat, Lon: p.Lon,
		TravelRadiusKm: c.Profile.TravelRadiusKm, ConfirmedAt: c.ConfirmedAt,
		ConflictTokens: conflictTokens(tk, c.Restrictions.Conflicts), ExcludedTokens: sectorTokens(tk, c.Restrictions.ExcludedSectors),
		AgeBand: candidates.AgeBand(c.Identity.BirthDate, time.Now()), Shown: shownOf(c, time.Now()),
	}
}

func conflictTokens(tk Tokens, ks []candidates.Conflict) []string {
	var out []string
	for _, k := range ks {
		if k.EmployerID != "" {
			out = append(out, tk.Of("employer", k.EmployerID))
		}
		if k.KvK != "" {
			out = append(out, tk.Of("kvk", k.KvK))
		}
	}
	return out
}

func sectorTokens(tk Tokens, sectors []string) []string {
	var out []string
	for _, s := range sectors {
		out = append(out, tk.Of("sector", s))
	}
	return out
}

// ViewerOf is an employer as the engines compare it with the candidates'
// tokens.
func ViewerOf(tk Tokens, e employers.Employer) *Viewer {
	v := &Viewer{Tokens: []string{tk.Of("employer", string(e.ID))}, Sectors: sectorTokens(tk, e.Sectors)}
	if e.KvK != "" {
		v.Tokens = append(v.Tokens, tk.Of("kvk", e.KvK))
	}
	return v
}

// VacancyDocOf is the index document of a vacancy.
func VacancyDocOf(tx *taxonomy.Taxonomy, v employers.Vacancy) VacancyDoc {
	req, nice := vacancySkills(tx, v)
	d := VacancyDoc{
		ID: string(v.ID), EmployerID: string(v.EmployerID), Title: v.Title, Skills: req, NiceSkills: nice,
		SkillText: strings.Join(append(append([]string{}, v.RequiredSkills...), v.NiceSkills...), ", "),
		Sector:    v.Sector, RiskAreas: v.RiskAreas, HoursPerWeek: v.HoursPerWeek, StartDate: v.StartDate,
		Place: v.Place.Name, Province: v.Place.Province, Lat: v.Place.Lat, Lon: v.Place.Lon,
	}
	for _, s := range v.Shifts {
		d.ShiftStartsMin = append(d.ShiftStartsMin, minutes(s.From))
		d.ShiftEndsMin = append(d.ShiftEndsMin, minutes(s.To))
	}
	return d
}
