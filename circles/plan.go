package circles

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ActionInput is a new action of the joint plan.
type ActionInput struct {
	Purpose    string `json:"purpose"`
	Title      string `json:"title"`
	Owner      string `json:"owner"`  // a partner id in the circle for the purpose, or "worker"; a partner's own when it adds one
	Person     string `json:"person"` // optional: the owner's person, by name
	DueDate    string `json:"due_date"`
	ReviewDate string `json:"review_date"`
}

// checked is an action input's fields, read without the circle.
func (in ActionInput) checked(f *apperr.Fields, prefix string, now time.Time) Action {
	a := Action{Purpose: Purpose(in.Purpose), Title: f.Text(prefix+"title", in.Title, 300, true), Owner: strings.TrimSpace(in.Owner),
		Person: f.Text(prefix+"person", in.Person, 100, false), Status: ActionOpen}
	if !slices.Contains(Purposes, a.Purpose) {
		f.Add(prefix+"purpose", "must be one of work, housing, care, debt, safety")
	}
	if d, ok := parseDay(f, prefix+"due_date", in.DueDate, true); ok {
		if d.Before(day(now)) {
			f.Add(prefix+"due_date", "must not be in the past")
		}
		a.Due = d
	}
	if d, ok := parseDay(f, prefix+"review_date", in.ReviewDate, false); ok {
		if d.Before(day(now)) {
			f.Add(prefix+"review_date", "must not be in the past")
		}
		a.Review = &d
	}
	return a
}

func parseDay(f *apperr.Fields, field, s string, required bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			f.Add(field, "is required")
		}
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		f.Add(field, "must be a date such as 2026-03-31")
		return time.Time{}, false
	}
	return d, true
}

// ownerValid reports whether owner may own an action of purpose in c: the
// worker, or a partner accepted in the circle for that purpose.
func (c Circle) ownerValid(owner string, purpose Purpose) bool {
	if owner == OwnerWorker {
		return true
	}
	for _, m := range c.Members {
		if m.Partner == owner && m.Purpose == purpose && m.State == Accepted {
			return true
		}
	}
	return false
}

// purposesOf returns the purposes a partner is accepted for.
func (c Circle) purposesOf(partner string) []Purpose {
	var out []Purpose
	for _, m := range c.accepted(partner) {
		if !slices.Contains(out, m.Purpose) {
			out = append(out, m.Purpose)
		}
	}
	return out
}

// AddAction adds an action to the joint plan: the worker for any purpose
// and owner in the circle, a partner for its own purposes and itself.
// The owner is told.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, full).
func (s *Service) AddAction(ctx context.Context, id string, in ActionInput) (Action, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Partner)
	if err != nil {
		return Action{}, err
	}
	var f apperr.Fields
	now := s.clock()
	act := in.checked(&f, "", now)
	invalid := f.Err()
	load := s.asWorker(id, false)
	if a.Is(users.Partner) {
		load = s.asPartner(id)
	}
	_, err = s.write(ctx, id, load, "action_add", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		if a.Is(users.Partner) {
			if !slices.Contains(c.purposesOf(a.PartnerID), act.Purpose) && invalid == nil {
				return "", nil, apperr.InvalidField("purpose", "is not a purpose your organisation is in this circle for")
			}
			if act.Owner == "" {
				act.Owner = a.PartnerID
			}
			if act.Owner != a.PartnerID && invalid == nil {
				return "", nil, apperr.InvalidField("owner", "a partner adds actions of its own")
			}
		}
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		if act.Owner == "" {
			return "", nil, apperr.InvalidField("owner", "is required")
		}
		if !c.ownerValid(act.Owner, act.Purpose) {
			return "", nil, apperr.InvalidField("owner", "must be worker or an organisation accepted in this circle for the purpose")
		}
		if len(c.Actions) >= maxActions {
			return "", nil, apperr.Errorf(apperr.Conflict, "This plan has as many actions as it may have.")
		}
		c.addAction(&act, a, now)
		return "", map[string]string{"action": strconv.Itoa(act.N), "purpose": string(act.Purpose), "owner": act.Owner}, nil
	})
	return act, err
}

// addAction numbers an action, stamps it and tells its owner.
func (c *Circle) addAction(act *Action, a users.Actor, now time.Time) {
	act.N = len(c.Actions) + 1
	if n := len(c.Actions); n > 0 && c.Actions[n-1].N >= act.N {
		act.N = c.Actions[n-1].N + 1
	}
	act.CreatedBy, act.CreatedAt, act.UpdatedAt = string(a.UserID), now, now
	c.Actions = append(c.Actions, *act)
	if act.Owner != OwnerWorker && !(a.Is(users.Partner) && a.PartnerID == act.Owner) {
		c.notify("partner:"+act.Owner, "circle.action", "A joint plan has a new action for your organisation.")
	}
}

// ActionUpdate changes an action's status or note.
type ActionUpdate struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// UpdateAction sets an action's status (open, done; cancelled by the
// worker only) and note: the worker any action, a partner the actions it
// owns of its purposes.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) UpdateAction(ctx context.Context, id string, n int, in ActionUpdate) (Action, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Partner)
	if err != nil {
		return Action{}, err
	}
	var f apperr.Fields
	status := ActionStatus(in.Status)
	if !slices.Contains([]ActionStatus{ActionOpen, ActionDone, ActionCancelled}, status) {
		f.Add("status", "must be one of open, done, cancelled")
	}
	note := f.Text("note", in.Note, 1000, false)
	invalid := f.Err()
	load := s.asWorker(id, false)
	if a.Is(users.Partner) {
		load = s.asPartner(id)
	}
	var out Action
	_, err = s.write(ctx, id, load, "action_update", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		act := c.action(n)
		if act == nil || (a.Is(users.Partner) && (act.Owner != a.PartnerID || !slices.Contains(c.purposesOf(a.PartnerID), act.Purpose))) {
			return "", nil, errActionNotFound
		}
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		if status == ActionCancelled && a.Is(users.Partner) {
			return "", nil, apperr.InvalidField("status", "only the probation worker cancels an action")
		}
		act.Status, act.UpdatedBy, act.UpdatedAt = status, string(a.UserID), now
		if note != "" {
			act.Note = note
		}
		act.DoneAt = nil
		if status == ActionDone {
			act.DoneAt = &now
		}
		if a.Is(users.Partner) && status == ActionDone {
			c.notify(c.WorkerID, "circle.action", "A partner organisation completed an action of a joint plan.")
		}
		out = *act
		return "", map[string]string{"action": strconv.Itoa(n), "status": string(status)}, nil
	})
	return out, err
}

// LevelInput scales a circle up or down.
type LevelInput struct {
	Level  int    `json:"level"`
	Reason string `json:"reason"`
}

// SetLevel moves an open circle to another level (1 regular, 2
// multi-agency, 3 conference-led), a decision with a reason (the worker).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, same level).
func (s *Service) SetLevel(ctx context.Context, id string, in LevelInput) (LevelChange, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return LevelChange{}, err
	}
	var f apperr.Fields
	if in.Level < LevelRegular || in.Level > LevelConf {
		f.Add("level", "must be 1 (regular), 2 (multi-agency) or 3 (conference-led)")
	}
	reason := f.Text("reason", in.Reason, 1000, true)
	invalid := f.Err()
	var out LevelChange
	_, err := s.write(ctx, id, s.asWorker(id, false), "level", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		if c.Level == in.Level {
			return "", nil, apperr.Errorf(apperr.Conflict, "The circle is at this level already.")
		}
		out = LevelChange{From: c.Level, To: in.Level, Reason: reason, By: string(a.UserID), At: now}
		c.Levels = append(c.Levels, out)
		c.Level = in.Level
		return "", map[string]string{"from": strconv.Itoa(out.From)}, nil
	})
	return out, err
}

// CloseInput closes a circle.
type CloseInput struct {
	ExitPoint string `json:"exit_point"`
	Note      string `json:"note"`
}

// Close closes an open circle at an exit point: every membership ends,
// open actions are cancelled, and no partner sees it any more.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) Close(ctx context.Context, id string, in CloseInput) (Exit, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return Exit{}, err
	}
	var f apperr.Fields
	if !slices.Contains(ExitPoints, in.ExitPoint) {
		f.Add("exit_point", "must be one of "+strings.Join(ExitPoints, ", "))
	}
	note := f.Text("note", in.Note, 1000, in.ExitPoint == "other")
	invalid := f.Err()
	var out Exit
	_, err := s.write(ctx, id, s.asWorker(id, false), "close", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		out = Exit{Point: in.ExitPoint, Note: note, By: string(a.UserID), At: now}
		c.State, c.Exit = Closed, &out
		told := map[string]bool{}
		for i := range c.Members {
			m := &c.Members[i]
			if !m.State.live() {
				continue
			}
			if m.State != AwaitingConsent && !told[m.Partner] {
				told[m.Partner] = true
				c.notify("partner:"+m.Partner, "circle.ended", textEnded)
			}
			m.State, m.Reason, m.DecidedBy, m.DecidedAt = Ended, "circle closed", string(a.UserID), &now
		}
		for i := range c.Actions {
			if c.Actions[i].Status == ActionOpen {
				c.Actions[i].Status, c.Actions[i].UpdatedAt, c.Actions[i].UpdatedBy = ActionCancelled, now, string(a.UserID)
			}
		}
		return "", map[string]string{"exit_point": out.Point}, nil
	})
	return out, err
}

// ConferenceInput records a case conference.
type ConferenceInput struct {
	Date         string   `json:"date"`
	Participants []string `json:"participants"` // partner ids accepted in the circle
	Topics       []struct {
		Purpose string `json:"purpose"`
		Notes   string `json:"notes"`
	} `json:"topics"`
	Decisions []ActionInput `json:"decisions"` // each becomes a plan action
	Dissent   []struct {
		PartnerID string `json:"partner_id"`
		Purpose   string `json:"purpose"`
		Text      string `json:"text"`
	} `json:"dissent"`
}

// AddConference records a case conference (the worker): its participants
// (organisations accepted in the circle), what was discussed per purpose,
// decisions with owners — each becomes a plan action — and dissent.
// Participants see it within their purposes' slice.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, full).
func (s *Service) AddConference(ctx context.Context, id string, in ConferenceInput) (Conference, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return Conference{}, err
	}
	var f apperr.Fields
	now := s.clock()
	conf := Conference{Participants: []string{}, Topics: []Topic{}, Decisions: []Decided{}, Dissent: []Dissent{}}
	if d, ok := parseDay(&f, "date", in.Date, true); ok {
		if d.After(day(now)) {
			f.Add("date", "must not be in the future")
		}
		conf.Date = d
	}
	switch {
	case len(in.Participants) == 0:
		f.Add("participants", "at least one partner organisation took part")
	case len(in.Participants) > maxMembers:
		f.Addf("participants", "must have at most %d entries", maxMembers)
	}
	if len(in.Topics) > 20 || len(in.Decisions) > 20 || len(in.Dissent) > 20 {
		f.Add("topics", "at most 20 topics, 20 decisions and 20 dissents")
	}
	for i, t := range in.Topics {
		p := "topics[" + strconv.Itoa(i) + "]."
		if !slices.Contains(Purposes, Purpose(t.Purpose)) {
			f.Add(p+"purpose", "must be one of work, housing, care, debt, safety")
		}
		conf.Topics = append(conf.Topics, Topic{Purpose: Purpose(t.Purpose), Notes: f.Text(p+"notes", t.Notes, 4000, true)})
	}
	var decided []Action
	for i, d := range in.Decisions {
		decided = append(decided, d.checked(&f, "decisions["+strconv.Itoa(i)+"].", now))
	}
	for i, d := range in.Dissent {
		p := "dissent[" + strconv.Itoa(i) + "]."
		if !slices.Contains(Purposes, Purpose(d.Purpose)) {
			f.Add(p+"purpose", "must be one of work, housing, care, debt, safety")
		}
		conf.Dissent = append(conf.Dissent, Dissent{Partner: strings.TrimSpace(d.PartnerID), Purpose: Purpose(d.Purpose), Text: f.Text(p+"text", d.Text, 2000, true)})
	}
	invalid := f.Err()
	_, err := s.write(ctx, id, s.asWorker(id, false), "conference", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		var f apperr.Fields
		for i, pid := range in.Participants {
			if len(c.purposesOf(pid)) == 0 {
				f.Add("participants["+strconv.Itoa(i)+"]", "is not an organisation accepted in this circle")
			} else if !slices.Contains(conf.Participants, pid) {
				conf.Participants = append(conf.Participants, pid)
			}
		}
		for i, d := range decided {
			if d.Owner == "" || !c.ownerValid(d.Owner, d.Purpose) {
				f.Add("decisions["+strconv.Itoa(i)+"].owner", "must be worker or an organisation accepted in this circle for the purpose")
			}
		}
		for i, d := range conf.Dissent {
			if !slices.Contains(conf.Participants, d.Partner) {
				f.Add("dissent["+strconv.Itoa(i)+"].partner_id", "must be one of the participants")
			}
		}
		if err := f.Err(); err != nil {
			return "", nil, err
		}
		if len(c.Conferences) >= maxConferences || len(c.Actions)+len(decided) > maxActions {
			return "", nil, apperr.Errorf(apperr.Conflict, "This circle has as many conferences or actions as it may have.")
		}
		conf.N = len(c.Conferences) + 1
		conf.By, conf.At = string(a.UserID), now
		for i := range decided {
			decided[i].Conference = conf.N
			c.addAction(&decided[i], a, now)
			conf.Decisions = append(conf.Decisions, Decided{Purpose: decided[i].Purpose, Text: decided[i].Title, Owner: decided[i].Owner, Action: decided[i].N})
		}
		c.Conferences = append(c.Conferences, conf)
		for _, pid := range conf.Participants {
			c.notify("partner:"+pid, "circle.conference", textConference)
		}
		return "", map[string]string{"conference": strconv.Itoa(conf.N), "participants": strings.Join(conf.Participants, ",")}, nil
	})
	return conf, err
}

// The escalation ladder of an overdue action: its owner the day after the
// due date, the worker a week later, the worker's team lead (the
// coordinators: the platform has no teams) two weeks after.
var rungs = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour}

// next is when the action's next rung is due (zero: none).
func (a Action) next() time.Time {
	if a.Status != ActionOpen || a.Rung >= len(rungs) {
		return time.Time{}
	}
	return a.Due.Add(rungs[a.Rung])
}

// wake is when the escalation job has something to do for the circle.
func (c Circle) wake() time.Time {
	var w time.Time
	if c.State != Open {
		return w
	}
	for _, a := range c.Actions {
		if n := a.next(); !n.IsZero() && (w.IsZero() || n.Before(w)) {
			w = n
		}
	}
	return w
}

// escalate climbs the ladder of every overdue action; changed says whether
// any climbed.
func (c *Circle) escalate(now time.Time) bool {
	changed := false
	for i := range c.Actions {
		a := &c.Actions[i]
		for n := a.next(); !n.IsZero() && !now.Before(n); n = a.next() {
			a.Rung++
			changed = true
			switch a.Rung {
			case 1:
				to := "partner:" + a.Owner
				if a.Owner == OwnerWorker {
					to = c.WorkerID
				}
				c.notify(to, "circle.overdue", textActionDue)
			case 2:
				c.notify(c.WorkerID, "circle.overdue", textActionLate)
			case 3:
				c.notify(coordinatorsNotice, "circle.overdue", textActionLead)
			}
		}
	}
	return changed
}

// Escalate runs the escalation ladder once over the open circles whose
// next rung is due; it returns how many circles changed.
// Errors: the database's, joined.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	es, err := store.ListEntries(ctx, s.lists, listAll)
	if err != nil {
		return 0, err
	}
	now := s.clock()
	n := 0
	var errs []error
	for id, e := range es {
		st, w, _ := strings.Cut(e, "|")
		ms, _ := strconv.ParseInt(w, 10, 64)
		if CircleState(st) != Open || ms == 0 || time.UnixMilli(ms).After(now) {
			continue
		}
		_, err := s.write(ctx, id, func(ctx context.Context) (users.Actor, Circle, error) {
			c, err := s.circle(ctx, id)
			return system, c, err
		}, "escalate", func(_ users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
			if !c.escalate(now) {
				return "", nil, errUnchanged
			}
			return "", nil, nil
		})
		switch {
		case errors.Is(err, errUnchanged):
		case err != nil:
			errs = append(errs, err)
		default:
			n++
		}
	}
	return n, errors.Join(errs...)
}
