package main

import (
	"path/filepath"
	"sort"

	"github.com/herstart/herstart/taxonomy"
)

// A lexicon of English word stems to Dutch ones, learned from ESCO's own
// parallel texts: each occupation's and each Dutch-labelled skill's name
// and description, and each skill group's name, in both languages. About
// nine in ten of the entry-level skills have English labels only; their
// words reach a trade's Dutch side through it ("signal": sein,
// "timetable": dienstregel).
const (
	lexIterations = 6   // rounds of IBM model 1's expectation-maximisation
	lexMin        = 0.2 // a Dutch stem is a translation from this probability
	lexMax        = 2   // at most this many translations a stem
	lexSeen       = 3   // an English stem seen in fewer pairs is not translated
)

// learnLexicon trains IBM model 1 (the probability of each Dutch stem
// given an English one, over bags of stems) on the parallel pairs.
func learnLexicon(dir string) (map[string][]sw, error) {
	occs, err := readCSV(filepath.Join(dir, "esco_occupations_nl_en.csv"))
	if err != nil {
		return nil, err
	}
	skillsNL, err := readCSV(filepath.Join(dir, "esco_skills_nl_collections.csv"))
	if err != nil {
		return nil, err
	}
	skillsEN, err := readCSV(filepath.Join(dir, "esco_skills_entry_level_en.csv"))
	if err != nil {
		return nil, err
	}
	groups, err := readCSV(filepath.Join(dir, "esco_skill_groups_nl_en.csv"))
	if err != nil {
		return nil, err
	}
	descrEN := map[string]string{}
	for _, s := range skillsEN {
		descrEN[s["conceptUri"]] = s["description_en"]
	}
	type pair struct{ nl, en []string }
	var pairs []pair
	add := func(nl, en string) {
		d, e := uniq(taxonomy.Stems(false, nl)), uniq(taxonomy.Stems(true, en))
		if len(d) > 0 && len(e) > 0 {
			pairs = append(pairs, pair{d, e})
		}
	}
	for _, o := range occs {
		add(o["preferredLabel_nl"], o["preferredLabel_en"])
		add(o["description_nl"], o["description_en"])
	}
	for _, s := range skillsNL {
		add(s["preferredLabel_nl"], s["preferredLabel_en_v111"])
		if e := descrEN[s["conceptUri"]]; e != "" {
			add(s["description_nl"], e)
		}
	}
	for _, g := range groups {
		add(g["preferredLabel_nl"], g["preferredLabel_en"])
	}
	seen := map[string]int{}
	t := map[string]map[string]float64{} // t[e][d]
	for _, p := range pairs {
		for _, e := range p.en {
			seen[e]++
			if t[e] == nil {
				t[e] = map[string]float64{}
			}
			for _, d := range p.nl {
				t[e][d] = 1
			}
		}
	}
	for range lexIterations {
		count := map[string]map[string]float64{}
		for _, p := range pairs {
			for _, d := range p.nl {
				z := 0.0
				for _, e := range p.en {
					z += t[e][d]
				}
				for _, e := range p.en {
					if count[e] == nil {
						count[e] = map[string]float64{}
					}
					count[e][d] += t[e][d] / z
				}
			}
		}
		for e, ds := range count {
			sum := 0.0
			for _, d := range sortedKeys(ds) { // in one order, so that the output is the same every run
				sum += ds[d]
			}
			for d, c := range ds {
				t[e][d] = c / sum
			}
		}
	}
	lex := map[string][]sw{}
	for e, ds := range t {
		if seen[e] < lexSeen {
			continue
		}
		var list []sw // a Dutch stem and its probability
		for d, p := range ds {
			if p >= lexMin {
				list = append(list, sw{d, p})
			}
		}
		heaviestFirst(list)
		if len(list) > lexMax {
			list = list[:lexMax]
		}
		if len(list) > 0 {
			lex[e] = list
		}
	}
	return lex, nil
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
