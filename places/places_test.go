package places_test

import (
	"testing"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
)

func TestLookup(t *testing.T) {
	tbl := places.New()
	tests := []struct {
		name, in, province string
		want, wantProv     string
	}{
		{"Plain", "Amsterdam", "", "Amsterdam", "Noord-Holland"},
		{"CaseAndSpace", "  rotterdam ", "", "Rotterdam", "Zuid-Holland"},
		{"DutchNameForTheHague", "Den Haag", "", "Den Haag", "Zuid-Holland"},
		{"FormalNameForTheHague", "'s-Gravenhage", "", "Den Haag", "Zuid-Holland"},
		{"DenBosch", "Den Bosch", "", "'s-Hertogenbosch", "Noord-Brabant"},
		{"ApostropheVariant", "’s-Hertogenbosch", "", "'s-Hertogenbosch", "Noord-Brabant"},
		{"Almere", "almere", "", "Almere", "Flevoland"},
		{"Accent", "Sint Odilienberg", "", "Sint Odiliënberg", "Limburg"},
		{"SintAbbreviated", "St. Annaparochie", "", "Sint Annaparochie", "Friesland"},
		{"HyphenAsSpace", "Capelle aan den IJssel", "", "Capelle aan den IJssel", "Zuid-Holland"},
		{"SharedNameWithProvince", "Hengelo", "Gelderland", "Hengelo", "Gelderland"},
		{"SharedNameProvinceAbbrev", "Hengelo", "OV", "Hengelo", "Overijssel"},
		{"SharedNameInBrackets", "Rijswijk (ZH)", "", "Rijswijk", "Zuid-Holland"},
		{"SharedNameAfterComma", "Rijswijk, Noord-Brabant", "", "Rijswijk", "Noord-Brabant"},
		{"FrisianProvince", "Leeuwarden", "Fryslân", "Leeuwarden", "Friesland"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tbl.Lookup(tc.in, tc.province)
			if err != nil {
				t.Fatalf("Lookup(%q, %q): %v", tc.in, tc.province, err)
			}
			if p.Name != tc.want || p.ProvinceName() != tc.wantProv {
				t.Fatalf("Lookup(%q, %q) = %s (%s); want %s (%s)", tc.in, tc.province, p.Name, p.ProvinceName(), tc.want, tc.wantProv)
			}
			if p.Lat < 50.7 || p.Lat > 53.6 || p.Lon < 3.3 || p.Lon > 7.3 {
				t.Fatalf("%s lies outside the Netherlands: %v,%v", p.Name, p.Lat, p.Lon)
			}
		})
	}
}

func TestLookup_Errors(t *testing.T) {
	tbl := places.New()
	tests := []struct {
		name, in, province, field string
	}{
		{"Unknown", "Atlantis", "", "place"},
		{"Empty", " ", "", "place"},
		{"Ambiguous", "Hengelo", "", "province"},
		{"BadProvince", "Hengelo", "Bavaria", "province"},
		{"WrongProvince", "Amsterdam", "Zeeland", "place"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tbl.Lookup(tc.in, tc.province)
			var e *apperr.Error
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Lookup(%q) error = %v; want Invalid", tc.in, err)
			}
			e = err.(*apperr.Error)
			if _, ok := e.Fields[tc.field]; !ok {
				t.Fatalf("Lookup(%q) fields = %v; want %s named", tc.in, e.Fields, tc.field)
			}
		})
	}
}

func TestDistanceKm(t *testing.T) {
	tbl := places.New()
	a, _ := tbl.Lookup("Amsterdam", "")
	r, _ := tbl.Lookup("Rotterdam", "")
	d := places.DistanceKm(a.Lat, a.Lon, r.Lat, r.Lon)
	if d < 55 || d > 60 {
		t.Fatalf("Amsterdam–Rotterdam = %.1f km; want about 57", d)
	}
}
