package platform

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/users"
)

// availabilityWarn is when a worker hears that a candidate's availability
// is about to go stale: day 25 of the 30.
const availabilityWarn = candidates.ConfirmEvery - 5*24*time.Hour

// Reminders records what waits for people, for their next digest (the
// mail's notices, each recorded once by its key): mentors a check-in due
// tomorrow and one overdue; coordinators an employer waiting for vetting
// and a payout they may approve; workers a candidate whose availability
// goes stale in five days. What reaches a user's inbox (escalations,
// introduction steps) is told through the inbox already. A periodic job;
// it returns how many notices it recorded (or found recorded).
func (s *Services) Reminders(ctx context.Context, now time.Time) (int, error) {
	n := 0
	var errs []error
	notify := func(user users.ID, key, kind, path string) {
		if err := s.Mail.Notify(ctx, string(user), key, kind, path); err != nil {
			errs = append(errs, err)
			return
		}
		n++
	}
	mentors, err := s.Users.Active(ctx, users.Mentor)
	if err != nil {
		return 0, err
	}
	for _, m := range mentors {
		tomorrow, overdue, err := s.Placements.DueCheckIns(ctx, m.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, it := range tomorrow {
			notify(m.ID, "checkin-tomorrow:"+it.PlacementID+"#"+strconv.Itoa(it.N), "reminder.checkin_tomorrow", "/agenda")
		}
		for _, it := range overdue {
			notify(m.ID, "checkin-overdue:"+it.PlacementID+"#"+strconv.Itoa(it.N), "reminder.checkin_overdue", "/agenda")
		}
	}
	coordinators, err := s.Users.Active(ctx, users.Coordinator)
	if err != nil {
		return n, errors.Join(append(errs, err)...)
	}
	pending, err := s.Employers.Pending(ctx)
	if err != nil {
		return n, errors.Join(append(errs, err)...)
	}
	payouts, err := s.Payments.Open(ctx)
	if err != nil {
		return n, errors.Join(append(errs, err)...)
	}
	for _, c := range coordinators {
		for _, e := range pending {
			notify(c.ID, "vetting:"+string(e.ID), "reminder.vetting", "/vetting")
		}
		for _, p := range payouts {
			if p.State == payments.Due && p.MayApprove(string(c.ID)) {
				notify(c.ID, "payout:"+p.ID+":"+strconv.Itoa(p.Approvals()), "reminder.payout_approval", "/payouts")
			}
		}
	}
	workers, err := s.Users.Active(ctx, users.ProbationWorker)
	if err != nil {
		return n, errors.Join(append(errs, err)...)
	}
	for _, w := range workers {
		soon, err := s.Candidates.StaleSoon(ctx, w.ID, now, availabilityWarn)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range soon {
			notify(w.ID, "availability:"+string(c.ID)+":"+c.ConfirmedAt.UTC().Format(time.RFC3339), "reminder.availability", "/caseload")
		}
	}
	return n, errors.Join(errs...)
}
