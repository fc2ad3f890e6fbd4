package placements

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// day is t's calendar day (UTC, as the placement's dates are).
func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// earlyDays is how long before its due date a check-in counts for it: a
// due check-in's window runs from 3 days before its date to 3 days before
// the next one's, so every date belongs to one window.
const earlyDays = 3

// window is the index of the due check-in whose window holds d (-1: before
// the first).
func window(sched []Due, d time.Time) int {
	i := -1
	for j, x := range sched {
		if !x.Date.AddDate(0, 0, -earlyDays).After(d) {
			i = j
		}
	}
	return i
}

// closedOn reports whether due check-in i's window is over on d.
func closedOn(sched []Due, i int, d time.Time) bool {
	return i+1 < len(sched) && !sched[i+1].Date.AddDate(0, 0, -earlyDays).After(d)
}

// overdueOn reports whether a check-in was overdue on d: since the last
// contact before d (an attended check-in), a check-in came due whose grace
// was over before d.
func (p Placement) overdueOn(d time.Time) bool {
	var last time.Time
	for _, c := range p.CheckIns {
		if c.Attended && !c.Date.After(d) && c.Date.After(last) {
			last = c.Date
		}
	}
	for _, x := range p.Schedule { // met ones whose check-in was archived
		if !x.DoneOn.IsZero() && !x.DoneOn.After(d) && x.DoneOn.After(last) {
			last = x.DoneOn
		}
	}
	for _, x := range p.Schedule {
		if x.graceEnd().Before(d) && x.Date.AddDate(0, 0, -earlyDays).After(last) {
			return true
		}
	}
	return false
}

// parseDay reads a YYYY-MM-DD field; required says whether it may be empty.
func parseDay(f *apperr.Fields, field, v string, required bool) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f.Add(field, "is required (YYYY-MM-DD)")
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// FollowUpInput is an agreed action.
type FollowUpInput struct {
	Text    string `json:"text"`
	DueDate string `json:"due_date"`
}

// CheckInInput is what a mentor records.
type CheckInInput struct {
	Date      string          `json:"date"`
	Mode      string          `json:"mode"`
	Attended  *bool           `json:"attended"`
	Wellbeing *int            `json:"wellbeing"`
	Work      *int            `json:"work"`
	Concerns  string          `json:"concerns"`
	RiskFlags []string        `json:"risk_flags"`
	Actions   []FollowUpInput `json:"actions"`
}

// checkIn validates in against placement p on today.
func (in CheckInInput) checkIn(p Placement, today time.Time) (CheckIn, error) {
	var f apperr.Fields
	c := CheckIn{RiskFlags: []string{}, Actions: []FollowUp{}}
	if d, ok := parseDay(&f, "date", in.Date, true); ok {
		switch {
		case d.After(today):
			f.Add("date", "must not be in the future")
		case d.Before(day(p.StartDate)):
			f.Add("date", "must not be before the placement's start date")
		}
		c.Date = d
	}
	switch {
	case in.Mode == "":
		f.Add("mode", "is required")
	case !contains(checkinModes, in.Mode):
		f.Add("mode", "must be one of "+strings.Join(checkinModes, ", "))
	}
	c.Mode = in.Mode
	if in.Attended == nil {
		f.Add("attended", "is required (true or false)")
	} else {
		c.Attended = *in.Attended
	}
	score := func(field string, v *int) int {
		switch {
		case v == nil && c.Attended:
			f.Add(field, "is required when the candidate attended (1 to 5)")
		case v == nil:
		case *v < 1 || *v > 5:
			f.Add(field, "must be between 1 and 5")
		case !c.Attended:
			f.Add(field, "is only given when the candidate attended")
		default:
			return *v
		}
		return 0
	}
	c.Wellbeing = score("wellbeing", in.Wellbeing)
	c.Work = score("work", in.Work)
	c.Concerns = f.Text("concerns", in.Concerns, 2000, false)
	c.RiskFlags = f.Codes("risk_flags", in.RiskFlags, riskFlags, false)
	if len(in.Actions) > 10 {
		f.Add("actions", "must have at most 10 entries")
	}
	for i, a := range in.Actions {
		if i >= 10 {
			break
		}
		field := fmt.Sprintf("actions[%d]", i)
		fu := FollowUp{Text: f.Text(field+".text", a.Text, 300, true)}
		if d, ok := parseDay(&f, field+".due_date", a.DueDate, true); ok {
			if !c.Date.IsZero() && d.Before(c.Date) {
				f.Add(field+".due_date", "must not be before the check-in's date")
			}
			if d.After(today.AddDate(1, 0, 0)) {
				f.Add(field+".due_date", "must be within a year")
			}
			fu.Due = d
		}
		c.Actions = append(c.Actions, fu)
	}
	if c.RiskFlags == nil {
		c.RiskFlags = []string{}
	}
	return c, f.Err()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// meet lets check-in c meet the due check-in whose window holds its date,
// if that one is not met yet (an attended contact only).
func meet(p *Placement, c *CheckIn) {
	c.Due = 0
	if !c.Attended {
		return
	}
	i := window(p.Schedule, c.Date)
	if i < 0 || p.Schedule[i].CheckIn != 0 {
		return
	}
	x := &p.Schedule[i]
	x.Status, x.CheckIn, x.DoneOn = DueOnTime, c.N, c.Date
	if c.Date.After(x.graceEnd()) {
		x.Status = DueLate
	}
	c.Due = x.N
}

// unmeet undoes what check-in n met (before it is edited).
func unmeet(p *Placement, n int, today time.Time) {
	for i := range p.Schedule {
		x := &p.Schedule[i]
		if x.CheckIn == n {
			x.CheckIn, x.DoneOn, x.Status = 0, time.Time{}, DueOpen
			if x.graceEnd().Before(today) {
				x.Status = DueMissed
			}
		}
	}
}

// raise adds an open escalation (its worker is told by the follow-up).
func (p *Placement) raise(e Escalation, at time.Time, text string) {
	p.EscSeq++
	e.N, e.State, e.RaisedAt = p.EscSeq, EscOpen, at
	p.Escalations = append(p.Escalations, e)
	p.notify(p.WorkerID, "placement.escalation", text)
	if len(p.Escalations) > keepEscalations { // drop the oldest closed ones
		kept := p.Escalations[:0]
		drop := len(p.Escalations) - keepEscalations
		for _, x := range p.Escalations {
			if drop > 0 && x.State == EscClosed {
				drop--
				continue
			}
			kept = append(kept, x)
		}
		p.Escalations = kept
	}
}

// The inbox texts of escalations (English; the web layer translates).
const (
	textMissed    = "A check-in of a placement on your caseload was missed."
	textWellbeing = "A candidate on your caseload scored low on wellbeing twice in a row."
	textRisk      = "A mentor flagged a risk at a check-in."
	// textNetworkContact goes to an exit trajectory's case manager.
	textNetworkContact = "A mentor flagged contact with the old network at a check-in of a candidate in an exit trajectory."
	textNoMentor       = "A placement on your caseload starts soon and has no mentor."
	textNote           = "The employer added a note from the workplace."
	textMilestone      = "A placement reached a retention milestone."
)

// escalateCheckIn raises what check-in c calls for: its risk flags (those
// not raised for it before), and low wellbeing at this and the previous
// attended check-in when no such escalation is open.
func (p *Placement) escalateCheckIn(c CheckIn, before []string, at time.Time) {
	var flags []string
	for _, r := range c.RiskFlags {
		if !contains(before, r) {
			flags = append(flags, r)
		}
	}
	if len(flags) > 0 {
		p.raise(Escalation{Kind: EscRiskFlag, CheckIn: c.N, Flags: flags}, at, textRisk)
		if contains(flags, "contact_old_network") {
			// At once to the case manager of an exit trajectory, if any
			// (the follow-up asks CaseManagerOf).
			p.notify(caseManager, "trajectory.network_contact", textNetworkContact)
		}
	}
	if !c.Attended || c.Wellbeing > 2 {
		return
	}
	var prev *CheckIn
	for i := range p.CheckIns {
		x := &p.CheckIns[i]
		if x.N == c.N || !x.Attended || x.Date.After(c.Date) || (x.Date.Equal(c.Date) && x.N > c.N) {
			continue
		}
		if prev == nil || x.Date.After(prev.Date) || (x.Date.Equal(prev.Date) && x.N > prev.N) {
			prev = x
		}
	}
	if prev == nil || prev.Wellbeing > 2 {
		return
	}
	for _, e := range p.Escalations {
		if e.Kind == EscLowWellbeing && e.State != EscClosed {
			return
		}
	}
	p.raise(Escalation{Kind: EscLowWellbeing, CheckIn: c.N}, at, textWellbeing)
}

// RecordCheckIn records a check-in on an active placement, by its mentor;
// it meets the due check-in whose window holds its date and raises the
// escalations it calls for.
// Errors: Unauthenticated, Forbidden, NotFound (not the mentor's), Invalid, Conflict (ended).
func (s *Service) RecordCheckIn(ctx context.Context, id string, in CheckInInput) (CheckIn, error) {
	var out CheckIn
	_, err := s.writeMentor(ctx, id, "checkin", func(a users.Actor, p *Placement) (map[string]string, error) {
		if p.State != Active {
			return nil, apperr.Errorf(apperr.Conflict, "This placement has ended.")
		}
		now := s.clock()
		c, err := in.checkIn(*p, day(now))
		if err != nil {
			return nil, err
		}
		p.CheckInSeq++
		c.N, c.By, c.RecordedAt = p.CheckInSeq, string(a.UserID), now
		meet(p, &c)
		p.CheckIns = append(p.CheckIns, c)
		p.escalateCheckIn(c, nil, now)
		if err := s.archiveOld(ctx, p); err != nil {
			return nil, err
		}
		out = c
		return map[string]string{"checkin": strconv.Itoa(c.N), "due": strconv.Itoa(c.Due), "attended": strconv.FormatBool(c.Attended)}, nil
	})
	return out, err
}

// EditCheckIn replaces a check-in within 24 hours of its recording, by the
// mentor who recorded it; the audit event keeps the earlier text.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too late, ended).
func (s *Service) EditCheckIn(ctx context.Context, id string, n int, in CheckInInput) (CheckIn, error) {
	var out CheckIn
	_, err := s.writeMentor(ctx, id, "checkin.edit", func(a users.Actor, p *Placement) (map[string]string, error) {
		k := -1
		for i, c := range p.CheckIns {
			if c.N == n {
				k = i
			}
		}
		if k < 0 {
			return nil, apperr.Errorf(apperr.NotFound, "Check-in not found.")
		}
		old := p.CheckIns[k]
		now := s.clock()
		if old.By != string(a.UserID) {
			return nil, apperr.Errorf(apperr.Forbidden, "Only the mentor who recorded a check-in may edit it.")
		}
		if now.Sub(old.RecordedAt) > 24*time.Hour {
			return nil, apperr.Errorf(apperr.Conflict, "A check-in can be edited for 24 hours after it was recorded.")
		}
		c, err := in.checkIn(*p, day(now))
		if err != nil {
			return nil, err
		}
		c.N, c.By, c.RecordedAt, c.EditedAt = old.N, old.By, old.RecordedAt, &now
		unmeet(p, n, day(now))
		meet(p, &c)
		p.CheckIns[k] = c
		p.escalateCheckIn(c, old.RiskFlags, now)
		before, _ := json.Marshal(struct {
			Date      string   `json:"date"`
			Mode      string   `json:"mode"`
			Attended  bool     `json:"attended"`
			Wellbeing int      `json:"wellbeing,omitempty"`
			Work      int      `json:"work,omitempty"`
			Concerns  string   `json:"concerns,omitempty"`
			RiskFlags []string `json:"risk_flags"`
		}{old.Date.Format(time.DateOnly), old.Mode, old.Attended, old.Wellbeing, old.Work, old.Concerns, old.RiskFlags})
		out = c
		return map[string]string{"checkin": strconv.Itoa(n), "due": strconv.Itoa(c.Due), "before": string(before)}, nil
	})
	return out, err
}

// writeMentor is a write by the placement's mentor (anyone else's
// placement is NotFound; another role's is Forbidden).
func (s *Service) writeMentor(ctx context.Context, id, op string, step func(a users.Actor, p *Placement) (map[string]string, error)) (Placement, error) {
	return s.writeAs(ctx, id, []users.Role{users.Mentor}, op, step)
}

// writeAs is writePlacement for a caller who may see the placement and has
// one of roles.
func (s *Service) writeAs(ctx context.Context, id string, roles []users.Role, op string, step func(a users.Actor, p *Placement) (map[string]string, error)) (Placement, error) {
	return s.writePlacement(ctx, id, func() (users.Actor, Placement, error) {
		a, p, err := s.ownPlacement(ctx, id)
		if err == nil && !a.Is(roles...) {
			err = apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
		}
		return a, p, err
	}, op, step)
}

// NoteInput is the employer's note from the workplace.
type NoteInput struct {
	Date        string `json:"date"`
	Attendance  string `json:"attendance"`
	Punctuality string `json:"punctuality"`
	Concerns    string `json:"concerns"`
}

// AddNote adds the employer's short workplace note to an active placement,
// for its mentor (who is told).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (ended).
func (s *Service) AddNote(ctx context.Context, id string, in NoteInput) (WorkNote, error) {
	var out WorkNote
	_, err := s.writeAs(ctx, id, []users.Role{users.Employer}, "note", func(a users.Actor, p *Placement) (map[string]string, error) {
		if p.State != Active {
			return nil, apperr.Errorf(apperr.Conflict, "This placement has ended.")
		}
		now := s.clock()
		var f apperr.Fields
		n := WorkNote{By: string(a.UserID), At: now}
		if d, ok := parseDay(&f, "date", in.Date, true); ok {
			if d.After(day(now)) {
				f.Add("date", "must not be in the future")
			} else if d.Before(day(p.StartDate)) {
				f.Add("date", "must not be before the placement's start date")
			}
			n.Date = d
		}
		for _, r := range []struct {
			field, v string
			to       *string
		}{{"attendance", in.Attendance, &n.Attendance}, {"punctuality", in.Punctuality, &n.Punctuality}} {
			if !contains(noteRatings, r.v) {
				f.Add(r.field, "must be one of "+strings.Join(noteRatings, ", "))
			}
			*r.to = r.v
		}
		n.Concerns = f.Text("concerns", in.Concerns, 500, false)
		if err := f.Err(); err != nil {
			return nil, err
		}
		p.NoteSeq++
		n.N = p.NoteSeq
		p.Notes = append(p.Notes, n)
		if len(p.Notes) > keepNotes {
			p.Notes = p.Notes[len(p.Notes)-keepNotes:]
		}
		p.notify(p.MentorID, "placement.note", textNote)
		out = n
		return map[string]string{"note": strconv.Itoa(n.N)}, nil
	})
	return out, err
}
