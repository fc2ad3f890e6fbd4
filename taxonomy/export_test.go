package taxonomy

// RankTrades is rankTrades, for tests.
func (t *Taxonomy) RankTrades(labels []string) []TradeFit { return t.rankTrades(labels) }
