package payments

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Audit actions (subject: the payout's scheme).
const (
	ActionScheme = "payments.scheme"
	ActionAttach = "payments.attach"
	ActionPayout = "payments.payout"
)

// Outbox tasks: an attachment's payouts, and a payout write's follow-up
// (lists, the scheme's paid and released amounts, the audit event).
const (
	taskAttach = "payments.attach"
	taskPayout = "payments.payout"
)

// DefaultSecondApprovalAbove is €5,000.
const DefaultSecondApprovalAbove = 500_000

// Service applies the payment rules.
type Service struct {
	store      *Store
	placements *placements.Service
	audit      *audit.Recorder
	outbox     *store.Outbox
	writer     *store.Writer
	now        func() time.Time
	log        *slog.Logger

	// Gateway pays; nil without Stripe keys (approved payouts then wait
	// for a SEPA export).
	Gateway Gateway
	// ParseEvent verifies and reads a Stripe webhook (wired by cmd).
	ParseEvent func(payload []byte, signature string) (Event, error)
	// SecondApprovalAbove: payouts above it (euro cents) need a second
	// coordinator (HERSTART_PAYOUT_SECOND_APPROVAL_CENTS).
	SecondApprovalAbove int64
	// Debtor is the platform's own account, the payer of SEPA files.
	Debtor Party
	// ReturnURL is where Stripe's onboarding sends the employer back.
	ReturnURL string
	// EmployerExists, when set, checks the employer a coordinator names
	// (wired by cmd to employers; payments does not import it).
	EmployerExists func(ctx context.Context, id string) (bool, error)
}

// Party is a SEPA party.
type Party struct {
	Name, IBAN, BIC string
}

// NewService returns a Service and registers its outbox tasks. now may be nil.
func NewService(st *Store, ps *placements.Service, rec *audit.Recorder, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, placements: ps, audit: rec, outbox: ob, now: now, log: slog.Default(), SecondApprovalAbove: DefaultSecondApprovalAbove}
	s.writer = store.NewWriter(ob, rec, nil)
	store.Handle(s.writer, taskAttach, s.followAttach)
	store.Handle(s.writer, taskPayout, s.followPayout)
	return s
}

// SetLogger sets the logger of warnings the service handles itself.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// SetClock replaces the service's clock: the demo writes its history
// through it. Not for serving.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

var system = users.Actor{UserID: "system", Role: "system"}

// SchemeInput is a new scheme.
type SchemeInput struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	AmountCents *int64 `json:"amount_cents"`
	Months      int    `json:"months"`
	Milestones  []int  `json:"milestones"`
	BudgetCents *int64 `json:"budget_cents"`
}

// maxCents bounds every amount (€10 million).
const maxCents = 1_000_000_000

// SchemeView is a scheme with its budget figures.
type SchemeView struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Kind        SchemeKind `json:"kind"`
	AmountCents int64      `json:"amount_cents,omitempty"`
	Months      int        `json:"months,omitempty"`
	Milestones  []int      `json:"milestones,omitempty"`
	Placements  int        `json:"placements"`
	Totals
	CreatedAt time.Time `json:"created_at"`
}

func viewOf(sc Scheme) SchemeView {
	return SchemeView{ID: sc.ID, Name: sc.Name, Kind: sc.Kind, AmountCents: sc.AmountCents, Months: sc.Months, Milestones: sc.Milestones,
		Placements: len(sc.Attached), Totals: sc.totals(), CreatedAt: sc.CreatedAt}
}

// CreateScheme creates a scheme (coordinators).
// Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) CreateScheme(ctx context.Context, in SchemeInput) (SchemeView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return SchemeView{}, err
	}
	var f apperr.Fields
	sc := Scheme{ID: ids.New("s_"), Kind: SchemeKind(in.Kind), CreatedBy: string(a.UserID), CreatedAt: s.clock(), Version: 1,
		Released: map[string]int64{}, Paid: map[string]int64{}, Attached: map[string]int64{}}
	sc.Name = f.Text("name", in.Name, 120, true)
	cents := func(field string, v *int64, required bool) int64 {
		switch {
		case v == nil && required:
			f.Add(field, "is required (euro cents)")
		case v == nil:
		case *v < 1 || *v > maxCents:
			f.Addf(field, "must be a whole number of euro cents from 1 to %d", maxCents)
		default:
			return *v
		}
		return 0
	}
	sc.BudgetCents = cents("budget_cents", in.BudgetCents, true)
	switch sc.Kind {
	case Monthly:
		sc.AmountCents = cents("amount_cents", in.AmountCents, true)
		if in.Months < 1 || in.Months > 36 {
			f.Add("months", "must be between 1 and 36")
		}
		sc.Months = in.Months
		if len(in.Milestones) > 0 {
			f.Add("milestones", "is only for a milestone scheme")
		}
	case Milestone:
		sc.AmountCents = cents("amount_cents", in.AmountCents, true)
		if len(in.Milestones) == 0 {
			f.Add("milestones", "at least one is required")
		}
		for i, m := range in.Milestones {
			if !slices.Contains([]int{1, 3, 6, 12}, m) {
				f.Add(fmt.Sprintf("milestones[%d]", i), "must be 1, 3, 6 or 12 (months)")
			} else if !slices.Contains(sc.Milestones, m) {
				sc.Milestones = append(sc.Milestones, m)
			}
		}
		slices.Sort(sc.Milestones)
		if in.Months != 0 {
			f.Add("months", "is only for a monthly scheme")
		}
	case Claims:
		if in.AmountCents != nil {
			f.Add("amount_cents", "is not for a claims scheme (a payout is the claim's amount)")
		}
		if in.Months != 0 || len(in.Milestones) > 0 {
			f.Add("kind", "a claims scheme has no months or milestones")
		}
	default:
		f.Add("kind", "must be one of monthly, milestone, claims")
	}
	if err := f.Err(); err != nil {
		return SchemeView{}, err
	}
	if err := s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionScheme, Subject: "scheme:" + sc.ID,
		Details: map[string]string{"kind": string(sc.Kind), "budget_cents": strconv.FormatInt(sc.BudgetCents, 10), "amount_cents": strconv.FormatInt(sc.AmountCents, 10)}}); err != nil {
		return SchemeView{}, err
	}
	if _, err := s.store.schemes.InsertOne(ctx, toSchemeDoc(sc)); err != nil {
		return SchemeView{}, fmt.Errorf("insert scheme: %w", err)
	}
	if err := s.store.setEntry(ctx, "schemes", sc.ID, string(sc.Kind)+"|"+sc.Name); err != nil {
		return SchemeView{}, err
	}
	return viewOf(sc), nil
}

// Schemes lists the schemes (coordinators).
func (s *Service) Schemes(ctx context.Context) ([]SchemeView, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return nil, err
	}
	es, err := s.store.entries(ctx, "schemes")
	if err != nil {
		return nil, err
	}
	out := []SchemeView{}
	for id := range es {
		sc, err := s.store.scheme(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, viewOf(sc))
	}
	slices.SortFunc(out, func(a, b SchemeView) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// Scheme returns a scheme with its figures (coordinators).
func (s *Service) Scheme(ctx context.Context, id string) (SchemeView, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return SchemeView{}, err
	}
	if !ids.Valid(id, "s_") {
		return SchemeView{}, errSchemeNotFound
	}
	sc, err := s.store.scheme(ctx, id)
	if err != nil {
		return SchemeView{}, err
	}
	return viewOf(sc), nil
}

// payoutID derives a payout's id from what it pays, so that a follow-up
// that runs again creates it once.
func payoutID(scheme, placement, what string) string {
	h := sha256.Sum256([]byte(scheme + "|" + placement + "|" + what))
	return "po_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:10]))
}

// AttachInput names the scheme to attach.
type AttachInput struct {
	SchemeID string `json:"scheme_id"`
}

// AttachView is an attachment's result.
type AttachView struct {
	SchemeID      string          `json:"scheme_id"`
	PlacementID   string          `json:"placement_id"`
	ReservedCents int64           `json:"reserved_cents"`
	Payouts       []PayoutSummary `json:"payouts"`
}

// attachTask is what an attachment's follow-up needs: which scheme, which
// placement, who attached it (its payouts are scheduled by them).
type attachTask struct {
	Scheme    string `json:"scheme"`
	Placement string `json:"placement"`
	By        string `json:"by"`
}

// plan is the payouts a scheme makes for a placement (claims schemes make
// theirs as claims are approved).
func plan(sc Scheme, st placements.Standing, by string, now time.Time) []Payout {
	var out []Payout
	mk := func(n int, due time.Time, cond Condition, what string) Payout {
		p := Payout{ID: payoutID(sc.ID, st.ID, what), SchemeID: sc.ID, PlacementID: st.ID, EmployerID: st.EmployerID, N: n, AmountCents: sc.AmountCents,
			DueDate: due, Condition: cond, State: Scheduled, ScheduledBy: by, Approvals: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1}
		p.Ledger = []Entry{{At: now, By: by, State: Scheduled, AmountCents: p.AmountCents, Reference: "scheme " + sc.ID}}
		return p
	}
	switch sc.Kind {
	case Monthly:
		for n := 1; n <= sc.Months; n++ {
			out = append(out, mk(n, st.StartDate.AddDate(0, n, 0), CondActive, "month "+strconv.Itoa(n)))
		}
	case Milestone:
		for i, m := range sc.Milestones {
			p := mk(i+1, st.StartDate.AddDate(0, m, 0), CondMilestone, "milestone "+strconv.Itoa(m))
			p.Milestone = m
			out = append(out, p)
		}
	}
	return out
}

// Attach attaches a scheme to an active placement (coordinators): its
// payouts are scheduled and their total reserved from the budget at once
// (409 when the budget does not cover them).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Attach(ctx context.Context, placementID string, in AttachInput) (AttachView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return AttachView{}, err
	}
	if !ids.Valid(placementID, "p_") {
		return AttachView{}, apperr.Errorf(apperr.NotFound, "Placement not found.")
	}
	if !ids.Valid(in.SchemeID, "s_") {
		return AttachView{}, apperr.InvalidField("scheme_id", "is not a scheme id")
	}
	now := s.clock()
	st, err := s.placements.Standing(ctx, placementID, now)
	if err != nil {
		return AttachView{}, err
	}
	if !st.Active {
		return AttachView{}, apperr.Errorf(apperr.Conflict, "This placement has ended.")
	}
	sc, err := s.store.scheme(ctx, in.SchemeID)
	if apperr.Is(err, apperr.NotFound) {
		return AttachView{}, apperr.InvalidField("scheme_id", "is not a scheme")
	}
	if err != nil {
		return AttachView{}, err
	}
	ps := plan(sc, st, string(a.UserID), now)
	var total int64
	for _, p := range ps {
		total += p.AmountCents
	}
	err = store.Do(ctx, s.writer, store.Write[attachTask]{
		Kind: taskAttach, Key: sc.ID + "|" + placementID, Data: attachTask{Scheme: sc.ID, Placement: placementID, By: string(a.UserID)},
		Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionAttach, Subject: "scheme:" + sc.ID,
			Details: map[string]string{"placement": placementID, "payouts": strconv.Itoa(len(ps)), "reserved_cents": strconv.FormatInt(total, 10)}},
		Save: func(ctx context.Context, _ string) error {
			_, err := s.store.updateScheme(ctx, sc.ID, func(sc *Scheme) error {
				if _, ok := sc.Attached[placementID]; ok {
					return apperr.Errorf(apperr.Conflict, "This scheme is attached to this placement already.")
				}
				if t := sc.totals(); total > t.RemainingCents {
					var f apperr.Fields
					f.Addf("scheme_id", "the budget has %d euro cents left; these payouts need %d", t.RemainingCents, total)
					return &apperr.Error{Code: apperr.Conflict, Message: "The scheme's budget does not cover these payouts.", Fields: f}
				}
				sc.Attached[placementID] = total
				sc.Reserved += total
				return nil
			})
			return err
		},
	})
	if err != nil {
		return AttachView{}, err
	}
	v := AttachView{SchemeID: sc.ID, PlacementID: placementID, ReservedCents: total, Payouts: []PayoutSummary{}}
	for _, p := range ps {
		v.Payouts = append(v.Payouts, decodePayoutEntry(p.ID, payoutEntry(p)))
	}
	return v, nil
}

// followAttach creates an attachment's payouts (each once) and its event.
func (s *Service) followAttach(ctx context.Context, t store.FollowUp[attachTask]) (bool, error) {
	at := t.Data
	sc, err := s.store.scheme(ctx, at.Scheme)
	if err != nil {
		return false, err
	}
	if _, ok := sc.Attached[at.Placement]; !ok {
		return false, nil // the reservation did not take effect
	}
	st, err := s.placements.Standing(ctx, at.Placement, s.clock())
	if err != nil {
		return false, err
	}
	for _, p := range plan(sc, st, at.By, s.clock()) {
		if existing, err := s.store.payout(ctx, p.ID); err == nil {
			p = existing
		} else if !apperr.Is(err, apperr.NotFound) {
			return false, err
		} else if err := s.store.savePayout(ctx, p); err != nil {
			return false, err
		}
		if err := s.store.listPayout(ctx, p); err != nil {
			return false, err
		}
	}
	return true, nil
}

// errUnchanged from a step means there is nothing to write.
var errUnchanged = errors.New("unchanged")

var errPayoutChanged = apperr.Errorf(apperr.Conflict, "The payout was changed at the same moment. Reload and try again.")

// payoutTask names the payout a write's follow-up is about.
type payoutTask struct {
	Payout string `json:"payout"`
}

// writePayout is the one write path of a payout: a fresh read, the step
// (which appends its ledger entry), then store.Do. A clash re-reads and
// re-applies (store.Writer.Retry). Errors: the step's, Conflict after too
// many clashes.
func (s *Service) writePayout(ctx context.Context, a users.Actor, id string, step func(p *Payout) error) (Payout, error) {
	return store.RetryValue(ctx, s.writer, "payout:"+id, errPayoutChanged, func(ctx context.Context) (Payout, error) {
		p, err := s.store.payout(ctx, id)
		if err != nil {
			return Payout{}, err
		}
		before := p.State
		if err := step(&p); err != nil {
			return p, err
		}
		last := p.Ledger[len(p.Ledger)-1]
		return p, store.Do(ctx, s.writer, store.Write[payoutTask]{
			Kind: taskPayout, Key: p.ID, Data: payoutTask{Payout: p.ID},
			Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionPayout, Subject: "scheme:" + p.SchemeID,
				Details: map[string]string{"payout": p.ID, "from": string(before), "to": string(p.State), "amount_cents": strconv.FormatInt(p.AmountCents, 10), "reference": last.Reference}},
			Save: func(ctx context.Context, task string) error {
				p.UpdatedAt, p.Version = s.clock(), p.Version+1
				p.writes = p.writes.With(task)
				return s.store.savePayout(ctx, p)
			},
		})
	})
}

// move is a step to state with its ledger entry.
func (s *Service) move(p *Payout, by string, to State, ref string) {
	p.State = to
	p.Ledger = append(p.Ledger, Entry{At: s.clock(), By: by, State: to, AmountCents: p.AmountCents, Reference: ref})
}

// followPayout writes a payout's lists, moves its amount in the scheme
// (paid, or released when cancelled: set once per payout), and records
// the event. Idempotent.
func (s *Service) followPayout(ctx context.Context, t store.FollowUp[payoutTask]) (bool, error) {
	p, err := s.store.payout(ctx, cmp.Or(t.Data.Payout, t.Key()))
	if landed, err := store.Landed(err, p.writes, t.ID()); !landed {
		return false, err
	}
	if err := s.store.listPayout(ctx, p); err != nil {
		return false, err
	}
	if p.State == Paid || p.State == Cancelled || p.State == Failed {
		if _, err := s.store.updateScheme(ctx, p.SchemeID, func(sc *Scheme) error {
			switch p.State {
			case Paid:
				sc.Paid[p.ID] = p.AmountCents
			case Cancelled:
				sc.Released[p.ID] = p.AmountCents
			case Failed:
				delete(sc.Paid, p.ID) // a reversed transfer: the money came back
			}
			return nil
		}); err != nil {
			return false, err
		}
	}
	return true, nil
}
