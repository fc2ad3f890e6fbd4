// Package payments pays employers the subsidies of their placements:
// schemes with a budget, payouts each released by a condition (the
// placement active on the day and its check-ins up to date, a retention
// milestone reached, a guarantee claim approved), two-coordinator
// approval above a threshold, and payment exactly once — through a
// Gateway (Stripe Connect transfers, payments/stripe) or, without one, a
// SEPA credit-transfer file for the bank (payments/sepa). Every state
// change of a payout is an entry of its ledger, written in the same
// conditional write as the change.
package payments

import (
	"context"
	"slices"
	"time"

	"github.com/herstart/herstart/store"
)

// SchemeKind is how a scheme pays.
type SchemeKind string

// The kinds of scheme.
const (
	Monthly   SchemeKind = "monthly"   // an amount a month for N months (a wage-cost subsidy)
	Milestone SchemeKind = "milestone" // a bonus at retention milestones (e.g. 3 and 6 months)
	Claims    SchemeKind = "claims"    // the placement's approved guarantee claims
)

// Scheme is a subsidy scheme with a budget.
type Scheme struct {
	ID          string
	Name        string
	Kind        SchemeKind
	AmountCents int64 // per payout (monthly, milestone)
	Months      int   // monthly: how many
	Milestones  []int // milestone: which (1, 3, 6, 12)
	BudgetCents int64
	Reserved    int64            // the amounts of every payout scheduled
	Released    map[string]int64 // payout → amount given back (cancelled)
	Paid        map[string]int64 // payout → amount paid
	Attached    map[string]int64 // placement → amount reserved for it
	CreatedBy   string
	CreatedAt   time.Time
	Version     int64
}

// Totals are a scheme's budget figures.
type Totals struct {
	BudgetCents    int64 `json:"budget_cents"`
	CommittedCents int64 `json:"committed_cents"` // scheduled and not yet paid or cancelled
	PaidCents      int64 `json:"paid_cents"`
	RemainingCents int64 `json:"remaining_cents"`
}

func (s Scheme) totals() Totals {
	var released, paid int64
	for _, v := range s.Released {
		released += v
	}
	for _, v := range s.Paid {
		paid += v
	}
	return Totals{BudgetCents: s.BudgetCents, CommittedCents: s.Reserved - released - paid, PaidCents: paid, RemainingCents: s.BudgetCents - s.Reserved + released}
}

// State is where a payout is.
type State string

// A payout is scheduled until its condition holds (due) or its placement
// ended first (cancelled); a coordinator approves a due one; then it is
// submitted to the gateway and paid or failed (a failed one may be
// approved again), or, without a gateway, exported in a SEPA file and
// marked paid with the bank's reference.
const (
	Scheduled State = "scheduled"
	Due       State = "due"
	Approved  State = "approved"
	Submitted State = "submitted"
	Exported  State = "exported"
	Paid      State = "paid"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Condition is what releases a payout.
type Condition string

// The conditions.
const (
	CondActive    Condition = "active_and_up_to_date" // the placement active on the due date, no check-in overdue
	CondMilestone Condition = "milestone_reached"     // the retention milestone reached
	CondClaim     Condition = "claim_approved"        // a guarantee claim approved
)

// Entry is one line of a payout's ledger.
type Entry struct {
	At          time.Time `json:"at" bson:"at"`
	By          string    `json:"by" bson:"by"`
	State       State     `json:"state" bson:"state"`
	AmountCents int64     `json:"amount_cents" bson:"amount_cents"`
	Reference   string    `json:"reference,omitempty" bson:"reference,omitempty"` // transfer id, file, bank reference, reason
}

// Payout is one payment of a scheme to a placement's employer.
type Payout struct {
	ID          string
	SchemeID    string
	PlacementID string
	EmployerID  string
	N           int
	AmountCents int64
	DueDate     time.Time
	Condition   Condition
	Milestone   int    // CondMilestone
	ClaimKey    string // CondClaim
	State       State
	Held        string // why a due date passed without release
	ScheduledBy string
	Approvals   []string
	TransferID  string
	ExportID    string
	Ledger      []Entry
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
	writes      store.Writes
}

// reversedPrefix begins the ledger reference of a Stripe transfer's
// reversal: "transfer reversed tr_…".
const reversedPrefix = "transfer reversed "

// outstanding counts the payments that left for the payout and did not
// come back, from its own ledger: each paid entry, less each reversal of
// the transfer that paid it (the reference names the same transfer id). A
// SEPA payment never comes back through the platform, and a "reversal"
// that names another transfer is no reversal. A payout may move to paid
// only while it is 0 (docs/invariants.md).
func (p Payout) outstanding() int {
	n, last := 0, ""
	for _, e := range p.Ledger {
		switch {
		case e.State == Paid:
			n, last = n+1, e.Reference
		case e.State == Failed && last != "" && e.Reference == reversedPrefix+last:
			n, last = n-1, ""
		}
	}
	return n
}

// files lists the SEPA files the payout left in, from its ledger.
func (p Payout) files() []string {
	var out []string
	for _, e := range p.Ledger {
		if e.State == Exported && !slices.Contains(out, e.Reference) {
			out = append(out, e.Reference)
		}
	}
	return out
}

// Gateway pays an employer's connected account. Implementations:
// payments/stripe. Without one, approved payouts wait for a SEPA export.
type Gateway interface {
	// CreateAccount opens a connected account for an employer.
	CreateAccount(ctx context.Context, employerID, email string) (string, error)
	// OnboardingLink is where the employer finishes its account.
	OnboardingLink(ctx context.Context, accountID, returnURL string) (string, error)
	// Transfer pays amount to account once per key: a second call with the
	// same key returns the first transfer.
	Transfer(ctx context.Context, t Transfer) (string, error)
	// Transfers lists the transfers made (for reconciliation).
	Transfers(ctx context.Context) ([]Transfer, error)
}

// Transfer is a payment to a connected account.
type Transfer struct {
	ID          string
	Key         string // the idempotency key: the payout's id
	AccountID   string
	AmountCents int64
	PayoutID    string // also in the transfer's metadata
}
