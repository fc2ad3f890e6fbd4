package places_test

import (
	"testing"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
)

// FuzzLookup: any name and province either resolve to a place whose label
// resolves back to that same place, or are refused as a 422 naming the
// place or the province; nothing panics.
func FuzzLookup(f *testing.F) {
	for _, s := range [][2]string{{"Hoeven (Halderberge)", ""}, {"Berg (Stein, Limburg)", "Limburg"}, {"Hengelo (Gld)", ""}, {"3511 AB", ""},
		{"Nes, Ameland", ""}, {"'s-Hertogenbosch", "NB"}, {"((((", ")"}, {"Utrecht,,,", "Utrecht"}, {"St. Michielsgestel", ""}, {"Den Haag", "Groningen"}} {
		f.Add(s[0], s[1])
	}
	tbl := places.New()
	f.Fuzz(func(t *testing.T, name, province string) {
		p, err := tbl.Lookup(name, province)
		if err != nil {
			fe, ok := apperr.As(err)
			if !ok || fe.Code != apperr.Invalid || (fe.Fields["place"] == "" && fe.Fields["province"] == "") {
				t.Fatalf("Lookup(%q, %q) = %v; want a 422 naming place or province", name, province, err)
			}
			return
		}
		back, err := tbl.Lookup(tbl.Label(p), "")
		municipality := p.ID < 0 && back.Name == p.Name // a place of the municipality's name comes first
		if err != nil || (back.ID != p.ID && !municipality) {
			t.Fatalf("Lookup(%q, %q) = %s #%d, whose label %q gives %v, %v", name, province, p.Name, p.ID, tbl.Label(p), back.ID, err)
		}
	})
}
