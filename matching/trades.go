package matching

import "github.com/herstart/herstart/taxonomy"

// TradeTerm is a trade a query names, as the engines look for it among
// the profiles that claim it in their own words (CandidateDoc.Trades).
type TradeTerm struct {
	Token string
	Boost float64 // 1 for the trade named, less for those related to it
}

// Coverage steps of a claimed trade: a profile carries the trade's code,
// "+" and "++" after it when its words cover that much of the trade's
// core, and "!" when it is among the trades they cover best, so that the
// engines rank the better covered first, and those for whom it is the
// trade before those who come near it from another.
var tradeSteps = []struct {
	suffix string
	min    float64
}{{"", 0}, {"+", 0.25}, {"++", 0.5}}

const primarySuffix = "!"

// relatedBoost is how much a trade related to the named one counts
// (taxonomy.Related): a query for a shoemaker finds the shoe repairers
// after them.
const relatedBoost = 0.25

// tradeTokens are the tokens a profile's labels claim (taxonomy.Trades).
func tradeTokens(tx *taxonomy.Taxonomy, labels []string) []string {
	var out []string
	for _, f := range tx.Trades(labels) {
		for _, st := range tradeSteps {
			if f.Coverage >= st.min {
				out = append(out, f.Code+st.suffix)
			}
		}
		if f.Primary {
			out = append(out, f.Code+primarySuffix)
		}
	}
	return out
}

// TradeTerms are the trade tokens a query's skill codes ask for: each
// trade among them with its coverage steps, and at relatedBoost the
// profiles whose primary trade is related to it.
func TradeTerms(tx *taxonomy.Taxonomy, skills []string) []TradeTerm {
	boost := map[string]float64{}
	var order []string
	add := func(tok string, b float64) {
		if old, ok := boost[tok]; !ok {
			order = append(order, tok)
			boost[tok] = b
		} else {
			boost[tok] = max(old, b)
		}
	}
	for _, s := range skills {
		if !tx.IsTrade(s) {
			continue
		}
		for _, st := range tradeSteps {
			add(s+st.suffix, 1)
		}
		add(s+primarySuffix, 1)
		for _, r := range tx.Related(s) {
			add(r+primarySuffix, relatedBoost) // only those for whom it is the trade
		}
	}
	out := make([]TradeTerm, len(order))
	for i, tok := range order {
		out[i] = TradeTerm{Token: tok, Boost: boost[tok]}
	}
	return out
}

// TradeTokens are the tokens of terms.
func TradeTokens(terms []TradeTerm) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Token
	}
	return out
}
