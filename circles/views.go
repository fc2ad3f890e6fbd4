package circles

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ActionView is a plan action with its owner's name.
type ActionView struct {
	Action
	OwnerName string `json:"owner_name"`
	Overdue   bool   `json:"overdue"`
}

// ConferenceView is a conference with its participants' names.
type ConferenceView struct {
	Conference
	ParticipantNames []string `json:"participant_names"`
}

// WorkerView is the whole circle, for the candidate's probation worker.
type WorkerView struct {
	ID          string               `json:"id"`
	Candidate   string               `json:"candidate"` // the candidate's name
	Exists      bool                 `json:"exists"`    // false: no partner was invited yet
	State       CircleState          `json:"state"`
	Level       int                  `json:"level"`
	Levels      []LevelChange        `json:"levels"`
	Exit        *Exit                `json:"exit,omitempty"`
	Needs       map[Purpose]string   `json:"needs"`
	Members     []Member             `json:"members"`
	Actions     []ActionView         `json:"actions"`
	Conferences []ConferenceView     `json:"conferences"`
	Slices      map[Purpose][]string `json:"slices"`    // what each purpose shows its partners
	Sensitive   map[Purpose][]string `json:"sensitive"` // and adds with the check-in consent
}

// Get returns the circle of a candidate of the acting probation worker's
// caseload (an empty one when no partner was invited yet).
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, id string) (WorkerView, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return WorkerView{}, err
	}
	cand, err := s.candidates.LoadOwn(ctx, candidates.ID(id))
	if apperr.Is(err, apperr.NotFound) {
		return WorkerView{}, errCircleNotFound
	}
	if err != nil {
		return WorkerView{}, err
	}
	v := WorkerView{ID: id, Candidate: strings.TrimSpace(cand.Identity.FirstName + " " + cand.Identity.LastName), State: Open, Level: LevelRegular,
		Levels: []LevelChange{}, Needs: map[Purpose]string{}, Members: []Member{}, Actions: []ActionView{}, Conferences: []ConferenceView{}, Slices: Slices, Sensitive: Sensitive}
	c, err := s.circle(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return v, nil
	}
	if err != nil {
		return WorkerView{}, err
	}
	v.Exists, v.State, v.Level, v.Levels, v.Exit, v.Needs, v.Members = true, c.State, c.Level, c.Levels, c.Exit, c.Needs, c.Members
	names := s.ownerNames(ctx, c, a)
	now := s.clock()
	for _, x := range c.Actions {
		v.Actions = append(v.Actions, ActionView{Action: x, OwnerName: names[x.Owner], Overdue: x.overdue(now)})
	}
	for _, k := range c.Conferences {
		v.Conferences = append(v.Conferences, ConferenceView{Conference: k, ParticipantNames: namesOf(k.Participants, names)})
	}
	return v, nil
}

// ownerNames maps the circle's partner ids to their names, and "worker"
// to the worker's.
func (s *Service) ownerNames(ctx context.Context, c Circle, _ users.Actor) map[string]string {
	out := map[string]string{OwnerWorker: "Reclassering"}
	if u, err := s.users.Load(ctx, users.ID(c.WorkerID)); err == nil && u.Name != "" {
		out[OwnerWorker] = u.Name
	}
	for _, m := range c.Members {
		out[m.Partner] = m.Name
	}
	return out
}

func namesOf(pids []string, names map[string]string) []string {
	out := make([]string, 0, len(pids))
	for _, p := range pids {
		out = append(out, names[p])
	}
	return out
}

// PartnerCandidate is the slice of the candidate a partner sees: only the
// sections of its purposes are filled.
type PartnerCandidate struct {
	candidates.Slice
	Needs     map[Purpose]string `json:"needs,omitempty"`
	Workplace *Workplace         `json:"workplace,omitempty"`
	Wellbeing []Score            `json:"wellbeing,omitempty"`
	RiskFlags []Score            `json:"risk_flags,omitempty"`
	Safety    *SafetyPlan        `json:"safety_plan,omitempty"`
}

// Workplace is where and since when the candidate works.
type Workplace struct {
	Place     string `json:"place"`
	Province  string `json:"province"`
	StartDate string `json:"start_date"`
}

// Score is a check-in's date with its wellbeing score or risk flags.
type Score struct {
	Date      string   `json:"date"`
	Wellbeing int      `json:"wellbeing,omitempty"`
	RiskFlags []string `json:"risk_flags,omitempty"`
}

// Invitation is an open invitation of the partner into a circle: what the
// purpose is for, and who invites.
type Invitation struct {
	Member  int     `json:"member"`
	Purpose Purpose `json:"purpose"`
	Basis   Basis   `json:"basis"`
	Need    string  `json:"need,omitempty"`
	Worker  string  `json:"worker"`
}

// PartnerView is what a partner organisation sees of a circle.
type PartnerView struct {
	ID          string            `json:"id"`
	State       CircleState       `json:"state"`
	Level       int               `json:"level"`
	Worker      string            `json:"worker"` // the probation worker's name
	Purposes    []Purpose         `json:"purposes"`
	Sections    []string          `json:"sections"`
	Candidate   *PartnerCandidate `json:"candidate,omitempty"` // once accepted
	Invitations []Invitation      `json:"invitations"`
	Members     []PartnerMember   `json:"members"` // the organisations of its purposes
	Actions     []ActionView      `json:"actions"`
	Conferences []ConferenceView  `json:"conferences"`
}

// PartnerMember is another organisation in the circle for one of the
// partner's own purposes.
type PartnerMember struct {
	N       int         `json:"n"`
	Partner string      `json:"partner"`
	Purpose Purpose     `json:"purpose"`
	State   MemberState `json:"state"`
	Mine    bool        `json:"mine"`
}

// PartnerGet returns what the acting partner may see of a circle: its
// purposes' slice once accepted (read through the candidates service's
// audited path, so every read is in the candidate's disclosure log), its
// open invitations, the actions of its purposes, the conferences it took
// part in within its purposes. Nothing after a withdrawal, an end or the
// circle's closing: NotFound.
// Errors: Unauthenticated, Forbidden (not an approved partner), NotFound.
func (s *Service) PartnerGet(ctx context.Context, id string) (PartnerView, error) {
	a, c, err := s.asPartner(id)(ctx)
	if err != nil {
		return PartnerView{}, err
	}
	return s.partnerView(ctx, a, c, true)
}

// partnerView builds the partner's view; whole says whether to add the
// plan and conferences (the list needs the name only).
func (s *Service) partnerView(ctx context.Context, a users.Actor, c Circle, whole bool) (PartnerView, error) {
	names := s.ownerNames(ctx, c, a)
	v := PartnerView{ID: c.ID, State: c.State, Level: c.Level, Worker: names[OwnerWorker], Purposes: []Purpose{}, Sections: []string{},
		Invitations: []Invitation{}, Members: []PartnerMember{}, Actions: []ActionView{}, Conferences: []ConferenceView{}}
	var fields []string
	var logged []string
	for _, m := range c.Members {
		if m.Partner != a.PartnerID {
			continue
		}
		switch m.State {
		case Accepted:
			if !slices.Contains(v.Purposes, m.Purpose) {
				v.Purposes = append(v.Purposes, m.Purpose)
			}
			for _, sec := range m.sections() {
				if !slices.Contains(v.Sections, sec) {
					v.Sections = append(v.Sections, sec)
				}
			}
		case Invited:
			inv := Invitation{Member: m.N, Purpose: m.Purpose, Basis: m.Basis, Need: c.Needs[m.Purpose], Worker: names[OwnerWorker]}
			if whole && inv.Need != "" && !slices.Contains(fields, "need") {
				fields = append(fields, "need")
			}
			v.Invitations = append(v.Invitations, inv)
			logged = append(logged, "invited:"+string(m.Purpose))
		}
	}
	if !whole {
		// The list: the name only.
		v.Sections = slices.DeleteFunc(v.Sections, func(s string) bool { return s != candidates.SectionIdentity })
	}
	var own []string
	for _, sec := range v.Sections {
		if sec == candidates.SectionIdentity || sec == candidates.SectionContact || sec == candidates.SectionAvailability {
			own = append(own, sec)
		}
	}
	for _, p := range v.Purposes {
		logged = append(logged, string(p))
	}
	// What this package adds, first: only the fields that hold a value
	// are shown, and logged.
	var extra PartnerCandidate
	if len(v.Purposes) > 0 {
		if slices.Contains(v.Sections, SectionNeed) {
			for _, p := range v.Purposes {
				if n := c.Needs[p]; n != "" && slices.Contains(Slices[p], SectionNeed) {
					if extra.Needs == nil {
						extra.Needs = map[Purpose]string{}
					}
					extra.Needs[p] = n
				}
			}
			if len(extra.Needs) > 0 && !slices.Contains(fields, "need") {
				fields = append(fields, "need")
			}
		}
		if err := s.addFacts(ctx, c.ID, v.Sections, &extra); err != nil {
			return PartnerView{}, err
		}
		if extra.Workplace != nil {
			fields = append(fields, Fields[SectionWorkplace]...)
		}
		if len(extra.Wellbeing) > 0 {
			fields = append(fields, "wellbeing")
		}
		if len(extra.RiskFlags) > 0 {
			fields = append(fields, "risk_flags")
		}
		if slices.Contains(v.Sections, SectionSafety) && s.SafetyPlanOf != nil {
			plan, err := s.SafetyPlanOf(ctx, c.ID)
			if err != nil {
				return PartnerView{}, err
			}
			if plan != nil {
				extra.Safety = plan
				fields = append(fields, "safety_plan")
			}
		}
	}
	if len(own) > 0 || len(fields) > 0 {
		sl, err := s.candidates.SliceFor(ctx, candidates.ID(c.ID), candidates.SliceRead{Partner: a.PartnerID, Purposes: logged, Sections: own, Fields: fields})
		if err != nil {
			return PartnerView{}, err
		}
		if len(v.Purposes) > 0 {
			extra.Slice = sl
			v.Candidate = &extra
		}
	}
	if !whole {
		return v, nil
	}
	now := s.clock()
	for _, m := range c.Members {
		if slices.Contains(v.Purposes, m.Purpose) && (m.State == Accepted || m.State == Invited) {
			v.Members = append(v.Members, PartnerMember{N: m.N, Partner: m.Name, Purpose: m.Purpose, State: m.State, Mine: m.Partner == a.PartnerID})
		}
	}
	for _, x := range c.Actions {
		if slices.Contains(v.Purposes, x.Purpose) {
			v.Actions = append(v.Actions, ActionView{Action: x, OwnerName: names[x.Owner], Overdue: x.overdue(now)})
		}
	}
	for _, k := range c.Conferences {
		if !slices.Contains(k.Participants, a.PartnerID) || len(v.Purposes) == 0 {
			continue
		}
		cv := ConferenceView{Conference: Conference{N: k.N, Date: k.Date, Participants: k.Participants, Topics: []Topic{}, Decisions: []Decided{}, Dissent: []Dissent{}, At: k.At},
			ParticipantNames: namesOf(k.Participants, names)}
		for _, t := range k.Topics {
			if slices.Contains(v.Purposes, t.Purpose) {
				cv.Topics = append(cv.Topics, t)
			}
		}
		for _, d := range k.Decisions {
			if slices.Contains(v.Purposes, d.Purpose) {
				cv.Decisions = append(cv.Decisions, d)
			}
		}
		for _, d := range k.Dissent {
			if slices.Contains(v.Purposes, d.Purpose) {
				cv.Dissent = append(cv.Dissent, d)
			}
		}
		v.Conferences = append(v.Conferences, cv)
	}
	return v, nil
}

// addFacts fills the sections that come from the active placement.
func (s *Service) addFacts(ctx context.Context, id string, sections []string, out *PartnerCandidate) error {
	work, well, risk := slices.Contains(sections, SectionWorkplace), slices.Contains(sections, SectionWellbeing), slices.Contains(sections, SectionRiskFlags)
	if !work && !well && !risk {
		return nil
	}
	f, err := s.placements.FactsFor(ctx, candidates.ID(id))
	if err != nil || !f.Placed {
		return err
	}
	if work {
		out.Workplace = &Workplace{Place: f.Place, Province: f.Province, StartDate: f.StartDate.Format(time.DateOnly)}
	}
	for _, sc := range f.Scores {
		if well && sc.Wellbeing > 0 {
			out.Wellbeing = append(out.Wellbeing, Score{Date: sc.Date, Wellbeing: sc.Wellbeing})
		}
		if risk && len(sc.RiskFlags) > 0 {
			out.RiskFlags = append(out.RiskFlags, Score{Date: sc.Date, RiskFlags: sc.RiskFlags})
		}
	}
	return nil
}

// Row is one circle in a list.
type Row struct {
	ID        string      `json:"id"`
	Candidate string      `json:"candidate,omitempty"` // the name, once the partner accepted; the worker always
	State     CircleState `json:"state"`
	Level     int         `json:"level"`
	Purposes  []Purpose   `json:"purposes,omitempty"` // the partner's accepted purposes
	Invited   []Purpose   `json:"invited,omitempty"`  // the partner's open invitations
	Members   int         `json:"members"`            // live memberships (the worker's list)
	Open      int         `json:"open_actions"`
	Overdue   int         `json:"overdue_actions"`
}

// List returns the acting worker's circles, or the acting partner's
// (accepted and invited; a partner's listed name is a read in the
// candidate's disclosure log).
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context) ([]Row, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Partner)
	if err != nil {
		return nil, err
	}
	owner := "worker:" + string(a.UserID)
	var me Partner
	if a.Is(users.Partner) {
		if _, me, err = s.actingPartner(ctx); err != nil {
			return nil, err
		}
		owner = "partner:" + a.PartnerID
	}
	es, err := store.ListEntries(ctx, s.lists, owner)
	if err != nil {
		return nil, err
	}
	names := map[candidates.ID]string{}
	if a.Is(users.ProbationWorker) {
		caseload, err := s.candidates.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range caseload {
			names[c.ID] = c.DisplayName
		}
	}
	out := []Row{}
	now := s.clock()
	for id := range es {
		c, err := s.circle(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r := Row{ID: c.ID, State: c.State, Level: c.Level}
		if a.Is(users.ProbationWorker) {
			name, ok := names[candidates.ID(c.ID)]
			if !ok {
				continue // no longer in this worker's caseload
			}
			r.Candidate = name
			for _, m := range c.Members {
				if m.State.live() {
					r.Members++
				}
			}
		} else {
			if partnerEntry(c, a.PartnerID) == "" {
				continue
			}
			if withheld, err := s.withheld(ctx, c.ID, me); err != nil {
				return nil, err
			} else if withheld {
				continue
			}
			v, err := s.partnerView(ctx, a, c, false)
			if err != nil {
				return nil, err
			}
			r.Purposes = v.Purposes
			for _, inv := range v.Invitations {
				r.Invited = append(r.Invited, inv.Purpose)
			}
			if v.Candidate != nil {
				r.Candidate = strings.TrimSpace(v.Candidate.FirstName + " " + v.Candidate.LastName)
			}
		}
		for _, x := range c.Actions {
			if x.Status != ActionOpen || (a.Is(users.Partner) && !slices.Contains(r.Purposes, x.Purpose)) {
				continue
			}
			r.Open++
			if x.overdue(now) {
				r.Overdue++
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Overdue != out[j].Overdue {
			return out[i].Overdue > out[j].Overdue
		}
		return out[i].Candidate+out[i].ID < out[j].Candidate+out[j].ID
	})
	return out, nil
}

// SelfMember is a membership of the candidate's own circle, as they see it.
type SelfMember struct {
	N        int         `json:"n"`
	Partner  string      `json:"partner"` // the organisation's name
	Kind     Kind        `json:"kind"`
	Purpose  Purpose     `json:"purpose"`
	Basis    Basis       `json:"basis"`
	State    MemberState `json:"state"`
	Consent  bool        `json:"consent"`
	CheckIns bool        `json:"checkin_consent"`
	Sees     []string    `json:"sees"` // the sections it sees (or would, once accepted)
	CanAsk   bool        `json:"checkins_possible"`
}

// Self returns the memberships of the acting candidate's circle that
// stand (none when there is no circle).
// Errors: Unauthenticated, Forbidden.
func (s *Service) Self(ctx context.Context) ([]SelfMember, error) {
	_, c, err := s.asCandidate()(ctx)
	out := []SelfMember{}
	if apperr.Is(err, apperr.NotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if c.State != Open {
		return out, nil
	}
	for _, m := range c.Members {
		if !m.State.live() {
			continue
		}
		out = append(out, SelfMember{N: m.N, Partner: m.Name, Kind: m.Kind, Purpose: m.Purpose, Basis: m.Basis, State: m.State, Consent: m.Consent != nil,
			CheckIns: m.CheckIns != nil, Sees: m.sections(), CanAsk: len(Sensitive[m.Purpose]) > 0})
	}
	return out, nil
}

// ReportRow is one organisation's actions, for funders and coordinators.
type ReportRow struct {
	Owner   string  `json:"owner"` // a partner id, or "worker" (the probation side)
	Name    string  `json:"name"`
	Kind    Kind    `json:"kind,omitempty"`
	Total   int     `json:"total"`
	Done    int     `json:"done"`
	OnTime  int     `json:"done_on_time"`
	Open    int     `json:"open"`
	Overdue int     `json:"overdue"`
	Rate    float64 `json:"on_time_rate"` // done on time / (done + overdue); 0 when neither
}

// Report counts plan actions on time per organisation, over every circle
// (coordinators). Cancelled actions count in no column but the total.
// Errors: Unauthenticated, Forbidden.
func (s *Service) Report(ctx context.Context) ([]ReportRow, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return nil, err
	}
	es, err := store.ListEntries(ctx, s.lists, listAll)
	if err != nil {
		return nil, err
	}
	rows := map[string]*ReportRow{OwnerWorker: {Owner: OwnerWorker, Name: "Reclassering"}}
	now := s.clock()
	for id := range es {
		c, err := s.circle(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, x := range c.Actions {
			r := rows[x.Owner]
			if r == nil {
				r = &ReportRow{Owner: x.Owner}
				for _, m := range c.Members {
					if m.Partner == x.Owner {
						r.Name, r.Kind = m.Name, m.Kind
					}
				}
				rows[x.Owner] = r
			}
			r.Total++
			switch {
			case x.Status == ActionDone:
				r.Done++
				if x.DoneAt != nil && !day(*x.DoneAt).After(x.Due) {
					r.OnTime++
				}
			case x.Status == ActionOpen:
				r.Open++
				if x.overdue(now) {
					r.Overdue++
				}
			}
		}
	}
	out := []ReportRow{}
	for _, r := range rows {
		if r.Total == 0 {
			continue
		}
		if d := r.Done + r.Overdue; d > 0 {
			r.Rate = float64(r.OnTime) / float64(d)
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
