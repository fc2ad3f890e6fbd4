// Package subjectaccess gathers everything Herstart holds about one
// candidate, for their right of access (GDPR art. 15): the probation
// worker exports it for the candidate as JSON or as a page in plain Dutch.
package subjectaccess

import (
	"context"
	"strconv"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// Export is everything held about one candidate: the record (identity,
// profile, restrictions, consents), their introductions with every step,
// their placements with check-ins, escalations, milestones, workplace
// notes and guarantees, the payouts concerning those placements, their
// circle of partner organisations, and who received what of them when
// (the disclosure log).
type Export struct {
	MadeAt        time.Time                     `json:"made_at"`
	MadeBy        string                        `json:"made_by"`
	Candidate     candidates.Record             `json:"candidate"`
	Introductions []placements.IntroductionView `json:"introductions"`
	Placements    []placements.PlacementView    `json:"placements"`
	Payouts       []payments.PayoutSummary      `json:"payouts"`
	Disclosures   []candidates.DisclosureEntry  `json:"disclosures"`
	Parties       map[string]placements.Parties `json:"parties"` // per placement: the employer, mentor and their contacts
	Circle        circles.WorkerView            `json:"circle"`  // the partners around them: memberships, consents, plan, conferences
}

// Services are what the export reads through; each read is the acting
// worker's own, checked and audited by its service.
type Services struct {
	Candidates *candidates.Service
	Placements *placements.Service
	Payments   *payments.Service
	Circles    *circles.Service
	Audit      *audit.Recorder
}

// ActionExport is recorded for every export (subject: the candidate).
const ActionExport = "candidate.subject_access"

// Of exports the candidate id of the acting probation worker's caseload.
// Errors: Unauthenticated, Forbidden (not a worker), NotFound (not theirs).
func Of(ctx context.Context, s Services, id candidates.ID) (Export, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return Export{}, err
	}
	rec, err := s.Candidates.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	out := Export{MadeAt: time.Now().UTC().Truncate(time.Second), MadeBy: string(a.UserID), Candidate: rec,
		Introductions: []placements.IntroductionView{}, Placements: []placements.PlacementView{}, Payouts: []payments.PayoutSummary{},
		Parties: map[string]placements.Parties{}}
	if out.Circle, err = s.Circles.Get(ctx, string(id)); err != nil {
		return Export{}, err
	}
	intros, err := s.Placements.List(ctx)
	if err != nil {
		return Export{}, err
	}
	for _, in := range intros {
		if in.CandidateID != string(id) {
			continue
		}
		v, err := s.Placements.Get(ctx, in.ID)
		if err != nil {
			return Export{}, err
		}
		out.Introductions = append(out.Introductions, v)
	}
	pls, err := s.Placements.ListPlacements(ctx)
	if err != nil {
		return Export{}, err
	}
	for _, pl := range pls {
		if pl.CandidateID != string(id) {
			continue
		}
		v, err := s.Placements.GetPlacement(ctx, pl.ID)
		if err != nil {
			return Export{}, err
		}
		out.Placements = append(out.Placements, v)
		if out.Parties[v.ID], err = s.Placements.Parties(ctx, v.ID); err != nil {
			return Export{}, err
		}
		pays, err := s.Payments.PayoutsOfPlacement(ctx, v.EmployerID, v.ID)
		if err != nil {
			return Export{}, err
		}
		out.Payouts = append(out.Payouts, pays...)
	}
	if out.Disclosures, err = s.Candidates.DisclosureLog(ctx, id); err != nil {
		return Export{}, err
	}
	err = s.Audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionExport, Subject: "candidate:" + string(id),
		Details: map[string]string{"introductions": strconv.Itoa(len(out.Introductions)), "placements": strconv.Itoa(len(out.Placements)), "payouts": strconv.Itoa(len(out.Payouts))}})
	if err != nil {
		return Export{}, err
	}
	return out, nil
}
