package placements

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// archiveOld moves the check-ins beyond the newest keepCheckIns to the
// archive, one document each (inserted before the placement drops them:
// a write that then fails leaves a copy, never a gap).
func (s *Service) archiveOld(ctx context.Context, p *Placement) error {
	for len(p.CheckIns) > keepCheckIns {
		c := p.CheckIns[0]
		doc := struct {
			ID        string  `bson:"_id"`
			Placement string  `bson:"placement"`
			CheckIn   CheckIn `bson:"checkin"`
		}{p.ID + "#" + strconv.Itoa(c.N), p.ID, c}
		if _, err := s.store.archive.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("archive check-in %s: %w", doc.ID, err)
		}
		p.CheckIns = p.CheckIns[1:]
	}
	return nil
}

// AgendaItem is one due check-in on a mentor's agenda.
type AgendaItem struct {
	PlacementID string    `json:"placement_id"`
	N           int       `json:"n"`
	DueDate     string    `json:"due_date"`
	GraceEnd    string    `json:"grace_end"`
	Missed      bool      `json:"missed"`
	CandidateID string    `json:"candidate_id"`
	EmployerID  string    `json:"employer_id"`
	due         time.Time // for sorting
}

// Agenda is a mentor's due check-ins across all their placements.
type Agenda struct {
	Today    string       `json:"today"`
	Overdue  []AgendaItem `json:"overdue"`   // past the due date, not met (missed: past the grace period too)
	DueToday []AgendaItem `json:"due_today"` // due today
	ThisWeek []AgendaItem `json:"this_week"` // due in the next 7 days
}

// Agenda returns the caller's agenda (mentors), from one document.
// Errors: Unauthenticated, Forbidden.
func (s *Service) Agenda(ctx context.Context) (Agenda, error) {
	a, err := users.RequireRole(ctx, users.Mentor)
	if err != nil {
		return Agenda{}, err
	}
	return s.agendaOf(ctx, a.UserID)
}

// DueCheckIns returns the check-ins of mentor's agenda that are due
// tomorrow and those overdue, for the reminders job (ids and dates only,
// no disclosure); never for a request.
func (s *Service) DueCheckIns(ctx context.Context, mentor users.ID) (tomorrow, overdue []AgendaItem, err error) {
	ag, err := s.agendaOf(ctx, mentor)
	if err != nil {
		return nil, nil, err
	}
	next := day(s.clock()).AddDate(0, 0, 1).Format(time.DateOnly)
	for _, it := range ag.ThisWeek {
		if it.DueDate == next {
			tomorrow = append(tomorrow, it)
		}
	}
	return tomorrow, ag.Overdue, nil
}

func (s *Service) agendaOf(ctx context.Context, mentor users.ID) (Agenda, error) {
	es, err := s.store.entries(ctx, "agenda:mentor:"+string(mentor))
	if err != nil {
		return Agenda{}, err
	}
	today := day(s.clock())
	out := Agenda{Today: today.Format(time.DateOnly), Overdue: []AgendaItem{}, DueToday: []AgendaItem{}, ThisWeek: []AgendaItem{}}
	for key, e := range es {
		f := strings.Split(e, "|")
		if len(f) < 6 {
			continue
		}
		pid, n, _ := strings.Cut(key, "#")
		due, err1 := time.Parse(time.DateOnly, f[0])
		grace, err2 := time.Parse(time.DateOnly, f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		if end, err := time.Parse(time.DateOnly, f[2]); err == nil && !end.After(today) {
			continue // its window is over; the next one counts now
		}
		num, _ := strconv.Atoi(n)
		it := AgendaItem{PlacementID: pid, N: num, DueDate: f[0], GraceEnd: f[1], Missed: grace.Before(today), CandidateID: f[4], EmployerID: f[5], due: due}
		switch {
		case due.Before(today):
			out.Overdue = append(out.Overdue, it)
		case due.Equal(today):
			out.DueToday = append(out.DueToday, it)
		case !due.After(today.AddDate(0, 0, 7)):
			out.ThisWeek = append(out.ThisWeek, it)
		}
	}
	for _, l := range [][]AgendaItem{out.Overdue, out.DueToday, out.ThisWeek} {
		sort.Slice(l, func(i, j int) bool {
			if !l[i].due.Equal(l[j].due) {
				return l[i].due.Before(l[j].due)
			}
			return l[i].PlacementID < l[j].PlacementID
		})
	}
	return out, nil
}

// EscalationSummary is one line of an escalation list.
type EscalationSummary struct {
	PlacementID string          `json:"placement_id"`
	N           int             `json:"n"`
	State       EscalationState `json:"state"`
	Kind        EscalationKind  `json:"kind"`
	RaisedAt    time.Time       `json:"raised_at"`
	CandidateID string          `json:"candidate_id"`
	MentorID    string          `json:"mentor_id,omitempty"`
}

// Escalations lists the open and acknowledged escalations of the caller's
// caseload (probation workers) or of all placements (coordinators), oldest
// first. Errors: Unauthenticated, Forbidden.
func (s *Service) Escalations(ctx context.Context) ([]EscalationSummary, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Coordinator)
	if err != nil {
		return nil, err
	}
	owner := "escalation:all"
	if a.Is(users.ProbationWorker) {
		owner = "escalation:worker:" + string(a.UserID)
	}
	es, err := s.store.entries(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := make([]EscalationSummary, 0, len(es))
	for key, e := range es {
		f := strings.SplitN(e, "|", 5)
		if len(f) < 5 {
			continue
		}
		pid, n, _ := strings.Cut(key, "#")
		num, _ := strconv.Atoi(n)
		ms, _ := strconv.ParseInt(f[1], 10, 64)
		out = append(out, EscalationSummary{PlacementID: pid, N: num, State: EscalationState(f[0]), RaisedAt: time.UnixMilli(ms).UTC(), Kind: EscalationKind(f[2]),
			CandidateID: f[3], MentorID: f[4]})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RaisedAt.Equal(out[j].RaisedAt) {
			return out[i].RaisedAt.Before(out[j].RaisedAt)
		}
		if out[i].PlacementID != out[j].PlacementID {
			return out[i].PlacementID < out[j].PlacementID
		}
		return out[i].N < out[j].N
	})
	return out, nil
}

// EscalationInput closes an escalation with the action taken.
type EscalationInput struct {
	Action string `json:"action"`
}

// Acknowledge and Close are the worker's steps on an escalation of their
// caseload: acknowledged (seen), then closed with the action taken (an
// open one may be closed at once).
// Errors: Unauthenticated, Forbidden (not the worker), NotFound, Invalid, Conflict (closed).
func (s *Service) Acknowledge(ctx context.Context, id string, n int) (Escalation, error) {
	return s.escalationStep(ctx, id, n, "escalation.acknowledge", func(a users.Actor, e *Escalation, now time.Time) error {
		if e.State != EscOpen {
			return apperr.Errorf(apperr.Conflict, "This escalation was acknowledged already.")
		}
		e.State, e.AckBy, e.AckAt = EscAcknowledged, string(a.UserID), &now
		return nil
	})
}

// Close closes an escalation with the action taken; see Acknowledge.
func (s *Service) Close(ctx context.Context, id string, n int, in EscalationInput) (Escalation, error) {
	return s.escalationStep(ctx, id, n, "escalation.close", func(a users.Actor, e *Escalation, now time.Time) error {
		var f apperr.Fields
		action := f.Text("action", in.Action, 1000, true)
		if err := f.Err(); err != nil {
			return err
		}
		if e.State == EscClosed {
			return apperr.Errorf(apperr.Conflict, "This escalation is closed already.")
		}
		if e.AckAt == nil {
			e.AckBy, e.AckAt = string(a.UserID), &now
		}
		e.State, e.ClosedBy, e.ClosedAt, e.Action = EscClosed, string(a.UserID), &now, action
		return nil
	})
}

func (s *Service) escalationStep(ctx context.Context, id string, n int, op string, step func(a users.Actor, e *Escalation, now time.Time) error) (Escalation, error) {
	var out Escalation
	_, err := s.writeAs(ctx, id, []users.Role{users.ProbationWorker}, op, func(a users.Actor, p *Placement) (map[string]string, error) {
		for i := range p.Escalations {
			if p.Escalations[i].N == n {
				if err := step(a, &p.Escalations[i], s.clock()); err != nil {
					return nil, err
				}
				out = p.Escalations[i]
				return map[string]string{"escalation": strconv.Itoa(n), "kind": string(out.Kind)}, nil
			}
		}
		return nil, apperr.Errorf(apperr.NotFound, "Escalation not found.")
	})
	return out, err
}
