package candidates

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/herstart/herstart/places"
)

// The motivation is shown on the level-0 card to every employer who finds
// the candidate, so it must not say who they are: a probation worker could
// type a name or a phone number into it without thinking.
var (
	emailInText    = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phoneInText    = regexp.MustCompile(`(?:\+|00)\d[\d\s\-().]{7,}\d|\b0\d(?:[\s\-]?\d){8}\b`)
	digitsInText   = regexp.MustCompile(`\d[\d\s.\-]{7,12}\d`)
	postcodeNumber = regexp.MustCompile(`(?i)\b[1-9]\d{3}\s?[a-z]{2}\b[\s,]*\d+|\b[a-z][a-z\-]+(?:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|dreef|hof|steeg)\s+\d+`)
)

// identifying says what in text could identify the candidate, or "".
func identifying(text string, id Identity) string {
	if text == "" {
		return ""
	}
	fold := func(s string) string { return strings.ToLower(strings.Map(places.FoldAccent, s)) }
	folded := " " + fold(text) + " "
	words := strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
	hasWord := func(name string) bool {
		name = fold(strings.TrimSpace(name))
		if len([]rune(name)) < 2 {
			return false
		}
		parts := strings.Fields(name)
		if len(parts) > 1 { // "de Vries": the phrase, or its last part
			return strings.Contains(folded, " "+name+" ") || hasAny(words, parts[len(parts)-1])
		}
		return hasAny(words, name)
	}
	switch {
	case hasWord(id.FirstName) || hasWord(id.LastName):
		return "must not contain the candidate's name: it is shown to employers before any consent"
	case emailInText.MatchString(text):
		return "must not contain an e-mail address: it is shown to employers before any consent"
	case phoneInText.MatchString(text):
		return "must not contain a phone number: it is shown to employers before any consent"
	case bsnLike(text):
		return "must not contain a citizen service number (BSN) or other personal number"
	case postcodeNumber.MatchString(text):
		return "must not contain an address (postcode and house number, or street and number)"
	}
	return ""
}

func hasAny(words []string, w string) bool {
	for _, x := range words {
		if x == w {
			return true
		}
	}
	return false
}

// bsnLike finds a run of 8 or 9 digits (spaces, dots and dashes allowed
// between) that passes the BSN eleven test.
func bsnLike(text string) bool {
	for _, m := range digitsInText.FindAllString(text, -1) {
		var d []int
		for _, r := range m {
			if r >= '0' && r <= '9' {
				d = append(d, int(r-'0'))
			}
		}
		if len(d) == 8 {
			d = append([]int{0}, d...)
		}
		if len(d) != 9 {
			continue
		}
		sum := 0
		for i := 0; i < 8; i++ {
			sum += (9 - i) * d[i]
		}
		sum -= d[8]
		if sum%11 == 0 && sum != 0 {
			return true
		}
	}
	return false
}
