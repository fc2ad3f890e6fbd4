package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// The demo's placements with history: candidates placed months ago whose
// mentor checked in (mostly on time, sometimes late, now and then not at
// all), some of whom left, with guarantees and claims. The history is
// written through the services on a clock that runs from the first start
// date to today a day at a time, with the periodic job after every day,
// so that escalations and milestones arise as they would have.

type historyPlan struct {
	first, last string
	place       string
	months      int    // started this many months ago
	end         string // end reason, "" while running
	endAfter    int    // days after the start
	worker      int    // 0: Jansen, 1: Bakker
	guarantee   bool
}

var historyPlans = []historyPlan{
	{"Jesse", "Smit", "Nieuwegein", 13, "", 0, 0, true},
	{"Lotte", "Meijer", "Houten", 12, "resigned", 75, 0, false},
	{"Milan", "de Boer", "Utrecht", 12, "", 0, 1, true},
	{"Sara", "Mulder", "IJsselstein", 11, "contract_ended", 270, 0, false},
	{"Thijs", "de Groot", "Zeist", 10, "dismissed", 150, 1, true},
	{"Emma", "Bos", "De Bilt", 8, "", 0, 0, false},
	{"Youssef", "El Amrani", "Maarssen", 6, "", 0, 0, true},
	{"Iris", "Vos", "Bunnik", 4, "", 0, 1, false},
	{"Bram", "Peters", "Utrecht", 2, "", 0, 0, false},
	{"Nina", "Hendriks", "Nieuwegein", 13, "relapse", 40, 1, false},
}

type historyClock struct{ t time.Time }

func (c *historyClock) now() time.Time { return c.t }

// demoHistory writes the placements with history; the employer is the
// demo employer, the vacancy its warehouse job.
func demoHistory(ctx context.Context, p *platform, ids map[string]users.ID, org demoOrg, stdout io.Writer) error {
	workers := []users.Actor{
		{UserID: ids["reclassering.jansen@demo.herstart.nl"], Role: users.ProbationWorker},
		{UserID: ids["reclassering.bakker@demo.herstart.nl"], Role: users.ProbationWorker},
	}
	mentor := users.Actor{UserID: ids["mentor@demo.herstart.nl"], Role: users.Mentor}
	coords := []users.Actor{{UserID: ids["coordinator@demo.herstart.nl"], Role: users.Coordinator}, {UserID: ids["coordinator2@demo.herstart.nl"], Role: users.Coordinator}}
	empActor, vacancy := org.user, org.warehouse
	real := time.Now
	clock := &historyClock{t: real()}
	p.placements.SetClock(clock.now)
	p.payments.SetClock(clock.now)
	defer p.placements.SetClock(real)
	defer p.payments.SetClock(real)
	today := real().UTC().Truncate(24 * time.Hour)
	r := rand.New(rand.NewPCG(11, 13))

	type live struct {
		plan    historyPlan
		cand    candidates.ID
		intro   string
		pid     string
		start   time.Time
		worker  users.Actor
		visits  map[time.Time]int // day → wellbeing (0: a no-show)
		flagged map[time.Time]string
	}
	var all []*live
	// The steps before the interview happen now; the rest in the past.
	for _, h := range historyPlans {
		w := workers[h.worker]
		in := fittingDemoCandidates(real())[0]
		in.Identity.FirstName, in.Identity.LastName, in.HomePlace = h.first, h.last, h.place
		in.Identity.Email, in.Identity.Phone = "", fmt.Sprintf("+31 6 %08d", 30000000+r.IntN(9999999))
		in.Restrictions = candidates.RestrictionsInput{}
		wctx := users.WithActor(ctx, w)
		c, err := p.candidates.Create(wctx, in)
		if err != nil {
			return fmt.Errorf("demo history candidate: %w", err)
		}
		st := candidates.Available
		if _, err := p.candidates.Update(wctx, c.ID, candidates.Update{Status: &st}, 0); err != nil {
			return err
		}
		iv, err := p.placements.Create(wctx, placements.CreateInput{CandidateID: string(c.ID), VacancyID: string(vacancy)})
		if err != nil {
			return fmt.Errorf("demo history introduction: %w", err)
		}
		ectx := users.WithActor(ctx, empActor)
		if _, err := p.placements.Transition(ectx, iv.ID, placements.ActInterested, placements.TransitionInput{}); err != nil {
			return err
		}
		if _, err := p.placements.Transition(wctx, iv.ID, placements.ActConsent, placements.TransitionInput{Purpose: "Kennismaking magazijn"}); err != nil {
			return err
		}
		all = append(all, &live{plan: h, cand: c.ID, intro: iv.ID, worker: w, start: today.AddDate(0, -h.months, 0), visits: map[time.Time]int{}, flagged: map[time.Time]string{}})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start.Before(all[j].start) })
	// Two subsidy schemes: a wage-cost subsidy for the first six months and
	// a retention bonus at 3 and 6 months, attached by the first
	// coordinator at each start; the second approves what came due.
	c1ctx, c2ctx := users.WithActor(ctx, coords[0]), users.WithActor(ctx, coords[1])
	monthly, bonus := int64(450_00), int64(750_00)
	budget, bonusBudget := int64(30_000_00), int64(10_000_00)
	wage, err := p.payments.CreateScheme(c1ctx, payments.SchemeInput{Name: "Loonkostensubsidie Utrecht", Kind: "monthly", AmountCents: &monthly, Months: 6, BudgetCents: &budget})
	if err != nil {
		return err
	}
	retention, err := p.payments.CreateScheme(c1ctx, payments.SchemeInput{Name: "Behoudbonus", Kind: "milestone", AmountCents: &bonus, Milestones: []int{3, 6}, BudgetCents: &bonusBudget})
	if err != nil {
		return err
	}
	first := all[0].start.AddDate(0, 0, -8)
	total := int(today.Sub(first).Hours()/24) + 1
	for d, n := first, 0; !d.After(today); d, n = d.AddDate(0, 0, 1), n+1 {
		clock.t = d.Add(11 * time.Hour)
		for _, l := range all {
			ectx := users.WithActor(ctx, empActor)
			wctx := users.WithActor(ctx, l.worker)
			switch {
			case d.Equal(l.start.AddDate(0, 0, -8)):
				at := d.AddDate(0, 0, 2).Add(10 * time.Hour).Format(time.RFC3339)
				if _, err := p.placements.Transition(ectx, l.intro, placements.ActInterview, placements.TransitionInput{At: at, Place: "Utrecht, Industrieweg 4"}); err != nil {
					return fmt.Errorf("demo history interview: %w", err)
				}
			case d.Equal(l.start.AddDate(0, 0, -5)):
				iv, err := p.placements.Transition(ectx, l.intro, placements.ActPlace, placements.TransitionInput{StartDate: l.start.Format(time.DateOnly), Contract: "permanent", Hours: 32})
				if err != nil {
					return fmt.Errorf("demo history place: %w", err)
				}
				l.pid = iv.PlacementID
				if _, err := p.placements.AssignMentor(wctx, l.pid, placements.MentorInput{MentorID: string(mentor.UserID)}); err != nil {
					return err
				}
				if err := planVisits(users.WithActor(ctx, mentor), p, l.pid, r, l.visits, l.flagged); err != nil {
					return err
				}
				for _, sc := range []string{wage.ID, retention.ID} {
					if _, err := p.payments.Attach(c1ctx, l.pid, payments.AttachInput{SchemeID: sc}); err != nil && !apperr.Is(err, apperr.Conflict) {
						return fmt.Errorf("demo scheme: %w", err)
					}
				}
				if l.plan.guarantee {
					cc := users.WithActor(ctx, coords[0])
					cover := int64(500000)
					if _, err := p.placements.AddGuarantee(cc, l.pid, placements.GuaranteeInput{Kind: "fidelity", CoverCents: &cover,
						StartDate: l.start.Format(time.DateOnly), EndDate: l.start.AddDate(0, 6, 0).Format(time.DateOnly)}); err != nil {
						return fmt.Errorf("demo guarantee: %w", err)
					}
				}
			}
			if l.pid == "" || d.Before(l.start) {
				continue
			}
			if l.plan.end != "" && d.After(l.start.AddDate(0, 0, l.plan.endAfter)) {
				continue
			}
			if wb, ok := l.visits[d]; ok {
				yes, no := true, false
				in := placements.CheckInInput{Date: d.Format(time.DateOnly), Mode: []string{"visit", "phone", "at_work", "video"}[r.IntN(4)], Attended: &yes, RiskFlags: []string{}}
				if wb == 0 {
					in.Attended = &no
				} else {
					work := min(5, wb+r.IntN(2))
					in.Wellbeing, in.Work = &wb, &work
					in.Concerns = demoConcern(r, wb)
				}
				if f := l.flagged[d]; f != "" {
					in.RiskFlags = []string{f}
				}
				if _, err := p.placements.RecordCheckIn(users.WithActor(ctx, mentor), l.pid, in); err != nil {
					return fmt.Errorf("demo check-in %s %s: %w", l.pid, d.Format(time.DateOnly), err)
				}
			}
			if d.Equal(l.start.AddDate(0, 0, 20)) {
				if _, err := p.placements.AddNote(ectx, l.pid, placements.NoteInput{Date: d.Format(time.DateOnly), Attendance: "good", Punctuality: []string{"good", "irregular"}[r.IntN(2)],
					Concerns: "Komt afspraken na; werkt goed samen met het team."}); err != nil {
					return err
				}
			}
			if l.plan.guarantee && d.Equal(l.start.AddDate(0, 2, 0)) {
				amount := int64(35000 + 5000*r.IntN(10))
				cl, err := p.placements.FileClaim(ectx, l.pid, 1, placements.ClaimInput{AmountCents: &amount, LossDate: d.AddDate(0, 0, -3).Format(time.DateOnly),
					Description: "Kastekort na een dienst; aangifte gedaan."})
				if err != nil {
					return fmt.Errorf("demo claim: %w", err)
				}
				if l.plan.worker == 0 {
					if _, err := p.placements.ApproveClaim(users.WithActor(ctx, coords[1]), l.pid, 1, cl.N); err != nil {
						return fmt.Errorf("demo approval: %w", err)
					}
				}
			}
			if l.plan.end != "" && d.Equal(l.start.AddDate(0, 0, l.plan.endAfter)) {
				if _, err := p.placements.End(ectx, l.pid, placements.EndInput{Reason: l.plan.end}); err != nil {
					return fmt.Errorf("demo end: %w", err)
				}
			}
		}
		if _, err := p.placements.Sweep(ctx); err != nil {
			return fmt.Errorf("demo sweep %s: %w", d.Format(time.DateOnly), err)
		}
		if _, err := p.payments.Sweep(ctx); err != nil {
			return fmt.Errorf("demo payouts %s: %w", d.Format(time.DateOnly), err)
		}
		if d.Weekday() == time.Friday { // the second coordinator approves the week's due payouts
			due, err := p.payments.Payouts(c2ctx)
			if err != nil {
				return err
			}
			for _, x := range due {
				if x.State == payments.Due {
					if _, err := p.payments.Approve(c2ctx, x.ID); err != nil && !apperr.Is(err, apperr.Conflict) {
						return fmt.Errorf("demo approval %s: %w", x.ID, err)
					}
				}
			}
		}
		if n%20 == 0 || d.Equal(today) {
			fmt.Fprintf(stdout, "\r  placement history: day %d/%d   ", n+1, total)
		}
	}
	// The escalations of the first months were dealt with; a placement
	// that holds has the candidate's consent to level 2 (contact details),
	// which the worker recorded.
	for _, l := range all {
		pv, err := p.placements.GetPlacement(users.WithActor(ctx, l.worker), l.pid)
		if err != nil {
			return err
		}
		if l.plan.end == "" {
			if _, err := p.candidates.GrantConsent(users.WithActor(ctx, l.worker), l.cand, candidates.ConsentInput{EmployerID: string(org.user.EmployerID), Level: 2,
				Purpose: "Contact tijdens de plaatsing", ExpiresAt: today.AddDate(0, 11, 0).Format(time.DateOnly)}); err != nil {
				return fmt.Errorf("demo consent: %w", err)
			}
		}
		for _, e := range pv.Escalations {
			if e.State == placements.EscOpen && e.RaisedAt.Before(today.AddDate(0, -1, 0)) {
				if _, err := p.placements.Close(users.WithActor(ctx, l.worker), l.pid, e.N, placements.EscalationInput{Action: "Besproken met kandidaat en mentor."}); err != nil {
					return err
				}
			}
		}
	}
	// The employer's bank account; the approved payouts go out in a SEPA
	// file and the bank's statement marks them paid.
	if _, err := p.payments.SetBank(users.WithActor(ctx, org.user), string(org.user.EmployerID), payments.BankInput{IBAN: "NL20INGB0001234567", Holder: "Bouwbedrijf De Nieuwe Start"}); err != nil {
		return err
	}
	debtor := p.payments.Debtor
	if debtor.IBAN == "" {
		p.payments.Debtor = payments.Party{Name: "Stichting Herstart (demo)", IBAN: "NL91ABNA0417164300"}
		defer func() { p.payments.Debtor = debtor }()
	}
	x, err := p.payments.Export(c1ctx)
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("demo export: %w", err)
	}
	for i, id := range x.Payouts {
		if _, err := p.payments.MarkPaid(c1ctx, id, payments.PaidInput{BankReference: fmt.Sprintf("DEMO-%s-%03d", today.Format("20060102"), i+1)}); err != nil {
			return fmt.Errorf("demo paid: %w", err)
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// planVisits picks, for each due check-in, whether the mentor came on
// time (mostly), late, or not at all, and the wellbeing scores.
func planVisits(ctx context.Context, p *platform, pid string, r *rand.Rand, visits map[time.Time]int, flagged map[time.Time]string) error {
	pv, err := p.placements.GetPlacement(ctx, pid)
	if err != nil {
		return err
	}
	flags := []string{"debts", "housing", "contact_old_network", "conflict_at_work", "substance_use"}
	for i, x := range pv.Schedule {
		roll := r.IntN(100)
		wb := 3 + r.IntN(3)
		if r.IntN(10) == 0 {
			wb = 2
		}
		switch {
		case roll < 8: // missed
			continue
		case roll < 16 && i+1 < len(pv.Schedule): // late: after the grace, before the next window
			late := x.Date.AddDate(0, 0, x.GraceDays+1)
			if late.Before(pv.Schedule[i+1].Date.AddDate(0, 0, -3)) {
				visits[late] = wb
				continue
			}
			visits[x.Date] = wb
		case roll < 19: // a no-show first, then the visit
			visits[x.Date.AddDate(0, 0, -1)] = 0
			visits[x.Date.AddDate(0, 0, 1)] = wb
		default:
			visits[x.Date.AddDate(0, 0, r.IntN(x.GraceDays+1))] = wb
		}
		if r.IntN(12) == 0 {
			flagged[x.Date] = flags[r.IntN(len(flags))]
			visits[x.Date] = max(2, wb-1)
		}
	}
	return nil
}

func demoConcern(r *rand.Rand, wellbeing int) string {
	if wellbeing <= 2 {
		return []string{"Slaapt slecht, zorgen over geld.", "Spanning thuis; wil erover praten met de reclassering.", "Voelt zich eenzaam na verhuizing."}[r.IntN(3)]
	}
	return []string{"Gaat goed op het werk.", "Tevreden over het rooster.", "Wil graag meer uren.", "Goed contact met de leidinggevende.", ""}[r.IntN(5)]
}
