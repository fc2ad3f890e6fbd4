package circles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Kind is what a partner organisation does.
type Kind string

// Partner kinds.
const (
	KindCare         Kind = "care"         // GGZ, addiction care, a district team
	KindHousing      Kind = "housing"      // a housing corporation
	KindMunicipality Kind = "municipality" // a municipality (income, debt help)
	KindJustice      Kind = "justice"      // another probation office
)

// Kinds lists every kind.
var Kinds = []Kind{KindCare, KindHousing, KindMunicipality, KindJustice}

// Status is where a partner organisation stands in vetting.
type Status string

// Vetting statuses, as employers'.
const (
	Pending   Status = "pending"
	Approved  Status = "approved"
	Rejected  Status = "rejected"
	Suspended Status = "suspended"
)

// Partner is a partner organisation, vetted by two coordinators before it
// may join a circle.
type Partner struct {
	ID        string       `bson:"_id" json:"id"`
	Name      string       `bson:"name" json:"name"`
	Kind      Kind         `bson:"kind" json:"kind"`
	KvK       string       `bson:"kvk" json:"kvk"`
	Place     string       `bson:"place" json:"place"`
	Province  string       `bson:"province" json:"province"`
	Contact   Contact      `bson:"contact" json:"contact"`
	Status    Status       `bson:"status" json:"status"`
	Approvals []string     `bson:"approvals" json:"approvals"` // coordinators who approved in the current round
	Decisions []Decision   `bson:"decisions" json:"decisions"`
	CreatedBy string       `bson:"created_by" json:"created_by"`
	CreatedAt time.Time    `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time    `bson:"updated_at" json:"updated_at"`
	Version   int64        `bson:"version" json:"version"`
	Writes    store.Writes `bson:"writes" json:"-"`
}

// Contact is a partner's contact person.
type Contact struct {
	Name  string `bson:"name" json:"name"`
	Email string `bson:"email" json:"email"`
	Phone string `bson:"phone,omitempty" json:"phone,omitempty"`
}

// Decision is one vetting step, kept as history.
type Decision struct {
	Action string    `bson:"action" json:"action"` // approve, reject, suspend, reinstate
	By     string    `bson:"by" json:"by"`
	At     time.Time `bson:"at" json:"at"`
	Reason string    `bson:"reason,omitempty" json:"reason,omitempty"`
}

// Active reports whether the partner may act in circles.
func (p Partner) Active() bool { return p.Status == Approved }

// PartnerInput is a coordinator's registration of a partner organisation.
type PartnerInput struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	KvK      string `json:"kvk"`
	Place    string `json:"place"`
	Province string `json:"province"`
	Contact  struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"contact"`
}

// Partner summaries are listed from one list document ("partners:all").
const listPartners = "partners:all"

// RegisterPartner records a partner organisation, pending two coordinators'
// approval. A KvK number is registered once.
// Errors: Unauthenticated, Forbidden, Invalid, Conflict (KvK registered).
func (s *Service) RegisterPartner(ctx context.Context, in PartnerInput) (Partner, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return Partner{}, err
	}
	var f apperr.Fields
	p := Partner{ID: ids.New("pa_"), Name: f.Text("name", in.Name, 150, true), Kind: Kind(in.Kind), KvK: employers.NormalizeKvK(in.KvK),
		Status: Pending, Approvals: []string{}, Decisions: []Decision{}, CreatedBy: string(a.UserID), CreatedAt: s.clock(), Version: 1}
	if !slices.Contains(Kinds, p.Kind) {
		f.Add("kind", "must be one of care, housing, municipality, justice")
	}
	if !employers.ValidKvK(p.KvK) {
		f.Add("kvk", "must be exactly 8 digits")
	}
	if pl, err := s.places.Lookup(in.Place, in.Province); err != nil {
		places.AddRefusal(&f, err, "place", "province")
	} else {
		p.Place, p.Province = pl.Name, pl.ProvinceName()
	}
	p.Contact = Contact{Name: f.Text("contact.name", in.Contact.Name, 100, true), Email: strings.ToLower(f.Text("contact.email", in.Contact.Email, 254, true)),
		Phone: f.Text("contact.phone", in.Contact.Phone, 30, false)}
	if e := p.Contact.Email; e != "" && !strings.Contains(e, "@") {
		f.Add("contact.email", "must be an e-mail address")
	}
	if err := f.Err(); err != nil {
		return Partner{}, err
	}
	p.UpdatedAt = p.CreatedAt
	// The KvK number is a unique claim (store.Keys) before the insert; the
	// follow-up releases it when the insert did not land.
	err = s.writePartner(ctx, a, &p, "register", "", func(ctx context.Context) error {
		if err := s.kvk.Claim(ctx, p.KvK, p.ID); errors.Is(err, store.ErrKeyTaken) {
			return &apperr.Error{Code: apperr.Conflict, Message: "A partner organisation with this KvK number is registered already.", Fields: map[string]string{"kvk": "is registered already"}}
		} else if err != nil {
			return err
		}
		if _, err := s.partners.InsertOne(ctx, p); err != nil {
			return fmt.Errorf("insert partner: %w", err)
		}
		return nil
	})
	return p, err
}

// writePartner is the audited write of a partner organisation (store.Do):
// its follow-up lists it.
func (s *Service) writePartner(ctx context.Context, a users.Actor, p *Partner, op, reason string, save func(ctx context.Context) error) error {
	d := map[string]string{"op": op, "status": string(p.Status)}
	if reason != "" {
		d["reason"] = reason
	}
	return store.Do(ctx, s.writer, store.Write[partnerTask]{
		Kind: taskPartner, Key: p.ID, Data: partnerTask{ID: p.ID, KvK: p.KvK},
		Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionPartner, Subject: "partner:" + p.ID, Details: d},
		Save: func(ctx context.Context, task string) error {
			p.Writes = p.Writes.With(task)
			return save(ctx)
		},
	})
}

// partnerTask is what a partner write's follow-up needs.
type partnerTask struct {
	ID  string `json:"id"`
	KvK string `json:"kvk"`
}

// followPartner lists a written partner; a registration that did not land
// gives its KvK claim up (idempotent).
func (s *Service) followPartner(ctx context.Context, t store.FollowUp[partnerTask]) (bool, error) {
	p, err := s.partner(ctx, t.Data.ID)
	if apperr.Is(err, apperr.NotFound) && t.Data.KvK != "" {
		return false, s.kvk.Release(ctx, t.Data.KvK, t.Data.ID)
	}
	if landed, err := store.Landed(err, p.Writes, t.ID()); !landed {
		return false, err
	}
	return true, store.SetListEntry(ctx, s.versions, &s.locks, s.lists, listPartners, p.ID, string(p.Status))
}

var errPartnerNotFound = apperr.Errorf(apperr.NotFound, "Partner organisation not found.")

func (s *Service) partner(ctx context.Context, id string) (Partner, error) {
	if !ids.Valid(id, "pa_") {
		return Partner{}, errPartnerNotFound
	}
	return store.ByID[Partner](ctx, s.partners, id, errPartnerNotFound)
}

// Partners lists the partner organisations: every one for coordinators,
// the approved ones for probation workers (to invite into a circle), by
// name. status filters (coordinators).
// Errors: Unauthenticated, Forbidden, Invalid (status).
func (s *Service) Partners(ctx context.Context, status string) ([]Partner, error) {
	a, err := users.RequireRole(ctx, users.Coordinator, users.ProbationWorker)
	if err != nil {
		return nil, err
	}
	if status != "" && !slices.Contains([]Status{Pending, Approved, Rejected, Suspended}, Status(status)) {
		return nil, apperr.InvalidField("status", "must be one of pending, approved, rejected, suspended")
	}
	if a.Role == users.ProbationWorker {
		status = string(Approved)
	}
	es, err := store.ListEntries(ctx, s.lists, listPartners)
	if err != nil {
		return nil, err
	}
	out := []Partner{}
	for id, st := range es {
		if status != "" && st != status {
			continue
		}
		p, err := s.partner(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if a.Role == users.ProbationWorker {
			p.Decisions, p.Approvals, p.CreatedBy = []Decision{}, []string{}, ""
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// GetPartner returns a partner organisation: to coordinators, and to its
// own users.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) GetPartner(ctx context.Context, id string) (Partner, error) {
	a, err := users.RequireRole(ctx, users.Coordinator, users.Partner)
	if err != nil {
		return Partner{}, err
	}
	if a.Role == users.Partner && a.PartnerID != id {
		return Partner{}, errPartnerNotFound
	}
	return s.partner(ctx, id)
}

// Reasoned carries a decision's reason.
type Reasoned struct {
	Reason string `json:"reason"`
}

// Vet takes a vetting step on a partner organisation (coordinators):
// approve (two different coordinators; the second makes it approved),
// reject or suspend (one, with a reason; a suspension takes effect on the
// partner's next request), reinstate (a suspended partner goes back to
// pending: two coordinators approve again).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (action, reason),
// Conflict (the status does not allow it, the same coordinator twice).
func (s *Service) Vet(ctx context.Context, id, action string, in Reasoned) (Partner, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return Partner{}, err
	}
	if !slices.Contains([]string{"approve", "reject", "suspend", "reinstate"}, action) {
		return Partner{}, errPartnerNotFound
	}
	var f apperr.Fields
	reason := f.Text("reason", in.Reason, 1000, action == "reject" || action == "suspend")
	return store.RetryValue(ctx, s.writer, "partner:"+id, errClash, func(ctx context.Context) (Partner, error) {
		p, err := s.partner(ctx, id)
		if err != nil {
			return Partner{}, err
		}
		if err := f.Err(); err != nil {
			return Partner{}, err
		}
		now := s.clock()
		switch action {
		case "approve":
			if p.Status != Pending {
				return Partner{}, apperr.Errorf(apperr.Conflict, "Only a pending partner organisation can be approved.")
			}
			if slices.Contains(p.Approvals, string(a.UserID)) {
				return Partner{}, apperr.Errorf(apperr.Conflict, "You approved this organisation already; a second coordinator must approve it.")
			}
			p.Approvals = append(p.Approvals, string(a.UserID))
			if len(p.Approvals) >= 2 {
				p.Status = Approved
			}
		case "reject":
			if p.Status != Pending {
				return Partner{}, apperr.Errorf(apperr.Conflict, "Only a pending partner organisation can be rejected.")
			}
			p.Status = Rejected
		case "suspend":
			if p.Status != Approved {
				return Partner{}, apperr.Errorf(apperr.Conflict, "Only an approved partner organisation can be suspended.")
			}
			p.Status = Suspended
		case "reinstate":
			if p.Status != Suspended {
				return Partner{}, apperr.Errorf(apperr.Conflict, "Only a suspended partner organisation can be reinstated.")
			}
			p.Status, p.Approvals = Pending, []string{}
		}
		p.Decisions = append(p.Decisions, Decision{Action: action, By: string(a.UserID), At: now, Reason: reason})
		if len(p.Decisions) > 200 {
			p.Decisions = p.Decisions[len(p.Decisions)-200:]
		}
		from := p.Version
		p.Version, p.UpdatedAt = p.Version+1, now
		err = s.writePartner(ctx, a, &p, action, reason, func(ctx context.Context) error {
			return s.versions.Replace(ctx, s.partners, p.ID, from, p)
		})
		return p, err
	})
}

// UserInput is a new account of a partner organisation.
type UserInput struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// AddUser makes an account of role partner for the organisation
// (coordinators); it is invited by mail to choose a password.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (e-mail in use).
func (s *Service) AddUser(ctx context.Context, id string, in UserInput) (users.User, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return users.User{}, err
	}
	if _, err := s.partner(ctx, id); err != nil {
		return users.User{}, err
	}
	return s.users.CreateRecorded(ctx, users.NewUser{Email: in.Email, Name: in.Name, Role: users.Partner, PartnerID: id},
		audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: audit.ActionUserCreate, Details: map[string]string{"role": string(users.Partner), "partner": id}})
}

// actingPartner is the acting partner user's organisation, which must be
// approved.
// Errors: Unauthenticated, Forbidden (another role, not approved).
func (s *Service) actingPartner(ctx context.Context) (users.Actor, Partner, error) {
	a, err := users.RequireRole(ctx, users.Partner)
	if err != nil {
		return users.Actor{}, Partner{}, err
	}
	p, err := s.partner(ctx, a.PartnerID)
	if apperr.Is(err, apperr.NotFound) {
		return users.Actor{}, Partner{}, apperr.Errorf(apperr.Forbidden, "Your organisation is not registered.")
	}
	if err != nil {
		return users.Actor{}, Partner{}, err
	}
	if !p.Active() {
		return users.Actor{}, Partner{}, apperr.Errorf(apperr.Forbidden, "Your organisation is not approved (or is suspended): circles are closed to it.")
	}
	return a, p, nil
}

// Name returns a partner organisation's name ("" when unknown): names of
// organisations are no candidate's data (the pages' disclosure log).
func (s *Service) Name(ctx context.Context, id string) string {
	p, err := s.partner(ctx, id)
	if err != nil {
		return ""
	}
	return p.Name
}
