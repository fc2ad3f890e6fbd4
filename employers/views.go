package employers

import (
	"time"

	"github.com/herstart/herstart/users"
)

// View is an employer as shown; which parts are filled depends on who asks
// (decided here, never in a page): the public part for probation workers,
// the application's state for the employer's own users, everything —
// checklist, decisions, concerns — for coordinators.
type View struct {
	ID            ID             `json:"id"`
	Name          string         `json:"name"`
	Sectors       []string       `json:"sectors"`
	Places        []string       `json:"places"`
	Status        Status         `json:"status"`
	KvK           string         `json:"kvk,omitempty"`
	Locations     []LocationView `json:"locations,omitempty"`
	Contact       *ContactView   `json:"contact,omitempty"`
	ValidUntil    *time.Time     `json:"valid_until,omitempty"`
	RenewalNeeded bool           `json:"renewal_needed,omitempty"`
	Vetting       *VettingView   `json:"vetting,omitempty"`
}

// LocationView is a site as shown.
type LocationView struct {
	Address  string  `json:"address"`
	Place    string  `json:"place"`
	Province string  `json:"province"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
}

// ContactView is the contact person as shown.
type ContactView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// VettingView is the coordinators' part.
type VettingView struct {
	Checklist Checklist      `json:"checklist"`
	Missing   []string       `json:"missing"`
	Approvals []string       `json:"approvals"`
	Decisions []DecisionView `json:"decisions"`
	Concerns  []ConcernView  `json:"concerns"`
}

// DecisionView is a vetting step as shown.
type DecisionView struct {
	Action string    `json:"action"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// ConcernView is a signal as shown.
type ConcernView struct {
	ID     string    `json:"id"`
	Text   string    `json:"text"`
	Source string    `json:"source,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

func viewFor(a users.Actor, e Employer, now time.Time) View {
	v := View{ID: e.ID, Name: e.Name, Sectors: e.Sectors, Places: []string{}, Status: e.Status}
	if v.Sectors == nil {
		v.Sectors = []string{}
	}
	for _, l := range e.Locations {
		v.Places = append(v.Places, l.Place.Name)
	}
	if e.Status == Approved && !now.Before(e.ValidUntil) {
		v.Status = Expired // the job has not run yet; show what holds
	}
	if a.Is(users.ProbationWorker) {
		return v
	}
	v.KvK, v.RenewalNeeded = e.KvK, e.RenewalNeeded
	v.Contact = &ContactView{Name: e.Contact.Name, Email: e.Contact.Email, Phone: e.Contact.Phone}
	for _, l := range e.Locations {
		v.Locations = append(v.Locations, LocationView{Address: l.Address, Place: l.Place.Name, Province: l.Place.Province, Lat: l.Place.Lat, Lon: l.Place.Lon})
	}
	if !e.ValidUntil.IsZero() {
		t := e.ValidUntil
		v.ValidUntil = &t
	}
	if !a.Is(users.Coordinator) {
		return v
	}
	vv := &VettingView{Checklist: e.Checklist, Missing: e.Checklist.Missing(), Approvals: []string{}, Decisions: []DecisionView{}, Concerns: []ConcernView{}}
	if vv.Missing == nil {
		vv.Missing = []string{}
	}
	for _, by := range e.Approvals {
		vv.Approvals = append(vv.Approvals, string(by))
	}
	for _, d := range e.Decisions {
		vv.Decisions = append(vv.Decisions, DecisionView{Action: d.Action, By: string(d.By), At: d.At, Reason: d.Reason})
	}
	for _, c := range e.Concerns {
		vv.Concerns = append(vv.Concerns, ConcernView{ID: c.ID, Text: c.Text, Source: c.Source, By: string(c.By), At: c.At})
	}
	v.Vetting = vv
	return v
}

// VacancyView is a vacancy as shown.
type VacancyView struct {
	ID             VacancyID     `json:"id"`
	EmployerID     ID            `json:"employer_id"`
	Title          string        `json:"title"`
	Description    string        `json:"description"`
	RequiredSkills []string      `json:"required_skills"`
	NiceSkills     []string      `json:"nice_to_have_skills"`
	Place          string        `json:"place"`
	Province       string        `json:"province"`
	Lat            float64       `json:"lat"`
	Lon            float64       `json:"lon"`
	Address        string        `json:"address,omitempty"`
	HoursPerWeek   int           `json:"hours_per_week"`
	Sector         string        `json:"sector"`
	Shifts         []Shift       `json:"shifts"`
	StartDate      string        `json:"start_date"`
	RiskAreas      []string      `json:"risk_areas"`
	VOGRequired    bool          `json:"vog_required"`
	Status         VacancyStatus `json:"status"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	Version        int64         `json:"version"`
}

// VacancyOf returns the view of v.
func VacancyOf(v Vacancy) VacancyView {
	nn := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	out := VacancyView{ID: v.ID, EmployerID: v.EmployerID, Title: v.Title, Description: v.Description,
		RequiredSkills: nn(v.RequiredSkills), NiceSkills: nn(v.NiceSkills), Place: v.Place.Name, Province: v.Place.Province,
		Lat: v.Place.Lat, Lon: v.Place.Lon, Address: v.Address, HoursPerWeek: v.HoursPerWeek, Sector: v.Sector,
		Shifts: v.Shifts, StartDate: v.StartDate.Format(time.DateOnly), RiskAreas: nn(v.RiskAreas), Status: v.Status,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Version: v.Version}
	if out.Shifts == nil {
		out.Shifts = []Shift{}
	}
	return out
}
