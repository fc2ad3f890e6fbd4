package placements

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/herstart/herstart/users"
)

// Observation is one placement for the survival curve: the days it ran
// (until it ended, or until today while it runs) and whether its end was a
// failure. Running placements, contracts that ended as agreed and
// candidates who moved away are censored: they are not failures, they
// only stop being observed.
type Observation struct {
	Days   int
	Failed bool
}

// failures are the end reasons that count as a placement failing.
var failures = map[string]bool{"resigned": true, "dismissed": true, "relapse": true}

// SurvivalStep is one step of a Kaplan–Meier curve: at Day, AtRisk
// placements were still observed, Events of them failed and Censored
// stopped being observed; Survival is the estimate just after Day.
type SurvivalStep struct {
	Day      int     `json:"day"`
	AtRisk   int     `json:"at_risk"`
	Events   int     `json:"events"`
	Censored int     `json:"censored"`
	Survival float64 `json:"survival"`
}

// KaplanMeier estimates the retention curve: S(t) = Π over the days tᵢ ≤ t
// with failures of (1 − dᵢ/nᵢ), nᵢ the placements still observed at tᵢ
// (those censored on tᵢ count as observed then). One step per day on
// which anything happened.
func KaplanMeier(obs []Observation) []SurvivalStep {
	byDay := map[int]*SurvivalStep{}
	for _, o := range obs {
		st := byDay[o.Days]
		if st == nil {
			st = &SurvivalStep{Day: o.Days}
			byDay[o.Days] = st
		}
		if o.Failed {
			st.Events++
		} else {
			st.Censored++
		}
	}
	days := make([]int, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Ints(days)
	out := make([]SurvivalStep, 0, len(days))
	atRisk, s := len(obs), 1.0
	for _, d := range days {
		st := byDay[d]
		st.AtRisk = atRisk
		if st.Events > 0 {
			s *= 1 - float64(st.Events)/float64(atRisk)
		}
		st.Survival = s
		atRisk -= st.Events + st.Censored
		out = append(out, *st)
	}
	return out
}

// SurvivalAt reads the curve at day: the estimate after the last step on
// or before it (1 before the first failure).
func SurvivalAt(curve []SurvivalStep, day int) float64 {
	s := 1.0
	for _, st := range curve {
		if st.Day > day {
			break
		}
		s = st.Survival
	}
	return s
}

// retentionDays are the milestones on the curve's day scale.
var retentionDays = map[int]int{1: 30, 3: 91, 6: 182, 12: 365}

// RetentionPoint is the curve read at a milestone.
type RetentionPoint struct {
	Months   int     `json:"months"`
	Day      int     `json:"day"`
	AtRisk   int     `json:"at_risk"`
	Survival float64 `json:"survival"`
}

// Compliance counts the due check-ins whose time has come.
type Compliance struct {
	Due           int      `json:"due"`
	OnTime        int      `json:"on_time"`
	Late          int      `json:"late"`
	Missed        int      `json:"missed"`
	OnTimePercent *float64 `json:"on_time_percent,omitempty"` // absent while nothing was due
}

// MilestoneCount counts a milestone's outcomes.
type MilestoneCount struct {
	Months     int `json:"months"`
	Reached    int `json:"reached"`
	NotReached int `json:"not_reached"`
}

// ClaimTotals are claims approved against the cover of one guarantee kind.
type ClaimTotals struct {
	Kind          string `json:"kind"`
	Guarantees    int    `json:"guarantees"`
	CoverCents    int64  `json:"cover_cents"`
	ApprovedCents int64  `json:"approved_cents"`
	PendingCents  int64  `json:"pending_cents"`
}

// Report is the mentoring and guarantee report of a caseload or of all.
type Report struct {
	Scope           string           `json:"scope"` // caseload or all
	Today           string           `json:"today"`
	Placements      int              `json:"placements"`
	Active          int              `json:"active"`
	Compliance      Compliance       `json:"compliance"`
	OpenEscalations int              `json:"open_escalations"`
	EscalationKinds map[string]int   `json:"open_escalations_by_kind"`
	Retention       []RetentionPoint `json:"retention"`
	Curve           []SurvivalStep   `json:"curve"`
	Milestones      []MilestoneCount `json:"milestones"`
	Claims          []ClaimTotals    `json:"claims"`
}

// Report builds the report: a probation worker's of their caseload's
// placements, a coordinator's of all.
// Errors: Unauthenticated, Forbidden.
func (s *Service) Report(ctx context.Context) (Report, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Coordinator)
	if err != nil {
		return Report{}, err
	}
	owner, scope := "all", "all"
	if a.Is(users.ProbationWorker) {
		owner, scope = "worker:"+string(a.UserID), "caseload"
	}
	list, err := s.store.placementList(ctx, owner)
	if err != nil {
		return Report{}, err
	}
	ps, err := s.store.placementsByID(ctx, list)
	if err != nil {
		return Report{}, err
	}
	return buildReport(ps, scope, day(s.clock())), nil
}

func buildReport(ps []Placement, scope string, today time.Time) Report {
	r := Report{Scope: scope, Today: today.Format(time.DateOnly), EscalationKinds: map[string]int{}, Retention: []RetentionPoint{},
		Curve: []SurvivalStep{}, Milestones: []MilestoneCount{}, Claims: []ClaimTotals{}}
	var obs []Observation
	ms := map[int]*MilestoneCount{}
	for _, m := range milestoneMonths {
		ms[m] = &MilestoneCount{Months: m}
	}
	claims := map[string]*ClaimTotals{}
	for _, k := range guaranteeKinds {
		claims[k] = &ClaimTotals{Kind: k}
	}
	for _, p := range ps {
		start := day(p.StartDate)
		if start.After(today) {
			r.Placements++
			if p.State == Active {
				r.Active++
			}
			continue // not started: nothing to observe yet
		}
		r.Placements++
		o := Observation{Days: int(today.Sub(start) / (24 * time.Hour))}
		if p.State == Active {
			r.Active++
		} else if p.EndedAt != nil {
			o.Days = max(0, int(day(*p.EndedAt).Sub(start)/(24*time.Hour)))
			o.Failed = failures[p.EndReason]
		}
		obs = append(obs, o)
		for _, x := range p.Schedule {
			status := x.Status
			if status == DueOpen && x.graceEnd().Before(today) && p.State == Active {
				status = DueMissed // the job has not run yet
			}
			switch status {
			case DueOnTime:
				r.Compliance.OnTime++
			case DueLate:
				r.Compliance.Late++
			case DueMissed:
				r.Compliance.Missed++
			}
		}
		for _, e := range p.Escalations {
			if e.State != EscClosed {
				r.OpenEscalations++
				r.EscalationKinds[string(e.Kind)]++
			}
		}
		for _, m := range p.Milestones {
			if m.Reached {
				ms[m.Months].Reached++
			} else {
				ms[m.Months].NotReached++
			}
		}
		for _, g := range p.Guarantees {
			t := claims[g.Kind]
			if t == nil {
				continue
			}
			t.Guarantees++
			t.CoverCents += g.CoverCents
			for _, c := range g.Claims {
				switch c.State {
				case ClaimApproved:
					t.ApprovedCents += c.AmountCents
				case ClaimFiled:
					t.PendingCents += c.AmountCents
				}
			}
		}
	}
	c := &r.Compliance
	c.Due = c.OnTime + c.Late + c.Missed
	if c.Due > 0 {
		pct := math.Round(1000*float64(c.OnTime)/float64(c.Due)) / 10
		c.OnTimePercent = &pct
	}
	r.Curve = KaplanMeier(obs)
	for _, m := range milestoneMonths {
		d := retentionDays[m]
		atRisk := 0
		for _, o := range obs {
			if o.Days >= d {
				atRisk++
			}
		}
		r.Retention = append(r.Retention, RetentionPoint{Months: m, Day: d, AtRisk: atRisk, Survival: math.Round(SurvivalAt(r.Curve, d)*10000) / 10000})
		r.Milestones = append(r.Milestones, *ms[m])
	}
	for _, k := range guaranteeKinds {
		r.Claims = append(r.Claims, *claims[k])
	}
	return r
}

// PayableClaim is an approved guarantee claim, for the payments.
type PayableClaim struct {
	Key         string // "g1c2": guarantee 1, claim 2
	Kind        string
	AmountCents int64
	ApprovedAt  time.Time
}

// Standing is what the payments need to know of a placement on a day.
type Standing struct {
	ID          string
	EmployerID  string
	CandidateID string
	StartDate   time.Time
	Active      bool         // today
	ActiveOn    bool         // on the day asked about
	UpToDate    bool         // no check-in overdue on that day
	Milestones  map[int]bool // recorded milestones: months → reached
	Claims      []PayableClaim
}

// Standing reports a placement's standing on day (for the payments'
// conditions; no caller check: payments decides who asks).
// Errors: NotFound.
func (s *Service) Standing(ctx context.Context, id string, on time.Time) (Standing, error) {
	p, err := s.store.placement(ctx, id)
	if err != nil {
		return Standing{}, err
	}
	d := day(on)
	st := Standing{ID: p.ID, EmployerID: string(p.EmployerID), CandidateID: string(p.CandidateID), StartDate: day(p.StartDate),
		Active: p.State == Active, Milestones: map[int]bool{}}
	st.ActiveOn = !d.Before(day(p.StartDate)) && (p.State == Active || (p.EndedAt != nil && day(*p.EndedAt).After(d)))
	st.UpToDate = !p.overdueOn(d)
	for _, m := range p.Milestones {
		st.Milestones[m.Months] = m.Reached
	}
	for _, g := range p.Guarantees {
		for _, c := range g.Claims {
			if c.State == ClaimApproved && c.Payable && c.DecidedAt != nil {
				st.Claims = append(st.Claims, PayableClaim{Key: "g" + strconv.Itoa(g.N) + "c" + strconv.Itoa(c.N), Kind: g.Kind, AmountCents: c.AmountCents, ApprovedAt: c.DecidedAt.UTC()})
			}
		}
	}
	return st, nil
}
