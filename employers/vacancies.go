package employers

import (
	"fmt"
	"regexp"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
)

// VacancyID identifies a vacancy.
type VacancyID string

// VacancyStatus is whether a vacancy is open for matching.
type VacancyStatus string

// Vacancy statuses.
const (
	Open   VacancyStatus = "open"
	Closed VacancyStatus = "closed"
)

// Shift is a daily working window ("06:00"–"14:30"; may cross midnight).
type Shift struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Vacancy is a job an approved employer offers without asking for a VOG.
type Vacancy struct {
	ID             VacancyID
	EmployerID     ID
	Title          string
	Description    string
	RequiredSkills []string
	NiceSkills     []string
	Place          Place
	Address        string
	HoursPerWeek   int
	Sector         string
	Shifts         []Shift
	StartDate      time.Time
	RiskAreas      []string
	Status         VacancyStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64
	writes         store.Writes // outbox task ids of the last writes
}

// VacancyInput is the JSON shape of a new vacancy.
type VacancyInput struct {
	Title          string   `json:"title"`
	Description    string   `json:"description"`
	RequiredSkills []string `json:"required_skills"`
	NiceSkills     []string `json:"nice_to_have_skills"`
	Place          string   `json:"place"`
	Province       string   `json:"province,omitempty"`
	Address        string   `json:"address,omitempty"`
	HoursPerWeek   int      `json:"hours_per_week"`
	Sector         string   `json:"sector"`
	Shifts         []Shift  `json:"shifts"`
	StartDate      string   `json:"start_date"` // YYYY-MM-DD, today or later
	RiskAreas      []string `json:"risk_areas"`
	VOGRequired    *bool    `json:"vog_required"`
}

// VacancyUpdate is a partial change; a given list replaces the stored one.
type VacancyUpdate struct {
	Title          *string   `json:"title"`
	Description    *string   `json:"description"`
	RequiredSkills *[]string `json:"required_skills"`
	NiceSkills     *[]string `json:"nice_to_have_skills"`
	Place          *string   `json:"place"`
	Province       *string   `json:"province"`
	Address        *string   `json:"address"`
	HoursPerWeek   *int      `json:"hours_per_week"`
	Sector         *string   `json:"sector"`
	Shifts         *[]Shift  `json:"shifts"`
	StartDate      *string   `json:"start_date"`
	RiskAreas      *[]string `json:"risk_areas"`
	VOGRequired    *bool     `json:"vog_required"`
}

var clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// NoVOGMessage is the answer to a vacancy that asks for a VOG.
const NoVOGMessage = "Herstart lists only jobs that do not ask for a VOG (certificate of good conduct); a vacancy that needs one cannot be published here."

// resolve validates every field; existing is the stored start date, which an
// update may keep even when it has passed.
func (in VacancyInput) resolve(tbl *places.Table, now time.Time, existingStart time.Time) (Vacancy, error) {
	var f apperr.Fields
	v := Vacancy{
		Title:          f.Text("title", in.Title, 120, true),
		Description:    f.Text("description", in.Description, 4000, false),
		RequiredSkills: f.List("required_skills", in.RequiredSkills, 30, 80),
		NiceSkills:     f.List("nice_to_have_skills", in.NiceSkills, 30, 80),
		Address:        f.Text("address", in.Address, 200, false),
		RiskAreas:      f.Codes("risk_areas", in.RiskAreas, riskAreaSet.Codes(), false),
	}
	if in.VOGRequired == nil {
		f.Add("vog_required", "is required and must be false")
	} else if *in.VOGRequired {
		f.Add("vog_required", NoVOGMessage)
	}
	switch {
	case in.HoursPerWeek == 0:
		f.Add("hours_per_week", "is required (1 to 60)")
	case in.HoursPerWeek < 1 || in.HoursPerWeek > 60:
		f.Add("hours_per_week", "must be between 1 and 60")
	}
	v.HoursPerWeek = in.HoursPerWeek
	if in.Sector == "" {
		f.Add("sector", "is required")
	} else if !sectorSet.Has(in.Sector) {
		f.Addf("sector", "is not a known sector")
	}
	v.Sector = in.Sector
	if len(in.Shifts) > 10 {
		f.Add("shifts", "must have at most 10 entries")
	} else {
		for i, s := range in.Shifts {
			field := fmt.Sprintf("shifts[%d]", i)
			if !clockRe.MatchString(s.From) {
				f.Add(field+".from", "must be a time such as 06:00")
			}
			if !clockRe.MatchString(s.To) {
				f.Add(field+".to", "must be a time such as 14:30")
			}
			if s.From == s.To && s.From != "" {
				f.Add(field+".to", "must differ from the start")
			}
		}
		v.Shifts = in.Shifts
	}
	if in.StartDate == "" {
		f.Add("start_date", "is required (YYYY-MM-DD)")
	} else if sd, err := time.Parse(time.DateOnly, in.StartDate); err != nil {
		f.Add("start_date", "must be a date written YYYY-MM-DD")
	} else {
		today := dateOf(now)
		switch {
		case sd.Before(today) && !sd.Equal(existingStart):
			f.Add("start_date", "must not be in the past")
		case sd.After(today.AddDate(2, 0, 0)):
			f.Add("start_date", "must be within the next 2 years")
		}
		v.StartDate = sd
	}
	if p, err := tbl.Lookup(in.Place, in.Province); err != nil {
		places.AddRefusal(&f, err, "place", "province")
	} else {
		v.Place = placeOf(p)
	}
	return v, f.Err()
}

// input turns a stored vacancy back into input, for applying an update.
func (v Vacancy) input() VacancyInput {
	no := false
	return VacancyInput{
		Title: v.Title, Description: v.Description, RequiredSkills: v.RequiredSkills, NiceSkills: v.NiceSkills,
		Place: v.Place.Name, Province: v.Place.Province, Address: v.Address, HoursPerWeek: v.HoursPerWeek,
		Sector: v.Sector, Shifts: v.Shifts, StartDate: v.StartDate.Format(time.DateOnly), RiskAreas: v.RiskAreas, VOGRequired: &no,
	}
}

func (u VacancyUpdate) apply(in VacancyInput) VacancyInput {
	setS := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setL := func(dst *[]string, src *[]string) {
		if src != nil {
			*dst = *src
		}
	}
	setS(&in.Title, u.Title)
	setS(&in.Description, u.Description)
	setL(&in.RequiredSkills, u.RequiredSkills)
	setL(&in.NiceSkills, u.NiceSkills)
	if u.Place != nil {
		in.Place, in.Province = *u.Place, ""
	}
	setS(&in.Province, u.Province)
	setS(&in.Address, u.Address)
	if u.HoursPerWeek != nil {
		in.HoursPerWeek = *u.HoursPerWeek
	}
	setS(&in.Sector, u.Sector)
	if u.Shifts != nil {
		in.Shifts = *u.Shifts
	}
	setS(&in.StartDate, u.StartDate)
	setL(&in.RiskAreas, u.RiskAreas)
	if u.VOGRequired != nil {
		in.VOGRequired = u.VOGRequired
	}
	return in
}
