package exits

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
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ActionTrajectory is the audit action of a trajectory write. Its details
// never name a network entry: counts and numbers only.
const ActionTrajectory = "trajectory.write"

const taskTrajectory = "trajectory"

var (
	errClash    = apperr.Errorf(apperr.Conflict, "Someone else changed this at the same moment; try again.")
	errNotFound = apperr.Errorf(apperr.NotFound, "Trajectory not found.")
	errClosed   = apperr.Errorf(apperr.Conflict, "This trajectory is closed.")
	errSame     = errors.New("unchanged")
	system      = users.Actor{UserID: "system", Role: "system"}
	listAll     = "exits:all"
)

// Service is the exit trajectories' service.
type Service struct {
	coll       *mongo.Collection
	lists      *mongo.Collection
	versions   *store.Versions
	locks      store.Locks
	writer     *store.Writer
	users      *users.Service
	candidates *candidates.Service
	employers  *employers.Service
	circles    *circles.Service
	placements *placements.Service
	places     *places.Table
	now        func() time.Time
	log        *slog.Logger
	// Notify sends an inbox message once per key (wired to the inbox).
	Notify func(ctx context.Context, user users.ID, key, kind, text, subject string) error
}

// NewService returns the service over db.
func NewService(db *mongo.Database, rec *audit.Recorder, ob *store.Outbox, us *users.Service, cs *candidates.Service, es *employers.Service, cc *circles.Service, ps *placements.Service, tbl *places.Table, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{coll: db.Collection("trajectories"), lists: db.Collection("trajectory_lists"), versions: store.NewVersions(db), writer: store.NewWriter(ob, rec, nil),
		users: us, candidates: cs, employers: es, circles: cc, placements: ps, places: tbl, now: now, log: slog.Default()}
	store.Handle(s.writer, taskTrajectory, s.follow)
	return s
}

// Collections names the service's collections.
func (s *Service) Collections() []string { return []string{s.coll.Name(), s.lists.Name()} }

// SetLogger sets the logger of follow-ups deferred to the drain.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l; s.writer.SetLogger(l) }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func (s *Service) trajectory(ctx context.Context, id string) (Trajectory, error) {
	if !ids.Valid(id, "c_") {
		return Trajectory{}, errNotFound
	}
	return store.ByID[Trajectory](ctx, s.coll, id, errNotFound)
}

type loader func(ctx context.Context) (users.Actor, Trajectory, error)

// asOwner loads the trajectory of a candidate of the acting worker's
// caseload (a new one with create).
func (s *Service) asOwner(id string, create bool) loader {
	return func(ctx context.Context) (users.Actor, Trajectory, error) {
		a, err := users.RequireRole(ctx, users.ProbationWorker)
		if err != nil {
			return users.Actor{}, Trajectory{}, err
		}
		if _, err := s.candidates.LoadOwn(ctx, candidates.ID(id)); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return users.Actor{}, Trajectory{}, errNotFound
			}
			return users.Actor{}, Trajectory{}, err
		}
		t, err := s.trajectory(ctx, id)
		if apperr.Is(err, apperr.NotFound) && create {
			return a, Trajectory{ID: id, WorkerID: string(a.UserID), CaseManager: string(a.UserID), Phases: []PhaseEntry{}, Reviews: []Review{},
				Network: []Entry{}, Safety: SafetyPlan{Risks: []string{}, Measures: []string{}, Contacts: []Contact{}}, Relatives: []string{},
				Transfers: []Transfer{}, Notices: []Notice{}}, nil
		}
		if err != nil {
			return users.Actor{}, Trajectory{}, err
		}
		t.WorkerID = string(a.UserID)
		return a, t, nil
	}
}

// asReceiver loads a trajectory whose pending transfer names the acting
// worker.
func (s *Service) asReceiver(id string) loader {
	return func(ctx context.Context) (users.Actor, Trajectory, error) {
		a, err := users.RequireRole(ctx, users.ProbationWorker)
		if err != nil {
			return users.Actor{}, Trajectory{}, err
		}
		t, err := s.trajectory(ctx, id)
		if err != nil {
			return users.Actor{}, Trajectory{}, err
		}
		if t.Transfer == nil || t.Transfer.State != "pending" || t.Transfer.To != string(a.UserID) {
			return users.Actor{}, Trajectory{}, errNotFound
		}
		return a, t, nil
	}
}

type change func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error)

// write is the one audited write of a trajectory (store.Do under Retry).
func (s *Service) write(ctx context.Context, id string, load loader, op string, step change) (Trajectory, error) {
	return store.RetryValue(ctx, s.writer, "trajectory:"+id, errClash, func(ctx context.Context) (Trajectory, error) {
		a, t, err := load(ctx)
		if err != nil {
			return Trajectory{}, err
		}
		now := s.clock()
		details, err := step(a, &t, now)
		if err != nil {
			return Trajectory{}, err
		}
		d := map[string]string{"op": op, "state": t.State, "phase": string(t.Phase)}
		for k, v := range details {
			d[k] = v
		}
		err = store.Do(ctx, s.writer, store.Write[string]{
			Kind: taskTrajectory, Key: t.ID, Data: t.ID,
			Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionTrajectory, Subject: "candidate:" + t.ID, Details: d},
			Save: func(ctx context.Context, task string) error {
				for i := range t.Notices {
					if t.Notices[i].Task == "" {
						t.Notices[i].Task = task
					}
				}
				if len(t.Notices) > keepNotices {
					t.Notices = t.Notices[len(t.Notices)-keepNotices:]
				}
				t.Writes = t.Writes.With(task)
				from := t.Version
				t.Version, t.UpdatedAt = t.Version+1, now
				return store.SaveAt(ctx, s.versions, s.coll, t.ID, from, t)
			},
		})
		return t, err
	})
}

// follow is a trajectory write's follow-up: the candidate's network rules
// and destination (candidates.SetNetwork), an accepted transfer carried
// out (the caseload, the circle's partners outside the destination
// region), the lists, the notices. Idempotent.
func (s *Service) follow(ctx context.Context, f store.FollowUp[string]) (bool, error) {
	t, err := s.trajectory(ctx, f.Data)
	if landed, err := store.Landed(err, t.Writes, f.ID()); !landed {
		return false, err
	}
	if err := s.syncNetwork(ctx, t); err != nil {
		return false, err
	}
	if n := len(t.Transfers); n > 0 && t.Transfers[n-1].State == "accepted" {
		last := t.Transfers[n-1]
		if err := s.candidates.Transfer(ctx, candidates.ID(t.ID), users.ID(last.From), users.ID(last.To)); err != nil && !apperr.Is(err, apperr.NotFound) {
			return false, err
		}
		if t.Destination != nil {
			if err := s.circles.LeaveRegion(ctx, t.ID, t.Destination.Place.Province); err != nil && !apperr.Is(err, apperr.NotFound) {
				return false, err
			}
		}
		if err := s.list(ctx, "worker:"+last.From, t.ID, ""); err != nil {
			return false, err
		}
	}
	if err := s.list(ctx, "worker:"+t.WorkerID, t.ID, t.State+"|"+string(t.Phase)); err != nil {
		return false, err
	}
	for _, x := range t.Transfers {
		entry := ""
		if t.Transfer != nil && t.Transfer.State == "pending" && t.Transfer.To == x.To {
			entry = "pending"
		}
		if err := s.list(ctx, "incoming:"+x.To, t.ID, entry); err != nil {
			return false, err
		}
	}
	if t.Transfer != nil && t.Transfer.State == "pending" {
		if err := s.list(ctx, "incoming:"+t.Transfer.To, t.ID, "pending"); err != nil {
			return false, err
		}
	}
	province := ""
	if t.Destination != nil {
		province = t.Destination.Place.Province
	}
	if err := s.list(ctx, listAll, t.ID, t.State+"|"+strconv.FormatInt(t.NextReview.UnixMilli(), 10)+"|"+province); err != nil {
		return false, err
	}
	for i, n := range t.Notices {
		if n.Task != f.ID() || s.Notify == nil {
			continue
		}
		key := strings.ToLower(f.ID()) + "n" + strconv.Itoa(i)
		if err := s.Notify(ctx, users.ID(n.To), key, n.Kind, n.Text, "trajectory:"+t.ID); err != nil {
			return false, err
		}
	}
	return true, nil
}

// syncNetwork brings the candidate's network rules in line with t: its
// firms, the employers based within its places (so that they do not find
// the candidate in their own search either), its places and destination.
func (s *Service) syncNetwork(ctx context.Context, t Trajectory) error {
	n := networkOf(t)
	if len(n.Places) > 0 {
		all, err := s.employers.All(ctx)
		if err != nil {
			return err
		}
		for _, e := range all {
			if near(e, n.Places) {
				n.EmployerIDs = append(n.EmployerIDs, string(e.ID))
			}
		}
	}
	if err := s.candidates.SetNetwork(ctx, candidates.ID(t.ID), n); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}

// near reports whether one of the employer's sites lies within a place.
func near(e employers.Employer, bans []candidates.AreaBan) bool {
	for _, l := range e.Locations {
		for _, b := range bans {
			if places.DistanceKm(b.Lat, b.Lon, l.Place.Lat, l.Place.Lon) <= b.RadiusKm {
				return true
			}
		}
	}
	return false
}

// Resync brings every open trajectory's network rules in line again (the
// review job): an employer registered near a network place since the last
// write is caught within the job's period.
// Errors: the database's, joined.
func (s *Service) Resync(ctx context.Context) (int, error) {
	es, err := store.ListEntries(ctx, s.lists, listAll)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for id, e := range es {
		if !strings.HasPrefix(e, "open|") {
			continue
		}
		t, err := s.trajectory(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err == nil {
			err = s.syncNetwork(ctx, t)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// networkOf is what the trajectory means for matching.
func networkOf(t Trajectory) candidates.Network {
	n := candidates.Network{}
	for _, e := range t.Network {
		switch {
		case e.Kind == KindFirm && e.KvK != "":
			n.KvKs = append(n.KvKs, e.KvK)
		case e.Kind == KindPlace && e.Place != nil:
			n.Places = append(n.Places, candidates.AreaBan{PlaceName: e.Place.Name, Lat: e.Place.Lat, Lon: e.Place.Lon, RadiusKm: e.RadiusKm})
		}
	}
	if d := t.Destination; d != nil {
		n.Destination = &candidates.Place{ID: d.Place.ID, Name: d.Place.Name, Province: d.Place.Province, Lat: d.Place.Lat, Lon: d.Place.Lon}
		n.RadiusKm = d.RadiusKm
	}
	return n
}

func (s *Service) list(ctx context.Context, owner, key, value string) error {
	return store.SetListEntry(ctx, s.versions, &s.locks, s.lists, owner, key, value)
}

// CaseManagerOf returns the case manager of the candidate's open
// trajectory ("" when there is none), for the placements' risk flags.
// Errors: the database's.
func (s *Service) CaseManagerOf(ctx context.Context, candidate string) (users.ID, error) {
	t, err := s.trajectory(ctx, candidate)
	if apperr.Is(err, apperr.NotFound) || (err == nil && t.State != "open") {
		return "", nil
	}
	return users.ID(t.CaseManager), err
}

// SafetyPlanOf returns the safety plan of the candidate's open trajectory
// (nil when there is none), for the circle's safety purpose.
// Errors: the database's.
func (s *Service) SafetyPlanOf(ctx context.Context, candidate string) (*circles.SafetyPlan, error) {
	t, err := s.trajectory(ctx, candidate)
	if apperr.Is(err, apperr.NotFound) || (err == nil && t.State != "open") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(t.Safety.Risks)+len(t.Safety.Measures)+len(t.Safety.Contacts) == 0 {
		return nil, nil
	}
	out := &circles.SafetyPlan{Risks: t.Safety.Risks, Measures: t.Safety.Measures}
	for _, c := range t.Safety.Contacts {
		out.Contacts = append(out.Contacts, circles.SafetyContact{Name: c.Name, Role: c.Role, Phone: c.Phone})
	}
	return out, nil
}

// EraseCandidate deletes an erased candidate's trajectory (idempotent).
func (s *Service) EraseCandidate(ctx context.Context, id string) error {
	t, err := s.trajectory(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, o := range []string{"worker:" + t.WorkerID, listAll} {
		if err := s.list(ctx, o, id, ""); err != nil {
			return err
		}
	}
	if _, err := s.coll.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("delete trajectory %s: %w", id, err)
	}
	return nil
}
