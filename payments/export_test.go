package payments

import (
	"context"

	"fmt"
	"go.mongodb.org/mongo-driver/mongo"
	"time"
)

// SeedApproved stores a scheme and n approved payouts of amount for
// employer, whose Stripe account takes payouts: what the payment worker
// starts from.
func SeedApproved(ctx context.Context, st *Store, employer, account string, n int, amount int64) (string, error) {
	now := time.Now().UTC()
	sc := Scheme{ID: "s_seed" + fmt.Sprint(now.UnixNano()%1e9), Name: "seed", Kind: Monthly, AmountCents: amount, Months: n, BudgetCents: int64(n) * amount,
		Reserved: int64(n) * amount, Released: map[string]int64{}, Paid: map[string]int64{}, Attached: map[string]int64{"p_seed": int64(n) * amount},
		CreatedBy: "u_c1", CreatedAt: now, Version: 1}
	if _, err := st.schemes.InsertOne(ctx, toSchemeDoc(sc)); err != nil {
		return "", err
	}
	if err := st.setEntry(ctx, "schemes", sc.ID, "monthly|seed"); err != nil {
		return "", err
	}
	for i := 1; i <= n; i++ {
		p := Payout{ID: payoutID(sc.ID, "p_seed", fmt.Sprint(i)), SchemeID: sc.ID, PlacementID: "p_seed", EmployerID: employer, N: i, AmountCents: amount,
			DueDate: now, Condition: CondActive, State: Approved, ScheduledBy: "u_c1", Approvals: []string{"u_c2"}, CreatedAt: now, UpdatedAt: now, Version: 1,
			Ledger: []Entry{{At: now, By: "u_c1", State: Scheduled, AmountCents: amount}, {At: now, By: "system", State: Due, AmountCents: amount}, {At: now, By: "u_c2", State: Approved, AmountCents: amount}}}
		if err := st.savePayout(ctx, p); err != nil {
			return "", err
		}
		if err := st.listPayout(ctx, p); err != nil {
			return "", err
		}
	}
	_, err := st.updateAccount(ctx, employer, func(a *Account) error {
		a.StripeAccount, a.PayoutsEnabled = account, true
		return nil
	})
	if err != nil {
		return "", err
	}
	return sc.ID, st.setEntry(ctx, "stripe-accounts", account, employer)
}

// Forge appends entries to a payout's ledger and sets its state and
// export, bypassing every rule: what an old bug or a hand edit of the
// database leaves, for the reconciliation to find.
func Forge(ctx context.Context, st *Store, id string, state State, export string, entries ...Entry) error {
	p, err := st.payout(ctx, id)
	if err != nil {
		return err
	}
	p.Ledger = append(p.Ledger, entries...)
	p.State, p.ExportID, p.Version = state, export, p.Version+1
	return st.savePayout(ctx, p)
}

// Exports is the collection of SEPA files.
func (s *Store) Exports() *mongo.Collection { return s.exports }
