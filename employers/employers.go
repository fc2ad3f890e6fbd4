// Package employers holds employer organisations and their vetting — a
// security boundary, not a form: people who would exploit vulnerable
// candidates are kept off the platform by two coordinators' approval, renewed
// every year, and suspended at once on a signal — plus the organisations'
// users and vacancies.
package employers

import (
	"regexp"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// ID identifies an employer organisation.
type ID string

// Status is where an employer stands in vetting.
type Status string

// Vetting statuses.
const (
	Pending   Status = "pending"
	Approved  Status = "approved"
	Rejected  Status = "rejected"
	Suspended Status = "suspended"
	Expired   Status = "expired"
)

// ApprovalValid is how long an approval holds; then the employer must be
// vetted again.
const ApprovalValid = 365 * 24 * time.Hour

// Place is a resolved Dutch place.
type Place struct {
	ID       int
	Name     string
	Province string
	Lat, Lon float64
}

// Location is a site of the organisation.
type Location struct {
	Address string
	Place   Place
}

// Contact is the organisation's contact person.
type Contact struct {
	Name  string
	Email string
	Phone string
}

// Checklist is what coordinators verify before approving.
type Checklist struct {
	KvKChecked          bool `json:"kvk_checked"`
	SiteVisitOrCall     bool `json:"site_visit_or_call"`
	References          bool `json:"references"`
	IntegrityQuestions  bool `json:"integrity_questions"`
	CodeOfConductSigned bool `json:"code_of_conduct_signed"`
}

// Missing names the items not yet checked.
func (c Checklist) Missing() []string {
	var out []string
	for _, it := range []struct {
		ok   bool
		name string
	}{
		{c.KvKChecked, "kvk_checked"}, {c.SiteVisitOrCall, "site_visit_or_call"}, {c.References, "references"},
		{c.IntegrityQuestions, "integrity_questions"}, {c.CodeOfConductSigned, "code_of_conduct_signed"},
	} {
		if !it.ok {
			out = append(out, it.name)
		}
	}
	return out
}

// Decision is one vetting step, kept as history.
type Decision struct {
	Action string // approve, reject, suspend, reinstate, expire
	By     users.ID
	At     time.Time
	Reason string
}

// Concern is a signal about an employer (a mentor's report, a news item).
// It does not suspend by itself but shows on the vetting page.
type Concern struct {
	ID     string
	Text   string
	Source string
	By     users.ID
	At     time.Time
}

// Employer is a vetted (or to-be-vetted) organisation.
type Employer struct {
	ID              ID
	Name            string
	KvK             string
	Sectors         []string
	Locations       []Location
	Contact         Contact
	Status          Status
	Approvals       []users.ID // coordinators who approved in the current round
	Checklist       Checklist
	ValidUntil      time.Time
	RenewalNeeded   bool // set when an approval expired: the employer's users are told to renew
	Decisions       []Decision
	Concerns        []Concern
	CodeOfConductAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
	writes          store.Writes // outbox task ids of the last writes
}

// Active reports whether the employer may use the platform: approved and
// within its approval's validity.
func (e Employer) Active(now time.Time) bool {
	return e.Status == Approved && now.Before(e.ValidUntil)
}

// Limits of the input.
const (
	maxLocations = 20
	maxConcerns  = 200
	maxDecisions = 500
)

var (
	kvkRe   = regexp.MustCompile(`^[0-9]{8}$`)
	phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,19}$`)

	sectorSet   = taxonomy.NewSet(taxonomy.Sectors)
	riskAreaSet = taxonomy.NewSet(taxonomy.RiskAreas)
)

// NormalizeKvK strips spaces and dots people type in a KvK number.
func NormalizeKvK(s string) string {
	return strings.NewReplacer(" ", "", ".", "").Replace(strings.TrimSpace(s))
}

// ValidKvK reports whether s is a KvK number: exactly 8 digits.
func ValidKvK(s string) bool { return kvkRe.MatchString(s) }

// Registration is an organisation's application; the JSON shape of
// POST /api/v1/employers.
type Registration struct {
	Name                  string          `json:"name"`
	KvK                   string          `json:"kvk"`
	Sectors               []string        `json:"sectors"`
	Locations             []LocationInput `json:"locations"`
	Contact               ContactInput    `json:"contact"`
	Password              string          `json:"password"` // for the applicant's own account (the contact's e-mail)
	CodeOfConductAccepted bool            `json:"code_of_conduct_accepted"`
}

// LocationInput is a site as typed.
type LocationInput struct {
	Address  string `json:"address"`
	Place    string `json:"place"`
	Province string `json:"province,omitempty"`
}

// ContactInput is the contact person as typed.
type ContactInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

type resolvedRegistration struct {
	name      string
	kvk       string
	sectors   []string
	locations []Location
	contact   Contact
}

func (r Registration) resolve(tbl *places.Table) (resolvedRegistration, error) {
	var f apperr.Fields
	out := resolvedRegistration{
		name: f.Text("name", r.Name, 150, true),
		kvk:  NormalizeKvK(r.KvK),
	}
	if out.kvk == "" {
		f.Add("kvk", "is required")
	} else if !ValidKvK(out.kvk) {
		f.Add("kvk", "must be exactly 8 digits")
	}
	out.sectors = f.Codes("sectors", r.Sectors, sectorSet.Codes(), true)
	switch {
	case len(r.Locations) == 0:
		f.Add("locations", "at least one location is required")
	case len(r.Locations) > maxLocations:
		f.Addf("locations", "must have at most %d entries", maxLocations)
	default:
		for i, l := range r.Locations {
			field := "locations[" + itoa(i) + "]"
			addr := f.Text(field+".address", l.Address, 200, true)
			p, err := tbl.Lookup(l.Place, l.Province)
			if err != nil {
				places.AddRefusal(&f, err, field+".place", field+".province")
				continue
			}
			out.locations = append(out.locations, Location{Address: addr, Place: placeOf(p)})
		}
	}
	out.contact = Contact{
		Name:  f.Text("contact.name", r.Contact.Name, 100, true),
		Email: strings.ToLower(strings.TrimSpace(r.Contact.Email)),
		Phone: strings.TrimSpace(r.Contact.Phone),
	}
	if out.contact.Email == "" {
		f.Add("contact.email", "is required")
	}
	if p := out.contact.Phone; p != "" && !phoneRe.MatchString(p) {
		f.Add("contact.phone", "must be a phone number such as +31 20 1234567")
	}
	if !r.CodeOfConductAccepted {
		f.Add("code_of_conduct_accepted", "the code of conduct must be accepted: no VOG is asked, no exploitation, concerns are reported")
	}
	return out, f.Err()
}

func placeOf(p places.Place) Place {
	return Place{ID: p.ID, Name: p.Name, Province: p.ProvinceName(), Lat: p.Lat, Lon: p.Lon}
}
