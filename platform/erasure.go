package platform

import (
	"context"
	"fmt"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
)

// ErasureExceptions lists what an erasure keeps beyond the audit log, with
// the exception of GDPR art. 17(3) that allows it: the candidate's
// placements and introductions, pseudonymised (free texts blanked), the
// payouts concerning them, and each payout not yet settled by name.
func ErasureExceptions(pl *placements.Service, pay *payments.Service) func(context.Context, candidates.ID) ([]candidates.Kept, error) {
	return func(ctx context.Context, id candidates.ID) ([]candidates.Kept, error) {
		pls, intros, err := pl.CandidateRecords(ctx, id)
		if err != nil {
			return nil, err
		}
		var kept []candidates.Kept
		if len(intros) > 0 {
			kept = append(kept, candidates.Kept{What: fmt.Sprintf("%d introduction(s), pseudonymised: steps, dates and the employer; free texts blanked", len(intros)),
				Basis: "art. 17(3)(e) and art. 5(2): the record of the consent behind each disclosure to an employer"})
		}
		if len(pls) == 0 {
			return kept, nil
		}
		kept = append(kept, candidates.Kept{What: fmt.Sprintf("%d placement(s), pseudonymised: dates, states, hours, guarantees and check-in dates; free texts blanked", len(pls)),
			Basis: "art. 17(3)(b): the subsidy payouts rest on them, and the payouts' records must be kept seven years (art. 52 AWR)"})
		payouts := 0
		for _, p := range pls {
			list, err := pay.PayoutsOfPlacement(ctx, p.EmployerID, p.ID)
			if err != nil {
				return nil, err
			}
			for _, po := range list {
				payouts++
				if !payments.Settled(po.State) {
					kept = append(kept, candidates.Kept{What: fmt.Sprintf("payout %s (%s), not yet settled", po.ID, po.State),
						Basis: "art. 17(3)(b): a payout under way is kept whole until it is paid or cancelled and its audit is done"})
				}
			}
		}
		if payouts > 0 {
			kept = append(kept, candidates.Kept{What: fmt.Sprintf("%d payout(s) to the employer concerning them (no personal data: the placement's id, amounts, dates)", payouts),
				Basis: "art. 17(3)(b): bookkeeping, seven years (art. 52 AWR)"})
		}
		return kept, nil
	}
}
