package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/herstart/herstart/taxonomy"
)

// A trade's words: what its occupation is called, what ESCO says it does
// (Dutch and English descriptions) and the labels of the skills that make
// it (essential ones more than optional ones), cut to word stems
// (taxonomy.Stems) and weighed by how few of the entry-level occupations
// share them. A profile whose own words cover enough of a trade's weight
// claims the trade (taxonomy.Trades).
const (
	wLabel        = 2.0 // the occupation's names
	wDescription  = 1.0 // its Dutch and English descriptions
	wEssential    = 2.0 // labels of its essential skills
	wOptional     = 0.5 // labels of its optional skills
	wGroup        = 0.5 // Dutch labels of its essential skills' groups
	wTranslated   = 0.5 // a skill's English words in Dutch (lexicon.go), times the translation's probability
	stemsPerTrade = 60
)

type tradeSource struct {
	code      string
	uri       string
	labels    [2][]string // Dutch, English names
	descr     [2]string   // Dutch, English description
	essential []string    // skill URIs
	optional  []string
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := make(map[string]string, len(r))
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out, nil
}

func altSplit(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// writeTrades writes trades.tsv: per entry-level occupation of esco.tsv,
// its weighted stems.
func writeTrades(dir string, occs map[string]tradeSource, out string) error {
	skillsEN, err := readCSV(filepath.Join(dir, "esco_skills_entry_level_en.csv"))
	if err != nil {
		return err
	}
	skillsNL, err := readCSV(filepath.Join(dir, "esco_skills_nl_collections.csv"))
	if err != nil {
		return err
	}
	rels, err := readCSV(filepath.Join(dir, "esco_occupation_skill_relations_entry_level.csv"))
	if err != nil {
		return err
	}
	groups, err := readCSV(filepath.Join(dir, "esco_skill_groups_nl_en.csv"))
	if err != nil {
		return err
	}
	groupNL := map[string]string{}
	for _, g := range groups {
		groupNL[g["conceptUri"]] = g["preferredLabel_nl"]
	}
	skillText := [2]map[string][]string{{}, {}}
	skillGroups := map[string][]string{} // Dutch labels of a skill's groups
	for _, s := range skillsEN {
		skillText[1][s["conceptUri"]] = append([]string{s["preferredLabel_en"]}, altSplit(s["altLabels_en"])...)
		for _, g := range altSplit(s["skillGroupUris"]) {
			if l := groupNL[g]; l != "" {
				skillGroups[s["conceptUri"]] = append(skillGroups[s["conceptUri"]], l)
			}
		}
	}
	for _, s := range skillsNL {
		skillText[0][s["conceptUri"]] = append([]string{s["preferredLabel_nl"]}, altSplit(s["altLabels_nl"])...)
	}
	lex, err := learnLexicon(dir)
	if err != nil {
		return err
	}
	// A skill with English labels only gets Dutch stems through the
	// lexicon, each at its translation's probability.
	translated := map[string]map[string]float64{}
	for u, texts := range skillText[1] {
		if len(skillText[0][u]) > 0 {
			continue
		}
		m := map[string]float64{}
		for _, t := range texts {
			for _, e := range taxonomy.Stems(true, t) {
				for _, x := range lex[e] {
					m[x.s] = max(m[x.s], x.w)
				}
			}
		}
		translated[u] = m
	}
	byURI := map[string]*tradeSource{}
	for code := range occs {
		o := occs[code]
		byURI[o.uri] = &o
	}
	for _, r := range rels {
		o := byURI[r["occupationUri"]]
		if o == nil {
			continue
		}
		if r["relationType"] == "essential" {
			o.essential = append(o.essential, r["skillUri"])
		} else {
			o.optional = append(o.optional, r["skillUri"])
		}
	}
	// Term weights per trade and language: per source a stem counts once
	// per text.
	var tf [2]map[string]map[string]float64
	var df [2]map[string]int
	for lang := range 2 {
		tf[lang], df[lang] = map[string]map[string]float64{}, map[string]int{}
		for _, o := range byURI {
			m := map[string]float64{}
			add := func(texts []string, w float64) {
				seen := map[string]bool{}
				for _, t := range texts {
					for _, s := range taxonomy.Stems(lang == 1, t) {
						if !seen[s] {
							seen[s] = true
							m[s] += w
						}
					}
				}
			}
			add(o.labels[lang], wLabel)
			add([]string{o.descr[lang]}, wDescription)
			addTranslated := func(u string, w float64) {
				for d, p := range translated[u] {
					m[d] += w * wTranslated * p
				}
			}
			for _, u := range o.essential {
				add(skillText[lang][u], wEssential)
				if lang == 0 {
					add(skillGroups[u], wGroup)
					addTranslated(u, wEssential)
				}
			}
			for _, u := range o.optional {
				add(skillText[lang][u], wOptional)
				if lang == 0 {
					addTranslated(u, wOptional)
				}
			}
			tf[lang][o.code] = m
			for s := range m {
				df[lang][s]++
			}
		}
	}
	codes := make([]string, 0, len(tf[0]))
	for c := range tf[0] {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return writeFile(out, func(w *bufio.Writer) {
		fmt.Fprintf(w, "# Generated by taxonomy/internal/escogen from ESCO v1.2.0 occupations and ESCO v1.1.1 skills and\n")
		fmt.Fprintf(w, "# occupation-skill relations (entry level); DO NOT EDIT. This service uses the ESCO classification of\n")
		fmt.Fprintf(w, "# the European Commission; its texts are reduced here to weighted word stems, and the English-only\n")
		fmt.Fprintf(w, "# skills' stems are carried into Dutch by a lexicon learned from ESCO's texts in both languages.\n")
		fmt.Fprintf(w, "# Columns (tab-separated): occupation code, Dutch stems, English stems, each as stem:weight\n")
		fmt.Fprintf(w, "# (|, heaviest first; the five heaviest of a trade in one language weigh 1), and its neighbours\n")
		fmt.Fprintf(w, "# (the trades whose stems are most like its own) as code:cosine (|).\n")
		vecs := map[string]map[string]float64{}
		cols := map[string][]string{}
		for _, c := range codes {
			vecs[c] = map[string]float64{}
			cols[c] = []string{c}
			for lang := range 2 {
				top := topStems(tf[lang][c], df[lang], float64(len(codes)))
				parts := make([]string, len(top))
				for i, x := range top {
					parts[i] = fmt.Sprintf("%s:%.4f", x.s, x.w)
					vecs[c][fmt.Sprint(lang)+x.s] = x.w
				}
				cols[c] = append(cols[c], strings.Join(parts, "|"))
			}
		}
		for _, c := range codes {
			fmt.Fprintln(w, strings.Join(append(cols[c], neighbours(c, codes, vecs)), "\t"))
		}
	})
}

type sw struct {
	s string
	w float64
}

// heaviestFirst sorts list by weight, heaviest first, then by name, so that
// the generated files are the same every run.
func heaviestFirst(list []sw) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].w != list[j].w {
			return list[i].w > list[j].w
		}
		return list[i].s < list[j].s
	})
}

// neighboursMax and neighbourMin: a trade's neighbours are the (at most
// five) trades whose stems are most like its own, by cosine, from 0.35.
const (
	neighboursMax = 5
	neighbourMin  = 0.35
)

// neighbours are the trades nearest to c by their weighted stems (both
// languages), as "code:similarity" (|, nearest first).
func neighbours(c string, codes []string, vecs map[string]map[string]float64) string {
	norm := func(v map[string]float64) float64 {
		n := 0.0
		for _, x := range v {
			n += x * x
		}
		return math.Sqrt(n)
	}
	var list []sw
	nc := norm(vecs[c])
	for _, o := range codes {
		if o == c {
			continue
		}
		dot := 0.0
		for s, x := range vecs[c] {
			dot += x * vecs[o][s]
		}
		if sim := dot / (nc * norm(vecs[o])); sim >= neighbourMin {
			list = append(list, sw{o, sim})
		}
	}
	heaviestFirst(list)
	parts := make([]string, 0, neighboursMax)
	for _, x := range list[:min(len(list), neighboursMax)] {
		parts = append(parts, fmt.Sprintf("%s:%.2f", x.s, x.w))
	}
	return strings.Join(parts, "|")
}

// topStems is a trade's heaviest stems in one language (term weight times
// the inverse share of trades that have the stem), normalised so that the
// five heaviest weigh 1.
func topStems(tf map[string]float64, df map[string]int, n float64) []sw {
	var list []sw
	for s, t := range tf {
		if idf := math.Log(n / float64(df[s])); idf > 0 {
			list = append(list, sw{s, tfWeight(t) * idf})
		}
	}
	heaviestFirst(list)
	if len(list) > stemsPerTrade {
		list = list[:stemsPerTrade]
	}
	sum := 0.0 // the five heaviest stems make a whole trade
	for _, x := range list[:min(len(list), 5)] {
		sum += x.w
	}
	for i := range list {
		list[i].w /= sum
	}
	return list
}

// tfWeight damps a stem's weight within a trade: a word that comes back in
// many of its skills ("animal" for a beekeeper) counts more, but not so
// much more that it buries the few words only that trade has ("bees").
func tfWeight(t float64) float64 {
	return math.Sqrt(t)
}
