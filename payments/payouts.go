package payments

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/csvcell"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// PayoutView is a payout with its ledger.
type PayoutView struct {
	ID          string    `json:"id"`
	SchemeID    string    `json:"scheme_id"`
	PlacementID string    `json:"placement_id"`
	EmployerID  string    `json:"employer_id"`
	N           int       `json:"n"`
	AmountCents int64     `json:"amount_cents"`
	DueDate     string    `json:"due_date"`
	Condition   Condition `json:"condition"`
	Milestone   int       `json:"milestone,omitempty"`
	State       State     `json:"state"`
	Held        string    `json:"held,omitempty"`
	ScheduledBy string    `json:"scheduled_by"`
	Approvals   []string  `json:"approvals"`
	TransferID  string    `json:"transfer_id,omitempty"`
	ExportID    string    `json:"export_id,omitempty"`
	Ledger      []Entry   `json:"ledger"`
	Version     int64     `json:"version"`
}

func payoutView(p Payout) PayoutView {
	return PayoutView{ID: p.ID, SchemeID: p.SchemeID, PlacementID: p.PlacementID, EmployerID: p.EmployerID, N: p.N, AmountCents: p.AmountCents,
		DueDate: p.DueDate.Format(time.DateOnly), Condition: p.Condition, Milestone: p.Milestone, State: p.State, Held: p.Held, ScheduledBy: p.ScheduledBy,
		Approvals: p.Approvals, TransferID: p.TransferID, ExportID: p.ExportID, Ledger: p.Ledger, Version: p.Version}
}

// Payouts lists payouts: a coordinator's (not yet paid or cancelled), an
// employer's (its own, all). Errors: Unauthenticated, Forbidden.
func (s *Service) Payouts(ctx context.Context) ([]PayoutSummary, error) {
	a, err := users.RequireRole(ctx, users.Coordinator, users.Employer)
	if err != nil {
		return nil, err
	}
	if a.Is(users.Employer) {
		return s.store.payoutList(ctx, "employer:"+a.EmployerID)
	}
	return s.store.payoutList(ctx, "open")
}

// Open lists the payouts not yet settled, for the reminders job; never
// for a request.
func (s *Service) Open(ctx context.Context) ([]PayoutSummary, error) {
	return s.store.payoutList(ctx, "open")
}

// PayoutsOfPlacement lists the payouts concerning a placement, for the
// candidate's subject-access export; it checks no actor: the caller has
// read the placement as the actor (placements.GetPlacement). employer is
// the placement's employer, whose list holds them.
func (s *Service) PayoutsOfPlacement(ctx context.Context, employer, placementID string) ([]PayoutSummary, error) {
	all, err := s.store.payoutList(ctx, "employer:"+employer)
	if err != nil {
		return nil, err
	}
	out := []PayoutSummary{}
	for _, p := range all {
		if p.PlacementID == placementID {
			out = append(out, p)
		}
	}
	return out, nil
}

// Settled reports whether a payout's state is final (paid, cancelled).
func Settled(st State) bool { return st == Paid || st == Cancelled }

// Payout returns one payout (coordinators; an employer its own).
func (s *Service) Payout(ctx context.Context, id string) (PayoutView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator, users.Employer)
	if err != nil {
		return PayoutView{}, err
	}
	if !ids.Valid(id, "po_") {
		return PayoutView{}, errPayoutNotFound
	}
	p, err := s.store.payout(ctx, id)
	if err != nil {
		return PayoutView{}, err
	}
	if a.Is(users.Employer) && p.EmployerID != a.EmployerID {
		return PayoutView{}, errPayoutNotFound
	}
	return payoutView(p), nil
}

// holds reports whether p's condition holds now, and why not.
func (s *Service) holds(ctx context.Context, p Payout, now time.Time) (ok, cancel bool, why string, err error) {
	today := day(now)
	switch p.Condition {
	case CondActive:
		st, err := s.placements.Standing(ctx, p.PlacementID, p.DueDate)
		if err != nil {
			return false, false, "", err
		}
		switch {
		case !st.ActiveOn:
			return false, true, "the placement was not active on the due date", nil
		case st.UpToDate:
			return true, false, "", nil
		}
		// Behind on the due date: released once the check-ins are up to date.
		if cur, err := s.placements.Standing(ctx, p.PlacementID, today); err != nil {
			return false, false, "", err
		} else if cur.Active && cur.UpToDate {
			return true, false, "", nil
		}
		return false, false, "check-ins not up to date", nil
	case CondMilestone:
		st, err := s.placements.Standing(ctx, p.PlacementID, today)
		if err != nil {
			return false, false, "", err
		}
		reached, recorded := st.Milestones[p.Milestone]
		switch {
		case recorded && reached:
			return true, false, "", nil
		case recorded:
			return false, true, "the milestone was not reached", nil
		case !st.Active:
			return false, true, "the placement ended before the milestone", nil
		}
		return false, false, "the milestone is not recorded yet", nil
	case CondClaim:
		st, err := s.placements.Standing(ctx, p.PlacementID, today)
		if err != nil {
			return false, false, "", err
		}
		for _, c := range st.Claims {
			if c.Key == p.ClaimKey {
				return true, false, "", nil
			}
		}
		return false, true, "the claim is not approved", nil
	}
	return false, false, "unknown condition", nil
}

// notHolding is the Conflict of an approval whose condition no longer
// holds, one whole sentence per reason (the catalogue translates each).
func notHolding(why string) error {
	switch why {
	case "the placement was not active on the due date":
		return apperr.Errorf(apperr.Conflict, "The payout's condition no longer holds: the placement was not active on the due date.")
	case "check-ins not up to date":
		return apperr.Errorf(apperr.Conflict, "The payout's condition no longer holds: the check-ins are not up to date.")
	case "the milestone was not reached", "the placement ended before the milestone", "the milestone is not recorded yet":
		return apperr.Errorf(apperr.Conflict, "The payout's condition no longer holds: the milestone is not reached.")
	case "the claim is not approved":
		return apperr.Errorf(apperr.Conflict, "The payout's condition no longer holds: the claim is not approved.")
	}
	return apperr.Errorf(apperr.Conflict, "The payout's condition no longer holds.")
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Due, Cancelled, Created int
}

// Sweep is the periodic job: scheduled payouts whose date has come move
// to due when their condition holds and are cancelled when it cannot any
// more (the placement ended first); claims schemes get a payout for each
// newly approved claim of their placements.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	now := s.clock()
	if err := s.claimPayouts(ctx, now, &res); err != nil {
		return res, err
	}
	open, err := s.store.payoutList(ctx, "open")
	if err != nil {
		return res, err
	}
	var errs []error
	for _, x := range open {
		if x.State != Scheduled {
			continue
		}
		due, _ := time.Parse(time.DateOnly, x.DueDate)
		p, err := s.store.payout(ctx, x.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if due.After(day(now)) {
			// Not yet; but a placement that ended before the date cancels it now.
			st, err := s.placements.Standing(ctx, p.PlacementID, now)
			if err != nil || st.Active {
				continue
			}
		}
		ok, cancel, why, err := s.holds(ctx, p, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_, err = s.writePayout(ctx, system, p.ID, func(p *Payout) error {
			switch {
			case p.State != Scheduled:
				return errUnchanged
			case ok:
				p.Held = ""
				s.move(p, "system", Due, "condition met")
			case cancel:
				p.Held = ""
				s.move(p, "system", Cancelled, why)
			case p.Held != why:
				p.Held = why
				p.Ledger = append(p.Ledger, Entry{At: s.clock(), By: "system", State: Scheduled, AmountCents: p.AmountCents, Reference: "held: " + why})
			default:
				return errUnchanged
			}
			return nil
		})
		switch {
		case errors.Is(err, errUnchanged):
		case err != nil:
			errs = append(errs, err)
		case ok:
			res.Due++
		case cancel:
			res.Cancelled++
		}
	}
	return res, errors.Join(errs...)
}

// claimPayouts gives claims schemes a payout (due at once) for each
// approved claim of their placements, its amount reserved first (a claim
// the budget cannot cover waits, and is logged).
func (s *Service) claimPayouts(ctx context.Context, now time.Time, res *SweepResult) error {
	es, err := s.store.entries(ctx, "schemes")
	if err != nil {
		return err
	}
	for id, e := range es {
		if len(e) < 6 || e[:6] != string(Claims) {
			continue
		}
		sc, err := s.store.scheme(ctx, id)
		if err != nil {
			return err
		}
		for pid := range sc.Attached {
			if !ids.Valid(pid, "p_") {
				continue // a claim payout's reservation
			}
			st, err := s.placements.Standing(ctx, pid, now)
			if err != nil {
				return err
			}
			for _, c := range st.Claims {
				poid := payoutID(sc.ID, pid, "claim "+c.Key)
				if _, err := s.store.payout(ctx, poid); err == nil {
					continue
				} else if !apperr.Is(err, apperr.NotFound) {
					return err
				}
				if _, err := s.store.updateScheme(ctx, sc.ID, func(sc *Scheme) error {
					if _, ok := sc.Attached[poid]; ok {
						return nil // reserved before a crash
					}
					if c.AmountCents > sc.totals().RemainingCents {
						return errBudget
					}
					sc.Attached[poid] = c.AmountCents
					sc.Reserved += c.AmountCents
					return nil
				}); errors.Is(err, errBudget) {
					s.log.WarnContext(ctx, "an approved claim waits: the claims scheme's budget does not cover it", "scheme", sc.ID, "placement", pid, "claim", c.Key)
					continue
				} else if err != nil {
					return err
				}
				p := Payout{ID: poid, SchemeID: sc.ID, PlacementID: pid, EmployerID: st.EmployerID, AmountCents: c.AmountCents, DueDate: day(c.ApprovedAt),
					Condition: CondClaim, ClaimKey: c.Key, State: Due, ScheduledBy: "system", Approvals: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1,
					Ledger: []Entry{{At: now, By: "system", State: Scheduled, AmountCents: c.AmountCents, Reference: "claim " + c.Key}, {At: now, By: "system", State: Due, AmountCents: c.AmountCents, Reference: "claim approved"}}}
				if err := s.store.savePayout(ctx, p); err != nil {
					return err
				}
				if err := s.store.listPayout(ctx, p); err != nil {
					return err
				}
				res.Created++
			}
		}
	}
	return nil
}

var errBudget = errors.New("over budget")

// Approve records a coordinator's approval of a due payout: not by whoever
// scheduled it, once per coordinator, a second one above the threshold,
// and only while its condition holds. Errors: Unauthenticated, Forbidden,
// NotFound, Conflict.
func (s *Service) Approve(ctx context.Context, id string) (PayoutView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return PayoutView{}, err
	}
	if !ids.Valid(id, "po_") {
		return PayoutView{}, errPayoutNotFound
	}
	p, err := s.writePayout(ctx, a, id, func(p *Payout) error {
		switch {
		case p.State != Due:
			return apperr.Errorf(apperr.Conflict, "Only a due payout can be approved; this one is %s.", string(p.State))
		case p.ScheduledBy == string(a.UserID):
			return apperr.Errorf(apperr.Forbidden, "You scheduled this payout; another coordinator must approve it.")
		case contains(p.Approvals, string(a.UserID)):
			return apperr.Errorf(apperr.Conflict, "You approved this payout already; a second coordinator must approve it.")
		}
		ok, _, why, err := s.holds(ctx, *p, s.clock())
		if err != nil {
			return err
		}
		if !ok {
			return notHolding(why)
		}
		p.Approvals = append(p.Approvals, string(a.UserID))
		if p.AmountCents > s.SecondApprovalAbove && len(p.Approvals) < 2 {
			p.Ledger = append(p.Ledger, Entry{At: s.clock(), By: string(a.UserID), State: Due, AmountCents: p.AmountCents, Reference: "first approval"})
			return nil
		}
		s.move(p, string(a.UserID), Approved, "approved")
		return nil
	})
	if err != nil {
		return PayoutView{}, err
	}
	return payoutView(p), nil
}

// Retry approves a failed payout again (coordinators).
func (s *Service) Retry(ctx context.Context, id string) (PayoutView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return PayoutView{}, err
	}
	if !ids.Valid(id, "po_") {
		return PayoutView{}, errPayoutNotFound
	}
	p, err := s.writePayout(ctx, a, id, func(p *Payout) error {
		if p.State != Failed {
			return apperr.Errorf(apperr.Conflict, "Only a failed payout can be retried; this one is %s.", string(p.State))
		}
		if fs := p.files(); len(fs) > 0 || p.outstanding() > 0 {
			return apperr.Errorf(apperr.Conflict, "This payout was paid (it left in a SEPA file or its transfer was not reversed); it cannot be paid again.")
		}
		s.move(p, string(a.UserID), Approved, "retry")
		return nil
	})
	if err != nil {
		return PayoutView{}, err
	}
	return payoutView(p), nil
}

// PaidInput is the bank's reference of a payout paid from a SEPA file.
type PaidInput struct {
	BankReference string `json:"bank_reference"`
}

// MarkPaid records an exported payout as paid with the bank's reference
// (coordinators). Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) MarkPaid(ctx context.Context, id string, in PaidInput) (PayoutView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return PayoutView{}, err
	}
	if !ids.Valid(id, "po_") {
		return PayoutView{}, errPayoutNotFound
	}
	var f apperr.Fields
	ref := f.Text("bank_reference", in.BankReference, 140, true)
	if err := f.Err(); err != nil {
		return PayoutView{}, err
	}
	p, err := s.writePayout(ctx, a, id, func(p *Payout) error {
		if p.State != Exported {
			return apperr.Errorf(apperr.Conflict, "Only an exported payout can be marked paid; this one is %s.", string(p.State))
		}
		if p.outstanding() > 0 {
			return apperr.Errorf(apperr.Conflict, "This payout was paid already.")
		}
		s.move(p, string(a.UserID), Paid, "bank "+ref)
		return nil
	})
	if err != nil {
		return PayoutView{}, err
	}
	return payoutView(p), nil
}

// Submit is the payment worker: each approved payout of an employer whose
// Stripe account takes payouts is first marked submitted (its key, the
// payout's id, stored), then transferred with that key, then marked paid.
// A payout left submitted by a crash is transferred again with the same
// key, so Stripe pays once. Without a gateway it does nothing.
func (s *Service) Submit(ctx context.Context) (int, error) {
	if s.Gateway == nil {
		return 0, nil
	}
	open, err := s.store.payoutList(ctx, "open")
	if err != nil {
		return 0, err
	}
	paid := 0
	var errs []error
	for _, x := range open {
		if x.State != Approved && x.State != Submitted {
			continue
		}
		acct, _, err := s.store.account(ctx, x.EmployerID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if acct.StripeAccount == "" || !acct.PayoutsEnabled {
			continue // waits for the employer's account (or a SEPA export)
		}
		if err := s.pay(ctx, x.ID, acct.StripeAccount); err != nil {
			errs = append(errs, fmt.Errorf("payout %s: %w", x.ID, err))
			continue
		}
		paid++
	}
	return paid, errors.Join(errs...)
}

// AfterTransfer, when set, runs between the gateway's answer and the
// write that records it (tests inject a crash there).
var AfterTransfer func(payoutID string)

func (s *Service) pay(ctx context.Context, id, account string) error {
	p, err := s.writePayout(ctx, system, id, func(p *Payout) error {
		if p.State != Approved {
			return errUnchanged
		}
		s.move(p, "system", Submitted, "idempotency key "+p.ID)
		return nil
	})
	if errors.Is(err, errUnchanged) {
		p, err = s.store.payout(ctx, id)
	}
	if err != nil {
		return err
	}
	if p.State != Submitted {
		return nil
	}
	tr, err := s.Gateway.Transfer(ctx, Transfer{Key: p.ID, AccountID: account, AmountCents: p.AmountCents, PayoutID: p.ID})
	var refused *RefusedError
	if errors.As(err, &refused) {
		_, err = s.writePayout(ctx, system, id, func(p *Payout) error {
			if p.State != Submitted {
				return errUnchanged
			}
			s.move(p, "system", Failed, refused.Reason)
			return nil
		})
		if errors.Is(err, errUnchanged) {
			return nil
		}
		return err
	}
	if err != nil {
		return err // left submitted: the next run sends the same key
	}
	if AfterTransfer != nil {
		AfterTransfer(id)
	}
	_, err = s.writePayout(ctx, system, id, func(p *Payout) error {
		if p.State != Submitted || p.outstanding() > 0 {
			return errUnchanged
		}
		p.TransferID = tr
		s.move(p, "system", Paid, tr)
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// RefusedError is a gateway's final no (a 4xx from Stripe): the payout
// failed and may be retried after the cause is fixed.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Balance is a scheme's ledger summed: what was scheduled, cancelled and
// paid by the payouts' own ledgers, against the scheme's figures.
type Balance struct {
	SchemeID       string `json:"scheme_id"`
	ScheduledCents int64  `json:"scheduled_cents"`
	CancelledCents int64  `json:"cancelled_cents"`
	PaidCents      int64  `json:"paid_cents"`
	Totals
	Balanced bool     `json:"balanced"`
	Problems []string `json:"problems,omitempty"`
}

// Balance checks a scheme's ledger (coordinators).
func (s *Service) Balance(ctx context.Context, schemeID string) (Balance, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return Balance{}, err
	}
	return s.balance(ctx, schemeID)
}

func (s *Service) balance(ctx context.Context, schemeID string) (Balance, error) {
	sc, err := s.store.scheme(ctx, schemeID)
	if err != nil {
		return Balance{}, err
	}
	list, err := s.store.payoutList(ctx, "scheme:"+schemeID)
	if err != nil {
		return Balance{}, err
	}
	b := Balance{SchemeID: schemeID, Totals: sc.totals()}
	for _, x := range list {
		p, err := s.store.payout(ctx, x.ID)
		if err != nil {
			return Balance{}, err
		}
		// A reversal takes a payment back only when it names the transfer
		// that paid (a SEPA payment never comes back through Stripe).
		paid := ""
		for i, e := range p.Ledger {
			switch {
			case i == 0 && e.State == Scheduled:
				b.ScheduledCents += e.AmountCents
			case e.State == Cancelled:
				b.CancelledCents += e.AmountCents
			case e.State == Paid && paid != "":
				b.Problems = append(b.Problems, fmt.Sprintf("payout %s paid twice without a reversal", p.ID))
				b.PaidCents += e.AmountCents
			case e.State == Paid:
				b.PaidCents += e.AmountCents
				paid = e.Reference
			case e.State == Failed && paid != "" && e.Reference == reversedPrefix+paid:
				b.PaidCents -= e.AmountCents
				paid = ""
			}
		}
		if fs := p.files(); len(fs) > 1 {
			b.Problems = append(b.Problems, fmt.Sprintf("payout %s left in %d SEPA files (%s)", p.ID, len(fs), strings.Join(fs, ", ")))
		}
	}
	if b.ScheduledCents != sc.Reserved {
		b.Problems = append(b.Problems, fmt.Sprintf("scheduled %d, reserved %d", b.ScheduledCents, sc.Reserved))
	}
	if b.CancelledCents != sc.Reserved-b.Totals.CommittedCents-b.Totals.PaidCents {
		b.Problems = append(b.Problems, fmt.Sprintf("cancelled %d in the ledger, released %d", b.CancelledCents, sc.Reserved-b.Totals.CommittedCents-b.Totals.PaidCents))
	}
	if b.PaidCents != b.Totals.PaidCents {
		b.Problems = append(b.Problems, fmt.Sprintf("paid %d in the ledger, %d in the scheme", b.PaidCents, b.Totals.PaidCents))
	}
	if b.Totals.RemainingCents < 0 {
		b.Problems = append(b.Problems, "the budget is overrun")
	}
	b.Balanced = len(b.Problems) == 0
	return b, nil
}

// LedgerCSV writes the ledger of a scheme ("scheme:s_…") or of an
// employer ("employer:e_…"), one line per entry (coordinators; an
// employer its own).
func (s *Service) LedgerCSV(ctx context.Context, owner string) ([]byte, error) {
	a, err := users.RequireRole(ctx, users.Coordinator, users.Employer)
	if err != nil {
		return nil, err
	}
	if a.Is(users.Employer) && owner != "employer:"+a.EmployerID {
		return nil, apperr.Errorf(apperr.NotFound, "Not found.")
	}
	list, err := s.store.payoutList(ctx, owner)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"at", "payout", "scheme", "placement", "employer", "state", "amount_cents", "by", "reference"}}
	for _, x := range list {
		p, err := s.store.payout(ctx, x.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range p.Ledger {
			rows = append(rows, []string{e.At.Format(time.RFC3339), p.ID, p.SchemeID, p.PlacementID, p.EmployerID, string(e.State), strconv.FormatInt(e.AmountCents, 10), e.By, e.Reference})
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		_ = w.Write(csvcell.Row(r)) // a reference typed as "=…" stays text
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
