package taxonomy

import "testing"

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
