package placements

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

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

// A placement's list entry: "state|updated_ms|candidate|employer|start|wake_ms|vacancy"
// (wake: when the periodic job has something to do for it; 0 for never;
// vacancy: missing in entries written before it was added).
func placementEntry(p Placement) string {
	var wake int64
	if w := p.wake(); !w.IsZero() {
		wake = w.UnixMilli()
	}
	return strings.Join([]string{string(p.State), strconv.FormatInt(p.UpdatedAt.UnixMilli(), 10), string(p.CandidateID), string(p.EmployerID),
		p.StartDate.Format(time.DateOnly), strconv.FormatInt(wake, 10), string(p.VacancyID)}, "|")
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
		p := strings.SplitN(e, "|", 7)
		for len(p) < 7 {
			p = append(p, "")
		}
		ms, _ := strconv.ParseInt(p[1], 10, 64)
		out = append(out, PlacementSummary{ID: id, State: PlacementState(p[0]), UpdatedAt: time.UnixMilli(ms).UTC(), CandidateID: p[2], EmployerID: p[3], StartDate: p[4], VacancyID: p[6]})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// agendaHorizon is how many of a placement's next open check-ins its
// mentor's agenda holds (the periodic job and every write refresh it).
const agendaHorizon = 3

// An agenda entry ("p_…#n"): "due|grace_end|window_end|status|candidate|employer"
// (window_end: when a missed one drops off; empty for the last).
func agendaEntries(p Placement, today time.Time) map[string]string {
	out := map[string]string{}
	if p.State != Active || p.MentorID == "" {
		return out
	}
	open := 0
	for i, x := range p.Schedule {
		if x.CheckIn != 0 || closedOn(p.Schedule, i, today) {
			continue
		}
		if x.Status == DueOpen {
			if open == agendaHorizon {
				break
			}
			open++
		}
		end := ""
		if i+1 < len(p.Schedule) {
			end = p.Schedule[i+1].Date.AddDate(0, 0, -earlyDays).Format(time.DateOnly)
		}
		out[p.ID+"#"+strconv.Itoa(x.N)] = strings.Join([]string{x.Date.Format(time.DateOnly), x.graceEnd().Format(time.DateOnly), end,
			string(x.Status), string(p.CandidateID), string(p.EmployerID)}, "|")
	}
	return out
}

// An escalation's list entry ("p_…#n"): "state|raised_ms|kind|candidate|mentor".
func escalationEntries(p Placement) map[string]string {
	out := map[string]string{}
	for _, e := range p.Escalations {
		if e.State == EscClosed {
			continue
		}
		out[p.ID+"#"+strconv.Itoa(e.N)] = strings.Join([]string{string(e.State), strconv.FormatInt(e.RaisedAt.UnixMilli(), 10), string(e.Kind),
			string(p.CandidateID), string(p.MentorID)}, "|")
	}
	return out
}

// listMentoring writes p's entries in its mentor's agenda (clearing former
// mentors'), and its open escalations in its worker's list and the
// coordinators' one.
func (s *Store) listMentoring(ctx context.Context, p Placement, now time.Time) error {
	for _, m := range p.Mentors {
		if m != p.MentorID {
			if err := s.setEntries(ctx, "agenda:mentor:"+string(m), p.ID, nil); err != nil {
				return err
			}
		}
	}
	if p.MentorID != "" {
		if err := s.setEntries(ctx, "agenda:mentor:"+string(p.MentorID), p.ID, agendaEntries(p, day(now))); err != nil {
			return err
		}
	}
	es := escalationEntries(p)
	for _, owner := range []string{"escalation:worker:" + string(p.WorkerID), "escalation:all"} {
		if err := s.setEntries(ctx, owner, p.ID, es); err != nil {
			return err
		}
	}
	return nil
}

// placementsByID reads the listed placements, eight at a time.
func (s *Store) placementsByID(ctx context.Context, list []PlacementSummary) ([]Placement, error) {
	out := make([]Placement, len(list))
	errs := make([]error, len(list))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, x := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = s.placement(ctx, x.ID)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// template returns the named template, the default when none is stored.
func (s *Store) template(ctx context.Context, name string) (Template, error) {
	var t Template
	err := s.templates.FindOne(ctx, bson.M{"_id": name}).Decode(&t)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments) && name == "default":
		return DefaultTemplate(), nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return Template{}, apperr.Errorf(apperr.NotFound, "Template not found.")
	case err != nil:
		return Template{}, fmt.Errorf("template %s: %w", name, err)
	}
	t.UpdatedAt = t.UpdatedAt.UTC()
	return t, nil
}
