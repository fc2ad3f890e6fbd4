package candidates

import (
	"time"
)

// The views below are the only shapes in which candidate data leaves this
// package. Which one an actor gets is decided by the Service, never by a page.

// Card is disclosure level 0: the anonymised card employers search. It never
// holds a name, birth date, address, contact or anything about an offence,
// and it is all the search index ever holds.
type Card struct {
	ID                 ID       `json:"id"`
	Skills             []string `json:"skills"`
	DesiredOccupations []string `json:"desired_occupations"`
	Certificates       []string `json:"certificates"`
	Languages          []string `json:"languages"`
	HoursPerWeek       int      `json:"hours_per_week"`
	AvailableFrom      string   `json:"available_from"`
	Place              string   `json:"place"`
	Province           string   `json:"province"`
	TravelRadiusKm     int      `json:"travel_radius_km"`
	AgeBand            string   `json:"age_band"`
	Motivation         string   `json:"motivation"`
	ConfirmedAt        string   `json:"confirmed_at,omitempty"`
}

// CardOf returns the level-0 card of c.
func CardOf(c Candidate, now time.Time) Card {
	card := Card{
		ID: c.ID, Skills: nonNil(c.Profile.Skills), DesiredOccupations: nonNil(c.Profile.DesiredOccupations),
		Certificates: nonNil(c.Profile.Certificates), Languages: nonNil(c.Profile.Languages),
		HoursPerWeek: c.Profile.HoursPerWeek, AvailableFrom: c.Profile.AvailableFrom.Format(time.DateOnly),
		Place: c.Profile.HomePlace.Name, Province: c.Profile.HomePlace.Province,
		TravelRadiusKm: c.Profile.TravelRadiusKm, AgeBand: AgeBand(c.Identity.BirthDate, now),
		Motivation: c.Profile.Motivation,
	}
	if !c.ConfirmedAt.IsZero() {
		card.ConfirmedAt = c.ConfirmedAt.Format(time.RFC3339)
	}
	return card
}

// AgeBand returns a ten-year band ("25-34") that does not single anyone out.
func AgeBand(birth, now time.Time) string {
	if birth.IsZero() {
		return ""
	}
	age := ageAt(birth, dateOf(now))
	switch {
	case age < 25:
		return "16-24"
	case age < 35:
		return "25-34"
	case age < 45:
		return "35-44"
	case age < 55:
		return "45-54"
	default:
		return "55+"
	}
}

// Level1 is disclosure level 1, after the candidate consented to an
// introduction: the card, a first name, work history and the restrictions
// that shape the job (a curfew's hours) — never an offence.
type Level1 struct {
	Card
	FirstName   string      `json:"first_name"`
	WorkHistory []string    `json:"work_history"`
	Curfew      *CurfewView `json:"curfew,omitempty"`
}

// CurfewView is a curfew as shown.
type CurfewView struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Level2 is disclosure level 2, after placement: contact details too, and
// the probation contact (the candidate's probation worker).
type Level2 struct {
	Level1
	LastName  string            `json:"last_name"`
	Email     string            `json:"email,omitempty"`
	Phone     string            `json:"phone,omitempty"`
	Probation *ProbationContact `json:"probation_contact,omitempty"`
}

// ProbationContact is the probation worker an employer may reach about a
// placed candidate: a name and a work e-mail address.
type ProbationContact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Disclose returns the view of c at level (0, 1 or 2).
func Disclose(c Candidate, level int, now time.Time) any {
	card := CardOf(c, now)
	if level <= 0 {
		return card
	}
	intro := Level1{Card: card, FirstName: c.Identity.FirstName, WorkHistory: nonNil(c.Profile.WorkHistory)}
	if cf := c.Restrictions.Curfew; cf != nil {
		intro.Curfew = &CurfewView{From: cf.From, To: cf.To}
	}
	if level == 1 {
		return intro
	}
	return Level2{Level1: intro, LastName: c.Identity.LastName, Email: c.Identity.Email, Phone: c.Identity.Phone}
}

// Record is the full record, for the candidate's own probation worker.
type Record struct {
	ID                 ID               `json:"id"`
	Status             Status           `json:"status"`
	Identity           IdentityInput    `json:"identity"`
	Skills             []string         `json:"skills"`
	DesiredOccupations []string         `json:"desired_occupations"`
	Certificates       []string         `json:"certificates"`
	Languages          []string         `json:"languages"`
	HoursPerWeek       int              `json:"hours_per_week"`
	AvailableFrom      string           `json:"available_from"`
	HomePlace          PlaceView        `json:"home_place"`
	TravelRadiusKm     int              `json:"travel_radius_km"`
	Motivation         string           `json:"motivation"`
	WorkHistory        []string         `json:"work_history"`
	Restrictions       RestrictionsView `json:"restrictions"`
	Consents           []ConsentView    `json:"consents"`
	ConfirmedAt        *time.Time       `json:"confirmed_at"`
	Searchable         bool             `json:"searchable"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
	Version            int64            `json:"version"`
}

// PlaceView is a resolved place as shown.
type PlaceView struct {
	ID       int     `json:"id,omitempty"` // the place (home_place_id takes it back)
	Name     string  `json:"name"`
	Province string  `json:"province"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
}

// RestrictionsView is the restrictions as shown to the worker.
type RestrictionsView struct {
	AreaBans          []AreaBanView  `json:"area_bans"`
	ExcludedSectors   []string       `json:"excluded_sectors"`
	RiskAreaConflicts []string       `json:"risk_area_conflicts"`
	Curfew            *CurfewView    `json:"curfew,omitempty"`
	Conflicts         []ConflictView `json:"conflicts"`
}

// ConflictView is a conflict-list entry as shown to the worker.
type ConflictView struct {
	ID         string    `json:"id"`
	EmployerID string    `json:"employer_id,omitempty"`
	KvK        string    `json:"kvk,omitempty"`
	Reason     string    `json:"reason"`
	AddedAt    time.Time `json:"added_at"`
}

func conflictView(k Conflict) ConflictView {
	return ConflictView{ID: k.ID, EmployerID: k.EmployerID, KvK: k.KvK, Reason: k.Reason, AddedAt: k.AddedAt}
}

// AreaBanView is an area ban as shown.
type AreaBanView struct {
	Place    string  `json:"place,omitempty"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	RadiusKm float64 `json:"radius_km"`
}

// ConsentView is a consent as shown.
type ConsentView struct {
	ID          string     `json:"id"`
	EmployerID  string     `json:"employer_id"`
	Level       int        `json:"level"`
	Purpose     string     `json:"purpose"`
	GrantedAt   time.Time  `json:"granted_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
	Active      bool       `json:"active"`
	ByCandidate bool       `json:"by_candidate"` // given by the candidate themself, not recorded by the worker
}

// RecordOf returns the worker's full view of c.
func RecordOf(c Candidate, now time.Time) Record {
	in := c.input()
	r := Record{
		ID: c.ID, Status: c.Status, Identity: in.Identity,
		Skills: nonNil(c.Profile.Skills), DesiredOccupations: nonNil(c.Profile.DesiredOccupations),
		Certificates: nonNil(c.Profile.Certificates), Languages: nonNil(c.Profile.Languages),
		HoursPerWeek: c.Profile.HoursPerWeek, AvailableFrom: in.AvailableFrom,
		HomePlace:      PlaceView{ID: c.Profile.HomePlace.ID, Name: c.Profile.HomePlace.Name, Province: c.Profile.HomePlace.Province, Lat: c.Profile.HomePlace.Lat, Lon: c.Profile.HomePlace.Lon},
		TravelRadiusKm: c.Profile.TravelRadiusKm, Motivation: c.Profile.Motivation, WorkHistory: nonNil(c.Profile.WorkHistory),
		Restrictions: RestrictionsView{
			AreaBans: []AreaBanView{}, ExcludedSectors: nonNil(c.Restrictions.ExcludedSectors),
			RiskAreaConflicts: nonNil(c.Restrictions.RiskAreaConflicts),
			Conflicts:         []ConflictView{},
		},
		Consents:   []ConsentView{},
		Searchable: c.Searchable(now),
		CreatedAt:  c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version,
	}
	for _, b := range c.Restrictions.AreaBans {
		if b.Network {
			continue // the trajectory's page shows these
		}
		r.Restrictions.AreaBans = append(r.Restrictions.AreaBans, AreaBanView{Place: b.PlaceName, Lat: b.Lat, Lon: b.Lon, RadiusKm: b.RadiusKm})
	}
	if cf := c.Restrictions.Curfew; cf != nil {
		r.Restrictions.Curfew = &CurfewView{From: cf.From, To: cf.To}
	}
	for _, k := range c.Consents {
		r.Consents = append(r.Consents, ConsentOf(k, now))
	}
	for _, k := range c.Restrictions.Conflicts {
		if k.Network {
			continue // the trajectory's page shows these
		}
		r.Restrictions.Conflicts = append(r.Restrictions.Conflicts, conflictView(k))
	}
	if !c.ConfirmedAt.IsZero() {
		t := c.ConfirmedAt
		r.ConfirmedAt = &t
	}
	return r
}

// ConsentOf returns the view of k.
func ConsentOf(k Consent, now time.Time) ConsentView {
	return ConsentView{ID: k.ID, EmployerID: k.EmployerID, Level: k.Level, Purpose: k.Purpose,
		GrantedAt: k.GrantedAt, ExpiresAt: k.ExpiresAt, WithdrawnAt: k.WithdrawnAt, Active: k.Active(now), ByCandidate: k.ByCandidate}
}

// Summary is one line of a caseload list.
type Summary struct {
	ID          ID         `json:"id"`
	DisplayName string     `json:"display_name"` // first name and last initial
	Status      Status     `json:"status"`
	Place       string     `json:"place"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
