package circles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Audit actions of this package (consent steps use audit's consent actions).
const (
	ActionPartner = "partner.write"
	ActionCircle  = "circle.write"
)

// Outbox task kinds.
const (
	taskPartner = "partner"
	taskCircle  = "circle"
)

var (
	errClash           = apperr.Errorf(apperr.Conflict, "Someone else changed this at the same moment; try again.")
	errCircleNotFound  = apperr.Errorf(apperr.NotFound, "Circle not found.")
	errMemberNotFound  = apperr.Errorf(apperr.NotFound, "Membership not found.")
	errActionNotFound  = apperr.Errorf(apperr.NotFound, "Action not found.")
	errClosed          = apperr.Errorf(apperr.Conflict, "This circle is closed.")
	errUnchanged       = errors.New("unchanged")
	system             = users.Actor{UserID: "system", Role: "system"}
	listAll            = "circles:all"
	coordinatorsNotice = "coordinators"
)

// Service is the partners and circles service.
type Service struct {
	partners   *mongo.Collection
	kvk        *store.Keys // partner_kvk: one partner organisation per KvK number
	circles    *mongo.Collection
	lists      *mongo.Collection
	versions   *store.Versions
	locks      store.Locks
	writer     *store.Writer
	users      *users.Service
	candidates *candidates.Service
	placements *placements.Service
	places     *places.Table
	now        func() time.Time
	log        *slog.Logger
	// Notify sends an inbox message once per key (wired to the inbox).
	Notify func(ctx context.Context, user users.ID, key, kind, text, subject string) error
	// SafetyPlanOf gives the safety plan of a candidate's exit trajectory
	// (nil: none), for the safety purpose (wired to the exits service).
	SafetyPlanOf func(ctx context.Context, candidate string) (*SafetyPlan, error)
}

// NewService returns the service over db.
func NewService(db *mongo.Database, rec *audit.Recorder, ob *store.Outbox, us *users.Service, cs *candidates.Service, ps *placements.Service, tbl *places.Table, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{partners: db.Collection("partners"), kvk: store.NewKeys(db, "partner_kvk"), circles: db.Collection("circles"), lists: db.Collection("circle_lists"), versions: store.NewVersions(db),
		writer: store.NewWriter(ob, rec, nil), users: us, candidates: cs, placements: ps, places: tbl, now: now, log: slog.Default()}
	store.Handle(s.writer, taskPartner, s.followPartner)
	store.Handle(s.writer, taskCircle, s.followCircle)
	return s
}

// Collections names the service's collections (backup, erasure checks).
func (s *Service) Collections() []string {
	return []string{s.partners.Name(), s.kvk.Name(), s.circles.Name(), s.lists.Name()}
}

// SetLogger sets the logger of follow-ups deferred to the drain.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l; s.writer.SetLogger(l) }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// circle reads a circle; a missing one is NotFound.
func (s *Service) circle(ctx context.Context, id string) (Circle, error) {
	if !ids.Valid(id, "c_") {
		return Circle{}, errCircleNotFound
	}
	return store.ByID[Circle](ctx, s.circles, id, errCircleNotFound)
}

// loader reads the circle a write changes, with the actor it acts for.
type loader func(ctx context.Context) (users.Actor, Circle, error)

// change is a write's step: it changes the circle and returns the event's
// action (ActionCircle when empty) and details.
type change func(a users.Actor, c *Circle, now time.Time) (action string, details map[string]string, err error)

// write is the one audited write of a circle: load (the access check
// included), step, store.Do; a clash re-reads and re-applies the step.
// A circle's first write inserts it (its id is the candidate's: a second
// concurrent insert clashes and re-reads).
func (s *Service) write(ctx context.Context, id string, load loader, op string, step change) (Circle, error) {
	return store.RetryValue(ctx, s.writer, "circle:"+id, errClash, func(ctx context.Context) (Circle, error) {
		a, c, err := load(ctx)
		if err != nil {
			return Circle{}, err
		}
		now := s.clock()
		action, details, err := step(a, &c, now)
		if err != nil {
			return Circle{}, err
		}
		d := map[string]string{"op": op, "circle": c.ID, "state": string(c.State), "level": strconv.Itoa(c.Level)}
		for k, v := range details {
			d[k] = v
		}
		if action == "" {
			action = ActionCircle
		}
		err = store.Do(ctx, s.writer, store.Write[string]{
			Kind: taskCircle, Key: c.ID, Data: c.ID,
			Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: action, Subject: "candidate:" + c.ID, Details: d},
			Save: func(ctx context.Context, task string) error {
				for i := range c.Notices {
					if c.Notices[i].Task == "" {
						c.Notices[i].Task = task
					}
				}
				if len(c.Notices) > keepNotices {
					c.Notices = c.Notices[len(c.Notices)-keepNotices:]
				}
				c.Writes = c.Writes.With(task)
				from := c.Version
				c.Version, c.UpdatedAt = c.Version+1, now
				if from == 0 {
					c.CreatedAt = now
				}
				return store.SaveAt(ctx, s.versions, s.circles, c.ID, from, c)
			},
		})
		return c, err
	})
}

// followCircle is the circle task's follow-up: the lists of the worker,
// of every partner in it and of all circles, and the notices (idempotent).
func (s *Service) followCircle(ctx context.Context, t store.FollowUp[string]) (bool, error) {
	c, err := s.circle(ctx, t.Data)
	if landed, err := store.Landed(err, c.Writes, t.ID()); !landed {
		return false, err
	}
	if err := s.list(ctx, "worker:"+c.WorkerID, c.ID, workerEntry(c, s.clock())); err != nil {
		return false, err
	}
	seen := map[string]bool{}
	for _, m := range c.Members {
		if seen[m.Partner] {
			continue
		}
		seen[m.Partner] = true
		if err := s.list(ctx, "partner:"+m.Partner, c.ID, partnerEntry(c, m.Partner)); err != nil {
			return false, err
		}
	}
	if err := s.list(ctx, listAll, c.ID, allEntry(c)); err != nil {
		return false, err
	}
	for i, n := range c.Notices {
		if n.Task != t.ID() || s.Notify == nil {
			continue
		}
		to, err := s.recipients(ctx, n.To)
		if err != nil {
			return false, err
		}
		for j, u := range to {
			key := strings.ToLower(t.ID()) + "n" + strconv.Itoa(i) + "u" + strconv.Itoa(j)
			if err := s.Notify(ctx, u, key, n.Kind, n.Text, "circle:"+c.ID); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// recipients expands a notice's addressee.
func (s *Service) recipients(ctx context.Context, to string) ([]users.ID, error) {
	var us []users.User
	var err error
	switch {
	case to == coordinatorsNotice:
		us, err = s.users.Active(ctx, users.Coordinator)
	case strings.HasPrefix(to, "partner:"):
		us, err = s.users.OfPartner(ctx, strings.TrimPrefix(to, "partner:"))
	default:
		return []users.ID{users.ID(to)}, nil
	}
	out := make([]users.ID, 0, len(us))
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out, err
}

func (s *Service) list(ctx context.Context, owner, key, value string) error {
	return store.SetListEntry(ctx, s.versions, &s.locks, s.lists, owner, key, value)
}

// A worker's entry: "state|level|live members|open actions|overdue|updated_ms".
func workerEntry(c Circle, now time.Time) string {
	live, open, overdue := 0, 0, 0
	for _, m := range c.Members {
		if m.State.live() {
			live++
		}
	}
	for _, a := range c.Actions {
		if a.Status == ActionOpen {
			open++
			if a.overdue(now) {
				overdue++
			}
		}
	}
	return strings.Join([]string{string(c.State), strconv.Itoa(c.Level), strconv.Itoa(live), strconv.Itoa(open), strconv.Itoa(overdue), strconv.FormatInt(c.UpdatedAt.UnixMilli(), 10)}, "|")
}

// A partner's entry: "invited" or "accepted" (the most it has), empty
// (no entry) when it has neither or the circle is closed: a partner lists
// only the circles it may open.
func partnerEntry(c Circle, partner string) string {
	if c.State != Open {
		return ""
	}
	out := ""
	for _, m := range c.Members {
		if m.Partner != partner {
			continue
		}
		switch m.State {
		case Accepted:
			return string(Accepted)
		case Invited:
			out = string(Invited)
		}
	}
	return out
}

// The all-circles entry: "state|wake_ms" (wake: the next escalation due; 0 none).
func allEntry(c Circle) string {
	var wake int64
	if w := c.wake(); !w.IsZero() {
		wake = w.UnixMilli()
	}
	return string(c.State) + "|" + strconv.FormatInt(wake, 10)
}

// EraseCandidate deletes an erased candidate's circle and its list
// entries (the erasure's follow-up; idempotent).
// Errors: the database's.
func (s *Service) EraseCandidate(ctx context.Context, id string) error {
	c, err := s.circle(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	owners := []string{"worker:" + c.WorkerID, listAll}
	for _, m := range c.Members {
		owners = append(owners, "partner:"+m.Partner)
	}
	for _, o := range owners {
		if err := s.list(ctx, o, c.ID, ""); err != nil {
			return err
		}
	}
	if _, err := s.circles.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("delete circle %s: %w", id, err)
	}
	return nil
}

// LeaveRegion ends the live memberships of partner organisations outside
// province (a case moved to another region: the old region's partners
// leave the circle; the exits service's follow-up). Idempotent.
// Errors: the write's.
func (s *Service) LeaveRegion(ctx context.Context, id, province string) error {
	_, err := s.write(ctx, id, func(ctx context.Context) (users.Actor, Circle, error) {
		c, err := s.circle(ctx, id)
		return system, c, err
	}, "leave_region", func(_ users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		ended := 0
		for i := range c.Members {
			m := &c.Members[i]
			if !m.State.live() {
				continue
			}
			p, err := s.partner(ctx, m.Partner)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return "", nil, err
			}
			if err == nil && p.Province == province {
				continue
			}
			if m.State != AwaitingConsent {
				c.notify("partner:"+m.Partner, "circle.ended", textEnded)
			}
			m.State, m.Reason, m.DecidedBy, m.DecidedAt = Ended, "the case moved to another region", "system", &now
			ended++
		}
		if ended == 0 {
			return "", nil, errUnchanged
		}
		return "", map[string]string{"ended": strconv.Itoa(ended), "province": province}, nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}
