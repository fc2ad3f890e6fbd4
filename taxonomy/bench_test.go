package taxonomy

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// BenchmarkClaims weighs a profile's three labels against every trade, as
// indexing a profile does, without the memo (the labels were resolved
// once before, as indexing resolves them anyway):
// go test -bench Claims -run '^$' ./taxonomy/
func BenchmarkClaims(b *testing.B) {
	tx, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	labels := []string{"muren stucen", "gipsplaten plaatsen", "goederentreinen rijden"}
	tx.claims(labels)
	b.ResetTimer()
	for range b.N {
		tx.claims(labels)
	}
}

// BenchmarkResolveNew resolves a query not seen before, as the first
// search with it or the first profile with a new label does (the memo
// answers the next): go test -bench ResolveNew -run '^$' ./taxonomy/
func BenchmarkResolveNew(b *testing.B) {
	tx, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		tx.Resolve("ervaren stukadoor gezocht omgeving utrecht " + strconv.Itoa(i))
	}
}

// TestNearest_AsEveryPhraseRead: nearest, which reads only the phrases
// whose length and letters can be near, answers as reading every phrase
// and computing each distance does — for the taxonomy's own words with a
// letter changed, dropped, doubled or swapped, and for words far from all.
func TestNearest_AsEveryPhraseRead(t *testing.T) {
	tx, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	every := func(words []string, text string, allowed int) ([]string, int) {
		var best []string
		bestDist := allowed + 1
		for _, w := range words {
			if abs(len(w)-len(text)) > allowed {
				continue
			}
			switch d := Distance(text, w, allowed); {
			case d < bestDist:
				best, bestDist = []string{w}, d
			case d == bestDist && d <= allowed:
				best = append(best, w)
			}
		}
		return best, bestDist
	}
	r := rand.New(rand.NewPCG(7, 7))
	texts := []string{"xyzzy", "ß ñ 漢字", "graveer", "smit", "qqqqqqqqqq", "heftruk rijden"}
	for range 400 {
		w := []rune(tx.words[r.IntN(len(tx.words))])
		if r.IntN(2) == 0 {
			w = []rune(tx.escoWords[r.IntN(len(tx.escoWords))])
		}
		i := r.IntN(len(w))
		switch r.IntN(4) {
		case 0:
			w[i] = rune('a' + r.IntN(26))
		case 1:
			w = append(w[:i:i], w[i+1:]...)
		case 2:
			w = append(w[:i+1:i+1], w[i:]...)
		default:
			if i+1 < len(w) {
				w[i], w[i+1] = w[i+1], w[i]
			}
		}
		texts = append(texts, string(w))
	}
	for _, text := range texts {
		for allowed := 0; allowed <= 2; allowed++ {
			for _, set := range []struct {
				words []string
				byLen byLength
			}{{tx.words, tx.ownByLen}, {tx.escoWords, tx.escoByLen}} {
				want, wd := every(set.words, text, allowed)
				got, gd := nearest(set.byLen, text, allowed)
				if gd != wd || !slices.Equal(got, want) {
					t.Fatalf("nearest(%q, %d) = %v at %d; reading every phrase gives %v at %d", text, allowed, got, gd, want, wd)
				}
			}
		}
	}
}
