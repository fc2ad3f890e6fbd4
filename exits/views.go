package exits

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// View is a trajectory as its worker sees it: everything, the network
// included, with names.
type View struct {
	ID           string            `json:"id"`
	Candidate    string            `json:"candidate"` // the name
	Exists       bool              `json:"exists"`
	State        string            `json:"state"`
	Phase        Phase             `json:"phase"`
	Phases       []PhaseEntry      `json:"phases"`
	CaseManager  string            `json:"case_manager_id"`
	ManagerName  string            `json:"case_manager"`
	NextReview   *time.Time        `json:"next_review,omitempty"`
	Reviews      []Review          `json:"reviews"`
	Network      []Entry           `json:"network"`
	Origin       *Place            `json:"origin,omitempty"`
	Destination  *Destination      `json:"destination,omitempty"`
	Safety       SafetyPlan        `json:"safety_plan"`
	Exploitation *Exploitation     `json:"exploitation,omitempty"`
	Relatives    []Relative        `json:"relatives"`
	Transfer     *Transfer         `json:"transfer,omitempty"`
	Transfers    []Transfer        `json:"transfers"`
	Outcome      string            `json:"outcome,omitempty"`
	OpenedAt     *time.Time        `json:"opened_at,omitempty"`
	ClosedAt     *time.Time        `json:"closed_at,omitempty"`
	Names        map[string]string `json:"names"` // user ids named above, by name
}

// Relative is a linked relative, by name (the worker's own caseload).
type Relative struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Get returns the trajectory of a candidate of the acting worker's
// caseload (exists false when none was opened).
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	_, t, err := s.asOwner(id, true)(ctx)
	if err != nil {
		return View{}, err
	}
	return s.viewOf(ctx, t)
}

func (s *Service) viewOf(ctx context.Context, t Trajectory) (View, error) {
	v := View{ID: t.ID, Exists: t.Version > 0, State: t.State, Phase: t.Phase, Phases: t.Phases, CaseManager: t.CaseManager, Reviews: t.Reviews,
		Network: t.Network, Origin: t.Origin, Destination: t.Destination, Safety: t.Safety, Exploitation: t.Exploitation, Relatives: []Relative{},
		Transfer: t.Transfer, Transfers: t.Transfers, Outcome: t.Outcome, ClosedAt: t.ClosedAt, Names: map[string]string{}}
	if c, err := s.candidates.LoadOwn(ctx, candidates.ID(t.ID)); err == nil {
		v.Candidate = strings.TrimSpace(c.Identity.FirstName + " " + c.Identity.LastName)
	}
	if v.Exists {
		nr, op := t.NextReview, t.OpenedAt
		v.NextReview, v.OpenedAt = &nr, &op
	}
	var uids []users.ID
	for _, id := range []string{t.CaseManager, t.WorkerID} {
		uids = append(uids, users.ID(id))
	}
	for _, x := range append(t.Transfers, derefTransfer(t.Transfer)...) {
		uids = append(uids, users.ID(x.From), users.ID(x.To))
	}
	if names, err := s.users.Names(ctx, uids...); err == nil {
		for id, n := range names {
			v.Names[string(id)] = n
		}
	}
	v.ManagerName = v.Names[t.CaseManager]
	for _, r := range t.Relatives {
		rel := Relative{ID: r}
		if c, err := s.candidates.LoadOwn(ctx, candidates.ID(r)); err == nil {
			rel.Name = strings.TrimSpace(c.Identity.FirstName + " " + c.Identity.LastName)
		}
		v.Relatives = append(v.Relatives, rel)
	}
	for _, list := range []*[]PhaseEntry{&v.Phases} {
		if *list == nil {
			*list = []PhaseEntry{}
		}
	}
	if v.Reviews == nil {
		v.Reviews = []Review{}
	}
	if v.Network == nil {
		v.Network = []Entry{}
	}
	if v.Transfers == nil {
		v.Transfers = []Transfer{}
	}
	return v, nil
}

func derefTransfer(t *Transfer) []Transfer {
	if t == nil {
		return nil
	}
	return []Transfer{*t}
}

// Handover is what a receiving worker sees of a case offered to them
// before accepting: the candidate's name, the destination, what is handed
// over and the note. The read is audited.
type Handover struct {
	ID          string    `json:"id"`
	Candidate   string    `json:"candidate"`
	From        string    `json:"from"`
	Destination string    `json:"destination"`
	Handover    []string  `json:"handover"`
	Note        string    `json:"note,omitempty"`
	At          time.Time `json:"at"`
}

// Row is one trajectory in a worker's list.
type Row struct {
	ID        string `json:"id"`
	Candidate string `json:"candidate"`
	State     string `json:"state"`
	Phase     Phase  `json:"phase"`
}

// Lists are a worker's trajectories and the cases offered to them.
type Lists struct {
	Mine     []Row      `json:"trajectories"`
	Incoming []Handover `json:"incoming"`
}

// List returns the acting worker's trajectories and the cases offered to
// them (each offered case's read is in the audit log).
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context) (Lists, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return Lists{}, err
	}
	out := Lists{Mine: []Row{}, Incoming: []Handover{}}
	caseload, err := s.candidates.List(ctx)
	if err != nil {
		return Lists{}, err
	}
	names := map[string]string{}
	for _, c := range caseload {
		names[string(c.ID)] = c.DisplayName
	}
	mine, err := storeEntries(ctx, s, "worker:"+string(a.UserID))
	if err != nil {
		return Lists{}, err
	}
	for id := range mine {
		t, err := s.trajectory(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return Lists{}, err
		}
		name, ok := names[id]
		if !ok {
			continue
		}
		out.Mine = append(out.Mine, Row{ID: id, Candidate: name, State: t.State, Phase: t.Phase})
	}
	sort.Slice(out.Mine, func(i, j int) bool { return out.Mine[i].Candidate < out.Mine[j].Candidate })
	in, err := storeEntries(ctx, s, "incoming:"+string(a.UserID))
	if err != nil {
		return Lists{}, err
	}
	for id := range in {
		t, err := s.trajectory(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return Lists{}, err
		}
		if t.Transfer == nil || t.Transfer.State != "pending" || t.Transfer.To != string(a.UserID) {
			continue
		}
		h := Handover{ID: id, Handover: t.Transfer.Handover, Note: t.Transfer.Note, At: t.Transfer.At}
		if n, err := s.candidates.DisplayNameOf(ctx, candidates.ID(id)); err == nil {
			h.Candidate = n
		}
		if t.Destination != nil {
			h.Destination = t.Destination.Place.Name + " (" + t.Destination.Place.Province + ")"
		}
		if names, err := s.users.Names(ctx, users.ID(t.Transfer.From)); err == nil {
			h.From = names[users.ID(t.Transfer.From)]
		}
		if err := s.writer.Events().Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: "trajectory.handover_read", Subject: "candidate:" + id,
			Details: map[string]string{"handover": strings.Join(t.Transfer.Handover, ",")}}); err != nil {
			return Lists{}, err
		}
		out.Incoming = append(out.Incoming, h)
	}
	return out, nil
}

// ReportRow is one region's trajectories, for funders.
type ReportRow struct {
	Region       string            `json:"region"` // the destination province ("" none set yet)
	Open         int               `json:"open"`
	ByPhase      map[Phase]int     `json:"by_phase"`
	MonthsIn     map[Phase]float64 `json:"months_in_phase"` // mean months spent in each phase (up to now for the current one)
	Outcomes     map[string]int    `json:"outcomes"`
	Exploitation int               `json:"exploitation"`       // trajectories of people who are also victims, counted apart
	Employed6    float64           `json:"employed_6_months"`  // Kaplan–Meier: 1 − S(6 months) of the time to a first placement
	Employed12   float64           `json:"employed_12_months"` // the same at 12 months
	Total        int               `json:"total"`
}

// Report counts trajectories per destination region (coordinators).
// Employment at 6 and 12 months is Kaplan–Meier over the time from the
// trajectory's opening to the start of a first placement, censored at its
// close or now, so that regions of different ages compare.
// Errors: Unauthenticated, Forbidden.
func (s *Service) Report(ctx context.Context) ([]ReportRow, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return nil, err
	}
	es, err := storeEntries(ctx, s, listAll)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	rows := map[string]*ReportRow{}
	type obs struct {
		months float64
		event  bool
	}
	times := map[string][]obs{}
	counts := map[string]map[Phase]int{}
	for id := range es {
		t, err := s.trajectory(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		region := ""
		if t.Destination != nil {
			region = t.Destination.Place.Province
		}
		r := rows[region]
		if r == nil {
			r = &ReportRow{Region: region, ByPhase: map[Phase]int{}, MonthsIn: map[Phase]float64{}, Outcomes: map[string]int{}}
			rows[region], counts[region] = r, map[Phase]int{}
		}
		r.Total++
		if t.State == "open" {
			r.Open++
			r.ByPhase[t.Phase]++
		} else {
			r.Outcomes[t.Outcome]++
		}
		if t.Exploitation != nil {
			r.Exploitation++
		}
		end := now
		if t.ClosedAt != nil {
			end = *t.ClosedAt
		}
		for i, p := range t.Phases {
			until := end
			if i+1 < len(t.Phases) {
				until = t.Phases[i+1].EnteredAt
			}
			r.MonthsIn[p.Phase] += months(until.Sub(p.EnteredAt))
			counts[region][p.Phase]++
		}
		start, placed, err := s.placements.FirstStartAfter(ctx, candidates.ID(t.ID), t.OpenedAt)
		if err != nil {
			return nil, err
		}
		if placed && !start.After(end) {
			times[region] = append(times[region], obs{months(start.Sub(t.OpenedAt)), true})
		} else {
			times[region] = append(times[region], obs{months(end.Sub(t.OpenedAt)), false})
		}
	}
	out := []ReportRow{}
	for region, r := range rows {
		for p, n := range counts[region] {
			if n > 0 {
				r.MonthsIn[p] /= float64(n)
			}
		}
		// Kaplan–Meier of "not yet employed".
		obsv := times[region]
		sort.Slice(obsv, func(i, j int) bool { return obsv[i].months < obsv[j].months })
		surv, at := 1.0, len(obsv)
		for _, o := range obsv {
			if o.event {
				surv *= 1 - 1/float64(at)
			}
			if o.months <= 6 {
				r.Employed6 = 1 - surv
			}
			if o.months <= 12 {
				r.Employed12 = 1 - surv
			}
			at--
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out, nil
}

func months(d time.Duration) float64 { return d.Hours() / 24 / 30.44 }

func storeEntries(ctx context.Context, s *Service, owner string) (map[string]string, error) {
	return store.ListEntries(ctx, s.lists, owner)
}
