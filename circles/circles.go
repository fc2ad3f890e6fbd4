// Package circles holds the partners around one candidate: partner
// organisations in care, housing, municipalities and justice (vetted by two
// coordinators, as employers are), a candidate's circle of them — each
// partner there for a purpose, on a recorded legal basis, with the
// candidate's consent — the slices of the candidate each purpose may see,
// a joint plan of actions with an escalation ladder, case conferences, and
// the circle's level. Every partner read goes through the candidates
// service's audited disclosure path (SliceFor) and lands in the candidate's
// disclosure log. See docs/decisions.md (51) and docs/disclosure.md.
package circles

import (
	"slices"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/store"
)

// Purpose is what a partner is in a circle for.
type Purpose string

// Purposes.
const (
	Work    Purpose = "work"
	Housing Purpose = "housing"
	Care    Purpose = "care"
	Debt    Purpose = "debt"
	Safety  Purpose = "safety"
)

// Purposes lists every purpose.
var Purposes = []Purpose{Work, Housing, Care, Debt, Safety}

// Sections of a slice: candidates' own (identity, contact, availability)
// and those this package adds.
const (
	SectionNeed      = "need"        // what the worker wrote the purpose is for (the housing need, say)
	SectionWorkplace = "workplace"   // the active placement's place, province and start date
	SectionWellbeing = "wellbeing"   // wellbeing scores of the mentor's check-ins, with their dates
	SectionRiskFlags = "risk_flags"  // risk flags of the mentor's check-ins, with their dates
	SectionSafety    = "safety_plan" // an exit trajectory's safety plan: risks, measures, emergency contacts
)

// Slices is the one table of what each purpose sees (docs/disclosure.md):
// never a check-in's text, a workplace note, the conflict list or the
// offence; the check-in sections only with the check-in consent
// (Sensitive).
var Slices = map[Purpose][]string{
	Work:    {candidates.SectionIdentity, candidates.SectionAvailability, SectionWorkplace},
	Housing: {candidates.SectionIdentity, candidates.SectionContact, SectionNeed, SectionWorkplace},
	Care:    {candidates.SectionIdentity, candidates.SectionContact, SectionNeed},
	Debt:    {candidates.SectionIdentity, candidates.SectionContact, SectionNeed, SectionWorkplace},
	Safety:  {candidates.SectionIdentity, candidates.SectionContact, SectionNeed, SectionSafety},
}

// Sensitive is what a purpose adds with the candidate's explicit consent
// to share what the mentor's check-ins record (health data: GDPR art. 9).
var Sensitive = map[Purpose][]string{
	Care:   {SectionWellbeing, SectionRiskFlags},
	Safety: {SectionRiskFlags},
}

// Fields names the fields each section discloses, for the log.
var Fields = map[string][]string{
	candidates.SectionIdentity:     {"first_name", "last_name"},
	candidates.SectionContact:      {"phone", "email"},
	candidates.SectionAvailability: {"status", "available_from", "hours_per_week"},
	SectionNeed:                    {"need"},
	SectionWorkplace:               {"workplace_place", "workplace_province", "start_date"},
	SectionWellbeing:               {"wellbeing"},
	SectionRiskFlags:               {"risk_flags"},
	SectionSafety:                  {"safety_plan"},
}

// Basis is the legal basis of a partner's membership.
type Basis string

// Legal bases.
const (
	ByConsent   Basis = "consent"   // the candidate's consent (GDPR art. 6(1)(a))
	ByStatutory Basis = "statutory" // a statutory task the worker names (art. 6(1)(e))
)

// MemberState is where a partner's membership stands.
type MemberState string

// Membership states.
const (
	AwaitingConsent MemberState = "awaiting_consent" // basis consent, not given yet: the partner sees nothing
	Invited         MemberState = "invited"          // the partner may accept or decline
	Accepted        MemberState = "accepted"         // the partner sees its slice
	Declined        MemberState = "declined"         // the partner declined the referral, with a reason
	Withdrawn       MemberState = "withdrawn"        // the candidate's consent was withdrawn
	Ended           MemberState = "ended"            // the worker ended it, or the circle closed
)

// live reports whether a membership still stands (one per partner and purpose).
func (s MemberState) live() bool { return s == AwaitingConsent || s == Invited || s == Accepted }

// Mark records a consent: when, by whom, and whether the candidate gave it
// on their own page.
type Mark struct {
	At          time.Time `bson:"at" json:"at"`
	By          string    `bson:"by" json:"by"`
	ByCandidate bool      `bson:"by_candidate,omitempty" json:"by_candidate,omitempty"`
}

// Member is a partner organisation in a circle for one purpose.
type Member struct {
	N         int         `bson:"n" json:"n"`
	Partner   string      `bson:"partner" json:"partner_id"`
	Name      string      `bson:"name" json:"partner"` // the organisation's name when invited
	Kind      Kind        `bson:"kind" json:"kind"`
	Purpose   Purpose     `bson:"purpose" json:"purpose"`
	Basis     Basis       `bson:"basis" json:"basis"`
	Task      string      `bson:"task,omitempty" json:"statutory_task,omitempty"`
	Consent   *Mark       `bson:"consent,omitempty" json:"consent,omitempty"`
	CheckIns  *Mark       `bson:"checkins,omitempty" json:"checkin_consent,omitempty"` // consent to the check-in sections (Sensitive)
	State     MemberState `bson:"state" json:"state"`
	Reason    string      `bson:"reason,omitempty" json:"reason,omitempty"` // why declined or ended
	InvitedBy string      `bson:"invited_by" json:"invited_by"`
	InvitedAt time.Time   `bson:"invited_at" json:"invited_at"`
	DecidedBy string      `bson:"decided_by,omitempty" json:"decided_by,omitempty"`
	DecidedAt *time.Time  `bson:"decided_at,omitempty" json:"decided_at,omitempty"`
}

// sections is what the member's purpose shows, with the check-in consent's part.
func (m Member) sections() []string {
	out := slices.Clone(Slices[m.Purpose])
	if m.CheckIns != nil {
		out = append(out, Sensitive[m.Purpose]...)
	}
	return out
}

// CircleState is whether a circle is open.
type CircleState string

// Circle states.
const (
	Open   CircleState = "open"
	Closed CircleState = "closed"
)

// Levels of a circle: 1 regular (the worker with one or two partners), 2
// multi-agency, 3 led by case conferences.
const (
	LevelRegular = 1
	LevelMulti   = 2
	LevelConf    = 3
)

// LevelChange is a decision to scale a circle up or down.
type LevelChange struct {
	From   int       `bson:"from" json:"from"`
	To     int       `bson:"to" json:"to"`
	Reason string    `bson:"reason" json:"reason"`
	By     string    `bson:"by" json:"by"`
	At     time.Time `bson:"at" json:"at"`
}

// Exit is how a circle closed.
type Exit struct {
	Point string    `bson:"point" json:"point"` // goals_met, moved_away, stopped, transferred, other
	Note  string    `bson:"note,omitempty" json:"note,omitempty"`
	By    string    `bson:"by" json:"by"`
	At    time.Time `bson:"at" json:"at"`
}

// ExitPoints are the ways a circle closes.
var ExitPoints = []string{"goals_met", "moved_away", "stopped", "transferred", "other"}

// ActionStatus is where a plan action stands.
type ActionStatus string

// Action statuses.
const (
	ActionOpen      ActionStatus = "open"
	ActionDone      ActionStatus = "done"
	ActionCancelled ActionStatus = "cancelled"
)

// Owner of an action that is the probation side's (the worker's).
const OwnerWorker = "worker"

// Action is one action of the joint plan.
type Action struct {
	N          int          `bson:"n" json:"n"`
	Purpose    Purpose      `bson:"purpose" json:"purpose"`
	Title      string       `bson:"title" json:"title"`
	Owner      string       `bson:"owner" json:"owner"`                             // a partner id, or OwnerWorker
	Person     string       `bson:"person,omitempty" json:"owner_person,omitempty"` // a user of the owner, when named
	Due        time.Time    `bson:"due" json:"due_date"`
	Review     *time.Time   `bson:"review,omitempty" json:"review_date,omitempty"`
	Status     ActionStatus `bson:"status" json:"status"`
	Note       string       `bson:"note,omitempty" json:"note,omitempty"`
	Conference int          `bson:"conference,omitempty" json:"conference,omitempty"` // the conference that decided it
	Rung       int          `bson:"rung,omitempty" json:"escalated,omitempty"`        // the escalation ladder's rung reached: 1 owner, 2 worker, 3 team lead
	DoneAt     *time.Time   `bson:"done_at,omitempty" json:"done_at,omitempty"`
	CreatedBy  string       `bson:"created_by" json:"created_by"`
	CreatedAt  time.Time    `bson:"created_at" json:"created_at"`
	UpdatedBy  string       `bson:"updated_by,omitempty" json:"updated_by,omitempty"`
	UpdatedAt  time.Time    `bson:"updated_at" json:"updated_at"`
}

// overdue reports whether the open action is past its due date on day now.
func (a Action) overdue(now time.Time) bool {
	return a.Status == ActionOpen && day(now).After(a.Due)
}

// Conference is a case conference (casusoverleg).
type Conference struct {
	N            int       `bson:"n" json:"n"`
	Date         time.Time `bson:"date" json:"date"`
	Participants []string  `bson:"participants" json:"participants"` // partner ids; the worker is always there
	Topics       []Topic   `bson:"topics" json:"topics"`
	Decisions    []Decided `bson:"decisions" json:"decisions"`
	Dissent      []Dissent `bson:"dissent" json:"dissent"`
	By           string    `bson:"by" json:"by"`
	At           time.Time `bson:"at" json:"at"`
}

// Topic is what was discussed for one purpose.
type Topic struct {
	Purpose Purpose `bson:"purpose" json:"purpose"`
	Notes   string  `bson:"notes" json:"notes"`
}

// Decided is a conference's decision; it becomes plan action Action.
type Decided struct {
	Purpose Purpose `bson:"purpose" json:"purpose"`
	Text    string  `bson:"text" json:"text"`
	Owner   string  `bson:"owner" json:"owner"`
	Action  int     `bson:"action" json:"action"`
}

// Dissent is a participant's recorded disagreement.
type Dissent struct {
	Partner string  `bson:"partner" json:"partner_id"`
	Purpose Purpose `bson:"purpose" json:"purpose"`
	Text    string  `bson:"text" json:"text"`
}

// Notice is an inbox message a write leaves for its follow-up; To is a
// user id, or "partner:<id>" for every user of a partner organisation.
type Notice struct {
	Task string `bson:"task"`
	To   string `bson:"to"`
	Kind string `bson:"kind"`
	Text string `bson:"text"`
}

// Circle is the partners around one candidate: one per candidate, its id
// the candidate's.
type Circle struct {
	ID          string             `bson:"_id"`
	WorkerID    string             `bson:"worker"`
	State       CircleState        `bson:"state"`
	Level       int                `bson:"level"`
	Levels      []LevelChange      `bson:"levels"`
	Exit        *Exit              `bson:"exit,omitempty"`
	Needs       map[Purpose]string `bson:"needs"`
	Members     []Member           `bson:"members"`
	Actions     []Action           `bson:"actions"`
	Conferences []Conference       `bson:"conferences"`
	Notices     []Notice           `bson:"notices"`
	CreatedAt   time.Time          `bson:"created_at"`
	UpdatedAt   time.Time          `bson:"updated_at"`
	Version     int64              `bson:"version"`
	Writes      store.Writes       `bson:"writes"`
}

// Limits of one circle.
const (
	maxMembers     = 40
	maxActions     = 300
	maxConferences = 60
	keepNotices    = 40
)

// accepted returns the partner's accepted memberships.
func (c Circle) accepted(partner string) []Member {
	var out []Member
	if c.State != Open {
		return nil
	}
	for _, m := range c.Members {
		if m.Partner == partner && m.State == Accepted {
			out = append(out, m)
		}
	}
	return out
}

// member finds membership n.
func (c *Circle) member(n int) *Member {
	for i := range c.Members {
		if c.Members[i].N == n {
			return &c.Members[i]
		}
	}
	return nil
}

// action finds action n.
func (c *Circle) action(n int) *Action {
	for i := range c.Actions {
		if c.Actions[i].N == n {
			return &c.Actions[i]
		}
	}
	return nil
}

// notify queues an inbox message for the write's follow-up.
func (c *Circle) notify(to, kind, text string) {
	if to != "" {
		c.Notices = append(c.Notices, Notice{To: to, Kind: kind, Text: text})
	}
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// SafetyPlan is an exit trajectory's safety plan as the partners of the
// safety purpose see it (the exits service gives it: SafetyPlanOf).
type SafetyPlan struct {
	Risks    []string        `json:"risks"`
	Measures []string        `json:"measures"`
	Contacts []SafetyContact `json:"contacts"`
}

// SafetyContact is a contact for an emergency.
type SafetyContact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Phone string `json:"phone"`
}
