package exits

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Inbox texts (web/messages.go has their Dutch).
const (
	textReview   = "An exit trajectory is due for its three-monthly review."
	textTransfer = "A case is handed over to you: accept it to take it on."
	textAccepted = "The receiving probation worker accepted the case."
	textManager  = "You are the case manager of an exit trajectory."
)

// OpenInput opens a trajectory.
type OpenInput struct {
	Conditions    string `json:"conditions"`      // agreed for the decision phase
	CaseManagerID string `json:"case_manager_id"` // a probation worker; empty: the worker
}

// Open opens an exit trajectory on a candidate of the acting worker's
// caseload, in the decision phase, with a review in three months.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (one is open).
func (s *Service) Open(ctx context.Context, id string, in OpenInput) (View, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return View{}, err
	}
	var f apperr.Fields
	cond := f.Text("conditions", in.Conditions, 2000, false)
	manager, err := s.manager(ctx, &f, in.CaseManagerID)
	if err != nil {
		return View{}, err
	}
	invalid := f.Err()
	t, err := s.write(ctx, id, s.asOwner(id, true), "open", func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if invalid != nil {
			return nil, invalid
		}
		if t.Version > 0 && t.State == "open" {
			return nil, apperr.Errorf(apperr.Conflict, "This candidate has an open exit trajectory.")
		}
		if t.Version > 0 { // a closed one is opened again, its history kept
			t.Outcome, t.ClosedAt = "", nil
		}
		t.State, t.Phase, t.OpenedAt, t.NextReview = "open", Decision, now, now.Add(ReviewEvery)
		t.Phases = append(t.Phases, PhaseEntry{Phase: Decision, EnteredAt: now, Conditions: cond, By: string(a.UserID)})
		t.CaseManager = string(a.UserID)
		if manager != "" {
			t.CaseManager = manager
			if manager != string(a.UserID) {
				t.notify(manager, "trajectory.manager", textManager)
			}
		}
		return nil, nil
	})
	if err != nil {
		return View{}, err
	}
	return s.viewOf(ctx, t)
}

// manager checks a case manager id: a probation worker's account.
func (s *Service) manager(ctx context.Context, f *apperr.Fields, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", nil
	}
	u, err := s.users.Load(ctx, users.ID(id))
	if apperr.Is(err, apperr.NotFound) || (err == nil && (u.Role != users.ProbationWorker || u.Disabled)) {
		f.Add("case_manager_id", "is not a probation worker")
		return "", nil
	}
	return id, err
}

// PhaseInput moves a trajectory to a phase.
type PhaseInput struct {
	Phase      string `json:"phase"`
	Conditions string `json:"conditions"`
}

// SetPhase moves the trajectory to another phase (forward or back, as
// life goes), with the conditions agreed for it.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, same phase).
func (s *Service) SetPhase(ctx context.Context, id string, in PhaseInput) (View, error) {
	return s.step(ctx, id, "phase", func(f *apperr.Fields) {
		if !slices.Contains(Phases, Phase(in.Phase)) {
			f.Add("phase", "must be one of decision, leaving, rebuilding, aftercare")
		}
		f.Text("conditions", in.Conditions, 2000, false)
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if t.Phase == Phase(in.Phase) {
			return nil, apperr.Errorf(apperr.Conflict, "The trajectory is in this phase already.")
		}
		t.Phase = Phase(in.Phase)
		t.Phases = append(t.Phases, PhaseEntry{Phase: t.Phase, EnteredAt: now, Conditions: strings.TrimSpace(in.Conditions), By: string(a.UserID)})
		return nil, nil
	})
}

// step is a write of an open trajectory by its worker: check validates the
// input (before the access check's answer, after the role's).
func (s *Service) step(ctx context.Context, id, op string, check func(f *apperr.Fields), fn change) (View, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return View{}, err
	}
	var f apperr.Fields
	if check != nil {
		check(&f)
	}
	invalid := f.Err()
	t, err := s.write(ctx, id, s.asOwner(id, false), op, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if invalid != nil {
			return nil, invalid
		}
		if t.State != "open" {
			return nil, errClosed
		}
		return fn(a, t, now)
	})
	if err != nil {
		return View{}, err
	}
	return s.viewOf(ctx, t)
}

// ReviewInput is a review's note.
type ReviewInput struct {
	Note string `json:"note"`
}

// AddReview records the three-monthly review; the next is due three
// months on.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) AddReview(ctx context.Context, id string, in ReviewInput) (View, error) {
	return s.step(ctx, id, "review", func(f *apperr.Fields) { f.Text("note", in.Note, 4000, true) },
		func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
			t.Reviews = append(t.Reviews, Review{At: now, By: string(a.UserID), Note: strings.TrimSpace(in.Note)})
			if len(t.Reviews) > maxReviews {
				t.Reviews = t.Reviews[len(t.Reviews)-maxReviews:]
			}
			t.NextReview = now.Add(ReviewEvery)
			return nil, nil
		})
}

// EntryInput is a person, firm or place of the network.
type EntryInput struct {
	Kind     string  `json:"kind"`
	Name     string  `json:"name"`
	KvK      string  `json:"kvk"`
	Place    string  `json:"place"`
	Province string  `json:"province"`
	RadiusKm float64 `json:"radius_km"`
	Relation string  `json:"relation"`
	Source   string  `json:"source"`
}

// AddEntry records a person, a firm (with its KvK number: it joins the
// conflict list, so it never sees the candidate nor is invited into their
// circle) or a place (with a radius: vacancies there are kept out of the
// candidate's matches and search) of the network, with its source.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, full, recorded).
func (s *Service) AddEntry(ctx context.Context, id string, in EntryInput) (View, error) {
	var e Entry
	return s.step(ctx, id, "network_add", func(f *apperr.Fields) {
		e = Entry{Kind: in.Kind, Name: f.Text("name", in.Name, 150, in.Kind != KindPlace), Relation: f.Text("relation", in.Relation, 150, false),
			Source: f.Text("source", in.Source, 300, true)}
		switch in.Kind {
		case KindPerson:
		case KindFirm:
			e.KvK = employers.NormalizeKvK(in.KvK)
			if !employers.ValidKvK(e.KvK) {
				f.Add("kvk", "must be exactly 8 digits")
			}
		case KindPlace:
			pl, err := s.places.Lookup(in.Place, in.Province)
			if err != nil {
				places.AddRefusal(f, err, "place", "province")
			} else {
				e.Place = &Place{ID: pl.ID, Name: pl.Name, Province: pl.ProvinceName(), Lat: pl.Lat, Lon: pl.Lon}
				if e.Name == "" {
					e.Name = pl.Name
				}
			}
			e.RadiusKm = in.RadiusKm
			if in.RadiusKm < 1 || in.RadiusKm > 50 {
				f.Add("radius_km", "must be between 1 and 50")
			}
		default:
			f.Add("kind", "must be person, firm or place")
		}
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if len(t.Network) >= maxNetwork {
			return nil, apperr.Errorf(apperr.Conflict, "The network has as many entries as it may have.")
		}
		for _, x := range t.Network {
			if (e.KvK != "" && x.KvK == e.KvK) || (e.Place != nil && x.Place != nil && x.Place.ID == e.Place.ID) {
				return nil, apperr.Errorf(apperr.Conflict, "This entry is recorded already.")
			}
		}
		t.NetworkSeq++
		e.N, e.By, e.At = t.NetworkSeq, string(a.UserID), now
		t.Network = append(t.Network, e)
		return map[string]string{"entry": strconv.Itoa(e.N), "kind": e.Kind}, nil
	})
}

// RemoveEntry removes network entry n (its effect goes with it).
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (closed).
func (s *Service) RemoveEntry(ctx context.Context, id string, n int) (View, error) {
	return s.step(ctx, id, "network_remove", nil, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		for i, x := range t.Network {
			if x.N == n {
				t.Network = append(t.Network[:i], t.Network[i+1:]...)
				return map[string]string{"entry": strconv.Itoa(n)}, nil
			}
		}
		return nil, apperr.Errorf(apperr.NotFound, "Network entry not found.")
	})
}

// DestinationInput is the destination region.
type DestinationInput struct {
	Place    string `json:"place"`
	Province string `json:"province"`
	RadiusKm int    `json:"radius_km"`
}

// SetDestination sets where the candidate builds a life: their search and
// matches look there (the card shows the destination, never the origin),
// the origin kept on the worker's side.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) SetDestination(ctx context.Context, id string, in DestinationInput) (View, error) {
	var d Destination
	return s.step(ctx, id, "destination", func(f *apperr.Fields) {
		pl, err := s.places.Lookup(in.Place, in.Province)
		if err != nil {
			places.AddRefusal(f, err, "place", "province")
		} else {
			d.Place = Place{ID: pl.ID, Name: pl.Name, Province: pl.ProvinceName(), Lat: pl.Lat, Lon: pl.Lon}
		}
		d.RadiusKm = in.RadiusKm
		if in.RadiusKm < 1 || in.RadiusKm > 150 {
			f.Add("radius_km", "must be between 1 and 150")
		}
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if t.Origin == nil {
			c, err := s.candidates.Load(ctx, candidates.ID(t.ID))
			if err != nil {
				return nil, err
			}
			h := c.Profile.HomePlace
			t.Origin, t.OriginRadius = &Place{ID: h.ID, Name: h.Name, Province: h.Province, Lat: h.Lat, Lon: h.Lon}, c.Profile.TravelRadiusKm
		}
		for _, x := range t.Network {
			if x.Place != nil && distanceKm(x.Place.Lat, x.Place.Lon, d.Place.Lat, d.Place.Lon) < x.RadiusKm {
				return nil, apperr.InvalidField("place", "lies within a place of the network")
			}
		}
		d.By, d.At = string(a.UserID), now
		t.Destination = &d
		return map[string]string{"province": d.Place.Province}, nil
	})
}

// SafetyInput is the safety plan.
type SafetyInput struct {
	Risks    []string  `json:"risks"`
	Measures []string  `json:"measures"`
	Contacts []Contact `json:"contacts"`
}

// SetSafety replaces the safety plan: seen by the worker and by the
// partners of the circle's safety purpose only.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) SetSafety(ctx context.Context, id string, in SafetyInput) (View, error) {
	var p SafetyPlan
	return s.step(ctx, id, "safety", func(f *apperr.Fields) {
		p.Risks = f.List("risks", in.Risks, maxListItems, 500)
		p.Measures = f.List("measures", in.Measures, maxListItems, 500)
		if len(in.Contacts) > 10 {
			f.Add("contacts", "must have at most 10 entries")
		}
		for i, c := range in.Contacts {
			k := "contacts[" + strconv.Itoa(i) + "]."
			p.Contacts = append(p.Contacts, Contact{Name: f.Text(k+"name", c.Name, 100, true), Role: f.Text(k+"role", c.Role, 100, false), Phone: f.Text(k+"phone", c.Phone, 30, true)})
		}
		if p.Risks == nil {
			p.Risks = []string{}
		}
		if p.Measures == nil {
			p.Measures = []string{}
		}
		if p.Contacts == nil {
			p.Contacts = []Contact{}
		}
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		p.UpdatedAt, p.By = now, string(a.UserID)
		t.Safety = p
		return map[string]string{"risks": strconv.Itoa(len(p.Risks)), "measures": strconv.Itoa(len(p.Measures))}, nil
	})
}

// ExploitationInput records the indicator of criminal exploitation.
type ExploitationInput struct {
	Kinds         []string `json:"kinds"`
	CarePartnerID string   `json:"care_partner_id"` // a care partner to invite, the candidate's consent asked
}

// SetExploitation records that the candidate is also a victim (recruited,
// forced, in debt to the network): the reports count it apart; with a care
// partner named, that partner is invited into the circle for care, on
// consent, which the candidate is asked for (until then it sees nothing).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) SetExploitation(ctx context.Context, id string, in ExploitationInput) (View, error) {
	kinds := []string{}
	v, err := s.step(ctx, id, "exploitation", func(f *apperr.Fields) {
		if len(in.Kinds) == 0 {
			f.Add("kinds", "name at least one: recruited, forced, debts")
		}
		for _, k := range in.Kinds {
			if !slices.Contains(ExploitationKinds, k) {
				f.Add("kinds", "must be among recruited, forced, debts")
			} else if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		t.Exploitation = &Exploitation{Kinds: kinds, CarePartner: strings.TrimSpace(in.CarePartnerID), By: string(a.UserID), At: now}
		return map[string]string{"kinds": strings.Join(kinds, ",")}, nil
	})
	if err != nil || strings.TrimSpace(in.CarePartnerID) == "" {
		return v, err
	}
	// The referral: a care partner invited on consent, which the candidate
	// gives on their page or the worker records.
	_, err = s.circles.AddMember(ctx, id, circles.MemberInput{PartnerID: strings.TrimSpace(in.CarePartnerID), Purpose: string(circles.Care), Basis: string(circles.ByConsent),
		Need: "Hulp bij criminele uitbuiting."})
	if apperr.Is(err, apperr.Conflict) { // in the circle for care already
		err = nil
	}
	if err != nil {
		return View{}, asField(err, "care_partner_id")
	}
	return s.Get(ctx, id)
}

func asField(err error, field string) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid {
		return apperr.InvalidField(field, "is not an approved partner organisation")
	}
	return err
}

// RelativeInput links a relative who wants to leave too.
type RelativeInput struct {
	CandidateID string `json:"candidate_id"`
}

// LinkRelative links another candidate of the worker's caseload as a
// relative leaving too; each keeps their own consents and trajectory.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, full).
func (s *Service) LinkRelative(ctx context.Context, id string, in RelativeInput) (View, error) {
	rid := strings.TrimSpace(in.CandidateID)
	return s.step(ctx, id, "relative", func(f *apperr.Fields) {
		if rid == "" || rid == id {
			f.Add("candidate_id", "names another candidate")
		} else if _, err := s.candidates.LoadOwn(ctx, candidates.ID(rid)); err != nil {
			f.Add("candidate_id", "is not a candidate of your caseload")
		}
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if slices.Contains(t.Relatives, rid) {
			return nil, apperr.Errorf(apperr.Conflict, "This relative is linked already.")
		}
		if len(t.Relatives) >= maxRelatives {
			return nil, apperr.Errorf(apperr.Conflict, "As many relatives as may be linked are linked.")
		}
		t.Relatives = append(t.Relatives, rid)
		return nil, nil
	})
}

// TransferInput hands the case to a worker in the destination region.
type TransferInput struct {
	ToWorkerID string   `json:"to_worker_id"`
	Handover   []string `json:"handover"`
	Note       string   `json:"note"`
}

// StartTransfer offers the case to another probation worker, listing what
// is handed over; the receiving worker sees that list (and no more) until
// they accept. Logged.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed, one pending, no destination).
func (s *Service) StartTransfer(ctx context.Context, id string, in TransferInput) (View, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker)
	if err != nil {
		return View{}, err
	}
	var f apperr.Fields
	to := strings.TrimSpace(in.ToWorkerID)
	if to == "" || to == string(a.UserID) {
		f.Add("to_worker_id", "names another probation worker")
	} else if got, err := s.manager(ctx, &f, to); err != nil {
		return View{}, err
	} else if got == "" && f.Err() == nil {
		f.Add("to_worker_id", "is not a probation worker")
	}
	if len(in.Handover) == 0 {
		f.Add("handover", "list what is handed over")
	}
	var items []string
	for _, h := range in.Handover {
		if !slices.Contains(HandoverItems, h) {
			f.Add("handover", "must be among "+strings.Join(HandoverItems, ", "))
		} else if !slices.Contains(items, h) {
			items = append(items, h)
		}
	}
	note := f.Text("note", in.Note, 2000, false)
	return s.step(ctx, id, "transfer", func(ff *apperr.Fields) { ff.Merge("", f) }, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		if t.Transfer != nil && t.Transfer.State == "pending" {
			return nil, apperr.Errorf(apperr.Conflict, "A transfer is waiting for the receiving worker already.")
		}
		if t.Destination == nil {
			return nil, apperr.Errorf(apperr.Conflict, "Set the destination region first: the case moves there.")
		}
		t.Transfer = &Transfer{From: string(a.UserID), To: to, Handover: items, Note: note, State: "pending", At: now}
		t.notify(to, "trajectory.transfer", textTransfer)
		return map[string]string{"to": to, "handover": strings.Join(items, ",")}, nil
	})
}

// AcceptTransfer is the receiving worker's acceptance: the candidate moves
// to their caseload (the old worker loses access at once), they become the
// case manager, and the circle's partners outside the destination province
// leave it.
// Errors: Unauthenticated, Forbidden, NotFound (not offered to the actor).
func (s *Service) AcceptTransfer(ctx context.Context, id string) (View, error) {
	t, err := s.write(ctx, id, s.asReceiver(id), "transfer_accept", func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		tr := *t.Transfer
		tr.State, tr.AcceptedAt = "accepted", &now
		t.Transfers = append(t.Transfers, tr)
		t.Transfer = nil
		t.WorkerID, t.CaseManager = tr.To, tr.To
		t.notify(tr.From, "trajectory.transfer", textAccepted)
		return map[string]string{"from": tr.From, "to": tr.To, "handover": strings.Join(tr.Handover, ",")}, nil
	})
	if err != nil {
		return View{}, err
	}
	return s.viewOf(ctx, t)
}

// CloseInput closes a trajectory.
type CloseInput struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// Close records the outcome and closes the trajectory. The network's
// effect stays: the conflict list and area bans keep protecting.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) Close(ctx context.Context, id string, in CloseInput) (View, error) {
	return s.step(ctx, id, "close", func(f *apperr.Fields) {
		if !slices.Contains(Outcomes, in.Outcome) {
			f.Add("outcome", "must be one of completed, relapsed, moved_away, stopped")
		}
		f.Text("note", in.Note, 2000, false)
	}, func(a users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
		t.State, t.Outcome, t.ClosedAt = "closed", in.Outcome, &now
		if n := strings.TrimSpace(in.Note); n != "" {
			t.Reviews = append(t.Reviews, Review{At: now, By: string(a.UserID), Note: n})
		}
		return map[string]string{"outcome": in.Outcome}, nil
	})
}

// Remind tells case managers of reviews that came due, once per review.
// Errors: the database's, joined.
func (s *Service) Remind(ctx context.Context) (int, error) {
	es, err := listEntries(ctx, s)
	if err != nil {
		return 0, err
	}
	now := s.clock()
	n := 0
	for id, e := range es {
		parts := strings.Split(e, "|")
		if len(parts) < 2 || parts[0] != "open" {
			continue
		}
		ms, _ := strconv.ParseInt(parts[1], 10, 64)
		if ms == 0 || time.UnixMilli(ms).After(now) {
			continue
		}
		_, err := s.write(ctx, id, func(ctx context.Context) (users.Actor, Trajectory, error) {
			t, err := s.trajectory(ctx, id)
			return system, t, err
		}, "review_due", func(_ users.Actor, t *Trajectory, now time.Time) (map[string]string, error) {
			if t.State != "open" || t.NextReview.After(now) {
				return nil, errSame
			}
			t.notify(t.CaseManager, "trajectory.review", textReview)
			t.NextReview = now.Add(14 * 24 * time.Hour) // told again in two weeks unless reviewed
			return nil, nil
		})
		if err == nil {
			n++
		}
	}
	return n, nil
}

func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	return places.DistanceKm(lat1, lon1, lat2, lon2)
}

func listEntries(ctx context.Context, s *Service) (map[string]string, error) {
	return store.ListEntries(ctx, s.lists, listAll)
}
