package candidates

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

// Input is everything a probation worker registers about a candidate; the
// JSON shape of POST /api/v1/candidates.
type Input struct {
	Identity           IdentityInput     `json:"identity"`
	Skills             []string          `json:"skills"`
	DesiredOccupations []string          `json:"desired_occupations"`
	Certificates       []string          `json:"certificates"`
	Languages          []string          `json:"languages"`
	HoursPerWeek       int               `json:"hours_per_week"`
	AvailableFrom      string            `json:"available_from"` // YYYY-MM-DD
	HomePlace          string            `json:"home_place"`
	HomeProvince       string            `json:"home_province,omitempty"`
	HomePlaceID        int               `json:"home_place_id,omitempty"` // the place itself (GET /api/v1/places gives ids); with it, home_place may be empty
	TravelRadiusKm     int               `json:"travel_radius_km"`
	Motivation         string            `json:"motivation"`
	WorkHistory        []string          `json:"work_history"`
	Restrictions       RestrictionsInput `json:"restrictions"`
}

// IdentityInput is the identity part of Input.
type IdentityInput struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	BirthDate string `json:"birth_date"` // YYYY-MM-DD
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Address   string `json:"address,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
}

// RestrictionsInput is the restrictions part of Input.
type RestrictionsInput struct {
	AreaBans          []AreaBanInput `json:"area_bans"`
	ExcludedSectors   []string       `json:"excluded_sectors"`
	RiskAreaConflicts []string       `json:"risk_area_conflicts"`
	Curfew            *CurfewInput   `json:"curfew,omitempty"`
}

// AreaBanInput is a place or a point with a radius.
type AreaBanInput struct {
	Place    string   `json:"place,omitempty"`
	Province string   `json:"province,omitempty"`
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	RadiusKm float64  `json:"radius_km"`
}

// CurfewInput is a daily window, "HH:MM" to "HH:MM".
type CurfewInput struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Update is a partial change (PATCH): a nil field is left alone; a given
// list or section replaces the stored one whole.
type Update struct {
	Identity           *IdentityInput     `json:"identity"`
	Skills             *[]string          `json:"skills"`
	DesiredOccupations *[]string          `json:"desired_occupations"`
	Certificates       *[]string          `json:"certificates"`
	Languages          *[]string          `json:"languages"`
	HoursPerWeek       *int               `json:"hours_per_week"`
	AvailableFrom      *string            `json:"available_from"`
	HomePlace          *string            `json:"home_place"`
	HomeProvince       *string            `json:"home_province"`
	HomePlaceID        *int               `json:"home_place_id"`
	TravelRadiusKm     *int               `json:"travel_radius_km"`
	Motivation         *string            `json:"motivation"`
	WorkHistory        *[]string          `json:"work_history"`
	Restrictions       *RestrictionsInput `json:"restrictions"`
	Status             *Status            `json:"status"`
}

// apply returns in with the update's fields set.
func (u Update) apply(in Input) Input {
	set := func(dst *[]string, src *[]string) {
		if src != nil {
			*dst = *src
		}
	}
	if u.Identity != nil {
		in.Identity = *u.Identity
	}
	set(&in.Skills, u.Skills)
	set(&in.DesiredOccupations, u.DesiredOccupations)
	set(&in.Certificates, u.Certificates)
	set(&in.Languages, u.Languages)
	set(&in.WorkHistory, u.WorkHistory)
	if u.HoursPerWeek != nil {
		in.HoursPerWeek = *u.HoursPerWeek
	}
	if u.AvailableFrom != nil {
		in.AvailableFrom = *u.AvailableFrom
	}
	if u.HomePlace != nil {
		in.HomePlace, in.HomeProvince, in.HomePlaceID = *u.HomePlace, "", 0
	}
	if u.HomeProvince != nil {
		in.HomeProvince, in.HomePlaceID = *u.HomeProvince, 0
	}
	if u.HomePlaceID != nil {
		in.HomePlace, in.HomeProvince, in.HomePlaceID = "", "", *u.HomePlaceID
	}
	if u.TravelRadiusKm != nil {
		in.TravelRadiusKm = *u.TravelRadiusKm
	}
	if u.Motivation != nil {
		in.Motivation = *u.Motivation
	}
	if u.Restrictions != nil {
		in.Restrictions = *u.Restrictions
	}
	return in
}

// Limits of the input.
const (
	MaxHours        = 60
	MaxRadiusKm     = 300
	MaxBanRadiusKm  = 100
	maxListItems    = 50
	maxItemLen      = 80
	maxMotivation   = 500
	maxHistoryItems = 20
	maxHistoryLen   = 200
	maxAreaBans     = 20
)

var (
	certificateSet = taxonomy.NewSet(taxonomy.Certificates)
	languageSet    = taxonomy.NewSet(taxonomy.Languages)
	sectorSet      = taxonomy.NewSet(taxonomy.Sectors)
	riskAreaSet    = taxonomy.NewSet(taxonomy.RiskAreas)

	phoneRe    = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,19}$`)
	postcodeRe = regexp.MustCompile(`^[1-9][0-9]{3} ?[A-Za-z]{2}$`)
	clockRe    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	kvkRe      = regexp.MustCompile(`^[0-9]{8}$`)
)

// resolved is Input checked and turned into domain values.
type resolved struct {
	identity     Identity
	profile      Profile
	restrictions Restrictions
}

// resolve validates every field of in, reporting all problems at once, and
// resolves places against tbl.
func resolve(in Input, tbl *places.Table, now time.Time) (resolved, error) {
	var f apperr.Fields
	var r resolved
	today := dateOf(now)

	id := in.Identity
	r.identity = Identity{
		FirstName: f.Text("identity.first_name", id.FirstName, 100, true),
		LastName:  f.Text("identity.last_name", id.LastName, 100, true),
		Address:   f.Text("identity.address", id.Address, 200, false),
		Email:     strings.TrimSpace(id.Email),
		Phone:     strings.TrimSpace(id.Phone),
		Postcode:  strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(id.Postcode), " ", "")),
	}
	if bd, ok := date(&f, "identity.birth_date", id.BirthDate, true); ok {
		age := ageAt(bd, today)
		switch {
		case bd.After(today):
			f.Add("identity.birth_date", "must not be in the future")
		case age < 16:
			f.Add("identity.birth_date", "the candidate must be at least 16 years old")
		case age > 100:
			f.Add("identity.birth_date", "must be within the last 100 years")
		}
		r.identity.BirthDate = bd
	}
	if e := r.identity.Email; e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
			f.Add("identity.email", "must be an e-mail address such as naam@voorbeeld.nl")
		}
	}
	if p := r.identity.Phone; p != "" && !phoneRe.MatchString(p) {
		f.Add("identity.phone", "must be a phone number such as +31 6 12345678")
	}
	if pc := r.identity.Postcode; pc != "" {
		if !postcodeRe.MatchString(pc) {
			f.Add("identity.postcode", "must be a Dutch postcode such as 1234AB")
		}
	}

	p := &r.profile
	p.Skills = f.List("skills", in.Skills, maxListItems, maxItemLen)
	p.DesiredOccupations = f.List("desired_occupations", in.DesiredOccupations, 20, maxItemLen)
	p.WorkHistory = f.List("work_history", in.WorkHistory, maxHistoryItems, maxHistoryLen)
	p.Certificates = f.Codes("certificates", in.Certificates, certificateSet.Codes(), false)
	p.Languages = f.Codes("languages", in.Languages, languageSet.Codes(), false)
	p.Motivation = f.Text("motivation", in.Motivation, maxMotivation, false)
	if problem := identifying(p.Motivation, r.identity); problem != "" {
		f.Add("motivation", problem)
	}
	switch {
	case in.HoursPerWeek == 0:
		f.Add("hours_per_week", "is required (1 to 60)")
	case in.HoursPerWeek < 1 || in.HoursPerWeek > MaxHours:
		f.Addf("hours_per_week", "must be between 1 and %d", MaxHours)
	}
	p.HoursPerWeek = in.HoursPerWeek
	if af, ok := date(&f, "available_from", in.AvailableFrom, true); ok {
		switch {
		case af.Before(today.AddDate(-5, 0, 0)):
			f.Add("available_from", "must be within the last 5 years")
		case af.After(today.AddDate(2, 0, 0)):
			f.Add("available_from", "must be within the next 2 years")
		}
		p.AvailableFrom = af
	}
	if in.TravelRadiusKm < 0 || in.TravelRadiusKm > MaxRadiusKm {
		f.Addf("travel_radius_km", "must be between 0 and %d", MaxRadiusKm)
	}
	p.TravelRadiusKm = in.TravelRadiusKm
	if in.HomePlaceID != 0 {
		// The place itself: a stored candidate's (so a name that repeats,
		// "Hoeven", never needs resolving again) or the picker's.
		if pl, ok := tbl.ByID(in.HomePlaceID); ok {
			p.HomePlace = Place{ID: pl.ID, Name: pl.Name, Province: pl.ProvinceName(), Lat: pl.Lat, Lon: pl.Lon}
		} else {
			f.Add("home_place_id", "is not a known place")
		}
	} else if pl, err := tbl.Lookup(in.HomePlace, in.HomeProvince); err != nil {
		places.AddRefusal(&f, err, "home_place", "home_province")
	} else {
		p.HomePlace = Place{ID: pl.ID, Name: pl.Name, Province: pl.ProvinceName(), Lat: pl.Lat, Lon: pl.Lon}
	}

	rs := in.Restrictions
	r.restrictions.ExcludedSectors = f.Codes("restrictions.excluded_sectors", rs.ExcludedSectors, sectorSet.Codes(), false)
	r.restrictions.RiskAreaConflicts = f.Codes("restrictions.risk_area_conflicts", rs.RiskAreaConflicts, riskAreaSet.Codes(), false)
	if len(rs.AreaBans) > maxAreaBans {
		f.Addf("restrictions.area_bans", "must have at most %d entries", maxAreaBans)
	} else {
		for i, b := range rs.AreaBans {
			if ban, ok := areaBan(&f, fmt.Sprintf("restrictions.area_bans[%d]", i), b, tbl); ok {
				r.restrictions.AreaBans = append(r.restrictions.AreaBans, ban)
			}
		}
	}
	if c := rs.Curfew; c != nil {
		if !clockRe.MatchString(c.From) {
			f.Add("restrictions.curfew.from", "must be a time such as 22:00")
		}
		if !clockRe.MatchString(c.To) {
			f.Add("restrictions.curfew.to", "must be a time such as 06:00")
		}
		if c.From == c.To && c.From != "" {
			f.Add("restrictions.curfew.to", "must differ from the start")
		}
		r.restrictions.Curfew = &Curfew{From: c.From, To: c.To}
	}
	return r, f.Err()
}

func areaBan(f *apperr.Fields, field string, b AreaBanInput, tbl *places.Table) (AreaBan, bool) {
	ok := true
	if b.RadiusKm < 0 || b.RadiusKm > MaxBanRadiusKm {
		f.Addf(field+".radius_km", "must be between 0 and %d", MaxBanRadiusKm)
		ok = false
	}
	switch {
	case b.Place != "" && (b.Lat != nil || b.Lon != nil):
		f.Add(field, "give a place or a point (lat, lon), not both")
		return AreaBan{}, false
	case b.Place != "":
		pl, err := tbl.Lookup(b.Place, b.Province)
		if err != nil {
			places.AddRefusal(f, err, field+".place", field+".province")
			return AreaBan{}, false
		}
		return AreaBan{PlaceName: pl.Name, Lat: pl.Lat, Lon: pl.Lon, RadiusKm: b.RadiusKm}, ok
	case b.Lat != nil && b.Lon != nil:
		if *b.Lat < 50.5 || *b.Lat > 53.7 || *b.Lon < 3.2 || *b.Lon > 7.3 {
			f.Add(field, "the point must lie in the Netherlands")
			return AreaBan{}, false
		}
		return AreaBan{Lat: *b.Lat, Lon: *b.Lon, RadiusKm: b.RadiusKm}, ok
	default:
		f.Add(field, "give a place or a point (lat, lon)")
		return AreaBan{}, false
	}
}

func date(f *apperr.Fields, field, s string, required bool) (time.Time, bool) {
	if s == "" {
		if required {
			f.Add(field, "is required (YYYY-MM-DD)")
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		f.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func ageAt(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.YearDay() < birth.YearDay() {
		age--
	}
	return age
}

// input turns a stored candidate back into Input, for applying an Update.
func (c Candidate) input() Input {
	in := Input{
		Identity: IdentityInput{
			FirstName: c.Identity.FirstName, LastName: c.Identity.LastName,
			BirthDate: c.Identity.BirthDate.Format(time.DateOnly), Email: c.Identity.Email,
			Phone: c.Identity.Phone, Address: c.Identity.Address, Postcode: c.Identity.Postcode,
		},
		Skills: c.Profile.Skills, DesiredOccupations: c.Profile.DesiredOccupations,
		Certificates: c.Profile.Certificates, Languages: c.Profile.Languages,
		HoursPerWeek: c.Profile.HoursPerWeek, AvailableFrom: c.Profile.AvailableFrom.Format(time.DateOnly),
		HomePlace: c.Profile.HomePlace.Name, HomeProvince: c.Profile.HomePlace.Province, HomePlaceID: c.Profile.HomePlace.ID,
		TravelRadiusKm: c.Profile.TravelRadiusKm, Motivation: c.Profile.Motivation, WorkHistory: c.Profile.WorkHistory,
		Restrictions: RestrictionsInput{ExcludedSectors: c.Restrictions.ExcludedSectors, RiskAreaConflicts: c.Restrictions.RiskAreaConflicts},
	}
	// Bans go back as points; Service.Update keeps the stored bans (with
	// their place names) unless the update replaces them.
	for _, b := range c.Restrictions.AreaBans {
		in.Restrictions.AreaBans = append(in.Restrictions.AreaBans, AreaBanInput{Lat: ptr(b.Lat), Lon: ptr(b.Lon), RadiusKm: b.RadiusKm})
	}
	if c.Restrictions.Curfew != nil {
		in.Restrictions.Curfew = &CurfewInput{From: c.Restrictions.Curfew.From, To: c.Restrictions.Curfew.To}
	}
	return in
}

func ptr(f float64) *float64 { return &f }
