package taxonomy

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/herstart/herstart/memo"
	"github.com/herstart/herstart/places"
)

//go:generate go run ./internal/escogen ../../shared/data

//go:embed skills.tsv
var skillsTSV string

// escoTSV holds ESCO's entry-level occupations (see esco.tsv's header and
// README: "This service uses the ESCO classification of the European
// Commission").
//
//go:embed esco.tsv
var escoTSV string

// wordsTXT holds the words of ESCO's Dutch and English texts (words.txt):
// a phrase made of them only is taken as meant, not as a typo.
//
//go:embed words.txt
var wordsTXT string

// Skill is an entry-level or vocational skill.
type Skill struct {
	Code         string
	Sector       string // a Sectors code, or "general"
	NL, EN       string
	Synonyms     []string
	Misspellings []string
	Related      []string // skill codes
	URI          string   // the ESCO occupation it stands for (ESCO entries)
}

// Occupation is a job title and the skills it asks.
type Occupation struct {
	Code         string
	Sector       string
	NL, EN       string
	Synonyms     []string
	Misspellings []string
	Skills       []string // skill codes
	URIs         []string // the ESCO occupations it covers
}

// Taxonomy is the loaded skill and occupation file with its lookup index.
type Taxonomy struct {
	Skills      []Skill
	Occupations []Occupation

	skillByCode map[string]int
	occByCode   map[string]int
	phrases     map[string][]ref // normalised label, synonym or misspelling → what it names
	words       []string         // the project's own phrases, for typo matching
	escoWords   []string         // ESCO's labels, tried for typos only when no own phrase is near
	ownByLen    byLength         // words by length, for nearest
	escoByLen   byLength         // escoWords by length
	escoWord    map[string]bool
	known       map[string]bool // words.txt
	trades      *trades

	resolved    memo.Memo[resolved]   // Resolve's answers: typo matching scans every phrase
	claimed     memo.Memo[[]TradeFit] // Trades' answers: a vacancy's matches weigh its whole pool's labels on every request
	queryTrades memo.Memo[[]string]   // QueryTrades' answers: a vacancy's matches score its title against every pooled profile
}

type resolved struct {
	matches []Match
	rest    []string
}

type ref struct {
	skill      string // set for a skill
	occupation string // set for an occupation
}

// Load parses the embedded taxonomy file and checks it: unique codes, known
// sectors, and every related skill or occupation skill resolving.
func Load() (*Taxonomy, error) {
	t := &Taxonomy{skillByCode: map[string]int{}, occByCode: map[string]int{}, phrases: map[string][]ref{}}
	sectors := NewSet(Sectors)
	for n, line := range strings.Split(skillsTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			return nil, fmt.Errorf("skills.tsv line %d: %d columns, want 8", n+1, len(f))
		}
		if f[2] != "general" && !sectors.Has(f[2]) {
			return nil, fmt.Errorf("skills.tsv line %d: unknown sector %q", n+1, f[2])
		}
		switch f[0] {
		case "skill":
			if _, dup := t.skillByCode[f[1]]; dup {
				return nil, fmt.Errorf("skills.tsv line %d: skill %s twice", n+1, f[1])
			}
			t.skillByCode[f[1]] = len(t.Skills)
			t.Skills = append(t.Skills, Skill{Code: f[1], Sector: f[2], NL: f[3], EN: f[4], Synonyms: split(f[5]), Misspellings: split(f[6]), Related: split(f[7])})
		case "occupation":
			if _, dup := t.occByCode[f[1]]; dup {
				return nil, fmt.Errorf("skills.tsv line %d: occupation %s twice", n+1, f[1])
			}
			t.occByCode[f[1]] = len(t.Occupations)
			t.Occupations = append(t.Occupations, Occupation{Code: f[1], Sector: f[2], NL: f[3], EN: f[4], Synonyms: split(f[5]), Misspellings: split(f[6]), Skills: split(f[7])})
		default:
			return nil, fmt.Errorf("skills.tsv line %d: kind %q", n+1, f[0])
		}
	}
	for _, s := range t.Skills {
		for _, r := range s.Related {
			if _, ok := t.skillByCode[r]; !ok {
				return nil, fmt.Errorf("skill %s: related skill %s unknown", s.Code, r)
			}
		}
		for _, p := range append(append([]string{s.Code, s.NL, s.EN}, s.Synonyms...), s.Misspellings...) {
			t.add(p, ref{skill: s.Code})
		}
	}
	for _, o := range t.Occupations {
		for _, r := range o.Skills {
			if _, ok := t.skillByCode[r]; !ok {
				return nil, fmt.Errorf("occupation %s: skill %s unknown", o.Code, r)
			}
		}
		for _, p := range append(append([]string{o.Code, o.NL, o.EN}, o.Synonyms...), o.Misspellings...) {
			t.add(p, ref{occupation: o.Code})
		}
	}
	for w := range t.phrases {
		t.words = append(t.words, w)
	}
	sort.Strings(t.words)
	if err := t.loadESCO(); err != nil {
		return nil, err
	}
	tr, err := loadTrades()
	if err != nil {
		return nil, err
	}
	t.trades = tr
	t.known = map[string]bool{}
	for _, w := range strings.Split(wordsTXT, "\n") {
		if w != "" && !strings.HasPrefix(w, "#") {
			t.known[w] = true
		}
	}
	return t, nil
}

// loadESCO adds ESCO's entry-level occupations. One whose preferred Dutch
// or English label names a project occupation joins it (its code is added
// to that occupation's skills and its labels name it too). Every other is
// a skill of its own ("esco_7511_1": the work of that occupation), so that
// a profile and a query that name it meet. Its labels never take a phrase
// the project's own file has: the project's layer stays on top.
func (t *Taxonomy) loadESCO() error {
	own := map[string]bool{}
	for _, w := range t.words {
		own[w] = true
	}
	t.escoWord = map[string]bool{}
	generic := genericHeads(escoTSV)
	for n, line := range strings.Split(escoTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return fmt.Errorf("esco.tsv line %d: %d columns, want 5", n+1, len(f))
		}
		nl, en := split(f[3]), split(f[4])
		sk := Skill{Code: f[0], Sector: "general", NL: nl[0], EN: en[0], Synonyms: append(append([]string{}, nl[1:]...), en[1:]...), URI: f[1]}
		if _, dup := t.skillByCode[sk.Code]; dup {
			return fmt.Errorf("esco.tsv line %d: %s twice", n+1, sk.Code)
		}
		t.skillByCode[sk.Code] = len(t.Skills)
		t.Skills = append(t.Skills, sk)
		// A project occupation of the same name takes it in; a project
		// skill of the same name is named by its labels too.
		var also []ref
		for _, pref := range []string{nl[0], en[0]} {
			for _, r := range t.phrases[Fold(pref)] {
				if r.occupation == "" {
					if r.skill != "" && !strings.HasPrefix(r.skill, "esco_") {
						also = append(also, r)
					}
					continue
				}
				o := &t.Occupations[t.occByCode[r.occupation]]
				if !contains(o.Skills, sk.Code) {
					o.Skills = append(o.Skills, sk.Code)
					o.URIs = append(o.URIs, sk.URI)
				}
			}
		}
		for _, p := range append(append([]string{}, nl...), en...) {
			k := Fold(p)
			if k == "" || generic[k] {
				continue
			}
			t.add(p, ref{skill: sk.Code}) // beside the project's own meaning, if any
			if own[k] {
				continue
			}
			for _, r := range also {
				t.add(p, r)
			}
			if !t.escoWord[k] {
				t.escoWord[k] = true
				t.escoWords = append(t.escoWords, k)
			}
		}
	}
	sort.Strings(t.escoWords)
	t.ownByLen, t.escoByLen = lengths(t.words), lengths(t.escoWords)
	return nil
}

// genericHeadMin: a one-word ESCO label that ends the labels of this many
// other occupations names a kind of work, not one trade.
const genericHeadMin = 15

// genericHeads are ESCO's one-word labels that end the labels of
// genericHeadMin other occupations or more, as their last word or the last
// part of a compound: "medewerker" (a label of a drinks filtering
// technician, and the end of "magazijnmedewerker", "horecamedewerker" …),
// "operator", "monteur", "technician", "driver". Taken as that one
// occupation, every "medewerker schoonmaak" asked for drinks filtering; the
// word is searched as a word instead.
func genericHeads(tsv string) map[string]bool {
	type row struct {
		bare   map[string]bool
		labels []string
	}
	var rows []row
	owners := map[string]int{}
	for _, line := range strings.Split(tsv, "\n") {
		f := strings.Split(line, "\t")
		if line == "" || strings.HasPrefix(line, "#") || len(f) != 5 {
			continue
		}
		r := row{bare: map[string]bool{}}
		for _, l := range append(split(f[3]), split(f[4])...) {
			k := Fold(l)
			if k == "" {
				continue
			}
			r.labels = append(r.labels, k)
			if !strings.Contains(k, " ") && !r.bare[k] {
				r.bare[k] = true
				owners[k]++
			}
		}
		rows = append(rows, r)
	}
	ends := map[string]int{}
	for _, r := range rows {
		seen := map[string]bool{}
		for _, l := range r.labels {
			w := l[strings.LastIndexByte(l, ' ')+1:]
			for i := range len(w) - 2 { // the word itself, and each tail after a head of three letters or more
				if i > 0 && i < 3 {
					continue
				}
				if tail := w[i:]; owners[tail] > 0 && !r.bare[tail] && !seen[tail] {
					seen[tail] = true
					ends[tail]++
				}
			}
		}
	}
	out := map[string]bool{}
	for w, n := range ends {
		if n >= genericHeadMin {
			out[w] = true
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func (t *Taxonomy) add(phrase string, r ref) {
	k := Fold(phrase)
	if k == "" {
		return
	}
	for _, x := range t.phrases[k] {
		if x == r {
			return
		}
	}
	t.phrases[k] = append(t.phrases[k], r)
}

// Skill returns the skill with code.
func (t *Taxonomy) Skill(code string) (Skill, bool) {
	i, ok := t.skillByCode[code]
	if !ok {
		return Skill{}, false
	}
	return t.Skills[i], true
}

// Occupation returns the occupation with code.
func (t *Taxonomy) Occupation(code string) (Occupation, bool) {
	i, ok := t.occByCode[code]
	if !ok {
		return Occupation{}, false
	}
	return t.Occupations[i], true
}

// Match is what a piece of text was recognised as.
type Match struct {
	Skills     []string // skill codes, the occupation's skills included
	Occupation string   // set when the text named an occupation
	Typos      int      // edits needed (0: exact)
}

// Resolve recognises free text — a query, a candidate's own skill label —
// as skills or an occupation: the whole text first, then each run of words
// (longest first), exactly or within the typo allowance Meilisearch uses
// (one edit from 5 letters, two from 9; a swap of neighbours is one edit).
// Text it cannot place is returned as rest, to search as plain words.
func (t *Taxonomy) Resolve(text string) (matches []Match, rest []string) {
	r := t.resolved.Get(text, func() resolved {
		m, r := t.resolve(text)
		return resolved{m, r}
	})
	return r.matches, r.rest
}

func (t *Taxonomy) resolve(text string) (matches []Match, rest []string) {
	words := strings.Fields(Fold(text))
	used := make([]bool, len(words))
	for size := len(words); size >= 1; size-- {
		for i := 0; i+size <= len(words); i++ {
			if anyUsed(used[i : i+size]) {
				continue
			}
			phrase := strings.Join(words[i:i+size], " ")
			m, ok := t.lookup(phrase)
			if !ok {
				continue
			}
			matches = append(matches, m)
			for j := i; j < i+size; j++ {
				used[j] = true
			}
		}
	}
	for i, w := range words {
		if used[i] {
			continue
		}
		if m, ok := t.compoundTitle(w); ok {
			matches = append(matches, m)
			continue
		}
		rest = append(rest, w)
	}
	return matches, rest
}

// Correct is text with each word the taxonomy cannot place replaced by
// the nearest of its phrases one edit away, for a search that found
// nobody ("smit": smid; "graveer": graveur). The typo rule finds no typo
// in a word under five letters, nor in a word of its own ("graveer" is a
// form of "graveren"), and rightly so while the word finds something;
// when it finds nothing, a word one letter off a trade is likelier a slip
// than a search for nothing. The first letter stays (Meilisearch counts a
// change there as two); a job title is preferred among words as near. It
// reports false when no word changed.
func (t *Taxonomy) Correct(text string) (string, bool) {
	_, rest := t.Resolve(text)
	unplaced := map[string]bool{}
	for _, w := range rest {
		unplaced[w] = true
	}
	words := strings.Fields(Fold(text))
	changed := false
	for i, w := range words {
		if !unplaced[w] || len([]rune(w)) < 4 {
			continue
		}
		best, d := nearest(t.ownByLen, w, 1)
		if len(best) == 0 {
			best, d = nearest(t.escoByLen, w, 1)
		}
		if d != 1 {
			continue
		}
		pick := ""
		for _, b := range best {
			if []rune(b)[0] != []rune(w)[0] {
				continue
			}
			if pick == "" || t.isTitlePhrase(b) && !t.isTitlePhrase(pick) {
				pick = b
			}
		}
		if pick != "" {
			words[i], changed = pick, true
		}
	}
	return strings.Join(words, " "), changed
}

// isTitlePhrase reports whether phrase names an occupation: one of the
// project's, or an ESCO trade.
func (t *Taxonomy) isTitlePhrase(phrase string) bool {
	for _, r := range t.phrases[phrase] {
		if r.occupation != "" || t.IsTrade(r.skill) {
			return true
		}
	}
	return false
}

// compoundTitle reads a Dutch compound that ends in a job title the
// taxonomy knows as that title ("hulpmetselaar", "nachtportier",
// "pakketbezorger"): the longest tail of tailMin letters or more, after a
// head of three or more, that names one of the project's occupations.
// ESCO's labels do not count as tails: some are bare words ("medewerker",
// "operator" are labels of a drinks filtering technician), and every
// compound of such a word would become that trade.
func (t *Taxonomy) compoundTitle(w string) (Match, bool) {
	r := []rune(w)
	for n := 3; len(r)-n >= tailMin; n++ {
		refs, ok := t.phrases[string(r[n:])]
		if !ok {
			continue
		}
		for _, x := range refs {
			if x.occupation == "" {
				continue
			}
			return t.match(refs, 0), true
		}
	}
	return Match{}, false
}

func anyUsed(b []bool) bool {
	for _, x := range b {
		if x {
			return true
		}
	}
	return false
}

func (t *Taxonomy) lookup(phrase string) (Match, bool) {
	if refs, ok := t.phrases[phrase]; ok {
		return t.match(refs, 0), true
	}
	allowed := Allowed(phrase)
	if allowed == 0 {
		return Match{}, false
	}
	best, dist := nearest(t.ownByLen, phrase, allowed)
	if len(best) == 0 {
		best, dist = nearest(t.escoByLen, phrase, allowed)
	}
	var refs []ref
	for _, b := range best {
		if !t.swapsWords(phrase, b) {
			refs = append(refs, t.phrases[b]...)
		}
	}
	if len(refs) == 0 {
		return Match{}, false
	}
	return t.match(refs, dist), true
}

// swapsWords reports whether taking phrase for near (a taxonomy phrase)
// swaps a word for another word: they have as many words, and where they
// differ the word typed is a word as written (of ESCO's texts or a phrase
// of the taxonomy's own). Such a phrase means what it says ("haar
// knippen", "kassen", "plakken"), it is no typo of the other ("haag
// knippen", "kassa", "lakken"); a misspelt word ("lasen") or words written
// apart ("drooghout" for "droog hout") still are.
func (t *Taxonomy) swapsWords(phrase, near string) bool {
	a, b := strings.Fields(phrase), strings.Fields(near)
	if len(a) != len(b) {
		return false
	}
	word := func(w string) bool {
		_, own := t.phrases[w]
		return t.known[w] || own
	}
	for i := range a {
		if a[i] != b[i] && !word(a[i]) {
			return false
		}
	}
	return true
}

// byLength holds phrases by their length in bytes, each length's in
// order, with the letters each has: a phrase more than allowed bytes
// longer or shorter is more than allowed edits away, and so is one that
// lacks more than allowed of the other's letters, so nearest computes the
// distance only to the few that can be near (reading every phrase for
// each made a new five-word query cost some 30 ms, a 40-word one 0.3 s).
type byLength [][]phrase

type phrase struct {
	s       string
	letters uint64 // letterSet
}

func lengths(sorted []string) byLength {
	var out byLength
	for _, w := range sorted {
		for len(out) <= len(w) {
			out = append(out, nil)
		}
		out[len(w)] = append(out[len(w)], phrase{w, letterSet(w)})
	}
	return out
}

// letterSet is a bit for each letter a to z and digit in s, and one for
// every other character.
func letterSet(s string) uint64 {
	var m uint64
	for _, c := range s {
		m |= 1 << letterBit(c)
	}
	return m
}

func letterBit(c rune) uint {
	switch {
	case c >= 'a' && c <= 'z':
		return uint(c - 'a')
	case c >= '0' && c <= '9':
		return 26 + uint(c-'0')
	default:
		return 63
	}
}

// lacking is how many characters of s are of letters set does not have:
// each needs an edit of its own (a swap only moves letters both have), so
// it is a floor under the distance.
func lacking(s string, set uint64) int {
	n := 0
	for _, c := range s {
		if set&(1<<letterBit(c)) == 0 {
			n++
		}
	}
	return n
}

// nearest are the phrases of words within allowed edits of text, the
// closest, in order: all of them when several are as near ("portir" is one
// edit from "portier" and from "porter"; a search engine finds both).
func nearest(words byLength, text string, allowed int) ([]string, int) {
	var best []string
	bestDist := allowed + 1
	set := letterSet(text)
	for n := max(0, len(text)-allowed); n <= len(text)+allowed && n < len(words); n++ {
		for _, w := range words[n] {
			if lacking(text, w.letters) > allowed || lacking(w.s, set) > allowed {
				continue
			}
			switch d := Distance(text, w.s, allowed); {
			case d < bestDist:
				best, bestDist = []string{w.s}, d
			case d == bestDist && d <= allowed:
				best = append(best, w.s)
			}
		}
	}
	sort.Strings(best) // as when every phrase was read in order
	return best, bestDist
}

func (t *Taxonomy) match(refs []ref, typos int) Match {
	m := Match{Typos: typos}
	seen := map[string]bool{}
	addSkill := func(code string) {
		if !seen[code] {
			seen[code] = true
			m.Skills = append(m.Skills, code)
		}
	}
	for _, r := range refs {
		if r.skill != "" {
			addSkill(r.skill)
			continue
		}
		if m.Occupation == "" {
			m.Occupation = r.occupation
		}
		o, _ := t.Occupation(r.occupation)
		for _, s := range o.Skills {
			addSkill(s)
		}
	}
	return m
}

// Allowed is the number of typos tolerated in a word or phrase of that
// many letters: Meilisearch's default rule, applied to both engines.
func Allowed(s string) int {
	n := len([]rune(s))
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	default:
		return 0
	}
}

// Distance is the optimal-string-alignment (Damerau–Levenshtein) distance
// between a and b, counting a swap of neighbouring letters as one edit. It
// stops early and returns max+1 once the distance exceeds max.
func Distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > max {
		return max + 1
	}
	var rows [3][32]int // on the stack for the words typo matching compares
	prev2, prev, cur := rows[0][:0], rows[1][:0], rows[2][:0]
	if len(rb)+1 > len(rows[0]) {
		prev2, prev, cur = make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1)
	}
	prev2, prev, cur = prev2[:len(rb)+1], prev[:len(rb)+1], cur[:len(rb)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(rb)] > max {
		return max + 1
	}
	return prev[len(rb)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Fold is the form taxonomy phrases are compared in: lower case, accents
// removed, punctuation and hyphens made spaces, runs of spaces one.
func Fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(places.FoldAccent(r))
			space = false
		case r == '\'' || r == '’':
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}
