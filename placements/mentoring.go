package placements

import (
	"slices"
	"time"
)

// The records below live inside their placement's document (bounded), so
// that a placement and everything that follows it change in one
// conditional write. They are stored and shown as they are; what a role
// may see of them is decided in viewFor.

// DueStatus is what became of a due check-in.
type DueStatus string

// A due check-in is open until a check-in falls in its window: on time (by
// the due date plus the grace period) or late; the periodic job marks one
// missed once the grace period is over.
const (
	DueOpen   DueStatus = "open"
	DueOnTime DueStatus = "on_time"
	DueLate   DueStatus = "late"
	DueMissed DueStatus = "missed"
)

// Due is one check-in of a placement's schedule.
type Due struct {
	N         int       `json:"n" bson:"n"`
	Date      time.Time `json:"due_date" bson:"date"`
	GraceDays int       `json:"grace_days" bson:"grace_days"`
	Status    DueStatus `json:"status" bson:"status"`
	CheckIn   int       `json:"checkin,omitempty" bson:"checkin,omitempty"` // the check-in that met it
	DoneOn    time.Time `json:"done_on,omitzero" bson:"done_on,omitempty"`  // that check-in's date
}

// graceEnd is the last day on which a check-in is on time.
func (d Due) graceEnd() time.Time { return d.Date.AddDate(0, 0, d.GraceDays) }

// Check-in modes and risk flags.
var (
	checkinModes = []string{"visit", "phone", "video", "at_work"}
	riskFlags    = []string{"contact_old_network", "debts", "substance_use", "housing", "conflict_at_work", "threats"}
	noteRatings  = []string{"good", "irregular", "poor"}
)

// FollowUp is an action agreed at a check-in.
type FollowUp struct {
	Text string    `json:"text" bson:"text"`
	Due  time.Time `json:"due_date" bson:"due"`
}

// CheckIn is a mentor's record of one contact.
type CheckIn struct {
	N          int        `json:"n" bson:"n"`
	Date       time.Time  `json:"date" bson:"date"`
	Mode       string     `json:"mode" bson:"mode"`
	Attended   bool       `json:"attended" bson:"attended"`
	Wellbeing  int        `json:"wellbeing,omitempty" bson:"wellbeing,omitempty"`
	Work       int        `json:"work,omitempty" bson:"work,omitempty"`
	Concerns   string     `json:"concerns,omitempty" bson:"concerns,omitempty"`
	RiskFlags  []string   `json:"risk_flags" bson:"risk_flags"`
	Actions    []FollowUp `json:"actions" bson:"actions"`
	Due        int        `json:"due,omitempty" bson:"due,omitempty"` // the due check-in it met
	By         string     `json:"by" bson:"by"`
	RecordedAt time.Time  `json:"recorded_at" bson:"recorded_at"`
	EditedAt   *time.Time `json:"edited_at,omitempty" bson:"edited_at,omitempty"`
}

// WorkNote is the employer's short note from the workplace, for the mentor.
type WorkNote struct {
	N           int       `json:"n" bson:"n"`
	Date        time.Time `json:"date" bson:"date"`
	Attendance  string    `json:"attendance" bson:"attendance"`
	Punctuality string    `json:"punctuality" bson:"punctuality"`
	Concerns    string    `json:"concerns,omitempty" bson:"concerns,omitempty"`
	By          string    `json:"by" bson:"by"`
	At          time.Time `json:"at" bson:"at"`
}

// EscalationKind is why a placement was escalated to the probation worker.
type EscalationKind string

// The reasons for an escalation.
const (
	EscMissed       EscalationKind = "missed_checkin" // past the due date and the grace period without a check-in
	EscLowWellbeing EscalationKind = "low_wellbeing"  // wellbeing ≤ 2 at two check-ins in a row
	EscRiskFlag     EscalationKind = "risk_flag"      // a check-in named a risk
	EscNoMentor     EscalationKind = "no_mentor"      // the start is near and no mentor is assigned
)

// EscalationState is where an escalation is.
type EscalationState string

// An escalation is open until the worker acknowledges it, and then closed
// with the action taken.
const (
	EscOpen         EscalationState = "open"
	EscAcknowledged EscalationState = "acknowledged"
	EscClosed       EscalationState = "closed"
)

// Escalation is a signal for the candidate's probation worker.
type Escalation struct {
	N        int             `json:"n" bson:"n"`
	Kind     EscalationKind  `json:"kind" bson:"kind"`
	Due      int             `json:"due,omitempty" bson:"due,omitempty"`         // missed_checkin
	CheckIn  int             `json:"checkin,omitempty" bson:"checkin,omitempty"` // low_wellbeing, risk_flag
	Flags    []string        `json:"risk_flags,omitempty" bson:"flags,omitempty"`
	State    EscalationState `json:"state" bson:"state"`
	RaisedAt time.Time       `json:"raised_at" bson:"raised_at"`
	AckBy    string          `json:"acknowledged_by,omitempty" bson:"ack_by,omitempty"`
	AckAt    *time.Time      `json:"acknowledged_at,omitempty" bson:"ack_at,omitempty"`
	ClosedBy string          `json:"closed_by,omitempty" bson:"closed_by,omitempty"`
	ClosedAt *time.Time      `json:"closed_at,omitempty" bson:"closed_at,omitempty"`
	Action   string          `json:"action,omitempty" bson:"action,omitempty"`
	Task     string          `json:"-" bson:"task"` // the write that raised it (its follow-up notifies once)
}

// Milestone is a retention milestone: reached when the placement was
// still active on that date and no check-in was overdue.
type Milestone struct {
	Months  int       `json:"months" bson:"months"`
	Date    time.Time `json:"date" bson:"date"`
	Reached bool      `json:"reached" bson:"reached"`
	Reason  string    `json:"reason,omitempty" bson:"reason,omitempty"` // why not: ended, overdue check-in
	Task    string    `json:"-" bson:"task"`
}

// milestoneMonths are the retention milestones.
var milestoneMonths = []int{1, 3, 6, 12}

// Guarantee kinds.
var guaranteeKinds = []string{"fidelity", "sick_pay"}

// ClaimState is where a guarantee claim is.
type ClaimState string

// A claim is filed, then approved (by two coordinators above the
// threshold) or rejected.
const (
	ClaimFiled    ClaimState = "filed"
	ClaimApproved ClaimState = "approved"
	ClaimRejected ClaimState = "rejected"
)

// Approval is one coordinator's yes.
type Approval struct {
	By string    `json:"by" bson:"by"`
	At time.Time `json:"at" bson:"at"`
}

// Claim is an employer's claim under a guarantee.
type Claim struct {
	N           int        `json:"n" bson:"n"`
	AmountCents int64      `json:"amount_cents" bson:"amount_cents"`
	LossDate    time.Time  `json:"loss_date" bson:"loss_date"`
	Description string     `json:"description" bson:"description"`
	State       ClaimState `json:"state" bson:"state"`
	FiledBy     string     `json:"filed_by" bson:"filed_by"`
	FiledAt     time.Time  `json:"filed_at" bson:"filed_at"`
	Approvals   []Approval `json:"approvals" bson:"approvals"`
	RejectedBy  string     `json:"rejected_by,omitempty" bson:"rejected_by,omitempty"`
	Reason      string     `json:"reason,omitempty" bson:"reason,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty" bson:"decided_at,omitempty"`
	Payable     bool       `json:"payable" bson:"payable"` // approved: the payments issue pays it
}

// Guarantee limits the employer's risk for a placement.
type Guarantee struct {
	N          int       `json:"n" bson:"n"`
	Kind       string    `json:"kind" bson:"kind"`
	CoverCents int64     `json:"cover_cents" bson:"cover_cents"`
	Start      time.Time `json:"start_date" bson:"start"`
	End        time.Time `json:"end_date" bson:"end"`
	By         string    `json:"created_by" bson:"by"`
	At         time.Time `json:"created_at" bson:"at"`
	Claims     []Claim   `json:"claims" bson:"claims"`
}

// approved is the total of the approved claims.
func (g Guarantee) approved() int64 {
	var n int64
	for _, c := range g.Claims {
		if c.State == ClaimApproved {
			n += c.AmountCents
		}
	}
	return n
}

// Bounds of the embedded lists: older check-ins move to the archive
// (placement_checkins), closed escalations and old notes drop off (their
// audit events stay).
const (
	keepCheckIns    = 24
	keepNotes       = 12
	keepEscalations = 60
	maxGuarantees   = 4
	maxClaims       = 20
)

// Options a form offers (the pages): check-in modes, risk flags, the
// ratings of a workplace note, contracts and reasons to end.
func CheckInModes() []string { return slices.Clone(checkinModes) }

// RiskFlags are the risk flags a check-in may raise.
func RiskFlags() []string { return slices.Clone(riskFlags) }

// NoteRatings are the ratings of a workplace note's attendance and punctuality.
func NoteRatings() []string { return slices.Clone(noteRatings) }

// Contracts are the contracts a placement may have.
func Contracts() []string { return slices.Clone(contracts) }

// GuaranteeKinds are the kinds of guarantee a placement may get.
func GuaranteeKinds() []string { return slices.Clone(guaranteeKinds) }

// EndReasons are the reasons a placement may end for.
func EndReasons() []string { return slices.Clone(endReasons) }
