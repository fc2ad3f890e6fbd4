package placements

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// PlacementState is a placement's state.
type PlacementState string

// A placement is active until it ends.
const (
	Active PlacementState = "active"
	Ended  PlacementState = "ended"
)

// Contract kinds.
var contracts = []string{"permanent", "fixed_term", "temporary", "on_call"}

// End reasons.
var endReasons = []string{"contract_ended", "resigned", "dismissed", "relapse", "moved"}

// Placement is a candidate hired through an introduction.
type Placement struct {
	ID             string
	IntroductionID string
	CandidateID    candidates.ID
	WorkerID       users.ID
	EmployerID     employers.ID
	VacancyID      employers.VacancyID
	MentorID       users.ID
	StartDate      time.Time
	EndDate        *time.Time // fixed-term contracts
	Contract       string
	HoursPerWeek   int
	State          PlacementState
	EndReason      string
	EndedAt        *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64
	writes         store.Writes
	// Claim owns the candidate's active-placement key while the placement
	// is active (docs/invariants.md); released when it ends.
	Claim string

	// Mentoring and guarantees (bounded; see mentoring.go).
	Schedule    []Due
	CheckIns    []CheckIn // the newest keepCheckIns; older ones are archived
	CheckInSeq  int       // check-ins ever recorded
	Notes       []WorkNote
	NoteSeq     int
	Escalations []Escalation
	EscSeq      int
	Milestones  []Milestone
	Guarantees  []Guarantee
	Mentors     []users.ID // every mentor it had (their agendas are cleared)
	Notices     []Notice   // inbox messages of the latest writes, sent by their follow-ups
}

// Notice is an inbox message a write leaves for its follow-up.
type Notice struct {
	Task string `bson:"task"`
	To   string `bson:"to"`
	Kind string `bson:"kind"`
	Text string `bson:"text"`
}

const keepNotices = 16

// placementID is the id of the placement an introduction leads to: one
// per introduction, so that its follow-up creates it once however often
// it runs.
func placementID(introID string) string { return "p_" + strings.TrimPrefix(introID, "i_") }

// PlacementView is a placement as its parties see it (ids, dates, terms).
type PlacementView struct {
	ID             string         `json:"id"`
	IntroductionID string         `json:"introduction_id"`
	CandidateID    string         `json:"candidate_id"`
	VacancyID      string         `json:"vacancy_id"`
	EmployerID     string         `json:"employer_id"`
	MentorID       string         `json:"mentor_id,omitempty"`
	StartDate      string         `json:"start_date"`
	EndDate        string         `json:"end_date,omitempty"`
	Contract       string         `json:"contract"`
	HoursPerWeek   int            `json:"hours_per_week"`
	State          PlacementState `json:"state"`
	EndReason      string         `json:"end_reason,omitempty"`
	EndedAt        *time.Time     `json:"ended_at,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Version        int64          `json:"version"`

	// What follows the placement, as far as the caller's role may see it:
	// the mentor, the worker and coordinators see the schedule, check-ins
	// and escalations; the employer only its own workplace notes, the
	// milestones and the guarantees.
	Schedule         []Due        `json:"schedule,omitempty"`
	CheckIns         []CheckIn    `json:"checkins,omitempty"`
	CheckInsArchived int          `json:"checkins_archived,omitempty"`
	Notes            []WorkNote   `json:"workplace_notes,omitempty"`
	Escalations      []Escalation `json:"escalations,omitempty"`
	Milestones       []Milestone  `json:"milestones,omitempty"`
	Guarantees       []Guarantee  `json:"guarantees,omitempty"`
}

// viewFor is p as a's role may see it.
func viewFor(p Placement, a users.Actor) PlacementView {
	v := placementViewOf(p)
	v.Milestones, v.Notes = p.Milestones, p.Notes
	if a.Is(users.Mentor, users.ProbationWorker, users.Coordinator) {
		v.Schedule, v.CheckIns, v.Escalations = p.Schedule, p.CheckIns, p.Escalations
		v.CheckInsArchived = p.CheckInSeq - len(p.CheckIns)
	}
	if !a.Is(users.Mentor) {
		v.Guarantees = p.Guarantees
	}
	return v
}

func placementViewOf(p Placement) PlacementView {
	v := PlacementView{ID: p.ID, IntroductionID: p.IntroductionID, CandidateID: string(p.CandidateID), VacancyID: string(p.VacancyID),
		EmployerID: string(p.EmployerID), MentorID: string(p.MentorID), StartDate: p.StartDate.Format(time.DateOnly), Contract: p.Contract,
		HoursPerWeek: p.HoursPerWeek, State: p.State, EndReason: p.EndReason, EndedAt: p.EndedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.EndDate != nil {
		v.EndDate = p.EndDate.Format(time.DateOnly)
	}
	return v
}

// PlacementSummary is one line of a caller's placement list.
type PlacementSummary struct {
	ID          string         `json:"id"`
	CandidateID string         `json:"candidate_id"`
	EmployerID  string         `json:"employer_id"`
	State       PlacementState `json:"state"`
	StartDate   string         `json:"start_date"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

type placementDoc struct {
	ID             string     `bson:"_id"`
	IntroductionID string     `bson:"introduction_id"`
	CandidateID    string     `bson:"candidate_id"`
	WorkerID       string     `bson:"worker_id"`
	EmployerID     string     `bson:"employer_id"`
	VacancyID      string     `bson:"vacancy_id"`
	MentorID       string     `bson:"mentor_id,omitempty"`
	StartDate      time.Time  `bson:"start_date"`
	EndDate        *time.Time `bson:"end_date,omitempty"`
	Contract       string     `bson:"contract"`
	HoursPerWeek   int        `bson:"hours_per_week"`
	State          string     `bson:"state"`
	EndReason      string     `bson:"end_reason,omitempty"`
	EndedAt        *time.Time `bson:"ended_at,omitempty"`
	CreatedAt      time.Time  `bson:"created_at"`
	UpdatedAt      time.Time  `bson:"updated_at"`
	Version        int64      `bson:"version"`
	Writes         []string   `bson:"writes,omitempty"`

	Schedule    []Due        `bson:"schedule,omitempty"`
	CheckIns    []CheckIn    `bson:"checkins,omitempty"`
	CheckInSeq  int          `bson:"checkin_seq,omitempty"`
	Notes       []WorkNote   `bson:"notes,omitempty"`
	NoteSeq     int          `bson:"note_seq,omitempty"`
	Escalations []Escalation `bson:"escalations,omitempty"`
	EscSeq      int          `bson:"esc_seq,omitempty"`
	Milestones  []Milestone  `bson:"milestones,omitempty"`
	Guarantees  []Guarantee  `bson:"guarantees,omitempty"`
	Mentors     []string     `bson:"mentors,omitempty"`
	Notices     []Notice     `bson:"notices,omitempty"`
	Claim       string       `bson:"claim,omitempty"`
}

func toPlacementDoc(p Placement) placementDoc {
	return placementDoc{p.ID, p.IntroductionID, string(p.CandidateID), string(p.WorkerID), string(p.EmployerID), string(p.VacancyID), string(p.MentorID),
		p.StartDate, p.EndDate, p.Contract, p.HoursPerWeek, string(p.State), p.EndReason, p.EndedAt, p.CreatedAt, p.UpdatedAt, p.Version, p.writes,
		p.Schedule, p.CheckIns, p.CheckInSeq, p.Notes, p.NoteSeq, p.Escalations, p.EscSeq, p.Milestones, p.Guarantees, idStrings(p.Mentors), p.Notices, p.Claim}
}

func idStrings(in []users.ID) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = string(x)
	}
	return out
}

func (d placementDoc) toDomain() Placement {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	p := Placement{ID: d.ID, IntroductionID: d.IntroductionID, CandidateID: candidates.ID(d.CandidateID), WorkerID: users.ID(d.WorkerID),
		EmployerID: employers.ID(d.EmployerID), VacancyID: employers.VacancyID(d.VacancyID), MentorID: users.ID(d.MentorID),
		StartDate: d.StartDate.UTC(), EndDate: utc(d.EndDate), Contract: d.Contract, HoursPerWeek: d.HoursPerWeek, State: PlacementState(d.State),
		EndReason: d.EndReason, EndedAt: utc(d.EndedAt), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version, writes: d.Writes,
		Schedule: d.Schedule, CheckIns: d.CheckIns, CheckInSeq: d.CheckInSeq, Notes: d.Notes, NoteSeq: d.NoteSeq, Escalations: d.Escalations,
		EscSeq: d.EscSeq, Milestones: d.Milestones, Guarantees: d.Guarantees, Notices: d.Notices, Claim: d.Claim}
	for _, m := range d.Mentors {
		p.Mentors = append(p.Mentors, users.ID(m))
	}
	utcAll(&p)
	return p
}

// utcAll puts the embedded times in UTC (the driver decodes them local).
func utcAll(p *Placement) {
	for i := range p.Schedule {
		p.Schedule[i].Date = p.Schedule[i].Date.UTC()
		if !p.Schedule[i].DoneOn.IsZero() {
			p.Schedule[i].DoneOn = p.Schedule[i].DoneOn.UTC()
		}
	}
	for i := range p.CheckIns {
		c := &p.CheckIns[i]
		c.Date, c.RecordedAt = c.Date.UTC(), c.RecordedAt.UTC()
		for j := range c.Actions {
			c.Actions[j].Due = c.Actions[j].Due.UTC()
		}
	}
	for i := range p.Notes {
		p.Notes[i].Date, p.Notes[i].At = p.Notes[i].Date.UTC(), p.Notes[i].At.UTC()
	}
	for i := range p.Escalations {
		p.Escalations[i].RaisedAt = p.Escalations[i].RaisedAt.UTC()
	}
	for i := range p.Milestones {
		p.Milestones[i].Date = p.Milestones[i].Date.UTC()
	}
	for i := range p.Guarantees {
		g := &p.Guarantees[i]
		g.Start, g.End, g.At = g.Start.UTC(), g.End.UTC(), g.At.UTC()
		for j := range g.Claims {
			g.Claims[j].LossDate, g.Claims[j].FiledAt = g.Claims[j].LossDate.UTC(), g.Claims[j].FiledAt.UTC()
		}
	}
}

var errPlacementNotFound = apperr.Errorf(apperr.NotFound, "Placement not found.")

func (s *Store) placement(ctx context.Context, id string) (Placement, error) {
	var d placementDoc
	if err := find(ctx, s.placements, id, &d, errPlacementNotFound); err != nil {
		return Placement{}, err
	}
	return d.toDomain(), nil
}

// savePlacement inserts (version 1) or replaces conditionally.
func (s *Store) savePlacement(ctx context.Context, p Placement) error {
	return s.save(ctx, s.placements, p.ID, p.Version, toPlacementDoc(p))
}

// A placement's list entry: "state|updated_ms|candidate|employer|start|wake_ms"
// (wake: when the periodic job has something to do for it; 0 for never).
func placementEntry(p Placement) string {
	var wake int64
	if w := p.wake(); !w.IsZero() {
		wake = w.UnixMilli()
	}
	return strings.Join([]string{string(p.State), strconv.FormatInt(p.UpdatedAt.UnixMilli(), 10), string(p.CandidateID), string(p.EmployerID),
		p.StartDate.Format(time.DateOnly), strconv.FormatInt(wake, 10)}, "|")
}

// listPlacement writes p's entry in the lists of its parties.
func (s *Store) listPlacement(ctx context.Context, p Placement) error {
	owners := []string{"employer:" + string(p.EmployerID), "worker:" + string(p.WorkerID), "candidate:" + string(p.CandidateID), "all"}
	if p.MentorID != "" {
		owners = append(owners, "mentor:"+string(p.MentorID))
	}
	e := placementEntry(p)
	for _, o := range owners {
		if err := s.setEntry(ctx, "placement:"+o, p.ID, e); err != nil {
			return err
		}
	}
	for _, m := range p.Mentors { // former mentors no longer see it
		if m != p.MentorID {
			if err := s.setEntries(ctx, "placement:mentor:"+string(m), p.ID, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) placementList(ctx context.Context, owner string) ([]PlacementSummary, error) {
	es, err := s.entries(ctx, "placement:"+owner)
	if err != nil {
		return nil, err
	}
	out := make([]PlacementSummary, 0, len(es))
	for id, e := range es {
		p := strings.SplitN(e, "|", 6)
		for len(p) < 6 {
			p = append(p, "")
		}
		ms, _ := strconv.ParseInt(p[1], 10, 64)
		out = append(out, PlacementSummary{ID: id, State: PlacementState(p[0]), UpdatedAt: time.UnixMilli(ms).UTC(), CandidateID: p[2], EmployerID: p[3], StartDate: p[4]})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
