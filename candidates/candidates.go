// Package candidates is the candidate registry of a probation worker's
// caseload: identity kept apart from the profile, restrictions, consent, and
// the disclosure views — the anonymised card is made here, never in a page.
// Herstart keeps no offence or conviction details: only what binds the work
// (court restrictions) and the worker's judgement of risk areas to avoid.
package candidates

import (
	"slices"
	"time"

	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ID identifies a candidate: pseudonymous, random.
type ID string

// Status is where a candidate stands.
type Status string

// Statuses, in the order a candidate moves through them.
const (
	Registered Status = "registered"
	Available  Status = "available"
	Introduced Status = "introduced"
	Placed     Status = "placed"
	Exited     Status = "exited"
)

// ConfirmEvery is how often availability must be confirmed: a stale profile
// leaves employer search until it is confirmed again.
const ConfirmEvery = 30 * 24 * time.Hour

// Candidate is a registered person and what binds their work.
type Candidate struct {
	ID           ID
	WorkerID     users.ID // the probation worker whose caseload this is
	Status       Status
	Identity     Identity
	Profile      Profile
	Restrictions Restrictions
	Consents     []Consent
	ConfirmedAt  time.Time // availability last confirmed; zero: never
	ExitedAt     time.Time // when the status last moved to exited (the retention period runs from it); zero otherwise
	Erasure      *Erasure  // set on an erased candidate's tombstone only
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
	writes       store.Writes // outbox task ids of the last writes: which of them took effect
}

// Identity is who the candidate is; stored apart from the profile and read
// only by their own probation worker (audited), or at disclosure level 2.
type Identity struct {
	FirstName string
	LastName  string
	BirthDate time.Time
	Email     string
	Phone     string
	Address   string
	Postcode  string
}

// Place is a resolved Dutch place.
type Place struct {
	ID       int
	Name     string
	Province string // Dutch province name
	Lat, Lon float64
}

// Profile is what an employer may learn step by step.
type Profile struct {
	Skills             []string
	DesiredOccupations []string
	Certificates       []string
	Languages          []string
	HoursPerWeek       int
	AvailableFrom      time.Time
	HomePlace          Place
	TravelRadiusKm     int
	Motivation         string
	WorkHistory        []string
}

// Restrictions bind which work a candidate may be matched to.
type Restrictions struct {
	AreaBans          []AreaBan
	ExcludedSectors   []string
	RiskAreaConflicts []string
	Curfew            *Curfew
	Conflicts         []Conflict // employers the candidate must not be matched with; only their worker sees it
}

// Conflict marks an employer — by id or KvK number — as in conflict with the
// candidate: a family or network business, a victim's workplace.
type Conflict struct {
	ID         string
	EmployerID string
	KvK        string
	Reason     string
	AddedAt    time.Time
	Network    bool // derived from an exit trajectory's network (SetNetwork): shown and changed only there
}

// AreaBan is an area a court bars the candidate from: a circle around a
// place or a point.
type AreaBan struct {
	PlaceName string // empty for a bare point
	Lat, Lon  float64
	RadiusKm  float64
	Network   bool // derived from an exit trajectory's network (SetNetwork): shown and changed only there
}

// Curfew is a daily time window the candidate must be home ("22:00"–"06:00").
type Curfew struct {
	From string
	To   string
}

// Consent backs a disclosure level above 0 to one employer.
type Consent struct {
	ID          string
	EmployerID  string
	Level       int // 1 (introduction) or 2 (placement)
	Purpose     string
	GrantedAt   time.Time
	ExpiresAt   time.Time
	WithdrawnAt *time.Time
	RecordedBy  users.ID
	ByCandidate bool // given by the candidate on their own page (else recorded by the worker for them)
}

// Active reports whether the consent holds at now.
func (c Consent) Active(now time.Time) bool {
	return c.WithdrawnAt == nil && now.Before(c.ExpiresAt)
}

// Confirmed reports whether availability was confirmed within ConfirmEvery.
func (c Candidate) Confirmed(now time.Time) bool {
	return !c.ConfirmedAt.IsZero() && now.Sub(c.ConfirmedAt) <= ConfirmEvery
}

// Searchable reports whether the candidate may appear in employer search:
// available (or introduced: in an introduction, not yet placed) and
// confirmed within the last 30 days. A placed candidate's card leaves
// search.
func (c Candidate) Searchable(now time.Time) bool {
	return c.Indexed() && c.Confirmed(now)
}

// Indexed reports whether the candidate belongs in the search index
// (confirmation is checked at query time).
func (c Candidate) Indexed() bool { return c.Status == Available || c.Status == Introduced }

// OnConflictList reports whether an organisation (its id, or its KvK
// number) is on the candidate's conflict list.
func (c Candidate) OnConflictList(id, kvk string) bool {
	for _, k := range c.Restrictions.Conflicts {
		if (k.EmployerID != "" && k.EmployerID == id) || (k.KvK != "" && k.KvK == kvk) {
			return true
		}
	}
	return false
}

// ExcludesSector reports whether the candidate's restrictions exclude
// work in sector.
func (c Candidate) ExcludesSector(sector string) bool {
	return slices.Contains(c.Restrictions.ExcludedSectors, sector)
}

// HiddenFrom is the one "withheld from" rule: an organisation on the
// candidate's conflict list, or one whose every sector the candidate
// excludes, never sees the candidate — not in search, a match, a card or
// an introduction, whatever the consent. Search, matching, disclosure and
// introductions all call it.
func (c Candidate) HiddenFrom(id, kvk string, sectors []string) bool {
	if c.OnConflictList(id, kvk) {
		return true
	}
	if len(sectors) == 0 {
		return false
	}
	for _, sec := range sectors {
		if !c.ExcludesSector(sec) {
			return false
		}
	}
	return true
}

// ConsentLevel is the highest disclosure level active consents give employer.
func (c Candidate) ConsentLevel(employerID string, now time.Time) int {
	level := 0
	for _, k := range c.Consents {
		if k.EmployerID == employerID && k.Active(now) && k.Level > level {
			level = k.Level
		}
	}
	return level
}

// transitions lists the status changes a probation worker makes here;
// introduced and placed are set by the introduction and placement flows.
var transitions = map[Status][]Status{
	Registered: {Available, Exited},
	Available:  {Registered, Exited},
	Introduced: {Available, Exited},
	Placed:     {Exited},
	Exited:     {Registered},
}

func canMove(from, to Status) bool {
	if from == to {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
