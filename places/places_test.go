package places_test

import (
	"strings"
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
		{"Ambiguous", "Hengelo", "", "place"},
		{"AmbiguousInOneProvince", "Doesburg", "", "place"},
		{"AmbiguousWithProvince", "Doesburg", "Gelderland", "place"},
		{"UnknownPostcode", "0999", "", "place"},
		{"NotInMunicipality", "Hengelo (Westland)", "", "place"},
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

// TestLookup_MunicipalitiesAndPostcodes: names that repeat are told apart
// by their municipality and listed when they are not; municipalities that
// are not place names and 4-digit postcodes are places too.
func TestLookup_MunicipalitiesAndPostcodes(t *testing.T) {
	tbl := places.New()
	n, pcs := places.Municipalities()
	if n != 342 || pcs < 4000 {
		t.Fatalf("%d municipalities, %d postcodes", n, pcs)
	}
	for _, tc := range []struct{ in, want, muni, prov string }{
		{"Doesburg (Doesburg)", "Doesburg", "Doesburg", "Gelderland"},
		{"Nes, Ameland", "Nes", "Ameland", "Friesland"},
		{"Hengelo (Bronckhorst)", "Hengelo", "Bronckhorst", "Gelderland"},
		{"Hengelo (Hengelo)", "Hengelo", "Hengelo (O)", "Overijssel"},
		{"Westland", "Westland", "Westland", "Zuid-Holland"},
		{"Súdwest-Fryslân", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"},
		{"sudwest fryslan", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"},
		{"3511", "Utrecht", "Utrecht", "Utrecht"},
		{"3511 AB", "Utrecht", "Utrecht", "Utrecht"},
		{"2511", "Den Haag", "'s-Gravenhage", "Zuid-Holland"},
		{"3221", "Hellevoetsluis", "Voorne aan Zee", "Zuid-Holland"},
		{"Utrecht", "Utrecht", "Utrecht", "Utrecht"},
	} {
		p, err := tbl.Lookup(tc.in, "")
		if err != nil {
			t.Fatalf("Lookup(%q): %v", tc.in, err)
		}
		m := tbl.MunicipalityOf(p)
		if p.Name != tc.want || m.Name != tc.muni || p.ProvinceName() != tc.prov {
			t.Fatalf("Lookup(%q) = %s in %s (%s); want %s in %s (%s)", tc.in, p.Name, m.Name, p.ProvinceName(), tc.want, tc.muni, tc.prov)
		}
		if back, ok := tbl.ByID(p.ID); !ok || back != p {
			t.Fatalf("ByID(%d) = %+v %v; want %+v", p.ID, back, ok, p)
		}
	}
	// The six names the outside check found twice in one province: each an
	// error that lists the choices with their municipalities.
	for _, name := range []string{"Berg", "Doesburg", "Halfweg", "Heusden", "Hoeven", "Nes"} {
		_, err := tbl.Lookup(name, "")
		f := apperr.FieldsOf(err)
		if f["place"] == "" || strings.Count(f["place"], "(") < 2 {
			t.Fatalf("Lookup(%q) = %v; want the choices listed", name, err)
		}
		t.Logf("%s: %s", name, f["place"])
	}
}

// TestLookup_EveryFormShownIsTaken: each choice a "means more than one
// place" message offers, and each place's Label, is taken back as that
// very place, alone or with the province beside it; so is what a person
// writes after a comma.
func TestLookup_EveryFormShownIsTaken(t *testing.T) {
	tbl := places.New()
	ambiguous := 0
	for _, name := range []string{"Hoeven", "Berg", "Bergen", "Hengelo", "Nes", "Oosterend", "Beek", "Velden", "Sint Jansklooster", "Haren", "Zevenhuizen", "Oosterhout"} {
		_, err := tbl.Lookup(name, "")
		fe, ok := apperr.As(err)
		if !ok || !strings.Contains(fe.Fields["place"], "more than one place") {
			continue
		}
		ambiguous++
		msg := fe.Fields["place"]
		list := msg[strings.Index(msg, "write one of ")+len("write one of "):]
		for _, choice := range strings.Split(list, "; ") {
			p, err := tbl.Lookup(choice, "")
			if err != nil {
				t.Errorf("the message offers %q, and Lookup refuses it: %v", choice, err)
				continue
			}
			if got := tbl.Label(p); got != choice {
				t.Errorf("Label(%q) = %q; want the form the message offered", choice, got)
			}
			back, err := tbl.Lookup(tbl.Label(p), p.ProvinceName())
			if err != nil || back.ID != p.ID {
				t.Errorf("%q with its province beside it = %v, %v; want %d", choice, back.ID, err, p.ID)
			}
			inner := choice[strings.Index(choice, "(")+1 : len(choice)-1]
			muni, _, _ := strings.Cut(inner, ",")
			if back, err := tbl.Lookup(p.Name+" ("+muni+")", p.ProvinceName()); err != nil || back.ID != p.ID {
				t.Errorf("%s (%s) with province %s = %v, %v", p.Name, muni, p.ProvinceName(), back.ID, err)
			}
			if back, err := tbl.Lookup(p.Name+", "+muni, ""); err != nil || back.ID != p.ID {
				t.Errorf("%s, %s = %v, %v", p.Name, muni, back.ID, err)
			}
		}
	}
	if ambiguous < 4 {
		t.Fatalf("only %d of the names repeat: the test checks too little", ambiguous)
	}
	if _, err := tbl.Lookup("Berg (Stein, Limburg)", "Groningen"); err == nil {
		t.Error("a province beside that contradicts the one in brackets was taken")
	}
	if p, err := tbl.Lookup("Utrecht", ""); err != nil || tbl.Label(p) != "Utrecht" {
		t.Errorf("a name that does not repeat: Label = %q, %v", tbl.Label(p), err)
	}
}

// TestAddRefusal: Lookup's refusal lands on the caller's own field names,
// the province's on the province field, and one that names no field on
// the place.
func TestAddRefusal(t *testing.T) {
	tbl := places.New()
	for _, c := range []struct {
		place, province, field string
	}{
		{"Utrecht", "Nergensland", "home_province"},
		{"Hengelo (Gld)", "Overijssel", "home_province"},
		{"Nergenshuizen", "", "home_place"},
		{"", "", "home_place"},
	} {
		_, err := tbl.Lookup(c.place, c.province)
		if err == nil {
			t.Fatalf("%q, %q: found", c.place, c.province)
		}
		f := apperr.Fields{}
		places.AddRefusal(&f, err, "home_place", "home_province")
		if len(f) != 1 || f[c.field] == "" {
			t.Errorf("%q, %q: %v; want the error on %s", c.place, c.province, f, c.field)
		}
	}
	f := apperr.Fields{}
	places.AddRefusal(&f, apperr.Errorf(apperr.NotFound, "no"), "p", "q")
	if f["p"] != "is not a known Dutch place" {
		t.Errorf("an error that names no field: %v; want it on the place", f)
	}
}
