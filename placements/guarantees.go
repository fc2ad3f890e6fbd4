package placements

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// maxCoverCents bounds a guarantee's cover (€50,000).
const maxCoverCents = 5_000_000

// GuaranteeInput is a new guarantee.
type GuaranteeInput struct {
	Kind       string `json:"kind"`
	CoverCents *int64 `json:"cover_cents"`
	StartDate  string `json:"start_date"`
	EndDate    string `json:"end_date"`
}

// AddGuarantee gives an active placement a guarantee (coordinators): one
// of each kind, cover from 1 cent to €50,000, from the placement's start
// date at the earliest, for at most 2 years.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (ended, kind exists).
func (s *Service) AddGuarantee(ctx context.Context, id string, in GuaranteeInput) (Guarantee, error) {
	var out Guarantee
	_, err := s.writeAs(ctx, id, []users.Role{users.Coordinator}, "guarantee", func(a users.Actor, p *Placement) (map[string]string, error) {
		var f apperr.Fields
		if !contains(guaranteeKinds, in.Kind) {
			f.Add("kind", "must be one of "+strings.Join(guaranteeKinds, ", "))
		}
		g := Guarantee{Kind: in.Kind, By: string(a.UserID), At: s.clock(), Claims: []Claim{}}
		switch {
		case in.CoverCents == nil:
			f.Add("cover_cents", "is required")
		case *in.CoverCents < 1 || *in.CoverCents > maxCoverCents:
			f.Addf("cover_cents", "must be between 1 and %d (euro cents)", maxCoverCents)
		default:
			g.CoverCents = *in.CoverCents
		}
		start, okS := parseDay(&f, "start_date", in.StartDate, true)
		end, okE := parseDay(&f, "end_date", in.EndDate, true)
		switch {
		case okS && start.Before(day(p.StartDate)):
			f.Add("start_date", "must not be before the placement's start date")
		case okS && start.After(day(p.StartDate).AddDate(2, 0, 0)):
			f.Add("start_date", "must be within 2 years of the placement's start date")
		}
		if okS && okE {
			if !end.After(start) {
				f.Add("end_date", "must be after the start date")
			} else if end.After(start.AddDate(2, 0, 0)) {
				f.Add("end_date", "must be within 2 years of the start date")
			}
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		if p.State != Active {
			return nil, apperr.Errorf(apperr.Conflict, "This placement has ended.")
		}
		for _, x := range p.Guarantees {
			if x.Kind == in.Kind {
				return nil, apperr.Errorf(apperr.Conflict, "This placement has a guarantee of this kind already.")
			}
		}
		if len(p.Guarantees) >= maxGuarantees {
			return nil, apperr.Errorf(apperr.Conflict, "This placement has as many guarantees as it may have.")
		}
		g.N, g.Start, g.End = len(p.Guarantees)+1, start, end
		p.Guarantees = append(p.Guarantees, g)
		out = g
		return map[string]string{"guarantee": strconv.Itoa(g.N), "kind": g.Kind, "cover_cents": strconv.FormatInt(g.CoverCents, 10)}, nil
	})
	return out, err
}

// guarantee finds guarantee n of p.
func (p *Placement) guarantee(n int) (*Guarantee, error) {
	for i := range p.Guarantees {
		if p.Guarantees[i].N == n {
			return &p.Guarantees[i], nil
		}
	}
	return nil, apperr.Errorf(apperr.NotFound, "Guarantee not found.")
}

// ClaimInput is an employer's claim.
type ClaimInput struct {
	AmountCents *int64 `json:"amount_cents"`
	LossDate    string `json:"loss_date"`
	Description string `json:"description"`
}

// FileClaim files the employer's claim under a guarantee of its placement:
// a loss on a date within the cover, not above what remains of the cover.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (not
// covered, above the remaining cover).
func (s *Service) FileClaim(ctx context.Context, id string, gn int, in ClaimInput) (Claim, error) {
	var out Claim
	_, err := s.writeAs(ctx, id, []users.Role{users.Employer}, "claim", func(a users.Actor, p *Placement) (map[string]string, error) {
		g, err := p.guarantee(gn)
		if err != nil {
			return nil, err
		}
		now := s.clock()
		var f apperr.Fields
		c := Claim{State: ClaimFiled, FiledBy: string(a.UserID), FiledAt: now, Approvals: []Approval{}}
		switch {
		case in.AmountCents == nil:
			f.Add("amount_cents", "is required")
		case *in.AmountCents < 1:
			f.Add("amount_cents", "must be at least 1 (euro cents)")
		default:
			c.AmountCents = *in.AmountCents
		}
		loss, ok := parseDay(&f, "loss_date", in.LossDate, true)
		if ok && loss.After(day(now)) {
			f.Add("loss_date", "must not be in the future")
		}
		c.LossDate = loss
		c.Description = f.Text("description", in.Description, 2000, true)
		if err := f.Err(); err != nil {
			return nil, err
		}
		switch {
		case loss.After(g.End):
			return nil, apperr.Errorf(apperr.Conflict, "The cover had ended by the date of the loss.")
		case loss.Before(g.Start):
			return nil, apperr.Errorf(apperr.Conflict, "The cover had not started by the date of the loss.")
		case c.AmountCents > g.CoverCents-g.approved():
			var over apperr.Fields
			over.Addf("amount_cents", "must be at most %d (euro cents)", g.CoverCents-g.approved())
			return nil, &apperr.Error{Code: apperr.Conflict, Message: "The claim is above the remaining cover.", Fields: over}
		case len(g.Claims) >= maxClaims:
			return nil, apperr.Errorf(apperr.Conflict, "This guarantee has as many claims as it may have.")
		}
		c.N = len(g.Claims) + 1
		g.Claims = append(g.Claims, c)
		out = c
		return map[string]string{"guarantee": strconv.Itoa(gn), "claim": strconv.Itoa(c.N), "amount_cents": strconv.FormatInt(c.AmountCents, 10)}, nil
	})
	return out, err
}

// DecisionInput is a coordinator's decision on a claim.
type DecisionInput struct {
	Reason string `json:"reason"`
}

// ApproveClaim records a coordinator's approval. A claim above the
// threshold (SecondApprovalAbove) needs two coordinators; the total
// approved never exceeds the cover. An approved claim is payable.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (decided, same
// coordinator twice, above the cover).
func (s *Service) ApproveClaim(ctx context.Context, id string, gn, cn int) (Claim, error) {
	return s.decide(ctx, id, gn, cn, "claim.approve", func(a users.Actor, g *Guarantee, c *Claim, now time.Time) error {
		for _, x := range c.Approvals {
			if x.By == string(a.UserID) {
				return apperr.Errorf(apperr.Conflict, "You approved this claim already; a second coordinator must approve it.")
			}
		}
		if g.approved()+c.AmountCents > g.CoverCents {
			return apperr.Errorf(apperr.Conflict, "Approving this claim would exceed the cover.")
		}
		c.Approvals = append(c.Approvals, Approval{By: string(a.UserID), At: now})
		if c.AmountCents <= s.SecondApprovalAbove || len(c.Approvals) >= 2 {
			c.State, c.DecidedAt, c.Payable = ClaimApproved, &now, true
		}
		return nil
	})
}

// RejectClaim rejects a claim with a reason (coordinators).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (decided).
func (s *Service) RejectClaim(ctx context.Context, id string, gn, cn int, in DecisionInput) (Claim, error) {
	return s.decide(ctx, id, gn, cn, "claim.reject", func(a users.Actor, _ *Guarantee, c *Claim, now time.Time) error {
		var f apperr.Fields
		reason := f.Text("reason", in.Reason, 1000, true)
		if err := f.Err(); err != nil {
			return err
		}
		c.State, c.RejectedBy, c.Reason, c.DecidedAt = ClaimRejected, string(a.UserID), reason, &now
		return nil
	})
}

func (s *Service) decide(ctx context.Context, id string, gn, cn int, op string, step func(a users.Actor, g *Guarantee, c *Claim, now time.Time) error) (Claim, error) {
	var out Claim
	_, err := s.writeAs(ctx, id, []users.Role{users.Coordinator}, op, func(a users.Actor, p *Placement) (map[string]string, error) {
		g, err := p.guarantee(gn)
		if err != nil {
			return nil, err
		}
		for i := range g.Claims {
			c := &g.Claims[i]
			if c.N != cn {
				continue
			}
			if c.State != ClaimFiled {
				return nil, apperr.Errorf(apperr.Conflict, "This claim has been decided.")
			}
			if err := step(a, g, c, s.clock()); err != nil {
				return nil, err
			}
			out = *c
			return map[string]string{"guarantee": strconv.Itoa(gn), "claim": strconv.Itoa(cn), "claim_state": string(c.State)}, nil
		}
		return nil, apperr.Errorf(apperr.NotFound, "Claim not found.")
	})
	return out, err
}
