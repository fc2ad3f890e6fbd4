package placements

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// The periodic job: it reads the coordinators' placement list (one
// document; each entry says when its placement next needs the job) and
// for each placement that is due: marks the check-ins whose grace is over
// missed and escalates them, records the retention milestones whose date
// has come, and escalates a placement that starts within 3 days without a
// mentor. Every change is an ordinary placement write (event, task, list
// refresh), so a second run changes nothing.

// mentorLead is how long before the start a placement must have a mentor.
const mentorLead = 3 * 24 * time.Hour

// wake is when the job next has something to do for p (zero: never).
func (p Placement) wake() time.Time {
	if p.State != Active {
		return time.Time{}
	}
	var w time.Time
	earlier := func(t time.Time) {
		if w.IsZero() || t.Before(w) {
			w = t
		}
	}
	for _, x := range p.Schedule {
		if x.Status == DueOpen {
			earlier(x.graceEnd().AddDate(0, 0, 1))
			break // the schedule is in date order
		}
	}
	for _, m := range milestoneMonths {
		if !p.hasMilestone(m) {
			earlier(day(p.StartDate).AddDate(0, m, 0))
			break
		}
	}
	if p.MentorID == "" && !p.escalated(EscNoMentor) {
		earlier(day(p.StartDate).Add(-mentorLead))
	}
	return w
}

func (p Placement) hasMilestone(months int) bool {
	for _, m := range p.Milestones {
		if m.Months == months {
			return true
		}
	}
	return false
}

func (p Placement) escalated(k EscalationKind) bool {
	for _, e := range p.Escalations {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// due applies what the job finds on today to p; it reports whether
// anything changed and what, for the audit event.
func (p *Placement) due(now time.Time) (map[string]string, bool) {
	today := day(now)
	var missed, reached, notReached []string
	if p.State != Active {
		return nil, false
	}
	for i := range p.Schedule {
		x := &p.Schedule[i]
		if x.Status == DueOpen && x.graceEnd().Before(today) {
			x.Status = DueMissed
			missed = append(missed, strconv.Itoa(x.N))
			p.raise(Escalation{Kind: EscMissed, Due: x.N}, now, textMissed)
		}
	}
	for _, m := range milestoneMonths {
		date := day(p.StartDate).AddDate(0, m, 0)
		if p.hasMilestone(m) || date.After(today) {
			continue
		}
		ms := Milestone{Months: m, Date: date, Reached: true}
		if p.overdueOn(date) {
			ms.Reached, ms.Reason = false, "overdue_checkin"
			notReached = append(notReached, strconv.Itoa(m))
		} else {
			reached = append(reached, strconv.Itoa(m))
			p.notify(p.WorkerID, "placement.milestone", textMilestone)
		}
		p.Milestones = append(p.Milestones, ms)
	}
	if p.MentorID == "" && !p.escalated(EscNoMentor) && !today.Before(day(p.StartDate).Add(-mentorLead)) {
		p.raise(Escalation{Kind: EscNoMentor}, now, textNoMentor)
		missed = append(missed, "mentor")
	}
	if len(missed)+len(reached)+len(notReached) == 0 {
		return nil, false
	}
	return map[string]string{"missed": strings.Join(missed, ","), "milestones_reached": strings.Join(reached, ","),
		"milestones_not_reached": strings.Join(notReached, ",")}, true
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Placements int // placements changed
}

var system = users.Actor{UserID: "system", Role: "system"}

// Sweep runs the periodic job once, on the service's clock.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	es, err := s.store.entries(ctx, "placement:all")
	if err != nil {
		return res, err
	}
	now := s.clock()
	var errs []error
	for id, e := range es {
		f := strings.Split(e, "|")
		if len(f) < 6 || PlacementState(f[0]) != Active {
			continue
		}
		w, _ := strconv.ParseInt(f[5], 10, 64)
		if w == 0 || time.UnixMilli(w).After(now) {
			continue
		}
		_, err := s.writePlacement(ctx, id, func() (users.Actor, Placement, error) {
			p, err := s.store.placement(ctx, id)
			return system, p, err
		}, "sweep", func(_ users.Actor, p *Placement) (map[string]string, error) {
			d, changed := p.due(now)
			if !changed {
				return nil, errUnchanged
			}
			return d, nil
		})
		switch {
		case errors.Is(err, errUnchanged):
		case err != nil:
			errs = append(errs, err)
		default:
			res.Placements++
		}
	}
	return res, errors.Join(errs...)
}

// RunSweep runs Sweep if this holder gets the job's lease (of several
// instances on one database only one runs it); ran says whether it did.
func (s *Service) RunSweep(ctx context.Context, leases *store.Leases, holder string, ttl time.Duration) (ran bool, res SweepResult, err error) {
	ok, err := leases.Acquire(ctx, "placements-sweep", holder, s.clock(), ttl)
	if err != nil || !ok {
		return false, res, err
	}
	res, err = s.Sweep(ctx)
	return true, res, err
}
