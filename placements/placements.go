package placements

import (
	"strings"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// PlacementState is a placement's state.
type PlacementState string

// A placement is active until it ends.
const (
	Active PlacementState = "active"
	Ended  PlacementState = "ended"
)

// Contract kinds.
var contracts = []string{"permanent", "fixed_term", "temporary", "on_call"}

// End reasons.
var endReasons = []string{"contract_ended", "resigned", "dismissed", "relapse", "moved"}

// Placement is a candidate hired through an introduction.
type Placement struct {
	ID             string
	IntroductionID string
	CandidateID    candidates.ID
	WorkerID       users.ID
	EmployerID     employers.ID
	VacancyID      employers.VacancyID
	MentorID       users.ID
	StartDate      time.Time
	EndDate        *time.Time // fixed-term contracts
	Contract       string
	HoursPerWeek   int
	State          PlacementState
	EndReason      string
	EndedAt        *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64
	writes         store.Writes
	// Claim owns the candidate's active-placement key while the placement
	// is active (docs/invariants.md); released when it ends.
	Claim string

	// Mentoring and guarantees (bounded; see mentoring.go).
	Schedule    []Due
	CheckIns    []CheckIn // the newest keepCheckIns; older ones are archived
	CheckInSeq  int       // check-ins ever recorded
	Notes       []WorkNote
	NoteSeq     int
	Escalations []Escalation
	EscSeq      int
	Milestones  []Milestone
	Guarantees  []Guarantee
	Mentors     []users.ID // every mentor it had (their agendas are cleared)
	Notices     []Notice   // inbox messages of the latest writes, sent by their follow-ups
}

// Notice is an inbox message a write leaves for its follow-up.
type Notice struct {
	Task string `bson:"task"`
	To   string `bson:"to"`
	Kind string `bson:"kind"`
	Text string `bson:"text"`
}

const keepNotices = 16

// placementID is the id of the placement an introduction leads to: one
// per introduction, so that its follow-up creates it once however often
// it runs.
func placementID(introID string) string { return "p_" + strings.TrimPrefix(introID, "i_") }

// PlacementView is a placement as its parties see it (ids, dates, terms).
type PlacementView struct {
	ID             string         `json:"id"`
	IntroductionID string         `json:"introduction_id"`
	CandidateID    string         `json:"candidate_id"`
	VacancyID      string         `json:"vacancy_id"`
	EmployerID     string         `json:"employer_id"`
	MentorID       string         `json:"mentor_id,omitempty"`
	StartDate      string         `json:"start_date"`
	EndDate        string         `json:"end_date,omitempty"`
	Contract       string         `json:"contract"`
	HoursPerWeek   int            `json:"hours_per_week"`
	State          PlacementState `json:"state"`
	EndReason      string         `json:"end_reason,omitempty"`
	EndedAt        *time.Time     `json:"ended_at,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Version        int64          `json:"version"`

	// What follows the placement, as far as the caller's role may see it:
	// the mentor, the worker and coordinators see the schedule, check-ins
	// and escalations; the employer only its own workplace notes, the
	// milestones and the guarantees.
	Schedule         []Due        `json:"schedule,omitempty"`
	CheckIns         []CheckIn    `json:"checkins,omitempty"`
	CheckInsArchived int          `json:"checkins_archived,omitempty"`
	Notes            []WorkNote   `json:"workplace_notes,omitempty"`
	Escalations      []Escalation `json:"escalations,omitempty"`
	Milestones       []Milestone  `json:"milestones,omitempty"`
	Guarantees       []Guarantee  `json:"guarantees,omitempty"`
}

// viewFor is p as a's role may see it.
func viewFor(p Placement, a users.Actor) PlacementView {
	v := placementViewOf(p)
	v.Milestones, v.Notes = p.Milestones, p.Notes
	if a.Is(users.Mentor, users.ProbationWorker, users.Coordinator) {
		v.Schedule, v.CheckIns, v.Escalations = p.Schedule, p.CheckIns, p.Escalations
		v.CheckInsArchived = p.CheckInSeq - len(p.CheckIns)
	}
	if !a.Is(users.Mentor) {
		v.Guarantees = p.Guarantees
	}
	return v
}

func placementViewOf(p Placement) PlacementView {
	v := PlacementView{ID: p.ID, IntroductionID: p.IntroductionID, CandidateID: string(p.CandidateID), VacancyID: string(p.VacancyID),
		EmployerID: string(p.EmployerID), MentorID: string(p.MentorID), StartDate: p.StartDate.Format(time.DateOnly), Contract: p.Contract,
		HoursPerWeek: p.HoursPerWeek, State: p.State, EndReason: p.EndReason, EndedAt: p.EndedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.EndDate != nil {
		v.EndDate = p.EndDate.Format(time.DateOnly)
	}
	return v
}

// PlacementSummary is one line of a caller's placement list.
type PlacementSummary struct {
	ID          string         `json:"id"`
	CandidateID string         `json:"candidate_id"`
	EmployerID  string         `json:"employer_id"`
	State       PlacementState `json:"state"`
	StartDate   string         `json:"start_date"`
	UpdatedAt   time.Time      `json:"updated_at"`
	VacancyID   string         `json:"vacancy_id,omitempty"`

	// Names as the caller may know them (Parties says who knows whom):
	// the workplace for everyone, the candidate for their worker, mentor
	// and employer.
	Candidate string `json:"candidate,omitempty"`
	Employer  string `json:"employer,omitempty"`
	Vacancy   string `json:"vacancy,omitempty"`
}
