// Package candidatetest makes synthetic candidates — plausible Dutch profiles
// with no real person behind them — for the demo generator, tests and
// benchmarks.
package candidatetest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/taxonomy"
)

var (
	firstNames = []string{"Sem", "Noah", "Mila", "Daan", "Yara", "Levi", "Sara", "Mohammed", "Anouk", "Jayden", "Fenna", "Kevin", "Priya", "Bram", "Ilse", "Youssef", "Dewi", "Tim"}
	lastNames  = []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "El Amrani", "Mulder", "de Boer", "Yılmaz", "Bos", "Vos", "Peters", "Hendriks", "Kramer", "Dekker"}
	placeNames = []string{"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Tilburg", "Groningen", "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Zwolle", "Leeuwarden", "Maastricht", "Dordrecht", "Zoetermeer", "Enschede", "Amersfoort", "Lelystad"}
	skillSets  = [][]string{
		{"heftruck rijden", "orderpicken", "magazijnbeheer"},
		{"metselen", "tegelzetten", "steigerbouw"},
		{"elektrische installaties", "loodgieterswerk"},
		{"koken", "bediening", "afwassen"},
		{"schoonmaken", "glazenwassen"},
		{"lassen", "CNC-bediening", "assemblage"},
		{"oogsten", "kassenteelt", "snoeien"},
		{"vrachtwagen rijden", "koerierswerk"},
		{"kassa", "vakkenvullen", "klantenservice"},
		{"groenonderhoud", "maaien", "bestrating"},
	}
	motivations = []string{
		"Wil graag een vaste baan en een nieuwe start.",
		"Werkt graag met de handen en is altijd op tijd.",
		"Heeft ervaring opgedaan tijdens een werktraject en wil verder groeien.",
		"Zoekt structuur en collega's om van te leren.",
	}
)

// Input returns a valid, random candidate registration as of now.
func Input(r *rand.Rand, now time.Time) candidates.Input {
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	sk := skillSets[r.IntN(len(skillSets))]
	in := candidates.Input{
		Identity: candidates.IdentityInput{
			FirstName: pick(firstNames), LastName: pick(lastNames),
			BirthDate: now.AddDate(-(19 + r.IntN(40)), -r.IntN(12), -r.IntN(28)).Format(time.DateOnly),
			Phone:     fmt.Sprintf("+31 6 %08d", r.IntN(100000000)),
		},
		Skills:         sk[:1+r.IntN(len(sk))],
		Certificates:   []string{taxonomy.Certificates[r.IntN(len(taxonomy.Certificates))].Code},
		Languages:      []string{"nl"},
		HoursPerWeek:   []int{16, 24, 32, 36, 38, 40}[r.IntN(6)],
		AvailableFrom:  now.AddDate(0, 0, r.IntN(60)-10).Format(time.DateOnly),
		HomePlace:      pick(placeNames),
		TravelRadiusKm: []int{5, 10, 15, 25, 40}[r.IntN(5)],
		Motivation:     pick(motivations),
		WorkHistory:    []string{"Werkervaringsplaats " + sk[0]},
	}
	if r.IntN(3) == 0 {
		in.Restrictions.ExcludedSectors = []string{"childcare"}
		in.Restrictions.RiskAreaConflicts = []string{"money", "persons"}[:1+r.IntN(2)]
	}
	if r.IntN(5) == 0 {
		in.Restrictions.Curfew = &candidates.CurfewInput{From: "23:00", To: "06:00"}
	}
	return in
}
