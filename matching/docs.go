package matching

import (
	"strings"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching/taxonomy"
)

// resolveAll turns free skill labels into taxonomy skill codes (and the
// occupations named), keeping the labels as text for words the taxonomy
// does not know.
func resolveAll(tx *taxonomy.Taxonomy, labels []string) (skills, occupations []string) {
	seenS, seenO := map[string]bool{}, map[string]bool{}
	for _, l := range labels {
		ms, _ := tx.Resolve(l)
		for _, m := range ms {
			if m.Occupation != "" && !seenO[m.Occupation] {
				seenO[m.Occupation] = true
				occupations = append(occupations, m.Occupation)
				continue // an occupation's skills are implied, not claimed
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

// CandidateDocOf is the index document of a candidate: level-0 fields only.
func CandidateDocOf(tx *taxonomy.Taxonomy, c candidates.Candidate) CandidateDoc {
	skills, occs := resolveAll(tx, c.Profile.Skills)
	_, desired := resolveAll(tx, c.Profile.DesiredOccupations)
	occs = append(occs, desired...)
	p := c.Profile.HomePlace
	return CandidateDoc{
		ID: string(c.ID), Skills: skills, SkillText: strings.Join(c.Profile.Skills, ", "), Occupations: occs,
		Certificates: c.Profile.Certificates, Languages: c.Profile.Languages, HoursPerWeek: c.Profile.HoursPerWeek,
		AvailableFrom: c.Profile.AvailableFrom, Place: p.Name, Province: p.Province, Lat: p.Lat, Lon: p.Lon,
		TravelRadiusKm: c.Profile.TravelRadiusKm, ConfirmedAt: c.ConfirmedAt,
	}
}

// VacancyDocOf is the index document of a vacancy.
func VacancyDocOf(tx *taxonomy.Taxonomy, v employers.Vacancy) VacancyDoc {
	req, _ := resolveAll(tx, append([]string{v.Title}, v.RequiredSkills...))
	nice, _ := resolveAll(tx, v.NiceSkills)
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
