// Package placements carries a match from a card to a job: introductions
// (candidate × vacancy, each step by the role that owns it, backed by
// consent), placements, and what the candidate's disclosure level to an
// employer follows from them. It imports candidates, employers and
// matching; none of them imports it (cmd wires IntroductionLevel).
package placements

import (
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// State is where an introduction is.
type State string

// The introduction's states (DESIGN.md).
const (
	Proposed           State = "proposed"            // a probation worker proposed the candidate for the vacancy
	EmployerInterested State = "employer_interested" // the employer wants to meet them (or asked the worker first)
	CandidateConsented State = "candidate_consented" // the candidate consented to the introduction (disclosure level 1)
	Interview          State = "interview"           // an interview is planned
	Placed             State = "placed"              // hired: a placement exists (level 2 with consent)
	Declined           State = "declined"            // the employer said no after meeting
	Withdrawn          State = "withdrawn"           // the probation worker ended it (or another was placed)
)

// Open reports whether the introduction can still move.
func (s State) Open() bool { return s != Placed && s != Declined && s != Withdrawn }

// level is the disclosure level an introduction in s allows (with consent).
func (s State) level() int {
	switch s {
	case CandidateConsented, Interview:
		return 1
	case Placed:
		return 2
	}
	return 0
}

// Action is a step a caller asks for.
type Action string

// The steps, each owned by one role (or two, for planning an interview).
const (
	ActInterested Action = "interested" // employer: proposed → employer_interested
	ActConsent    Action = "consent"    // probation worker, for the candidate: employer_interested → candidate_consented
	ActInterview  Action = "interview"  // either: candidate_consented → interview (date and place)
	ActPlace      Action = "place"      // employer: interview → placed (start date, contract, hours)
	ActDecline    Action = "decline"    // employer: interview → declined (with a reason)
	ActWithdraw   Action = "withdraw"   // probation worker: any open state → withdrawn (with a reason)
)

type step struct {
	from  []State
	to    State
	roles []users.Role
}

var steps = map[Action]step{
	ActInterested: {[]State{Proposed}, EmployerInterested, []users.Role{users.Employer}},
	ActConsent:    {[]State{EmployerInterested}, CandidateConsented, []users.Role{users.ProbationWorker, users.Candidate}},
	ActInterview:  {[]State{CandidateConsented}, Interview, []users.Role{users.ProbationWorker, users.Employer}},
	ActPlace:      {[]State{Interview}, Placed, []users.Role{users.Employer}},
	ActDecline:    {[]State{Interview}, Declined, []users.Role{users.Employer}},
	ActWithdraw:   {[]State{Proposed, EmployerInterested, CandidateConsented, Interview}, Withdrawn, []users.Role{users.ProbationWorker, users.Candidate}},
}

// actionOrder is the order allowed actions are listed in.
var actionOrder = []Action{ActInterested, ActConsent, ActInterview, ActPlace, ActDecline, ActWithdraw}

// allowed lists the actions role may take on an introduction in s.
func allowed(s State, role users.Role) []Action {
	out := []Action{}
	for _, a := range actionOrder {
		st := steps[a]
		if hasState(st.from, s) && hasRole(st.roles, role) {
			out = append(out, a)
		}
	}
	return out
}

func hasState(xs []State, s State) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func hasRole(xs []users.Role, r users.Role) bool {
	for _, x := range xs {
		if x == r {
			return true
		}
	}
	return false
}

// Introduction is a candidate introduced for a vacancy.
type Introduction struct {
	ID          string
	CandidateID candidates.ID
	WorkerID    users.ID // the candidate's probation worker
	VacancyID   employers.VacancyID
	EmployerID  employers.ID
	State       State
	ConsentID   string // the level-1 consent recorded at candidate_consented
	Interview   *InterviewPlan
	Terms       *Terms // the placement's, from the place step
	Reason      string // why it was declined or withdrawn
	History     []Step
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
	writes      store.Writes
	// PlaceClaim is the owner of the candidate's active-placement key that
	// the place step claimed (docs/invariants.md).
	PlaceClaim string
}

// InterviewPlan is a planned interview.
type InterviewPlan struct {
	At    time.Time `json:"at"`
	Place string    `json:"place"`
}

// Terms are a placement's terms, given with the place step.
type Terms struct {
	StartDate    time.Time
	EndDate      *time.Time
	Contract     string
	HoursPerWeek int
}

// Step is one move of an introduction, for its history.
type Step struct {
	State State      `json:"state"`
	By    users.ID   `json:"by"`
	Role  users.Role `json:"role"`
	At    time.Time  `json:"at"`
}

// maxHistory bounds an introduction's embedded history.
const maxHistory = 20

// IntroductionView is an introduction as its parties see it: ids and
// states, never candidate data (the employer reads the candidate through
// the disclosure route, at the level consent allows).
type IntroductionView struct {
	ID          string         `json:"id"`
	CandidateID string         `json:"candidate_id"`
	VacancyID   string         `json:"vacancy_id"`
	EmployerID  string         `json:"employer_id"`
	State       State          `json:"state"`
	Interview   *InterviewPlan `json:"interview,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	PlacementID string         `json:"placement_id,omitempty"`
	History     []Step         `json:"history"`
	Allowed     []Action       `json:"allowed_actions"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Version     int64          `json:"version"`
}

func viewOf(in Introduction, role users.Role) IntroductionView {
	v := IntroductionView{ID: in.ID, CandidateID: string(in.CandidateID), VacancyID: string(in.VacancyID), EmployerID: string(in.EmployerID),
		State: in.State, Interview: in.Interview, Reason: in.Reason, History: in.History, Allowed: allowed(in.State, role),
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, Version: in.Version}
	if v.History == nil {
		v.History = []Step{}
	}
	if in.State == Placed {
		v.PlacementID = placementID(in.ID)
	}
	return v
}

// IntroductionSummary is one line of a caller's list.
type IntroductionSummary struct {
	ID          string    `json:"id"`
	CandidateID string    `json:"candidate_id"`
	VacancyID   string    `json:"vacancy_id"`
	EmployerID  string    `json:"employer_id"`
	State       State     `json:"state"`
	UpdatedAt   time.Time `json:"updated_at"`
}
