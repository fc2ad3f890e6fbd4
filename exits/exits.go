// Package exits holds exit trajectories: for someone leaving a criminal
// family network, an honourable exit over two to three years in phases
// (decision, leaving, rebuilding, aftercare), with a case manager, a review
// every three months and an outcome at close. The network — people, firms
// and places tied to it, with their source — stays on the worker's side;
// only its effect leaves it: its firms join the candidate's conflict list,
// its places their area bans (candidates.SetNetwork), and a destination
// region becomes where their search looks. A transfer moves the case to a
// worker in the destination region once that worker accepts the handover;
// a safety plan reaches the partners of the circle's safety purpose; a
// risk flag "contact with old network" reaches the case manager at once.
// See docs/decisions.md (52).
package exits

import (
	"time"

	"github.com/herstart/herstart/store"
)

// Phase is a stage of an exit trajectory.
type Phase string

// Phases, in order.
const (
	Decision   Phase = "decision"
	Leaving    Phase = "leaving"
	Rebuilding Phase = "rebuilding"
	Aftercare  Phase = "aftercare"
)

// Phases lists the phases in order.
var Phases = []Phase{Decision, Leaving, Rebuilding, Aftercare}

// Outcomes of a closed trajectory.
var Outcomes = []string{"completed", "relapsed", "moved_away", "stopped"}

// Network entry kinds.
const (
	KindPerson = "person"
	KindFirm   = "firm"
	KindPlace  = "place"
)

// Exploitation kinds: how the candidate is also a victim.
var ExploitationKinds = []string{"recruited", "forced", "debts"}

// Handover items: what a transfer hands to the receiving worker.
var HandoverItems = []string{"identity", "profile", "restrictions", "network", "safety_plan", "circle", "placements"}

// ReviewEvery is how often a trajectory is reviewed.
const ReviewEvery = 3 * 30 * 24 * time.Hour

// PhaseEntry is a phase entered, with the conditions agreed for it.
type PhaseEntry struct {
	Phase      Phase     `bson:"phase" json:"phase"`
	EnteredAt  time.Time `bson:"entered_at" json:"entered_at"`
	Conditions string    `bson:"conditions,omitempty" json:"conditions,omitempty"`
	By         string    `bson:"by" json:"by"`
}

// Review is a three-monthly review.
type Review struct {
	At   time.Time `bson:"at" json:"at"`
	By   string    `bson:"by" json:"by"`
	Note string    `bson:"note" json:"note"`
}

// Place is a resolved place.
type Place struct {
	ID       int     `bson:"id" json:"-"`
	Name     string  `bson:"name" json:"name"`
	Province string  `bson:"province" json:"province"`
	Lat      float64 `bson:"lat" json:"-"`
	Lon      float64 `bson:"lon" json:"-"`
}

// Entry is one person, firm or place of the network, with its source.
type Entry struct {
	N        int       `bson:"n" json:"n"`
	Kind     string    `bson:"kind" json:"kind"`
	Name     string    `bson:"name" json:"name"`
	KvK      string    `bson:"kvk,omitempty" json:"kvk,omitempty"`
	Place    *Place    `bson:"place,omitempty" json:"place,omitempty"`
	RadiusKm float64   `bson:"radius_km,omitempty" json:"radius_km,omitempty"`
	Relation string    `bson:"relation,omitempty" json:"relation,omitempty"`
	Source   string    `bson:"source" json:"source"`
	By       string    `bson:"by" json:"by"`
	At       time.Time `bson:"at" json:"at"`
}

// Destination is where the candidate builds a life: their search looks
// there.
type Destination struct {
	Place    Place     `bson:"place" json:"place"`
	RadiusKm int       `bson:"radius_km" json:"radius_km"`
	By       string    `bson:"by" json:"by"`
	At       time.Time `bson:"at" json:"at"`
}

// Contact is an emergency contact of the safety plan.
type Contact struct {
	Name  string `bson:"name" json:"name"`
	Role  string `bson:"role" json:"role"`
	Phone string `bson:"phone" json:"phone"`
}

// SafetyPlan is the trajectory's safety plan: risks, agreed measures,
// contacts for an emergency.
type SafetyPlan struct {
	Risks     []string  `bson:"risks" json:"risks"`
	Measures  []string  `bson:"measures" json:"measures"`
	Contacts  []Contact `bson:"contacts" json:"contacts"`
	UpdatedAt time.Time `bson:"updated_at,omitempty" json:"updated_at,omitempty"`
	By        string    `bson:"by,omitempty" json:"by,omitempty"`
}

// Exploitation is the indicator that the candidate is also a victim of
// criminal exploitation.
type Exploitation struct {
	Kinds       []string  `bson:"kinds" json:"kinds"`
	CarePartner string    `bson:"care_partner,omitempty" json:"care_partner_id,omitempty"` // the care partner invited, consent asked
	By          string    `bson:"by" json:"by"`
	At          time.Time `bson:"at" json:"at"`
}

// Transfer is a move of the case to a worker in the destination region.
type Transfer struct {
	From       string     `bson:"from" json:"from"`
	To         string     `bson:"to" json:"to"`
	Handover   []string   `bson:"handover" json:"handover"`
	Note       string     `bson:"note,omitempty" json:"note,omitempty"`
	State      string     `bson:"state" json:"state"` // pending, accepted, cancelled
	At         time.Time  `bson:"at" json:"at"`
	AcceptedAt *time.Time `bson:"accepted_at,omitempty" json:"accepted_at,omitempty"`
}

// Notice is an inbox message a write leaves for its follow-up.
type Notice struct {
	Task string `bson:"task"`
	To   string `bson:"to"`
	Kind string `bson:"kind"`
	Text string `bson:"text"`
}

// Trajectory is one candidate's exit trajectory: one per candidate, its id
// the candidate's.
type Trajectory struct {
	ID           string        `bson:"_id"`
	WorkerID     string        `bson:"worker"`
	CaseManager  string        `bson:"case_manager"`
	State        string        `bson:"state"` // open, closed
	Phase        Phase         `bson:"phase"`
	Phases       []PhaseEntry  `bson:"phases"`
	NextReview   time.Time     `bson:"next_review"`
	Reviews      []Review      `bson:"reviews"`
	Network      []Entry       `bson:"network"`
	NetworkSeq   int           `bson:"network_seq"`
	Origin       *Place        `bson:"origin,omitempty"` // the home place before the destination
	OriginRadius int           `bson:"origin_radius,omitempty"`
	Destination  *Destination  `bson:"destination,omitempty"`
	Safety       SafetyPlan    `bson:"safety"`
	Exploitation *Exploitation `bson:"exploitation,omitempty"`
	Relatives    []string      `bson:"relatives"` // candidates of their own, who want to leave too
	Transfer     *Transfer     `bson:"transfer,omitempty"`
	Transfers    []Transfer    `bson:"transfers"`
	Outcome      string        `bson:"outcome,omitempty"`
	ClosedAt     *time.Time    `bson:"closed_at,omitempty"`
	OpenedAt     time.Time     `bson:"opened_at"`
	Notices      []Notice      `bson:"notices"`
	UpdatedAt    time.Time     `bson:"updated_at"`
	Version      int64         `bson:"version"`
	Writes       store.Writes  `bson:"writes"`
}

// Limits of one trajectory.
const (
	maxNetwork   = 100
	maxReviews   = 40
	maxRelatives = 10
	keepNotices  = 40
	maxListItems = 20
)

func (t *Trajectory) notify(to, kind, text string) {
	if to != "" {
		t.Notices = append(t.Notices, Notice{To: to, Kind: kind, Text: text})
	}
}
